//! The config file and custom rules: every kind of mistake is an error at its file, line
//! and column; the shipped house rules load and their examples behave; exemptions are
//! auditable.

use std::path::Path;
use std::sync::Arc;

use halint::config::located::display;
use halint::config::{parse, Config, Level};
use halint::custom;
use halint::exempt::Peer;
use halint::load::{load_text, Limits};
use halint::{lint_all, Date, LintInput, Linted, Severity};

/// The first error of a config text, as `file:line:col: message`.
fn config_error(text: &str) -> String {
    let errors = match parse(".halint.yaml", text) {
        Ok(file) => match file.into_config(Vec::new()) {
            Ok(_) => return format!("no error for {text:?}"),
            Err(errors) => errors,
        },
        Err(errors) => errors,
    };
    display(&errors[0])
}

#[test]
fn each_config_mistake_is_located() {
    let cases: &[(&str, &str)] = &[
        ("rules: {}\nexlude: [a]\n", ".halint.yaml:2:1: unknown key `exlude` in the config file (expected rules, exclude, pdbsElsewhere, ruleDirs, exemptions, webhook)"),
        ("rules:\n  replica: off\n", ".halint.yaml:2:3: unknown rule `replica`"),
        ("rules:\n  replicas:\n    minimum: 3\n", ".halint.yaml:3:5: rule `replicas` has no option `minimum` (expected level, min)"),
        ("rules:\n  replicas: {min: three}\n", ".halint.yaml:2:14: option `replicas.min` must be a whole number, not the string `three`"),
        ("rules:\n  replicas: {min: 2.5}\n", ".halint.yaml:2:14: option `replicas.min` must be a whole number, not the number 2.5"),
        ("rules:\n  replicas: {min: 0}\n", ".halint.yaml:2:14: option `replicas.min` must be 1 or more, not 0"),
        ("rules:\n  daemonset-ingress:\n    ingressImages: [edge, 7]\n", ".halint.yaml:3:27: option `daemonset-ingress.ingressImages`: every item must be a string, not the number 7"),
        ("rules:\n  daemonset-ingress:\n    ingressImages: edge\n", ".halint.yaml:3:5: option `daemonset-ingress.ingressImages` must be a list of strings, not the string `edge`"),
        ("rules:\n  pdb-missing: sometimes\n", ".halint.yaml:2:3: rule `pdb-missing`: unknown level `sometimes` (expected off, info, warning or error)"),
        ("rules:\n  pdb-missing: 3\n", ".halint.yaml:2:3: rule `pdb-missing`: a level (off, info, warning, error) or a mapping, not the number 3"),
        ("rules: [replicas]\n", ".halint.yaml:1:1: `rules` must be a mapping, not a list"),
        ("exclude: vendor/**\n", ".halint.yaml:1:1: `exclude` must be a list of strings, not the string `vendor/**`"),
        ("exclude:\n  - ok/**\n  - \"a[b\"\n", ".halint.yaml:3:5: bad glob `a[b`: unclosed character class; missing ']'"),
        ("pdbsElsewhere: maybe\n", ".halint.yaml:1:1: `pdbsElsewhere` must be true or false, not the string `maybe`"),
        ("ruleDirs: house\n", ".halint.yaml:1:1: `ruleDirs` must be a list of strings, not the string `house`"),
        ("exemptions:\n  peers: [kube-linter, datree]\n", ".halint.yaml:2:24: unknown peer `datree` (expected kube-linter, kube-score or polaris)"),
        ("exemptions:\n  peer: [kube-linter]\n", ".halint.yaml:2:3: unknown key `peer` in `exemptions` (expected peers)"),
        ("webhook:\n  mode: audit\n", ".halint.yaml:2:3: unknown webhook mode `audit` (expected enforce or warn)"),
        ("webhook:\n  failurePolicy: Ignore\n", ".halint.yaml:2:3: unknown key `failurePolicy` in `webhook` (expected mode)"),
        ("rules:\n  replicas: off\n  replicas: error\n", ".halint.yaml:3:3: duplicate key `replicas`"),
        ("rules: {\n", ".halint.yaml:2:1: invalid YAML"),
        ("rules: {}\n---\nrules: {}\n", ".halint.yaml:2:1: a second YAML document; this file holds one"),
        ("- rules\n", ".halint.yaml:1:1: the config file must be a mapping, not a list"),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .map(|(text, expected)| (text, expected, config_error(text)))
        .filter(|(_, expected, got)| !got.starts_with(*expected))
        .map(|(text, expected, got)| {
            format!("for {text:?}\n  got:      {got}\n  expected: {expected}")
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_mistake_is_reported_not_only_the_first() {
    let errors = parse(
        ".halint.yaml",
        "foo: 1\nbar: 2\nrules: {replicas: {min: x}}\n",
    )
    .unwrap_err();
    assert_eq!(errors.len(), 3, "{errors:?}");
    // In the file's order, though a mapping's keys come sorted.
    let lines: Vec<u32> = errors.iter().map(|e| e.position.unwrap().line).collect();
    assert_eq!(lines, [1, 2, 3]);
}

#[test]
fn a_config_sets_levels_options_and_switches() {
    let file = parse(
        ".halint.yaml",
        "rules:\n  replicas: {level: warning, min: 3}\n  pdb-missing: off\n  daemonset-ingress: {ingressImages: [edge/proxy]}\n  quorum-odd: {quorumImages: [data/raftd]}\n  priority-class: {priorityImages: [edge/auth]}\nexclude: [vendor]\npdbsElsewhere: true\nexemptions: {peers: [polaris, kube-score]}\n",
    )
    .unwrap();
    let config = file.into_config(Vec::new()).unwrap();
    assert_eq!(
        config.level("replicas"),
        Some(Level::Severity(Severity::Warning))
    );
    assert_eq!(config.level("pdb-missing"), Some(Level::Off));
    assert_eq!(config.min_replicas, 3);
    assert_eq!(config.ingress_images, ["edge/proxy"]);
    assert_eq!(config.quorum_images, ["data/raftd"]);
    assert_eq!(config.priority_images, ["edge/auth"]);
    assert_eq!(
        config.option("replicas", "min"),
        Some(&serde_json::json!(3))
    );
    // An option not set reads its declared default.
    assert_eq!(
        config.option("daemonset-ingress", "ingressImages"),
        Some(&serde_json::json!(["edge/proxy"]))
    );
    assert!(config.pdbs_elsewhere);
    assert_eq!(config.peer_exemptions, [Peer::Polaris, Peer::KubeScore]);
    let excludes = file.excludes();
    assert!(excludes.is_excluded("vendor/x/y.yaml"));
    assert!(!excludes.is_excluded("src/vendor.yaml"));
}

#[test]
fn excludes_follow_glob_rules() {
    let file = parse(
        "c",
        "exclude: ['**/*.test.yaml', 'charts/*/templates', 'tmp/*.yaml']\n",
    )
    .unwrap();
    let ex = file.excludes();
    assert!(ex.is_excluded("a/b/web.test.yaml"));
    assert!(ex.is_excluded("web.test.yaml"));
    assert!(ex.is_excluded("charts/web/templates/deploy.yaml"));
    assert!(ex.is_excluded("tmp/a.yaml"));
    // `*` does not cross directories.
    assert!(!ex.is_excluded("tmp/sub/a.yaml"));
    assert!(!ex.is_excluded("web.yaml"));
}

// ---- custom rules ----

const RULE: &str = "id: team-label
severity: warning
kinds: [Deployment]
path: $.metadata.labels.team
assert: exists
message: \"{kind} {namespace}/{name} has no team label\"
summary: every workload has a team label
why: owners get paged
fix: add metadata.labels.team
examples:
  failing: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec: {selector: {}, template: {spec: {containers: [{name: a, image: a:1}]}}}
  passing: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, labels: {team: x}}
    spec: {selector: {}, template: {spec: {containers: [{name: a, image: a:1}]}}}
";

fn rule_error(text: &str) -> String {
    let errors = custom::parse("house/rule.yaml", text).unwrap_err();
    display(&errors[0])
}

#[test]
fn the_template_rule_is_valid() {
    let rule = custom::parse("house/rule.yaml", RULE).unwrap();
    assert_eq!(rule.id, "team-label");
}

#[test]
fn each_custom_rule_mistake_is_located() {
    let with = |from: &str, to: &str| {
        assert!(RULE.contains(from), "{from}");
        RULE.replacen(from, to, 1)
    };
    let cases: Vec<(String, &str)> = vec![
        (with("path: $.metadata.labels.team", "path: $.metadata.labels[team"), "house/rule.yaml:4:1: bad JSONPath `$.metadata.labels[team`:"),
        (with("path: $.metadata.labels.team", "path: metadata.labels.team"), "house/rule.yaml:4:1: bad JSONPath `metadata.labels.team`:"),
        (with("path: $.metadata.labels.team\n", ""), "house/rule.yaml:1:1: a custom rule needs `path`"),
        (with("assert: exists", "assert: exists\nseverty: error"), "house/rule.yaml:6:1: unknown key `severty` in a custom rule"),
        (with("kinds: [Deployment]", "kinds: [Deployment, CronJob]"), "house/rule.yaml:3:21: halint does not read kind `CronJob`"),
        (with("kinds: [Deployment]", "kinds: Deployment"), "house/rule.yaml:3:1: `kinds` must be a list of strings, not the string `Deployment`"),
        (with("assert: exists", "assert: {matches: '(unclosed'}"), "house/rule.yaml:5:10: bad regular expression:"),
        (with("assert: exists", "assert: {greaterThan: 2}"), "house/rule.yaml:5:10: `assert` must be `exists`, `absent`, or a mapping with one of"),
        (with("assert: exists", "assert: {min: two}"), "house/rule.yaml:5:10: `min` needs a number, not the string `two`"),
        (with("assert: exists", "assert: present"), "house/rule.yaml:5:1: `assert` must be `exists`, `absent`"),
        (with("{kind} {namespace}", "{kind} {namspace}"), "house/rule.yaml:6:1: unknown placeholder `{namspace}`"),
        (with("id: team-label", "id: replicas"), "house/rule.yaml:1:1: `replicas` is a built-in rule"),
        (with("id: team-label", "id: Team_Label"), "house/rule.yaml:1:1: rule id `Team_Label` must be kebab-case"),
        (with("severity: warning", "severity: critical"), "house/rule.yaml:2:1: unknown severity `critical`"),
        (with("kinds: [Deployment]", "kinds: [Deployment]\nmatch: {labels: {team: x}}"), "house/rule.yaml:4:18: unknown key `team` in `match.labels` (a label selector)"),
        (with("kinds: [Deployment]", "kinds: [Deployment]\nmatch: {namespace: [x]}"), "house/rule.yaml:4:9: unknown key `namespace` in `match`"),
        // The failing example does not flag: the rule checks something else than meant.
        (with("metadata: {name: web}\n", "metadata: {name: web, labels: {team: y}}\n"), "house/rule.yaml:11:3: the failing example does not flag the rule"),
        (with("labels: {team: x}", "labels: {owner: x}"), "house/rule.yaml:16:3: the passing example flags the rule: Deployment default/web has no team label"),
        (with("    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n", "    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: web}\n"), "house/rule.yaml:11:3: the failing example holds no object halint reads"),
        (with("examples:\n", "examples:\n  broken: x\n"), "house/rule.yaml:11:3: unknown key `broken` in `examples`"),
        ("id: [x\n".to_string(), "house/rule.yaml:2:1: invalid YAML"),
        (String::new(), "house/rule.yaml:1:1: an empty rule file"),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .map(|(text, expected)| (expected, rule_error(text)))
        .filter(|(expected, got)| !got.starts_with(**expected))
        .map(|(expected, got)| format!("  got:      {got}\n  expected: {expected}"))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn options_on_a_custom_rule_and_unknown_ids_are_errors() {
    let rule = Arc::new(custom::parse("r.yaml", RULE).unwrap());
    let file = parse(
        ".halint.yaml",
        "rules:\n  team-label:\n    level: error\n    min: 2\n",
    )
    .unwrap();
    let errors = file.into_config(vec![rule.clone()]).unwrap_err();
    assert_eq!(
        display(&errors[0]),
        ".halint.yaml:4:5: rule `team-label` is a custom rule: it takes `level` only, no options"
    );
    let file = parse(".halint.yaml", "rules:\n  team-label: error\n").unwrap();
    // Without the rule directory that defines it, the id is unknown.
    assert!(
        display(&file.clone().into_config(Vec::new()).unwrap_err()[0])
            .starts_with(".halint.yaml:2:3: unknown rule `team-label`")
    );
    let config = file.into_config(vec![rule]).unwrap();
    assert_eq!(
        config.level("team-label"),
        Some(Level::Severity(Severity::Error))
    );
}

fn run(config: &Config, text: &str, today: &str) -> (Linted, Vec<halint::Object>) {
    let loaded = load_text("x.yaml", text.to_string(), "default", &Limits::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let linted = lint_all(&LintInput {
        objects: &loaded.objects,
        context: &[],
        cluster: None,
        config,
        today: today.parse::<Date>().unwrap(),
    });
    (linted, loaded.objects)
}

#[test]
fn house_rules_load_and_their_examples_behave() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/house");
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        // parse() runs the examples; check them again here, finding by finding.
        let rule =
            custom::parse(&path.display().to_string(), &text).unwrap_or_else(|e| panic!("{e:?}"));
        let config = Config {
            custom: vec![Arc::new(rule.clone())],
            ..Config::default()
        };
        let only = Config {
            only: Some(vec![rule.meta.id.clone()]),
            ..config
        };
        let (failing, _) = run(&only, &rule.meta.examples.failing, "2025-01-01");
        assert!(!failing.findings.is_empty(), "{}: failing example", rule.id);
        assert!(failing
            .findings
            .iter()
            .all(|f| f.rule == rule.id && f.severity == rule.meta.severity));
        let (passing, _) = run(&only, &rule.meta.examples.passing, "2025-01-01");
        assert!(
            passing.findings.is_empty(),
            "{}: {:?}",
            rule.id,
            passing.findings
        );
        ids.push(rule.id);
    }
    ids.sort();
    assert_eq!(ids, ["no-latest-tag", "prod-three-replicas", "team-label"]);
}

fn house(id: &str) -> Arc<custom::CustomRule> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("rules/house/{id}.yaml"));
    Arc::new(custom::parse(id, &std::fs::read_to_string(path).unwrap()).unwrap())
}

#[test]
fn custom_findings_point_at_the_matched_node() {
    let config = Config {
        only: Some(vec!["no-latest-tag".into(), "team-label".into()]),
        custom: vec![house("no-latest-tag"), house("team-label")],
        ..Config::default()
    };
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {team: t}}\nspec:\n  containers:\n    - {name: a, image: 'a:1'}\n    - {name: b, image: 'b:latest'}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec: {selector: {}, serviceName: s, template: {spec: {containers: [{name: a, image: 'a@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'}]}}}\n";
    let (linted, objects) = run(&config, text, "2025-01-01");
    let got: Vec<(String, &str, &str)> = linted
        .findings
        .iter()
        .map(|f| (objects[f.object].id.to_string(), f.rule, f.path.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "Pod default/p".to_string(),
                "no-latest-tag",
                "/spec/containers/1/image"
            ),
            (
                "StatefulSet default/s".to_string(),
                "team-label",
                "/metadata/labels/team"
            ),
        ]
    );
    assert_eq!(
        linted.findings[0].message,
        "Pod default/p runs image `b:latest`, which is `latest` or has no tag"
    );
}

// ---- exemptions ----

fn deployment(annotations: &str, template_annotations: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations: {{{annotations}}}\nspec:\n  replicas: 1\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata:\n      labels: {{app: web}}\n      annotations: {{{template_annotations}}}\n    spec:\n      containers:\n        - {{name: web, image: 'web:1', readinessProbe: {{tcpSocket: {{port: 80}}}}}}\n        - {{name: istio-proxy, image: 'proxy:1'}}\n"
    )
}

fn only(rules: &[&str]) -> Config {
    Config {
        only: Some(rules.iter().map(|r| r.to_string()).collect()),
        ..Config::default()
    }
}

#[test]
fn reasons_travel_with_suppressed_findings() {
    let text = deployment(
        "halint.io/ignore: replicas, halint.io/ignore-reason: 'batch job, restarts are fine'",
        "",
    );
    let (linted, _) = run(&only(&["replicas"]), &text, "2025-01-01");
    assert!(linted.findings.is_empty());
    let s = &linted.suppressed[0];
    assert_eq!(s.finding.rule, "replicas");
    assert_eq!(s.exemption.annotation, "halint.io/ignore");
    assert_eq!(s.exemption.path, "/metadata/annotations/halint.io~1ignore");
    assert_eq!(
        s.exemption.reason.as_deref(),
        Some("batch job, restarts are fine")
    );
}

#[test]
fn an_exemption_lapses_after_its_date() {
    let text = deployment("halint.io/ignore: replicas, halint.io/ignore-reason: migrating, halint.io/ignore-until: '2025-03-31'", "");
    let config = only(&["replicas"]);
    // Through the last day it holds.
    let (on_the_day, _) = run(&config, &text, "2025-03-31");
    assert!(on_the_day.findings.is_empty() && on_the_day.suppressed.len() == 1);
    let (after, _) = run(&config, &text, "2025-04-01");
    assert!(after.suppressed.is_empty());
    let f = &after.findings[0];
    assert!(
        f.message
            .ends_with("; its exemption (halint.io/ignore, \"migrating\") expired on 2025-03-31"),
        "{}",
        f.message
    );
    assert_eq!(
        f.lapsed.as_ref().unwrap().until.as_deref(),
        Some("2025-03-31")
    );
    // An end date that is not a date never exempts (and says why).
    let text = deployment(
        "halint.io/ignore: replicas, halint.io/ignore-until: '31/03/2025'",
        "",
    );
    let (bad, _) = run(&config, &text, "2025-01-01");
    assert!(
        bad.findings[0]
            .message
            .contains("halint.io/ignore-until `31/03/2025` is not a date (YYYY-MM-DD)"),
        "{}",
        bad.findings[0].message
    );
}

#[test]
fn container_exemptions_cover_only_their_container() {
    let text = deployment("", "halint.io/ignore-containers: 'istio-proxy=liveness-probe,readiness-probe', halint.io/ignore-reason: injected by the mesh");
    let (linted, _) = run(
        &only(&["liveness-probe", "readiness-probe"]),
        &text,
        "2025-01-01",
    );
    let paths: Vec<(&str, &str)> = linted
        .findings
        .iter()
        .map(|f| (f.rule, f.path.as_str()))
        .collect();
    // The app container keeps its finding; the sidecar's are suppressed.
    assert_eq!(
        paths,
        [("liveness-probe", "/spec/template/spec/containers/0")]
    );
    let suppressed: Vec<(&str, &str, Option<&str>)> = linted
        .suppressed
        .iter()
        .map(|s| {
            (
                s.finding.rule,
                s.finding.path.as_str(),
                s.exemption.container.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        suppressed,
        [
            (
                "liveness-probe",
                "/spec/template/spec/containers/1",
                Some("istio-proxy")
            ),
            (
                "readiness-probe",
                "/spec/template/spec/containers/1",
                Some("istio-proxy")
            ),
        ]
    );
    assert_eq!(
        linted.suppressed[0].exemption.reason.as_deref(),
        Some("injected by the mesh")
    );
    // A rule about the whole object is not a container's to exempt.
    let text = deployment("", "halint.io/ignore-containers: 'istio-proxy=all'");
    let (linted, _) = run(&only(&["replicas"]), &text, "2025-01-01");
    assert_eq!(linted.findings.len(), 1);
}

#[test]
fn peers_annotations_count_only_when_asked() {
    let cases = [
        (
            Peer::KubeLinter,
            "ignore-check.kube-linter.io/minimum-three-replicas: 'one replica is enough here'",
        ),
        (
            Peer::KubeScore,
            "kube-score/ignore: 'pod-networkpolicy,deployment-replicas'",
        ),
        (
            Peer::Polaris,
            "polaris.fairwinds.com/deploymentMissingReplicas-exempt: 'true'",
        ),
        (Peer::Polaris, "polaris.fairwinds.com/exempt: 'True'"),
    ];
    for (peer, annotation) in cases {
        let text = deployment(annotation, "");
        let mut config = only(&["replicas"]);
        let (off, _) = run(&config, &text, "2025-01-01");
        assert_eq!(off.findings.len(), 1, "{annotation} without opting in");
        config.peer_exemptions = vec![peer];
        let (on, _) = run(&config, &text, "2025-01-01");
        assert!(on.findings.is_empty(), "{annotation}");
        let key = annotation.split(':').next().unwrap();
        assert_eq!(on.suppressed[0].exemption.annotation, key);
    }
    // kube-linter's annotation value is its justification.
    let text = deployment(cases[0].1, "");
    let mut config = only(&["replicas"]);
    config.peer_exemptions = vec![Peer::KubeLinter];
    let (linted, _) = run(&config, &text, "2025-01-01");
    assert_eq!(
        linted.suppressed[0].exemption.reason.as_deref(),
        Some("one replica is enough here")
    );
    // A check that maps to another rule exempts nothing here; `false` exempts nothing.
    for annotation in [
        "kube-score/ignore: pod-probes",
        "polaris.fairwinds.com/exempt: 'false'",
    ] {
        let text = deployment(annotation, "");
        config.peer_exemptions = Peer::ALL.to_vec();
        assert_eq!(
            run(&config, &text, "2025-01-01").0.findings.len(),
            1,
            "{annotation}"
        );
    }
}

#[test]
fn peer_mappings_name_halint_rules() {
    // Second-wave rules (RULES.md) are named before they are registered.
    const SECOND_WAVE: &[&str] = &[
        "zone-spread",
        "node-pinning",
        "rwo-volume-shared",
        "quorum-odd",
        "image-pull-always",
        "priority-class",
        "resource-requests",
        "service-selector",
        "hpa-target",
        "statefulset-service",
        "graceful-shutdown",
        "pdb-unhealthy-eviction",
        "webhook-config",
    ];
    for peer in Peer::ALL {
        for (check, rule) in peer.mapping() {
            assert!(
                halint::catalog::rule_meta(rule).is_some() || SECOND_WAVE.contains(rule),
                "{peer} {check} maps to unknown rule {rule}"
            );
        }
    }
}

#[test]
fn pdbs_elsewhere_turns_off_pdb_missing_offline_only() {
    let text = deployment("", "").replace("replicas: 1", "replicas: 3");
    let mut config = only(&["pdb-missing"]);
    assert_eq!(run(&config, &text, "2025-01-01").0.findings.len(), 1);
    config.pdbs_elsewhere = true;
    assert!(run(&config, &text, "2025-01-01").0.findings.is_empty());
    // With the cluster's PDBs in view (the webhook), the rule runs.
    let loaded = load_text("x.yaml", text, "default", &Limits::default());
    let cluster = halint::objects::catalog::Catalog::default();
    let linted = lint_all(&LintInput {
        objects: &loaded.objects,
        context: &[],
        cluster: Some(&cluster),
        config: &config,
        today: Date::from_unix_days(0),
    });
    assert_eq!(linted.findings.len(), 1);
}

#[test]
fn custom_rules_see_the_kinds_halint_types_itself() {
    let rule = RULE
        .replace("kinds: [Deployment]", "kinds: [Rollout]")
        .replace(
            "apiVersion: apps/v1\n    kind: Deployment",
            "apiVersion: argoproj.io/v1alpha1\n    kind: Rollout",
        );
    let rule = Arc::new(custom::parse("rollout.yaml", &rule).unwrap());
    let config = Config {
        custom: vec![rule],
        only: Some(vec!["team-label".into()]),
        ..Config::default()
    };
    let text = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec: {replicas: 3, selector: {}, template: {spec: {containers: [{name: a, image: a:1}]}}}\n";
    let (linted, _) = run(&config, text, "2025-01-01");
    assert_eq!(
        linted.findings[0].message,
        "Rollout default/r has no team label"
    );
}
