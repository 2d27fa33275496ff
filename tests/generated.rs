//! What is generated from the clap definitions (completions, man page) and from rules/
//! (docs/rules/): it must exist, say what the flags say, and never go stale.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

#[path = "support/bin.rs"]
mod bin;

use bin::halint;

fn generated(args: &[&str]) -> String {
    let out = halint(args);
    assert_eq!(out.status.code(), Some(0), "{args:?}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn completions_cover_subcommands_and_flags() {
    for shell in ["bash", "zsh", "fish"] {
        let script = generated(&["completions", shell]);
        for word in [
            "explain",
            "rules",
            "completions",
            "fail-on",
            "context",
            "values",
        ] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
        for format in ["sarif", "github"] {
            assert!(script.contains(format), "{shell} completion lacks {format}");
        }
    }
    // The bash script is valid bash.
    let script = generated(&["completions", "bash"]);
    let mut bash = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash runs");
    bash.stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let checked = bash.wait_with_output().unwrap();
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert_eq!(halint(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn man_page_documents_the_flags() {
    let page = generated(&["man"]);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq"),
        "roff: {}",
        &page[..40]
    );
    assert!(page.contains(".TH halint 1"));
    for word in ["fail\\-on", "context", "sarif", "explain", "completions"] {
        assert!(page.contains(word), "man page lacks {word}");
    }
}

/// docs/rules/ is generated from rules/*.yaml. To regenerate after editing or adding a
/// rule: `cargo run -- docs --rules rules --out docs/rules`.
#[test]
fn docs_rules_pages_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let metas = halint::catalog::read_dir(&root.join("rules")).expect("rule data parses");
    let expected = halint::docs::pages(&metas);
    let dir = root.join("docs/rules");
    let regenerate = "regenerate with `cargo run -- docs --rules rules --out docs/rules`";
    let mut stale = Vec::new();
    for (name, text) in &expected {
        match fs::read_to_string(dir.join(name)) {
            Ok(committed) if committed == *text => {}
            Ok(_) => stale.push(format!("docs/rules/{name} differs")),
            Err(_) => stale.push(format!("docs/rules/{name} is missing")),
        }
    }
    for entry in fs::read_dir(&dir).expect("docs/rules exists") {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !expected.iter().any(|(n, _)| *n == name) {
            stale.push(format!("docs/rules/{name} belongs to no rule"));
        }
    }
    assert!(stale.is_empty(), "{}; {regenerate}", stale.join(", "));
}

#[test]
fn the_docs_command_writes_what_the_test_expects() {
    let out_dir = tempfile::tempdir().unwrap();
    fs::write(out_dir.path().join("gone.md"), "a removed rule's page").unwrap();
    let out = halint(&[
        "docs",
        "--rules",
        "rules",
        "--out",
        out_dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let metas =
        halint::catalog::read_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap();
    for (name, text) in halint::docs::pages(&metas) {
        assert_eq!(
            fs::read_to_string(out_dir.path().join(&name)).unwrap(),
            text
        );
    }
    assert!(!out_dir.path().join("gone.md").exists());

    // A malformed rule file is a located error, not a page.
    let rules = tempfile::tempdir().unwrap();
    fs::write(rules.path().join("bad.yaml"), "id: bad\nseverity: [\n").unwrap();
    let out = halint(&[
        "docs",
        "--rules",
        rules.path().to_str().unwrap(),
        "--out",
        out_dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.yaml:"));
}
