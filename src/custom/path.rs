//! JSONPath results as JSON pointers, which is how findings name their field.

use jsonpath_rust::parser::model::{JpQuery, Segment, Selector};

use crate::pointer;

/// A normalized path as jsonpath-rust returns it (`$['spec']['containers'][0]`) as a JSON
/// pointer (`/spec/containers/0`).
pub fn to_pointer(normalized: &str) -> String {
    let mut out = String::new();
    let mut chars = normalized
        .strip_prefix('$')
        .unwrap_or(normalized)
        .chars()
        .peekable();
    while let Some(c) = chars.next() {
        if c != '[' {
            continue;
        }
        if chars.peek() == Some(&'\'') {
            chars.next();
            let mut name = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '\'' => break,
                    '\\' => match chars.next() {
                        Some('b') => name.push('\u{8}'),
                        Some('f') => name.push('\u{c}'),
                        Some('n') => name.push('\n'),
                        Some('r') => name.push('\r'),
                        Some('t') => name.push('\t'),
                        Some('u') => {
                            let hex: String = chars.by_ref().take(4).collect();
                            if let Some(c) =
                                u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                            {
                                name.push(c);
                            }
                        }
                        Some(other) => name.push(other),
                        None => {}
                    },
                    c => name.push(c),
                }
            }
            pointer::push(&mut out, &name);
        } else {
            let index: String = chars.by_ref().take_while(|c| *c != ']').collect();
            pointer::push(&mut out, index.trim());
            continue;
        }
        // The closing bracket after a quoted name.
        chars.next();
    }
    out
}

/// The pointer named by the query's leading plain names and indexes: where an absent
/// value would be (`$.metadata.labels.team` → `/metadata/labels/team`; reports fall back
/// to the nearest parent that exists).
pub fn singular_prefix(query: &JpQuery) -> String {
    let mut out = String::new();
    for segment in &query.segments {
        match segment {
            Segment::Selector(Selector::Name(name)) => pointer::push(&mut out, name),
            Segment::Selector(Selector::Index(i)) if *i >= 0 => {
                pointer::push(&mut out, &i.to_string())
            }
            _ => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalized_paths_become_pointers() {
        assert_eq!(to_pointer("$"), "");
        assert_eq!(
            to_pointer("$['spec']['containers'][0]['image']"),
            "/spec/containers/0/image"
        );
        assert_eq!(
            to_pointer(r"$['metadata']['annotations']['a/b~c']['it\'s']"),
            "/metadata/annotations/a~1b~0c/it's"
        );
    }

    #[test]
    fn singular_prefix_stops_at_wildcards() {
        let q = jsonpath_rust::parser::parse_json_path("$.spec.template.spec.containers[*].image")
            .unwrap();
        assert_eq!(singular_prefix(&q), "/spec/template/spec/containers");
        let q =
            jsonpath_rust::parser::parse_json_path("$.metadata.labels['app.kubernetes.io/name']")
                .unwrap();
        assert_eq!(
            singular_prefix(&q),
            "/metadata/labels/app.kubernetes.io~1name"
        );
    }

    #[test]
    fn real_query_paths_round_trip() {
        let v = serde_json::json!({"metadata": {"labels": {"a'b": "x"}}, "spec": {"c": [1, 2]}});
        let hits = jsonpath_rust::query::js_path("$..*", &v).unwrap();
        for hit in hits {
            let ptr = to_pointer(&hit.path);
            assert_eq!(v.pointer(&ptr), Some(hit.val), "{} -> {ptr}", hit.path);
        }
    }
}
