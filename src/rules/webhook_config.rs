//! Admission webhooks that can take the cluster's write path down with them.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::engine::Severity;
use crate::objects::selector;
use crate::objects::webhook::{Webhook, DEFAULT_TIMEOUT_SECONDS};

use super::budget::{relate, workload_name};
use super::{Context, Diagnostic};

/// Above this a hung backend stalls every matching write for longer than clients and
/// controllers tolerate well; the API server's default is 10 s.
const MAX_TIMEOUT_SECONDS: i32 = 5;

/// The label the API server puts on every Namespace (Kubernetes 1.21 and later).
const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for hook in cx.object.webhooks() {
        backend(cx, &hook, out);
        timeout(cx, &hook, out);
        namespaces(cx, &hook, out);
    }
}

/// A fail-closed webhook whose backing workload is one pod away from refusing every write.
fn backend(cx: &Context<'_>, hook: &Webhook<'_>, out: &mut Vec<Diagnostic>) {
    if !hook.fails_closed() {
        return;
    }
    // A `url` backend lives outside the cluster: nothing to look up.
    let Some(service_ref) = hook.service else {
        return;
    };
    let namespace = service_ref.namespace.as_str();
    let Some(service) = cx.index.service(namespace, &service_ref.name) else {
        return;
    };
    let Some(labels) = service.info.selector.as_ref().filter(|s| !s.is_empty()) else {
        return;
    };
    let as_selector = LabelSelector {
        match_labels: Some(labels.to_map()),
        match_expressions: None,
    };
    let mut workloads = cx.index.workloads_matching(namespace, &as_selector);
    workloads.sort_by(|a, b| (a.info.kind, &a.info.name).cmp(&(b.info.kind, &b.info.name)));
    let path = match hook.failure_policy {
        Some(_) => format!("{}/failurePolicy", hook.pointer()),
        None => hook.pointer(),
    };
    let policy = match hook.failure_policy {
        Some(_) => "failurePolicy Fail",
        None => "no failurePolicy (it defaults to Fail)",
    };
    let id = &cx.object.id;
    let hook_name = hook.name;
    for w in workloads.iter().filter(|w| w.info.kind.is_replicated()) {
        let replicas = cx.index.effective_replicas(
            namespace,
            w.info.kind,
            &w.info.name,
            w.info.replicas,
        );
        let name = workload_name(w.info);
        let d = if replicas.count < 2 {
            Diagnostic::new(
                path.clone(),
                format!(
                    "{id}: webhook {hook_name} has {policy}, and its backend {name} in {namespace} runs {} replica(s): while that pod restarts or is evicted, the API server rejects every write the webhook matches",
                    replicas.count
                ),
            )
            .help(format!("run {name} with 2 or more replicas behind a PodDisruptionBudget, or set failurePolicy: Ignore"))
        } else if cx.index.pdbs_covering(namespace, &w.info.labels).is_empty() {
            Diagnostic::new(
                path.clone(),
                format!(
                    "{id}: webhook {hook_name} has {policy}, and no PodDisruptionBudget covers its backend {name} in {namespace}: a node drain may evict every replica at once, and the API server then rejects every write the webhook matches"
                ),
            )
            .help(format!("add a PodDisruptionBudget with maxUnavailable: 1 for {name}, or set failurePolicy: Ignore"))
        } else {
            continue;
        };
        out.push(relate(d, w, "", "the webhook's backend"));
    }
}

fn timeout(cx: &Context<'_>, hook: &Webhook<'_>, out: &mut Vec<Diagnostic>) {
    let seconds = hook.timeout();
    if seconds <= MAX_TIMEOUT_SECONDS {
        return;
    }
    let (path, written) = match hook.timeout_seconds {
        Some(n) => (format!("{}/timeoutSeconds", hook.pointer()), format!("timeoutSeconds {n}")),
        None => (
            hook.pointer(),
            format!("no timeoutSeconds (it defaults to {DEFAULT_TIMEOUT_SECONDS})"),
        ),
    };
    out.push(
        Diagnostic::new(
            path,
            format!(
                "{}: webhook {} has {written}: when its backend hangs, every write it matches waits {seconds} s, and controllers and clients time out and retry behind it",
                cx.object.id, hook.name
            ),
        )
        .help(format!("set timeoutSeconds to {MAX_TIMEOUT_SECONDS} or less (a webhook should answer in milliseconds)"))
        .severity(Severity::Warning),
    );
}

/// kube-system, and the webhook's own namespace, should not depend on the webhook.
fn namespaces(cx: &Context<'_>, hook: &Webhook<'_>, out: &mut Vec<Diagnostic>) {
    // namespaceSelector does not apply to cluster-scoped resources.
    let namespaced = hook.rules.is_empty()
        || hook
            .rules
            .iter()
            .any(|r| r.scope.as_deref().unwrap_or("*") != "Cluster");
    if !namespaced {
        return;
    }
    let path = match hook.namespace_selector {
        Some(_) => format!("{}/namespaceSelector", hook.pointer()),
        None => hook.pointer(),
    };
    let consequence = if hook.fails_closed() {
        "while the webhook is down, nothing there can be created or changed"
    } else {
        "while the webhook hangs, every write there waits for its timeout"
    };
    let id = &cx.object.id;
    if intercepts(hook, "kube-system") {
        out.push(
            Diagnostic::new(
                path.clone(),
                format!(
                    "{id}: webhook {} intercepts kube-system: the cluster's own components (DNS, CNI, kube-proxy) then depend on it, and {consequence}",
                    hook.name
                ),
            )
            .help(format!(
                "exclude kube-system with a namespaceSelector: matchExpressions [{{key: {NAMESPACE_NAME_LABEL}, operator: NotIn, values: [kube-system]}}]"
            ))
            .severity(Severity::Warning),
        );
    }
    let Some(own) = hook.service.map(|s| s.namespace.as_str()) else {
        return;
    };
    if own != "kube-system" && intercepts(hook, own) {
        out.push(
            Diagnostic::new(
                path,
                format!(
                    "{id}: webhook {} intercepts {own}, the namespace its own backend runs in: {consequence}, including the webhook's own replacement pods and fixes to them",
                    hook.name
                ),
            )
            .help(format!(
                "exclude {own} with a namespaceSelector on {NAMESPACE_NAME_LABEL} (NotIn [kube-system, {own}])"
            ))
            .severity(Severity::Warning),
        );
    }
}

/// Whether requests in `namespace` reach the webhook. The API server labels every Namespace
/// with its name, so the selector is evaluated against that label; matchConditions are CEL,
/// which halint does not evaluate: one that names the namespace counts as excluding it.
fn intercepts(hook: &Webhook<'_>, namespace: &str) -> bool {
    let labels = BTreeMap::from([(NAMESPACE_NAME_LABEL.to_string(), namespace.to_string())]);
    let selected = hook
        .namespace_selector
        .is_none_or(|s| selector::matches(s, &labels));
    selected
        && !hook
            .match_conditions
            .iter()
            .any(|c| c.expression.contains(namespace))
}
