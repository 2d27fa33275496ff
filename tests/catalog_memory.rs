//! What the projections cost: the webhook keeps one catalog entry per watched object, so
//! the bytes per entry decide its memory on a large cluster. Prints the figures recorded
//! in BENCHMARKS.md (`cargo nextest run --test catalog_memory --no-capture`) and fails if
//! an entry grows past a budget.

#[path = "support/counting.rs"]
mod counting;

use halint::objects::catalog::{Catalog, Entry};
use halint::objects::Object;
use serde_json::{json, Value};

use counting::{allocated, live};

const N: usize = 10_000;

/// Live bytes the catalog holds for `N` objects made by `object`, per object.
fn bytes_per_entry(object: impl Fn(usize) -> Value) -> f64 {
    let entries: Vec<Entry> = (0..N)
        .map(|i| {
            let o = Object::from_json(object(i)).unwrap().unwrap();
            Entry::from_object(&o).unwrap()
        })
        .collect();
    let before = live();
    let mut catalog = Catalog::default();
    for e in &entries {
        catalog.upsert(e.clone());
    }
    let after = live();
    drop(catalog);
    (after - before) as f64 / N as f64
}

fn namespace(i: usize) -> String {
    format!("team-{:02}", i % 50)
}

#[test]
fn projection_bytes_per_object() {
    let pvc = bytes_per_entry(|i| {
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
               "metadata": {"name": format!("data-postgres-{i}"), "namespace": namespace(i)},
               "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "standard-rwo",
                        "resources": {"requests": {"storage": "10Gi"}}}})
    });
    let service = bytes_per_entry(|i| {
        json!({"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": format!("checkout-{i}"), "namespace": namespace(i)},
               "spec": {"selector": {"app.kubernetes.io/name": format!("checkout-{i}"),
                                     "app.kubernetes.io/component": "api"},
                        "ports": [{"port": 80, "targetPort": 8080}]}})
    });
    let deployment = bytes_per_entry(|i| {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": format!("checkout-{i}"), "namespace": namespace(i)},
               "spec": {"replicas": 3,
                        "selector": {"matchLabels": {"app.kubernetes.io/name": format!("checkout-{i}")}},
                        "template": {"metadata": {"labels": {
                            "app.kubernetes.io/name": format!("checkout-{i}"),
                            "app.kubernetes.io/component": "api"}},
                          "spec": {"containers": [{"name": "app", "image": "app:1"}]}}}})
    });
    let pdb = bytes_per_entry(|i| {
        json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
               "metadata": {"name": format!("checkout-{i}"), "namespace": namespace(i)},
               "spec": {"maxUnavailable": 1,
                        "selector": {"matchLabels": {"app.kubernetes.io/name": format!("checkout-{i}")}}}})
    });
    let hpa = bytes_per_entry(|i| {
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
               "metadata": {"name": format!("checkout-{i}"), "namespace": namespace(i)},
               "spec": {"minReplicas": 2, "maxReplicas": 10,
                        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                           "name": format!("checkout-{i}")}}})
    });
    println!("catalog bytes per object ({N} objects, 50 namespaces):");
    println!(
        "  PodDisruptionBudget   {pdb:>6.0}  ({:.1} MB per 10,000)",
        pdb * 1e4 / 1e6
    );
    println!(
        "  HorizontalPodAutoscaler {hpa:>4.0}  ({:.1} MB per 10,000)",
        hpa * 1e4 / 1e6
    );
    println!(
        "  PersistentVolumeClaim {pvc:>6.0}  ({:.1} MB per 10,000)",
        pvc * 1e4 / 1e6
    );
    println!(
        "  Service               {service:>6.0}  ({:.1} MB per 10,000)",
        service * 1e4 / 1e6
    );
    println!(
        "  Deployment            {deployment:>6.0}  ({:.1} MB per 10,000)",
        deployment * 1e4 / 1e6
    );
    // A claim keeps its key, name, namespace and access modes; a Service its selector
    // (sorted pairs in one allocation) and a label index entry; a Deployment its pod
    // labels and one index entry per label; a PDB its selector (pairs and expressions in
    // one allocation each) and budget; an autoscaler its target, indexed. The index keys a
    // pair by its hash. Budgets a little above today's figures (249, 395, 500, 436 and 381
    // bytes), far below a whole object: a label map or a selector back in a BTreeMap (a PDB
    // took 1,065 bytes so), or the index keying pairs by their strings again (575, 522 and
    // 456 bytes for a Deployment, a PDB and an autoscaler), fails here.
    assert!(pdb < 490.0, "a PDB entry takes {pdb} bytes");
    assert!(hpa < 430.0, "an autoscaler entry takes {hpa} bytes");
    assert!(pvc < 300.0, "a PVC entry takes {pvc} bytes");
    assert!(service < 460.0, "a Service entry takes {service} bytes");
    assert!(
        deployment < 550.0,
        "a Deployment entry takes {deployment} bytes"
    );
}

/// Bytes allocated, per entry, to fill a catalog with `n` Deployments of one namespace
/// that share a label (a team's), as the index files them under it.
fn allocated_per_shared_entry(n: usize) -> f64 {
    let entries: Vec<Entry> = (0..n)
        .map(|i| {
            let o = Object::from_json(json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": format!("app-{i}"), "namespace": "team-1"},
               "spec": {"selector": {"matchLabels": {"app": format!("app-{i}")}},
                        "template": {"metadata": {"labels": {"app": format!("app-{i}"), "team": "team-1"}},
                          "spec": {"containers": [{"name": "app", "image": "app:1"}]}}}}))
            .unwrap()
            .unwrap();
            Entry::from_object(&o).unwrap()
        })
        .collect();
    let before = allocated();
    let mut catalog = Catalog::default();
    for e in entries {
        catalog.upsert(e);
    }
    let bytes = allocated() - before;
    drop(catalog);
    bytes as f64 / n as f64
}

#[test]
fn a_label_many_entries_share_costs_the_same_per_entry_at_any_size() {
    // The list under a shared pair once grew by one key per push, copying itself each
    // time: 8 times the entries cost 8 times the bytes per entry.
    let (small, large) = (
        allocated_per_shared_entry(1_000),
        allocated_per_shared_entry(8_000),
    );
    assert!(
        large < small * 1.5,
        "{small:.0} bytes per entry for 1,000 entries, {large:.0} for 8,000"
    );
}
