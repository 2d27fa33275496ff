//! A Service whose selector matches no pods: it has no endpoints.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::objects::Kind;

use super::{Context, Diagnostic};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Kind::Service(service) = &cx.object.kind else {
        return;
    };
    let Some(spec) = &service.spec else {
        return;
    };
    // ExternalName Services resolve to a DNS name; their selector is ignored.
    if spec.type_.as_deref() == Some("ExternalName") {
        return;
    }
    // No selector: the endpoints are managed by hand or by another controller.
    let Some(selector) = spec.selector.as_ref().filter(|s| !s.is_empty()) else {
        return;
    };
    let namespace = cx.object.namespace();
    // The workloads may ship apart from the Service: only judge a namespace the set covers.
    if !cx.index.has_workloads(namespace) {
        return;
    }
    let as_selector = LabelSelector {
        match_labels: Some(selector.clone()),
        match_expressions: None,
    };
    if !cx
        .index
        .workloads_matching(namespace, &as_selector)
        .is_empty()
    {
        return;
    }
    let wanted: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
    out.push(
        Diagnostic::new(
            "/spec/selector",
            format!(
                "{} selects pods labelled {}, and no workload of namespace {namespace} runs such pods: the Service has no endpoints and every connection to it fails",
                cx.object.id,
                wanted.join(",")
            ),
        )
        .help("make spec.selector a subset of the pod template labels of the workload it fronts"),
    );
}
