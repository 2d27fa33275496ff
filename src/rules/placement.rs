//! Where the scheduler may put a pod: what zone-spread and node-pinning share.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::NodeSelectorRequirement;

use crate::objects::PodTemplate;
use crate::pointer;

/// The one value a node label (or field) must have for every pod of the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// Where the restriction is written.
    pub path: String,
    pub value: String,
}

/// The single value that `spec.nodeSelector` or the required node affinity leaves for the
/// node labels `keys` (treated as one label: a current key and its deprecated name) or, for
/// `field`, the node field under matchFields (`metadata.name`). None when pods may land on
/// nodes with two or more values, or on any.
///
/// nodeSelector and the required affinity must both hold. The affinity's nodeSelectorTerms
/// are ORed, so it pins only when every term allows just one value, the same one; within a
/// term the requirements are ANDed, so one `In` with a single value pins the term. Preferred
/// terms only weigh nodes and never pin.
pub fn pinned(template: &PodTemplate<'_>, keys: &[&str], field: Option<&str>) -> Option<Pin> {
    let spec = template.spec_pointer();
    if let Some((key, value)) = template
        .spec
        .node_selector
        .iter()
        .flatten()
        .find(|(k, _)| keys.contains(&k.as_str()))
    {
        return Some(Pin {
            path: pointer::join(&format!("{spec}/nodeSelector"), &[key]),
            value: value.clone(),
        });
    }
    let terms = &template
        .spec
        .affinity
        .as_ref()?
        .node_affinity
        .as_ref()?
        .required_during_scheduling_ignored_during_execution
        .as_ref()?
        .node_selector_terms;
    let base = format!(
        "{spec}/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms"
    );
    let mut values = BTreeSet::new();
    let mut first_path = None;
    for (t, term) in terms.iter().enumerate() {
        let expressions = term
            .match_expressions
            .iter()
            .flatten()
            .enumerate()
            .filter(|(_, e)| keys.contains(&e.key.as_str()))
            .map(|(i, e)| (format!("{base}/{t}/matchExpressions/{i}"), e));
        let fields = term
            .match_fields
            .iter()
            .flatten()
            .enumerate()
            .filter(|(_, e)| Some(e.key.as_str()) == field)
            .map(|(i, e)| (format!("{base}/{t}/matchFields/{i}"), e));
        let (path, allowed) = allowed_values(expressions.chain(fields))?;
        first_path.get_or_insert(path);
        values.extend(allowed);
        if values.len() > 1 {
            return None;
        }
    }
    let value = values.into_iter().next()?;
    Some(Pin {
        path: first_path?,
        value,
    })
}

/// The values a term's `In` requirements leave (their intersection), with the first one's
/// pointer; None when no `In` bounds the term.
fn allowed_values<'a>(
    requirements: impl Iterator<Item = (String, &'a NodeSelectorRequirement)>,
) -> Option<(String, BTreeSet<String>)> {
    let mut out: Option<(String, BTreeSet<String>)> = None;
    for (path, req) in requirements {
        if req.operator != "In" {
            continue;
        }
        let listed: BTreeSet<String> = req.values.iter().flatten().cloned().collect();
        out = Some(match out {
            None => (format!("{path}/values"), listed),
            Some((first, before)) => (first, before.intersection(&listed).cloned().collect()),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{
        Affinity, NodeAffinity, NodeSelector, NodeSelectorTerm, PodSpec,
    };

    const HOST: &str = "kubernetes.io/hostname";

    fn req(key: &str, op: &str, values: &[&str]) -> NodeSelectorRequirement {
        NodeSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: Some(values.iter().map(|v| v.to_string()).collect()),
        }
    }

    fn spec(terms: Vec<Vec<NodeSelectorRequirement>>) -> PodSpec {
        PodSpec {
            affinity: Some(Affinity {
                node_affinity: Some(NodeAffinity {
                    required_during_scheduling_ignored_during_execution: Some(NodeSelector {
                        node_selector_terms: terms
                            .into_iter()
                            .map(|e| NodeSelectorTerm {
                                match_expressions: Some(e),
                                match_fields: None,
                            })
                            .collect(),
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn pin(spec: &PodSpec) -> Option<String> {
        let t = PodTemplate {
            meta: None,
            spec,
            pointer: "",
        };
        pinned(&t, &[HOST], None).map(|p| p.value)
    }

    #[test]
    fn one_value_in_every_term_pins() {
        assert_eq!(
            pin(&spec(vec![vec![req(HOST, "In", &["a"])]])),
            Some("a".into())
        );
        assert_eq!(
            pin(&spec(vec![
                vec![req(HOST, "In", &["a"])],
                vec![req(HOST, "In", &["a"])]
            ])),
            Some("a".into())
        );
        // Intersection inside a term.
        assert_eq!(
            pin(&spec(vec![vec![
                req(HOST, "In", &["a", "b"]),
                req(HOST, "In", &["b", "c"])
            ]])),
            Some("b".into())
        );
    }

    #[test]
    fn several_values_or_an_unbounded_term_do_not_pin() {
        assert_eq!(pin(&spec(vec![vec![req(HOST, "In", &["a", "b"])]])), None);
        assert_eq!(
            pin(&spec(vec![
                vec![req(HOST, "In", &["a"])],
                vec![req(HOST, "In", &["b"])]
            ])),
            None
        );
        assert_eq!(
            pin(&spec(vec![
                vec![req(HOST, "In", &["a"])],
                vec![req("disk", "In", &["ssd"])]
            ])),
            None
        );
        assert_eq!(pin(&spec(vec![vec![req(HOST, "NotIn", &["a"])]])), None);
    }
}
