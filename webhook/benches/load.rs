//! Load test over real TLS on loopback with keep-alive: the release `halint-webhook`
//! (--no-cluster, enforce, JSON logs) against a bare server on the same stack (our
//! hyper-util + tokio-rustls accept loop and axum, answering a fixed AdmissionReview),
//! measured in the same run. Then the memory of a cache filled for a large cluster.
//!
//!     cargo bench -p halint-webhook --bench load
//!     HALINT_BENCH_SECS=10 HALINT_BENCH_RATES=500,1000,2000 cargo bench -p halint-webhook --bench load
//!
//! Profiling the whole server path (TLS, HTTP, handler, log line): each server runs under
//! the wrapper and answers exactly HALINT_LOAD_REQUESTS requests of the mix on one
//! connection; a run with 0 gives the start-up cost to subtract.
//!
//!     HALINT_LOAD_SERVERS=halint-webhook HALINT_LOAD_REQUESTS=2000 \
//!       HALINT_LOAD_WRAPPER="valgrind --tool=callgrind --callgrind-out-file=cg.%p" \
//!       cargo bench -p halint-webhook --bench load
//!
//! The load generator is this binary: an open-loop client at fixed rates (each request
//! has a scheduled send time and its latency counts from then, so a stalled server
//! cannot hide its queue; the schedule is kept by a thread sleeping on the OS clock, and
//! the generator's own lateness is reported beside the latencies as "client lag"), and
//! a closed loop at saturation. The mix is built from the
//! captures in testdata/admission: Deployments allowed and denied, PDBs, scale requests.
//! Client and server share the machine's cores.

#[path = "../tests/common/mod.rs"]
mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{capture, Pki};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio_rustls::TlsConnector;

// The webhook's allocator, so that the cache's memory below is what the webhook pays.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Connections of the closed loop at saturation, and of the open loop.
const SATURATION_CONNECTIONS: usize = 8;
const RATE_CONNECTIONS: usize = 16;

fn main() {
    match std::env::var("HALINT_LOAD_ROLE").as_deref() {
        Ok("bare") => return bare_server(false),
        Ok("bare-decode") => return bare_server(true),
        Ok("cache") => return cache_memory(),
        _ => {}
    }
    let seconds: u64 = env_or("HALINT_BENCH_SECS", 5);
    let rates: Vec<f64> = std::env::var("HALINT_BENCH_RATES")
        .unwrap_or_else(|_| "500,1000,2000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    // A profiler to start the servers under (`valgrind --tool=callgrind`), and with it
    // an exact number of requests instead of timed runs.
    let wrapper: Option<Vec<String>> = std::env::var("HALINT_LOAD_WRAPPER")
        .ok()
        .map(|w| w.split_whitespace().map(str::to_owned).collect())
        .filter(|w: &Vec<String>| !w.is_empty());
    let requests: Option<usize> = std::env::var("HALINT_LOAD_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok());
    let servers: Vec<String> = std::env::var("HALINT_LOAD_SERVERS")
        .unwrap_or_else(|_| "halint-webhook,bare".into())
        .split(',')
        .map(|s| s.trim().to_owned())
        .collect();
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = pki.leaf();
    let (cert_path, key_path) = (dir.path().join("tls.crt"), dir.path().join("tls.key"));
    std::fs::write(&cert_path, cert).unwrap();
    std::fs::write(&key_path, key).unwrap();
    let mix = mix();
    let client = pki.client_config();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "TLS 1.3, HTTP/1.1 keep-alive, loopback; {seconds} s per level; mix of {} requests",
        mix.len()
    );
    println!();
    println!("| server | RSS at rest | saturation req/s (p50, p99) | rate | p50 | p99 | p99.9 | max | failed | peak RSS | client lag p50 / p99 (pacer p99) |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut saturations = Vec::new();
    for target in ["halint-webhook", "bare axum + rustls", "bare + decode"] {
        let port = free_port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let (program, role) = match target {
            "halint-webhook" => (PathBuf::from(env!("CARGO_BIN_EXE_halint-webhook")), None),
            "bare axum + rustls" => (std::env::current_exe().unwrap(), Some("bare")),
            _ => (std::env::current_exe().unwrap(), Some("bare-decode")),
        };
        if !servers.iter().any(|s| target.starts_with(s.as_str())) {
            continue;
        }
        let mut command = match &wrapper {
            Some(words) => {
                let mut c = Command::new(&words[0]);
                c.args(&words[1..]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        match role {
            Some(role) => command.env("HALINT_LOAD_ROLE", role),
            None => command.arg("--no-cluster"),
        };
        command
            .args(["--listen", &addr.to_string()])
            .arg("--tls-cert")
            .arg(&cert_path)
            .arg("--tls-key")
            .arg(&key_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = Server(command.spawn().expect("server starts"));
        runtime.block_on(async {
            wait_ready(addr, &client).await;
            let rest = rss(child.0.id()).0;
            if let Some(count) = requests {
                // Under a profiler: exactly `count` requests, nothing else.
                let sent = counted(addr, &client, &mix, count).await;
                println!("| {target} | {rest:.1} MB | {count} requests sent, {sent} failed | | | | | | | | |");
                return;
            }
            // Warm-up: handshakes, allocator, lazily built tables.
            closed_loop(addr, &client, &mix, 4, Duration::from_millis(500)).await;
            let sat = closed_loop(
                addr,
                &client,
                &mix,
                SATURATION_CONNECTIONS,
                Duration::from_secs(seconds),
            )
            .await;
            println!(
                "| {target} | {rest:.1} MB | {:.0} ({} µs, {} µs) | | | | | | {} | | |",
                sat.rate,
                sat.at(0.5),
                sat.at(0.99),
                sat.failed
            );
            saturations.push(sat.rate);
            for &rate in &rates {
                let run = open_loop(addr, &client, &mix, rate, Duration::from_secs(seconds)).await;
                let lag = run.lag.as_ref().expect("an open-loop run");
                println!(
                    "| {target} | | | {rate:.0}/s | {} µs | {} µs | {} µs | {} µs | {} | {:.1} MB | {} / {} µs ({} µs) |",
                    run.at(0.5),
                    run.at(0.99),
                    run.at(0.999),
                    run.samples.last().copied().unwrap_or(0),
                    run.failed,
                    rss(child.0.id()).1,
                    quantile(&lag.started, 0.5),
                    quantile(&lag.started, 0.99),
                    quantile(&lag.released, 0.99),
                );
            }
        });
        drop(child);
    }
    if requests.is_some() {
        return;
    }
    if let [ours, bare, decode] = saturations[..] {
        println!();
        println!(
            "saturation: bare / halint-webhook = {:.2}×, bare + decode / halint-webhook = {:.2}×",
            bare / ours,
            decode / ours
        );
    }

    println!();
    let out = Command::new(std::env::current_exe().unwrap())
        .env("HALINT_LOAD_ROLE", "cache")
        .output()
        .expect("cache measurement runs");
    print!("{}", String::from_utf8_lossy(&out.stdout));
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A child server, stopped when dropped: SIGTERM first, so that a profiler it runs
/// under writes its data, then SIGKILL if it lingers.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        // SAFETY: kill(2) on our own child's pid reads no memory.
        unsafe {
            libc::kill(self.0.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// VmRSS and VmHWM (peak) of a process, in MB.
fn rss(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The request mix: (body, weight). Deployments allowed and denied, PDBs, scale.
fn mix() -> Vec<Bytes> {
    let weighted = [
        ("01-create-deployments.json", 3),        // allowed, with warnings
        ("03-update-deployments.json", 2),        // allowed, old object compared
        ("13-update-deployments-dryrun.json", 2), // one replica: denied
        ("02-create-poddisruptionbudgets.json", 1),
        ("04-update-poddisruptionbudgets.json", 1),
        ("05-update-deployments-scale.json", 1), // scale to one replica
    ];
    weighted
        .iter()
        .flat_map(|(file, weight)| {
            let body = Bytes::from(serde_json::to_vec(&capture(file)).unwrap());
            std::iter::repeat_n(body, *weight)
        })
        .collect()
}

type Sender = http1::SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr, config: &Arc<rustls::ClientConfig>) -> std::io::Result<Sender> {
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let tls = TlsConnector::from(Arc::clone(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await?;
    let (sender, conn) = http1::handshake(TokioIo::new(tls))
        .await
        .map_err(std::io::Error::other)?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

async fn wait_ready(addr: SocketAddr, config: &Arc<rustls::ClientConfig>) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while connect(addr, config).await.is_err() {
        assert!(Instant::now() < deadline, "server did not start on {addr}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One request; Ok(true) when the review was denied.
async fn send(sender: &mut Sender, body: &Bytes) -> Result<bool, String> {
    sender.ready().await.map_err(|e| e.to_string())?;
    let request = Request::post("/validate")
        .header("host", "localhost")
        .header("content-type", "application/json")
        .body(Full::new(body.clone()))
        .unwrap();
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    if status != StatusCode::OK {
        return Err(format!("HTTP {status}"));
    }
    Ok(body.windows(16).any(|w| w == b"\"allowed\":false"))
}

struct Run {
    /// Latencies in µs, sorted.
    samples: Vec<u64>,
    failed: usize,
    rate: f64,
    /// The generator's lateness, for open-loop runs.
    lag: Option<Lag>,
}

impl Run {
    fn at(&self, q: f64) -> u64 {
        quantile(&self.samples, q)
    }

    fn new(parts: Vec<(Vec<u64>, usize)>, elapsed: Duration) -> Run {
        let mut samples = Vec::new();
        let mut failed = 0;
        for (s, f) in parts {
            samples.extend(s);
            failed += f;
        }
        samples.sort_unstable();
        let rate = samples.len() as f64 / elapsed.as_secs_f64();
        Run {
            samples,
            failed,
            rate,
            lag: None,
        }
    }
}

/// `count` requests of the mix, one after another on one connection; returns how many
/// failed.
async fn counted(
    addr: SocketAddr,
    config: &Arc<rustls::ClientConfig>,
    mix: &[Bytes],
    count: usize,
) -> usize {
    let mut sender = connect(addr, config).await.expect("connects");
    let mut failed = 0;
    for i in 0..count {
        if send(&mut sender, &mix[i % mix.len()]).await.is_err() {
            failed += 1;
            sender = connect(addr, config).await.expect("reconnects");
        }
    }
    failed
}

/// Back to back on `connections` connections for `duration`.
async fn closed_loop(
    addr: SocketAddr,
    config: &Arc<rustls::ClientConfig>,
    mix: &[Bytes],
    connections: usize,
    duration: Duration,
) -> Run {
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..connections)
        .map(|c| {
            let (config, mix) = (Arc::clone(config), mix.to_vec());
            tokio::spawn(async move {
                let mut sender = connect(addr, &config).await.expect("connects");
                let (mut samples, mut failed) = (Vec::new(), 0);
                let mut i = c;
                while Instant::now() < deadline {
                    let start = Instant::now();
                    match send(&mut sender, &mix[i % mix.len()]).await {
                        Ok(_) => samples.push(start.elapsed().as_micros() as u64),
                        Err(_) => {
                            failed += 1;
                            sender = connect(addr, &config).await.expect("reconnects");
                        }
                    }
                    i += 1;
                }
                (samples, failed)
            })
        })
        .collect();
    let mut parts = Vec::new();
    for t in tasks {
        parts.push(t.await.unwrap());
    }
    Run::new(parts, started.elapsed())
}

/// `rate` requests per second in total; each latency counts from the request's
/// scheduled time, so a server that falls behind is charged its queue.
///
/// The schedule is kept by a thread of its own sleeping on the OS clock (with the timer
/// slack at its minimum), not by tokio's timer, whose 1 ms ticks would make every
/// request up to a millisecond late and charge that to the server. Due requests go to a
/// queue that the connections take from, as the API server's pooled connections do.
/// How late each request started (the instrument's own floor) is measured too.
async fn open_loop(
    addr: SocketAddr,
    config: &Arc<rustls::ClientConfig>,
    mix: &[Bytes],
    rate: f64,
    duration: Duration,
) -> Run {
    let mut senders = Vec::new();
    for _ in 0..RATE_CONNECTIONS {
        senders.push(connect(addr, config).await.expect("connects"));
    }
    let interval = Duration::from_secs_f64(1.0 / rate);
    let count = (duration.as_secs_f64() * rate) as usize;
    let (due_tx, due_rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, usize)>();
    let due_rx = Arc::new(tokio::sync::Mutex::new(due_rx));
    let started = Instant::now() + Duration::from_millis(20);
    let pacer = std::thread::spawn(move || pace(&due_tx, started, interval, count));
    let tasks: Vec<_> = senders
        .into_iter()
        .map(|mut sender| {
            let (config, mix, due_rx) = (Arc::clone(config), mix.to_vec(), Arc::clone(&due_rx));
            tokio::spawn(async move {
                let (mut samples, mut lag, mut failed) = (Vec::new(), Vec::new(), 0);
                loop {
                    let next = due_rx.lock().await.recv().await;
                    let Some((due, i)) = next else { break };
                    lag.push(due.elapsed().as_micros() as u64);
                    match send(&mut sender, &mix[i % mix.len()]).await {
                        Ok(_) => samples.push(due.elapsed().as_micros() as u64),
                        Err(_) => {
                            failed += 1;
                            sender = connect(addr, &config).await.expect("reconnects");
                        }
                    }
                }
                (samples, lag, failed)
            })
        })
        .collect();
    let (mut parts, mut lag) = (Vec::new(), Vec::new());
    for t in tasks {
        let (samples, l, failed) = t.await.unwrap();
        parts.push((samples, failed));
        lag.extend(l);
    }
    let pacer_late = pacer.join().unwrap();
    let mut run = Run::new(parts, duration);
    run.lag = Some(Lag::new(pacer_late, lag));
    run
}

/// Releases `count` requests at `start`, `start + interval`, ...; returns how late (µs)
/// each was released. A late release never shifts the schedule: the requests due by then
/// all go at once, as an open loop must.
fn pace(
    due: &tokio::sync::mpsc::UnboundedSender<(Instant, usize)>,
    start: Instant,
    interval: Duration,
    count: usize,
) -> Vec<u64> {
    // The default slack (50 µs) lets the kernel wake this thread that much later to
    // batch timers; the schedule wants the earliest wake-up it can get.
    // SAFETY: prctl with PR_SET_TIMERSLACK reads no memory.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong, 0, 0, 0);
    }
    let mut late = Vec::with_capacity(count);
    for i in 0..count {
        let at = start + interval.mul_f64(i as f64);
        let now = Instant::now();
        if at > now {
            std::thread::sleep(at - now);
        }
        late.push(at.elapsed().as_micros() as u64);
        if due.send((at, i)).is_err() {
            break;
        }
    }
    late
}

/// The load generator's own lateness in an open-loop run, in µs.
struct Lag {
    /// Scheduled time to the pacing thread's release (sorted).
    released: Vec<u64>,
    /// Scheduled time to the request's first byte being handed to its connection
    /// (sorted): the release, the hand-off to a client task, and any wait for a free
    /// connection. The floor of every latency in the run.
    started: Vec<u64>,
}

impl Lag {
    fn new(mut released: Vec<u64>, mut started: Vec<u64>) -> Self {
        released.sort_unstable();
        started.sort_unstable();
        Self { released, started }
    }
}

fn quantile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

/// The stack's limit: the same accept loop, TLS and axum, answering a fixed response;
/// with `decode`, reading each body into kube's `AdmissionReview` first and answering
/// its uid, as the smallest kube-rs admission webhook does (the floor for a server that
/// reads a ~5 KB JSON review at all).
fn bare_server(decode: bool) {
    use axum::routing::post;
    use halint_webhook::server::{Server, Timeouts};
    use halint_webhook::tls::CertStore;

    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        let at = args.iter().position(|a| a == name).expect(name);
        args[at + 1].clone()
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let certs = CertStore::load(Path::new(&arg("--tls-cert")), Path::new(&arg("--tls-key")))
            .unwrap();
        let response: &'static [u8] = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","allowed":true}}"#;
        let app = if decode {
            axum::Router::new().route(
                "/validate",
                post(move |body: Bytes| async move {
                    use kube::core::admission::{AdmissionRequest, AdmissionResponse, AdmissionReview};
                    use kube::core::DynamicObject;
                    let review: AdmissionReview<DynamicObject> =
                        serde_json::from_slice(&body).expect("an AdmissionReview");
                    let request: AdmissionRequest<DynamicObject> =
                        review.try_into().expect("a request");
                    let answer = AdmissionResponse::from(&request).into_review();
                    (
                        [("content-type", "application/json")],
                        serde_json::to_vec(&answer).unwrap(),
                    )
                }),
            )
        } else {
            axum::Router::new().route(
                "/validate",
                post(move |_body: Bytes| async move {
                    ([("content-type", "application/json")], response)
                }),
            )
        };
        let server = Server::bind(
            arg("--listen").parse().unwrap(),
            certs.server_config().unwrap(),
            Timeouts::default(),
        )
        .await
        .unwrap();
        server.serve(app, std::future::pending()).await;
    });
}

/// RSS added by a cache holding 10,000 workloads, 10,000 PDBs, 5,000 HPAs and 10,000
/// Services, filled the way the watches fill it (object in, projection kept, object
/// dropped). Measured in a fresh process so that nothing else is on its heap.
fn cache_memory() {
    use halint::load::{load_text, Limits};
    use halint::objects::Kind;
    use halint_webhook::cache::{ClusterCache, Projected};

    const APPS: usize = 10_000;
    let cache = ClusterCache::default();
    let before = rss(std::process::id()).0;
    for i in 0..APPS {
        let loaded = load_text(
            "app.yaml",
            corpus::app(i, 42),
            "default",
            &Limits::default(),
        );
        for object in loaded.objects {
            match &object.kind {
                Kind::Deployment(o) => cache.apply(Deployment::KIND, o.project()),
                Kind::PodDisruptionBudget(o) => cache.apply(Pdb::KIND, o.project()),
                Kind::Service(o) => cache.apply(Service::KIND, o.project()),
                Kind::HorizontalPodAutoscaler(o) if i % 2 == 0 => {
                    cache.apply(Hpa::KIND, o.project())
                }
                _ => {}
            }
        }
    }
    let after = rss(std::process::id()).0;
    println!(
        "cache filled with {APPS} Deployments, {APPS} PDBs, {} HPAs, {APPS} Services: {:.1} MB more RSS ({:.1} MB → {:.1} MB)",
        APPS / 2,
        after - before,
        before,
        after
    );
    drop(cache);
}

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler as Hpa;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::policy::v1::PodDisruptionBudget as Pdb;

#[path = "../../benches/corpus.rs"]
mod corpus;
