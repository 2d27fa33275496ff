//! The cache's watches against a minimal in-process API server: lists fill the cache,
//! readiness waits for every kind, labelled namespaces opt out.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::Path;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use halint_webhook::app::{self, AppState};
use halint_webhook::cache::{self, ClusterCache, NamespaceMode, Staleness};
use halint_webhook::custom;
use halint_webhook::handler::Mode;
use halint_webhook::metrics::Metrics;
use serde_json::{json, Value};
use tower::ServiceExt;

/// Answers LIST with the objects given and WATCH with a stream that stays open, while
/// `failing` is false. When it turns true, open watches end and every request gets a
/// 500 until it turns false again.
fn fake_api_server(
    objects: HashMap<&'static str, Vec<Value>>,
    paths: Arc<Mutex<Vec<String>>>,
    failing: tokio::sync::watch::Receiver<bool>,
) -> Router {
    let objects = Arc::new(objects);
    let handler = move |Path(parts): Path<Vec<(String, String)>>, uri: Uri| {
        let objects = Arc::clone(&objects);
        let paths = Arc::clone(&paths);
        let failing = failing.clone();
        async move {
            let resource = parts
                .iter()
                .find(|(k, _)| k == "resource")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            paths.lock().unwrap().push(resource.clone());
            if *failing.borrow() {
                return (StatusCode::INTERNAL_SERVER_ERROR, "etcd unavailable").into_response();
            }
            let watch = uri
                .query()
                .unwrap_or_default()
                .split('&')
                .any(|p| p == "watch=true" || p == "watch=1");
            if watch {
                let ends = futures::stream::unfold(failing, |mut failing| async move {
                    let _ = failing.wait_for(|f| *f).await;
                    None::<(Result<Vec<u8>, std::io::Error>, _)>
                });
                return Response::new(axum::body::Body::from_stream(ends));
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

/// The fake API server on a free port, and a client for it.
async fn serve(api: Router) -> kube::Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, api).await });
    let config = kube::Config::new(format!("http://{addr}").parse().unwrap());
    kube::Client::try_from(config).unwrap()
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
    let (_healthy, failing) = tokio::sync::watch::channel(false);
    let client = serve(fake_api_server(objects, Arc::clone(&paths), failing)).await;
    let cache = Arc::new(ClusterCache::default());
    assert_eq!(cache.unsynced().len(), 9);
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
            "persistentvolumeclaims",
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

/// Discovery that serves argoproj.io/v1alpha1 rollouts while `served` is set, and never
/// keda.sh (404, as for a CRD that is not installed); LIST of rollouts returns `rollout`.
fn fake_custom_api_server(served: Arc<AtomicBool>, rollout: Value) -> Router {
    let discovery = move |Path((group, version)): Path<(String, String)>| {
        let served = served.load(Ordering::SeqCst);
        async move {
            if group == "argoproj.io" && version == "v1alpha1" && served {
                axum::Json(json!({"kind": "APIResourceList", "apiVersion": "v1",
                    "groupVersion": "argoproj.io/v1alpha1",
                    "resources": [{"name": "rollouts", "singularName": "rollout",
                        "namespaced": true, "kind": "Rollout",
                        "verbs": ["get", "list", "watch"]}]}))
                .into_response()
            } else {
                axum::http::StatusCode::NOT_FOUND.into_response()
            }
        }
    };
    let rollouts = HashMap::from([("rollouts", vec![rollout])]);
    fake_api_server(
        rollouts,
        Arc::new(Mutex::new(Vec::new())),
        tokio::sync::watch::channel(false).1,
    )
    .route("/apis/{group}/{version}", get(discovery))
}

async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_resources_are_watched_only_while_served() {
    let rollout = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "api", "namespace": "shop"},
        "spec": {"replicas": 3, "strategy": {"canary": {}},
                 "template": {"metadata": {"labels": {"app": "api"}},
                              "spec": {"containers": [{"name": "api", "image": "api:1"}]}}}});
    let served = Arc::new(AtomicBool::new(true));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let api = fake_custom_api_server(Arc::clone(&served), rollout);
    tokio::spawn(async move { axum::serve(listener, api).await });
    let config = kube::Config::new(format!("http://{addr}").parse().unwrap());
    let client = kube::Client::try_from(config).unwrap();

    let cache = Arc::new(ClusterCache::default());
    let loops = custom::start(client, &cache, Duration::from_millis(50));
    eventually("the Rollout is cached", || {
        cache.catalog().contains_named("shop", "Rollout", "api")
    })
    .await;
    // KEDA is not installed: its kind never lists, and readiness does not wait for it.
    assert!(!cache.unsynced().contains(&"scaledobjects"));
    assert!(!cache.unsynced().contains(&"rollouts"));

    // The CRD goes away: the next discovery stops the watch and drops what it cached.
    served.store(false, Ordering::SeqCst);
    eventually("the Rollout is forgotten", || {
        !cache.catalog().contains_named("shop", "Rollout", "api")
    })
    .await;
    for l in loops {
        l.abort();
    }
}

async fn wait_until(what: &str, limit: Duration, mut done: impl AsyncFnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_api_server_is_retried_with_backoff_and_readyz_turns_false_only_when_stale() {
    let paths = Arc::new(Mutex::new(Vec::new()));
    let objects = HashMap::from([("deployments", vec![deployment()])]);
    let (fail, failing) = tokio::sync::watch::channel(false);
    let client = serve(fake_api_server(objects, Arc::clone(&paths), failing)).await;
    let cache = Arc::new(ClusterCache::with_staleness(Staleness {
        after: Duration::from_secs(1),
        quiet: Duration::from_secs(4),
    }));
    let app = app::router(Arc::new(AppState::new(
        Mode::Enforce,
        halint::Config::default(),
        Some(Arc::clone(&cache)),
        Arc::new(Metrics::new()),
    )));
    let watches = cache::start(client, &cache);
    wait_until("synced", Duration::from_secs(10), async || {
        readyz(&app).await.0 == 200
    })
    .await;

    // The API server goes away: watches end, every retry gets a 500.
    paths.lock().unwrap().clear();
    fail.send(true).unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(readyz(&app).await.0, 200, "unready on a short outage");
    let waited = wait_until("readyz false", Duration::from_secs(8), async || {
        readyz(&app).await.0 == 503
    })
    .await;
    assert!(waited >= Duration::from_millis(500), "{waited:?}");
    let (_, text) = readyz(&app).await;
    assert!(
        text.starts_with("caches stale: ") && text.contains(" (watch failing for "),
        "{text}"
    );
    // The cache kept its last view meanwhile.
    assert!(cache.catalog().contains_named("shop", "Deployment", "web"));

    // Retries back off: a handful per kind, not a tight loop.
    let retries = paths
        .lock()
        .unwrap()
        .iter()
        .filter(|p| *p == "deployments")
        .count();
    assert!(
        (1..=6).contains(&retries),
        "{retries} requests for deployments"
    );

    // Back: the resumed watches report nothing new, and readiness returns once the
    // errors have stopped for the quiet period.
    fail.send(false).unwrap();
    wait_until("readyz true again", Duration::from_secs(15), async || {
        readyz(&app).await.0 == 200
    })
    .await;
    for w in watches {
        w.abort();
    }
}
