//! The admission handler without the network: AdmissionReview bytes in, response bytes
//! out (parse, decide with the engine, respond, serialise), for the kinds of request the
//! API server sends most.
//!
//!     cargo bench -p halint-webhook --bench handler

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use halint_webhook::handler::{decide, Context, Mode};
use halint_webhook::review;

fn capture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/admission")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What `POST /validate` does between the body and the response body.
fn handle(body: &[u8], config: &halint::Config) -> Vec<u8> {
    let admission = review::parse(body).expect("a valid review");
    let cx = Context {
        mode: Mode::Enforce,
        config,
        cluster: None,
        namespace_mode: None,
        scale_exemptions: None,
        today: halint::Date::from_unix_days(20_000),
    };
    let decision = decide(&admission, &cx);
    serde_json::to_vec(&review::respond(&admission.request, &decision.verdict)).unwrap()
}

fn benches(c: &mut Criterion) {
    let config = halint::Config::default();
    let mut group = c.benchmark_group("admission");
    for (label, file) in [
        ("deployment create", "01-create-deployments.json"),
        ("deployment update", "03-update-deployments.json"),
        (
            "deployment 1 replica (denied)",
            "13-update-deployments-dryrun.json",
        ),
        ("pdb create", "02-create-poddisruptionbudgets.json"),
        ("scale", "05-update-deployments-scale.json"),
    ] {
        let body = capture(file);
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(label, |b| b.iter(|| handle(&body, &config)));
    }
    group.finish();
}

criterion_group! {
    name = handler;
    config = Criterion::default().sample_size(30);
    targets = benches
}
criterion_main!(handler);
