//! Property tests over generated manifests: whatever the input, loading never panics,
//! every error is located, and linting and both reports complete. Bounded so CI stays
//! fast; PROPTEST_CASES raises the count for a longer local run.

#[path = "support/manifests.rs"]
mod manifests;

use halint::load::render::RenderOptions;
use halint::load::skim::skim;
use halint::load::span::SpanTree;
use halint::load::yaml::SpanMode;
use halint::load::{load_text, Limits};
use halint::load::{plain, yaml};
use halint::objects::ObjectRef;
use halint::pipeline::{self, CheckInput};
use halint::report::{Format, Places, Report, Style};
use halint::{lint_all, Config, Date, LintInput};
use proptest::prelude::*;
use saphyr_parser::{Event, Parser};
use serde_json::Value;

/// Loads, lints and renders `text`; fails on an unlocated error, or when the CLI's
/// two-pass pipeline (here cutting the file into the smallest pieces) reports anything
/// other than loading and linting the whole set does.
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
    let today = Date::from_unix_days(20_000);
    let linted = lint_all(&LintInput {
        objects: &loaded.objects,
        context: &[],
        cluster: None,
        config: &config,
        today,
    });
    let findings = linted.findings;
    for f in &findings {
        prop_assert!(f.object < loaded.objects.len());
    }
    let objects: Vec<ObjectRef> = loaded.objects.iter().map(ObjectRef::from).collect();
    let report = Report {
        files: &loaded.files,
        objects: &objects,
        places: &Places::default(),
        findings: &findings,
        errors: &loaded.errors,
        skipped: loaded.skipped,
        suppressed: Some(&linted.suppressed),
    };
    let mut json = Vec::new();
    report
        .write(Format::Json, Style::default(), &mut json)
        .unwrap();
    let parsed: Value = serde_json::from_slice(&json).expect("the JSON report is JSON");
    prop_assert_eq!(
        parsed["errors"].as_array().map(Vec::len),
        Some(loaded.errors.len())
    );
    let mut human = Vec::new();
    report
        .write(Format::Human, Style::default(), &mut human)
        .unwrap();
    // SARIF places related objects too, which may sit in another piece than their finding.
    let mut sarif = Vec::new();
    report
        .write(Format::Sarif, Style::default(), &mut sarif)
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gen.yaml");
    std::fs::write(&path, text).unwrap();
    let limits = Limits::default();
    let check = |keep_text| {
        pipeline::check(&CheckInput {
            files: std::slice::from_ref(&path),
            context: &[],
            default_namespace: "default",
            limits: &limits,
            render: &RenderOptions::default(),
            config: &config,
            today,
            piece_bytes: 1,
            keep_text,
        })
    };
    // The pipeline's report, but for the file's name.
    let written = |checked: &pipeline::Checked, format| {
        let files = [halint::load::SourceFile {
            name: "gen.yaml".into(),
            text: checked.files[0].text.clone(),
        }];
        let mut out = Vec::new();
        Report {
            files: &files,
            objects: &checked.objects,
            places: &checked.places,
            findings: &checked.linted.findings,
            errors: &loaded.errors,
            skipped: checked.skipped,
            suppressed: Some(&checked.linted.suppressed),
        }
        .write(format, Style::default(), &mut out)
        .unwrap();
        out
    };
    let checked = check(true);
    prop_assert_eq!(&checked.linted.findings, &findings);
    prop_assert_eq!(&checked.linted.suppressed, &linted.suppressed);
    prop_assert_eq!(checked.skipped, loaded.skipped);
    let named = |errors: &[halint::load::InputError]| {
        errors
            .iter()
            .map(|e| (e.position, e.message.clone()))
            .collect::<Vec<_>>()
    };
    prop_assert_eq!(named(&checked.errors), named(&loaded.errors));
    let renamed: Vec<ObjectRef> = checked.objects.clone();
    prop_assert_eq!(renamed.len(), objects.len());
    for (a, b) in renamed.iter().zip(&objects) {
        prop_assert_eq!(&a.id, &b.id);
        prop_assert_eq!(
            a.origin.as_ref().map(|o| (o.document, &o.prefix)),
            b.origin.as_ref().map(|o| (o.document, &o.prefix))
        );
    }
    // The same report.
    let expected = [
        (Format::Json, &json),
        (Format::Human, &human),
        (Format::Sarif, &sarif),
    ];
    for (format, expected) in expected {
        let out = written(&checked, format);
        prop_assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(expected)
        );
    }
    // For the JSON report the text goes after the first pass, and every piece is read
    // again from disk: the same report.
    let let_go = check(false);
    let out = written(&let_go, Format::Json);
    prop_assert_eq!(
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&json)
    );
    prop_assert_eq!(named(&let_go.errors), named(&loaded.errors));
    Ok(())
}

/// Each document's index and outline fingerprint, or the parse errors.
fn outlines(text: &str) -> Result<Vec<(usize, u64)>, usize> {
    let mut seen = Vec::new();
    let (errors, _) = yaml::parse_outlines(text, &Limits::default(), |doc| {
        seen.push((doc.index, yaml::outline_fingerprint(&doc.value)))
    });
    match errors.len() {
        0 => Ok(seen),
        n => Err(n),
    }
}

/// Wherever the reader of plain YAML reads `text`, and the skimmed text the first pass
/// hands it, it reads the events saphyr-parser does, where saphyr-parser places them.
fn plain_agrees(text: &str) -> Result<(), TestCaseError> {
    for text in [text, &skim(text)] {
        let Some(ours) = plain::events(text) else {
            continue;
        };
        let ours: Vec<_> = ours.into_iter().map(plain::placed).collect();
        let mut parser = Parser::new_from_str(text);
        let mut theirs = Vec::new();
        loop {
            match parser.next_event() {
                Some(Ok((Event::StreamStart, _))) => {}
                Some(Ok((Event::StreamEnd, _))) | None => break,
                Some(Ok(event)) => theirs.push(plain::placed(event)),
                Some(Err(err)) => {
                    return Err(TestCaseError::fail(format!(
                        "read, but not YAML: {err} in {text:?}"
                    )))
                }
            }
        }
        if let Some(i) = (0..ours.len().max(theirs.len())).find(|&i| ours.get(i) != theirs.get(i)) {
            let (ours, theirs) = (ours.get(i), theirs.get(i));
            prop_assert!(false, "event {i}: {ours:?} against {theirs:?} in {text:?}");
        }
    }
    Ok(())
}

type Parse =
    fn(&str, SpanMode, &Limits, &mut dyn FnMut(yaml::Document)) -> (Vec<yaml::ParseError>, usize);
type Documents = Vec<(usize, halint::load::Position, Value, Option<SpanTree>)>;

/// The documents of `text` read by `parse` with their positions, the errors, and how many
/// documents it holds.
fn records(text: &str, parse: Parse) -> (Documents, Vec<yaml::ParseError>, usize) {
    let mut documents = Vec::new();
    let (errors, count) = parse(text, SpanMode::Record, &Limits::default(), &mut |doc| {
        documents.push((doc.index, doc.position, doc.value, doc.spans))
    });
    (documents, errors, count)
}

/// What the loader makes of `text` (the reader of plain YAML where it can, saphyr-parser
/// where it gives up) is what saphyr-parser alone makes of it: the documents, their
/// positions, the mistakes and where they are.
fn loader_agrees(text: &str) -> Result<(), TestCaseError> {
    let ours = records(text, |t, s, l, on| yaml::parse_each(t, s, l, on));
    let theirs = records(text, |t, s, l, on| yaml::parse_with_saphyr(t, s, l, on));
    // The first difference in positions, rather than two screens of documents.
    for (ours, theirs) in ours.0.iter().zip(&theirs.0) {
        let (o, t) = (format!("{:?}", ours.3), format!("{:?}", theirs.3));
        let same = o.chars().zip(t.chars()).take_while(|(a, b)| a == b).count();
        let from = |s: &str| s.chars().skip(same.saturating_sub(200)).collect::<String>();
        prop_assert_eq!(from(&o), from(&t), "{:?}", text);
    }
    prop_assert_eq!(ours, theirs, "{:?}", text);
    Ok(())
}

proptest! {
    #![proptest_config(manifests::cases(384))]

    #[test]
    fn the_plain_reader_reads_what_saphyr_parser_reads(
        docs in prop::collection::vec(manifests::object(), 1..4),
        style in prop::collection::vec(any::<u8>(), 1..64),
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..4),
        plain in any::<bool>(),
    ) {
        let mut style = match plain {
            true => manifests::Style::plain(style),
            false => manifests::Style::new(style),
        };
        let text = manifests::to_yaml(&docs, &mut style);
        let damaged = manifests::damage(&text, &edits);
        for text in [&text, &damaged] {
            plain_agrees(text)?;
            loader_agrees(text)?;
        }
    }

    /// The outlines of a text, read by the reader of plain YAML as far as it goes and by
    /// saphyr-parser from the document it gives up on, are the outlines of its documents
    /// read whole.
    #[test]
    fn outlines_are_the_outlines_of_the_documents_read_whole(
        docs in prop::collection::vec(manifests::object(), 1..5),
        style in prop::collection::vec(any::<u8>(), 1..64),
        plain in any::<bool>(),
    ) {
        let mut style = match plain {
            true => manifests::Style::plain(style),
            // An anchor in a left-out field, aliased outside it, is what outlines cannot
            // see (the second pass reads such a file whole).
            false => manifests::Style::without_anchors(style),
        };
        let text = manifests::to_yaml(&docs, &mut style);
        let mut whole = Vec::new();
        let (errors, _) = yaml::parse_with_saphyr(&text, SpanMode::Skip, &Limits::default(), |doc| {
            whole.push((doc.index, yaml::outline_fingerprint(&doc.value)))
        });
        if let (true, Ok(outlines)) = (errors.is_empty(), outlines(&text)) {
            prop_assert_eq!(outlines, whole, "{}", text);
        }
    }

    #[test]
    fn the_plain_reader_never_misreads_any_text(text in r#"[-:#{}\[\], '"a1.~\n]{0,80}"#) {
        plain_agrees(&text)?;
        loader_agrees(&text)?;
    }

    #[test]
    fn generated_manifests_load_lint_and_report(
        docs in prop::collection::vec(manifests::object(), 1..4),
        style in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let text = manifests::to_yaml(&docs, &mut manifests::Style::new(style));
        check(&text)?;
    }

    #[test]
    fn damaged_manifests_give_located_errors_never_panics(
        docs in prop::collection::vec(manifests::object(), 1..3),
        style in prop::collection::vec(any::<u8>(), 1..64),
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..6),
    ) {
        let text = manifests::to_yaml(&docs, &mut manifests::Style::new(style));
        check(&manifests::damage(&text, &edits))?;
    }

    /// Skimming is a guess the second pass checks; on valid manifests it is never wrong,
    /// or large sets would be read a third time.
    #[test]
    fn skimmed_text_has_the_outlines_of_the_whole(
        docs in prop::collection::vec(manifests::object(), 1..4),
        style in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let text = manifests::to_yaml(&docs, &mut manifests::Style::without_anchors(style));
        let skimmed = skim(&text);
        prop_assert_eq!(outlines(&skimmed), outlines(&text));
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
