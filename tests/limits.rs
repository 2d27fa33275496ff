//! Each loader limit, at its edge: the input over it is refused with a located error,
//! what came before it is kept, and nothing else is lost. RELIABILITY.md lists them.

use halint::load::{load, load_text, Limits, Position};

fn service(name: &str) -> String {
    format!("apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec: {{selector: {{app: x}}}}\n")
}

#[test]
fn documents_over_the_limit_are_not_read_and_the_first_ones_are_kept() {
    let limits = Limits {
        max_documents: 3,
        ..Limits::default()
    };
    let text: Vec<String> = (0..5).map(|i| service(&format!("s{i}"))).collect();
    let loaded = load_text("many.yaml", text.join("---\n"), "default", &limits);
    assert_eq!(loaded.objects.len(), 3);
    assert_eq!(loaded.errors.len(), 1, "{:?}", loaded.errors);
    assert!(loaded.errors[0]
        .message
        .contains("more than 3 documents in one file"));
    assert!(loaded.errors[0].position.is_some());

    // At the limit exactly, everything is read.
    let loaded = load_text("three.yaml", text[..3].join("---\n"), "default", &limits);
    assert_eq!((loaded.objects.len(), loaded.errors.len()), (3, 0));
}

#[test]
fn a_file_over_the_size_limit_is_refused_and_other_files_still_load() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a-big.yaml"), service("big")).unwrap();
    std::fs::write(dir.path().join("b-small.yaml"), "kind: x\n").unwrap();
    let limits = Limits {
        max_file_bytes: 20,
        ..Limits::default()
    };
    let loaded = load(&[dir.path().to_path_buf()], "default", &limits);
    assert_eq!(loaded.errors.len(), 1, "{:?}", loaded.errors);
    assert!(loaded.errors[0].file.ends_with("a-big.yaml"));
    assert!(loaded.errors[0].message.contains("larger than 20 bytes"));
    assert_eq!(loaded.skipped, 1, "the small file was read");
}

#[test]
fn nesting_over_the_depth_limit_skips_only_that_document() {
    let deep = (0..150).fold(String::new(), |mut s, i| {
        s.push_str(&format!("{}a:\n", "  ".repeat(i)));
        s
    });
    let text = format!("{}---\n{deep}---\n{}", service("before"), service("after"));
    let loaded = load_text("deep.yaml", text, "default", &Limits::default());
    let names: Vec<&str> = loaded.objects.iter().map(|o| o.id.name.as_str()).collect();
    assert_eq!(names, ["before", "after"]);
    assert_eq!(loaded.errors.len(), 1);
    assert_eq!(
        loaded.errors[0].message,
        "nesting deeper than 100 levels; document skipped"
    );
    // Located at the collection that crossed the limit, inside the second document.
    assert!(loaded.errors[0].position > Some(Position::new(5, 1)));
}

#[test]
fn alias_expansion_over_the_budget_skips_only_that_document() {
    let limits = Limits {
        max_alias_nodes: 50,
        ..Limits::default()
    };
    // Each alias adds a 10-entry list: 6 of them are 60 nodes.
    let bomb =
        "kind: ConfigMap\na: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]\nb: [*a, *a, *a, *a, *a, *a]\n";
    let text = format!("{}---\n{bomb}---\n{}", service("before"), service("after"));
    let loaded = load_text("bomb.yaml", text, "default", &limits);
    let names: Vec<&str> = loaded.objects.iter().map(|o| o.id.name.as_str()).collect();
    assert_eq!(names, ["before", "after"]);
    assert_eq!(loaded.errors.len(), 1, "{:?}", loaded.errors);
    assert!(loaded.errors[0].message.contains("alias"));
    assert!(loaded.errors[0].position.is_some());

    // Under the budget, aliases are fine.
    let fine = "kind: ConfigMap\na: &a [1, 2]\nb: [*a, *a]\n";
    let loaded = load_text("fine.yaml", fine.into(), "default", &limits);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
}
