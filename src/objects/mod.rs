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
        let Some(tag) = Tag::of(api_version, kind) else {
            return Ok(None);
        };
        // Tracking the field path costs an allocation per key and only a failure needs it,
        // so the object is typed without it first.
        let kind = match tag.read_direct(&value) {
            Ok(kind) => kind,
            Err(_) => tag.read(value)?,
        };
        Ok(Some(Object::with_kind(kind, default_namespace)))
    }

    /// An object from JSON text as the API server sends it, typed straight from the
    /// text without a `Value` tree in between (several times cheaper for a large
    /// object). `metadata.managedFields`, which the API server adds to every object and
    /// no rule reads, is left out. Text that is not an object of a kind halint reads, or
    /// does not type, takes the `Value` path, so the answer and any error are exactly
    /// those of [`Object::from_json`] on the object without its managedFields.
    pub fn from_json_str(text: &str) -> Result<Option<Object>, ObjectError> {
        match Object::typed_from_text(text) {
            Some(object) => Ok(Some(object)),
            None => Object::from_json(json_without_managed_fields(text)?),
        }
    }

    /// The fast path of [`Object::from_json_str`]. `None` sends the text the `Value` way
    /// ([`json_without_managed_fields`], then [`Object::from_json`]), which words errors;
    /// for a caller that needs the `Value` too, such as the webhook reading an owner.
    pub fn typed_from_text(text: &str) -> Option<Object> {
        use serde_json::value::RawValue;
        use std::borrow::Cow;

        #[derive(serde::Deserialize)]
        struct Outline<'a> {
            #[serde(rename = "apiVersion", borrow)]
            api_version: Option<Cow<'a, str>>,
            #[serde(borrow)]
            kind: Option<Cow<'a, str>>,
            #[serde(borrow)]
            metadata: Option<&'a RawValue>,
        }
        #[derive(serde::Deserialize)]
        struct Metadata<'a> {
            #[serde(rename = "managedFields", borrow)]
            managed_fields: Option<&'a RawValue>,
        }

        let outline: Outline<'_> = serde_json::from_str(text).ok()?;
        let tag = Tag::of(outline.api_version.as_deref()?, outline.kind.as_deref()?)?;
        let managed = match outline.metadata {
            Some(meta) => {
                serde_json::from_str::<Metadata<'_>>(meta.get())
                    .ok()?
                    .managed_fields
            }
            None => None,
        };
        // The managedFields value, replaced by `null`: cheaper than typing it to drop it.
        let without;
        let text = match managed {
            Some(raw) => {
                // Borrowed raw values are slices of `text`.
                let start = (raw.get().as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
                let end = start + raw.get().len();
                if text.get(start..end) != Some(raw.get()) {
                    return None;
                }
                without = [&text[..start], "null", &text[end..]].concat();
                without.as_str()
            }
            None => text,
        };
        // Errors are the slow path's to word, with their field path: no tracking here.
        let kind = tag.read_text(text).ok()?;
        Some(Object::with_kind(kind, "default"))
    }

    /// The object of a typed `kind`, named from its metadata.
    fn with_kind(kind: Kind, default_namespace: &str) -> Object {
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
        object
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

/// An object's JSON text as a `Value`, without `metadata.managedFields`: the API server
/// adds them to every object, they are often most of its bytes, and no rule reads them.
pub fn json_without_managed_fields(text: &str) -> Result<Value, ObjectError> {
    let mut value: Value = serde_json::from_str(text).map_err(|e| ObjectError {
        path: String::new(),
        message: e.to_string(),
    })?;
    if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    Ok(value)
}

/// `Kind::X(read(source)?)` for the `Tag::X` given.
macro_rules! read_kind {
    ($tag:expr, $read:ident, $source:expr) => {
        match $tag {
            Tag::Deployment => Kind::Deployment($read($source)?),
            Tag::StatefulSet => Kind::StatefulSet($read($source)?),
            Tag::DaemonSet => Kind::DaemonSet($read($source)?),
            Tag::ReplicaSet => Kind::ReplicaSet($read($source)?),
            Tag::ReplicationController => Kind::ReplicationController($read($source)?),
            Tag::Pod => Kind::Pod($read($source)?),
            Tag::Service => Kind::Service($read($source)?),
            Tag::PodDisruptionBudget => Kind::PodDisruptionBudget($read($source)?),
            Tag::HorizontalPodAutoscaler => Kind::HorizontalPodAutoscaler($read($source)?),
            Tag::HorizontalPodAutoscalerV1 => Kind::HorizontalPodAutoscalerV1($read($source)?),
            Tag::PersistentVolumeClaim => Kind::PersistentVolumeClaim($read($source)?),
            Tag::Rollout => Kind::Rollout($read($source)?),
            Tag::ScaledObject => Kind::ScaledObject($read($source)?),
            Tag::ValidatingWebhookConfiguration => {
                Kind::ValidatingWebhookConfiguration($read($source)?)
            }
            Tag::MutatingWebhookConfiguration => {
                Kind::MutatingWebhookConfiguration($read($source)?)
            }
        }
    };
}

/// The kinds halint types, named by apiVersion and kind.
#[derive(Clone, Copy)]
enum Tag {
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    ReplicationController,
    Pod,
    Service,
    PodDisruptionBudget,
    HorizontalPodAutoscaler,
    HorizontalPodAutoscalerV1,
    PersistentVolumeClaim,
    Rollout,
    ScaledObject,
    ValidatingWebhookConfiguration,
    MutatingWebhookConfiguration,
}

impl Tag {
    fn of(api_version: &str, kind: &str) -> Option<Tag> {
        Some(match (api_version, kind) {
            ("apps/v1", "Deployment") => Tag::Deployment,
            ("apps/v1", "StatefulSet") => Tag::StatefulSet,
            ("apps/v1", "DaemonSet") => Tag::DaemonSet,
            ("apps/v1", "ReplicaSet") => Tag::ReplicaSet,
            ("v1", "ReplicationController") => Tag::ReplicationController,
            ("v1", "Pod") => Tag::Pod,
            ("v1", "Service") => Tag::Service,
            ("policy/v1", "PodDisruptionBudget") => Tag::PodDisruptionBudget,
            ("autoscaling/v2", "HorizontalPodAutoscaler") => Tag::HorizontalPodAutoscaler,
            ("autoscaling/v1", "HorizontalPodAutoscaler") => Tag::HorizontalPodAutoscalerV1,
            ("v1", "PersistentVolumeClaim") => Tag::PersistentVolumeClaim,
            ("argoproj.io/v1alpha1", "Rollout") => Tag::Rollout,
            ("keda.sh/v1alpha1", "ScaledObject") => Tag::ScaledObject,
            ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration") => {
                Tag::ValidatingWebhookConfiguration
            }
            ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration") => {
                Tag::MutatingWebhookConfiguration
            }
            _ => return None,
        })
    }

    /// The typed object, with the path of a field that does not type.
    fn read<'de, D>(self, source: D) -> Result<Kind, ObjectError>
    where
        D: serde::Deserializer<'de>,
        D::Error: fmt::Display,
    {
        Ok(read_kind!(self, typed, source))
    }

    /// The typed object straight from JSON text, without a field path on error.
    fn read_text(self, text: &str) -> Result<Kind, serde_json::Error> {
        self.read_direct(&mut serde_json::Deserializer::from_str(text))
    }

    /// The typed object, without a field path on error.
    fn read_direct<'de, D: serde::Deserializer<'de>>(self, source: D) -> Result<Kind, D::Error> {
        Ok(read_kind!(self, direct, source))
    }
}

fn direct<'de, T, D>(source: D) -> Result<Box<T>, D::Error>
where
    T: DeserializeOwned,
    D: serde::Deserializer<'de>,
{
    T::deserialize(source).map(Box::new)
}

fn typed<'de, T, D>(source: D) -> Result<Box<T>, ObjectError>
where
    T: DeserializeOwned,
    D: serde::Deserializer<'de>,
    D::Error: fmt::Display,
{
    serde_path_to_error::deserialize(source)
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

    /// `from_json_str` is a faster road to `from_json`'s answer (managedFields aside).
    #[test]
    fn text_reads_as_the_value_without_managed_fields() {
        let managed = json!([{"manager": "kubectl", "operation": "Update",
                              "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:replicas": {}}}}]);
        let cases = [
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": "web", "namespace": "shop", "managedFields": managed,
                                "ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "x",
                                                     "uid": "1", "controller": true}]},
                   "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                            "template": {"metadata": {"labels": {"app": "web"}}}}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": "web", "managedFields": "not a list"},
                   "spec": {"replicas": "three"}}),
            json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                   "metadata": {"name": "pdb", "managedFields": managed},
                   "spec": {"maxUnavailable": 1}}),
            json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                   "metadata": {"name": "pdb"}, "spec": {"maxUnavailable": [1]}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": "web"}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}),
            json!({"apiVersion": 1, "kind": "Deployment"}),
            json!({"kind": "Deployment", "metadata": {"name": "web"}}),
            json!(["not", "an", "object"]),
        ];
        for case in cases {
            let text = case.to_string();
            let mut value = case.clone();
            if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.remove("managedFields");
            }
            match (Object::from_json_str(&text), Object::from_json(value)) {
                (Ok(Some(a)), Ok(Some(b))) => {
                    assert_eq!(a.id, b.id, "{text}");
                    assert_eq!(a.to_json(), b.to_json(), "{text}");
                    assert!(a.metadata().managed_fields.is_none(), "{text}");
                }
                (Ok(None), Ok(None)) => {}
                (Err(a), Err(b)) => assert_eq!(a, b, "{text}"),
                (a, b) => panic!("{text}: {a:?} vs {b:?}"),
            }
        }
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
