use crate::objects::Kind;

use super::{Context, Diagnostic};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let id = &cx.object.id;
    let (min, default, field) = match &cx.object.kind {
        Kind::HorizontalPodAutoscaler(h) => (h.spec.min_replicas, 1, "minReplicas"),
        Kind::HorizontalPodAutoscalerV1(h) => (h.spec.min_replicas, 1, "minReplicas"),
        // KEDA scales to zero when no event arrives, unless minReplicaCount says otherwise.
        Kind::ScaledObject(s) => (s.spec.min_replica_count, 0, "minReplicaCount"),
        _ => return,
    };
    if min.unwrap_or(default) >= 2 {
        return;
    }
    let message = match min {
        Some(0) => format!("{id} has {field} 0: when idle it scales its target away entirely, and the first request waits for a pod to start"),
        Some(n) => format!("{id} has {field} {n}: at low load it scales its target to a single point of failure"),
        None if default == 0 => format!(
            "{id} has no {field}, which defaults to 0: when idle it scales its target away entirely, and the first request waits for a pod to start"
        ),
        None => format!(
            "{id} has no {field}, which defaults to {default}: at low load it scales its target to a single point of failure"
        ),
    };
    out.push(
        Diagnostic::new(format!("/spec/{field}"), message)
            .help(format!("set spec.{field} to 2 or more")),
    );
}
