//! Reading a config file and the custom rules of its `ruleDirs` from disk: what the CLI
//! and the webhook share. Parsing stays in [`super::file`] and [`crate::custom`].

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Config, ConfigFile};
use crate::custom::{self, CustomRule};
use crate::load::InputError;

/// Reads and checks a config file and its custom rules; `ruleDirs` are relative to the
/// file's directory.
pub fn read(path: &Path) -> Result<(ConfigFile, Config), Vec<InputError>> {
    let name = path.display().to_string();
    let text = fs::read_to_string(path).map_err(|e| {
        vec![InputError {
            file: name.clone(),
            position: None,
            message: format!("cannot read the config: {e}"),
        }]
    })?;
    let file = super::parse(&name, &text)?;
    let custom = load_rules(&file, path)?;
    let config = file.into_config(custom)?;
    Ok((file, config))
}

/// Every custom rule of the file's `ruleDirs` (*.yaml and *.yml, hidden files skipped),
/// each parsed and its examples run.
fn load_rules(
    file: &ConfigFile,
    config_path: &Path,
) -> Result<Vec<Arc<CustomRule>>, Vec<InputError>> {
    let dir_of_config = config_path.parent().unwrap_or(Path::new(""));
    let mut rules: Vec<Arc<CustomRule>> = Vec::new();
    let mut errors = Vec::new();
    for (dir, position) in &file.rule_dirs {
        let dir_path = dir_of_config.join(dir);
        let entries = match fs::read_dir(&dir_path) {
            Ok(entries) => entries,
            Err(e) => {
                errors.push(InputError {
                    file: file.file.clone(),
                    position: Some(*position),
                    message: format!("rule directory `{}`: {e}", dir_path.display()),
                });
                continue;
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                !name.starts_with('.')
                    && (name.ends_with(".yaml") || name.ends_with(".yml"))
                    && p.is_file()
            })
            .collect();
        paths.sort();
        for path in paths {
            let name = path.display().to_string();
            let text = match fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) => {
                    errors.push(InputError {
                        file: name,
                        position: None,
                        message: format!("cannot read: {e}"),
                    });
                    continue;
                }
            };
            match custom::parse(&name, &text) {
                Ok(rule) => {
                    if let Some(other) = rules.iter().find(|r| r.id == rule.id) {
                        errors.push(InputError {
                            file: name,
                            position: None,
                            message: format!(
                                "rule `{}` is already defined in {}",
                                rule.id, other.file
                            ),
                        });
                    } else {
                        rules.push(Arc::new(rule));
                    }
                }
                Err(mut e) => errors.append(&mut e),
            }
        }
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}
