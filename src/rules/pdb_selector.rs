use std::collections::BTreeMap;

use crate::engine::Severity;
use crate::objects::catalog::{Hit, PdbInfo, Source};

use super::budget::{self, workload_name};
use super::{Context, Diagnostic};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(spec) = budget::pdb_spec(cx.object) else {
        // No spec at all: no selector and no budget.
        out.push(no_selector(cx));
        out.push(no_budget(cx));
        return;
    };
    let id = &cx.object.id;
    match (&spec.min_available, &spec.max_unavailable) {
        (Some(_), Some(_)) => out.push(
            Diagnostic::new(
                "/spec/maxUnavailable",
                format!("{id} sets both minAvailable and maxUnavailable: the API server rejects it"),
            )
            .help("keep only one of minAvailable and maxUnavailable (maxUnavailable: 1 is the usual choice)"),
        ),
        (None, None) => out.push(no_budget(cx)),
        _ => {}
    }
    if spec.selector.is_none() {
        out.push(no_selector(cx));
        return;
    }
    let workloads = budget::covered_workloads(cx, spec);
    let namespace = cx.object.namespace();
    if workloads.is_empty() {
        if cx.index.has_workloads(namespace) {
            out.push(
                Diagnostic::new(
                    "/spec/selector",
                    format!("{id} covers no workload of namespace {namespace}: it protects nothing"),
                )
                .help("make spec.selector match the pod template labels of the workload it protects"),
            );
        }
        return;
    }
    // Overlaps, reported once each: on the budget whose name sorts after the other's when
    // both are in the linted set, always on this one when the other is only context.
    let me = cx.object.name();
    let mut overlaps: BTreeMap<&str, (Hit<'_, PdbInfo>, Vec<String>)> = BTreeMap::new();
    for w in &workloads {
        for other in cx.index.pdbs_covering(namespace, &w.info.labels) {
            let name = other.info.name.as_str();
            let reports_here = match other.source {
                Source::Set(_) => name < me,
                Source::Context | Source::Cluster => name != me,
            };
            if reports_here {
                overlaps
                    .entry(name)
                    .or_insert_with(|| (other, Vec::new()))
                    .1
                    .push(workload_name(w.info));
            }
        }
    }
    for (name, (other, shared)) in overlaps {
        let d = Diagnostic::new(
            "/spec/selector",
            format!(
                "{id} and PodDisruptionBudget {name} both cover {}: the eviction API refuses to evict a pod that more than one budget covers, so node drains hang",
                shared.join(", ")
            ),
        )
        .help(format!("make the selectors of {me} and {name} disjoint, or delete one of them"));
        out.push(budget::relate(d, &other, "/spec/selector", "also covers these pods"));
    }
}

fn no_selector(cx: &Context<'_>) -> Diagnostic {
    Diagnostic::new(
        "/spec",
        format!(
            "{} has no selector: a policy/v1 budget without one selects no pods and protects nothing",
            cx.object.id
        ),
    )
    .help("add spec.selector with the labels of the pod template it protects")
}

/// policy/v1 has no default for these fields (policy/v1beta1 defaulted minAvailable to 1):
/// the disruption controller then expects 0 pods and allows no disruption at all.
fn no_budget(cx: &Context<'_>) -> Diagnostic {
    Diagnostic::new(
        "/spec",
        format!(
            "{} sets neither minAvailable nor maxUnavailable: policy/v1 has no default for them, and the disruption controller then allows no eviction of the pods it selects",
            cx.object.id
        ),
    )
    .help("set spec.maxUnavailable: 1")
    .severity(Severity::Error)
}
