//! An autoscaler whose target is missing, or whose target fights it over spec.replicas.

use crate::engine::Severity;
use crate::objects::catalog::Source;
use crate::objects::{Kind, WorkloadKind};

use super::budget::relate;
use super::{Context, Diagnostic};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (target_kind, target_name) = match &cx.object.kind {
        Kind::HorizontalPodAutoscaler(h) => (
            h.spec.scale_target_ref.kind.as_str(),
            &h.spec.scale_target_ref.name,
        ),
        Kind::HorizontalPodAutoscalerV1(h) => (
            h.spec.scale_target_ref.kind.as_str(),
            &h.spec.scale_target_ref.name,
        ),
        Kind::ScaledObject(s) => (
            s.spec.scale_target_ref.kind(),
            &s.spec.scale_target_ref.name,
        ),
        _ => return,
    };
    // A custom resource with a scale subresource: nothing here to look it up in.
    let Some(kind) = WorkloadKind::from_name(target_kind) else {
        return;
    };
    let id = &cx.object.id;
    let namespace = cx.object.namespace();
    let Some(target) = cx.index.workload(namespace, kind, target_name) else {
        // scaleTargetRef has no namespace field: the target is always in the autoscaler's
        // own namespace. Judge only a namespace whose workloads the set holds.
        if cx.index.has_workloads(namespace) {
            out.push(
                Diagnostic::new(
                    "/spec/scaleTargetRef",
                    format!(
                        "{id} scales {target_kind} {target_name}, which is not in namespace {namespace}: it scales nothing, and the workload it was meant for runs at its fixed spec.replicas"
                    ),
                )
                .help("make scaleTargetRef name the workload's kind and name exactly, in the autoscaler's own namespace"),
            );
        }
        return;
    };
    let Some(replicas) = target.info.replicas else {
        return;
    };
    // A manifest's spec.replicas, not the cluster's: the API server fills that field in
    // and the autoscaler keeps rewriting it.
    if target.source == Source::Cluster {
        return;
    }
    let d = Diagnostic::new(
        "/spec/scaleTargetRef",
        format!(
            "{id} scales {target_kind} {target_name}, which also sets spec.replicas {replicas}: every apply resets the replica count the autoscaler chose, and a scaled-up workload drops to {replicas} until the autoscaler reacts"
        ),
    )
    .help(format!(
        "remove spec.replicas from {target_kind} {target_name} and let the autoscaler own it"
    ))
    .severity(Severity::Info);
    out.push(relate(d, &target, "/spec/replicas", "set here too"));
}
