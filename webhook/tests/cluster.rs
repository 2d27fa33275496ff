//! Cluster context through the cache and decision layer, with catalogs filled here.

mod common;

use common::capture;
use halint::objects::catalog::{Catalog, Entry};
use halint::objects::Object;
use halint::Severity;
use halint_webhook::cache::{ClusterCache, NamespaceMode, Projected, WatchedKind};
use halint_webhook::handler::{decide, Context, Decision, Mode};
use halint_webhook::metrics::Outcome;
use halint_webhook::review::{self, Admission};
use k8s_openapi::api::apps::v1::Deployment;
use serde_json::{json, Value};

fn admission(review: &Value) -> Admission {
    review::parse(&serde_json::to_vec(review).unwrap()).unwrap()
}

fn entry(object: Value) -> Entry {
    Entry::from_object(&Object::from_json(object).unwrap().unwrap()).unwrap()
}

fn catalog(objects: impl IntoIterator<Item = Value>) -> Catalog {
    let mut catalog = Catalog::default();
    for o in objects {
        catalog.upsert(entry(o));
    }
    catalog
}

struct Judge<'a> {
    cluster: Option<&'a Catalog>,
    mode: Mode,
    namespace_mode: Option<NamespaceMode>,
    exemptions: Option<&'a str>,
}

impl<'a> Judge<'a> {
    fn with(cluster: &'a Catalog) -> Self {
        Self {
            cluster: Some(cluster),
            mode: Mode::Enforce,
            namespace_mode: None,
            exemptions: None,
        }
    }

    fn decide(&self, review: &Value) -> Decision {
        let config = halint::Config::default();
        decide(
            &admission(review),
            &Context {
                mode: self.mode,
                config: &config,
                cluster: self.cluster,
                namespace_mode: self.namespace_mode,
                scale_exemptions: self.exemptions,
            },
        )
    }
}

fn has(decision: &Decision, rule: &str) -> bool {
    decision.findings.iter().any(|(r, _, _)| *r == rule)
}

fn deployment() -> Value {
    capture("01-create-deployments.json")["request"]["object"].clone()
}

fn pdb() -> Value {
    capture("02-create-poddisruptionbudgets.json")["request"]["object"].clone()
}

#[test]
fn a_pdb_in_the_cluster_satisfies_pdb_missing() {
    let review = capture("01-create-deployments.json");
    let without = Judge::with(&Catalog::default()).decide(&review);
    assert!(has(&without, "pdb-missing"), "{without:?}");

    let with_pdb = catalog([pdb()]);
    let decision = Judge::with(&with_pdb).decide(&review);
    assert!(!has(&decision, "pdb-missing"), "{decision:?}");
    assert_eq!(decision.outcome, Outcome::Allowed, "{decision:?}");
}

#[test]
fn a_new_pdb_that_blocks_an_existing_deployment_is_denied() {
    let cluster = catalog([deployment()]);
    let mut review = capture("02-create-poddisruptionbudgets.json");
    review["request"]["object"]["spec"] =
        json!({"minAvailable": 3, "selector": {"matchLabels": {"app": "web"}}});
    let decision = Judge::with(&cluster).decide(&review);
    assert_eq!(decision.outcome, Outcome::Denied, "{decision:?}");
    assert!(decision
        .verdict
        .deny
        .as_deref()
        .unwrap()
        .contains("[pdb-blocking]"));

    // The same PDB over a Deployment that is not there blocks nothing.
    let decision = Judge::with(&Catalog::default()).decide(&review);
    assert!(!has(&decision, "pdb-blocking"), "{decision:?}");
}

#[test]
fn a_new_hpa_with_min_replicas_1_is_flagged() {
    let cluster = catalog([deployment(), pdb()]);
    let decision =
        Judge::with(&cluster).decide(&capture("11-create-horizontalpodautoscalers.json"));
    assert!(
        decision
            .findings
            .iter()
            .any(|(r, s, denied)| *r == "hpa-min-replicas" && *s == Severity::Warning && !denied),
        "{decision:?}"
    );
    assert_eq!(decision.outcome, Outcome::Warned);
    assert!(decision
        .verdict
        .warnings
        .iter()
        .any(|w| w.contains("[hpa-min-replicas]")));
}

fn hpa(min_replicas: i32) -> Value {
    let mut hpa = capture("11-create-horizontalpodautoscalers.json")["request"]["object"].clone();
    hpa["spec"]["minReplicas"] = json!(min_replicas);
    hpa
}

#[test]
fn scale_is_judged_with_the_cached_workload_and_its_autoscaler() {
    let scale = capture("05-update-deployments-scale.json");

    let plain = catalog([deployment(), pdb()]);
    let decision = Judge::with(&plain).decide(&scale);
    assert_eq!(decision.outcome, Outcome::Denied, "{decision:?}");
    assert!(has(&decision, "replicas"));

    // An HPA with minReplicas 3 keeps the effective replicas at 3 whatever the scale says.
    let autoscaled = catalog([deployment(), pdb(), hpa(3)]);
    let decision = Judge::with(&autoscaled).decide(&scale);
    assert!(!has(&decision, "replicas"), "{decision:?}");
    assert_ne!(decision.outcome, Outcome::Denied);

    // With minReplicas 1 the problem is the HPA (flagged when it was written), and the
    // HPA controller's own scale-downs must not be denied.
    let weak = catalog([deployment(), pdb(), hpa(1)]);
    let decision = Judge::with(&weak).decide(&scale);
    assert_ne!(decision.outcome, Outcome::Denied, "{decision:?}");
}

#[test]
fn scale_honours_the_workloads_exemption() {
    let cluster = catalog([deployment(), pdb()]);
    let judge = Judge {
        exemptions: Some("replicas"),
        ..Judge::with(&cluster)
    };
    let decision = judge.decide(&capture("05-update-deployments-scale.json"));
    assert!(!has(&decision, "replicas"), "{decision:?}");
}

#[test]
fn namespaces_opt_out_by_label() {
    let cluster = Catalog::default();
    let review = capture("13-update-deployments-dryrun.json");

    let off = Judge {
        namespace_mode: Some(NamespaceMode::Off),
        ..Judge::with(&cluster)
    };
    let decision = off.decide(&review);
    assert_eq!(decision.outcome, Outcome::Skipped);
    assert!(decision.verdict.warnings.is_empty());

    let warn = Judge {
        namespace_mode: Some(NamespaceMode::Warn),
        ..Judge::with(&cluster)
    };
    let decision = warn.decide(&review);
    assert_eq!(decision.outcome, Outcome::Warned, "{decision:?}");
    assert!(decision.verdict.deny.is_none());
}

#[test]
fn controller_writes_are_never_denied() {
    let cluster = Catalog::default();
    // A ReplicaSet the Deployment controller creates: the Deployment was judged already.
    let mut review = capture("01-create-deployments.json");
    let request = &mut review["request"];
    request["kind"]["kind"] = json!("ReplicaSet");
    request["resource"]["resource"] = json!("replicasets");
    let object = &mut request["object"];
    object["kind"] = json!("ReplicaSet");
    object["spec"]["replicas"] = json!(0);
    object["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "u", "controller": true}]);
    let decision = Judge::with(&cluster).decide(&review);
    assert_eq!(decision.outcome, Outcome::Skipped, "{decision:?}");

    // A StatefulSet an operator owns: told, not blocked.
    let mut review = capture("06-create-statefulsets.json");
    let object = &mut review["request"]["object"];
    object["spec"]["replicas"] = json!(1);
    object["metadata"]["ownerReferences"] = json!([{"apiVersion": "db.example.com/v1", "kind": "Cluster", "name": "db", "uid": "u", "controller": true}]);
    let decision = Judge::with(&cluster).decide(&review);
    assert_eq!(decision.outcome, Outcome::Warned, "{decision:?}");
    assert!(has(&decision, "replicas"));
}

#[test]
fn a_relist_replaces_what_the_cache_held() {
    let cache = ClusterCache::default();
    assert!(cache.unsynced().contains(&"deployments"));

    let web: Deployment = serde_json::from_value(deployment()).unwrap();
    let mut api = web.clone();
    api.metadata.name = Some("api".into());
    let mut annotated = web.clone();
    annotated
        .metadata
        .annotations
        .get_or_insert_default()
        .insert("halint.io/ignore".into(), "replicas".into());

    cache.apply(WatchedKind::Deployments, web.project());
    cache.apply(WatchedKind::Deployments, api.project());
    assert!(cache.exemption("shop", "Deployment", "web").is_none());
    cache.apply(WatchedKind::Deployments, annotated.project());
    assert_eq!(
        cache.exemption("shop", "Deployment", "web").as_deref(),
        Some("replicas")
    );

    // While the watch was down, `web` was deleted: the relist lists only `api`.
    cache.replace(WatchedKind::Deployments, vec![api.project()]);
    let catalog = cache.catalog();
    assert!(catalog.contains_named("shop", "Deployment", "api"));
    assert!(!catalog.contains_named("shop", "Deployment", "web"));
    drop(catalog);
    assert!(cache.exemption("shop", "Deployment", "web").is_none());
    assert!(!cache.unsynced().contains(&"deployments"));

    cache.delete(WatchedKind::Deployments, &api.project().0);
    assert!(!cache.catalog().contains_named("shop", "Deployment", "api"));
}

#[test]
fn an_autoscaling_v1_hpa_is_judged_too() {
    let mut review = capture("11-create-horizontalpodautoscalers.json");
    let request = &mut review["request"];
    request["kind"]["version"] = json!("v1");
    request["resource"]["version"] = json!("v1");
    request["object"] = json!({
        "apiVersion": "autoscaling/v1",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "maxReplicas": 5,
            "targetCPUUtilizationPercentage": 80
        }
    });
    let cluster = catalog([deployment(), pdb()]);
    let decision = Judge::with(&cluster).decide(&review);
    assert!(has(&decision, "hpa-min-replicas"), "{decision:?}");
}

#[test]
fn a_claims_access_modes_come_from_the_cluster() {
    let mut review = capture("01-create-deployments.json");
    let spec = &mut review["request"]["object"]["spec"]["template"]["spec"];
    spec["volumes"] =
        json!([{"name": "uploads", "persistentVolumeClaim": {"claimName": "uploads"}}]);
    spec["containers"][0]["volumeMounts"] = json!([{"name": "uploads", "mountPath": "/srv"}]);
    let claim = |mode: &str| {
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
               "metadata": {"name": "uploads", "namespace": "shop"},
               "spec": {"accessModes": [mode]}})
    };

    let unknown = Judge::with(&Catalog::default()).decide(&review);
    assert!(!has(&unknown, "rwo-volume-shared"), "{unknown:?}");

    let cluster = catalog([claim("ReadWriteOnce")]);
    let decision = Judge::with(&cluster).decide(&review);
    assert!(has(&decision, "rwo-volume-shared"), "{decision:?}");

    let cluster = catalog([claim("ReadWriteMany")]);
    let decision = Judge::with(&cluster).decide(&review);
    assert!(!has(&decision, "rwo-volume-shared"), "{decision:?}");
}

#[test]
fn a_cached_claim_is_projected_to_its_access_modes() {
    let claim: k8s_openapi::api::core::v1::PersistentVolumeClaim = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data", "namespace": "shop", "annotations": {"big": "x"}},
        "spec": {"accessModes": ["ReadWriteOncePod"], "storageClassName": "fast",
                 "resources": {"requests": {"storage": "1Gi"}}}
    }))
    .unwrap();
    let cache = ClusterCache::default();
    cache.apply(WatchedKind::PersistentVolumeClaims, claim.project());
    let catalog = cache.catalog();
    let hit = catalog.pvc("shop", "data").unwrap();
    assert_eq!(hit.info.access_modes, ["ReadWriteOncePod"]);
}
