//! Argo Rollouts' `Rollout` (argoproj.io/v1alpha1): a Deployment with canary or blue-green
//! rollouts. k8s-openapi has no type for it, so this keeps only what the rules read, typed
//! with k8s-openapi's own pod template and selector; other fields are passed over.

use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Rollout {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: RolloutSpec,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutSpec {
    /// Absent means 1, as for a Deployment.
    pub replicas: Option<i32>,
    pub selector: Option<LabelSelector>,
    /// Absent when the pods come from `workloadRef` (a Deployment's template).
    pub template: Option<PodTemplateSpec>,
    pub strategy: Option<RolloutStrategy>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutStrategy {
    pub canary: Option<CanaryStrategy>,
    pub blue_green: Option<BlueGreenStrategy>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CanaryStrategy {
    pub max_surge: Option<IntOrString>,
    pub max_unavailable: Option<IntOrString>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlueGreenStrategy {
    pub active_service: Option<String>,
    pub preview_service: Option<String>,
}
