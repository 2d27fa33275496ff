use crate::objects::Kind;

use super::{Context, Diagnostic};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let min = match &cx.object.kind {
        Kind::HorizontalPodAutoscaler(h) => h.spec.min_replicas,
        Kind::HorizontalPodAutoscalerV1(h) => h.spec.min_replicas,
        _ => return,
    };
    if min.unwrap_or(1) >= 2 {
        return;
    }
    let message = match min {
        Some(n) => format!("{} has minReplicas {n}: at low load it scales its target to a single point of failure", cx.object.id),
        None => format!(
            "{} has no minReplicas, which defaults to 1: at low load it scales its target to a single point of failure",
            cx.object.id
        ),
    };
    out.push(Diagnostic::new("/spec/minReplicas", message).help("set spec.minReplicas to 2 or more"));
}
