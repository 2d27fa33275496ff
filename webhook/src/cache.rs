//! The cluster's context, kept by watches and read on the request path without any
//! call to the API server.
//!
//! Each watched object is projected at once into the engine's [`Catalog`] entry
//! (namespace, name, labels, selectors, replica counts, budgets) and the object itself
//! is dropped, so memory stays proportional to what the rules read, not to the size of
//! the objects. One task per kind writes; admission requests read under a short
//! read lock.

use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use futures::StreamExt;
use halint::engine::IGNORE_ANNOTATION;
use halint::objects::catalog::{Catalog, Entry, EntryKey};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{Namespace, PersistentVolumeClaim, Service};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::runtime::watcher::{self, Event};
use kube::runtime::WatchStreamExt;
use kube::{Api, Client, Resource, ResourceExt};
use serde::de::DeserializeOwned;

use crate::metrics::Metrics;

/// The label a Namespace sets to opt out of enforcement.
pub const MODE_LABEL: &str = "halint.io/mode";

/// Every kind the webhook watches. The ClusterRole in deploy/ grants get/list/watch on
/// exactly these (a test checks it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WatchedKind {
    Deployments,
    StatefulSets,
    DaemonSets,
    ReplicaSets,
    PodDisruptionBudgets,
    HorizontalPodAutoscalers,
    Services,
    /// Only their access modes: rwo-volume-shared needs them for a Deployment's claims.
    PersistentVolumeClaims,
    Namespaces,
    /// Argo Rollouts and KEDA ScaledObjects: watched only while their CRD is served
    /// (src/custom.rs), and never waited for by readiness.
    Rollouts,
    ScaledObjects,
}

impl WatchedKind {
    pub const ALL: [Self; 11] = [
        Self::Deployments,
        Self::StatefulSets,
        Self::DaemonSets,
        Self::ReplicaSets,
        Self::PodDisruptionBudgets,
        Self::HorizontalPodAutoscalers,
        Self::Services,
        Self::PersistentVolumeClaims,
        Self::Namespaces,
        Self::Rollouts,
        Self::ScaledObjects,
    ];

    /// API group ("" for core) and resource, as RBAC names them.
    pub fn resource(self) -> (&'static str, &'static str) {
        match self {
            Self::Deployments => ("apps", "deployments"),
            Self::StatefulSets => ("apps", "statefulsets"),
            Self::DaemonSets => ("apps", "daemonsets"),
            Self::ReplicaSets => ("apps", "replicasets"),
            Self::PodDisruptionBudgets => ("policy", "poddisruptionbudgets"),
            Self::HorizontalPodAutoscalers => ("autoscaling", "horizontalpodautoscalers"),
            Self::Services => ("", "services"),
            Self::PersistentVolumeClaims => ("", "persistentvolumeclaims"),
            Self::Namespaces => ("", "namespaces"),
            Self::Rollouts => ("argoproj.io", "rollouts"),
            Self::ScaledObjects => ("keda.sh", "scaledobjects"),
        }
    }

    /// Whether `/readyz` waits for its first list: not for custom resources, whose CRD may
    /// not be installed.
    pub fn gates_readiness(self) -> bool {
        !matches!(self, Self::Rollouts | Self::ScaledObjects)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// How a namespace asked to be treated, from its `halint.io/mode` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamespaceMode {
    /// Not checked at all.
    Off,
    /// Checked, never denied.
    Warn,
}

impl NamespaceMode {
    fn from_label(value: &str) -> Option<Self> {
        match value {
            "off" => Some(Self::Off),
            "warn" => Some(Self::Warn),
            _ => None,
        }
    }
}

/// When a watch that keeps failing makes the webhook unready.
///
/// A watch that fails is retried with backoff (0.8 s doubling to 30 s, plus up to as
/// much again of jitter) and the cache keeps its last view meanwhile. A short outage
/// of the API server should not take every webhook pod out of its Service, so only a
/// watch failing for `after` turns `/readyz` false; with no endpoints left the API
/// server then applies failurePolicy instead of asking a pod with an old view.
#[derive(Clone, Copy, Debug)]
pub struct Staleness {
    /// Failing this long, with no event in between, makes the kind stale.
    pub after: Duration,
    /// No error for this long counts as recovered: a watch that resumes with nothing
    /// new to report sends no event, so silence after the backoff's longest wait is
    /// the only sign of it.
    pub quiet: Duration,
}

impl Default for Staleness {
    fn default() -> Self {
        Self {
            after: Duration::from_secs(60),
            quiet: Duration::from_secs(75),
        }
    }
}

/// The error history of one watch.
#[derive(Clone, Copy, Debug, Default)]
struct Health {
    failing_since: Option<Instant>,
    last_error: Option<Instant>,
}

/// The cached view of the cluster.
#[derive(Default)]
pub struct ClusterCache {
    catalog: RwLock<Catalog>,
    /// Keys held per kind, so a relist can drop what disappeared while not watching.
    keys: RwLock<HashMap<WatchedKind, HashSet<EntryKey>>>,
    /// `halint.io/ignore` of workloads that carry it, for scale requests (the catalog
    /// keeps no annotations).
    exemptions: RwLock<HashMap<EntryKey, String>>,
    /// Only namespaces that carry the mode label (the watch filters on it).
    namespaces: RwLock<HashMap<String, NamespaceMode>>,
    synced: [AtomicBool; WatchedKind::ALL.len()],
    health: Mutex<[Health; WatchedKind::ALL.len()]>,
    staleness: Staleness,
}

impl ClusterCache {
    /// A cache filled by hand (tests) and marked synced.
    pub fn from_catalog(catalog: Catalog) -> Self {
        let cache = Self {
            catalog: RwLock::new(catalog),
            ..Self::default()
        };
        for kind in WatchedKind::ALL {
            cache.synced[kind.index()].store(true, Ordering::Release);
        }
        cache
    }

    /// An empty cache with its own staleness thresholds (the default is [`Staleness::default`]).
    pub fn with_staleness(staleness: Staleness) -> Self {
        Self {
            staleness,
            ..Self::default()
        }
    }

    /// A watch delivered an event: it works.
    pub fn watch_ok(&self, kind: WatchedKind) {
        let mut health = self.health.lock().unwrap_or_else(|e| e.into_inner());
        health[kind.index()] = Health::default();
    }

    /// A watch (or its list) failed and will be retried.
    pub fn watch_failed(&self, kind: WatchedKind) {
        let now = Instant::now();
        let mut health = self.health.lock().unwrap_or_else(|e| e.into_inner());
        let h = &mut health[kind.index()];
        let recovered = h
            .last_error
            .is_none_or(|last| now.duration_since(last) >= self.staleness.quiet);
        if recovered {
            h.failing_since = Some(now);
        }
        h.last_error = Some(now);
    }

    /// Kinds whose watch has been failing for longer than the staleness threshold, with
    /// how long. Custom resources never count: their CRD may be removed between two
    /// discoveries, and readiness must not hang on an optional kind.
    pub fn stale(&self) -> Vec<(&'static str, Duration)> {
        let now = Instant::now();
        let health = self.health.lock().unwrap_or_else(|e| e.into_inner());
        WatchedKind::ALL
            .into_iter()
            .filter(|kind| kind.gates_readiness())
            .filter_map(|kind| {
                let h = health[kind.index()];
                let (since, last) = (h.failing_since?, h.last_error?);
                let failing = now.duration_since(since);
                (now.duration_since(last) < self.staleness.quiet && failing >= self.staleness.after)
                    .then_some((kind.resource().1, failing))
            })
            .collect()
    }

    /// The catalog, for one admission decision.
    pub fn catalog(&self) -> RwLockReadGuard<'_, Catalog> {
        self.catalog.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The `halint.io/ignore` annotation of a cached workload.
    pub fn exemption(&self, namespace: &str, kind: &'static str, name: &str) -> Option<String> {
        let key = EntryKey {
            namespace: namespace.to_owned(),
            kind,
            name: name.to_owned(),
        };
        let exemptions = self.exemptions.read().unwrap_or_else(|e| e.into_inner());
        exemptions.get(&key).cloned()
    }

    pub fn namespace_mode(&self, namespace: &str) -> Option<NamespaceMode> {
        let namespaces = self.namespaces.read().unwrap_or_else(|e| e.into_inner());
        namespaces.get(namespace).copied()
    }

    pub fn set_namespace_mode(&self, namespace: &str, mode: Option<NamespaceMode>) {
        let mut namespaces = self.namespaces.write().unwrap_or_else(|e| e.into_inner());
        match mode {
            Some(mode) => namespaces.insert(namespace.to_owned(), mode),
            None => namespaces.remove(namespace),
        };
    }

    /// Kinds readiness waits for whose first list has not completed yet.
    pub fn unsynced(&self) -> Vec<&'static str> {
        WatchedKind::ALL
            .into_iter()
            .filter(|k| k.gates_readiness() && !self.synced[k.index()].load(Ordering::Acquire))
            .map(|k| k.resource().1)
            .collect()
    }

    /// Publishes cache sizes and sync state (called when /metrics is scraped).
    pub fn report(&self, metrics: &Metrics) {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        for kind in WatchedKind::ALL {
            let len = match kind {
                WatchedKind::Namespaces => self.namespaces.read().map(|n| n.len()).unwrap_or(0),
                _ => keys.get(&kind).map_or(0, HashSet::len),
            };
            metrics.cache(
                kind.resource().1,
                len,
                self.synced[kind.index()].load(Ordering::Acquire),
            );
        }
    }

    /// Adds or replaces one object's projection.
    pub fn apply(&self, kind: WatchedKind, (entry, exemption): Projection) {
        let key = entry.key();
        self.write_catalog().upsert(entry);
        self.set_exemption(&key, exemption);
        self.write_keys().entry(kind).or_default().insert(key);
    }

    /// Forgets one object.
    pub fn delete(&self, kind: WatchedKind, entry: &Entry) {
        let key = entry.key();
        self.write_catalog().remove(&key);
        self.set_exemption(&key, None);
        if let Some(keys) = self.write_keys().get_mut(&kind) {
            keys.remove(&key);
        }
    }

    /// After a (re)list: the listed objects replace everything held for that kind, and
    /// the kind counts as synced.
    pub fn replace(&self, kind: WatchedKind, listed: Vec<Projection>) {
        let fresh: HashSet<EntryKey> = listed.iter().map(|(e, _)| e.key()).collect();
        let mut catalog = self.write_catalog();
        let mut keys = self.write_keys();
        let mut exemptions = self.exemptions.write().unwrap_or_else(|e| e.into_inner());
        let held = keys.entry(kind).or_default();
        for gone in held.difference(&fresh) {
            catalog.remove(gone);
            exemptions.remove(gone);
        }
        for (entry, exemption) in listed {
            let key = entry.key();
            catalog.upsert(entry);
            match exemption {
                Some(value) => exemptions.insert(key, value),
                None => exemptions.remove(&key),
            };
        }
        *held = fresh;
        drop((catalog, keys, exemptions));
        self.synced[kind.index()].store(true, Ordering::Release);
    }

    /// Drops everything held for a kind that is no longer watched (its CRD went away).
    pub fn forget(&self, kind: WatchedKind) {
        self.replace(kind, Vec::new());
        self.synced[kind.index()].store(false, Ordering::Release);
    }

    fn set_exemption(&self, key: &EntryKey, exemption: Option<String>) {
        let mut exemptions = self.exemptions.write().unwrap_or_else(|e| e.into_inner());
        match exemption {
            Some(value) => exemptions.insert(key.clone(), value),
            None => exemptions.remove(key),
        };
    }

    fn write_catalog(&self) -> std::sync::RwLockWriteGuard<'_, Catalog> {
        self.catalog.write().unwrap_or_else(|e| e.into_inner())
    }

    fn write_keys(
        &self,
    ) -> std::sync::RwLockWriteGuard<'_, HashMap<WatchedKind, HashSet<EntryKey>>> {
        self.keys.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// What the cache keeps of one object: its catalog entry and, for a workload, its
/// `halint.io/ignore` annotation.
pub type Projection = (Entry, Option<String>);

/// A kind whose objects become catalog entries.
pub trait Projected:
    Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static
{
    const KIND: WatchedKind;
    fn project(&self) -> Projection;
}

macro_rules! projected {
    ($ty:ty, $kind:ident, $variant:ident) => {
        impl Projected for $ty {
            const KIND: WatchedKind = WatchedKind::$kind;
            fn project(&self) -> Projection {
                (Entry::$variant(self.into()), None)
            }
        }
    };
    ($ty:ty, $kind:ident, workload, |$o:ident| $template:expr) => {
        impl Projected for $ty {
            const KIND: WatchedKind = WatchedKind::$kind;
            fn project(&self) -> Projection {
                let $o = self;
                let template = $template
                    .and_then(|t| t.metadata.as_ref())
                    .and_then(|m| m.annotations.as_ref());
                // The engine reads the annotation on the object or its pod template.
                let ignore: Vec<&str> = [Some(self.annotations()), template]
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a.get(IGNORE_ANNOTATION).map(String::as_str))
                    .collect();
                let ignore = (!ignore.is_empty()).then(|| ignore.join(","));
                (Entry::Workload(self.into()), ignore)
            }
        }
    };
}

projected!(Deployment, Deployments, workload, |o| Some(
    &o.spec.template
));
projected!(StatefulSet, StatefulSets, workload, |o| Some(
    &o.spec.template
));
projected!(DaemonSet, DaemonSets, workload, |o| Some(&o.spec.template));
projected!(ReplicaSet, ReplicaSets, workload, |o| o
    .spec
    .template
    .as_ref());
projected!(PodDisruptionBudget, PodDisruptionBudgets, Pdb);
projected!(
    HorizontalPodAutoscaler,
    HorizontalPodAutoscalers,
    Autoscaler
);
projected!(Service, Services, Service);
projected!(PersistentVolumeClaim, PersistentVolumeClaims, Pvc);

/// Starts one watch per kind. The tasks run until the process exits; the watches
/// reconnect with backoff on their own.
pub fn start(client: Client, cache: &Arc<ClusterCache>) -> Vec<tokio::task::JoinHandle<()>> {
    vec![
        tokio::spawn(watch::<Deployment>(client.clone(), Arc::clone(cache))),
        tokio::spawn(watch::<StatefulSet>(client.clone(), Arc::clone(cache))),
        tokio::spawn(watch::<DaemonSet>(client.clone(), Arc::clone(cache))),
        tokio::spawn(watch::<ReplicaSet>(client.clone(), Arc::clone(cache))),
        tokio::spawn(watch::<PodDisruptionBudget>(
            client.clone(),
            Arc::clone(cache),
        )),
        tokio::spawn(watch::<HorizontalPodAutoscaler>(
            client.clone(),
            Arc::clone(cache),
        )),
        tokio::spawn(watch::<Service>(client.clone(), Arc::clone(cache))),
        tokio::spawn(watch::<PersistentVolumeClaim>(
            client.clone(),
            Arc::clone(cache),
        )),
        tokio::spawn(watch_namespaces(client, Arc::clone(cache))),
    ]
}

pub(crate) fn watcher_config() -> watcher::Config {
    // resourceVersion=0 lists are served from the API server's watch cache, not etcd.
    watcher::Config::default().any_semantic()
}

async fn watch<K: Projected>(client: Client, cache: Arc<ClusterCache>) {
    let stream = watcher::watcher(Api::<K>::all(client), watcher_config())
        .default_backoff()
        // Projection drops them anyway; stripping first keeps the transient copy small.
        .modify(|o| o.managed_fields_mut().clear());
    run_watch(K::KIND, stream, &cache, |o: &K| Some(o.project())).await;
}

/// Feeds one watch's events into the cache; objects `project` cannot read are left out.
pub(crate) async fn run_watch<K>(
    kind: WatchedKind,
    stream: impl futures::Stream<Item = Result<Event<K>, watcher::Error>>,
    cache: &ClusterCache,
    project: impl Fn(&K) -> Option<Projection>,
) {
    let name = kind.resource().1;
    let mut stream = std::pin::pin!(stream);
    let mut listed: Vec<Projection> = Vec::new();
    while let Some(event) = stream.next().await {
        match &event {
            Ok(_) => cache.watch_ok(kind),
            Err(_) => cache.watch_failed(kind),
        }
        match event {
            Ok(Event::Apply(o)) => match project(&o) {
                Some(p) => cache.apply(kind, p),
                None => tracing::warn!(kind = name, "object not readable; left out"),
            },
            Ok(Event::Delete(o)) => {
                if let Some((entry, _)) = project(&o) {
                    cache.delete(kind, &entry);
                }
            }
            Ok(Event::Init) => listed.clear(),
            Ok(Event::InitApply(o)) => listed.extend(project(&o)),
            Ok(Event::InitDone) => {
                tracing::info!(kind = name, objects = listed.len(), "cache synced");
                cache.replace(kind, std::mem::take(&mut listed));
            }
            Err(e) => tracing::warn!(kind = name, error = %e, "watch failed; retrying"),
        }
    }
}

/// Only namespaces labelled `halint.io/mode` are watched: the rest need no state.
async fn watch_namespaces(client: Client, cache: Arc<ClusterCache>) {
    let config = watcher_config().labels(MODE_LABEL);
    let stream = watcher::watcher(Api::<Namespace>::all(client), config).default_backoff();
    let mut stream = std::pin::pin!(stream);
    let mut listed: HashMap<String, NamespaceMode> = HashMap::new();
    let mode_of = |ns: &Namespace| {
        let value = ns.labels().get(MODE_LABEL)?;
        let mode = NamespaceMode::from_label(value);
        if mode.is_none() {
            tracing::warn!(
                namespace = ns.name_any(),
                value,
                "unknown {MODE_LABEL} label value (expected off or warn); enforcing"
            );
        }
        mode
    };
    while let Some(event) = stream.next().await {
        match &event {
            Ok(_) => cache.watch_ok(WatchedKind::Namespaces),
            Err(_) => cache.watch_failed(WatchedKind::Namespaces),
        }
        match event {
            Ok(Event::Apply(ns)) => cache.set_namespace_mode(&ns.name_any(), mode_of(&ns)),
            Ok(Event::Delete(ns)) => cache.set_namespace_mode(&ns.name_any(), None),
            Ok(Event::Init) => listed.clear(),
            Ok(Event::InitApply(ns)) => {
                if let Some(mode) = mode_of(&ns) {
                    listed.insert(ns.name_any(), mode);
                }
            }
            Ok(Event::InitDone) => {
                tracing::info!(kind = "namespaces", objects = listed.len(), "cache synced");
                *cache.namespaces.write().unwrap_or_else(|e| e.into_inner()) =
                    std::mem::take(&mut listed);
                cache.synced[WatchedKind::Namespaces.index()].store(true, Ordering::Release);
            }
            Err(e) => tracing::warn!(kind = "namespaces", error = %e, "watch failed; retrying"),
        }
    }
}
