//! End-to-end CLI benchmark: wall time, objects per second and peak RSS of the release
//! `halint` binary on generated corpora, against the raw YAML parse of the same bytes
//! measured in the same run.
//!
//!     cargo bench --bench cli                 # N = 1,000 and 10,000 apps
//!     HALINT_BENCH_APPS=1000,10000,50000 cargo bench --bench cli
//!
//! Each figure is the median of several runs; ratios are against a baseline from the same
//! run, because shared machines are noisy.

mod corpus;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use halint::load::yaml::{parse, SpanMode};
use halint::load::Limits;

const RUNS: usize = 5;
const SEED: u64 = 42;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Runs the CLI once; wall time and the child's peak RSS in KiB.
// wait4 reaps the child (std's wait cannot report its rusage).
#[allow(clippy::zombie_processes)]
fn run_cli(args: &[&str]) -> (Duration, i64) {
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_halint"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("halint starts");
    let mut status = 0;
    // SAFETY: plain FFI calls; `usage` is written by wait4 before it is read.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::wait4(child.id() as i32, &mut status, 0, &mut usage);
        usage
    };
    (start.elapsed(), usage.ru_maxrss)
}

fn main() {
    let sizes: Vec<usize> = std::env::var("HALINT_BENCH_APPS")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    // HALINT_BENCH_CORPUS=DIR writes the corpora there and keeps them (for profiling).
    let kept = std::env::var_os("HALINT_BENCH_CORPUS").map(std::path::PathBuf::from);
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = kept.as_deref().unwrap_or(temp.path());
    println!("| apps | objects | input MB | parse only | halint, one file | halint, file per app | objects/s (one file) | vs parse | peak RSS (one file) |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &n in &sizes {
        let many = dir.join(format!("many-{n}"));
        fs::create_dir_all(&many).unwrap();
        let mut all = String::new();
        for i in 0..n {
            let app = corpus::app(i, SEED);
            fs::write(many.join(format!("app-{i:05}.yaml")), &app).unwrap();
            all.push_str(&app);
            all.push_str("---\n");
        }
        let single = dir.join(format!("all-{n}.yaml"));
        fs::write(&single, &all).unwrap();
        let objects = n * 4;
        let mb = all.len() as f64 / 1e6;

        let parse_only = median(
            (0..RUNS)
                .map(|_| {
                    let start = Instant::now();
                    let parsed = parse(&all, SpanMode::Skip, &Limits::default());
                    assert_eq!(parsed.documents.len(), objects);
                    start.elapsed()
                })
                .collect(),
        );
        let cli = |path: &Path| {
            let runs: Vec<(Duration, i64)> = (0..RUNS)
                .map(|_| run_cli(&["--format", "json", path.to_str().unwrap()]))
                .collect();
            let rss = runs.iter().map(|r| r.1).max().unwrap_or(0);
            (median(runs.into_iter().map(|r| r.0).collect()), rss)
        };
        let (one_file, rss) = cli(&single);
        let (per_app, _) = cli(&many);
        println!(
            "| {n} | {objects} | {mb:.1} | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} | {:.2}× | {:.1} MB |",
            parse_only.as_secs_f64() * 1e3,
            one_file.as_secs_f64() * 1e3,
            per_app.as_secs_f64() * 1e3,
            objects as f64 / one_file.as_secs_f64(),
            one_file.as_secs_f64() / parse_only.as_secs_f64(),
            rss as f64 / 1024.0,
        );
    }
}
