//! Label selectors, matched the way the API server matches them.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

pub type Labels = BTreeMap<String, String>;

/// Whether `selector` selects an object carrying `labels`. An empty selector selects
/// everything; an operator the API server would reject selects nothing.
pub fn matches(selector: &LabelSelector, labels: &Labels) -> bool {
    let by_labels = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    by_labels
        && selector.match_expressions.iter().flatten().all(|expr| {
            let value = labels.get(&expr.key);
            let listed = |v: &String| expr.values.iter().flatten().any(|x| x == v);
            match expr.operator.as_str() {
                "In" => value.is_some_and(listed),
                "NotIn" => !value.is_some_and(listed),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => false,
            }
        })
}

/// Whether a Service-style equality selector (`spec.selector`) selects `labels`.
pub fn map_matches(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// A label pair every object the selector matches must carry: what an index can look up.
pub fn required_pair(selector: &LabelSelector) -> Option<(&String, &String)> {
    selector.match_labels.as_ref().and_then(|m| m.iter().next())
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
}
