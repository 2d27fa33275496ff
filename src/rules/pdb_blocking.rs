use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::objects::catalog::{AutoscalerInfo, Hit, Source, WorkloadInfo};
use crate::objects::intstr::{Amount, Rounding};
use crate::objects::selector::Selects;
use crate::objects::WorkloadKind;

use super::budget::{self, show, workload_name};
use super::{Context, Diagnostic};

/// A name list for messages: the first few, then a count.
fn names(list: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut text = list
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if list.len() > SHOWN {
        text.push_str(&format!(" and {} more", list.len() - SHOWN));
    }
    text
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if let Some(spec) = budget::pdb_spec(cx.object) {
        budget_itself(
            cx,
            spec.selector.as_ref(),
            spec.min_available.as_ref(),
            spec.max_unavailable.as_ref(),
            out,
        );
    } else if cx.object.workload_kind().is_some() {
        workload_under_budget(cx, out);
    }
}

/// A budget that permits no eviction, and what it covers.
struct Blocking<'a, 'v> {
    /// "minAvailable" or "maxUnavailable".
    field: &'static str,
    value: &'v IntOrString,
    /// What the value resolves to, for minAvailable: " (2 of 2 pod(s), rounded up)".
    detail: String,
    help: String,
    /// The covered workloads, for messages.
    listed: String,
    /// Whether the covered pod count decides it (a minAvailable below 100%); otherwise the
    /// budget blocks at any count.
    by_count: bool,
    covered: Vec<(Hit<'a, WorkloadInfo>, &'static str, String)>,
    autoscalers: Vec<Hit<'a, AutoscalerInfo>>,
}

/// Whether a budget with this selector and these fields permits no eviction of the pods it
/// covers in the object's namespace.
fn blocking<'a, 'v>(
    cx: &'a Context<'_>,
    selector: Option<&impl Selects>,
    min_available: Option<&'v IntOrString>,
    max_unavailable: Option<&'v IntOrString>,
) -> Option<Blocking<'a, 'v>> {
    let workloads = budget::selected_workloads(cx, selector);
    if workloads.is_empty() {
        return None;
    }
    let namespace = cx.object.namespace();
    // The disruption controller counts every pod the selector matches: the sum over the
    // covered workloads, each at its effective replicas. A DaemonSet runs one pod per node,
    // a count unknown offline.
    let mut total: i64 = 0;
    let mut has_daemonset = false;
    let mut shown = Vec::new();
    let mut covered = Vec::new();
    let mut autoscalers = Vec::new();
    for w in &workloads {
        if w.info.kind.is_replicated() {
            let r =
                cx.index
                    .effective_replicas(namespace, w.info.kind, &w.info.name, w.info.replicas);
            total += i64::from(r.count.max(0));
            shown.push(format!("{} ({})", workload_name(w.info), r.count));
            covered.push((*w, "/spec/replicas", format!("covered: {} replica(s)", r.count)));
            autoscalers.extend(r.autoscaler);
        } else {
            has_daemonset = true;
            shown.push(format!("{} (one per node)", workload_name(w.info)));
            covered.push((*w, "", "covered: one pod per node".to_string()));
        }
    }
    if total == 0 && !has_daemonset {
        return None;
    }
    let listed = names(&shown);
    if let Some(max) = max_unavailable {
        // The controller reads maxUnavailable first when both are set (the API server
        // rejects that; pdb-selector reports it). A percentage rounds up, so only 0 and 0%
        // resolve to 0.
        if !Amount::parse(max).is_some_and(Amount::is_zero) {
            return None;
        }
        return Some(Blocking {
            field: "maxUnavailable",
            value: max,
            detail: String::new(),
            help: "set maxUnavailable to 1 so that one pod at a time may be evicted".to_string(),
            listed,
            by_count: false,
            covered,
            autoscalers,
        });
    }
    let min = min_available?;
    let amount = Amount::parse(min)?;
    let total32 = i32::try_from(total).unwrap_or(i32::MAX);
    let required = amount.resolve(total32, Rounding::Up);
    let everything = budget::is_everything(amount);
    if !everything && (has_daemonset || i64::from(required) < total) {
        return None;
    }
    let (detail, help) = match amount {
        _ if has_daemonset => (
            String::new(),
            "use maxUnavailable: 1 instead of minAvailable: 100%".to_string(),
        ),
        Amount::Percent(_) => (
            format!(" ({required} of {total} pod(s), rounded up)"),
            "use maxUnavailable: 1, or a lower percentage (minAvailable rounds up)".to_string(),
        ),
        Amount::Count(_) if total < 2 => (
            format!(" of {total} pod(s)"),
            "run 2 or more replicas and use maxUnavailable: 1".to_string(),
        ),
        Amount::Count(_) => (
            format!(" of {total} pod(s)"),
            format!("use maxUnavailable: 1, or set minAvailable below {total}"),
        ),
    };
    Some(Blocking {
        field: "minAvailable",
        value: min,
        detail,
        help,
        listed,
        by_count: !everything,
        covered,
        autoscalers,
    })
}

/// Labels the covered workloads (but `own`, the object reported on) and the autoscalers
/// that set their counts.
fn relate_covered(
    mut d: Diagnostic,
    b: &Blocking<'_, '_>,
    own: Option<(WorkloadKind, &str)>,
) -> Diagnostic {
    for (hit, path, label) in &b.covered {
        if own == Some((hit.info.kind, hit.info.name.as_str())) {
            continue;
        }
        d = budget::relate(d, hit, path, label.clone());
    }
    for hpa in &b.autoscalers {
        d = budget::relate(
            d,
            hpa,
            &hpa.info.min_pointer(),
            "lowest replica count of a covered workload",
        );
    }
    d
}

fn budget_itself(
    cx: &Context<'_>,
    selector: Option<&impl Selects>,
    min_available: Option<&IntOrString>,
    max_unavailable: Option<&IntOrString>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(b) = blocking(cx, selector, min_available, max_unavailable) else {
        return;
    };
    let verb = if b.field == "maxUnavailable" {
        "sets"
    } else {
        "requires"
    };
    let d = Diagnostic::new(
        format!("/spec/{}", b.field),
        format!(
            "{} {verb} {} {}{}: no pod of {} may ever be evicted, so node drains and cluster upgrades hang",
            cx.object.id,
            b.field,
            show(b.value),
            b.detail,
            b.listed
        ),
    )
    .help(b.help.clone());
    out.push(relate_covered(d, &b, None));
}

/// A workload whose pods fall under a budget outside the linted set (kept elsewhere, or
/// already in the cluster) that permits no eviction with the workload as written: a scale
/// down under `minAvailable: 2`, or new pods under `maxUnavailable: 0`. A budget in the set
/// reports it itself, so nothing is reported twice.
fn workload_under_budget(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // A ReplicaSet a Deployment owns: the finding belongs to the owner.
    if budget::is_controlled(cx.object) || cx.object.pod_template().is_none() {
        return;
    }
    let labels = cx.object.pod_labels();
    let mut pdbs = cx.index.pdbs_covering(cx.object.namespace(), labels);
    pdbs.sort_by(|a, b| a.info.name.cmp(&b.info.name));
    for pdb in pdbs {
        let whereabouts = match pdb.source {
            Source::Set(_) => continue,
            Source::Context => "kept outside the linted files",
            Source::Cluster => "in the cluster",
        };
        let info = pdb.info;
        let Some(b) = blocking(
            cx,
            info.selector.as_ref(),
            info.min_available.as_ref(),
            info.max_unavailable.as_ref(),
        ) else {
            continue;
        };
        let replicated = cx.object.workload_kind().is_some_and(|k| k.is_replicated());
        // The replica count is what a scale changes: pointing at it keeps the finding's path
        // the same before and after an update, as the webhook's ratcheting compares them.
        let path = if b.by_count && replicated {
            "/spec/replicas"
        } else {
            "/spec/template/metadata/labels"
        };
        let verb = if b.field == "maxUnavailable" {
            "sets"
        } else {
            "requires"
        };
        let d = Diagnostic::new(
            path,
            format!(
                "{}'s pods are covered by PodDisruptionBudget {} ({whereabouts}), which {verb} {} {}{}: no pod of {} may ever be evicted, so node drains and cluster upgrades hang",
                cx.object.id,
                info.name,
                b.field,
                show(b.value),
                b.detail,
                b.listed
            ),
        )
        .help(if b.by_count {
            format!(
                "keep more pods than PodDisruptionBudget {} requires (raise the replicas, or the autoscaler's minimum), or change it to maxUnavailable: 1",
                info.name
            )
        } else {
            format!(
                "change PodDisruptionBudget {} to maxUnavailable: 1",
                info.name
            )
        });
        let own = cx.object.workload_kind().map(|k| (k, cx.object.name()));
        out.push(relate_covered(d, &b, own));
    }
}
