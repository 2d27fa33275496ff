//! Projections of the objects cross-object rules reason about, indexed by namespace and label.
//!
//! The CLI fills a catalog from the linted set; the webhook keeps one filled from the cluster
//! by watches. Only what the rules read is kept (labels, selectors, replica counts, budgets),
//! so that a cache of a large cluster stays small. Lookups go through label indexes: matching
//! every PDB against every workload would be quadratic.

use std::collections::HashMap;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v1::HorizontalPodAutoscaler as HpaV1;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, ReplicationController, Service};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::selector::{self, LabelSet, LabelSource, Selector, Selects};
use super::{Kind, Object, Rollout, ScaledObject, WorkloadKind};

/// Where a catalog entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The object at this index of the linted set.
    Set(usize),
    /// A counterpart that is seen but never reported on (`--context`).
    Context,
    /// The cluster, as the webhook's watches see it.
    Cluster,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadInfo {
    pub namespace: String,
    pub kind: WorkloadKind,
    pub name: String,
    /// Labels of the pod template.
    pub labels: LabelSet,
    /// spec.replicas as written (None: absent, which means 1; or a DaemonSet).
    pub replicas: Option<i32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PdbInfo {
    pub namespace: String,
    pub name: String,
    /// None selects nothing; an empty selector selects every pod of the namespace.
    pub selector: Option<Selector>,
    pub min_available: Option<IntOrString>,
    pub max_unavailable: Option<IntOrString>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoscalerInfo {
    pub namespace: String,
    /// "HorizontalPodAutoscaler" or "ScaledObject".
    pub kind: &'static str,
    pub name: String,
    pub target_kind: String,
    pub target_name: String,
    /// minReplicas, with its default applied (1 for an HPA, 0 for a KEDA ScaledObject).
    pub min_replicas: i32,
}

impl AutoscalerInfo {
    /// The field that holds the minimum, as the autoscaler's kind spells it.
    pub fn min_field(&self) -> &'static str {
        if self.kind == "ScaledObject" {
            "minReplicaCount"
        } else {
            "minReplicas"
        }
    }

    pub fn min_pointer(&self) -> String {
        format!("/spec/{}", self.min_field())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceInfo {
    pub namespace: String,
    pub name: String,
    /// None or empty: the Service selects no pods (its endpoints are managed elsewhere).
    pub selector: Option<LabelSet>,
    /// clusterIP None: DNS answers with the pods' own addresses (what a StatefulSet needs).
    pub headless: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PvcInfo {
    pub namespace: String,
    pub name: String,
    /// spec.accessModes as written (ReadWriteOnce, ReadOnlyMany, ReadWriteMany,
    /// ReadWriteOncePod).
    pub access_modes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Workload(WorkloadInfo),
    Pdb(PdbInfo),
    Autoscaler(AutoscalerInfo),
    Service(ServiceInfo),
    Pvc(PvcInfo),
}

/// Identity of an entry: an update replaces the entry with the same key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryKey {
    pub namespace: String,
    pub kind: &'static str,
    pub name: String,
}

fn ns_name(meta: &ObjectMeta) -> (String, String) {
    (
        meta.namespace
            .clone()
            .unwrap_or_else(|| "default".to_string()),
        meta.name.clone().unwrap_or_default(),
    )
}

fn template_labels(t: Option<&k8s_openapi::api::core::v1::PodTemplateSpec>) -> LabelSet {
    t.and_then(|t| t.metadata.as_ref())
        .and_then(|m| m.labels.as_ref())
        .map(LabelSet::from)
        .unwrap_or_default()
}

macro_rules! workload_from {
    ($ty:ty, $kind:expr, |$spec:ident| $template:expr, $replicas:expr) => {
        impl From<&$ty> for WorkloadInfo {
            fn from(o: &$ty) -> Self {
                let (namespace, name) = ns_name(&o.metadata);
                let $spec = &o.spec;
                WorkloadInfo {
                    namespace,
                    kind: $kind,
                    name,
                    labels: template_labels($template),
                    replicas: $replicas,
                }
            }
        }
    };
}

workload_from!(
    Deployment,
    WorkloadKind::Deployment,
    |s| Some(&s.template),
    s.replicas
);
workload_from!(
    StatefulSet,
    WorkloadKind::StatefulSet,
    |s| Some(&s.template),
    s.replicas
);
workload_from!(
    DaemonSet,
    WorkloadKind::DaemonSet,
    |s| Some(&s.template),
    None
);
workload_from!(
    ReplicaSet,
    WorkloadKind::ReplicaSet,
    |s| s.template.as_ref(),
    s.replicas
);

impl From<&ReplicationController> for WorkloadInfo {
    fn from(o: &ReplicationController) -> Self {
        let (namespace, name) = ns_name(&o.metadata);
        let spec = o.spec.as_ref();
        WorkloadInfo {
            namespace,
            kind: WorkloadKind::ReplicationController,
            name,
            labels: template_labels(spec.and_then(|s| s.template.as_ref())),
            replicas: spec.and_then(|s| s.replicas),
        }
    }
}

impl From<&Rollout> for WorkloadInfo {
    fn from(o: &Rollout) -> Self {
        let (namespace, name) = ns_name(&o.metadata);
        WorkloadInfo {
            namespace,
            kind: WorkloadKind::Rollout,
            name,
            labels: template_labels(o.spec.template.as_ref()),
            replicas: o.spec.replicas,
        }
    }
}

impl From<&PodDisruptionBudget> for PdbInfo {
    fn from(o: &PodDisruptionBudget) -> Self {
        let (namespace, name) = ns_name(&o.metadata);
        let spec = o.spec.as_ref();
        PdbInfo {
            namespace,
            name,
            selector: spec.and_then(|s| s.selector.as_ref()).map(Selector::from),
            min_available: spec.and_then(|s| s.min_available.clone()),
            max_unavailable: spec.and_then(|s| s.max_unavailable.clone()),
        }
    }
}

/// autoscaling/v1 and v2 differ in their metrics, not in what the rules read.
macro_rules! autoscaler_from {
    ($ty:ty) => {
        impl From<&$ty> for AutoscalerInfo {
            fn from(o: &$ty) -> Self {
                let (namespace, name) = ns_name(&o.metadata);
                AutoscalerInfo {
                    namespace,
                    kind: "HorizontalPodAutoscaler",
                    name,
                    target_kind: o.spec.scale_target_ref.kind.clone(),
                    target_name: o.spec.scale_target_ref.name.clone(),
                    min_replicas: o.spec.min_replicas.unwrap_or(1),
                }
            }
        }
    };
}

autoscaler_from!(HorizontalPodAutoscaler);
autoscaler_from!(HpaV1);

impl From<&ScaledObject> for AutoscalerInfo {
    fn from(o: &ScaledObject) -> Self {
        let (namespace, name) = ns_name(&o.metadata);
        let target = &o.spec.scale_target_ref;
        AutoscalerInfo {
            namespace,
            kind: "ScaledObject",
            name,
            target_kind: target.kind().to_string(),
            target_name: target.name.clone(),
            min_replicas: o.spec.min_replicas(),
        }
    }
}

impl From<&PersistentVolumeClaim> for PvcInfo {
    fn from(o: &PersistentVolumeClaim) -> Self {
        let (namespace, name) = ns_name(&o.metadata);
        PvcInfo {
            namespace,
            name,
            access_modes: o
                .spec
                .as_ref()
                .and_then(|s| s.access_modes.clone())
                .unwrap_or_default(),
        }
    }
}

impl From<&Service> for ServiceInfo {
    fn from(o: &Service) -> Self {
        let (namespace, name) = ns_name(&o.metadata);
        ServiceInfo {
            namespace,
            name,
            selector: o
                .spec
                .as_ref()
                .and_then(|s| s.selector.as_ref())
                .map(LabelSet::from),
            headless: o
                .spec
                .as_ref()
                .and_then(|s| s.cluster_ip.as_deref())
                .is_some_and(|ip| ip == "None"),
        }
    }
}

impl Entry {
    /// The projection of an object, with the object's (defaulted) namespace.
    pub fn from_object(object: &Object) -> Option<Entry> {
        let mut entry = match &object.kind {
            Kind::Deployment(o) => Entry::Workload(o.as_ref().into()),
            Kind::StatefulSet(o) => Entry::Workload(o.as_ref().into()),
            Kind::DaemonSet(o) => Entry::Workload(o.as_ref().into()),
            Kind::ReplicaSet(o) => Entry::Workload(o.as_ref().into()),
            Kind::ReplicationController(o) => Entry::Workload(o.as_ref().into()),
            Kind::PodDisruptionBudget(o) => Entry::Pdb(o.as_ref().into()),
            Kind::HorizontalPodAutoscaler(o) => Entry::Autoscaler(o.as_ref().into()),
            Kind::HorizontalPodAutoscalerV1(o) => Entry::Autoscaler(o.as_ref().into()),
            Kind::Service(o) => Entry::Service(o.as_ref().into()),
            Kind::Rollout(o) => Entry::Workload(o.as_ref().into()),
            Kind::ScaledObject(o) => Entry::Autoscaler(o.as_ref().into()),
            Kind::PersistentVolumeClaim(o) => Entry::Pvc(o.as_ref().into()),
            Kind::Pod(_)
            | Kind::ValidatingWebhookConfiguration(_)
            | Kind::MutatingWebhookConfiguration(_) => return None,
        };
        let namespace = match &mut entry {
            Entry::Workload(e) => &mut e.namespace,
            Entry::Pdb(e) => &mut e.namespace,
            Entry::Autoscaler(e) => &mut e.namespace,
            Entry::Service(e) => &mut e.namespace,
            Entry::Pvc(e) => &mut e.namespace,
        };
        namespace.clone_from(&object.id.namespace);
        Some(entry)
    }

    pub fn key(&self) -> EntryKey {
        let (namespace, kind, name) = match self {
            Entry::Workload(e) => (&e.namespace, e.kind.as_str(), &e.name),
            Entry::Pdb(e) => (&e.namespace, "PodDisruptionBudget", &e.name),
            Entry::Autoscaler(e) => (&e.namespace, e.kind, &e.name),
            Entry::Service(e) => (&e.namespace, "Service", &e.name),
            Entry::Pvc(e) => (&e.namespace, "PersistentVolumeClaim", &e.name),
        };
        EntryKey {
            namespace: namespace.clone(),
            kind,
            name: name.clone(),
        }
    }
}

/// A catalog entry found by a lookup, with where it came from.
#[derive(Debug)]
pub struct Hit<'a, T> {
    pub info: &'a T,
    pub source: Source,
}

impl<T> Clone for Hit<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Hit<'_, T> {}

type ItemKey = (&'static str, String);

/// A label pair, or an autoscaler's target kind and name, as the label index keys it: by
/// its hash, so that a lookup copies nothing. Every lookup checks what it finds against the
/// pair itself, so pairs that share a hash cost a comparison, never a wrong answer.
type PairKey = u64;

#[cfg(not(test))]
fn pair_key(k: &str, v: &str) -> PairKey {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0).hash_one((k, v))
}

/// The unit tests index with a hash that collides whenever two keys are as long as each
/// other, which holds every lookup's check to account.
#[cfg(test)]
fn pair_key(k: &str, _: &str) -> PairKey {
    k.len() as PairKey
}

/// The keys of `labels`' pairs, each once: pairs that share a hash share their entries,
/// which would otherwise be found twice.
fn pair_keys(labels: &impl LabelSource) -> Vec<PairKey> {
    let mut keys: Vec<PairKey> = labels.pairs().map(|(k, v)| pair_key(k, v)).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The label index's own hasher: its keys are hashes already.
type PairHasher = foldhash::fast::FixedState;

/// How an entry is found by label.
enum IndexedBy<'a> {
    /// Under each of these pairs (a workload, by its pod labels).
    Pairs(Vec<(&'a str, &'a str)>),
    /// Only by scanning: its selector has no required label pair.
    Scan,
    /// Never: it selects nothing.
    Never,
}

/// What an entry is indexed under, read from the entry itself: kept beside each of
/// thousands of entries, a copy of its pairs cost as much as the entry.
trait Indexed {
    fn indexed_by(&self) -> IndexedBy<'_>;
}

impl Indexed for WorkloadInfo {
    fn indexed_by(&self) -> IndexedBy<'_> {
        IndexedBy::Pairs(self.labels.iter().collect())
    }
}

impl Indexed for PdbInfo {
    fn indexed_by(&self) -> IndexedBy<'_> {
        match &self.selector {
            None => IndexedBy::Never,
            Some(s) => match s.required_pair() {
                Some((k, v)) => IndexedBy::Pairs(vec![(k, v)]),
                None => IndexedBy::Scan,
            },
        }
    }
}

impl Indexed for AutoscalerInfo {
    fn indexed_by(&self) -> IndexedBy<'_> {
        IndexedBy::Pairs(vec![(&self.target_kind, &self.target_name)])
    }
}

impl Indexed for ServiceInfo {
    fn indexed_by(&self) -> IndexedBy<'_> {
        match self.selector.as_ref().and_then(|s| s.iter().next()) {
            Some(pair) => IndexedBy::Pairs(vec![pair]),
            None => IndexedBy::Never,
        }
    }
}

impl Indexed for PvcInfo {
    fn indexed_by(&self) -> IndexedBy<'_> {
        // Found by name only: nothing selects a claim by label.
        IndexedBy::Never
    }
}

/// The entries of one kind in one namespace, with a label index.
struct Table<T> {
    items: HashMap<ItemKey, (T, Source)>,
    labels: LabelIndex,
}

/// Which entries to look at for a label pair: those filed under its hash, and those only a
/// scan finds.
#[derive(Default)]
struct LabelIndex {
    by_pair: HashMap<PairKey, Vec<ItemKey>, PairHasher>,
    scan: Vec<ItemKey>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            items: HashMap::new(),
            labels: LabelIndex::default(),
        }
    }
}

impl<T: Indexed> Table<T> {
    fn insert(&mut self, key: ItemKey, value: T, source: Source) {
        use std::collections::hash_map::Entry;
        // One lookup, whether the entry is new or replaces one.
        match self.items.entry(key) {
            Entry::Occupied(mut slot) => {
                let (old, _) = slot.insert((value, source));
                self.labels.remove(slot.key(), &old);
                self.labels.add(slot.key(), &slot.get().0);
            }
            Entry::Vacant(slot) => {
                let key = slot.key().clone();
                let (value, _) = slot.insert((value, source));
                self.labels.add(&key, value);
            }
        }
    }

    fn remove(&mut self, key: &ItemKey) -> bool {
        let Some((value, _)) = self.items.remove(key) else {
            return false;
        };
        self.labels.remove(key, &value);
        true
    }
}

impl LabelIndex {
    /// Files `key` under what `value` is indexed by.
    fn add(&mut self, key: &ItemKey, value: &impl Indexed) {
        match value.indexed_by() {
            IndexedBy::Pairs(pairs) => {
                for (k, v) in pairs {
                    let keys = self.by_pair.entry(pair_key(k, v)).or_default();
                    // Two of the entry's pairs may share a hash.
                    if keys.last() != Some(key) {
                        // Most pairs index one entry: room for one, not the four a first
                        // push makes. Only the first: a pair that many entries share (a
                        // team label) would otherwise be copied whole at every push.
                        if keys.is_empty() {
                            keys.reserve_exact(1);
                        }
                        keys.push(key.clone());
                    }
                }
            }
            IndexedBy::Scan => self.scan.push(key.clone()),
            IndexedBy::Never => {}
        }
    }

    /// Takes `key` out from under what `value` was indexed by.
    fn remove(&mut self, key: &ItemKey, value: &impl Indexed) {
        match value.indexed_by() {
            IndexedBy::Pairs(pairs) => {
                for (k, v) in pairs {
                    let pair = pair_key(k, v);
                    if let Some(keys) = self.by_pair.get_mut(&pair) {
                        keys.retain(|k| k != key);
                        if keys.is_empty() {
                            self.by_pair.remove(&pair);
                        }
                    }
                }
            }
            IndexedBy::Scan => self.scan.retain(|k| k != key),
            IndexedBy::Never => {}
        }
    }

    /// The keys filed under a pair's hash.
    fn under(&self, pair: &PairKey) -> Option<&[ItemKey]> {
        self.by_pair.get(pair).map(Vec::as_slice)
    }
}

impl<T> Table<T> {
    fn get(&self, key: &ItemKey) -> Option<Hit<'_, T>> {
        self.items.get(key).map(|(info, source)| Hit {
            info,
            source: *source,
        })
    }

    fn hits<'a>(
        &'a self,
        keys: impl IntoIterator<Item = &'a ItemKey>,
    ) -> impl Iterator<Item = Hit<'a, T>> {
        keys.into_iter().filter_map(|k| self.get(k))
    }

    fn all(&self) -> impl Iterator<Item = Hit<'_, T>> {
        self.items.values().map(|(info, source)| Hit {
            info,
            source: *source,
        })
    }
}

#[derive(Default)]
struct Namespace {
    workloads: Table<WorkloadInfo>,
    pdbs: Table<PdbInfo>,
    autoscalers: Table<AutoscalerInfo>,
    services: Table<ServiceInfo>,
    pvcs: Table<PvcInfo>,
}

impl Namespace {
    fn is_empty(&self) -> bool {
        self.workloads.items.is_empty()
            && self.pdbs.items.is_empty()
            && self.autoscalers.items.is_empty()
            && self.services.items.is_empty()
            && self.pvcs.items.is_empty()
    }
}

#[derive(Default)]
pub struct Catalog {
    /// Hashed with foldhash, cheaper than SipHash on every upsert and lookup.
    /// Its random seed is enough here: a name that collides with others on purpose needs
    /// the right to create namespaces. Entries within a namespace, which anyone who
    /// creates objects names, keep SipHash.
    namespaces: HashMap<String, Namespace, foldhash::fast::RandomState>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("sizes", &self.sizes())
            .finish()
    }
}

/// Entry counts by kind, for metrics and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sizes {
    pub workloads: usize,
    pub pdbs: usize,
    pub autoscalers: usize,
    pub services: usize,
    pub pvcs: usize,
}

impl Catalog {
    /// Adds or replaces an entry seen in the cluster.
    pub fn upsert(&mut self, entry: Entry) {
        self.upsert_from(entry, Source::Cluster);
    }

    pub fn upsert_from(&mut self, entry: Entry, source: Source) {
        match entry {
            Entry::Workload(e) => {
                let key = (e.kind.as_str(), e.name.clone());
                let ns = self.namespace(&e.namespace);
                ns.workloads.insert(key, e, source);
            }
            Entry::Pdb(e) => {
                let key = ("PodDisruptionBudget", e.name.clone());
                self.namespace(&e.namespace).pdbs.insert(key, e, source);
            }
            Entry::Autoscaler(e) => {
                let key = (e.kind, e.name.clone());
                let ns = self.namespace(&e.namespace);
                ns.autoscalers.insert(key, e, source);
            }
            Entry::Service(e) => {
                let key = ("Service", e.name.clone());
                self.namespace(&e.namespace).services.insert(key, e, source);
            }
            Entry::Pvc(e) => {
                let key = ("PersistentVolumeClaim", e.name.clone());
                self.namespace(&e.namespace).pvcs.insert(key, e, source);
            }
        }
    }

    /// Removes an entry; true when it was there.
    pub fn remove(&mut self, key: &EntryKey) -> bool {
        let Some(ns) = self.namespaces.get_mut(&key.namespace) else {
            return false;
        };
        let item = (key.kind, key.name.clone());
        let removed = match key.kind {
            "PodDisruptionBudget" => ns.pdbs.remove(&item),
            "HorizontalPodAutoscaler" | "ScaledObject" => ns.autoscalers.remove(&item),
            "Service" => ns.services.remove(&item),
            "PersistentVolumeClaim" => ns.pvcs.remove(&item),
            _ => ns.workloads.remove(&item),
        };
        if ns.is_empty() {
            self.namespaces.remove(&key.namespace);
        }
        removed
    }

    pub fn remove_entry(&mut self, entry: &Entry) -> bool {
        self.remove(&entry.key())
    }

    pub fn contains(&self, key: &EntryKey) -> bool {
        self.contains_named(&key.namespace, key.kind, &key.name)
    }

    /// Whether an entry of this kind ("Deployment", "PodDisruptionBudget", ...) and name is
    /// in the namespace.
    pub fn contains_named(&self, namespace: &str, kind: &'static str, name: &str) -> bool {
        let Some(ns) = self.namespaces.get(namespace) else {
            return false;
        };
        let item = (kind, name.to_string());
        match kind {
            "PodDisruptionBudget" => ns.pdbs.items.contains_key(&item),
            "HorizontalPodAutoscaler" | "ScaledObject" => ns.autoscalers.items.contains_key(&item),
            "Service" => ns.services.items.contains_key(&item),
            "PersistentVolumeClaim" => ns.pvcs.items.contains_key(&item),
            _ => ns.workloads.items.contains_key(&item),
        }
    }

    pub fn sizes(&self) -> Sizes {
        let mut sizes = Sizes::default();
        for ns in self.namespaces.values() {
            sizes.workloads += ns.workloads.items.len();
            sizes.pdbs += ns.pdbs.items.len();
            sizes.autoscalers += ns.autoscalers.items.len();
            sizes.services += ns.services.items.len();
            sizes.pvcs += ns.pvcs.items.len();
        }
        sizes
    }

    fn namespace(&mut self, name: &str) -> &mut Namespace {
        if !self.namespaces.contains_key(name) {
            self.namespaces
                .insert(name.to_string(), Namespace::default());
        }
        self.namespaces.get_mut(name).expect("inserted above")
    }

    /// Whether the namespace holds any workload.
    pub fn has_workloads(&self, namespace: &str) -> bool {
        self.namespaces
            .get(namespace)
            .is_some_and(|ns| !ns.workloads.items.is_empty())
    }

    /// Whether the namespace holds any Service.
    pub fn has_services(&self, namespace: &str) -> bool {
        self.namespaces
            .get(namespace)
            .is_some_and(|ns| !ns.services.items.is_empty())
    }

    pub fn service(&self, namespace: &str, name: &str) -> Option<Hit<'_, ServiceInfo>> {
        self.namespaces
            .get(namespace)?
            .services
            .get(&("Service", name.to_string()))
    }

    pub fn pvc(&self, namespace: &str, name: &str) -> Option<Hit<'_, PvcInfo>> {
        self.namespaces
            .get(namespace)?
            .pvcs
            .get(&("PersistentVolumeClaim", name.to_string()))
    }

    pub fn workload(
        &self,
        namespace: &str,
        kind: WorkloadKind,
        name: &str,
    ) -> Option<Hit<'_, WorkloadInfo>> {
        self.namespaces
            .get(namespace)?
            .workloads
            .get(&(kind.as_str(), name.to_string()))
    }

    /// Workloads whose pod labels `selector` matches.
    pub fn workloads_matching(
        &self,
        namespace: &str,
        selector: &impl Selects,
    ) -> Vec<Hit<'_, WorkloadInfo>> {
        let Some(ns) = self.namespaces.get(namespace) else {
            return Vec::new();
        };
        let matching = |h: &Hit<'_, WorkloadInfo>| selector.selects(&h.info.labels);
        match selector.required_pair() {
            Some((k, v)) => match ns.workloads.labels.under(&pair_key(k, v)) {
                Some(keys) => ns.workloads.hits(keys).filter(matching).collect(),
                None => Vec::new(),
            },
            None => ns.workloads.all().filter(matching).collect(),
        }
    }

    /// PDBs whose selector matches pods carrying `labels`.
    pub fn pdbs_covering(
        &self,
        namespace: &str,
        labels: &impl LabelSource,
    ) -> Vec<Hit<'_, PdbInfo>> {
        let Some(ns) = self.namespaces.get(namespace) else {
            return Vec::new();
        };
        let keys = pair_keys(labels);
        let indexed = keys
            .iter()
            .filter_map(|key| ns.pdbs.labels.under(key))
            .flatten();
        ns.pdbs
            .hits(indexed.chain(&ns.pdbs.labels.scan))
            .filter(|h| h.info.selector.as_ref().is_some_and(|s| s.selects(labels)))
            .collect()
    }

    /// Autoscalers whose scaleTargetRef names this workload.
    pub fn autoscalers_of(
        &self,
        namespace: &str,
        kind: &str,
        name: &str,
    ) -> Vec<Hit<'_, AutoscalerInfo>> {
        let Some(ns) = self.namespaces.get(namespace) else {
            return Vec::new();
        };
        let Some(keys) = ns.autoscalers.labels.under(&pair_key(kind, name)) else {
            return Vec::new();
        };
        ns.autoscalers
            .hits(keys)
            .filter(|h| h.info.target_kind == kind && h.info.target_name == name)
            .collect()
    }

    /// Services whose selector matches pods carrying `labels`.
    pub fn services_selecting(
        &self,
        namespace: &str,
        labels: &impl LabelSource,
    ) -> Vec<Hit<'_, ServiceInfo>> {
        let Some(ns) = self.namespaces.get(namespace) else {
            return Vec::new();
        };
        let keys = pair_keys(labels);
        let indexed = keys
            .iter()
            .filter_map(|key| ns.services.labels.under(key))
            .flatten();
        ns.services
            .hits(indexed)
            .filter(|h| {
                h.info
                    .selector
                    .as_ref()
                    .is_some_and(|s| selector::map_matches(s, labels))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::objects::selector::tests::labels;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

    fn workload(name: &str, l: &[(&str, &str)]) -> Entry {
        Entry::Workload(WorkloadInfo {
            namespace: "ns".into(),
            kind: WorkloadKind::Deployment,
            name: name.into(),
            labels: LabelSet::from(&labels(l)),
            replicas: Some(3),
        })
    }

    fn pdb(name: &str, selector: Option<LabelSelector>) -> Entry {
        Entry::Pdb(PdbInfo {
            namespace: "ns".into(),
            name: name.into(),
            selector: selector.as_ref().map(Selector::from),
            min_available: None,
            max_unavailable: Some(IntOrString::Int(1)),
        })
    }

    #[test]
    fn pdb_lookups_honour_empty_and_missing_selectors() {
        let mut c = Catalog::default();
        c.upsert(pdb(
            "by-label",
            Some(LabelSelector {
                match_labels: Some(labels(&[("app", "web")])),
                match_expressions: None,
            }),
        ));
        c.upsert(pdb("everything", Some(LabelSelector::default())));
        c.upsert(pdb("nothing", None));
        let mut names: Vec<_> = c
            .pdbs_covering("ns", &labels(&[("app", "web")]))
            .iter()
            .map(|h| h.info.name.clone())
            .collect();
        names.sort();
        assert_eq!(names, ["by-label", "everything"]);
        assert_eq!(
            c.pdbs_covering("other", &labels(&[("app", "web")])).len(),
            0
        );
    }

    #[test]
    fn upsert_replaces_and_remove_unindexes() {
        let mut c = Catalog::default();
        c.upsert(workload("web", &[("app", "web")]));
        c.upsert(workload("web", &[("app", "shop")]));
        let sel = LabelSelector {
            match_labels: Some(labels(&[("app", "web")])),
            match_expressions: None,
        };
        assert!(c.workloads_matching("ns", &sel).is_empty());
        let shop = LabelSelector {
            match_labels: Some(labels(&[("app", "shop")])),
            match_expressions: None,
        };
        assert_eq!(c.workloads_matching("ns", &shop).len(), 1);
        assert!(c.remove(&workload("web", &[]).key()));
        assert!(c.workloads_matching("ns", &shop).is_empty());
        assert_eq!(c.sizes(), Sizes::default());
    }

    /// The unit tests' `pair_key` collides on keys of one length: `app` and `env` share
    /// entries, as do all autoscalers of Deployments. Each lookup still finds exactly its own,
    /// once.
    #[test]
    fn pairs_that_share_a_hash_are_told_apart() {
        let mut c = Catalog::default();
        c.upsert(workload("web", &[("app", "web"), ("env", "prod")]));
        c.upsert(workload("api", &[("app", "api")]));
        c.upsert(pdb(
            "api",
            Some(LabelSelector {
                match_labels: Some(labels(&[("app", "api")])),
                match_expressions: None,
            }),
        ));
        c.upsert(entry(serde_json::json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "prod", "namespace": "ns"},
            "spec": {"selector": {"env": "prod"}}
        })));
        for target in ["web", "api"] {
            c.upsert(entry(serde_json::json!({
                "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": target, "namespace": "ns"},
                "spec": {"scaleTargetRef": {"kind": "Deployment", "name": target}, "maxReplicas": 3}
            })));
        }
        let selecting = |pairs: &[(&str, &str)]| LabelSelector {
            match_labels: Some(labels(pairs)),
            match_expressions: None,
        };
        let names = |hits: Vec<&String>| hits.into_iter().cloned().collect::<Vec<_>>();
        let web = labels(&[("app", "web"), ("env", "prod")]);
        let workloads = c.workloads_matching("ns", &selecting(&[("app", "web")]));
        assert_eq!(
            names(workloads.iter().map(|h| &h.info.name).collect()),
            ["web"]
        );
        assert!(c.pdbs_covering("ns", &web).is_empty());
        let pdbs = c.pdbs_covering("ns", &labels(&[("app", "api")]));
        assert_eq!(names(pdbs.iter().map(|h| &h.info.name).collect()), ["api"]);
        let services = c.services_selecting("ns", &web);
        assert_eq!(
            names(services.iter().map(|h| &h.info.name).collect()),
            ["prod"]
        );
        let autoscalers = c.autoscalers_of("ns", "Deployment", "web");
        assert_eq!(
            names(autoscalers.iter().map(|h| &h.info.name).collect()),
            ["web"]
        );
        assert!(c.remove(&workload("web", &[]).key()));
        let workloads = c.workloads_matching("ns", &selecting(&[("app", "api")]));
        assert_eq!(
            names(workloads.iter().map(|h| &h.info.name).collect()),
            ["api"]
        );
    }

    fn entry(value: serde_json::Value) -> Entry {
        let object = Object::from_json(value).unwrap().unwrap();
        Entry::from_object(&object).unwrap()
    }

    #[test]
    fn a_scaled_object_and_an_hpa_of_one_name_are_two_entries() {
        let mut c = Catalog::default();
        c.upsert(entry(serde_json::json!({
            "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
            "metadata": {"name": "web", "namespace": "ns"},
            "spec": {"scaleTargetRef": {"name": "web"}}
        })));
        c.upsert(entry(serde_json::json!({
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "ns"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 3}
        })));
        let mut found: Vec<_> = c
            .autoscalers_of("ns", "Deployment", "web")
            .iter()
            .map(|h| (h.info.kind, h.info.min_replicas))
            .collect();
        found.sort();
        assert_eq!(found, [("HorizontalPodAutoscaler", 1), ("ScaledObject", 0)]);
        assert!(c.contains_named("ns", "ScaledObject", "web"));
    }

    #[test]
    fn claims_and_services_are_found_by_name() {
        let mut c = Catalog::default();
        c.upsert(entry(serde_json::json!({
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": "ns"},
            "spec": {"accessModes": ["ReadWriteOnce"]}
        })));
        c.upsert(entry(serde_json::json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "db", "namespace": "ns"},
            "spec": {"clusterIP": "None", "selector": {"app": "db"}}
        })));
        let pvc = c.pvc("ns", "data").unwrap().info.clone();
        assert_eq!(pvc.access_modes, ["ReadWriteOnce"]);
        assert!(c.pvc("other", "data").is_none());
        assert!(c.service("ns", "db").unwrap().info.headless);
        assert!(c.has_services("ns") && !c.has_workloads("ns"));
        assert_eq!(c.sizes().pvcs, 1);
        assert!(c.remove(&Entry::Pvc(pvc).key()));
        assert!(c.pvc("ns", "data").is_none());
    }
}
