//! Engine micro-benchmarks: the rule set per object, the loader per MB, and the raw
//! events per MB of the YAML parser and of the reader of plain YAML (the loader's floors),
//! on the corpus of the CLI benchmark.
//!
//!     cargo bench --bench engine
//!
//! criterion prints time per iteration and throughput: for `rules`, elements are
//! objects (µs per object = 1e6 / elements per second); for the others, bytes.

mod corpus;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use halint::load::yaml::{self, Document, ParseError, SpanMode};
use halint::load::{self, Limits};
use halint::{lint, Config, LintInput};
use saphyr_parser::Parser;

const APPS: usize = 1000;

fn text() -> String {
    (0..APPS).map(|i| corpus::app(i, 42) + "---\n").collect()
}

/// The same apps as `kubectl get -o yaml` writes them back.
fn exported() -> String {
    (0..APPS)
        .map(|i| corpus::exported(i, 42) + "---\n")
        .collect()
}

fn benches(c: &mut Criterion) {
    let text = text();
    let loaded = load::load_text("corpus.yaml", text.clone(), "default", &Limits::default());
    assert_eq!(loaded.objects.len(), APPS * 4);
    let config = Config::default();

    let mut group = c.benchmark_group("rules");
    group.throughput(Throughput::Elements(loaded.objects.len() as u64));
    group.bench_function("lint 1000 apps", |b| {
        b.iter(|| {
            lint(&LintInput {
                objects: &loaded.objects,
                context: &[],
                cluster: None,
                config: &config,
                today: halint::Date::from_unix_days(20_000),
            })
        })
    });
    group.finish();

    let mut group = c.benchmark_group("loader");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("load_text 1000 apps", |b| {
        b.iter(|| load::load_text("corpus.yaml", text.clone(), "default", &Limits::default()))
    });
    first_pass(&mut group, &text);
    // The reader of plain YAML's events: its floor where it reads the text whole.
    group.bench_function("plain reader's events 1000 apps", |b| {
        b.iter(|| {
            let mut n = 0usize;
            load::plain::read(&text, |_, _| n += 1).expect("plain YAML");
            n
        })
    });
    // The second pass's reading: values with positions, each document dropped as it
    // comes (the second pass lints it and lets it go), read by the loader and by
    // saphyr-parser alone.
    let limits = Limits::default();
    type Parse = fn(&str, SpanMode, &Limits, &mut dyn FnMut(Document)) -> (Vec<ParseError>, usize);
    let readers: [(&str, Parse); 2] = [
        ("values with positions 1000 apps", |t, s, l, on| {
            yaml::parse_each(t, s, l, on)
        }),
        (
            "values with positions, saphyr-parser alone 1000 apps",
            |t, s, l, on| yaml::parse_with_saphyr(t, s, l, on),
        ),
    ];
    for (name, parse) in readers {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut n = 0usize;
                parse(&text, SpanMode::Record, &limits, &mut |_| n += 1);
                n
            })
        });
    }
    group.finish();

    // The CLI's first pass over exported objects, whose managed fields, status and last
    // applied configuration skimming takes out.
    let exported = exported();
    let read = load::load_text(
        "exported.yaml",
        exported.clone(),
        "default",
        &Limits::default(),
    );
    assert_eq!((read.objects.len(), read.errors.len()), (APPS * 4, 0));
    let mut group = c.benchmark_group("exported");
    group.throughput(Throughput::Bytes(exported.len() as u64));
    first_pass(&mut group, &exported);
    group.finish();
}

/// The CLI's first pass over `text` (outlines: values without the fields `LEFT_OUT`
/// names), with and without skimming, and the parser's raw events, its floor.
fn first_pass(group: &mut BenchmarkGroup<'_, WallTime>, text: &str) {
    group.bench_function("outlines 1000 apps", |b| {
        b.iter(|| {
            let mut n = 0usize;
            load::yaml::parse_outlines(text, &Limits::default(), |_| n += 1);
            n
        })
    });
    // What it reads since it skims: the text without those fields' lines.
    group.bench_function("skim + outlines 1000 apps", |b| {
        b.iter(|| {
            let mut n = 0usize;
            let skimmed = load::skim::skim(text);
            load::yaml::parse_outlines(&skimmed, &Limits::default(), |_| n += 1);
            n
        })
    });
    group.bench_function("raw YAML events 1000 apps", |b| {
        b.iter(|| {
            let mut parser = Parser::new_from_str(text);
            let mut n = 0usize;
            while let Some(Ok(_)) = parser.next_event() {
                n += 1;
            }
            n
        })
    });
}

criterion_group! {
    name = engine;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(engine);
