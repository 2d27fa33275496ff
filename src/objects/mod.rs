//! A typed view of the Kubernetes objects halint has rules for, and an index over a set of
//! them for the rules that reason across objects.

pub mod catalog;
pub mod index;
pub mod intstr;
pub mod rollout;
pub mod scaled_object;
pub mod selector;
pub mod webhook;
mod workload;

use std::fmt;

use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, ValidatingWebhookConfiguration,
};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v1::HorizontalPodAutoscaler as HpaV1;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, ReplicationController, Service};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use rollout::Rollout;
pub use scaled_object::ScaledObject;
pub use workload::{PodTemplate, WorkloadKind};

/// Where an object was read from, for reports; the engine never looks at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Index into the loaded files.
    pub file: usize,
    /// The document's index in its file.
    pub document: usize,
    /// Pointer of the object inside the document: "" or "/items/3" in a `List`.
    pub prefix: String,
}

/// apiVersion, kind, namespace and name: how a finding names its object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            // Cluster-scoped.
            write!(f, "{} {}", self.kind, self.name)
        } else {
            write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
        }
    }
}

#[derive(Debug, Clone)]
pub enum Kind {
    Deployment(Box<Deployment>),
    StatefulSet(Box<StatefulSet>),
    DaemonSet(Box<DaemonSet>),
    ReplicaSet(Box<ReplicaSet>),
    ReplicationController(Box<ReplicationController>),
    Pod(Box<Pod>),
    PodDisruptionBudget(Box<PodDisruptionBudget>),
    /// autoscaling/v2.
    HorizontalPodAutoscaler(Box<HorizontalPodAutoscaler>),
    /// autoscaling/v1, kept apart: its fields differ from v2's.
    HorizontalPodAutoscalerV1(Box<HpaV1>),
    Service(Box<Service>),
    PersistentVolumeClaim(Box<PersistentVolumeClaim>),
    /// argoproj.io/v1alpha1: a replicated workload like a Deployment.
    Rollout(Box<Rollout>),
    /// keda.sh/v1alpha1: an autoscaler like an HPA, whose minimum defaults to 0.
    ScaledObject(Box<ScaledObject>),
    /// Cluster-scoped, like the mutating one.
    ValidatingWebhookConfiguration(Box<ValidatingWebhookConfiguration>),
    MutatingWebhookConfiguration(Box<MutatingWebhookConfiguration>),
}

#[derive(Debug, Clone)]
pub struct Object {
    pub id: ObjectId,
    pub kind: Kind,
    pub origin: Option<Origin>,
}

/// What a report needs of an object: its name and where it was read. A fraction of the
/// typed object's size, so a large set can be reported on without being held typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    pub id: ObjectId,
    pub origin: Option<Origin>,
}

impl From<&Object> for ObjectRef {
    fn from(object: &Object) -> Self {
        ObjectRef {
            id: object.id.clone(),
            origin: object.origin.clone(),
        }
    }
}

/// A field whose value Kubernetes would reject (`replicas: three`), or an object without the
/// identity every object needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectError {
    /// JSON pointer of the offending field inside the object.
    pub path: String,
    pub message: String,
}

impl fmt::Display for ObjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            let field = crate::pointer::to_field_path(&self.path);
            write!(f, "{field}: {}", self.message)
        }
    }
}

impl std::error::Error for ObjectError {}

/// Whether a document is a Kubernetes object at all (has apiVersion and kind).
pub fn is_kubernetes_object(value: &Value) -> bool {
    value.get("apiVersion").is_some_and(Value::is_string)
        && value.get("kind").is_some_and(Value::is_string)
}

/// The items of a `List` (`kind: List`, `DeploymentList`, ...), if `value` is one.
pub fn list_items(value: &Value) -> Option<&Vec<Value>> {
    let kind = value.get("kind")?.as_str()?;
    if kind.ends_with("List") && value.get("apiVersion").is_some() {
        value.get("items")?.as_array()
    } else {
        None
    }
}

impl Object {
    /// An object from JSON with namespace `default` when it has none.
    pub fn from_json(value: Value) -> Result<Option<Object>, ObjectError> {
        Object::from_value(value, "default")
    }

    /// Ok(None) for documents that are not objects halint has rules for.
    pub fn from_value(
        value: Value,
        default_namespace: &str,
    ) -> Result<Option<Object>, ObjectError> {
        let (Some(api_version), Some(kind)) = (
            value.get("apiVersion").and_then(Value::as_str),
            value.get("kind").and_then(Value::as_str),
        ) else {
            return Ok(None);
        };
        let kind = match (api_version, kind) {
            ("apps/v1", "Deployment") => Kind::Deployment(typed(value)?),
            ("apps/v1", "StatefulSet") => Kind::StatefulSet(typed(value)?),
            ("apps/v1", "DaemonSet") => Kind::DaemonSet(typed(value)?),
            ("apps/v1", "ReplicaSet") => Kind::ReplicaSet(typed(value)?),
            ("v1", "ReplicationController") => Kind::ReplicationController(typed(value)?),
            ("v1", "Pod") => Kind::Pod(typed(value)?),
            ("v1", "Service") => Kind::Service(typed(value)?),
            ("policy/v1", "PodDisruptionBudget") => Kind::PodDisruptionBudget(typed(value)?),
            ("autoscaling/v2", "HorizontalPodAutoscaler") => {
                Kind::HorizontalPodAutoscaler(typed(value)?)
            }
            ("autoscaling/v1", "HorizontalPodAutoscaler") => {
                Kind::HorizontalPodAutoscalerV1(typed(value)?)
            }
            ("v1", "PersistentVolumeClaim") => Kind::PersistentVolumeClaim(typed(value)?),
            ("argoproj.io/v1alpha1", "Rollout") => Kind::Rollout(typed(value)?),
            ("keda.sh/v1alpha1", "ScaledObject") => Kind::ScaledObject(typed(value)?),
            ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration") => {
                Kind::ValidatingWebhookConfiguration(typed(value)?)
            }
            ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration") => {
                Kind::MutatingWebhookConfiguration(typed(value)?)
            }
            _ => return Ok(None),
        };
        let mut object = Object {
            id: ObjectId {
                api_version: String::new(),
                kind: String::new(),
                namespace: String::new(),
                name: String::new(),
            },
            kind,
            origin: None,
        };
        let meta = object.metadata();
        let namespace = if object.is_cluster_scoped() {
            String::new()
        } else {
            meta.namespace
                .clone()
                .filter(|ns| !ns.is_empty())
                .unwrap_or_else(|| default_namespace.to_string())
        };
        let name = meta
            .name
            .clone()
            .or_else(|| meta.generate_name.as_ref().map(|g| format!("{g}*")))
            .unwrap_or_default();
        object.id = ObjectId {
            api_version: api_version_of(&object.kind).to_string(),
            kind: kind_name(&object.kind).to_string(),
            namespace,
            name,
        };
        Ok(Some(object))
    }

    pub fn metadata(&self) -> &ObjectMeta {
        match &self.kind {
            Kind::Deployment(o) => &o.metadata,
            Kind::StatefulSet(o) => &o.metadata,
            Kind::DaemonSet(o) => &o.metadata,
            Kind::ReplicaSet(o) => &o.metadata,
            Kind::ReplicationController(o) => &o.metadata,
            Kind::Pod(o) => &o.metadata,
            Kind::PodDisruptionBudget(o) => &o.metadata,
            Kind::HorizontalPodAutoscaler(o) => &o.metadata,
            Kind::HorizontalPodAutoscalerV1(o) => &o.metadata,
            Kind::Service(o) => &o.metadata,
            Kind::PersistentVolumeClaim(o) => &o.metadata,
            Kind::Rollout(o) => &o.metadata,
            Kind::ScaledObject(o) => &o.metadata,
            Kind::ValidatingWebhookConfiguration(o) => &o.metadata,
            Kind::MutatingWebhookConfiguration(o) => &o.metadata,
        }
    }

    /// Kinds without a namespace: their id's namespace is "".
    pub fn is_cluster_scoped(&self) -> bool {
        matches!(
            self.kind,
            Kind::ValidatingWebhookConfiguration(_) | Kind::MutatingWebhookConfiguration(_)
        )
    }

    pub fn namespace(&self) -> &str {
        &self.id.namespace
    }

    pub fn name(&self) -> &str {
        &self.id.name
    }

    /// An annotation of the object or, for workloads, of its pod template.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        let own = self
            .metadata()
            .annotations
            .as_ref()
            .and_then(|a| a.get(key));
        own.or_else(|| {
            self.pod_template()
                .and_then(|t| t.meta)
                .and_then(|m| m.annotations.as_ref())
                .and_then(|a| a.get(key))
        })
        .map(String::as_str)
    }
}

/// The kinds halint reads (`kind` names); custom rules may name only these.
pub const KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Pod",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "Service",
    "PersistentVolumeClaim",
    "Rollout",
    "ScaledObject",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
];

impl Object {
    /// The object as JSON, as custom rules query it: the fields Kubernetes knows, as read.
    pub fn to_json(&self) -> Value {
        let value = match &self.kind {
            Kind::Deployment(o) => serde_json::to_value(o),
            Kind::StatefulSet(o) => serde_json::to_value(o),
            Kind::DaemonSet(o) => serde_json::to_value(o),
            Kind::ReplicaSet(o) => serde_json::to_value(o),
            Kind::ReplicationController(o) => serde_json::to_value(o),
            Kind::Pod(o) => serde_json::to_value(o),
            Kind::PodDisruptionBudget(o) => serde_json::to_value(o),
            Kind::HorizontalPodAutoscaler(o) => serde_json::to_value(o),
            Kind::HorizontalPodAutoscalerV1(o) => serde_json::to_value(o),
            Kind::Service(o) => serde_json::to_value(o),
            Kind::PersistentVolumeClaim(o) => serde_json::to_value(o),
            Kind::ValidatingWebhookConfiguration(o) => serde_json::to_value(o),
            Kind::MutatingWebhookConfiguration(o) => serde_json::to_value(o),
            // Types of halint's own, without apiVersion and kind: those are added here.
            // Only the fields halint reads are kept (see rollout.rs, scaled_object.rs).
            Kind::Rollout(o) => serde_json::to_value(o),
            Kind::ScaledObject(o) => serde_json::to_value(o),
        };
        // Serializing typed objects into a Value cannot fail.
        let mut value = value.unwrap_or(Value::Null);
        if let Value::Object(map) = &mut value {
            map.entry("apiVersion")
                .or_insert_with(|| Value::String(self.id.api_version.clone()));
            map.entry("kind")
                .or_insert_with(|| Value::String(self.id.kind.clone()));
        }
        value
    }
}

fn typed<T: DeserializeOwned>(value: Value) -> Result<Box<T>, ObjectError> {
    // Tracking the path costs an allocation per key; only a failure needs it, so a failure
    // is deserialized again with it.
    if let Ok(typed) = T::deserialize(&value) {
        return Ok(Box::new(typed));
    }
    serde_path_to_error::deserialize(value)
        .map(Box::new)
        .map_err(|err| {
            let mut path = String::new();
            for segment in err.path().iter() {
                use serde_path_to_error::Segment;
                match segment {
                    Segment::Seq { index } => crate::pointer::push(&mut path, &index.to_string()),
                    Segment::Map { key } => crate::pointer::push(&mut path, key),
                    Segment::Enum { variant } => crate::pointer::push(&mut path, variant),
                    Segment::Unknown => {}
                }
            }
            ObjectError {
                path,
                message: err.into_inner().to_string(),
            }
        })
}

fn api_version_of(kind: &Kind) -> &'static str {
    match kind {
        Kind::Deployment(_) | Kind::StatefulSet(_) | Kind::DaemonSet(_) | Kind::ReplicaSet(_) => {
            "apps/v1"
        }
        Kind::ReplicationController(_)
        | Kind::Pod(_)
        | Kind::Service(_)
        | Kind::PersistentVolumeClaim(_) => "v1",
        Kind::Rollout(_) => "argoproj.io/v1alpha1",
        Kind::ScaledObject(_) => "keda.sh/v1alpha1",
        Kind::ValidatingWebhookConfiguration(_) | Kind::MutatingWebhookConfiguration(_) => {
            "admissionregistration.k8s.io/v1"
        }
        Kind::PodDisruptionBudget(_) => "policy/v1",
        Kind::HorizontalPodAutoscaler(_) => "autoscaling/v2",
        Kind::HorizontalPodAutoscalerV1(_) => "autoscaling/v1",
    }
}

fn kind_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Deployment(_) => "Deployment",
        Kind::StatefulSet(_) => "StatefulSet",
        Kind::DaemonSet(_) => "DaemonSet",
        Kind::ReplicaSet(_) => "ReplicaSet",
        Kind::ReplicationController(_) => "ReplicationController",
        Kind::Pod(_) => "Pod",
        Kind::PodDisruptionBudget(_) => "PodDisruptionBudget",
        Kind::HorizontalPodAutoscaler(_) | Kind::HorizontalPodAutoscalerV1(_) => {
            "HorizontalPodAutoscaler"
        }
        Kind::Service(_) => "Service",
        Kind::PersistentVolumeClaim(_) => "PersistentVolumeClaim",
        Kind::Rollout(_) => "Rollout",
        Kind::ScaledObject(_) => "ScaledObject",
        Kind::ValidatingWebhookConfiguration(_) => "ValidatingWebhookConfiguration",
        Kind::MutatingWebhookConfiguration(_) => "MutatingWebhookConfiguration",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wrong_field_type_is_located() {
        let err = Object::from_json(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {"replicas": "three", "selector": {}, "template": {}}
        }))
        .unwrap_err();
        assert_eq!(err.path, "/spec/replicas");
        assert!(
            err.to_string().starts_with("spec.replicas: invalid type"),
            "{err}"
        );
    }

    #[test]
    fn unknown_kinds_and_non_objects_are_passed_over() {
        assert!(
            Object::from_json(json!({"apiVersion": "v1", "kind": "ConfigMap"}))
                .unwrap()
                .is_none()
        );
        assert!(Object::from_json(json!({"hello": "world"}))
            .unwrap()
            .is_none());
    }

    #[test]
    fn namespace_defaults() {
        let o = Object::from_value(
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}),
            "shop",
        )
        .unwrap()
        .unwrap();
        assert_eq!(o.id.to_string(), "Service shop/s");
    }

    #[test]
    fn webhook_configurations_are_cluster_scoped() {
        let o = Object::from_value(
            json!({
                "apiVersion": "admissionregistration.k8s.io/v1",
                "kind": "ValidatingWebhookConfiguration",
                "metadata": {"name": "policy", "namespace": "ignored"},
                "webhooks": [{"name": "a.example.com", "admissionReviewVersions": ["v1"],
                              "sideEffects": "None", "clientConfig": {"url": "https://x"}}]
            }),
            "shop",
        )
        .unwrap()
        .unwrap();
        assert_eq!(o.id.to_string(), "ValidatingWebhookConfiguration policy");
        let hooks = o.webhooks();
        assert_eq!(hooks.len(), 1);
        assert!(hooks[0].fails_closed());
        assert_eq!(hooks[0].timeout(), 10);
    }

    #[test]
    fn a_rollout_is_a_replicated_workload() {
        let o = Object::from_json(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "metadata": {"name": "web"},
            "spec": {"replicas": 4, "template": {"metadata": {"labels": {"app": "web"}},
                     "spec": {"containers": [{"name": "web", "image": "web:1"}]}},
                     "strategy": {"canary": {"steps": [{"setWeight": 20}]}}}
        }))
        .unwrap()
        .unwrap();
        assert_eq!(o.workload_kind(), Some(WorkloadKind::Rollout));
        assert_eq!(o.spec_replicas(), Some(4));
        assert_eq!(o.pod_labels().get("app").map(String::as_str), Some("web"));
        let err = Object::from_json(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "metadata": {"name": "web"}, "spec": {"replicas": "four"}
        }))
        .unwrap_err();
        assert_eq!(err.path, "/spec/replicas");
    }
}
