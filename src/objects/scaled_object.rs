//! KEDA's `ScaledObject` (keda.sh/v1alpha1): an autoscaler that, unlike an HPA, scales its
//! target to zero by default. Only what the rules read is typed.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ScaledObject {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: ScaledObjectSpec,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaledObjectSpec {
    #[serde(default)]
    pub scale_target_ref: ScaleTargetRef,
    /// Absent means 0: KEDA scales the target away when no event arrives.
    pub min_replica_count: Option<i32>,
    pub max_replica_count: Option<i32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleTargetRef {
    pub api_version: Option<String>,
    /// Absent means Deployment.
    pub kind: Option<String>,
    #[serde(default)]
    pub name: String,
}

impl ScaleTargetRef {
    pub fn kind(&self) -> &str {
        self.kind.as_deref().unwrap_or("Deployment")
    }
}

impl ScaledObjectSpec {
    pub fn min_replicas(&self) -> i32 {
        self.min_replica_count.unwrap_or(0)
    }
}
