//! Latency per admission over TLS keep-alive on loopback.
//!
//!     cargo bench -p halint-webhook --bench latency
//!
//! Starts the webhook in-process (--no-cluster, enforce mode, JSON logs formatted into
//! a sink so their cost counts), then for each concurrency level sends the captured
//! CREATE of a 3-replica Deployment (01, ~9 KB, every rule runs) back to back on
//! kept-alive connections for a few seconds and prints p50/p90/p99/max and the rate.
//! HALINT_BENCH_SECS sets the seconds per level (default 3).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{capture, Options, TestServer};
use hyper::{Method, StatusCode};

fn main() {
    let seconds: u64 = std::env::var("HALINT_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_writer(std::io::sink)
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let server = std::sync::Arc::new(TestServer::start(Options::default()).await);
        let body =
            bytes::Bytes::from(serde_json::to_vec(&capture("01-create-deployments.json")).unwrap());
        println!(
            "halint-webhook admission latency, TLS 1.3 keep-alive, loopback, {seconds} s per level"
        );
        println!(
            "{:>11} {:>9} {:>9} {:>9} {:>9} {:>11}",
            "connections", "p50 µs", "p90 µs", "p99 µs", "max µs", "requests/s"
        );
        for connections in [1, 4] {
            // Warm-up: handshakes, allocator, caches.
            run(&server, &body, connections, Duration::from_millis(300)).await;
            let started = Instant::now();
            let mut samples = run(&server, &body, connections, Duration::from_secs(seconds)).await;
            let elapsed = started.elapsed().as_secs_f64();
            samples.sort_unstable();
            let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
            println!(
                "{connections:>11} {:>9} {:>9} {:>9} {:>9} {:>11.0}",
                at(0.50),
                at(0.90),
                at(0.99),
                samples.last().unwrap(),
                samples.len() as f64 / elapsed
            );
        }
        // The server's own share: body parsed to response built (engine included).
        let metrics = server.metrics.render();
        let value = |name: &str| {
            metrics
                .lines()
                .find_map(|l| l.strip_prefix(name)?.trim().parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        let (sum, count) = (
            value("halint_webhook_admission_duration_seconds_sum"),
            value("halint_webhook_admission_duration_seconds_count"),
        );
        println!(
            "server-side decision time, mean over all requests: {:.1} µs",
            sum / count * 1e6
        );
    });
}

/// Latencies in microseconds of every request sent in `duration`.
async fn run(
    server: &std::sync::Arc<TestServer>,
    body: &bytes::Bytes,
    connections: usize,
    duration: Duration,
) -> Vec<u64> {
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let server = std::sync::Arc::clone(server);
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let mut client = server.connect().await.unwrap();
            let mut samples = Vec::new();
            while Instant::now() < deadline {
                let start = Instant::now();
                let (status, _) = client
                    .request(Method::POST, "/validate", body.clone())
                    .await
                    .unwrap();
                samples.push(start.elapsed().as_micros() as u64);
                assert_eq!(status, StatusCode::OK);
            }
            samples
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}
