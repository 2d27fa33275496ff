use super::budget;
use super::{Context, Diagnostic};

const ALWAYS_ALLOW: &str = "AlwaysAllow";

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(spec) = budget::pdb_spec(cx.object) else {
        // No spec: pdb-selector reports the missing budget.
        return;
    };
    let policy = spec.unhealthy_pod_eviction_policy.as_deref();
    if policy == Some(ALWAYS_ALLOW) {
        return;
    }
    let written = match policy {
        None => "no unhealthyPodEvictionPolicy, so the default IfHealthyBudget applies".to_string(),
        Some(p) => format!("unhealthyPodEvictionPolicy {p}"),
    };
    out.push(
        Diagnostic::new(
            "/spec/unhealthyPodEvictionPolicy",
            format!(
                "{} has {written}: a pod that runs but is not ready (crash-looping, stuck starting) may be evicted only while the healthy pods satisfy the budget, so broken pods can hold up node drains",
                cx.object.id
            ),
        )
        .help("set spec.unhealthyPodEvictionPolicy: AlwaysAllow"),
    );
}
