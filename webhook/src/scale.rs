//! The `scale` subresource: `kubectl scale deploy/web --replicas=1` sends an
//! autoscaling/v1 Scale, not the Deployment. The webhook rebuilds the workload as far as
//! replica rules need it — its pod labels (from the cache, else from the Scale's
//! selector), exemptions, and the new count — and lets the engine judge that, so that no
//! rule logic is repeated here. Anything the rebuild cannot know (containers, affinity)
//! is absent from both the old and the new version, and `decide` only reports what the
//! scale changed.

use std::collections::BTreeMap;

use halint::objects::catalog::Catalog;
use halint::objects::WorkloadKind;
use serde_json::{json, Value};

/// A minimal workload of `kind` at the Scale's replica count.
pub fn workload(
    kind: &str,
    scale: &Value,
    cluster: Option<&Catalog>,
    exemptions: Option<&str>,
) -> Value {
    let name = scale
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let namespace = scale
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("default");
    // An absent spec.replicas in a Scale is 0 (the Go field is a plain int32).
    let replicas = scale
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(0);

    let cached = cluster
        .zip(workload_kind(kind))
        .and_then(|(c, k)| c.workload(namespace, k, name))
        .map(|hit| hit.info.labels.to_map());
    let labels = cached.unwrap_or_else(|| {
        selector_labels(
            scale
                .pointer("/status/selector")
                .and_then(Value::as_str)
                .unwrap_or_default(),
        )
    });

    let mut metadata = json!({"name": name, "namespace": namespace});
    if let Some(ignore) = exemptions {
        metadata["annotations"] = json!({ halint::engine::IGNORE_ANNOTATION: ignore });
    }
    let mut spec = json!({
        "replicas": replicas,
        "selector": {"matchLabels": labels},
        "template": {"metadata": {"labels": labels}, "spec": {"containers": []}},
    });
    if kind == "StatefulSet" {
        spec["serviceName"] = json!("");
    }
    json!({"apiVersion": "apps/v1", "kind": kind, "metadata": metadata, "spec": spec})
}

fn workload_kind(kind: &str) -> Option<WorkloadKind> {
    match kind {
        "Deployment" => Some(WorkloadKind::Deployment),
        "StatefulSet" => Some(WorkloadKind::StatefulSet),
        "ReplicaSet" => Some(WorkloadKind::ReplicaSet),
        _ => None,
    }
}

/// The equality terms of a Scale's `status.selector` (`app=web,tier=front`). Set-based
/// terms (`env in (a,b)`, `!canary`) name no single value and are left out.
fn selector_labels(selector: &str) -> BTreeMap<String, String> {
    selector
        .split(',')
        .filter_map(|term| {
            let (k, v) = term.split_once("==").or_else(|| term.split_once('='))?;
            let (k, v) = (k.trim(), v.trim());
            (!k.is_empty() && !k.ends_with('!') && !k.contains(' '))
                .then(|| (k.to_owned(), v.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_terms_only() {
        let labels = selector_labels("app=web,tier==front,env in (a,b),!canary,x!=y");
        assert_eq!(
            labels.into_iter().collect::<Vec<_>>(),
            [
                ("app".into(), "web".into()),
                ("tier".into(), "front".into())
            ]
        );
    }
}
