//! The view cross-object rules query: the linted set (and `--context` objects) first, then
//! the cluster. An object in the set hides its own older copy in the cluster, so an UPDATE
//! is judged against the new version only.

use super::catalog::{
    AutoscalerInfo, Catalog, Entry, Hit, PdbInfo, PvcInfo, ServiceInfo, Source, WorkloadInfo,
};
use super::selector::{LabelSource, Selects};
use super::{Object, WorkloadKind};

pub struct Index<'a> {
    local: Catalog,
    cluster: Option<&'a Catalog>,
}

/// A workload's replica count for HA purposes, and what decided it.
#[derive(Debug, Clone, Copy)]
pub struct Replicas<'a> {
    pub count: i32,
    /// The autoscaler whose minReplicas set the count, if one did.
    pub autoscaler: Option<Hit<'a, AutoscalerInfo>>,
}

impl<'a> Index<'a> {
    pub fn build(objects: &[Object], context: &[Object], cluster: Option<&'a Catalog>) -> Self {
        let entries = objects
            .iter()
            .enumerate()
            .filter_map(|(i, o)| Some((i, Entry::from_object(o)?)));
        Index::from_entries(entries, context, cluster)
    }

    /// The index of a set known only by its projections: `(index in the set, entry)`, in
    /// the set's order.
    pub fn from_entries(
        entries: impl IntoIterator<Item = (usize, Entry)>,
        context: &[Object],
        cluster: Option<&'a Catalog>,
    ) -> Self {
        let mut local = Catalog::default();
        for object in context {
            if let Some(entry) = Entry::from_object(object) {
                local.upsert_from(entry, Source::Context);
            }
        }
        for (i, entry) in entries {
            local.upsert_from(entry, Source::Set(i));
        }
        Index { local, cluster }
    }

    /// Local hits, then cluster hits that no local entry of the same kind and name hides.
    fn merge<'s, T>(
        &'s self,
        namespace: &str,
        kind: impl Fn(&T) -> &'static str,
        name: impl Fn(&T) -> &str,
        lookup: impl Fn(&'s Catalog) -> Vec<Hit<'s, T>>,
    ) -> Vec<Hit<'s, T>> {
        let mut hits = lookup(&self.local);
        if let Some(cluster) = self.cluster {
            hits.extend(lookup(cluster).into_iter().filter(|h| {
                !self
                    .local
                    .contains_named(namespace, kind(h.info), name(h.info))
            }));
        }
        hits
    }

    pub fn pdbs_covering(
        &self,
        namespace: &str,
        labels: &impl LabelSource,
    ) -> Vec<Hit<'_, PdbInfo>> {
        self.merge(
            namespace,
            |_| "PodDisruptionBudget",
            |p: &PdbInfo| &p.name,
            |c| c.pdbs_covering(namespace, labels),
        )
    }

    pub fn workloads_matching(
        &self,
        namespace: &str,
        selector: &impl Selects,
    ) -> Vec<Hit<'_, WorkloadInfo>> {
        self.merge(
            namespace,
            |w: &WorkloadInfo| w.kind.as_str(),
            |w: &WorkloadInfo| &w.name,
            |c| c.workloads_matching(namespace, selector),
        )
    }

    pub fn services_selecting(
        &self,
        namespace: &str,
        labels: &impl LabelSource,
    ) -> Vec<Hit<'_, ServiceInfo>> {
        self.merge(
            namespace,
            |_| "Service",
            |s: &ServiceInfo| &s.name,
            |c| c.services_selecting(namespace, labels),
        )
    }

    pub fn autoscalers_of(
        &self,
        namespace: &str,
        kind: &str,
        name: &str,
    ) -> Vec<Hit<'_, AutoscalerInfo>> {
        self.merge(
            namespace,
            |a: &AutoscalerInfo| a.kind,
            |a: &AutoscalerInfo| &a.name,
            |c| c.autoscalers_of(namespace, kind, name),
        )
    }

    /// One object by name: the local one, else the cluster's.
    fn named<'s, T>(
        &'s self,
        lookup: impl Fn(&'s Catalog) -> Option<Hit<'s, T>>,
    ) -> Option<Hit<'s, T>> {
        lookup(&self.local).or_else(|| self.cluster.and_then(lookup))
    }

    pub fn service(&self, namespace: &str, name: &str) -> Option<Hit<'_, ServiceInfo>> {
        self.named(|c| c.service(namespace, name))
    }

    pub fn pvc(&self, namespace: &str, name: &str) -> Option<Hit<'_, PvcInfo>> {
        self.named(|c| c.pvc(namespace, name))
    }

    pub fn workload(
        &self,
        namespace: &str,
        kind: WorkloadKind,
        name: &str,
    ) -> Option<Hit<'_, WorkloadInfo>> {
        self.named(|c| c.workload(namespace, kind, name))
    }

    /// Whether a cluster's objects stand behind the set (the webhook), or only the set and
    /// its context (the CLI).
    pub fn has_cluster(&self) -> bool {
        self.cluster.is_some()
    }

    /// Whether the namespace holds Services, in the set or the cluster.
    pub fn has_services(&self, namespace: &str) -> bool {
        self.local.has_services(namespace)
            || self.cluster.is_some_and(|c| c.has_services(namespace))
    }

    /// Whether the namespace holds workloads, in the set or the cluster.
    pub fn has_workloads(&self, namespace: &str) -> bool {
        self.local.has_workloads(namespace)
            || self.cluster.is_some_and(|c| c.has_workloads(namespace))
    }

    /// The minReplicas of an autoscaler targeting the workload (the lowest, if several do),
    /// else spec.replicas with its default of 1.
    pub fn effective_replicas(
        &self,
        namespace: &str,
        kind: WorkloadKind,
        name: &str,
        spec_replicas: Option<i32>,
    ) -> Replicas<'_> {
        let autoscaler = self
            .autoscalers_of(namespace, kind.as_str(), name)
            .into_iter()
            .min_by_key(|h| h.info.min_replicas);
        match autoscaler {
            Some(hit) => Replicas {
                count: hit.info.min_replicas,
                autoscaler: Some(hit),
            },
            None => Replicas {
                count: spec_replicas.unwrap_or(1),
                autoscaler: None,
            },
        }
    }

    /// Effective replicas of a replicated workload in the set; None for anything else.
    pub fn replicas_of(&self, object: &Object) -> Option<Replicas<'_>> {
        let kind = object.workload_kind().filter(|k| k.is_replicated())?;
        Some(self.effective_replicas(
            object.namespace(),
            kind,
            object.name(),
            object.spec_replicas(),
        ))
    }
}
