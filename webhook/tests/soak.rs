//! Soak: the webhook under a steady request rate for minutes, with resident memory and
//! latency sampled. Memory must stay flat once warm. Not run in CI (ignored); run it
//! with
//!
//!     SOAK_SECONDS=600 SOAK_RATE=200 cargo test --release -p halint-webhook \
//!         --test soak -- --ignored --nocapture
//!
//! The server runs in this process, so the RSS sampled is the server's plus the load
//! generator's (small and constant).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{capture, response_of, Options, TestServer};
use hyper::{Method, StatusCode};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Resident set size of this process, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "minutes long: run by hand (see the module doc)"]
async fn steady_load_keeps_memory_flat() {
    let seconds = env("SOAK_SECONDS", 600);
    let rate = env("SOAK_RATE", 200);
    let sample_every = Duration::from_secs(env("SOAK_SAMPLE_SECONDS", 10));
    let clients = 4u64;

    let server = Arc::new(TestServer::start(Options::default()).await);
    let bodies: Vec<bytes::Bytes> = [
        "01-create-deployments.json",
        "02-create-poddisruptionbudgets.json",
        "03-update-deployments.json",
        "05-update-deployments-scale.json",
        "06-create-statefulsets.json",
        "11-create-horizontalpodautoscalers.json",
        "14-delete-deployments.json",
    ]
    .iter()
    .map(|n| bytes::Bytes::from(serde_json::to_vec(&capture(n)).unwrap()))
    .collect();

    let latencies = Arc::new(Mutex::new(Vec::<Duration>::new()));
    let failed = Arc::new(AtomicUsize::new(0));
    let sent = Arc::new(AtomicUsize::new(0));
    let end = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (server, bodies, latencies, failed, sent) = (
            Arc::clone(&server),
            bodies.clone(),
            Arc::clone(&latencies),
            Arc::clone(&failed),
            Arc::clone(&sent),
        );
        tasks.push(tokio::spawn(async move {
            let mut tick =
                tokio::time::interval(Duration::from_micros(1_000_000 * clients / rate.max(1)));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut client = server.connect().await.unwrap();
            let mut i = c as usize;
            while Instant::now() < end {
                tick.tick().await;
                // Every 50th request on a new connection: handshakes are part of the load.
                if i.is_multiple_of(50) {
                    client = server.connect().await.unwrap();
                }
                let body = bodies[i % bodies.len()].clone();
                i += 1;
                let started = Instant::now();
                let result = client.request(Method::POST, "/validate", body).await;
                let took = started.elapsed();
                sent.fetch_add(1, Ordering::Relaxed);
                match result {
                    Ok((StatusCode::OK, b)) if response_of(&b)["uid"].is_string() => {
                        latencies.lock().unwrap().push(took);
                    }
                    other => {
                        eprintln!("failed: {other:?}");
                        failed.fetch_add(1, Ordering::Relaxed);
                        client = server.connect().await.unwrap();
                    }
                }
            }
        }));
    }

    println!("elapsed_s  rss_kib  requests  p50_us  p99_us  max_us");
    let started = Instant::now();
    let mut samples = Vec::new();
    while Instant::now() < end {
        tokio::time::sleep(sample_every.min(end.saturating_duration_since(Instant::now()))).await;
        let mut window = std::mem::take(&mut *latencies.lock().unwrap());
        window.sort();
        let rss = rss_kib();
        println!(
            "{:>9}  {:>7}  {:>8}  {:>6}  {:>6}  {:>6}",
            started.elapsed().as_secs(),
            rss,
            sent.load(Ordering::Relaxed),
            percentile(&window, 0.5).as_micros(),
            percentile(&window, 0.99).as_micros(),
            window.last().copied().unwrap_or_default().as_micros(),
        );
        samples.push(rss);
    }
    for t in tasks {
        t.await.unwrap();
    }

    assert_eq!(failed.load(Ordering::Relaxed), 0, "failed requests");
    // Warm after a fifth of the run: allocator pools, connection buffers and metric
    // label sets have reached their size. From then on, growth is a leak.
    let warm = samples[samples.len() / 5];
    let last = *samples.last().unwrap();
    let peak = *samples[samples.len() / 5..].iter().max().unwrap();
    println!("rss warm {warm} KiB, last {last} KiB, peak after warm-up {peak} KiB");
    assert!(
        last <= warm + warm / 10 + 4096,
        "RSS grew from {warm} KiB to {last} KiB"
    );
}
