//! JSON pointers (RFC 6901): how a finding names the field it is about.

use std::borrow::Cow;

/// Appends one reference token, escaped.
pub fn push(ptr: &mut String, segment: &str) {
    ptr.push('/');
    for c in segment.chars() {
        match c {
            '~' => ptr.push_str("~0"),
            '/' => ptr.push_str("~1"),
            c => ptr.push(c),
        }
    }
}

/// `base` joined with unescaped `segments`.
pub fn join<S: AsRef<str>>(base: &str, segments: &[S]) -> String {
    let mut ptr = base.to_string();
    for s in segments {
        push(&mut ptr, s.as_ref());
    }
    ptr
}

/// The unescaped reference tokens of a pointer ("" has none); borrowed unless escaped.
pub fn segments(ptr: &str) -> impl Iterator<Item = Cow<'_, str>> + '_ {
    ptr.split('/').skip(1).map(|s| match s.contains('~') {
        true => Cow::Owned(s.replace("~1", "/").replace("~0", "~")),
        false => Cow::Borrowed(s),
    })
}

/// A pointer as a dotted field path for messages: `/spec/containers/0/name` →
/// `spec.containers[0].name`.
pub fn to_field_path(ptr: &str) -> String {
    let mut out = String::new();
    for s in segments(ptr) {
        if s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty() {
            out.push_str(&format!("[{s}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip() {
        let p = join("/metadata", &["annotations", "halint.io/ignore", "a~b"]);
        assert_eq!(p, "/metadata/annotations/halint.io~1ignore/a~0b");
        let segs: Vec<Cow<'_, str>> = segments(&p).collect();
        assert_eq!(segs, ["metadata", "annotations", "halint.io/ignore", "a~b"]);
        assert_eq!(
            to_field_path("/spec/containers/0/name"),
            "spec.containers[0].name"
        );
    }
}
