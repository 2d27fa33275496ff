//! Replicas that share one volume only one node (or one pod) can use.

use k8s_openapi::api::core::v1::{PodSpec, Volume};

use crate::objects::catalog::PvcInfo;
use crate::objects::Kind;

use super::budget::{self, relate};
use super::{Context, Diagnostic};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
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
    let per_pod = claim_templates(cx);
    let volumes = template.spec.volumes.iter().flatten().enumerate();
    for (i, volume) in volumes {
        let pointer = format!("{}/volumes/{i}", template.spec_pointer());
        if let Some(claim) = &volume.persistent_volume_claim {
            // A StatefulSet replaces a volume named like one of its claim templates with
            // each pod's own claim.
            if per_pod.contains(&volume.name.as_str()) {
                continue;
            }
            let Some(pvc) = cx.index.pvc(cx.object.namespace(), &claim.claim_name) else {
                continue;
            };
            let Some(why) = single_attach(pvc.info) else {
                continue;
            };
            let d = Diagnostic::new(
                format!("{pointer}/persistentVolumeClaim/claimName"),
                format!(
                    "{id} runs {} replicas that all mount PersistentVolumeClaim {}, which is {why}",
                    replicas.count, claim.claim_name
                ),
            )
            .help(format!(
                "give each replica its own volume (a StatefulSet with volumeClaimTemplates), use a ReadWriteMany storage class, or run 1 replica of {} and accept the downtime",
                cx.object.name()
            ));
            out.push(relate(d, &pvc, "/spec/accessModes", "only one node may mount it"));
        } else if let Some(host) = &volume.host_path {
            if !writable_mount(template.spec, volume) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    format!("{pointer}/hostPath"),
                    format!(
                        "{id} runs {} replicas that write to hostPath {}: each replica sees its own node's directory, so they share no data, and a pod rescheduled to another node starts from an empty one",
                        replicas.count, host.path
                    ),
                )
                .help("keep shared state in a PersistentVolumeClaim (ReadWriteMany) or in a StatefulSet's volumeClaimTemplates; a hostPath only for read-only node files"),
            );
        }
    }
}

/// Why a claim's access modes let only one node (or pod) use it; None when they do not.
fn single_attach(pvc: &PvcInfo) -> Option<&'static str> {
    let modes = &pvc.access_modes;
    if modes.is_empty() {
        return None;
    }
    if modes.iter().all(|m| m == "ReadWriteOncePod") {
        return Some(
            "ReadWriteOncePod: only one pod in the cluster may use it, so every replica but one stays Pending",
        );
    }
    if modes
        .iter()
        .all(|m| m == "ReadWriteOnce" || m == "ReadWriteOncePod")
    {
        return Some(
            "ReadWriteOnce: only one node may mount it, so a replica scheduled on another node never starts (Multi-Attach error), and a spread across nodes makes that certain",
        );
    }
    None
}

/// Names of a StatefulSet's volumeClaimTemplates: volumes every pod gets its own copy of.
fn claim_templates<'a>(cx: &'a Context<'_>) -> Vec<&'a str> {
    match &cx.object.kind {
        Kind::StatefulSet(s) => s
            .spec
            .volume_claim_templates
            .iter()
            .flatten()
            .filter_map(|t| t.metadata.name.as_deref())
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether some container mounts the volume read-write. A hostPath mounted read-only
/// everywhere (CA certificates, the node's time zone) holds no state of the replicas.
fn writable_mount(spec: &PodSpec, volume: &Volume) -> bool {
    spec.containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .flat_map(|c| c.volume_mounts.iter().flatten())
        .any(|m| m.name == volume.name && m.read_only != Some(true))
}
