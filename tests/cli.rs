//! The `halint` binary as users and CI run it: exit codes, the JSON contract, bad input.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use serde_json::Value;

#[path = "support/bin.rs"]
mod bin;

use bin::halint;

fn json(args: &[&str]) -> (Value, i32) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = halint(&all);
    let value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (value, out.status.code().unwrap())
}

/// The keys of the report's `member` (its first item if it is a list) in the order
/// written: a `Value` sorts them.
fn key_order(report: &[u8], member: &str) -> Vec<String> {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    struct Keys;
    impl<'de> Visitor<'de> for Keys {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a map or a list of maps")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<String>, A::Error> {
            let mut keys = Vec::new();
            while let Some((key, IgnoredAny)) = map.next_entry::<String, IgnoredAny>()? {
                keys.push(key);
            }
            Ok(keys)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
            let first = seq.next_element::<Raw>()?.expect("an empty list").0;
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(first)
        }
    }
    struct Raw(Vec<String>);
    impl<'de> serde::Deserialize<'de> for Raw {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Raw, D::Error> {
            d.deserialize_any(Keys).map(Raw)
        }
    }
    let report: std::collections::HashMap<String, Box<serde_json::value::RawValue>> =
        serde_json::from_slice(report).unwrap();
    let text = report[member].get();
    serde_json::Deserializer::from_str(text)
        .deserialize_any(Keys)
        .unwrap()
}

#[test]
fn json_report_follows_the_contract() {
    let (report, code) = json(&["testdata/rules/replicas/flag.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(report["version"], 1);
    let finding = &report["findings"][0];
    let out = halint(&["--format", "json", "testdata/rules/replicas/flag.yaml"]);
    assert_eq!(
        key_order(&out.stdout, "findings"),
        ["rule", "severity", "message", "help", "object", "path", "file", "line", "column"]
    );
    assert_eq!(
        key_order(&out.stdout, "summary"),
        ["files", "objects", "skipped", "error", "warning", "info"]
    );
    assert_eq!(finding["rule"], "replicas");
    assert_eq!(finding["severity"], "error");
    assert_eq!(
        finding["object"],
        serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "default", "name": "single"})
    );
    assert_eq!(finding["path"], "/spec/replicas");
    assert_eq!(finding["file"], "testdata/rules/replicas/flag.yaml");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(10), Some(3))
    );
    // An absent field points at its nearest parent: `spec`.
    let absent = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["object"]["name"] == "absent")
        .unwrap();
    assert_eq!(
        (absent["line"].as_u64(), absent["column"].as_u64()),
        (Some(20), Some(1))
    );
    assert_eq!(report["summary"]["files"], 1);
    assert_eq!(report["summary"]["error"], 3);
    assert_eq!(report["errors"], serde_json::json!([]));
}

#[test]
fn exit_codes() {
    assert_eq!(
        halint(&["testdata/rules/hpa-min-replicas/pass.yaml"])
            .status
            .code(),
        Some(0)
    );
    // Warnings only: clean by default, a failure with --fail-on warning.
    let warn = "testdata/rules/hpa-min-replicas/flag.yaml";
    assert_eq!(
        halint(&["--select", "hpa-min-replicas", warn])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        halint(&["--select", "hpa-min-replicas", "--fail-on", "warning", warn])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        halint(&["testdata/rules/replicas/flag.yaml"]).status.code(),
        Some(1)
    );
    assert_eq!(
        halint(&["--ignore", "replicas", "testdata/rules/replicas/flag.yaml"])
            .status
            .code(),
        Some(0)
    );
    let unknown = halint(&["--select", "no-such-rule", "examples"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown rule `no-such-rule`"));
    assert_eq!(halint(&["does/not/exist.yaml"]).status.code(), Some(2));
    assert_eq!(
        halint(&["--format", "yaml", "examples"]).status.code(),
        Some(2)
    );
}

#[test]
fn bad_input_is_located_and_the_rest_still_linted() {
    let dir = tempfile::tempdir().unwrap();
    for entry in fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/bad")).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    fs::write(
        dir.path().join("latin1.yaml"),
        b"apiVersion: v1\nkind: Service\nmetadata: {name: caf\xe9}\n",
    )
    .unwrap();
    let deep = "a:\n".to_string()
        + &(1..300)
            .map(|i| format!("{}a:\n", "  ".repeat(i)))
            .collect::<String>();
    fs::write(dir.path().join("deep.yaml"), deep).unwrap();

    let (report, code) = json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{report:#}");
    let errors: Vec<(String, u64, u64, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let file = e["file"].as_str().unwrap();
            let name = Path::new(file)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (
                name,
                e["line"].as_u64().unwrap(),
                e["column"].as_u64().unwrap(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let find = |name: &str| {
        errors
            .iter()
            .find(|e| e.0 == name)
            .unwrap_or_else(|| panic!("no error for {name}: {errors:#?}"))
    };
    assert!(find("alias-bomb.yaml").3.contains("alias"));
    assert_eq!(
        find("deep.yaml").3,
        "nesting deeper than 100 levels; document skipped"
    );
    let dup = find("duplicate-key.yaml");
    assert_eq!((dup.1, dup.2), (7, 3));
    assert_eq!((find("latin1.yaml").1, find("latin1.yaml").2), (3, 21));
    assert!(find("malformed.yaml").3.starts_with("invalid YAML"));
    let wrong = find("wrong-type.yaml");
    assert_eq!((wrong.1, wrong.2), (6, 3));
    assert!(wrong
        .3
        .starts_with("spec.replicas: invalid type: string \"three\""));
    assert_eq!(errors.len(), 6, "{errors:#?}");
    // The good file was linted all the same.
    let findings = report["findings"].as_array().unwrap();
    assert!(findings
        .iter()
        .any(|f| f["object"]["name"] == "survivor" && f["rule"] == "replicas"));

    // The human report says the same, with the location.
    let human = halint(&[dir.path().to_str().unwrap()]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("wrong-type.yaml:6:3"), "{text}");
    assert!(
        text.contains("could not be read (the report is incomplete)"),
        "{text}"
    );
}

#[test]
fn reads_stdin_and_lists() {
    let mut child = bin::command()
        .args(["--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            br#"{"apiVersion": "v1", "kind": "List", "items": [
                {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                 "metadata": {"name": "h", "namespace": "prod"},
                 "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "d"}, "maxReplicas": 3}}]}"#,
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "hpa-min-replicas");
    assert_eq!(finding["object"]["namespace"], "prod");
    assert_eq!(finding["file"], Value::Null);
    assert_eq!(
        finding["line"], 4,
        "the absent minReplicas points at its parent, spec"
    );
}

#[test]
fn exemptions_by_annotation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.yaml");
    let deployment = |name: &str, annotations: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  annotations: {{{annotations}}}\nspec:\n  replicas: 1\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec: {{containers: [{{name: a, image: a:1}}]}}\n---\n"
        )
    };
    let text = deployment("all", "halint.io/ignore: all")
        + &deployment("listed", "'halint.io/ignore': 'liveness-probe, replicas', halint.io/ignore-reason: legacy")
        + &deployment("other", "halint.io/ignore: liveness-probe")
        + "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: template}\nspec:\n  replicas: 1\n  template:\n    metadata:\n      annotations: {halint.io/ignore: replicas}\n    spec: {containers: [{name: a, image: a:1}]}\n";
    fs::write(&path, text).unwrap();
    let (report, _) = json(&["--select", "replicas", path.to_str().unwrap()]);
    let names: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["object"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["other"]);
}

#[test]
fn explain_and_rules_come_from_the_rule_data() {
    let rules = halint(&["rules"]);
    assert_eq!(rules.status.code(), Some(0));
    let listing = String::from_utf8_lossy(&rules.stdout);
    for meta in halint::catalog::all() {
        assert!(listing.contains(&meta.id), "{listing}");
        let page = halint(&["explain", &meta.id]);
        assert_eq!(page.status.code(), Some(0));
        let page = String::from_utf8_lossy(&page.stdout);
        assert!(page.contains(meta.why.lines().next().unwrap()), "{page}");
        assert!(page.contains("Flagged") && page.contains("Passes"));
    }
    assert_eq!(halint(&["explain", "nope"]).status.code(), Some(2));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let file = "testdata/rules/replicas/flag.yaml";
    let plain = halint(&[file]);
    assert!(
        !plain.stdout.contains(&0x1b),
        "no escapes when stdout is not a terminal"
    );
    let forced = halint(&["--color", "always", file]);
    assert!(forced.stdout.contains(&0x1b));
}

#[test]
fn human_report_puts_errors_first_under_one_heading_per_severity() {
    // The PDB's info finding comes first in the file; the Deployment's error after it.
    let out = halint(&[
        "--color",
        "never",
        "--select",
        "replicas,pdb-unhealthy-eviction",
        "testdata/report/severity-order.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let position = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("no `{needle}` in:\n{text}"))
    };
    let errors = position("── 1 error: replicas ──");
    let error = position("Deployment default/api runs 1 replica");
    let infos = position("── 1 info: pdb-unhealthy-eviction ──");
    let info = position("PodDisruptionBudget default/api has no unhealthyPodEvictionPolicy");
    assert!(errors < error && error < infos && infos < info, "{text}");

    // The JSON report keeps input order: the PDB first.
    let (report, _) = json(&[
        "--select",
        "replicas,pdb-unhealthy-eviction",
        "testdata/report/severity-order.yaml",
    ]);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["pdb-unhealthy-eviction", "replicas"]);

    // Quiet: findings only, no headings.
    let quiet = halint(&[
        "--color",
        "never",
        "-q",
        "--select",
        "replicas",
        "testdata/report/severity-order.yaml",
    ]);
    let quiet = String::from_utf8(quiet.stdout).unwrap();
    assert!(
        quiet.contains("runs 1 replica") && !quiet.contains("── 1 error"),
        "{quiet}"
    );
}
