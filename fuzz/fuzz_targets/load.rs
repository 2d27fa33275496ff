//! Bytes as a manifest file: load, lint, render both reports. Nothing may panic, and
//! every document ends as an object, a skipped document or a located error.
#![no_main]

use halint::load::{load_text, Limits};
use halint::objects::ObjectRef;
use halint::report::{Format, Places, Report, Style};
use halint::{lint_all, Config, Date, LintInput};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let loaded = load_text("fuzz.yaml", text.to_owned(), "default", &Limits::default());
    for error in &loaded.errors {
        assert!(error.position.is_some(), "unlocated: {error:?}");
    }
    let config = Config::default();
    let linted = lint_all(&LintInput {
        objects: &loaded.objects,
        context: &[],
        cluster: None,
        config: &config,
        today: Date::from_unix_days(20_000),
    });
    let objects: Vec<ObjectRef> = loaded.objects.iter().map(ObjectRef::from).collect();
    let report = Report {
        files: &loaded.files,
        objects: &objects,
        places: &Places::default(),
        findings: &linted.findings,
        errors: &loaded.errors,
        skipped: loaded.skipped,
        suppressed: Some(&linted.suppressed),
    };
    for format in [Format::Human, Format::Json] {
        let mut out = Vec::new();
        report.write(format, Style::default(), &mut out).unwrap();
    }
});
