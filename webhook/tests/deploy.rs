//! deploy/ renders, and its RBAC and webhook registration agree with the code.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use halint_webhook::cache::WatchedKind;
use serde_json::Value;

/// `kubectl kustomize DIR` as JSON documents; None (with a message) without kubectl.
fn render(dir: &str) -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(dir);
    // kubectl is on every machine the project builds on (CI installs it where it is
    // missing): a test that skipped without it would pass without checking anything.
    let output = Command::new("kubectl")
        .arg("kustomize")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("running kubectl kustomize {dir} (is kubectl installed?): {e}"));
    assert!(
        output.status.success(),
        "kubectl kustomize {dir}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    serde_saphyr::from_multiple(&text).expect("rendered YAML parses")
}

fn find<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in the rendered output"))
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn cluster_role_grants_exactly_what_the_cache_watches() {
    let docs = render("deploy");
    let role = find(&docs, "ClusterRole", "halint-webhook");
    let mut granted = BTreeSet::new();
    for rule in role["rules"].as_array().unwrap() {
        assert_eq!(
            strings(&rule["verbs"]),
            ["get", "list", "watch"],
            "read-only: {rule}"
        );
        assert!(rule.get("resourceNames").is_none() && rule.get("nonResourceURLs").is_none());
        for group in strings(&rule["apiGroups"]) {
            for resource in strings(&rule["resources"]) {
                granted.insert((group.to_owned(), resource.to_owned()));
            }
        }
    }
    let watched: BTreeSet<(String, String)> = WatchedKind::ALL
        .iter()
        .map(|k| {
            let (group, resource) = k.resource();
            (group.to_owned(), resource.to_owned())
        })
        .collect();
    assert_eq!(granted, watched);

    let binding = find(&docs, "ClusterRoleBinding", "halint-webhook");
    let deployment = find(&docs, "Deployment", "halint-webhook");
    assert_eq!(binding["roleRef"]["name"], "halint-webhook");
    assert_eq!(
        binding["subjects"][0]["name"],
        deployment["spec"]["template"]["spec"]["serviceAccountName"]
    );
}

#[test]
fn the_webhook_registration_matches_what_the_handler_judges() {
    let docs = render("deploy");
    let config = find(&docs, "ValidatingWebhookConfiguration", "halint");
    let hook = &config["webhooks"][0];
    assert_eq!(strings(&hook["admissionReviewVersions"]), ["v1"]);
    assert_eq!(hook["sideEffects"], "None");
    assert_eq!(hook["failurePolicy"], "Ignore");
    assert!(hook["timeoutSeconds"].as_i64().unwrap() <= 5);
    assert_eq!(hook["clientConfig"]["service"]["path"], "/validate");
    let excluded = &hook["namespaceSelector"]["matchExpressions"][0];
    assert_eq!(excluded["operator"], "NotIn");
    assert_eq!(
        strings(&excluded["values"]),
        ["kube-system", "halint-system"]
    );

    let mut resources = BTreeSet::new();
    for rule in hook["rules"].as_array().unwrap() {
        assert_eq!(strings(&rule["operations"]), ["CREATE", "UPDATE"]);
        for r in strings(&rule["resources"]) {
            resources.insert(r);
        }
    }
    for needed in [
        "deployments",
        "deployments/scale",
        "statefulsets",
        "statefulsets/scale",
        "daemonsets",
        "replicasets",
        "poddisruptionbudgets",
        "horizontalpodautoscalers",
    ] {
        assert!(resources.contains(needed), "rules miss {needed}");
    }
}

#[test]
fn overlays_render() {
    let docs = render("deploy/overlays/cert-manager");
    let config = find(&docs, "ValidatingWebhookConfiguration", "halint");
    assert_eq!(
        config["metadata"]["annotations"]["cert-manager.io/inject-ca-from"],
        "halint-system/halint-webhook"
    );
    let cert = find(&docs, "Certificate", "halint-webhook");
    assert_eq!(cert["spec"]["secretName"], "halint-webhook-tls");
    assert!(strings(&cert["spec"]["dnsNames"]).contains(&"halint-webhook.halint-system.svc"));

    let docs = render("deploy/overlays/fail-closed");
    let config = find(&docs, "ValidatingWebhookConfiguration", "halint");
    assert_eq!(config["webhooks"][0]["failurePolicy"], "Fail");
}

#[test]
fn the_config_map_holds_a_valid_config_mounted_where_the_flag_points() {
    let docs = render("deploy");
    let deployment = find(&docs, "Deployment", "halint-webhook");
    let pod = &deployment["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    let flag = strings(&container["args"])
        .into_iter()
        .find_map(|a| a.strip_prefix("--config="))
        .expect("the webhook is started with --config");
    let (dir, key) = flag.rsplit_once('/').unwrap();
    let mount = container["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mountPath"] == dir)
        .expect("the config's directory is mounted");
    let volume = pod["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == mount["name"])
        .unwrap();
    let name = volume["configMap"]["name"]
        .as_str()
        .expect("from a ConfigMap");
    let map = find(&docs, "ConfigMap", name);
    let text = map["data"][key]
        .as_str()
        .expect("the ConfigMap has the key");
    let settings = halint_webhook::settings::parse(key, text).expect("the shipped config loads");
    assert_eq!(settings.mode, Some(halint_webhook::handler::Mode::Enforce));
}

/// The hardening every rendering of deploy/ must keep: non-root, read-only root
/// filesystem, no capabilities, no privilege escalation, seccomp RuntimeDefault, no
/// host namespaces, and only the HTTPS port (probes included).
#[test]
fn the_webhook_pods_run_unprivileged_and_serve_only_https() {
    for dir in [
        "deploy",
        "deploy/overlays/cert-manager",
        "deploy/overlays/fail-closed",
    ] {
        let docs = render(dir);
        let deployment = find(&docs, "Deployment", "halint-webhook");
        let pod = &deployment["spec"]["template"]["spec"];
        let sc = &pod["securityContext"];
        assert_eq!(sc["runAsNonRoot"], true, "{dir}");
        assert!(sc["runAsUser"].as_i64().is_some_and(|u| u > 0), "{dir}");
        assert_eq!(sc["seccompProfile"]["type"], "RuntimeDefault", "{dir}");
        for host in ["hostNetwork", "hostPID", "hostIPC"] {
            assert!(pod[host].is_null() || pod[host] == false, "{dir}: {host}");
        }
        let containers: Vec<&Value> = ["initContainers", "containers"]
            .iter()
            .flat_map(|k| pod[*k].as_array().into_iter().flatten())
            .collect();
        assert!(!containers.is_empty());
        for c in containers {
            let name = c["name"].as_str().unwrap_or("?");
            let sc = &c["securityContext"];
            assert_eq!(sc["allowPrivilegeEscalation"], false, "{dir} {name}");
            assert_eq!(sc["readOnlyRootFilesystem"], true, "{dir} {name}");
            assert!(sc["privileged"].is_null() || sc["privileged"] == false);
            assert_eq!(
                strings(&sc["capabilities"]["drop"]),
                ["ALL"],
                "{dir} {name}"
            );
            assert!(sc["capabilities"]["add"].is_null(), "{dir} {name}");
            // A container-level override may not undo the pod's settings.
            assert!(sc["runAsNonRoot"].is_null() || sc["runAsNonRoot"] == true);
            assert!(sc["runAsUser"].as_i64().is_none_or(|u| u > 0));

            let ports = c["ports"].as_array().cloned().unwrap_or_default();
            assert_eq!(ports.len(), 1, "{dir} {name}: one port, HTTPS");
            assert_eq!(ports[0]["name"], "https");
            let args = strings(&c["args"]);
            assert!(
                args.iter().any(|a| a.starts_with("--tls-cert=")),
                "{args:?}"
            );
            assert!(args.iter().any(|a| a.starts_with("--tls-key=")), "{args:?}");
            for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
                let get = &c[probe]["httpGet"];
                if !get.is_null() {
                    assert_eq!(get["scheme"], "HTTPS", "{dir} {name} {probe}");
                }
            }
        }
        let service = find(&docs, "Service", "halint-webhook");
        for port in service["spec"]["ports"].as_array().unwrap() {
            assert_eq!(port["targetPort"], "https", "{dir}: {port}");
        }
    }
}

/// Every deadline of ours ends before the API server's `timeoutSeconds`, so a slow
/// request is answered by halint (an allow with a warning) rather than timed out.
#[test]
fn the_webhooks_deadlines_end_before_the_api_servers_timeout() {
    let docs = render("deploy");
    let config = find(&docs, "ValidatingWebhookConfiguration", "halint");
    let timeout =
        std::time::Duration::from_secs(config["webhooks"][0]["timeoutSeconds"].as_u64().unwrap());
    let connection = halint_webhook::server::Timeouts::default();
    assert!(halint_webhook::app::DECISION_DEADLINE < halint_webhook::app::REQUEST_TIMEOUT);
    assert!(halint_webhook::app::REQUEST_TIMEOUT < timeout);
    assert!(connection.handshake < timeout && connection.header_read < timeout);
}
