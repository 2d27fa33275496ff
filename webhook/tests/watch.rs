//! The cache's watches against a minimal in-process API server: lists fill the cache,
//! readiness waits for every kind, labelled namespaces opt out.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::Path;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use halint_webhook::app::{self, AppState};
use halint_webhook::cache::{self, ClusterCache, NamespaceMode};
use halint_webhook::handler::Mode;
use halint_webhook::metrics::Metrics;
use serde_json::{json, Value};
use tower::ServiceExt;

/// Answers LIST with the objects given and WATCH with a stream that stays open.
fn fake_api_server(
    objects: HashMap<&'static str, Vec<Value>>,
    paths: Arc<Mutex<Vec<String>>>,
) -> Router {
    let objects = Arc::new(objects);
    let handler = move |Path(parts): Path<Vec<(String, String)>>, uri: Uri| {
        let objects = Arc::clone(&objects);
        let paths = Arc::clone(&paths);
        async move {
            let resource = parts
                .iter()
                .find(|(k, _)| k == "resource")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            paths.lock().unwrap().push(resource.clone());
            let watch = uri
                .query()
                .unwrap_or_default()
                .split('&')
                .any(|p| p == "watch=true" || p == "watch=1");
            if watch {
                let pending = futures::stream::pending::<Result<Vec<u8>, std::io::Error>>();
                return Response::new(axum::body::Body::from_stream(pending));
            }
            let items = objects.get(resource.as_str()).cloned().unwrap_or_default();
            axum::Json(json!({"kind": "List", "apiVersion": "v1", "metadata": {"resourceVersion": "10"}, "items": items}))
                .into_response()
        }
    };
    Router::new()
        .route("/api/v1/{resource}", get(handler.clone()))
        .route("/apis/{group}/{version}/{resource}", get(handler))
}

async fn readyz(app: &Router) -> (u16, String) {
    let request = axum::http::Request::get("/readyz")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn deployment() -> Value {
    let review: Value = serde_json::from_str(include_str!(
        "../testdata/admission/01-create-deployments.json"
    ))
    .unwrap();
    review["request"]["object"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watches_fill_the_cache_and_then_report_synced() {
    let mut pdb: Value = serde_json::from_str(include_str!(
        "../testdata/admission/02-create-poddisruptionbudgets.json"
    ))
    .unwrap();
    pdb = pdb["request"]["object"].take();
    let objects = HashMap::from([
        ("deployments", vec![deployment()]),
        ("poddisruptionbudgets", vec![pdb]),
        (
            "namespaces",
            vec![json!({"apiVersion": "v1", "kind": "Namespace",
                        "metadata": {"name": "legacy", "labels": {"halint.io/mode": "off"}}})],
        ),
    ]);
    let paths = Arc::new(Mutex::new(Vec::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let api = fake_api_server(objects, Arc::clone(&paths));
    tokio::spawn(async move { axum::serve(listener, api).await });

    let config = kube::Config::new(format!("http://{addr}").parse().unwrap());
    let client = kube::Client::try_from(config).unwrap();
    let cache = Arc::new(ClusterCache::default());
    assert_eq!(cache.unsynced().len(), 8);
    let app = app::router(Arc::new(AppState::new(
        Mode::Enforce,
        halint::Config::default(),
        Some(Arc::clone(&cache)),
        Arc::new(Metrics::new()),
    )));
    let (status, text) = readyz(&app).await;
    assert_eq!(status, 503);
    assert!(text.starts_with("caches not synced: deployments"), "{text}");

    let watches = cache::start(client, &cache);

    let deadline = Instant::now() + Duration::from_secs(10);
    while !cache.unsynced().is_empty() {
        assert!(
            Instant::now() < deadline,
            "still unsynced: {:?}",
            cache.unsynced()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    {
        let catalog = cache.catalog();
        assert!(catalog.contains_named("shop", "Deployment", "web"));
        assert!(catalog.contains_named("shop", "PodDisruptionBudget", "web"));
    }
    assert_eq!(cache.namespace_mode("legacy"), Some(NamespaceMode::Off));
    assert_eq!(cache.namespace_mode("shop"), None);
    assert_eq!(readyz(&app).await, (200, "ok".to_owned()));

    // Exactly the resources the ClusterRole grants were read.
    let mut read: Vec<String> = paths.lock().unwrap().clone();
    read.sort();
    read.dedup();
    assert_eq!(
        read,
        [
            "daemonsets",
            "deployments",
            "horizontalpodautoscalers",
            "namespaces",
            "poddisruptionbudgets",
            "replicasets",
            "services",
            "statefulsets"
        ]
    );
    for w in watches {
        w.abort();
    }
}
