use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::containers::running_containers;
use super::{Context, Diagnostic};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(template) = cx.object.pod_template() else {
        return;
    };
    for c in running_containers(&template) {
        let resources = c.container.resources.as_ref();
        let requests = resources.and_then(|r| r.requests.as_ref());
        let limits = resources.and_then(|r| r.limits.as_ref());
        let missing: Vec<&str> = ["cpu", "memory"]
            .into_iter()
            .filter(|r| !requested(requests, limits, r))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let (what, consequence) = match missing.as_slice() {
            [_, _] => (
                "neither cpu nor memory",
                "the scheduler places it as if it needed nothing, and under memory pressure the kubelet evicts its pod among the first",
            ),
            ["memory"] => (
                "no memory",
                "it always uses more than it requested, so under memory pressure the kubelet evicts its pod among the first",
            ),
            _ => (
                "no cpu",
                "the scheduler places it as if it needed none, and on a busy node it gets the smallest CPU share",
            ),
        };
        let fields: Vec<String> = missing
            .iter()
            .map(|r| format!("resources.requests.{r}"))
            .collect();
        out.push(
            Diagnostic::new(
                format!("{}/resources/requests", c.pointer()),
                format!(
                    "{} requests {what} in {}: {consequence}",
                    cx.object.id,
                    c.describe()
                ),
            )
            .help(format!(
                "set {} in {} to what it uses under normal load",
                fields.join(" and "),
                c.describe()
            )),
        );
    }
}

/// Whether a resource is requested: a non-zero request, or a limit without a request (the
/// API server copies a container's limits into missing requests when it creates the pod).
fn requested(
    requests: Option<&BTreeMap<String, Quantity>>,
    limits: Option<&BTreeMap<String, Quantity>>,
    resource: &str,
) -> bool {
    match requests.and_then(|r| r.get(resource)) {
        Some(q) => !is_zero(q),
        None => limits
            .and_then(|l| l.get(resource))
            .is_some_and(|q| !is_zero(q)),
    }
}

/// Whether a quantity is zero (`0`, `0m`, `0.0Gi`): the QoS classes count only amounts above
/// zero. A value that does not parse is given the benefit of the doubt.
fn is_zero(q: &Quantity) -> bool {
    let number: String =
        q.0.trim()
            .chars()
            .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | '+' | '-'))
            .collect();
    number.parse::<f64>().is_ok_and(|n| n == 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, Quantity> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Quantity(v.to_string())))
            .collect()
    }

    #[test]
    fn limits_stand_in_for_missing_requests() {
        let limits = map(&[("cpu", "1"), ("memory", "1Gi")]);
        assert!(requested(None, Some(&limits), "memory"));
        // An explicit request wins over the limit, even a zero one.
        let zero = map(&[("memory", "0")]);
        assert!(!requested(Some(&zero), Some(&limits), "memory"));
        assert!(!requested(Some(&map(&[("cpu", "100m")])), None, "memory"));
    }

    #[test]
    fn zero_quantities_are_zero_in_any_unit() {
        for q in ["0", "0m", "0.0Gi", "+0"] {
            assert!(is_zero(&Quantity(q.into())), "{q}");
        }
        for q in ["1", "100m", "0.5", "1e3", "128Mi"] {
            assert!(!is_zero(&Quantity(q.into())), "{q}");
        }
    }
}
