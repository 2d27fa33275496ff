//! Property tests over generated AdmissionReviews: random kinds, resources and
//! operations, missing fields, fields of the wrong type, generated objects, random
//! bytes. Whatever arrives, the webhook never panics or drops the request: a body with
//! a uid gets a well-formed AdmissionReview that echoes it, anything else a 4xx.

#[path = "../../tests/support/manifests.rs"]
mod manifests;

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use halint::objects::catalog::{Catalog, Entry};
use halint_webhook::app::{self, AppState};
use halint_webhook::cache::ClusterCache;
use halint_webhook::handler::Mode;
use halint_webhook::metrics::Metrics;
use proptest::prelude::*;
use serde_json::{json, Value};
use tower::ServiceExt;

fn captures() -> &'static Vec<Value> {
    static CAPTURES: OnceLock<Vec<Value>> = OnceLock::new();
    CAPTURES.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/admission");
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    })
}

/// The webhook in enforce mode with a cluster view holding the captures' objects, and a
/// runtime to drive it.
fn webhook() -> &'static (tokio::runtime::Runtime, Router) {
    static WEBHOOK: OnceLock<(tokio::runtime::Runtime, Router)> = OnceLock::new();
    WEBHOOK.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut catalog = Catalog::default();
        for review in captures() {
            let object = &review["request"]["object"];
            if let Ok(Some(o)) = halint::Object::from_json(object.clone()) {
                if let Some(entry) = Entry::from_object(&o) {
                    catalog.upsert(entry);
                }
            }
        }
        let cache = Arc::new(ClusterCache::from_catalog(catalog));
        let state = AppState::new(
            Mode::Enforce,
            halint::Config::default(),
            Some(cache),
            Arc::new(Metrics::new()),
        );
        (runtime, app::router(Arc::new(state)))
    })
}

/// POSTs `body` to /validate; the status and the body of the answer.
fn answer(body: Vec<u8>) -> (u16, Vec<u8>) {
    let (runtime, router) = webhook();
    runtime.block_on(async {
        let request = Request::post("/validate")
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, bytes.to_vec())
    })
}

/// The property: a review with a uid is answered, well-formed, with that uid; other
/// bodies get a 4xx with a reason. Never a 5xx.
fn check(body: Vec<u8>) -> Result<(), TestCaseError> {
    let sent: Option<Value> = serde_json::from_slice(&body).ok();
    let uid = sent.as_ref().and_then(|v| {
        let envelope =
            v.get("apiVersion")? == "admission.k8s.io/v1" && v.get("kind")? == "AdmissionReview";
        let uid = v.get("request")?.get("uid")?.as_str()?;
        (envelope && !uid.is_empty()).then(|| uid.to_owned())
    });
    let (status, answer) = answer(body);
    let text = String::from_utf8_lossy(&answer);
    match uid {
        Some(uid) => {
            prop_assert_eq!(status, 200, "{}", text);
            let review: Value = serde_json::from_slice(&answer).expect("the answer is JSON");
            prop_assert_eq!(&review["apiVersion"], "admission.k8s.io/v1");
            prop_assert_eq!(&review["kind"], "AdmissionReview");
            let response = &review["response"];
            prop_assert_eq!(response["uid"].as_str(), Some(uid.as_str()));
            let allowed = response["allowed"].as_bool();
            prop_assert!(allowed.is_some(), "{}", text);
            if allowed == Some(false) {
                prop_assert!(response["status"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()));
            }
            for w in response["warnings"].as_array().into_iter().flatten() {
                let w = w.as_str().unwrap_or_default();
                prop_assert!(!w.is_empty() && w.chars().count() <= 255 && !w.contains('\n'));
            }
        }
        None => {
            prop_assert_eq!(status, 400, "{}", text);
            prop_assert!(!answer.is_empty());
        }
    }
    Ok(())
}

fn resource() -> impl Strategy<Value = Value> {
    let known = [
        ("apps", "v1", "deployments", None, "Deployment"),
        ("apps", "v1", "deployments", Some("scale"), "Scale"),
        ("apps", "v1", "statefulsets", None, "StatefulSet"),
        ("apps", "v1", "statefulsets", Some("scale"), "Scale"),
        ("apps", "v1", "replicasets", Some("scale"), "Scale"),
        ("apps", "v1", "daemonsets", None, "DaemonSet"),
        ("apps", "v1", "replicasets", None, "ReplicaSet"),
        (
            "policy",
            "v1",
            "poddisruptionbudgets",
            None,
            "PodDisruptionBudget",
        ),
        (
            "autoscaling",
            "v2",
            "horizontalpodautoscalers",
            None,
            "HorizontalPodAutoscaler",
        ),
        (
            "autoscaling",
            "v1",
            "horizontalpodautoscalers",
            None,
            "HorizontalPodAutoscaler",
        ),
        ("", "v1", "pods", None, "Pod"),
        ("", "v1", "services", None, "Service"),
        ("example.com", "v1", "widgets", Some("status"), "Widget"),
    ];
    prop::sample::select(known.to_vec()).prop_map(|(group, version, resource, sub, kind)| {
        json!({
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": resource},
            "subResource": sub,
        })
    })
}

/// Fields of the request that the generator removes or fills with a wrong type.
const FIELDS: &[&str] = &[
    "/request/uid",
    "/request/kind",
    "/request/kind/kind",
    "/request/resource",
    "/request/resource/resource",
    "/request/subResource",
    "/request/operation",
    "/request/userInfo",
    "/request/name",
    "/request/namespace",
    "/request/object",
    "/request/object/metadata",
    "/request/object/spec",
    "/request/oldObject",
    "/request/dryRun",
    "/request/options",
    "/request",
    "/apiVersion",
    "/kind",
];

fn set(review: &mut Value, pointer: &str, value: Option<Value>) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let parent = if parent.is_empty() {
        Some(&mut *review)
    } else {
        review.pointer_mut(parent)
    };
    if let Some(Value::Object(map)) = parent {
        match value {
            Some(v) => map.insert(key.to_owned(), v),
            None => map.remove(key),
        };
    }
}

prop_compose! {
    fn review()(
        base in prop::sample::select((0..captures().len()).collect::<Vec<_>>()),
        resource in prop::option::of(resource()),
        operation in prop::option::of(prop_oneof![
            Just(json!("CREATE")), Just(json!("UPDATE")), Just(json!("DELETE")),
            Just(json!("CONNECT")), Just(json!("PATCH")), manifests::wild(),
        ]),
        object in prop::option::of(prop_oneof![
            3 => manifests::object(), 1 => manifests::wild(),
        ]),
        old_object in prop::option::of(prop_oneof![
            3 => manifests::object(), 1 => Just(Value::Null),
        ]),
        removed in prop::collection::vec(prop::sample::select(FIELDS), 0..2),
        wrong in prop::collection::vec((prop::sample::select(FIELDS), manifests::wild()), 0..2),
    ) -> Value {
        let mut review = captures()[base].clone();
        if let Some(r) = resource {
            for (k, v) in r.as_object().unwrap() {
                set(&mut review, &format!("/request/{k}"), Some(v.clone()));
            }
        }
        if let Some(op) = operation {
            set(&mut review, "/request/operation", Some(op));
        }
        if let Some(o) = object {
            set(&mut review, "/request/object", Some(o));
        }
        if let Some(o) = old_object {
            set(&mut review, "/request/oldObject", Some(o));
        }
        for field in removed {
            set(&mut review, field, None);
        }
        for (field, value) in wrong {
            set(&mut review, field, Some(value));
        }
        review
    }
}

proptest! {
    #![proptest_config(manifests::cases(768))]

    #[test]
    fn generated_reviews_are_always_answered(review in review()) {
        check(serde_json::to_vec(&review).unwrap())?;
    }

    #[test]
    fn random_bytes_get_a_4xx(body in prop::collection::vec(any::<u8>(), 0..512)) {
        check(body)?;
    }

    #[test]
    fn captures_cut_short_or_with_bytes_flipped_are_answered(
        base in prop::sample::select((0..captures().len()).collect::<Vec<_>>()),
        cut in any::<usize>(),
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 0..4),
    ) {
        let mut body = serde_json::to_vec(&captures()[base]).unwrap();
        body.truncate(cut % (body.len() + 1));
        for (at, byte) in flips {
            if !body.is_empty() {
                let at = at % body.len();
                body[at] = byte;
            }
        }
        check(body)?;
    }
}
