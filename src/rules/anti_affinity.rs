use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PodAffinityTerm, TopologySpreadConstraint};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::objects::selector::{self, Labels};
use crate::objects::{Object, PodTemplate, WorkloadKind};

use super::{Context, Diagnostic};

const HOSTNAME: &str = "kubernetes.io/hostname";
/// The label every namespace carries with its own name.
const NAMESPACE_NAME: &str = "kubernetes.io/metadata.name";

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(replicas) = cx.replicated() else {
        return;
    };
    let Some(template) = cx.object.pod_template() else {
        return;
    };
    let labels = template.labels();
    let spec = template.spec_pointer();
    let namespace = cx.object.namespace();
    let revision = revision_label(cx.object);
    let id = &cx.object.id;

    let mut spreads = false;
    // Anti-affinity terms on hostname that select other pods: legitimate ("keep away from the
    // database") when something else spreads this workload, the mistake otherwise.
    let mut foreign_terms: Vec<(String, Miss)> = Vec::new();

    for (term, path) in anti_affinity_terms(&template) {
        if term.topology_key != HOSTNAME {
            continue;
        }
        match own_pods_miss(term, labels, namespace, revision) {
            None => spreads = true,
            Some(miss) => foreign_terms.push((path, miss)),
        }
    }

    let before = out.len();
    for (constraint, path) in spread_constraints(&template) {
        if constraint.topology_key != HOSTNAME {
            continue;
        }
        // matchLabelKeys only adds `key In (own value)`: it never excludes the pod's peers.
        match &constraint.label_selector {
            Some(sel) if selector::matches(sel, labels) => spreads = true,
            Some(_) => out.push(
                Diagnostic::new(
                    format!("{path}/labelSelector"),
                    format!(
                        "{id} spreads on {HOSTNAME} by a labelSelector that does not match its own pod labels: the constraint counts other pods and does not spread these replicas"
                    ),
                )
                .help("make the constraint's labelSelector match the pod template's labels"),
            ),
            None => out.push(
                Diagnostic::new(
                    path,
                    format!(
                        "{id} has a topologySpreadConstraint on {HOSTNAME} without a labelSelector: it counts no pods and spreads nothing"
                    ),
                )
                .help("give the constraint a labelSelector that matches the pod template's labels"),
            ),
        }
    }

    // A misdirected hostname constraint already says why the replicas are not spread.
    let misdirected = out.len() > before;
    if spreads || misdirected {
        return;
    }
    if !foreign_terms.is_empty() {
        for (path, miss) in foreign_terms {
            let (field, why, help) = match miss {
                Miss::NoSelector => (
                    "",
                    "without a labelSelector (it selects no pods)",
                    "give the term a labelSelector that matches the pod template's labels",
                ),
                Miss::Selector => (
                    "/labelSelector",
                    "whose labelSelector does not match the workload's own pod labels",
                    "make the term's labelSelector match the pod template's labels",
                ),
                Miss::MismatchKeys => (
                    "/mismatchLabelKeys",
                    "whose mismatchLabelKeys lists a label the workload's pods share, which excludes them",
                    "drop the shared label from mismatchLabelKeys",
                ),
                Miss::Namespaces(field) => (
                    field,
                    "limited to other namespaces",
                    "include the workload's own namespace in the term, or drop namespaces and namespaceSelector",
                ),
            };
            out.push(
                Diagnostic::new(
                    format!("{path}{field}"),
                    format!(
                        "{id} has pod anti-affinity on {HOSTNAME} {why}: it does not repel the workload's own {} replicas, which can still land on one node",
                        replicas.count
                    ),
                )
                .help(help),
            );
        }
        return;
    }
    out.push(
        Diagnostic::new(
            spec,
            format!(
                "{id} runs {} replicas with nothing spreading them across nodes: the scheduler may put them all on one node, and one node failure or drain takes them all down",
                replicas.count
            ),
        )
        .help(format!(
            "add a topologySpreadConstraint or a preferred podAntiAffinity term on {HOSTNAME} whose labelSelector matches the pod labels"
        )),
    );
}

/// Every pod anti-affinity term of the template, required and preferred, with its pointer.
pub(super) fn anti_affinity_terms<'a>(
    template: &PodTemplate<'a>,
) -> impl Iterator<Item = (&'a PodAffinityTerm, String)> + use<'a> {
    let anti = template
        .spec
        .affinity
        .as_ref()
        .and_then(|a| a.pod_anti_affinity.as_ref());
    let base = format!("{}/affinity/podAntiAffinity", template.spec_pointer());
    let required = anti
        .and_then(|a| a.required_during_scheduling_ignored_during_execution.as_ref())
        .into_iter()
        .flatten()
        .enumerate()
        .map({
            let base = base.clone();
            move |(i, t)| {
                (
                    t,
                    format!("{base}/requiredDuringSchedulingIgnoredDuringExecution/{i}"),
                )
            }
        });
    let preferred = anti
        .and_then(|a| a.preferred_during_scheduling_ignored_during_execution.as_ref())
        .into_iter()
        .flatten()
        .enumerate()
        .map(move |(i, w)| {
            (
                &w.pod_affinity_term,
                format!(
                    "{base}/preferredDuringSchedulingIgnoredDuringExecution/{i}/podAffinityTerm"
                ),
            )
        });
    required.chain(preferred)
}

/// Every topologySpreadConstraint of the template, with its pointer.
pub(super) fn spread_constraints<'a>(
    template: &PodTemplate<'a>,
) -> impl Iterator<Item = (&'a TopologySpreadConstraint, String)> + use<'a> {
    let spec = template.spec_pointer();
    template
        .spec
        .topology_spread_constraints
        .iter()
        .flatten()
        .enumerate()
        .map(move |(i, c)| (c, format!("{spec}/topologySpreadConstraints/{i}")))
}

/// The label a controller adds to every pod of one revision (absent from the template).
pub(super) fn revision_label(object: &Object) -> Option<&'static str> {
    match object.workload_kind()? {
        WorkloadKind::Deployment => Some("pod-template-hash"),
        WorkloadKind::Rollout => Some("rollouts-pod-template-hash"),
        WorkloadKind::StatefulSet | WorkloadKind::DaemonSet => Some("controller-revision-hash"),
        WorkloadKind::ReplicaSet | WorkloadKind::ReplicationController => None,
    }
}

/// Why an anti-affinity term does not repel the workload's other replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Miss {
    /// A missing labelSelector matches no pods.
    NoSelector,
    Selector,
    /// A mismatchLabelKeys key adds `key NotIn (own value)`, which every peer sharing the
    /// label fails.
    MismatchKeys,
    /// The term applies in other namespaces only; the field to fix.
    Namespaces(&'static str),
}

/// None when the term repels the workload's other replicas: its labelSelector matches the
/// pod labels, it applies in the pod's own namespace, and no mismatchLabelKeys key excludes
/// the pod's peers. (matchLabelKeys adds `key In (own value)`, which peers satisfy.)
pub(super) fn own_pods_miss(
    term: &PodAffinityTerm,
    labels: &Labels,
    namespace: &str,
    revision: Option<&str>,
) -> Option<Miss> {
    let Some(sel) = &term.label_selector else {
        return Some(Miss::NoSelector);
    };
    if !selector::matches(sel, labels) {
        return Some(Miss::Selector);
    }
    if term
        .mismatch_label_keys
        .iter()
        .flatten()
        .any(|k| labels.contains_key(k) || Some(k.as_str()) == revision)
    {
        return Some(Miss::MismatchKeys);
    }
    if !applies_in(term, namespace) {
        let field = if term.namespace_selector.is_some() {
            "/namespaceSelector"
        } else {
            "/namespaces"
        };
        return Some(Miss::Namespaces(field));
    }
    None
}

/// Whether the term's namespaces include the pod's own: no `namespaces` and no
/// `namespaceSelector` means the pod's namespace; otherwise the union of both.
fn applies_in(term: &PodAffinityTerm, namespace: &str) -> bool {
    let listed = term.namespaces.as_deref().unwrap_or_default();
    match &term.namespace_selector {
        None => listed.is_empty() || listed.iter().any(|n| n == namespace),
        Some(sel) => listed.iter().any(|n| n == namespace) || may_select(sel, namespace),
    }
}

/// Whether a namespaceSelector can select `namespace`. Offline only the name label is known:
/// a selector on other labels gets the benefit of the doubt.
fn may_select(sel: &LabelSelector, namespace: &str) -> bool {
    let keys_known = sel
        .match_labels
        .iter()
        .flatten()
        .all(|(k, _)| k == NAMESPACE_NAME)
        && sel
            .match_expressions
            .iter()
            .flatten()
            .all(|e| e.key == NAMESPACE_NAME);
    if !keys_known {
        return true;
    }
    let labels = BTreeMap::from([(NAMESPACE_NAME.to_string(), namespace.to_string())]);
    selector::matches(sel, &labels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    use crate::objects::selector::tests::labels;

    fn selecting(pairs: &[(&str, &str)]) -> LabelSelector {
        LabelSelector {
            match_labels: Some(labels(pairs)),
            match_expressions: None,
        }
    }

    fn term() -> PodAffinityTerm {
        PodAffinityTerm {
            topology_key: HOSTNAME.into(),
            label_selector: Some(selecting(&[("app", "web")])),
            ..Default::default()
        }
    }

    #[test]
    fn namespaces_default_to_the_pods_own() {
        let mut t = term();
        assert!(applies_in(&t, "shop"));
        t.namespaces = Some(vec![]);
        assert!(applies_in(&t, "shop"));
        t.namespaces = Some(vec!["staging".into()]);
        assert!(!applies_in(&t, "shop"));
        t.namespaces = Some(vec!["staging".into(), "shop".into()]);
        assert!(applies_in(&t, "shop"));
    }

    #[test]
    fn namespace_selectors_by_name_are_exact_and_others_get_the_benefit_of_the_doubt() {
        let mut t = term();
        t.namespace_selector = Some(LabelSelector::default());
        assert!(applies_in(&t, "shop"));
        t.namespace_selector = Some(selecting(&[(NAMESPACE_NAME, "staging")]));
        assert!(!applies_in(&t, "shop"));
        // The listed namespaces and the selector's add up.
        t.namespaces = Some(vec!["shop".into()]);
        assert!(applies_in(&t, "shop"));
        t.namespaces = None;
        t.namespace_selector = Some(LabelSelector {
            match_labels: None,
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: NAMESPACE_NAME.into(),
                operator: "NotIn".into(),
                values: Some(vec!["kube-system".into()]),
            }]),
        });
        assert!(applies_in(&t, "shop"));
        t.namespace_selector = Some(selecting(&[("team", "payments")]));
        assert!(applies_in(&t, "shop"));
    }

    #[test]
    fn mismatch_label_keys_exclude_peers_only_for_shared_labels() {
        let pod = labels(&[("app", "web")]);
        let mut t = term();
        assert_eq!(own_pods_miss(&t, &pod, "shop", Some("pod-template-hash")), None);
        t.mismatch_label_keys = Some(vec!["statefulset.kubernetes.io/pod-name".into()]);
        assert_eq!(own_pods_miss(&t, &pod, "shop", Some("controller-revision-hash")), None);
        t.mismatch_label_keys = Some(vec!["pod-template-hash".into()]);
        assert_eq!(
            own_pods_miss(&t, &pod, "shop", Some("pod-template-hash")),
            Some(Miss::MismatchKeys)
        );
        t.mismatch_label_keys = Some(vec!["app".into()]);
        assert_eq!(own_pods_miss(&t, &pod, "shop", None), Some(Miss::MismatchKeys));
        t.label_selector = None;
        assert_eq!(own_pods_miss(&t, &pod, "shop", None), Some(Miss::NoSelector));
    }
}
