//! Label selectors, matched the way the API server matches them.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

pub type Labels = BTreeMap<String, String>;

/// Labels as the catalog keeps them, for every object of a cluster: sorted pairs in one
/// allocation. A `BTreeMap` leaf has room for 11 pairs whatever it holds (~540 bytes for
/// two labels); this takes what the pairs take.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSet(Box<[(Box<str>, Box<str>)]>);

impl LabelSet {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| (**k).cmp(key))
            .ok()
            .map(|i| &*self.0[i].1)
    }

    /// The pairs, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (&**k, &**v))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn to_map(&self) -> Labels {
        self.iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }
}

impl From<&Labels> for LabelSet {
    fn from(labels: &Labels) -> Self {
        // A map iterates in key order: the slice is sorted as `get` needs.
        LabelSet(
            labels
                .iter()
                .map(|(k, v)| (k.as_str().into(), v.as_str().into()))
                .collect(),
        )
    }
}

/// Labels to match a selector against: an object's own map, or a catalog entry's set.
pub trait LabelSource {
    fn label(&self, key: &str) -> Option<&str>;
    fn pairs(&self) -> impl Iterator<Item = (&str, &str)>;
}

impl LabelSource for Labels {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
    fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl LabelSource for LabelSet {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key)
    }
    fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.iter()
    }
}

/// Whether `selector` selects an object carrying `labels`. An empty selector selects
/// everything; an operator the API server would reject selects nothing.
pub fn matches(selector: &LabelSelector, labels: &impl LabelSource) -> bool {
    let by_labels = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.label(k) == Some(v.as_str()));
    by_labels
        && selector.match_expressions.iter().flatten().all(|expr| {
            let listed = |v: &str| expr.values.iter().flatten().any(|x| x == v);
            holds(labels.label(&expr.key), &expr.operator, listed)
        })
}

/// Whether a `matchExpressions` requirement holds for a label's value (None: the label is
/// absent).
fn holds(value: Option<&str>, operator: &str, listed: impl Fn(&str) -> bool) -> bool {
    match operator {
        "In" => value.is_some_and(listed),
        "NotIn" => !value.is_some_and(listed),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        _ => false,
    }
}

/// Whether a Service-style equality selector (`spec.selector`) selects `labels`.
pub fn map_matches(selector: &impl LabelSource, labels: &impl LabelSource) -> bool {
    selector.pairs().all(|(k, v)| labels.label(k) == Some(v))
}

/// A label selector as the rules and the catalog use it: an object's own
/// `LabelSelector`, or the [`Selector`] a catalog entry keeps of one.
pub trait Selects {
    /// Whether it selects an object carrying `labels`.
    fn selects(&self, labels: &impl LabelSource) -> bool;
    /// A label pair every object it selects must carry: what an index can look up.
    fn required_pair(&self) -> Option<(&str, &str)>;
}

impl Selects for LabelSelector {
    fn selects(&self, labels: &impl LabelSource) -> bool {
        matches(self, labels)
    }
    fn required_pair(&self) -> Option<(&str, &str)> {
        let (k, v) = self.match_labels.as_ref()?.iter().next()?;
        Some((k, v))
    }
}

/// A `LabelSelector` as a catalog keeps it, for each of thousands of PDBs: the pairs in
/// one [`LabelSet`], the expressions in one slice. `matchLabels` in a `BTreeMap` took
/// ~540 bytes whatever it held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    labels: LabelSet,
    expressions: Box<[Requirement]>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Requirement {
    key: Box<str>,
    operator: Box<str>,
    values: Box<[Box<str>]>,
}

impl From<&LabelSelector> for Selector {
    fn from(selector: &LabelSelector) -> Self {
        Selector {
            labels: selector
                .match_labels
                .as_ref()
                .map(LabelSet::from)
                .unwrap_or_default(),
            expressions: selector
                .match_expressions
                .iter()
                .flatten()
                .map(|e| Requirement {
                    key: e.key.as_str().into(),
                    operator: e.operator.as_str().into(),
                    values: e
                        .values
                        .iter()
                        .flatten()
                        .map(|v| v.as_str().into())
                        .collect(),
                })
                .collect(),
        }
    }
}

impl Selects for Selector {
    fn selects(&self, labels: &impl LabelSource) -> bool {
        map_matches(&self.labels, labels)
            && self.expressions.iter().all(|e| {
                let listed = |v: &str| e.values.iter().any(|x| **x == *v);
                holds(labels.label(&e.key), &e.operator, listed)
            })
    }
    fn required_pair(&self) -> Option<(&str, &str)> {
        self.labels.iter().next()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    pub(crate) fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn expr(key: &str, op: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: Some(values.iter().map(|v| v.to_string()).collect()),
        }
    }

    #[test]
    fn match_labels_and_expressions() {
        let pod = labels(&[("app", "web"), ("tier", "front")]);
        let sel = |ml: &[(&str, &str)], ex: Vec<LabelSelectorRequirement>| LabelSelector {
            match_labels: Some(labels(ml)),
            match_expressions: Some(ex),
        };
        assert!(matches(&LabelSelector::default(), &pod));
        assert!(matches(&sel(&[("app", "web")], vec![]), &pod));
        assert!(!matches(&sel(&[("app", "db")], vec![]), &pod));
        assert!(matches(
            &sel(&[], vec![expr("tier", "In", &["front", "x"])]),
            &pod
        ));
        assert!(!matches(
            &sel(&[], vec![expr("tier", "NotIn", &["front"])]),
            &pod
        ));
        assert!(matches(
            &sel(&[], vec![expr("zone", "NotIn", &["a"])]),
            &pod
        ));
        assert!(matches(&sel(&[], vec![expr("app", "Exists", &[])]), &pod));
        assert!(!matches(
            &sel(&[], vec![expr("app", "DoesNotExist", &[])]),
            &pod
        ));
        assert!(!matches(&sel(&[], vec![expr("app", "Bogus", &[])]), &pod));
    }

    /// The catalog's compact selector answers as the `LabelSelector` it was made from.
    #[test]
    fn a_compact_selector_answers_as_its_label_selector() {
        let pods = [
            labels(&[("app", "web"), ("tier", "front")]),
            labels(&[("app", "web")]),
            labels(&[("app", "db"), ("zone", "a")]),
            labels(&[]),
        ];
        let selectors = [
            LabelSelector::default(),
            LabelSelector {
                match_labels: Some(labels(&[("app", "web")])),
                match_expressions: None,
            },
            LabelSelector {
                match_labels: Some(labels(&[("tier", "front"), ("app", "web")])),
                match_expressions: Some(vec![expr("zone", "DoesNotExist", &[])]),
            },
            LabelSelector {
                match_labels: None,
                match_expressions: Some(vec![
                    expr("app", "In", &["web", "db"]),
                    expr("zone", "NotIn", &["b"]),
                ]),
            },
            LabelSelector {
                match_labels: None,
                match_expressions: Some(vec![expr("app", "Exists", &[]), expr("x", "Bogus", &[])]),
            },
        ];
        for selector in &selectors {
            let compact = Selector::from(selector);
            assert_eq!(compact.required_pair(), selector.required_pair());
            for pod in &pods {
                assert_eq!(
                    compact.selects(pod),
                    selector.selects(pod),
                    "{selector:?} on {pod:?}"
                );
            }
        }
    }
}
