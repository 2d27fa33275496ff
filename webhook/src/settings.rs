//! `--config FILE`: rule levels and options, in YAML.
//!
//! ```yaml
//! minReplicas: 3            # replicas: the fewest effective replicas (3 survives a zone loss)
//! ingressImages: [my-edge]  # daemonset-ingress: extra image fragments of ingress controllers
//! rules:                    # per rule: off | info | warning | error
//!   pdb-missing: off
//!   anti-affinity: error
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context as _};
use halint::config::{Config, Level};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct File {
    min_replicas: Option<i32>,
    #[serde(default)]
    ingress_images: Vec<String>,
    #[serde(default)]
    rules: BTreeMap<String, String>,
}

/// Reads a config file; every rule it names must exist.
pub fn load(path: &Path) -> anyhow::Result<Config> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse(&text).with_context(|| format!("in {}", path.display()))
}

pub fn parse(text: &str) -> anyhow::Result<Config> {
    let file: File = serde_saphyr::from_str(text)?;
    let mut config = Config::default();
    if let Some(min) = file.min_replicas {
        if min < 1 {
            bail!("minReplicas must be 1 or more, got {min}");
        }
        config.min_replicas = min;
    }
    config.ingress_images = file.ingress_images;
    for (rule, level) in file.rules {
        if halint::catalog::rule_meta(&rule).is_none() {
            bail!("unknown rule `{rule}`");
        }
        let level = match level.as_str() {
            "off" => Level::Off,
            other => Level::Severity(other.parse().map_err(anyhow::Error::msg)?),
        };
        config.levels.insert(rule, level);
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_levels_and_options() {
        let config =
            parse("minReplicas: 3\nrules:\n  replicas: warning\n  hpa-min-replicas: off\n")
                .unwrap();
        assert_eq!(config.min_replicas, 3);
        assert_eq!(config.level("hpa-min-replicas"), Some(Level::Off));
        assert_eq!(
            config.level("replicas"),
            Some(Level::Severity(halint::Severity::Warning))
        );
    }

    #[test]
    fn rejects_unknown_rules_and_fields() {
        assert!(parse("rules:\n  no-such-rule: off\n").is_err());
        assert!(parse("minReplica: 3\n").is_err());
    }
}
