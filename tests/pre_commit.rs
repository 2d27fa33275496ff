//! The pre-commit hook (`.pre-commit-hooks.yaml`, id `halint-system`) run by the real
//! pre-commit tool (`pre-commit try-repo`) on a git repository made here, with the halint
//! just built on PATH. CI installs pre-commit; elsewhere the test is skipped when it is
//! missing (`pip install pre-commit` to run it).

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const PLATFORM: &str = "\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  maxUnavailable: 1
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector: {matchLabels: {app: web}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 3
  maxReplicas: 10
";

/// Sound only with the platform file's autoscaler (minReplicas 3) and PDB: on its own it
/// runs 1 replica (an error) without a PDB (a warning).
fn deployment(name: &str) -> String {
    format!(
        "\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      topologySpreadConstraints:
        - {{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway,
            labelSelector: {{matchLabels: {{app: {name}}}}}}}
        - {{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway,
            labelSelector: {{matchLabels: {{app: {name}}}}}}}
      containers:
        - name: app
          image: app:1
          readinessProbe: {{httpGet: {{path: /ready, port: 8080}}}}
          livenessProbe: {{httpGet: {{path: /alive, port: 8080}}}}
          resources: {{requests: {{cpu: 100m, memory: 128Mi}}}}
"
    )
}

fn git(repo: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(repo)
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

fn try_repo(repo: &Path, home: &Path) -> (bool, String) {
    let bin = Path::new(env!("CARGO_BIN_EXE_halint")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let out: Output = Command::new("pre-commit")
        .args(["try-repo", env!("CARGO_MANIFEST_DIR"), "halint-system"])
        .args(["--verbose", "--color", "never"])
        .current_dir(repo)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", home)
        .output()
        .expect("pre-commit runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn the_hook_sees_the_repository_as_context() {
    let found = Command::new("pre-commit").arg("--version").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install pre-commit (pip install pre-commit)"
        );
        eprintln!("skipped: pre-commit is not installed (pip install pre-commit)");
        return;
    }
    let repo = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let repo = repo.path();
    git(repo, &["init", "-q"]);
    fs::write(repo.join("platform.yaml"), PLATFORM).unwrap();
    git(repo, &["add", "platform.yaml"]);
    git(repo, &["commit", "-qm", "platform"]);

    // A commit touching only the Deployment: its autoscaler and PDB, in the untouched
    // platform.yaml, still count.
    fs::write(repo.join("web.yaml"), deployment("web")).unwrap();
    git(repo, &["add", "web.yaml"]);
    let (passed, output) = try_repo(repo, home.path());
    assert!(passed, "{output}");
    assert!(
        output.contains("No HA problems found in 1 file"),
        "{output}"
    );
    git(repo, &["commit", "-qm", "web"]);

    // A Deployment that nothing else in the repository rescues fails the commit, and the
    // finding is in the output.
    fs::write(repo.join("api.yaml"), deployment("api")).unwrap();
    git(repo, &["add", "api.yaml"]);
    let (passed, output) = try_repo(repo, home.path());
    assert!(!passed, "{output}");
    assert!(
        output.contains("Deployment default/api runs 1 replica"),
        "{output}"
    );
    assert!(output.contains("api.yaml:5:3"), "{output}");
    assert!(
        !output.contains("default/web"),
        "only touched files are reported: {output}"
    );
}
