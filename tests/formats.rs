//! The machine formats: SARIF (checked against the official SARIF 2.1.0 schema), GitHub
//! workflow commands, and `halint rules --format json`.

use serde_json::Value;

#[path = "support/bin.rs"]
mod bin;

use bin::halint;

fn sarif(args: &[&str]) -> Value {
    let mut all = vec!["--format", "sarif"];
    all.extend_from_slice(args);
    let out = halint(&all);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn schema_errors(document: &Value) -> Vec<String> {
    let schema: Value =
        serde_json::from_str(include_str!("../testdata/sarif/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    validator
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn sarif_is_valid_against_the_sarif_2_1_0_schema() {
    // Findings with related locations, and an input error (a tool notification).
    let document = sarif(&["examples/", "testdata/bad/wrong-type.yaml"]);
    assert_eq!(schema_errors(&document), Vec::<String>::new());
    let run = &document["runs"][0];
    assert!(run["results"].as_array().unwrap().len() > 5);
    assert!(run["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["relatedLocations"].is_array()));

    // The validator is not a rubber stamp: a broken log is refused.
    let mut broken = document.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert_eq!(
        schema_errors(&broken).len(),
        2,
        "{:?}",
        schema_errors(&broken)
    );
}

#[test]
fn sarif_results_locate_findings_and_rules_carry_their_help() {
    let document = sarif(&[
        "testdata/rules/replicas/flag.yaml",
        "testdata/bad/wrong-type.yaml",
    ]);
    let run = &document["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), halint::catalog::all().len());
    for (rule, meta) in rules.iter().zip(halint::catalog::all()) {
        assert_eq!(rule["id"], meta.id.as_str());
        assert_eq!(rule["shortDescription"]["text"], meta.summary.trim());
        assert_eq!(rule["help"]["text"], meta.fix.trim());
        assert!(rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Flagged\n\n```yaml\n"));
        assert_eq!(
            rule["defaultConfiguration"]["level"],
            match meta.severity.as_str() {
                "info" => "note",
                other => other,
            }
        );
    }
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "replicas");
    assert_eq!(result["level"], "error");
    assert_eq!(
        rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "replicas"
    );
    let physical = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        physical["artifactLocation"]["uri"],
        "testdata/rules/replicas/flag.yaml"
    );
    assert_eq!(physical["region"]["startLine"], 10);
    assert_eq!(physical["region"]["startColumn"], 3);
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "error");
    assert_eq!(
        notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/bad/wrong-type.yaml"
    );
    assert_eq!(
        notification["locations"][0]["physicalLocation"]["region"]["startLine"],
        6
    );
}

#[test]
fn github_annotations_name_file_line_column_and_rule() {
    let out = halint(&[
        "--format",
        "github",
        "testdata/rules/replicas/flag.yaml",
        "testdata/bad/wrong-type.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with(
            "::error file=testdata/bad/wrong-type.yaml,line=6,col=3,title=halint%3A input error::"
        ),
        "{text}"
    );
    assert!(
        lines[1].starts_with(
            "::error file=testdata/rules/replicas/flag.yaml,line=10,col=3,\
             title=replicas (Deployment default/single)::Deployment default/single runs 1 replica"
        ),
        "{text}"
    );
    // One line per annotation: the help follows an encoded newline.
    assert!(lines[1].contains("%0Ahelp: "), "{text}");
    assert!(
        lines.iter().all(|l| ["::error ", "::warning ", "::notice "]
            .iter()
            .any(|p| l.starts_with(p))),
        "{text}"
    );
}

#[test]
fn rules_as_json_carry_every_field_of_the_rule_data() {
    let out = halint(&["rules", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let document: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(document["version"], 1);
    let rules = document["rules"].as_array().unwrap();
    assert_eq!(rules.len(), halint::catalog::all().len());
    let replicas = rules.iter().find(|r| r["id"] == "replicas").unwrap();
    assert_eq!(replicas["severity"], "error");
    assert_eq!(replicas["options"][0]["name"], "min");
    assert_eq!(replicas["options"][0]["default"], 2);
    assert!(replicas["examples"]["failing"]
        .as_str()
        .unwrap()
        .contains("replicas: 1"));
    // The rules listing has no SARIF or GitHub form.
    assert_eq!(
        halint(&["rules", "--format", "sarif"]).status.code(),
        Some(2)
    );
}

#[test]
fn sarif_lists_exempted_findings_as_suppressed_and_lapsed_ones_as_results() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exempt.yaml");
    std::fs::write(
        &path,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: batch
  annotations:
    halint.io/ignore: replicas
    halint.io/ignore-reason: "a queue worker; a lost pod only delays jobs"
spec:
  replicas: 1
  selector: {matchLabels: {app: batch}}
  template:
    metadata: {labels: {app: batch}}
    spec:
      containers: [{name: w, image: "example.com/w:1"}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: legacy
  annotations:
    halint.io/ignore: replicas
    halint.io/ignore-until: "2001-01-31"
spec:
  replicas: 1
  selector: {matchLabels: {app: legacy}}
  template:
    metadata: {labels: {app: legacy}}
    spec:
      containers: [{name: w, image: "example.com/w:1"}]
"#,
    )
    .unwrap();
    let file = path.to_str().unwrap();
    let replicas = |document: &Value| -> Vec<Value> {
        document["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ruleId"] == "replicas")
            .cloned()
            .collect()
    };

    // Without --show-suppressed only the lapsed exemption's finding is there, saying so.
    let plain = sarif(&["--select", "replicas", file]);
    let results = replicas(&plain);
    assert_eq!(results.len(), 1, "{results:#?}");
    assert_eq!(results[0]["properties"]["object"]["name"], "legacy");
    assert_eq!(results[0]["properties"]["exemption"]["expired"], true);
    assert_eq!(results[0]["properties"]["exemption"]["until"], "2001-01-31");
    assert!(results[0].get("suppressions").is_none());

    // With it, the exempted finding is a suppressed result carrying its reason.
    let shown = sarif(&["--select", "replicas", "--show-suppressed", file]);
    assert_eq!(schema_errors(&shown), Vec::<String>::new());
    let results = replicas(&shown);
    assert_eq!(results.len(), 2, "{results:#?}");
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["properties"]["object"]["name"], "batch");
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "exempted by halint.io/ignore: a queue worker; a lost pod only delays jobs"
    );
}

/// A file large enough to be cut into pieces. For JSON and GitHub annotations its text goes
/// after the first pass and the second reads the pieces again from disk; SARIF, and any
/// report on standard input, keep the text. Every one places every finding alike.
#[test]
fn every_format_places_the_findings_of_a_large_file_alike() {
    let app = |i: usize| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web{i}\n  namespace: shop\n\
             {notes}spec:\n  replicas: {r}\n  selector:\n    matchLabels:\n      app: web{i}\n  template:\n    \
             metadata:\n      labels:\n        app: web{i}\n    spec:\n      containers:\n      \
             - name: web\n        image: web:1.{i}\n      - name: proxy\n        image: proxy:2\n---\n",
            r = 1 + i % 3,
            // Bytes a rule does not look at, so that the file is large at little cost.
            notes = "  annotations:\n    notes: |\n".to_owned() + &"      a line of notes\n".repeat(60),
        )
    };
    let text: String = (0..400).map(app).collect();
    // Over twice the size of a piece.
    assert!(text.len() > 2 * halint::pipeline::PIECE_BYTES);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.yaml");
    std::fs::write(&path, &text).unwrap();
    let path = path.to_str().unwrap();

    type Places = Vec<(String, u64, u64)>;
    let from_json = |stdout: &[u8]| -> Places {
        let report: Value = serde_json::from_slice(stdout).unwrap();
        let findings = report["findings"].as_array().unwrap();
        findings
            .iter()
            .map(|f| {
                let at = |key: &str| f[key].as_u64().unwrap_or_else(|| panic!("{f}"));
                (
                    f["rule"].as_str().unwrap().to_owned(),
                    at("line"),
                    at("column"),
                )
            })
            .collect()
    };
    let json = from_json(&halint(&["--format", "json", path]).stdout);
    assert!(json.len() > 1_000, "{}", json.len());
    let stdin = bin::command()
        .args(["--format", "json", "-"])
        .stdin(std::fs::File::open(path).unwrap())
        .output()
        .unwrap();
    assert_eq!(from_json(&stdin.stdout), json);

    let sarif: Places = sarif(&[path])["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            let at = |key: &str| region[key].as_u64().unwrap();
            let rule = r["ruleId"].as_str().unwrap().to_owned();
            (rule, at("startLine"), at("startColumn"))
        })
        .collect();
    assert_eq!(sarif, json);

    let github = halint(&["--format", "github", path]).stdout;
    let annotation = regex::Regex::new(r",line=(\d+),col=(\d+),title=([a-z-]+) \(").unwrap();
    let github: Places = String::from_utf8(github)
        .unwrap()
        .lines()
        .map(|line| {
            let c = annotation
                .captures(line)
                .unwrap_or_else(|| panic!("{line}"));
            (
                c[3].to_owned(),
                c[1].parse().unwrap(),
                c[2].parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(github, json);
}
