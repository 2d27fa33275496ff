//! Watches of custom resources (Argo Rollouts, KEDA ScaledObjects), started only while the
//! API server serves their CRD.
//!
//! A watch of a resource that is not served never completes its first list, and `/readyz`
//! waits for every built-in watch; so these kinds never gate readiness. API discovery at
//! start and every few minutes starts a watch when its CRD appears and stops it (dropping
//! what it cached) when the CRD goes away. Until then, rules judge without those objects,
//! as the CLI does without them in its input.

use std::sync::Arc;
use std::time::Duration;

use halint::objects::catalog::Entry;
use halint::objects::Object;
use kube::api::{ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::watcher;
use kube::runtime::WatchStreamExt;
use kube::{Api, Client, ResourceExt};

use crate::cache::{self, ClusterCache, Projection, WatchedKind};

/// How often discovery asks again whether a CRD is served.
pub const REDISCOVERY: Duration = Duration::from_secs(300);

/// A custom resource the cache can hold, as discovery and the watch name it.
#[derive(Clone, Copy, Debug)]
pub struct CustomKind {
    pub watched: WatchedKind,
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
}

pub const CUSTOM_KINDS: [CustomKind; 2] = [
    CustomKind {
        watched: WatchedKind::Rollouts,
        group: "argoproj.io",
        version: "v1alpha1",
        kind: "Rollout",
        plural: "rollouts",
    },
    CustomKind {
        watched: WatchedKind::ScaledObjects,
        group: "keda.sh",
        version: "v1alpha1",
        kind: "ScaledObject",
        plural: "scaledobjects",
    },
];

/// Starts one discovery loop per custom kind, asking again every `every`.
pub fn start(
    client: Client,
    cache: &Arc<ClusterCache>,
    every: Duration,
) -> Vec<tokio::task::JoinHandle<()>> {
    CUSTOM_KINDS
        .into_iter()
        .map(|kind| tokio::spawn(supervise(client.clone(), Arc::clone(cache), kind, every)))
        .collect()
}

/// Aborts the watch when the loop that owns it ends (or is aborted itself).
struct Running(tokio::task::JoinHandle<()>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn supervise(client: Client, cache: Arc<ClusterCache>, kind: CustomKind, every: Duration) {
    let mut running: Option<Running> = None;
    loop {
        match served(&client, kind).await {
            Ok(true) if running.is_none() => {
                tracing::info!(kind = kind.plural, "resource served; watching it");
                running = Some(Running(tokio::spawn(watch(
                    client.clone(),
                    Arc::clone(&cache),
                    kind,
                ))));
            }
            Ok(false) if running.is_some() => {
                tracing::info!(
                    kind = kind.plural,
                    "resource no longer served; forgetting it"
                );
                running = None;
                cache.forget(kind.watched);
            }
            Ok(_) => {}
            // Discovery failed: keep whatever runs (a watch retries on its own).
            Err(e) => tracing::warn!(kind = kind.plural, error = %e, "discovery failed"),
        }
        tokio::time::sleep(every).await;
    }
}

/// Whether the API server serves the resource (its CRD is installed and established).
async fn served(client: &Client, kind: CustomKind) -> Result<bool, kube::Error> {
    let group_version = format!("{}/{}", kind.group, kind.version);
    match client.list_api_group_resources(&group_version).await {
        Ok(list) => Ok(list.resources.iter().any(|r| r.name == kind.plural)),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(false),
        Err(e) => Err(e),
    }
}

async fn watch(client: Client, cache: Arc<ClusterCache>, kind: CustomKind) {
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk(kind.group, kind.version, kind.kind),
        kind.plural,
    );
    let stream = watcher::watcher(
        Api::<DynamicObject>::all_with(client, &resource),
        cache::watcher_config(),
    )
    .default_backoff()
    .modify(|o| o.managed_fields_mut().clear());
    cache::run_watch(kind.watched, stream, &cache, project).await;
}

/// The catalog entry of a custom resource, read as the CLI reads it; None when halint
/// cannot read it (it is then judged as absent).
pub fn project(object: &DynamicObject) -> Option<Projection> {
    let value = serde_json::to_value(object).ok()?;
    let object = Object::from_json(value).ok()??;
    // Scale requests of custom resources are not registered: no exemption to keep.
    Entry::from_object(&object).map(|entry| (entry, None))
}
