use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};

use crate::engine::Severity;
use crate::objects::intstr::{Amount, Rounding};
use crate::objects::{Kind, WorkloadKind};

use super::budget::{self, show};
use super::{Context, Diagnostic};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    match &cx.object.kind {
        Kind::Deployment(d) => deployment(cx, d, out),
        Kind::StatefulSet(s) => statefulset(cx, s, out),
        Kind::DaemonSet(d) => daemonset(cx, d, out),
        _ => {}
    }
}

const DEPLOYMENT_RU: &str = "/spec/strategy/rollingUpdate";

fn deployment(cx: &Context<'_>, d: &Deployment, out: &mut Vec<Diagnostic>) {
    let id = &cx.object.id;
    let strategy = d.spec.strategy.as_ref();
    let replicas = cx.index.effective_replicas(
        cx.object.namespace(),
        WorkloadKind::Deployment,
        cx.object.name(),
        d.spec.replicas,
    );
    if strategy.and_then(|s| s.type_.as_deref()) == Some("Recreate") {
        if replicas.count >= 2 {
            out.push(
                Diagnostic::new(
                    "/spec/strategy/type",
                    format!(
                        "{id} uses strategy Recreate with {} replicas: every rollout stops all of them before starting new ones, a full outage",
                        replicas.count
                    ),
                )
                .help("use strategy RollingUpdate (with maxUnavailable below the replica count)")
                .severity(Severity::Warning),
            );
        }
        return;
    }
    let rolling = strategy.and_then(|s| s.rolling_update.as_ref());
    let max_surge = rolling.and_then(|r| r.max_surge.as_ref());
    let max_unavailable = rolling.and_then(|r| r.max_unavailable.as_ref());
    // The API server rejects 0 and 0 as written (0% counts as 0).
    let written_zero =
        |v: Option<&_>| v.and_then(Amount::parse).is_some_and(Amount::is_zero);
    if written_zero(max_surge) && written_zero(max_unavailable) {
        out.push(
            Diagnostic::new(
                format!("{DEPLOYMENT_RU}/maxUnavailable"),
                format!("{id} sets maxUnavailable 0 and maxSurge 0: the API server rejects it, since no rollout could make progress"),
            )
            .help("set maxSurge to 1 (keeps every pod serving during a rollout)"),
        );
        return;
    }
    if replicas.count < 1 {
        return;
    }
    let Some((surge, unavailable)) =
        budget::deployment_fenceposts(max_surge, max_unavailable, replicas.count)
    else {
        return;
    };
    if unavailable < replicas.count {
        return;
    }
    let mut written = match max_unavailable {
        Some(v) => format!("maxUnavailable {}", show(v)),
        None => "maxUnavailable (default 25%)".to_string(),
    };
    let rounded_to_zero = budget::amount_or(max_unavailable, Amount::Percent(25))
        .is_some_and(|a| a.resolve(replicas.count, Rounding::Down) == 0);
    if surge == 0 && rounded_to_zero {
        written.push_str(" with maxSurge 0 (both resolve to 0, so the controller uses 1)");
    }
    let count = match replicas.autoscaler {
        Some(hpa) => format!(
            "{} replica(s) (the {} of {} {})",
            replicas.count,
            hpa.info.min_field(),
            hpa.info.kind,
            hpa.info.name
        ),
        None => format!("{} replica(s)", replicas.count),
    };
    let path = match max_unavailable {
        Some(_) => format!("{DEPLOYMENT_RU}/maxUnavailable"),
        None => DEPLOYMENT_RU.to_string(),
    };
    let mut d = Diagnostic::new(
        path,
        format!(
            "{id} has {written}, which resolves to {unavailable} at {count}: a rollout may take every pod down at once"
        ),
    )
    .help(if replicas.count == 1 {
        "set maxUnavailable to 0 and maxSurge to 1: the new pod then starts before the old one stops".to_string()
    } else {
        format!(
            "set maxUnavailable below {} (0 with maxSurge 1 keeps every pod serving)",
            replicas.count
        )
    });
    if let Some(hpa) = replicas.autoscaler {
        d = budget::relate(d, &hpa, &hpa.info.min_pointer(), "the autoscaler's minimum");
    }
    out.push(d);
}

fn statefulset(cx: &Context<'_>, s: &StatefulSet, out: &mut Vec<Diagnostic>) {
    let strategy = s.spec.update_strategy.as_ref();
    if strategy.and_then(|s| s.type_.as_deref()) == Some("OnDelete") {
        return;
    }
    let Some(max_unavailable) = strategy
        .and_then(|s| s.rolling_update.as_ref())
        .and_then(|r| r.max_unavailable.as_ref())
    else {
        return;
    };
    let replicas = cx.index.effective_replicas(
        cx.object.namespace(),
        WorkloadKind::StatefulSet,
        cx.object.name(),
        s.spec.replicas,
    );
    // With one replica every update takes the only pod down whatever maxUnavailable says:
    // that is the replicas rule's finding.
    if replicas.count < 2 {
        return;
    }
    let Some(resolved) = budget::statefulset_max_unavailable(Some(max_unavailable), replicas.count)
    else {
        return;
    };
    if resolved < replicas.count {
        return;
    }
    out.push(
        Diagnostic::new(
            "/spec/updateStrategy/rollingUpdate/maxUnavailable",
            format!(
                "{} has maxUnavailable {}, which resolves to {resolved} at {} replicas: an update may take every pod down at once",
                cx.object.id,
                show(max_unavailable),
                replicas.count
            ),
        )
        .help(format!("set maxUnavailable below {}", replicas.count)),
    );
}

fn daemonset(cx: &Context<'_>, d: &DaemonSet, out: &mut Vec<Diagnostic>) {
    if let Some((path, value)) = budget::daemonset_takes_all(d) {
        out.push(
            Diagnostic::new(
                path,
                format!(
                    "{} has maxUnavailable {}: an update replaces its pod on every node at once",
                    cx.object.id,
                    show(value)
                ),
            )
            .help("set maxUnavailable to 1 or a percentage below 100%"),
        );
    }
}
