use crate::objects::selector;

use super::anti_affinity::{anti_affinity_terms, own_pods_miss, revision_label, spread_constraints};
use super::placement;
use super::{budget, Context, Diagnostic};

/// The zone label the kubelet and cloud providers set on nodes.
const ZONE: &str = "topology.kubernetes.io/zone";
/// Its name before Kubernetes 1.17, deprecated but still set by some providers.
const LEGACY_ZONE: &str = "failure-domain.beta.kubernetes.io/zone";
const ZONE_KEYS: &[&str] = &[ZONE, LEGACY_ZONE];

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // A ReplicaSet a Deployment owns is spread (or not) by its owner's template.
    if budget::is_controlled(cx.object) {
        return;
    }
    let Some(replicas) = cx.replicated() else {
        return;
    };
    let Some(template) = cx.object.pod_template() else {
        return;
    };
    let id = &cx.object.id;
    let n = replicas.count;
    if let Some(pin) = placement::pinned(&template, ZONE_KEYS, None) {
        out.push(
            Diagnostic::new(
                pin.path,
                format!(
                    "{id} requires zone {} for all {n} replicas: one zone outage takes them all down",
                    pin.value
                ),
            )
            .help("allow two or more zones, and spread the pods over them with a topologySpreadConstraint on topology.kubernetes.io/zone"),
        );
        return;
    }
    let labels = template.labels();
    let spec = template.spec_pointer();
    let mut misdirected: Option<String> = None;

    for (c, path) in spread_constraints(&template) {
        if !ZONE_KEYS.contains(&c.topology_key.as_str()) {
            continue;
        }
        match &c.label_selector {
            Some(sel) if selector::matches(sel, labels) => return,
            Some(_) => misdirected.get_or_insert(format!("{path}/labelSelector")),
            None => misdirected.get_or_insert(path),
        };
    }

    let revision = revision_label(cx.object);
    for (term, path) in anti_affinity_terms(&template) {
        if !ZONE_KEYS.contains(&term.topology_key.as_str()) {
            continue;
        }
        if own_pods_miss(term, labels, cx.object.namespace(), revision).is_none() {
            return;
        }
        misdirected.get_or_insert(path);
    }

    out.push(match misdirected {
        Some(path) => Diagnostic::new(
            path,
            format!(
                "{id} spreads on zones by a term that does not count its own pods: its {n} replicas may still share one zone"
            ),
        )
        .help("make the term's labelSelector match the pod template's labels"),
        None => Diagnostic::new(
            spec,
            format!(
                "{id} runs {n} replicas with nothing spreading them across zones: the scheduler may put them all in one zone, and one zone outage takes them all down"
            ),
        )
        .help("add a topologySpreadConstraint on topology.kubernetes.io/zone (maxSkew 1, whenUnsatisfiable ScheduleAnyway) whose labelSelector matches the pod labels"),
    });
}
