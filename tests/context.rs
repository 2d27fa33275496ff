//! `--context`: counterparts that cross-object rules see but that are never reported on, as
//! the pre-commit hook uses them (the changed files linted, the whole repository as context).

use std::fs;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

const WEB: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: app:1}]
";

const PDB: &str = "\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: web}}
";

#[path = "support/bin.rs"]
mod bin;

fn run(dir: &Path, args: &[&str]) -> (Value, Output) {
    let out = bin::command()
        .args([
            "--format",
            "json",
            "--select",
            "pdb-missing,pdb-selector,pdb-blocking",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("halint runs");
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (report, out)
}

fn rules(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["rule"].as_str().unwrap(),
                f["object"]["name"].as_str().unwrap()
            )
        })
        .collect()
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("web.yaml"), WEB).unwrap();
    fs::write(dir.path().join("pdb.yaml"), PDB).unwrap();
    dir
}

#[test]
fn a_pdb_in_another_file_is_seen_through_the_context() {
    let dir = repo();
    let (alone, _) = run(dir.path(), &["web.yaml"]);
    assert_eq!(rules(&alone), ["pdb-missing web"]);
    let (with_context, out) = run(dir.path(), &["--context", ".", "web.yaml"]);
    assert_eq!(rules(&with_context), Vec::<String>::new());
    assert_eq!(out.status.code(), Some(0));
    // Context objects are not reported on, nor counted as linted.
    assert_eq!(with_context["summary"]["objects"], 1);
    assert_eq!(with_context["summary"]["files"], 1);
}

#[test]
fn an_object_both_linted_and_in_the_context_counts_once() {
    let dir = repo();
    // The PDB is linted and is also in the context (the whole directory): it must not
    // overlap with its own context copy, nor be reported twice.
    let (report, out) = run(dir.path(), &["--context", ".", "pdb.yaml", "web.yaml"]);
    assert_eq!(rules(&report), Vec::<String>::new(), "{report:#}");
    assert_eq!(out.status.code(), Some(0));

    // The linted copy wins over the context one: a blocking budget being committed is
    // judged as it is now, not as the context's older copy says.
    let blocking = PDB.replace("maxUnavailable: 1", "maxUnavailable: 0");
    let staged = dir.path().join("staged");
    fs::create_dir(&staged).unwrap();
    fs::write(staged.join("pdb.yaml"), &blocking).unwrap();
    let (report, _) = run(
        dir.path(),
        &[
            "--context",
            "web.yaml",
            "--context",
            "pdb.yaml",
            "staged/pdb.yaml",
        ],
    );
    assert_eq!(rules(&report), ["pdb-blocking web"], "{report:#}");

    // A genuine second budget in the context still overlaps.
    fs::write(
        dir.path().join("other.yaml"),
        PDB.replace("name: web", "name: other"),
    )
    .unwrap();
    let (report, _) = run(dir.path(), &["--context", ".", "pdb.yaml"]);
    assert_eq!(rules(&report), ["pdb-selector web"], "{report:#}");
}

#[test]
fn context_files_that_do_not_parse_are_reported() {
    let dir = repo();
    fs::create_dir(dir.path().join("platform")).unwrap();
    fs::write(dir.path().join("platform/broken.yaml"), "kind: [unclosed\n").unwrap();
    let (report, out) = run(dir.path(), &["--context", "platform", "web.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let error = &report["errors"][0];
    assert_eq!(error["file"], "platform/broken.yaml");
    assert!(error["line"].is_u64(), "{report:#}");
    // The human report names it too.
    let human = bin::command()
        .args(["--context", "platform", "web.yaml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(human.status.code(), Some(2));
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("platform/broken.yaml"), "{text}");
}
