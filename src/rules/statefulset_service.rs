//! A StatefulSet whose governing Service does not give its pods their DNS names.

use crate::objects::selector;
use crate::objects::Kind;

use super::budget::relate;
use super::{Context, Diagnostic};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Kind::StatefulSet(set) = &cx.object.kind else {
        return;
    };
    // Without one the pods get no per-pod DNS names: a choice (a singleton, a set whose
    // members never talk to each other), not a mistake.
    let Some(name) = set.spec.service_name.as_deref().filter(|n| !n.is_empty()) else {
        return;
    };
    let id = &cx.object.id;
    let member = format!("{}-0", cx.object.name());
    let namespace = cx.object.namespace();
    let Some(service) = cx.index.service(namespace, name) else {
        // The Service may ship apart: only judge a namespace whose Services the set holds.
        if cx.index.has_services(namespace) {
            out.push(
                Diagnostic::new(
                    "/spec/serviceName",
                    format!(
                        "{id} names Service {name} as its governing Service, and namespace {namespace} has no Service of that name: its pods get no stable DNS names ({member}.{name}), so peers cannot find each other"
                    ),
                )
                .help(format!("add a headless Service {name} (clusterIP: None) that selects the StatefulSet's pods")),
            );
        }
        return;
    };
    if !service.info.headless {
        let d = Diagnostic::new(
            "/spec/serviceName",
            format!(
                "{id} names Service {name}, which is not headless: DNS gives one virtual IP for it and no record per pod, so {member}.{name} does not resolve and members cannot address each other"
            ),
        )
        .help(format!("set clusterIP: None on Service {name} (a second, ordinary Service can carry client traffic)"));
        out.push(relate(d, &service, "/spec", "needs clusterIP: None"));
        return;
    }
    let selects_pods = service
        .info
        .selector
        .as_ref()
        .is_some_and(|s| !s.is_empty() && selector::map_matches(s, cx.object.pod_labels()));
    if !selects_pods {
        let d = Diagnostic::new(
            "/spec/serviceName",
            format!(
                "{id} names headless Service {name}, whose selector does not select the StatefulSet's pods: DNS has no record for them"
            ),
        )
        .help(format!("make the selector of Service {name} match the StatefulSet's pod template labels"));
        out.push(relate(d, &service, "/spec/selector", "does not select the pods"));
    }
}
