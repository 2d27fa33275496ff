use crate::objects::catalog::{AutoscalerInfo, Hit, WorkloadInfo};
use crate::objects::intstr::{Amount, Rounding};

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
    let Some(spec) = budget::pdb_spec(cx.object) else {
        return;
    };
    let workloads = budget::covered_workloads(cx, spec);
    if workloads.is_empty() {
        return;
    }
    let namespace = cx.object.namespace();
    // The disruption controller counts every pod the selector matches: the sum over the
    // covered workloads, each at its effective replicas. A DaemonSet runs one pod per node,
    // a count unknown offline.
    let mut total: i64 = 0;
    let mut has_daemonset = false;
    let mut shown = Vec::new();
    let mut covered: Vec<(Hit<'_, WorkloadInfo>, &str, String)> = Vec::new();
    let mut autoscalers: Vec<Hit<'_, AutoscalerInfo>> = Vec::new();
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
        return;
    }
    let listed = names(&shown);
    let diagnostic = if let Some(max) = spec.max_unavailable.as_ref() {
        // The controller reads maxUnavailable first when both are set (the API server
        // rejects that; pdb-selector reports it). A percentage rounds up, so only 0 and 0%
        // resolve to 0.
        if !Amount::parse(max).is_some_and(Amount::is_zero) {
            return;
        }
        Diagnostic::new(
            "/spec/maxUnavailable",
            format!(
                "{} sets maxUnavailable {}: no pod of {listed} may ever be evicted, so node drains and cluster upgrades hang",
                cx.object.id,
                show(max)
            ),
        )
        .help("set maxUnavailable to 1 so that one pod at a time may be evicted")
    } else if let Some(min) = spec.min_available.as_ref() {
        let Some(amount) = Amount::parse(min) else {
            return;
        };
        let total32 = i32::try_from(total).unwrap_or(i32::MAX);
        let required = amount.resolve(total32, Rounding::Up);
        let blocking =
            budget::is_everything(amount) || (!has_daemonset && i64::from(required) >= total);
        if !blocking {
            return;
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
        Diagnostic::new(
            "/spec/minAvailable",
            format!(
                "{} requires minAvailable {}{detail}: no pod of {listed} may ever be evicted, so node drains and cluster upgrades hang",
                cx.object.id,
                show(min)
            ),
        )
        .help(help)
    } else {
        return;
    };
    let mut diagnostic = diagnostic;
    for (hit, path, label) in covered {
        diagnostic = budget::relate(diagnostic, &hit, path, label);
    }
    for hpa in autoscalers {
        diagnostic = budget::relate(
            diagnostic,
            &hpa,
            &hpa.info.min_pointer(),
            "lowest replica count of a covered workload",
        );
    }
    out.push(diagnostic);
}
