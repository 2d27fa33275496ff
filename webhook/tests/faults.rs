//! Faults inside and around the webhook: a rule that panics or stalls, too many requests
//! or connections at once, clients that speak garbage, old TLS or plain HTTP. Each is
//! answered cleanly and the server keeps serving everyone else.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{capture, response_of, warnings, Options, TestServer};
use halint::{Finding, LintInput};
use halint_webhook::app::Engine;
use hyper::{Method, StatusCode};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn body(name: &str) -> bytes::Bytes {
    bytes::Bytes::from(serde_json::to_vec(&capture(name)).unwrap())
}

fn uid(name: &str) -> Value {
    capture(name)["request"]["uid"].clone()
}

/// Capture 01 on `client` gets its review back.
async fn assert_answered(client: &mut common::Client) {
    let (status, b) = client
        .request(
            Method::POST,
            "/validate",
            body("01-create-deployments.json"),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(response_of(&b)["uid"], uid("01-create-deployments.json"));
}

/// An engine that panics on every object named `boom` and lints the rest.
fn panicking() -> Engine {
    Arc::new(|input: &LintInput<'_>| {
        if input.objects.iter().any(|o| o.id.name == "boom") {
            panic!("injected rule panic");
        }
        halint::lint(input)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_rule_is_answered_with_an_allow_a_warning_and_a_metric() {
    let server = TestServer::start(Options {
        engine: Some(panicking()),
        // The panic hook prints a backtrace under the test runner: slow on a busy machine.
        deadline: Duration::from_secs(10),
        ..Options::default()
    })
    .await;
    let mut boom = capture("01-create-deployments.json");
    boom["request"]["object"]["metadata"]["name"] = "boom".into();
    boom["request"]["name"] = "boom".into();

    // One kept-alive connection: the panic must not cost it.
    let mut client = server.connect().await.unwrap();
    for _ in 0..2 {
        let (status, b) = client
            .request(
                Method::POST,
                "/validate",
                serde_json::to_vec(&boom).unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(status, StatusCode::OK);
        let response = response_of(&b);
        assert_eq!(response["uid"], boom["request"]["uid"]);
        assert_eq!(response["allowed"], true);
        let warnings = warnings(&response);
        assert!(
            warnings[0].contains("internal error") && warnings[0].contains("unchecked"),
            "{warnings:?}"
        );
        // The good object on the same connection is still judged.
        assert_answered(&mut client).await;
    }
    let metrics = server.metrics.render();
    assert!(
        metrics.contains("halint_webhook_engine_panics_total 2"),
        "{metrics}"
    );
    assert!(metrics.contains(r#"decision="failed""#), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_rule_is_answered_by_the_deadline_with_an_allow_and_a_warning() {
    let server = TestServer::start(Options {
        engine: Some(Arc::new(|_: &LintInput<'_>| -> Vec<Finding> {
            std::thread::sleep(Duration::from_secs(2));
            Vec::new()
        })),
        deadline: Duration::from_millis(200),
        ..Options::default()
    })
    .await;
    let started = Instant::now();
    let response = server.review(&capture("01-create-deployments.json")).await;
    let waited = started.elapsed();
    assert!(waited < Duration::from_millis(1500), "{waited:?}");
    assert_eq!(response["uid"], uid("01-create-deployments.json"));
    assert_eq!(response["allowed"], true);
    assert!(warnings(&response)[0].contains("in time"), "{response}");
    assert!(server.metrics.render().contains(r#"decision="timed_out""#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_requests_are_capped_and_the_excess_is_refused_cleanly() {
    static RUNNING: AtomicUsize = AtomicUsize::new(0);
    static PEAK: AtomicUsize = AtomicUsize::new(0);
    let server = Arc::new(
        TestServer::start(Options {
            engine: Some(Arc::new(|input: &LintInput<'_>| {
                let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
                PEAK.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(150));
                RUNNING.fetch_sub(1, Ordering::SeqCst);
                halint::lint(input)
            })),
            in_flight: 1,
            deadline: Duration::from_millis(400),
            ..Options::default()
        })
        .await,
    );
    let mut calls = Vec::new();
    for _ in 0..8 {
        let server = Arc::clone(&server);
        calls.push(tokio::spawn(async move {
            server
                .call(
                    Method::POST,
                    "/validate",
                    body("03-update-deployments.json"),
                )
                .await
        }));
    }
    let (mut judged, mut refused) = (0, 0);
    for call in calls {
        let (status, b) = call.await.unwrap();
        match status {
            StatusCode::OK => {
                assert_eq!(response_of(&b)["uid"], uid("03-update-deployments.json"));
                judged += 1;
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(String::from_utf8_lossy(&b).contains("in flight"));
                refused += 1;
            }
            other => panic!("unexpected {other}: {}", String::from_utf8_lossy(&b)),
        }
    }
    assert_eq!(PEAK.load(Ordering::SeqCst), 1, "the cap was exceeded");
    assert!(
        judged >= 2 && refused >= 1,
        "{judged} judged, {refused} refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_cap_wait_in_the_backlog_until_one_closes() {
    let server = TestServer::start(Options {
        max_connections: 2,
        ..Options::default()
    })
    .await;
    let first = server.connect().await.unwrap();
    let _second = server.connect().await.unwrap();

    // The kernel accepts the TCP connection, but no TLS handshake is served for it.
    let waiting = server.connect();
    tokio::pin!(waiting);
    assert!(
        tokio::time::timeout(Duration::from_millis(300), &mut waiting)
            .await
            .is_err(),
        "a third connection was served past the cap"
    );
    drop(first);
    let mut third = tokio::time::timeout(Duration::from_secs(2), waiting)
        .await
        .expect("served once a slot is free")
        .unwrap();
    assert_answered(&mut third).await;
}

/// Reads what the server sends until it closes (or 3 s pass).
async fn reply(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(3), stream.read_to_end(&mut out)).await;
    out
}

/// A TLS 1.1 ClientHello (RFC 4346) offering TLS_RSA_WITH_AES_128_CBC_SHA and
/// TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, no extensions.
fn tls11_client_hello() -> Vec<u8> {
    let mut hello = vec![0x03, 0x02]; // client_version TLS 1.1
    hello.extend([0x42; 32]); // random
    hello.push(0); // no session id
    hello.extend([0x00, 0x04, 0x00, 0x2f, 0xc0, 0x13]); // cipher suites
    hello.extend([0x01, 0x00]); // null compression
    let mut handshake = vec![0x01, 0x00, 0x00, hello.len() as u8];
    handshake.extend(hello);
    let mut record = vec![0x16, 0x03, 0x01, 0x00, handshake.len() as u8];
    record.extend(handshake);
    record
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_tls_plain_http_garbage_and_half_requests_are_dropped_and_others_served() {
    let server = TestServer::start(Options::default()).await;

    // TLS 1.1: refused with an alert, never a ServerHello.
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(&tls11_client_hello()).await.unwrap();
    let answer = reply(&mut tcp).await;
    assert_eq!(answer.first(), Some(&0x15), "not an alert: {answer:02x?}");
    assert!(
        !answer.contains(&0x16),
        "handshake bytes sent: {answer:02x?}"
    );

    // TLS 1.2 is accepted.
    let tls12 = rustls::ClientConfig::builder_with_provider(halint_webhook::tls::provider())
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_root_certificates({
            let mut roots = rustls::RootCertStore::empty();
            roots.add(server.pki.ca_der()).unwrap();
            roots
        })
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let tls = tokio_rustls::TlsConnector::from(Arc::new(tls12))
        .connect("localhost".try_into().unwrap(), tcp)
        .await
        .expect("TLS 1.2 handshake");
    assert_eq!(
        tls.get_ref().1.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_2)
    );

    // Plain HTTP on the TLS port: no HTTP answer, so /validate is never served in clear.
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let review = serde_json::to_vec(&capture("01-create-deployments.json")).unwrap();
    let head = format!(
        "POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-length: {}\r\n\r\n",
        review.len()
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let _ = tcp.write_all(&review).await;
    let answer = reply(&mut tcp).await;
    assert!(
        !String::from_utf8_lossy(&answer).contains("HTTP/"),
        "{answer:02x?}"
    );

    // Random bytes instead of a ClientHello.
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let garbage: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let _ = tcp.write_all(&garbage).await;
    let answer = reply(&mut tcp).await;
    assert!(!String::from_utf8_lossy(&answer).contains("HTTP/"));

    // Half a request, then the client goes away.
    let mut tls = server.connect_raw().await.unwrap();
    tls.write_all(head.as_bytes()).await.unwrap();
    tls.write_all(&review[..review.len() / 2]).await.unwrap();
    tls.flush().await.unwrap();
    drop(tls);

    // A ClientHello cut in half, then silence: the handshake timeout ends it.
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let hello = tls11_client_hello();
    tcp.write_all(&hello[..hello.len() / 2]).await.unwrap();

    // Through all of it, everyone else is served.
    let response = server.review(&capture("01-create-deployments.json")).await;
    assert_eq!(response["uid"], uid("01-create-deployments.json"));
    let response = server.review(&capture("03-update-deployments.json")).await;
    assert_eq!(response["uid"], uid("03-update-deployments.json"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_with_a_uid_but_broken_fields_gets_an_allowing_review_back() {
    let server = TestServer::start(Options::default()).await;
    let mut review = capture("01-create-deployments.json");
    review["request"]["kind"] = 42.into();
    let response = server.review(&review).await;
    assert_eq!(response["uid"], review["request"]["uid"]);
    assert_eq!(response["allowed"], true);
    assert!(
        warnings(&response)[0].contains("could not read"),
        "{response}"
    );
}
