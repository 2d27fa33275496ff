//! The config file, custom rules and exemptions through the `halint` binary.

use std::fs;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

#[path = "support/bin.rs"]
mod bin;

fn halint_in(dir: &Path, args: &[&str]) -> Output {
    bin::command()
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("halint runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A scratch repository: a `.git` directory bounds config discovery.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

const ONE_REPLICA: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: 'web:1'}]}\n";

fn house_rules() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("rules/house")
        .display()
        .to_string()
}

#[test]
fn the_config_is_found_upwards_but_not_past_the_repository() {
    let outer = tempfile::tempdir().unwrap();
    // Outside the repository: never read.
    fs::write(
        outer.path().join(".halint.yaml"),
        "rules: {replicas: off, bogus: on}\n",
    )
    .unwrap();
    let repo = outer.path().join("repo");
    fs::create_dir_all(repo.join(".git")).unwrap();
    fs::create_dir_all(repo.join("apps/web")).unwrap();
    fs::write(repo.join("apps/web/web.yaml"), ONE_REPLICA).unwrap();
    let out = halint_in(
        &repo.join("apps/web"),
        &["--select", "replicas", "web.yaml"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    // At the repository root: read from any directory below it.
    fs::write(repo.join(".halint.yaml"), "rules:\n  replicas: warning\n").unwrap();
    let out = halint_in(
        &repo.join("apps/web"),
        &["--select", "replicas", "--format", "json", "web.yaml"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"][0]["severity"], "warning");
}

#[test]
fn a_bad_config_stops_with_its_location() {
    let dir = repo();
    fs::write(dir.path().join("web.yaml"), ONE_REPLICA).unwrap();
    fs::write(
        dir.path().join("halint.yaml"),
        "rules:\n  replicas: {min: three}\n",
    )
    .unwrap();
    for args in [
        vec!["--config", "halint.yaml", "web.yaml"],
        vec!["rules", "--config", "halint.yaml"],
        vec!["explain", "replicas", "--config", "halint.yaml"],
    ] {
        let out = halint_in(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            text(&out.stderr),
            "halint: halint.yaml:2:14: option `replicas.min` must be a whole number, not the string `three`\n"
        );
    }
    let out = halint_in(dir.path(), &["--config", "missing.yaml", "web.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("halint: missing.yaml: cannot read the config"));
}

#[test]
fn options_and_excludes_apply() {
    let dir = repo();
    fs::create_dir_all(dir.path().join("vendor/chart")).unwrap();
    fs::write(dir.path().join("vendor/chart/web.yaml"), ONE_REPLICA).unwrap();
    fs::write(
        dir.path().join("web.yaml"),
        ONE_REPLICA.replace("replicas: 1", "replicas: 2"),
    )
    .unwrap();
    fs::write(
        dir.path().join(".halint.yaml"),
        "rules:\n  replicas: {min: 3}\nexclude: [vendor]\n",
    )
    .unwrap();
    let out = halint_in(
        dir.path(),
        &["--select", "replicas", "--format", "json", "."],
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["file"], "./web.yaml");
    assert_eq!(findings[0]["help"], "set spec.replicas to 3 or more");
    assert_eq!(report["summary"]["files"], 1);
    // Named explicitly, an excluded file is still excluded (as pre-commit passes files).
    let out = halint_in(
        dir.path(),
        &["--select", "replicas", "vendor/chart/web.yaml"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn config_init_writes_a_default_that_loads() {
    let dir = repo();
    let out = halint_in(dir.path(), &["config", "init"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = fs::read_to_string(dir.path().join(".halint.yaml")).unwrap();
    assert!(written.contains("# replicas:") && written.contains("pdbsElsewhere: false"));
    // It never overwrites by accident.
    assert_eq!(
        halint_in(dir.path(), &["config", "init"]).status.code(),
        Some(2)
    );
    assert_eq!(
        halint_in(dir.path(), &["config", "init", "--force"])
            .status
            .code(),
        Some(0)
    );
    fs::write(dir.path().join("web.yaml"), ONE_REPLICA).unwrap();
    let out = halint_in(dir.path(), &["--select", "replicas", "web.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

#[test]
fn custom_rules_take_part_like_built_in_ones() {
    let dir = repo();
    fs::write(
        dir.path().join(".halint.yaml"),
        format!(
            "ruleDirs: ['{}']\nrules:\n  team-label: error\n",
            house_rules()
        ),
    )
    .unwrap();
    fs::write(dir.path().join("web.yaml"), ONE_REPLICA).unwrap();
    let out = halint_in(dir.path(), &["rules", "--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("3 custom rules loaded, examples behave"));
    let listing = text(&halint_in(dir.path(), &["rules"]).stdout);
    assert!(
        listing.contains("team-label") && listing.contains("(custom: "),
        "{listing}"
    );
    let page = halint_in(dir.path(), &["explain", "team-label"]);
    assert_eq!(page.status.code(), Some(0));
    assert!(
        text(&page.stdout).contains("`$.metadata.labels.team` must hold (it selects something)")
    );

    let out = halint_in(dir.path(), &["--select", "team-label", "web.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let human = text(&out.stdout);
    assert!(
        human.contains("team-label") && human.contains("web.yaml:3:1"),
        "{human}"
    );
    // --ignore and exemptions by annotation work by id as for built-in rules.
    let out = halint_in(
        dir.path(),
        &[
            "--select",
            "team-label",
            "--ignore",
            "team-label",
            "web.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let exempt = ONE_REPLICA.replace(
        "name: web\n",
        "name: web\n  annotations: {halint.io/ignore: team-label}\n",
    );
    fs::write(dir.path().join("web.yaml"), exempt).unwrap();
    assert_eq!(
        halint_in(dir.path(), &["--select", "team-label", "web.yaml"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn a_custom_rule_whose_example_does_not_flag_is_an_error() {
    let dir = repo();
    fs::create_dir(dir.path().join("house")).unwrap();
    let rule = fs::read_to_string(Path::new(&house_rules()).join("team-label.yaml")).unwrap();
    fs::write(
        dir.path().join("house/team.yaml"),
        rule.replace("$.metadata.labels.team", "$.metadata.labels.owner"),
    )
    .unwrap();
    fs::write(dir.path().join(".halint.yaml"), "ruleDirs: [house]\n").unwrap();
    let out = halint_in(dir.path(), &["rules", "--check"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "halint: house/team.yaml:30:3: the passing example flags the rule: Deployment default/web has no team label: nobody is paged when it breaks\n"
    );
    fs::write(
        dir.path().join(".halint.yaml"),
        "ruleDirs: [house, nowhere]\n",
    )
    .unwrap();
    let out = halint_in(dir.path(), &["rules", "--check"]);
    assert!(
        text(&out.stderr).contains("halint: .halint.yaml:1:19: rule directory `nowhere`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn suppressed_findings_are_shown_with_their_reasons_on_request() {
    let dir = repo();
    let annotated = ONE_REPLICA.replace(
        "name: web\n",
        "name: web\n  annotations:\n    halint.io/ignore: replicas\n    halint.io/ignore-reason: canary, scaled by hand\n    halint.io/ignore-until: '2999-12-31'\n",
    );
    let expired = annotated
        .replace("web", "old")
        .replace("2999-12-31", "2000-01-01");
    fs::write(
        dir.path().join("a.yaml"),
        format!("{annotated}---\n{expired}"),
    )
    .unwrap();

    let out = halint_in(dir.path(), &["--select", "replicas", "a.yaml"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the expired exemption brings its finding back"
    );
    let human = text(&out.stdout);
    assert!(
        human.contains(
            "its exemption (halint.io/ignore, \"canary, scaled by hand\") expired on 2000-01-01"
        ),
        "{human}"
    );
    assert!(!human.contains("Suppressed"), "{human}");

    let out = halint_in(
        dir.path(),
        &["--select", "replicas", "--show-suppressed", "a.yaml"],
    );
    let human = text(&out.stdout);
    assert!(
        human.contains("Suppressed by exemptions (1, not counted toward the exit code):"),
        "{human}"
    );
    assert!(
        human.contains("exempted by halint.io/ignore at a.yaml:6:5; reason: canary, scaled by hand; until 2999-12-31"),
        "{human}"
    );

    let out = halint_in(
        dir.path(),
        &[
            "--select",
            "replicas",
            "--show-suppressed",
            "--format",
            "json",
            "a.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["version"], 1);
    assert_eq!(report["findings"][0]["object"]["name"], "old");
    assert_eq!(report["findings"][0]["exemption"]["expired"], true);
    let s = &report["suppressed"][0];
    assert_eq!(s["rule"], "replicas");
    assert_eq!(s["object"]["name"], "web");
    assert_eq!(
        s["exemption"],
        serde_json::json!({
            "annotation": "halint.io/ignore",
            "path": "/metadata/annotations/halint.io~1ignore",
            "reason": "canary, scaled by hand",
            "until": "2999-12-31",
            "line": 6,
            "column": 5,
        })
    );
    assert_eq!(
        report["summary"]["error"], 1,
        "suppressed findings are not counted"
    );
    // Without the flag the JSON report has no `suppressed` key.
    let out = halint_in(
        dir.path(),
        &["--select", "replicas", "--format", "json", "a.yaml"],
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report.get("suppressed").is_none());
}

#[test]
fn peer_exemptions_are_opt_in_by_flag_or_config() {
    let dir = repo();
    let annotated = ONE_REPLICA.replace("name: web\n", "name: web\n  annotations: {polaris.fairwinds.com/deploymentMissingReplicas-exempt: 'true'}\n");
    fs::write(dir.path().join("a.yaml"), annotated).unwrap();
    let args = ["--select", "replicas", "a.yaml"];
    assert_eq!(halint_in(dir.path(), &args).status.code(), Some(1));
    let with_flag = [
        "--peer-exemptions",
        "polaris",
        "--select",
        "replicas",
        "a.yaml",
    ];
    assert_eq!(halint_in(dir.path(), &with_flag).status.code(), Some(0));
    let bad = halint_in(dir.path(), &["--peer-exemptions", "datree", "a.yaml"]);
    assert_eq!(bad.status.code(), Some(2));
    fs::write(
        dir.path().join(".halint.yaml"),
        "exemptions: {peers: [polaris]}\n",
    )
    .unwrap();
    assert_eq!(halint_in(dir.path(), &args).status.code(), Some(0));
}
