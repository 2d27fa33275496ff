//! The webhook over real TLS, fed the captured AdmissionReviews.

mod common;

use common::{capture, response_of, warnings, Options, TestServer};
use halint_webhook::handler::Mode;
use hyper::{Method, StatusCode};
use serde_json::json;

async fn server() -> TestServer {
    TestServer::start(Options::default()).await
}

#[tokio::test]
async fn create_of_a_sound_deployment_is_allowed_and_echoes_the_uid() {
    let server = server().await;
    let review = capture("01-create-deployments.json");
    let response = server.review(&review).await;
    assert_eq!(response["uid"], review["request"]["uid"]);
    assert_eq!(response["allowed"], true, "{response}");
    // Judged alone, it has no PDB: a warning, whole sentences only.
    for w in warnings(&response) {
        assert!(w.chars().count() < 256, "{w}");
        assert!(
            !w.contains("(fix:") || w.ends_with(')'),
            "a fix cut in half: {w}"
        );
    }
}

#[tokio::test]
async fn an_error_finding_denies_with_rule_field_and_fix() {
    let server = server().await;
    // A CREATE of the 3-replica Deployment scaled down to 1 in the manifest.
    let mut review = capture("01-create-deployments.json");
    review["request"]["object"]["spec"]["replicas"] = json!(1);
    let response = server.review(&review).await;
    assert_eq!(response["uid"], review["request"]["uid"]);
    assert_eq!(response["allowed"], false);
    assert_eq!(response["status"]["code"], 403);
    let message = response["status"]["message"].as_str().unwrap();
    assert!(message.contains("[replicas]"), "{message}");
    assert!(message.contains("spec.replicas"), "{message}");
    assert!(
        message.contains("fix: set spec.replicas to 2 or more"),
        "{message}"
    );
}

#[tokio::test]
async fn dry_run_is_judged_like_the_real_request() {
    let server = server().await;
    let review = capture("13-update-deployments-dryrun.json");
    assert_eq!(review["request"]["dryRun"], true);
    let response = server.review(&review).await;
    assert_eq!(response["uid"], review["request"]["uid"]);
    assert_eq!(
        response["allowed"], false,
        "3 -> 1 replicas is new: {response}"
    );
    assert!(response["status"]["message"]
        .as_str()
        .unwrap()
        .contains("[replicas]"));
}

#[tokio::test]
async fn other_findings_come_back_as_short_warnings() {
    let server = server().await;
    let review = capture("11-create-horizontalpodautoscalers.json");
    let response = server.review(&review).await;
    assert_eq!(response["allowed"], true);
    let warnings = warnings(&response);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("[hpa-min-replicas]") && w.contains("spec.minReplicas")),
        "{warnings:?}"
    );
    for w in &warnings {
        assert!(w.chars().count() < 256, "{w}");
        assert!(!w.contains('\n'), "{w}");
    }
}

#[tokio::test]
async fn warn_mode_never_denies() {
    let server = TestServer::start(Options {
        mode: Mode::Warn,
        ..Options::default()
    })
    .await;
    let response = server
        .review(&capture("13-update-deployments-dryrun.json"))
        .await;
    assert_eq!(response["allowed"], true);
    assert!(warnings(&response).iter().any(|w| w.contains("[replicas]")));
}

#[tokio::test]
async fn update_ratchets_findings_that_already_held() {
    let server = server().await;
    // An image bump of a legacy single-replica Deployment: still 1 replica, not denied.
    let mut review = capture("03-update-deployments.json");
    review["request"]["object"]["spec"]["replicas"] = json!(1);
    review["request"]["oldObject"]["spec"]["replicas"] = json!(1);
    let response = server.review(&review).await;
    assert_eq!(response["allowed"], true, "{response}");
    assert!(
        warnings(&response)
            .iter()
            .any(|w| w.contains("[replicas, not denied: already present before this change]")),
        "{response}"
    );

    // 10: 1 -> 3 replicas fixes the finding.
    let response = server.review(&capture("10-update-deployments.json")).await;
    assert_eq!(response["allowed"], true, "{response}");
    assert!(!warnings(&response).iter().any(|w| w.contains("[replicas")));
}

#[tokio::test]
async fn kubectl_scale_to_one_is_denied() {
    let server = server().await;
    for name in [
        "05-update-deployments-scale.json",
        "08-update-statefulsets-scale.json",
    ] {
        let review = capture(name);
        let response = server.review(&review).await;
        assert_eq!(response["uid"], review["request"]["uid"], "{name}");
        assert_eq!(response["allowed"], false, "{name}: {response}");
        let message = response["status"]["message"].as_str().unwrap();
        assert!(
            message.contains("[replicas]") && message.contains("spec.replicas"),
            "{message}"
        );
    }
    // Scaling up stays allowed, without the findings the rebuilt workload cannot know.
    let mut review = capture("05-update-deployments-scale.json");
    review["request"]["object"]["spec"]["replicas"] = json!(5);
    let response = server.review(&review).await;
    assert_eq!(response["allowed"], true, "{response}");
}

#[tokio::test]
async fn delete_and_unknown_kinds_are_allowed_at_once() {
    let server = server().await;
    for name in [
        "14-delete-deployments.json",
        "15-delete-poddisruptionbudgets.json",
    ] {
        let review = capture(name);
        let response = server.review(&review).await;
        assert_eq!(response["uid"], review["request"]["uid"]);
        assert_eq!(response["allowed"], true);
        assert!(response.get("warnings").is_none());
    }

    let mut review = capture("01-create-deployments.json");
    let request = &mut review["request"];
    request["kind"] = json!({"group": "", "version": "v1", "kind": "ConfigMap"});
    request["resource"] = json!({"group": "", "version": "v1", "resource": "configmaps"});
    request["object"] = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "shop"}});
    let response = server.review(&review).await;
    assert_eq!(response["allowed"], true);

    // The status subresource is the controllers' business.
    let mut review = capture("13-update-deployments-dryrun.json");
    review["request"]["subResource"] = json!("status");
    let response = server.review(&review).await;
    assert_eq!(response["allowed"], true);
}

#[tokio::test]
async fn an_object_halint_cannot_read_is_allowed_with_the_reason() {
    let server = server().await;
    let mut review = capture("01-create-deployments.json");
    review["request"]["object"]["spec"]["replicas"] = json!("three");
    let response = server.review(&review).await;
    assert_eq!(response["allowed"], true);
    let warnings = warnings(&response);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("could not read") && w.contains("spec.replicas")),
        "{warnings:?}"
    );
}

#[tokio::test]
async fn bad_requests_get_a_clear_4xx_and_the_server_keeps_serving() {
    let server = server().await;

    let (status, _) = server.call(Method::GET, "/validate", "").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);

    let (status, body) = server.call(Method::POST, "/validate", "{not json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&body).contains("not JSON"));

    let (status, body) = server
        .call(
            Method::POST,
            "/validate",
            r#"{"apiVersion":"v1","kind":"Pod"}"#,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let text = String::from_utf8_lossy(&body);
    assert!(
        text.contains("expected an admission.k8s.io/v1 AdmissionReview"),
        "{text}"
    );

    let mut v1beta1 = capture("01-create-deployments.json");
    v1beta1["apiVersion"] = json!("admission.k8s.io/v1beta1");
    let (status, _) = server
        .call(
            Method::POST,
            "/validate",
            serde_json::to_vec(&v1beta1).unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let mut no_uid = capture("01-create-deployments.json");
    no_uid["request"]["uid"] = json!(7);
    let (status, body) = server
        .call(
            Method::POST,
            "/validate",
            serde_json::to_vec(&no_uid).unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&body).contains("uid"));

    let huge = vec![b' '; halint_webhook::app::BODY_LIMIT + 1];
    let (status, _) = server.call(Method::POST, "/validate", huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    let (status, _) = server.call(Method::GET, "/nowhere", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Still serving, and every rejection was counted.
    let response = server.review(&capture("01-create-deployments.json")).await;
    assert_eq!(response["allowed"], true);
    let metrics = server.metrics.render();
    for status in [400, 404, 405, 413] {
        assert!(
            metrics.contains(&format!(
                "halint_webhook_http_errors_total{{status=\"{status}\"}}"
            )),
            "{metrics}"
        );
    }
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let server = server().await;
    let (status, body) = server.call(Method::GET, "/healthz", "").await;
    assert_eq!((status, &body[..]), (StatusCode::OK, &b"ok"[..]));
    let (status, _) = server.call(Method::GET, "/readyz", "").await;
    assert_eq!(status, StatusCode::OK);

    server
        .review(&capture("13-update-deployments-dryrun.json"))
        .await;
    let (status, body) = server.call(Method::GET, "/metrics", "").await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert!(
        text.contains(r#"halint_webhook_admission_requests_total{kind="Deployment",operation="UPDATE",decision="denied"} 1"#),
        "{text}"
    );
    assert!(text.contains(
        r#"halint_webhook_findings_total{rule="replicas",severity="error",action="deny"} 1"#
    ));
    assert!(text.contains("halint_webhook_admission_duration_seconds_bucket"));
}

#[tokio::test]
async fn keep_alive_connection_serves_many_reviews() {
    let server = server().await;
    let mut client = server.connect().await.unwrap();
    let body = serde_json::to_vec(&capture("01-create-deployments.json")).unwrap();
    for _ in 0..20 {
        let (status, body) = client
            .request(Method::POST, "/validate", body.clone())
            .await
            .unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(response_of(&body)["allowed"], true);
    }
}

#[tokio::test]
async fn http2_multiplexes_reviews_on_one_connection() {
    let server = server().await;
    let sender = server.connect_h2().await;
    let body = bytes::Bytes::from(
        serde_json::to_vec(&capture("05-update-deployments-scale.json")).unwrap(),
    );
    let calls = (0..8).map(|_| {
        let mut sender = sender.clone();
        let body = body.clone();
        async move {
            let request = hyper::Request::post("https://localhost/validate")
                .header("content-type", "application/json")
                .body(http_body_util::Full::new(body))
                .unwrap();
            let response = sender.send_request(request).await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let body = http_body_util::BodyExt::collect(response.into_body())
                .await
                .unwrap()
                .to_bytes();
            response_of(&body)
        }
    });
    for response in futures::future::join_all(calls).await {
        assert_eq!(response["allowed"], false);
    }
}
