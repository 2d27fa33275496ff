//! `--config FILE`: the same `.halint.yaml` the CLI reads (see the README's "Configuration"),
//! mounted from a ConfigMap. The shared loader checks every key, rule, option and custom
//! rule; this module only adds what is the webhook's own: the `webhook:` section.

use std::path::Path;

use anyhow::anyhow;
use clap::ValueEnum;
use halint::config::located::display;
use halint::config::{Config, ConfigFile};
use halint::load::InputError;

use crate::handler::Mode;

/// What the webhook takes from the config file.
#[derive(Debug)]
pub struct Settings {
    pub config: Config,
    /// `webhook.mode`; `--mode` overrides it.
    pub mode: Option<Mode>,
}

/// Reads a config file and the custom rules of its `ruleDirs`; a mistake is an error with
/// its file, line and column, and the webhook does not start.
pub fn load(path: &Path) -> anyhow::Result<Settings> {
    let (file, config) = halint::config::read::read(path).map_err(|errors| invalid(&errors))?;
    Ok(Settings {
        mode: mode(&file)?,
        config,
    })
}

/// Parses config text, as a file would hold it (its `ruleDirs` are not read).
pub fn parse(name: &str, text: &str) -> anyhow::Result<Settings> {
    let file = halint::config::parse(name, text).map_err(|errors| invalid(&errors))?;
    let config = file
        .into_config(Vec::new())
        .map_err(|errors| invalid(&errors))?;
    Ok(Settings {
        mode: mode(&file)?,
        config,
    })
}

/// Every mistake with its file, line and column, one a line.
fn invalid(errors: &[InputError]) -> anyhow::Error {
    let lines: Vec<String> = errors.iter().map(display).collect();
    anyhow!("invalid config:\n{}", lines.join("\n"))
}

fn mode(file: &ConfigFile) -> anyhow::Result<Option<Mode>> {
    // The shared parser checked the value against the webhook's modes already.
    file.webhook
        .mode
        .as_deref()
        .map(|m| Mode::from_str(m, false).map_err(|e| anyhow!("webhook.mode: {e}")))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use halint::config::Level;

    #[test]
    fn reads_levels_options_and_the_webhook_section() {
        let settings = parse(
            "halint.yaml",
            "rules:\n  replicas: {level: warning, min: 3}\n  hpa-min-replicas: off\nwebhook:\n  mode: warn\n",
        )
        .unwrap();
        assert_eq!(settings.config.min_replicas, 3);
        assert_eq!(settings.config.level("hpa-min-replicas"), Some(Level::Off));
        assert_eq!(
            settings.config.level("replicas"),
            Some(Level::Severity(halint::Severity::Warning))
        );
        assert_eq!(settings.mode, Some(Mode::Warn));
        assert_eq!(parse("x", "rules: {}\n").unwrap().mode, None);
    }

    #[test]
    fn mistakes_are_located() {
        let err = parse("halint.yaml", "rules:\n  no-such-rule: off\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("halint.yaml:2:3: unknown rule `no-such-rule`"),
            "{err}"
        );
        let err = parse("halint.yaml", "webhook:\n  mode: audit\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("halint.yaml:2:3: unknown webhook mode `audit`"),
            "{err}"
        );
        // The webhook's old format is not silently accepted.
        let err = parse("halint.yaml", "minReplicas: 3\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("halint.yaml:1:1: unknown key `minReplicas`"),
            "{err}"
        );
    }

    #[test]
    fn custom_rules_load_from_rule_dirs_next_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/house");
        std::fs::write(
            dir.path().join("halint.yaml"),
            format!(
                "ruleDirs: [{}]\nrules:\n  team-label: error\n",
                rules.display()
            ),
        )
        .unwrap();
        let settings = load(&dir.path().join("halint.yaml")).unwrap();
        assert!(settings.config.custom_rule("team-label").is_some());
        assert_eq!(
            settings.config.level("team-label"),
            Some(Level::Severity(halint::Severity::Error))
        );
    }
}
