//! The commented default `.halint.yaml` that `halint config init` writes. It is built from
//! the rule catalog, so every rule and option appears with its default, and it parses to
//! the default config (a test holds it to that).

use std::fmt::Write;

use crate::catalog;

pub fn default_text() -> String {
    let mut out = String::new();
    out.push_str(
        "# halint configuration. halint reads the first .halint.yaml it finds from the working\n\
         # directory up to the repository root (or --config PATH). Every line below is a\n\
         # default: uncomment what you change. An unknown key, rule or option is an error.\n\
         \n\
         # Per rule: a level (off, info, warning, error), or a mapping with `level` and the\n\
         # rule's options. `halint explain RULE` says what each rule and option does.\n\
         rules:\n",
    );
    for meta in catalog::all() {
        if meta.options.is_empty() {
            let _ = writeln!(out, "  # {}: {}", meta.id, meta.severity);
            continue;
        }
        let _ = writeln!(out, "  # {}:", meta.id);
        let _ = writeln!(out, "  #   level: {}", meta.severity);
        for option in &meta.options {
            let _ = writeln!(
                out,
                "  #   {}: {}    # {}",
                option.name, option.default, option.description
            );
        }
    }
    out.push_str(
        "  {}\n\
         \n\
         # Paths not to lint: globs relative to this file's directory (`*` stays within one\n\
         # directory, `**` crosses them; a directory excludes what lies under it).\n\
         exclude: []\n\
         #  - vendor/**\n\
         #  - \"**/*.test.yaml\"\n\
         \n\
         # This repository keeps its PodDisruptionBudgets elsewhere (another repository, a\n\
         # platform chart): pdb-missing then does not run offline, since a PDB's absence here\n\
         # proves nothing. The webhook, which sees the cluster's PDBs, still runs it.\n\
         pdbsElsewhere: false\n\
         \n\
         # Directories of custom rules (*.yaml, one rule a file), relative to this file.\n\
         ruleDirs: []\n\
         \n\
         exemptions:\n\
         \x20 # Honour these linters' ignore annotations for their matching halint rules:\n\
         \x20 # kube-linter, kube-score, polaris (see the README for the mapping).\n\
         \x20 peers: []\n\
         \n\
         # Read by halint-webhook only.\n\
         webhook: {}\n\
         #  mode: enforce    # enforce: error findings deny; warn: never deny\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse;

    #[test]
    fn the_default_parses_to_the_default_config() {
        let file = parse(".halint.yaml", &default_text()).unwrap();
        let config = file.into_config(Vec::new()).unwrap();
        assert!(config.levels.is_empty() && config.options.is_empty());
        assert!(!config.pdbs_elsewhere && config.peer_exemptions.is_empty());
        assert!(file.rule_dirs.is_empty() && file.exclude.is_empty());
        assert_eq!(file.webhook.mode, None);
    }

    #[test]
    fn uncommenting_a_rule_line_gives_a_valid_setting() {
        // Every commented rule line is valid once uncommented.
        let text = default_text();
        let rules: String = text
            .lines()
            .skip_while(|l| *l != "rules:")
            .skip(1)
            .take_while(|l| *l != "  {}")
            .map(|l| format!("  {}\n", &l[4..]))
            .collect();
        let file = parse("x", &format!("rules:\n{rules}")).unwrap();
        file.into_config(Vec::new()).unwrap();
    }
}
