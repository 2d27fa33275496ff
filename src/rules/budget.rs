//! What the disruption-budget and rollout rules share: how the controllers resolve
//! maxUnavailable and maxSurge, the workloads a PodDisruptionBudget covers, and how a finding
//! labels the other objects it involves.

use k8s_openapi::api::apps::v1::{DaemonSet, RollingUpdateDaemonSet};
use k8s_openapi::api::policy::v1::PodDisruptionBudgetSpec;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::objects::catalog::{Hit, Source, WorkloadInfo};
use crate::objects::intstr::{Amount, Rounding};
use crate::objects::selector::Selects;
use crate::objects::{Kind, Object};

use super::{Context, Diagnostic};

/// The Deployment default for an absent maxSurge or maxUnavailable.
const DEPLOYMENT_DEFAULT: Amount = Amount::Percent(25);

/// A Deployment's (maxSurge, maxUnavailable) for `replicas`, as the Deployment controller
/// resolves them: absent fields default to 25%, maxSurge rounds up, maxUnavailable rounds
/// down, and when both come out 0 (rounding a small percentage down) maxUnavailable becomes
/// 1 so that the rollout can progress. None when a value is not a count or `N%`.
pub fn deployment_fenceposts(
    max_surge: Option<&IntOrString>,
    max_unavailable: Option<&IntOrString>,
    replicas: i32,
) -> Option<(i32, i32)> {
    let surge = amount_or(max_surge, DEPLOYMENT_DEFAULT)?.resolve(replicas, Rounding::Up);
    let unavailable =
        amount_or(max_unavailable, DEPLOYMENT_DEFAULT)?.resolve(replicas, Rounding::Down);
    if surge == 0 && unavailable == 0 {
        return Some((0, 1));
    }
    Some((surge, unavailable))
}

/// The Argo Rollouts default for an absent canary maxSurge or maxUnavailable: the string
/// "25", which the controller reads as 25%.
const ROLLOUT_DEFAULT: Amount = Amount::Percent(25);

/// A canary Rollout's (maxSurge, maxUnavailable) for `replicas`, as the Argo Rollouts
/// controller resolves them: the Deployment controller's fenceposts (surge up, unavailable
/// down, both 0 making unavailable 1), except that a string is a percentage with or without
/// `%`. None when a value is not a number.
pub fn rollout_fenceposts(
    max_surge: Option<&IntOrString>,
    max_unavailable: Option<&IntOrString>,
    replicas: i32,
) -> Option<(i32, i32)> {
    let argo = |v: Option<&IntOrString>| match v {
        Some(v) => Amount::parse_as_argo(v),
        None => Some(ROLLOUT_DEFAULT),
    };
    let surge = argo(max_surge)?.resolve(replicas, Rounding::Up);
    let unavailable = argo(max_unavailable)?.resolve(replicas, Rounding::Down);
    if surge == 0 && unavailable == 0 {
        return Some((0, 1));
    }
    Some((surge, unavailable))
}

/// How many pods a blue-green Rollout's restart (spec.restartAt) may take down at once: its
/// maxUnavailable (default 25%, a string being a percentage) rounded down, and at least 1.
pub fn rollout_restart_unavailable(
    max_unavailable: Option<&IntOrString>,
    replicas: i32,
) -> Option<i32> {
    let amount = match max_unavailable {
        Some(v) => Amount::parse_as_argo(v)?,
        None => ROLLOUT_DEFAULT,
    };
    Some(amount.resolve(replicas, Rounding::Down).max(1))
}

/// A StatefulSet's maxUnavailable for `replicas`, as the StatefulSet controller resolves it:
/// absent means 1, a percentage rounds down, and the result is at least 1.
pub fn statefulset_max_unavailable(
    max_unavailable: Option<&IntOrString>,
    replicas: i32,
) -> Option<i32> {
    let n = amount_or(max_unavailable, Amount::Count(1))?.resolve(replicas, Rounding::Down);
    Some(n.max(1))
}

/// The written amount, or `default` when the field is absent; None when unparseable.
pub fn amount_or(value: Option<&IntOrString>, default: Amount) -> Option<Amount> {
    match value {
        Some(v) => Amount::parse(v),
        None => Some(default),
    }
}

/// Whether an amount is 100% or more: all of an unknown total.
pub fn is_everything(amount: Amount) -> bool {
    matches!(amount, Amount::Percent(p) if p >= 100)
}

/// `intstr` as written in a manifest, for messages: `3` or `"50%"`.
pub fn show(value: &IntOrString) -> String {
    match value {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(s) => format!("\"{s}\""),
    }
}

/// The spec of the PodDisruptionBudget under lint, if the object is one.
pub fn pdb_spec(object: &Object) -> Option<&PodDisruptionBudgetSpec> {
    match &object.kind {
        Kind::PodDisruptionBudget(pdb) => pdb.spec.as_ref(),
        _ => None,
    }
}

/// The workloads a PodDisruptionBudget's selector covers, in a stable order (kind, name).
/// A missing selector covers nothing; an empty one the whole namespace.
pub fn covered_workloads<'a>(
    cx: &'a Context<'_>,
    spec: &PodDisruptionBudgetSpec,
) -> Vec<Hit<'a, WorkloadInfo>> {
    selected_workloads(cx, spec.selector.as_ref())
}

/// The workloads of the object's namespace a PDB selector covers, in a stable order (kind,
/// name). A missing selector covers nothing; an empty one the whole namespace.
pub fn selected_workloads<'a>(
    cx: &'a Context<'_>,
    selector: Option<&impl Selects>,
) -> Vec<Hit<'a, WorkloadInfo>> {
    let Some(selector) = selector else {
        return Vec::new();
    };
    let mut hits = cx.index.workloads_matching(cx.object.namespace(), selector);
    hits.sort_by(|a, b| (a.info.kind, &a.info.name).cmp(&(b.info.kind, &b.info.name)));
    hits
}

/// `Deployment web`: a workload named in a message about another object of its namespace.
pub fn workload_name(w: &WorkloadInfo) -> String {
    format!("{} {}", w.kind.as_str(), w.name)
}

/// Labels `hit` on the diagnostic when it is in the linted set.
pub fn relate<T>(
    d: Diagnostic,
    hit: &Hit<'_, T>,
    path: &str,
    label: impl Into<String>,
) -> Diagnostic {
    match hit.source {
        Source::Set(i) => d.related(i, path, label),
        Source::Context | Source::Cluster => d,
    }
}

/// Whether the object is managed by a controller (a ReplicaSet a Deployment owns): findings
/// about replicas and budgets belong to the owner.
pub fn is_controlled(object: &Object) -> bool {
    object
        .metadata()
        .owner_references
        .iter()
        .flatten()
        .any(|r| r.controller == Some(true))
}

pub const DAEMONSET_RU: &str = "/spec/updateStrategy/rollingUpdate";

/// The rolling update of a DaemonSet, unless it updates OnDelete.
fn daemonset_rolling(d: &DaemonSet) -> Option<&RollingUpdateDaemonSet> {
    let strategy = d.spec.update_strategy.as_ref()?;
    if strategy.type_.as_deref() == Some("OnDelete") {
        return None;
    }
    strategy.rolling_update.as_ref()
}

/// A DaemonSet rolling update with maxUnavailable 100% (or more), with its pointer: the node
/// count is unknown offline, so only that is certain to replace every pod at once.
pub fn daemonset_takes_all(d: &DaemonSet) -> Option<(String, &IntOrString)> {
    let value = daemonset_rolling(d)?.max_unavailable.as_ref()?;
    Amount::parse(value)
        .is_some_and(is_everything)
        .then(|| (format!("{DAEMONSET_RU}/maxUnavailable"), value))
}

/// A DaemonSet's maxSurge when it surges (default 0): a percentage rounds up to at least 1,
/// so any value but 0 and 0% starts a second pod on a node before the old one stops.
pub fn daemonset_surge(d: &DaemonSet) -> Option<(String, &IntOrString)> {
    let value = daemonset_rolling(d)?.max_surge.as_ref()?;
    Amount::parse(value)
        .is_some_and(|a| !a.is_zero())
        .then(|| (format!("{DAEMONSET_RU}/maxSurge"), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> IntOrString {
        IntOrString::String(v.into())
    }

    #[test]
    fn deployment_fenceposts_follow_the_controller() {
        // Defaults 25%/25%: surge rounds up, unavailable down.
        assert_eq!(deployment_fenceposts(None, None, 3), Some((1, 0)));
        assert_eq!(deployment_fenceposts(None, None, 4), Some((1, 1)));
        assert_eq!(deployment_fenceposts(None, None, 1), Some((1, 0)));
        // maxSurge 0 and a percentage that rounds down to 0: the controller uses 1.
        assert_eq!(
            deployment_fenceposts(Some(&IntOrString::Int(0)), None, 3),
            Some((0, 1))
        );
        assert_eq!(
            deployment_fenceposts(Some(&IntOrString::Int(0)), None, 1),
            Some((0, 1))
        );
        assert_eq!(
            deployment_fenceposts(None, Some(&s("100%")), 2),
            Some((1, 2))
        );
        assert_eq!(
            deployment_fenceposts(None, Some(&s("75%")), 2),
            Some((1, 1))
        );
        assert_eq!(deployment_fenceposts(None, Some(&s("lots")), 2), None);
    }

    #[test]
    fn rollout_fenceposts_follow_argo() {
        // Defaults "25" (read as 25%): as a Deployment's.
        assert_eq!(rollout_fenceposts(None, None, 3), Some((1, 0)));
        assert_eq!(rollout_fenceposts(None, None, 4), Some((1, 1)));
        // A string without % is a percentage: "3" of 4 replicas is 3%, resolved to 0.
        assert_eq!(rollout_fenceposts(None, Some(&s("3")), 4), Some((1, 0)));
        assert_eq!(
            rollout_fenceposts(None, Some(&IntOrString::Int(3)), 4),
            Some((1, 3))
        );
        // Both 0 after rounding: unavailable 1.
        assert_eq!(
            rollout_fenceposts(Some(&IntOrString::Int(0)), None, 2),
            Some((0, 1))
        );
        assert_eq!(rollout_fenceposts(None, Some(&s("100%")), 5), Some((2, 5)));
        assert_eq!(rollout_fenceposts(Some(&s("x")), None, 2), None);
    }

    #[test]
    fn rollout_restarts_take_at_least_one() {
        assert_eq!(rollout_restart_unavailable(None, 2), Some(1));
        assert_eq!(rollout_restart_unavailable(None, 8), Some(2));
        assert_eq!(rollout_restart_unavailable(Some(&s("100")), 3), Some(3));
        assert_eq!(
            rollout_restart_unavailable(Some(&IntOrString::Int(0)), 3),
            Some(1)
        );
    }

    #[test]
    fn statefulset_rounds_down_to_at_least_one() {
        assert_eq!(statefulset_max_unavailable(None, 5), Some(1));
        assert_eq!(statefulset_max_unavailable(Some(&s("10%")), 5), Some(1));
        assert_eq!(statefulset_max_unavailable(Some(&s("50%")), 3), Some(1));
        assert_eq!(statefulset_max_unavailable(Some(&s("67%")), 3), Some(2));
        assert_eq!(statefulset_max_unavailable(Some(&s("100%")), 3), Some(3));
        assert_eq!(
            statefulset_max_unavailable(Some(&IntOrString::Int(3)), 3),
            Some(3)
        );
    }
}
