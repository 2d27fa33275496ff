//! Every rule against its own documentation and fixtures, run with only that rule enabled.
//!
//! - rules/<id>.yaml: the failing example must flag the rule, the passing one must not.
//! - testdata/rules/<id>/*.yaml: each fixture states the hits it expects in comment lines
//!   `# expect: Kind/name /json/pointer [severity]`; a fixture without them must produce
//!   nothing. The hits must match exactly. A fixture `x.yaml` may have a `x.context.yaml`
//!   beside it: objects the rule sees but never reports on, as `--context` gives them.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use halint::catalog;
use halint::load::{load_text, Limits};
use halint::rules::REGISTRY;
use halint::{lint, Config, LintInput};

fn only(rule: &str) -> Config {
    Config {
        only: Some(vec![rule.to_string()]),
        ..Config::default()
    }
}

/// (Kind/name, path, severity) of each finding of `rule` on `text`.
fn hits(rule: &str, name: &str, text: &str) -> BTreeSet<(String, String, String)> {
    hits_with_context(rule, name, text, None)
}

fn hits_with_context(
    rule: &str,
    name: &str,
    text: &str,
    context: Option<&str>,
) -> BTreeSet<(String, String, String)> {
    let loaded = load_text(name, text.to_string(), "default", &Limits::default());
    assert!(loaded.errors.is_empty(), "{name}: {:?}", loaded.errors);
    let context = context
        .map(|c| load_text("context", c.to_string(), "default", &Limits::default()))
        .map(|c| {
            assert!(c.errors.is_empty(), "{name} context: {:?}", c.errors);
            c.objects
        })
        .unwrap_or_default();
    let config = only(rule);
    let findings = lint(&LintInput {
        objects: &loaded.objects,
        context: &context,
        cluster: None,
        config: &config,
        today: halint::Date::from_unix_days(0),
    });
    findings
        .iter()
        .map(|f| {
            assert_eq!(f.rule, rule);
            let id = &loaded.objects[f.object].id;
            (
                format!("{}/{}", id.kind, id.name),
                f.path.clone(),
                f.severity.to_string(),
            )
        })
        .collect()
}

#[test]
fn every_rule_has_data_and_every_data_file_a_rule() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut files: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") && !n.starts_with('.'))
        .map(|n| n.trim_end_matches(".yaml").to_string())
        .collect();
    files.sort();
    let mut registered: Vec<String> = REGISTRY.iter().map(|r| r.id.to_string()).collect();
    registered.sort();
    assert_eq!(
        files, registered,
        "rules/*.yaml and the registry must name the same rules"
    );
    for (rule, meta) in REGISTRY.iter().zip(catalog::all()) {
        assert_eq!(
            rule.id, meta.id,
            "rules/{}.yaml names itself `{}`",
            rule.id, meta.id
        );
        for (section, text) in [
            ("summary", &meta.summary),
            ("why", &meta.why),
            ("fix", &meta.fix),
        ] {
            assert!(
                !text.trim().is_empty(),
                "rules/{}.yaml: empty {section}",
                rule.id
            );
        }
        assert!(!meta.kinds.is_empty(), "rules/{}.yaml: no kinds", rule.id);
    }
}

#[test]
fn failing_examples_flag_and_passing_examples_do_not() {
    for meta in catalog::all() {
        let failing = hits(&meta.id, "failing example", &meta.examples.failing);
        assert!(
            !failing.is_empty(),
            "rules/{}.yaml: the failing example does not flag",
            meta.id
        );
        let passing = hits(&meta.id, "passing example", &meta.examples.passing);
        assert!(
            passing.is_empty(),
            "rules/{}.yaml: the passing example flags: {passing:?}",
            meta.id
        );
    }
}

#[test]
fn fixtures_produce_exactly_their_expected_hits() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rules");
    for rule in REGISTRY {
        let dir = root.join(rule.id);
        let mut entries: Vec<_> = fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("testdata/rules/{} is missing", rule.id))
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| !p.to_string_lossy().ends_with(".context.yaml"))
            .collect();
        entries.sort();
        let (mut flags, mut passes) = (0, 0);
        for path in entries {
            let text = fs::read_to_string(&path).unwrap();
            let expected: BTreeSet<(String, String, String)> = text
                .lines()
                .filter_map(|l| l.strip_prefix("# expect:"))
                .map(|l| {
                    let parts: Vec<&str> = l.split_whitespace().collect();
                    let severity = parts.get(2).map_or_else(
                        || catalog::rule_meta(rule.id).unwrap().severity.to_string(),
                        |s| s.to_string(),
                    );
                    (
                        parts[0].to_string(),
                        parts.get(1).unwrap_or(&"").to_string(),
                        severity,
                    )
                })
                .collect();
            let name = path.display().to_string();
            if expected.is_empty() {
                passes += 1;
            } else {
                flags += 1;
            }
            let context = fs::read_to_string(path.with_extension("context.yaml")).ok();
            assert_eq!(
                hits_with_context(rule.id, &name, &text, context.as_deref()),
                expected,
                "{name}"
            );
        }
        assert!(
            flags > 0 && passes > 0,
            "testdata/rules/{} needs flag and pass fixtures",
            rule.id
        );
    }
}

#[test]
fn readme_lists_every_rule() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for rule in REGISTRY {
        assert!(
            readme.contains(&format!("| `{}` |", rule.id)),
            "README.md does not list `{}`",
            rule.id
        );
    }
}

#[test]
fn configured_images_extend_the_quorum_and_priority_rules() {
    let text = r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: raft, namespace: data}
spec:
  replicas: 2
  serviceName: raft
  selector: {matchLabels: {app: raft}}
  template:
    metadata: {labels: {app: raft}}
    spec:
      containers: [{name: raft, image: "registry.example.com/data/raftd:2.1"}]
"#;
    let loaded = load_text("raft.yaml", text.to_string(), "default", &Limits::default());
    let run = |config: &Config| {
        let mut rules: Vec<&str> = lint(&LintInput {
            objects: &loaded.objects,
            context: &[],
            cluster: None,
            config,
            today: halint::Date::from_unix_days(0),
        })
        .iter()
        .map(|f| f.rule)
        .filter(|r| *r == "quorum-odd" || *r == "priority-class")
        .collect();
        rules.sort_unstable();
        rules
    };
    assert!(run(&Config::default()).is_empty());
    let configured = Config {
        quorum_images: vec!["data/raftd".into()],
        priority_images: vec!["registry.example.com/data/raftd".into()],
        ..Config::default()
    };
    assert_eq!(run(&configured), ["priority-class", "quorum-odd"]);
    // Whole path components only: substrings of `data/raftd` do not match it.
    let lookalike = Config {
        quorum_images: vec!["aftd".into(), "data/raft".into()],
        ..Config::default()
    };
    assert!(run(&lookalike).is_empty());
}
