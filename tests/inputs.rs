//! Inputs that are rendered first: a kustomization with the real `kubectl kustomize`, and a
//! Helm chart (`helm template`), including the errors when the program is missing or fails.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn halint_in(dir: &Path, path_env: Option<&Path>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_halint"));
    command.args(args).current_dir(dir);
    if let Some(path) = path_env {
        command.env("PATH", path);
    }
    command.output().expect("halint runs")
}

fn parse(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn write(root: &Path, name: &str, text: &str) {
    let path = root.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: web:1
";

/// A base and a prod overlay. Only features that every kustomize bundled with kubectl
/// since 1.14 knows: the machine's kubectl may be an old distribution package.
fn kustomize_tree(root: &Path) {
    write(root, "base/deployment.yaml", DEPLOYMENT);
    write(
        root,
        "base/kustomization.yaml",
        "resources:\n  - deployment.yaml\n",
    );
    write(
        root,
        "overlays/prod/kustomization.yaml",
        "namespace: prod\nnamePrefix: prod-\nresources:\n  - ../../base\n",
    );
    // A plain manifest beside them is still read as a file.
    write(
        root,
        "plain/service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: prod}\nspec:\n  selector: {app: web}\n",
    );
}

#[test]
fn a_kustomization_is_rendered_with_kubectl_and_named_in_findings() {
    let dir = tempfile::tempdir().unwrap();
    kustomize_tree(dir.path());
    let out = halint_in(
        dir.path(),
        None,
        &["--format", "json", "--select", "replicas", "overlays/prod"],
    );
    let report = parse(&out);
    assert_eq!(out.status.code(), Some(1), "{report:#}");
    let finding = &report["findings"][0];
    // The overlay's namespace and prefix prove the objects were rendered, not read.
    assert_eq!(finding["object"]["namespace"], "prod");
    assert_eq!(finding["object"]["name"], "prod-web");
    assert_eq!(finding["file"], "overlays/prod/kustomization.yaml");
    assert!(finding["line"].as_u64().unwrap() > 1);

    // Met while walking: each kustomization is rendered once, as a whole, and plain files
    // are read one by one.
    let out = halint_in(
        dir.path(),
        None,
        &["--format", "json", "--select", "replicas", "."],
    );
    let report = parse(&out);
    let mut found: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["object"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("./base/kustomization.yaml".to_string(), "web".to_string()),
            (
                "./overlays/prod/kustomization.yaml".to_string(),
                "prod-web".to_string()
            ),
        ]
    );
    assert_eq!(report["summary"]["files"], 3, "{report:#}");
}

#[test]
fn a_failing_kustomization_reports_kubectls_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "broken/kustomization.yaml",
        "resources:\n  - missing.yaml\n",
    );
    write(dir.path(), "ok.yaml", DEPLOYMENT);
    let out = halint_in(dir.path(), None, &["--format", "json", "."]);
    let report = parse(&out);
    assert_eq!(out.status.code(), Some(2), "{report:#}");
    let error = &report["errors"][0];
    assert_eq!(error["file"], "./broken/kustomization.yaml");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("`kubectl kustomize ./broken` failed"),
        "{message}"
    );
    assert!(
        message.contains("missing.yaml"),
        "kubectl's stderr: {message}"
    );
    // The rest is still linted.
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["file"] == "./ok.yaml"));
}

#[test]
fn missing_kubectl_or_helm_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    kustomize_tree(dir.path());
    write(
        dir.path(),
        "chart/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    );
    let empty = tempfile::tempdir().unwrap();
    let out = halint_in(
        dir.path(),
        Some(empty.path()),
        &["--format", "json", "overlays/prod", "chart"],
    );
    let report = parse(&out);
    assert_eq!(out.status.code(), Some(2));
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors[0]["file"], "overlays/prod/kustomization.yaml");
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("needs `kubectl` on PATH, which was not found"));
    assert_eq!(errors[1]["file"], "chart/Chart.yaml");
    let helm = errors[1]["message"].as_str().unwrap();
    assert!(helm.contains("needs `helm` on PATH"), "{helm}");
    assert!(helm.contains("helm template chart | halint -"), "{helm}");
}

/// Helm is not packaged for Debian or PyPI, so no real helm can be installed here: this
/// stands in a script for it that records its arguments and renders a fixed manifest. It
/// checks what halint passes (`template DIR --values FILE...`) and reads back, not Helm.
#[test]
fn a_chart_is_rendered_with_helm_template_and_the_values_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    );
    write(dir.path(), "prod.yaml", "replicas: 1\n");
    let bin = tempfile::tempdir().unwrap();
    let args_file = dir.path().join("helm-args");
    let script = format!(
        "#!/bin/sh\necho \"$@\" > '{}'\ncat <<'EOF'\n---\n# Source: web/templates/deployment.yaml\n{DEPLOYMENT}EOF\n",
        args_file.display()
    );
    let helm = bin.path().join("helm");
    fs::write(&helm, script).unwrap();
    fs::set_permissions(&helm, fs::Permissions::from_mode(0o755)).unwrap();
    // The stand-in comes first; the script's own `cat` from the system.
    let path = format!("{}:/usr/bin:/bin", bin.path().display());
    let out = halint_in(
        dir.path(),
        Some(Path::new(&path)),
        &[
            "--format",
            "json",
            "--select",
            "replicas",
            "--values",
            "prod.yaml",
            "--values",
            "more.yaml",
            "charts",
        ],
    );
    let report = parse(&out);
    assert_eq!(out.status.code(), Some(1), "{report:#}");
    assert_eq!(
        fs::read_to_string(&args_file).unwrap().trim(),
        "template charts/web --values prod.yaml --values more.yaml"
    );
    let finding = &report["findings"][0];
    assert_eq!(finding["file"], "charts/web/Chart.yaml");
    assert_eq!(finding["line"], 8);
}
