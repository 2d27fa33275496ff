//! What a user can tune. The dispatcher applies it; rules only read their options.
//!
//! [`file`] parses `.halint.yaml` text (pure: the CLI and the webhook read the file);
//! [`init`] is the commented default that `halint config init` writes.

pub mod file;
pub mod init;
pub mod located;
pub mod read;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::catalog;
use crate::custom::CustomRule;
use crate::engine::Severity;
use crate::exempt::Peer;

pub use file::{parse, ConfigFile, WebhookSettings};

/// A rule's configured level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    /// Every finding of the rule gets this severity.
    Severity(Severity),
}

impl std::str::FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "off" => Ok(Level::Off),
            other => other.parse().map(Level::Severity).map_err(|_| {
                format!("unknown level `{other}` (expected off, info, warning or error)")
            }),
        }
    }
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
    /// Rule options set in the config file, by rule id and option name, already checked
    /// against the options the rule declares. Read them with [`Config::option`].
    pub options: BTreeMap<String, BTreeMap<String, Value>>,
    /// The repository keeps its PodDisruptionBudgets elsewhere (another repository, a
    /// platform team's chart): offline, a workload without a PDB in the set proves nothing,
    /// so `pdb-missing` does not run. With a cluster (the webhook) the cluster's PDBs
    /// count and the switch changes nothing.
    pub pdbs_elsewhere: bool,
    /// Peers whose ignore annotations count as halint exemptions (opt-in).
    pub peer_exemptions: Vec<Peer>,
    /// Rules from the config's rule directories, checked when they were loaded.
    pub custom: Vec<Arc<CustomRule>>,
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
            options: BTreeMap::new(),
            pdbs_elsewhere: false,
            peer_exemptions: Vec::new(),
            custom: Vec::new(),
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

    /// A rule option: the configured value, else the default that `rules/<id>.yaml` declares.
    pub fn option(&self, rule: &str, name: &str) -> Option<&Value> {
        self.options
            .get(rule)
            .and_then(|o| o.get(name))
            .or_else(|| {
                catalog::rule_meta(rule)?
                    .options
                    .iter()
                    .find(|o| o.name == name)
                    .map(|o| &o.default)
            })
    }

    /// Sets a declared option, keeping the typed fields that built-in rules read in step.
    /// The value's type was checked by the caller ([`file::parse`]).
    pub fn set_option(&mut self, rule: &str, name: &str, value: Value) {
        match (rule, name) {
            ("replicas", "min") => {
                if let Some(min) = value.as_i64() {
                    self.min_replicas = min.clamp(1, i32::MAX as i64) as i32;
                }
            }
            ("daemonset-ingress", "ingressImages") => self.ingress_images = strings(&value),
            ("quorum-odd", "quorumImages") => self.quorum_images = strings(&value),
            ("priority-class", "priorityImages") => self.priority_images = strings(&value),
            _ => {}
        }
        self.options
            .entry(rule.to_string())
            .or_default()
            .insert(name.to_string(), value);
    }

    /// A custom rule by id.
    pub fn custom_rule(&self, id: &str) -> Option<&CustomRule> {
        self.custom.iter().find(|r| r.meta.id == id).map(|r| &**r)
    }

    /// Whether `id` names a built-in or a loaded custom rule.
    pub fn knows_rule(&self, id: &str) -> bool {
        catalog::rule_meta(id).is_some() || self.custom_rule(id).is_some()
    }
}

/// A declared list-of-strings option (its type was checked against the declaration).
fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}
