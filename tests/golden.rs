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
