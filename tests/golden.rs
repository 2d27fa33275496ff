//! Golden reports of the bundled examples: any change to what users see shows up as a
//! snapshot diff to review (`cargo insta review`).

use std::process::Command;

fn report(format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_halint"))
        .args(["--format", format, "--color", "never", "examples/"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("halint runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "the examples carry deliberate errors"
    );
    String::from_utf8(out.stdout).expect("UTF-8 report")
}

#[test]
fn human_report_of_the_examples() {
    insta::assert_snapshot!(report("human"));
}

#[test]
fn json_report_of_the_examples() {
    insta::assert_snapshot!(report("json"));
}

#[test]
fn github_report_of_the_examples() {
    insta::assert_snapshot!(report("github"));
}

/// The rules' texts are the rule data's (checked in tests/formats.rs); the snapshot keeps
/// only their ids, so that editing a rule's prose does not churn this file.
#[test]
fn sarif_report_of_the_examples() {
    let mut document: serde_json::Value = serde_json::from_str(&report("sarif")).unwrap();
    let rules = &mut document["runs"][0]["tool"]["driver"]["rules"];
    let ids: Vec<serde_json::Value> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    *rules = ids.into();
    insta::assert_json_snapshot!(document);
}
