//! Property tests over generated manifests: whatever the input, loading never panics,
//! every error is located, and linting and both reports complete. Bounded so CI stays
//! fast; PROPTEST_CASES raises the count for a longer local run.

#[path = "support/manifests.rs"]
mod manifests;

use halint::load::{load_text, Limits};
use halint::report::{Format, Report, Style};
use halint::{lint_all, Config, Date, LintInput};
use proptest::prelude::*;
use serde_json::Value;

/// Loads, lints and renders `text`; fails on an unlocated error.
fn check(text: &str) -> Result<(), TestCaseError> {
    let loaded = load_text("gen.yaml", text.to_owned(), "default", &Limits::default());
    for error in &loaded.errors {
        prop_assert!(
            error.position.is_some(),
            "error without a location: {error:?}"
        );
        prop_assert!(!error.message.is_empty());
    }
    let config = Config::default();
    let linted = lint_all(&LintInput {
        objects: &loaded.objects,
        context: &[],
        cluster: None,
        config: &config,
        today: Date::from_unix_days(20_000),
    });
    let findings = linted.findings;
    for f in &findings {
        prop_assert!(f.object < loaded.objects.len());
    }
    let report = Report {
        files: &loaded.files,
        objects: &loaded.objects,
        findings: &findings,
        errors: &loaded.errors,
        skipped: loaded.skipped,
        suppressed: Some(&linted.suppressed),
    };
    let mut json = Vec::new();
    report
        .write(Format::Json, Style::default(), &mut json)
        .unwrap();
    let json: Value = serde_json::from_slice(&json).expect("the JSON report is JSON");
    prop_assert_eq!(
        json["errors"].as_array().map(Vec::len),
        Some(loaded.errors.len())
    );
    report
        .write(Format::Human, Style::default(), &mut Vec::new())
        .unwrap();
    Ok(())
}

proptest! {
    #![proptest_config(manifests::cases(384))]

    #[test]
    fn generated_manifests_load_lint_and_report(
        docs in prop::collection::vec(manifests::object(), 1..4),
        style in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let text = manifests::to_yaml(&docs, &mut manifests::Style(style));
        check(&text)?;
    }

    #[test]
    fn damaged_manifests_give_located_errors_never_panics(
        docs in prop::collection::vec(manifests::object(), 1..3),
        style in prop::collection::vec(any::<u8>(), 1..64),
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..6),
    ) {
        let text = manifests::to_yaml(&docs, &mut manifests::Style(style));
        check(&manifests::damage(&text, &edits))?;
    }

    #[test]
    fn the_same_objects_as_json_load_too(docs in prop::collection::vec(manifests::object(), 1..3)) {
        let text: Vec<String> = docs.iter().map(|d| serde_json::to_string_pretty(d).unwrap()).collect();
        check(&text.join("\n---\n"))?;
    }

    #[test]
    fn arbitrary_text_never_panics(text in "(?s).{0,300}") {
        check(&text)?;
    }
}
