//! `.halint.yaml`: parsing the text into settings, with every mistake located.
//!
//! ```yaml
//! rules:
//!   pdb-missing: off                 # a level: off | info | warning | error
//!   replicas: {level: error, min: 3} # or a mapping: `level` and the rule's options
//! exclude: ["vendor/**"]             # globs, relative to the file's directory
//! pdbsElsewhere: false
//! ruleDirs: [rules/house]            # custom rules, relative to the file's directory
//! exemptions: {peers: [kube-linter]}
//! webhook: {mode: enforce}
//! ```
//!
//! Reading the file, and the rule directories it names, is the caller's business.

use std::sync::Arc;

use serde_json::Value;

use super::located::{describe, Doc};
use super::{Config, Level};
use crate::catalog::{self, RuleOption};
use crate::custom::CustomRule;
use crate::exempt::Peer;
use crate::load::{InputError, Position};
use crate::pointer;

/// The top-level keys, in the order `halint config init` writes them.
pub const KEYS: &[&str] = &[
    "rules",
    "exclude",
    "pdbsElsewhere",
    "ruleDirs",
    "exemptions",
    "webhook",
];

/// The modes the webhook runs in (its `--mode`).
pub const WEBHOOK_MODES: &[&str] = &["enforce", "warn"];

/// A parsed config file. Rule ids that are not built in are checked once the custom rules
/// of `rule_dirs` are loaded ([`ConfigFile::into_config`]).
#[derive(Debug, Clone, Default)]
pub struct ConfigFile {
    /// The file's name, as errors show it.
    pub file: String,
    pub rules: Vec<RuleSettings>,
    /// Glob patterns of paths not to lint, relative to the file's directory.
    pub exclude: Vec<String>,
    pub pdbs_elsewhere: bool,
    /// Directories of custom rules, as written (relative to the file's directory).
    pub rule_dirs: Vec<(String, Position)>,
    pub peer_exemptions: Vec<Peer>,
    pub webhook: WebhookSettings,
}

/// What the file says about one rule.
#[derive(Debug, Clone)]
pub struct RuleSettings {
    pub id: String,
    pub position: Position,
    pub level: Option<Level>,
    /// Options of a built-in rule, checked against its declarations.
    pub options: Vec<(String, Value)>,
    /// Where options were given to a rule that is not built in (custom rules have none).
    pub options_at: Option<Position>,
}

/// The `webhook:` section: settings only the admission webhook reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookSettings {
    /// `enforce` or `warn`; None leaves the webhook's `--mode`.
    pub mode: Option<String>,
}

/// Parses a config file's text. `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<ConfigFile, Vec<InputError>> {
    let (mut doc, value) = Doc::parse(file, text)?;
    let mut out = ConfigFile {
        file: file.to_string(),
        ..ConfigFile::default()
    };
    let Some(value) = value else {
        return Ok(out);
    };
    let Some(root) = doc.map(&value, "", "the config file") else {
        return Err(doc.into_errors());
    };
    doc.only_keys(root, "", "the config file", KEYS);
    if let Some(rules) = root.get("rules") {
        if let Some(rules) = doc.map(rules, "/rules", "`rules`") {
            for (id, setting) in rules {
                let ptr = pointer::join("/rules", &[id]);
                if let Some(settings) = rule_settings(&mut doc, id, setting, &ptr) {
                    out.rules.push(settings);
                }
            }
        }
    }
    if let Some(exclude) = root.get("exclude") {
        if let Some(globs) = doc.strings(exclude, "/exclude", "`exclude`") {
            for (glob, ptr) in globs {
                match globset::Glob::new(&glob) {
                    Ok(_) => out.exclude.push(glob),
                    Err(e) => doc.error(&ptr, format!("bad glob `{glob}`: {}", e.kind())),
                }
            }
        }
    }
    if let Some(v) = root.get("pdbsElsewhere") {
        out.pdbs_elsewhere = doc
            .bool(v, "/pdbsElsewhere", "`pdbsElsewhere`")
            .unwrap_or(false);
    }
    if let Some(dirs) = root.get("ruleDirs") {
        if let Some(dirs) = doc.strings(dirs, "/ruleDirs", "`ruleDirs`") {
            out.rule_dirs = dirs
                .into_iter()
                .map(|(dir, ptr)| {
                    let at = doc.position(&ptr);
                    (dir, at)
                })
                .collect();
        }
    }
    if let Some(exemptions) = root.get("exemptions") {
        if let Some(map) = doc.map(exemptions, "/exemptions", "`exemptions`") {
            doc.only_keys(map, "/exemptions", "`exemptions`", &["peers"]);
            if let Some(peers) = map.get("peers") {
                let names = doc.strings(peers, "/exemptions/peers", "`exemptions.peers`");
                for (name, ptr) in names.into_iter().flatten() {
                    match name.parse::<Peer>() {
                        Ok(peer) if !out.peer_exemptions.contains(&peer) => {
                            out.peer_exemptions.push(peer)
                        }
                        Ok(_) => {}
                        Err(e) => doc.error(&ptr, e),
                    }
                }
            }
        }
    }
    if let Some(webhook) = root.get("webhook") {
        if let Some(map) = doc.map(webhook, "/webhook", "`webhook`") {
            doc.only_keys(map, "/webhook", "`webhook`", &["mode"]);
            if let Some(mode) = map.get("mode") {
                if let Some(mode) = doc.string(mode, "/webhook/mode", "`webhook.mode`") {
                    if WEBHOOK_MODES.contains(&mode) {
                        out.webhook.mode = Some(mode.to_string());
                    } else {
                        doc.error(
                            "/webhook/mode",
                            format!(
                                "unknown webhook mode `{mode}` (expected {})",
                                WEBHOOK_MODES.join(" or ")
                            ),
                        );
                    }
                }
            }
        }
    }
    doc.finish(out)
}

fn rule_settings(doc: &mut Doc, id: &str, setting: &Value, ptr: &str) -> Option<RuleSettings> {
    let mut settings = RuleSettings {
        id: id.to_string(),
        position: doc.position(ptr),
        level: None,
        options: Vec::new(),
        options_at: None,
    };
    let level = |doc: &mut Doc, value: &Value, at: &str| -> Option<Level> {
        match value {
            // YAML 1.1 habits: `off` unquoted is a string in YAML 1.2, but `false` is not.
            Value::Bool(false) => Some(Level::Off),
            Value::String(s) => match s.parse() {
                Ok(level) => Some(level),
                Err(e) => {
                    doc.error(at, format!("rule `{id}`: {e}"));
                    None
                }
            },
            other => {
                doc.error(
                    at,
                    format!(
                        "rule `{id}`: a level (off, info, warning, error) or a mapping, not {}",
                        describe(other)
                    ),
                );
                None
            }
        }
    };
    let meta = catalog::rule_meta(id);
    match setting {
        Value::Object(map) => {
            for (key, value) in map {
                let at = pointer::join(ptr, &[key]);
                if key == "level" {
                    settings.level = Some(level(doc, value, &at)?);
                    continue;
                }
                let Some(meta) = meta else {
                    settings.options_at.get_or_insert(doc.position(&at));
                    continue;
                };
                let Some(decl) = meta.options.iter().find(|o| o.name == *key) else {
                    let mut known: Vec<&str> = vec!["level"];
                    known.extend(meta.options.iter().map(|o| o.name.as_str()));
                    doc.error(
                        &at,
                        format!(
                            "rule `{id}` has no option `{key}` (expected {})",
                            known.join(", ")
                        ),
                    );
                    continue;
                };
                if check_option(doc, id, decl, value, &at) {
                    settings.options.push((key.clone(), value.clone()));
                }
            }
        }
        other => settings.level = Some(level(doc, other, ptr)?),
    }
    Some(settings)
}

/// The type of an option is the type of its declared default (a list's items: the type of
/// the default's first item, else strings).
fn check_option(doc: &mut Doc, rule: &str, decl: &RuleOption, value: &Value, ptr: &str) -> bool {
    let what = format!("option `{rule}.{}`", decl.name);
    let fits = |expected: &Value, value: &Value| match expected {
        Value::Bool(_) => value.is_boolean(),
        Value::Number(n) if n.is_i64() || n.is_u64() => value.is_i64() || value.is_u64(),
        Value::Number(_) => value.is_number(),
        Value::String(_) => value.is_string(),
        Value::Object(_) => value.is_object(),
        Value::Array(_) | Value::Null => false,
    };
    let ok = match &decl.default {
        Value::Array(items) => {
            let item = items
                .first()
                .cloned()
                .unwrap_or(Value::String(String::new()));
            match value {
                Value::Array(values) => {
                    let mut ok = true;
                    for (i, v) in values.iter().enumerate() {
                        if !fits(&item, v) {
                            let at = pointer::join(ptr, &[i.to_string()]);
                            doc.error(
                                &at,
                                format!(
                                    "{what}: every item must be {}, not {}",
                                    type_name(&item),
                                    describe(v)
                                ),
                            );
                            ok = false;
                        }
                    }
                    return ok;
                }
                _ => false,
            }
        }
        expected => fits(expected, value),
    };
    if !ok {
        doc.error(
            ptr,
            format!(
                "{what} must be {}, not {}",
                type_name(&decl.default),
                describe(value)
            ),
        );
        return false;
    }
    if let (Some(min), Some(v)) = (decl.minimum, value.as_f64()) {
        if v < min {
            doc.error(ptr, format!("{what} must be {min} or more, not {value}"));
            return false;
        }
    }
    true
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "true or false",
        Value::Number(n) if n.is_i64() || n.is_u64() => "a whole number",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(items) => match items.first() {
            Some(Value::Number(_)) => "a list of numbers",
            Some(Value::Bool(_)) => "a list of booleans",
            _ => "a list of strings",
        },
        Value::Object(_) => "a mapping",
        Value::Null => "unset",
    }
}

impl ConfigFile {
    /// The config the engine reads, with the custom rules loaded from `rule_dirs`. Fails on
    /// a rule id that is neither built in nor custom, or on options given to a custom rule.
    pub fn into_config(&self, custom: Vec<Arc<CustomRule>>) -> Result<Config, Vec<InputError>> {
        let mut config = Config {
            pdbs_elsewhere: self.pdbs_elsewhere,
            peer_exemptions: self.peer_exemptions.clone(),
            custom,
            ..Config::default()
        };
        let mut errors = Vec::new();
        let mut fail = |position: Position, message: String| {
            errors.push(InputError {
                file: self.file.clone(),
                position: Some(position),
                message,
            })
        };
        for rule in &self.rules {
            if catalog::rule_meta(&rule.id).is_none() {
                if config.custom_rule(&rule.id).is_none() {
                    fail(
                        rule.position,
                        format!(
                            "unknown rule `{}` (see `halint rules`; custom rules come from `ruleDirs`)",
                            rule.id
                        ),
                    );
                    continue;
                }
                if let Some(at) = rule.options_at {
                    fail(
                        at,
                        format!(
                            "rule `{}` is a custom rule: it takes `level` only, no options",
                            rule.id
                        ),
                    );
                    continue;
                }
            }
            if let Some(level) = rule.level {
                config.levels.insert(rule.id.clone(), level);
            }
            for (name, value) in &rule.options {
                config.set_option(&rule.id, name, value.clone());
            }
        }
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }

    /// Whether a path (relative to the file's directory, `/`-separated) is excluded.
    pub fn excludes(&self) -> Excludes {
        Excludes::new(&self.exclude)
    }
}

/// Compiled `exclude` globs.
#[derive(Debug, Clone, Default)]
pub struct Excludes {
    set: globset::GlobSet,
}

impl Excludes {
    pub fn new(globs: &[String]) -> Excludes {
        let mut builder = globset::GlobSetBuilder::new();
        for glob in globs {
            // Checked when the file was parsed.
            if let Ok(glob) = globset::GlobBuilder::new(glob)
                .literal_separator(true)
                .build()
            {
                builder.add(glob);
            }
        }
        Excludes {
            set: builder
                .build()
                .unwrap_or_else(|_| globset::GlobSet::empty()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// `path` is relative to the config file's directory. A directory pattern (`vendor`
    /// or `vendor/`) excludes what lies under it too.
    pub fn is_excluded(&self, path: &str) -> bool {
        let path = path.trim_start_matches("./");
        let mut prefix = path;
        loop {
            if self.set.is_match(prefix) || self.set.is_match(format!("{prefix}/")) {
                return true;
            }
            match prefix.rfind('/') {
                Some(i) => prefix = &prefix[..i],
                None => return false,
            }
        }
    }
}
