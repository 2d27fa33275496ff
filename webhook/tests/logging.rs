//! One JSON log line per admission and per rejected request.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{capture, Options, TestServer};
use hyper::Method;
use serde_json::Value;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn lines(&self) -> Vec<Value> {
        let bytes = self.0.lock().unwrap().clone();
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).expect("each log line is JSON"))
            .collect()
    }
}

// One thread: the subscriber set for this test sees the server's tasks too.
#[tokio::test(flavor = "current_thread")]
async fn admissions_and_rejections_are_logged_as_json() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = TestServer::start(Options::default()).await;
    let review = capture("13-update-deployments-dryrun.json");
    server.review(&review).await;
    server.call(Method::GET, "/validate", "").await;
    server.call(Method::POST, "/validate", "[]").await;

    let lines = buffer.lines();
    let admission = lines
        .iter()
        .find(|l| l["message"] == "admission")
        .unwrap_or_else(|| panic!("no admission line in {lines:?}"));
    assert_eq!(admission["uid"], review["request"]["uid"]);
    assert_eq!(admission["kind"], "Deployment");
    assert_eq!(admission["namespace"], "shop");
    assert_eq!(admission["name"], "web");
    assert_eq!(admission["operation"], "UPDATE");
    assert_eq!(admission["dry_run"], true);
    assert_eq!(admission["decision"], "denied");
    assert_eq!(admission["rules"], "replicas");
    assert!(admission["duration_us"].is_u64());

    let rejected: Vec<&Value> = lines
        .iter()
        .filter(|l| l["message"] == "request rejected")
        .collect();
    assert_eq!(rejected.len(), 2, "{lines:?}");
    assert_eq!(rejected[0]["status"], 405);
    assert_eq!(rejected[1]["status"], 400);
    assert!(rejected[1]["error"]
        .as_str()
        .unwrap()
        .contains("AdmissionReview"));
}
