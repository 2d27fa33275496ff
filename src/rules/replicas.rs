use crate::objects::catalog::Source;

use super::{Context, Diagnostic};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(replicas) = cx.index.replicas_of(cx.object) else {
        return;
    };
    let min = cx.config.min_replicas;
    if replicas.count >= min {
        return;
    }
    let id = &cx.object.id;
    let (path, message, help) = match replicas.autoscaler {
        Some(hpa) => (
            "/spec/replicas".to_string(),
            format!(
                "{id} can scale down to {} {}: {} {} has {} {}",
                replicas.count,
                noun(replicas.count),
                hpa.info.kind,
                hpa.info.name,
                hpa.info.min_field(),
                hpa.info.min_replicas
            ),
            format!(
                "set {} of {} {} to {min} or more",
                hpa.info.min_field(),
                hpa.info.kind,
                hpa.info.name
            ),
        ),
        None => (
            "/spec/replicas".to_string(),
            format!(
                "{id} runs {} {}; one node drain or crash takes it down",
                replicas.count,
                noun(replicas.count)
            ),
            format!("set spec.replicas to {min} or more"),
        ),
    };
    let mut diagnostic = Diagnostic::new(path, message).help(help);
    if let Some(hpa) = replicas.autoscaler {
        if let Source::Set(i) = hpa.source {
            diagnostic = diagnostic.related(
                i,
                hpa.info.min_pointer(),
                format!("{} is {}", hpa.info.min_field(), hpa.info.min_replicas),
            );
        }
    }
    out.push(diagnostic);
}

fn noun(count: i32) -> &'static str {
    if count == 1 {
        "replica"
    } else {
        "replicas"
    }
}
