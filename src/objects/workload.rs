//! What the rules need to know about workloads, whatever their kind.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{Kind, Object};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    ReplicationController,
    /// Argo Rollouts' Rollout.
    Rollout,
}

impl WorkloadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::ReplicaSet => "ReplicaSet",
            WorkloadKind::ReplicationController => "ReplicationController",
            WorkloadKind::Rollout => "Rollout",
        }
    }

    /// The kind of that name, as a scaleTargetRef or a finding names it.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            WorkloadKind::Deployment,
            WorkloadKind::StatefulSet,
            WorkloadKind::DaemonSet,
            WorkloadKind::ReplicaSet,
            WorkloadKind::ReplicationController,
            WorkloadKind::Rollout,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }

    /// Runs a replica count (a DaemonSet runs one pod per node instead).
    pub fn is_replicated(self) -> bool {
        self != WorkloadKind::DaemonSet
    }
}

/// A pod's metadata and spec, whether the object is a Pod or a workload's template.
#[derive(Debug, Clone, Copy)]
pub struct PodTemplate<'a> {
    pub meta: Option<&'a ObjectMeta>,
    pub spec: &'a PodSpec,
    /// Pointer of the pod's metadata parent: "/spec/template" for workloads, "" for a Pod.
    pub pointer: &'static str,
}

impl<'a> PodTemplate<'a> {
    pub fn labels(&self) -> &'a BTreeMap<String, String> {
        self.meta
            .and_then(|m| m.labels.as_ref())
            .unwrap_or_else(|| empty_labels())
    }

    /// Pointer of the pod spec.
    pub fn spec_pointer(&self) -> String {
        format!("{}/spec", self.pointer)
    }
}

fn empty_labels() -> &'static BTreeMap<String, String> {
    static EMPTY: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    EMPTY.get_or_init(BTreeMap::new)
}

impl Object {
    pub fn workload_kind(&self) -> Option<WorkloadKind> {
        Some(match self.kind {
            Kind::Deployment(_) => WorkloadKind::Deployment,
            Kind::StatefulSet(_) => WorkloadKind::StatefulSet,
            Kind::DaemonSet(_) => WorkloadKind::DaemonSet,
            Kind::ReplicaSet(_) => WorkloadKind::ReplicaSet,
            Kind::ReplicationController(_) => WorkloadKind::ReplicationController,
            Kind::Rollout(_) => WorkloadKind::Rollout,
            _ => return None,
        })
    }

    /// spec.replicas as written (None when absent, or for a DaemonSet).
    pub fn spec_replicas(&self) -> Option<i32> {
        match &self.kind {
            Kind::Deployment(o) => o.spec.replicas,
            Kind::StatefulSet(o) => o.spec.replicas,
            Kind::ReplicaSet(o) => o.spec.replicas,
            Kind::ReplicationController(o) => o.spec.as_ref()?.replicas,
            Kind::Rollout(o) => o.spec.replicas,
            _ => None,
        }
    }

    pub fn pod_template(&self) -> Option<PodTemplate<'_>> {
        let template = match &self.kind {
            Kind::Deployment(o) => Some(&o.spec.template),
            Kind::StatefulSet(o) => Some(&o.spec.template),
            Kind::DaemonSet(o) => Some(&o.spec.template),
            Kind::ReplicaSet(o) => o.spec.template.as_ref(),
            Kind::ReplicationController(o) => o.spec.as_ref()?.template.as_ref(),
            Kind::Rollout(o) => o.spec.template.as_ref(),
            Kind::Pod(pod) => {
                return Some(PodTemplate {
                    meta: Some(&pod.metadata),
                    spec: pod.spec.as_ref()?,
                    pointer: "",
                })
            }
            _ => None,
        }?;
        Some(PodTemplate {
            meta: template.metadata.as_ref(),
            spec: template.spec.as_ref()?,
            pointer: "/spec/template",
        })
    }

    /// Labels of the pods this object runs (empty when it runs none).
    pub fn pod_labels(&self) -> &BTreeMap<String, String> {
        self.pod_template()
            .map(|t| t.labels())
            .unwrap_or_else(|| empty_labels())
    }
}
