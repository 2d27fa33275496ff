//! Where the CLI's memory goes: the pipeline on a generated corpus in one file, under an
//! allocator that counts live bytes (the figures in BENCHMARKS.md, "CLI, end to end").
//!
//!     cargo bench --bench memory                   # 10,000 apps
//!     HALINT_BENCH_APPS=1000 cargo bench --bench memory
//!
//! Live bytes, not RSS: the allocator's own slack (mimalloc's per-thread heaps in the
//! binary) comes on top, and `cargo bench --bench cli` measures the RSS.

mod corpus;
#[path = "../tests/support/counting.rs"]
mod counting;

use halint::load::render::RenderOptions;
use halint::load::{self, Limits};
use halint::objects::catalog::Entry;
use halint::objects::index::Index;
use halint::pipeline::{self, CheckInput};
use halint::{Config, Date};

use counting::{live, peak, reset_peak};

fn mb(bytes: isize) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// Live bytes freed by dropping `value`.
fn held<T>(value: T) -> isize {
    let before = live();
    drop(value);
    before - live()
}

fn main() {
    let apps: usize = std::env::var("HALINT_BENCH_APPS")
        .ok()
        .and_then(|s| s.split(',').next_back()?.trim().parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("all.yaml");
    let text: Vec<String> = (0..apps).map(|i| corpus::app(i, 42)).collect();
    std::fs::write(&file, text.join("---\n")).unwrap();
    drop(text);
    let files = [file];
    let (config, limits) = (Config::default(), Limits::default());

    let input = std::fs::metadata(&files[0]).unwrap().len() as isize;
    // As the CLI reads for each kind of report: JSON and GitHub annotations let a large
    // file's text go after the first pass; the human report and SARIF keep it.
    for keep_text in [false, true] {
        let before = live();
        reset_peak();
        let checked = pipeline::check(&CheckInput {
            files: &files,
            context: &[],
            default_namespace: "default",
            limits: &limits,
            render: &RenderOptions::default(),
            config: &config,
            today: Date::from_unix_days(20_000),
            piece_bytes: pipeline::PIECE_BYTES,
            keep_text,
        });
        let peak = peak() - before;
        let after = live() - before;
        let findings = checked.linted.findings.len();
        let objects = checked.objects.len();
        let pipeline::Checked {
            files: read,
            objects: names,
            linted,
            places,
            ..
        } = checked;
        println!(
            "{apps} apps in one file, text {}: {} input, {objects} objects, {findings} findings",
            if keep_text { "kept" } else { "let go" },
            mb(input)
        );
        println!(
            "pipeline peak (live bytes): {}; held after it: {}",
            mb(peak),
            mb(after)
        );
        println!("  text of the files:          {}", mb(held(read)));
        println!("  findings:                   {}", mb(held(linted)));
        println!("  objects' names and origins: {}", mb(held(names)));
        println!("  resolved positions:         {}", mb(held(places)));
    }

    // The index lives during the rules only: the same projections, indexed again here.
    let loaded = load::load(&files, "default", &limits);
    let entries: Vec<(usize, Entry)> = loaded
        .objects
        .iter()
        .enumerate()
        .filter_map(|(i, o)| Some((i, Entry::from_object(o)?)))
        .collect();
    drop(loaded);
    let index = Index::from_entries(entries, &[], None);
    println!("  index during the rules:     {}", mb(held(index)));
}
