//! From paths to objects: read and parse every file (in parallel), unwrap `List`s, type the
//! objects. Whatever fails is reported with its location; everything else still loads.

use std::path::PathBuf;

use rayon::prelude::*;
use serde_json::Value;

use super::render::RenderOptions;
use super::yaml::{self, SpanMode};
use super::{discover, read_or_render, InputError, Limits, Position, SourceFile};
use crate::objects::{is_kubernetes_object, list_items, Object, ObjectError, Origin};

#[derive(Debug, Default)]
pub struct Loaded {
    pub files: Vec<SourceFile>,
    pub objects: Vec<Object>,
    pub errors: Vec<InputError>,
    /// Documents passed over: not Kubernetes objects, or kinds halint has no rules for.
    pub skipped: usize,
}

struct FileResult {
    file: Option<SourceFile>,
    objects: Vec<Object>,
    errors: Vec<InputError>,
    skipped: usize,
}

pub fn load(paths: &[PathBuf], default_namespace: &str, limits: &Limits) -> Loaded {
    load_with(paths, default_namespace, limits, &RenderOptions::default())
}

/// [`load`], with options for the kustomizations and charts among the paths.
pub fn load_with(
    paths: &[PathBuf],
    default_namespace: &str,
    limits: &Limits,
    render: &RenderOptions,
) -> Loaded {
    let (files, mut errors) = discover(paths);
    let results: Vec<FileResult> = files
        .par_iter()
        .map(|path| match read_or_render(path, limits, render) {
            Ok(source) => load_source(source, default_namespace, limits),
            Err(err) => FileResult {
                file: None,
                objects: Vec::new(),
                errors: vec![err],
                skipped: 0,
            },
        })
        .collect();
    let mut loaded = Loaded::default();
    for result in results {
        loaded.errors.extend(result.errors);
        loaded.skipped += result.skipped;
        if let Some(file) = result.file {
            let index = loaded.files.len();
            loaded
                .objects
                .extend(result.objects.into_iter().map(|mut o| {
                    if let Some(origin) = &mut o.origin {
                        origin.file = index;
                    }
                    o
                }));
            loaded.files.push(file);
        }
    }
    errors.append(&mut loaded.errors);
    loaded.errors = errors;
    loaded
}

/// Loads the objects of one text (a file's, stdin's, or a rule example's).
pub fn load_text(name: &str, text: String, default_namespace: &str, limits: &Limits) -> Loaded {
    let result = load_source(
        SourceFile {
            name: name.to_string(),
            text,
        },
        default_namespace,
        limits,
    );
    Loaded {
        files: result.file.into_iter().collect(),
        objects: result.objects,
        errors: result.errors,
        skipped: result.skipped,
    }
}

fn load_source(source: SourceFile, default_namespace: &str, limits: &Limits) -> FileResult {
    let (objects, errors, skipped) = load_objects(&source, default_namespace, limits);
    FileResult {
        file: Some(source),
        objects,
        errors,
        skipped,
    }
}

/// The objects of one file's text, what kept others from loading, and how many documents
/// were passed over. Origins name file 0.
pub(crate) fn load_objects(
    source: &SourceFile,
    default_namespace: &str,
    limits: &Limits,
) -> (Vec<Object>, Vec<InputError>, usize) {
    let mut objects = Vec::new();
    let mut skipped = 0;
    let mut bad = Vec::new();
    let (parse_errors, _) = yaml::parse_each(&source.text, SpanMode::Skip, limits, |doc| {
        let index = doc.index;
        skipped += document_objects(doc.value, default_namespace, |found, prefix| match found {
            Ok(mut object) => {
                object.origin = Some(Origin {
                    file: 0,
                    document: index,
                    prefix,
                });
                objects.push(object);
            }
            Err(err) => bad.push((index, prefix, err)),
        });
    });
    let mut errors: Vec<InputError> = parse_errors
        .into_iter()
        .map(|e| InputError {
            file: source.name.clone(),
            position: Some(e.position),
            message: e.message,
        })
        .collect();
    if !bad.is_empty() {
        errors.extend(locate_object_errors(source, bad, limits));
    }
    (objects, errors, skipped)
}

/// The objects of one document (a `List`'s items, or the document itself), each with its
/// pointer prefix inside the document, or the error that kept it from loading. Returns how
/// many were passed over: not Kubernetes objects, or kinds without rules.
pub(crate) fn document_objects(
    value: Value,
    default_namespace: &str,
    mut found: impl FnMut(Result<Object, ObjectError>, String),
) -> usize {
    let mut skipped = 0;
    let mut push = |value: Value, prefix: String| {
        if !is_kubernetes_object(&value) {
            skipped += 1;
            return;
        }
        match Object::from_value(value, default_namespace) {
            Ok(Some(object)) => found(Ok(object), prefix),
            Ok(None) => skipped += 1,
            Err(err) => found(Err(err), prefix),
        }
    };
    match (list_items(&value).is_some(), value) {
        (true, Value::Object(mut map)) => {
            if let Some(Value::Array(items)) = map.remove("items") {
                for (i, item) in items.into_iter().enumerate() {
                    push(item, format!("/items/{i}"));
                }
            }
        }
        (_, value) => push(value, String::new()),
    }
    skipped
}

/// Object errors are rare, so positions are looked up by parsing the file again with spans.
fn locate_object_errors(
    source: &SourceFile,
    bad: Vec<(usize, String, ObjectError)>,
    limits: &Limits,
) -> Vec<InputError> {
    let docs = yaml::parse(&source.text, SpanMode::Record, limits).documents;
    bad.into_iter()
        .map(|(document, prefix, err)| {
            let position = docs
                .iter()
                .find(|d| d.index == document)
                .and_then(|d| d.spans.as_ref())
                .map(|s| s.locate(&format!("{prefix}{}", err.path)).node.position())
                .unwrap_or(Position { line: 1, column: 1 });
            InputError {
                file: source.name.clone(),
                position: Some(position),
                message: err.to_string(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_unwrapped_and_bad_fields_located() {
        let text = "\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: a}
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: b}
    spec:
      replicas: three
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
just: data
";
        let loaded = load_text("x.yaml", text.to_string(), "default", &Limits::default());
        assert_eq!(loaded.objects.len(), 1);
        assert_eq!(
            loaded.objects[0].origin.as_ref().unwrap().prefix,
            "/items/0"
        );
        assert_eq!(loaded.skipped, 2);
        assert_eq!(loaded.errors.len(), 1);
        assert_eq!(loaded.errors[0].position, Some(Position::new(11, 7)));
        assert!(loaded.errors[0]
            .message
            .starts_with("spec.replicas: invalid type"));
    }
}
