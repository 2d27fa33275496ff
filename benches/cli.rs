//! End-to-end CLI benchmark: wall time, objects per second and peak RSS of the release
//! `halint` binary on generated corpora, against the raw YAML parse of the same bytes
//! and (optionally) checkov, measured in the same run.
//!
//!     cargo bench --bench cli                 # N = 1,000 and 10,000 apps
//!     HALINT_BENCH_APPS=1000,10000,50000 cargo bench --bench cli
//!     HALINT_BENCH_CHECKOV=path/to/checkov cargo bench --bench cli   # adds checkov at N ≤ 1,000
//!
//! Each figure is the median of HALINT_BENCH_RUNS runs (default 5); ratios are against a
//! baseline from the same run, because shared machines are noisy.

mod corpus;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use halint::load::yaml::{parse, SpanMode};
use halint::load::Limits;
use saphyr_parser::{Event, Parser};

const SEED: u64 = 42;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Runs a command once; wall time, the child's peak RSS in KiB and its exit code.
///
/// Through a fresh copy of this binary (`run_child`): std starts a child with
/// `posix_spawn`, which shares the parent's memory until the child execs, and Linux
/// counts the high-water mark of that shared memory in the child's peak RSS. This
/// process, which has held a corpus, would otherwise set the floor of every figure
/// (112.8 MB at 10,000 apps, above halint's own).
fn run(command: &mut Command) -> (Duration, i64, i32) {
    let mut through = this_bench();
    through.env(RUN, "1");
    for (name, value) in command.get_envs() {
        match value {
            Some(value) => through.env(name, value),
            None => through.env_remove(name),
        };
    }
    through.arg(command.get_program()).args(command.get_args());
    let [nanos, rss, status] = numbers_from(through);
    (Duration::from_nanos(nanos), rss as i64, status as i32)
}

/// A fresh copy of this binary, for the measurements made in a child process of their own.
fn this_bench() -> Command {
    Command::new(std::env::current_exe().expect("the bench's own path"))
}

/// The numbers such a child prints, after checking that it succeeded.
fn numbers_from<const N: usize>(mut child: Command) -> [u64; N] {
    // Its own panics show; what it measures writes nowhere.
    let out = child
        .stderr(Stdio::inherit())
        .output()
        .expect("the measuring child runs");
    assert!(out.status.success(), "the measuring child failed");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let numbers: Vec<u64> = text
        .split_whitespace()
        .map(|n| n.parse().expect("a number"))
        .collect();
    numbers
        .try_into()
        .expect("as many numbers as the child prints")
}

/// Set for a copy of this binary that runs its arguments as a command (see `run`).
const RUN: &str = "HALINT_BENCH_RUN";

/// In the child: runs the command, prints its wall time in nanoseconds, its peak RSS in
/// KiB and its exit code.
// wait4 reaps the child (std's wait cannot report its rusage).
#[allow(clippy::zombie_processes)]
fn run_child(program: &str, args: &[String]) {
    let start = Instant::now();
    let child = Command::new(program)
        .args(args)
        .env_remove(RUN)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the benchmarked command starts");
    let mut status = 0;
    // SAFETY: plain FFI calls; `usage` is written by wait4 before it is read.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::wait4(child.id() as i32, &mut status, 0, &mut usage);
        usage
    };
    let elapsed = start.elapsed();
    println!(
        "{} {} {}",
        elapsed.as_nanos(),
        usage.ru_maxrss,
        libc::WEXITSTATUS(status)
    );
}

/// Median wall time and the highest peak RSS (MB) over `runs` runs.
fn measure(runs: usize, mut command: impl FnMut() -> Command) -> (Duration, f64) {
    let samples: Vec<(Duration, i64, i32)> = (0..runs).map(|_| run(&mut command())).collect();
    // 0: clean, 1: findings; anything else means the run did not do the work.
    assert!(
        samples.iter().all(|s| s.2 == 0 || s.2 == 1),
        "a benchmarked run failed: {:?}",
        samples.iter().map(|s| s.2).collect::<Vec<_>>()
    );
    let rss = samples.iter().map(|r| r.1).max().unwrap_or(0) as f64 / 1024.0;
    (median(samples.into_iter().map(|r| r.0).collect()), rss)
}

/// How many resources checkov says it checked: a run that read nothing is fast too.
fn checkov_resources(mut command: Command) -> usize {
    let out = command.output().expect("checkov starts");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov's report is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    report["summary"]["resource_count"].as_u64().unwrap_or(0) as usize
}

fn halint(path: &Path, threads: Option<usize>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_halint"));
    command.args(["--format", "json"]).arg(path);
    if let Some(n) = threads {
        command.env("RAYON_NUM_THREADS", n.to_string());
    }
    command
}

/// The YAML parser alone: every event of the stream, nothing built. The floor.
fn raw_events(text: &str) -> usize {
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0;
    while let Some(Ok((event, _))) = parser.next_event() {
        match event {
            Event::DocumentStart(_) => documents += 1,
            Event::StreamEnd => break,
            _ => {}
        }
    }
    documents
}

/// The events of the reader of plain YAML, which reads the corpus whole: the floor of
/// halint's own reading.
fn reader_events(text: &str) -> usize {
    let mut documents = 0;
    let read = halint::load::plain::read(text, |event, _| {
        if let Event::DocumentStart(_) = event {
            documents += 1;
        }
    });
    read.expect("the corpus is plain YAML");
    documents
}

/// The floor on both cores: the same events, the text cut where halint cuts it.
fn raw_events_parallel(text: &str) -> usize {
    use rayon::prelude::*;
    let pieces = halint::load::split::pieces(text, halint::pipeline::PIECE_BYTES)
        .unwrap_or_else(|| vec![text]);
    pieces.par_iter().map(|piece| raw_events(piece)).sum()
}

struct Row {
    apps: usize,
    objects: usize,
    mb: f64,
    events: Duration,
    events_both_cores: Duration,
    reader: Duration,
    values: Duration,
    one: (Duration, f64),
    one_single_core: Duration,
    many: (Duration, f64),
    many_single_core: Duration,
}

/// Medians of the parse floors of `file` (raw events on one core and on both, the plain
/// reader's events, YAML to values), measured in a child process (see `floor_child`).
fn floors(file: &Path, objects: usize, runs: usize) -> [Duration; 4] {
    let mut child = this_bench();
    child
        .env("HALINT_BENCH_FLOOR", file)
        .env("HALINT_BENCH_FLOOR_OBJECTS", objects.to_string())
        .env("HALINT_BENCH_RUNS", runs.to_string());
    numbers_from(child).map(Duration::from_nanos)
}

/// In the child: the floors of one file, printed as nanoseconds.
fn floor_child(file: &Path, objects: usize, runs: usize) {
    let all = fs::read_to_string(file).expect("the corpus file");
    let in_process = |f: &dyn Fn()| {
        median(
            (0..runs)
                .map(|_| {
                    let start = Instant::now();
                    f();
                    start.elapsed()
                })
                .collect(),
        )
    };
    let events = in_process(&|| assert_eq!(raw_events(&all), objects));
    let events_both_cores = in_process(&|| assert_eq!(raw_events_parallel(&all), objects));
    let reader = in_process(&|| assert_eq!(reader_events(&all), objects));
    let values = in_process(&|| {
        let parsed = parse(&all, SpanMode::Skip, &Limits::default());
        assert_eq!(parsed.documents.len(), objects);
    });
    println!(
        "{} {} {} {}",
        events.as_nanos(),
        events_both_cores.as_nanos(),
        reader.as_nanos(),
        values.as_nanos()
    );
}

fn main() {
    if std::env::var_os(RUN).is_some() {
        let args: Vec<String> = std::env::args().skip(1).collect();
        run_child(&args[0], &args[1..]);
        return;
    }
    if let Some(file) = std::env::var_os("HALINT_BENCH_FLOOR") {
        let number = |name: &str| -> usize { std::env::var(name).unwrap().parse().unwrap() };
        let runs = number("HALINT_BENCH_RUNS");
        floor_child(Path::new(&file), number("HALINT_BENCH_FLOOR_OBJECTS"), runs);
        return;
    }
    let sizes: Vec<usize> = std::env::var("HALINT_BENCH_APPS")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs: usize = std::env::var("HALINT_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let checkov = std::env::var_os("HALINT_BENCH_CHECKOV");
    // HALINT_BENCH_CORPUS=DIR writes the corpora there and keeps them (for profiling).
    let kept = std::env::var_os("HALINT_BENCH_CORPUS").map(std::path::PathBuf::from);
    // Not tempfile's default `.tmp…` name: checkov passes over hidden directories, and
    // would read nothing.
    let temp = tempfile::Builder::new()
        .prefix("halint-bench-")
        .tempdir()
        .expect("temp dir");
    let dir = kept.as_deref().unwrap_or(temp.path());
    let mut rows = Vec::new();
    let mut checkov_rows = Vec::new();
    for &n in &sizes {
        let many = dir.join(format!("many-{n}"));
        fs::create_dir_all(&many).unwrap();
        let mut all = String::new();
        for i in 0..n {
            let app = corpus::app(i, SEED);
            fs::write(many.join(format!("app-{i:05}.yaml")), &app).unwrap();
            if i > 0 {
                // Between documents only: a trailing marker would start an empty document.
                all.push_str("---\n");
            }
            all.push_str(&app);
        }
        let single = dir.join(format!("all-{n}.yaml"));
        fs::write(&single, &all).unwrap();
        let objects = n * 4;
        let mb = all.len() as f64 / 1e6;
        // The floors are measured by a child of this binary: a child's peak RSS counts the
        // parent's memory until it execs, so this process stays small while halint runs.
        drop(all);
        let [events, events_both_cores, reader, values] = floors(&single, objects, runs);
        let row = Row {
            apps: n,
            objects,
            mb,
            events,
            events_both_cores,
            reader,
            values,
            one: measure(runs, || halint(&single, None)),
            one_single_core: measure(runs, || halint(&single, Some(1))).0,
            many: measure(runs, || halint(&many, None)),
            many_single_core: measure(runs, || halint(&many, Some(1))).0,
        };
        if let (Some(checkov), true) = (&checkov, n <= 1000) {
            // Its Kubernetes framework on the same files; fewer runs: it takes seconds.
            let checkov = || {
                let mut command = Command::new(checkov);
                command
                    .args(["--framework", "kubernetes", "--quiet", "--compact"])
                    .args(["-o", "json", "-d"])
                    .arg(&many);
                command
            };
            let read = checkov_resources(checkov());
            assert!(
                read >= objects,
                "checkov read {read} resources of {objects}"
            );
            let (time, rss) = measure(runs.min(3), checkov);
            checkov_rows.push((n, time, rss, row.many.0));
        }
        eprintln!("done: {n} apps");
        rows.push(row);
    }

    println!("| apps | objects | input MB | raw YAML events, 1 core | raw events, 2 cores | plain reader's events, 1 core | YAML → values | halint, one file | one file, 1 core | file per app | file per app, 1 core | objects/s (one file) | vs raw events, 2 cores | vs raw events, 1 core | vs the plain reader's events, 1 core | peak RSS (one file) | RSS target (3× input + 20 MB) |");
    println!(
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for r in &rows {
        println!(
            "| {} | {} | {:.1} | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} | {:.2}× | {:.2}× | {:.2}× | {:.1} MB | {:.1} MB |",
            r.apps,
            r.objects,
            r.mb,
            ms(r.events),
            ms(r.events_both_cores),
            ms(r.reader),
            ms(r.values),
            ms(r.one.0),
            ms(r.one_single_core),
            ms(r.many.0),
            ms(r.many_single_core),
            r.objects as f64 / r.one.0.as_secs_f64(),
            r.one.0.as_secs_f64() / r.events_both_cores.as_secs_f64(),
            r.one_single_core.as_secs_f64() / r.events.as_secs_f64(),
            r.one_single_core.as_secs_f64() / r.reader.as_secs_f64(),
            r.one.1,
            3.0 * r.mb + 20.0,
        );
    }
    println!();
    println!("Scaling (one file): cost per 1,000 objects");
    println!();
    println!(
        "| apps | halint µs per object | raw events µs per object | peak RSS (file per app) |"
    );
    println!("|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {:.1} | {:.1} | {:.1} MB |",
            r.apps,
            r.one.0.as_secs_f64() * 1e6 / r.objects as f64,
            r.events.as_secs_f64() * 1e6 / r.objects as f64,
            r.many.1,
        );
    }
    if !checkov_rows.is_empty() {
        println!();
        println!("| apps | checkov (file per app) | checkov peak RSS | halint (file per app) | checkov / halint |");
        println!("|---:|---:|---:|---:|---:|");
        for (n, time, rss, ours) in checkov_rows {
            println!(
                "| {n} | {:.0} ms | {rss:.0} MB | {:.0} ms | {:.0}× |",
                ms(time),
                ms(ours),
                time.as_secs_f64() / ours.as_secs_f64()
            );
        }
    }
}
