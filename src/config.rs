//! What a user can tune. The dispatcher applies it; rules only read their options.

use std::collections::BTreeMap;

use crate::engine::Severity;

/// A rule's configured level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    /// Every finding of the rule gets this severity.
    Severity(Severity),
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Per-rule levels; a rule not named runs at its default severity.
    pub levels: BTreeMap<String, Level>,
    /// When set, only these rules run (`--select`).
    pub only: Option<Vec<String>>,
    /// `replicas`: the fewest effective replicas that survive a node drain (3 for zone loss).
    pub min_replicas: i32,
    /// `daemonset-ingress`: image name fragments that identify an ingress controller, on
    /// top of the well-known ones.
    pub ingress_images: Vec<String>,
    /// `quorum-odd`: image repositories of quorum systems, on top of etcd, ZooKeeper and
    /// Consul.
    pub quorum_images: Vec<String>,
    /// `priority-class`: image repositories of components the cluster cannot lose first
    /// under node pressure, on top of DNS servers and ingress controllers.
    pub priority_images: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            levels: BTreeMap::new(),
            only: None,
            min_replicas: 2,
            ingress_images: Vec::new(),
            quorum_images: Vec::new(),
            priority_images: Vec::new(),
        }
    }
}

impl Config {
    /// None: the rule runs at its default severity.
    pub fn level(&self, rule: &str) -> Option<Level> {
        if let Some(only) = &self.only {
            if !only.iter().any(|id| id == rule) {
                return Some(Level::Off);
            }
        }
        self.levels.get(rule).copied()
    }
}
