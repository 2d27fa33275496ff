use super::budget;
use super::{Context, Diagnostic};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // Offline, a repository that keeps its PDBs elsewhere cannot show a workload's PDB:
    // the absence of one in the set proves nothing. The cluster's PDBs are another story.
    if cx.config.pdbs_elsewhere && !cx.index.has_cluster() {
        return;
    }
    if budget::is_controlled(cx.object) {
        return;
    }
    let Some(replicas) = cx.replicated() else {
        return;
    };
    let labels = cx.object.pod_labels();
    if !cx.index.pdbs_covering(cx.object.namespace(), labels).is_empty() {
        return;
    }
    let count = match replicas.autoscaler {
        Some(hpa) => format!(
            "runs at least {} replicas ({} {})",
            replicas.count, hpa.info.kind, hpa.info.name
        ),
        None => format!("runs {} replicas", replicas.count),
    };
    let mut d = Diagnostic::new(
        "",
        format!(
            "{} {count} and no PodDisruptionBudget covers its pods: a node drain or cluster upgrade may evict them all at once",
            cx.object.id
        ),
    )
    .help("add a PodDisruptionBudget with maxUnavailable: 1 whose selector matches the pod template's labels");
    if let Some(hpa) = replicas.autoscaler {
        d = budget::relate(d, &hpa, &hpa.info.min_pointer(), "the autoscaler's minimum");
    }
    out.push(d);
}
