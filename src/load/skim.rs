//! Takes out of a manifest's text, before it is parsed for outlines, the lines of the
//! fields that outlines leave out anyway (pod specs, annotations, managed fields, status).
//!
//! Those fields are most of a workload's bytes, and the YAML scanner costs the same per
//! byte whether or not the builder keeps what it reads. Skimming reads lines, not YAML: it
//! follows block-style keys by their indentation, which is how nearly every manifest is
//! written, and leaves the text as it is wherever it cannot be sure (tabs, lone carriage
//! returns, anchors). It is only ever a guess: the second pass reads the text whole and
//! compares each document's outline (see [`super::yaml::outline_fingerprint`]), so a wrong
//! guess costs a re-read, never a wrong answer.

use std::borrow::Cow;

use super::split::is_marker;
use super::yaml::LEFT_OUT;

/// `text` without the lines of left-out fields of the objects at the root of its
/// documents; the text itself when there is nothing to take out or skimming is unsafe.
pub fn skim(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    // An anchor in a skipped field could be aliased outside it; a lone CR breaks lines
    // where this reader does not.
    if memchr::memchr(b'&', bytes).is_some() || has_lone_cr(bytes) {
        return Cow::Borrowed(text);
    }
    let mut out: Option<String> = None;
    // Keys of the block mappings around the current line: (indentation, key if the line
    // was `key:` with its value on the lines below).
    let mut open: Vec<(usize, Option<&str>)> = Vec::new();
    // Indentation of a left-out key whose value is being skipped.
    let mut skipping: Option<usize> = None;
    let mut kept = 0; // Bytes of `text` before this one are in `out` (or skipped).
    let mut ends = memchr::memchr_iter(b'\n', bytes).map(|i| i + 1);
    let mut at = 0;
    while at < bytes.len() {
        let end = ends.next().unwrap_or(bytes.len());
        let indent = bytes[at..end].iter().take_while(|&&b| b == b' ').count();
        let blank = match bytes.get(at + indent) {
            None | Some(b'\n' | b'\r' | b'#') => true,
            // Tabs are not indentation in YAML; leave the guessing to the parser.
            Some(b'\t') => return Cow::Borrowed(text),
            Some(_) => false,
        };
        if let Some(depth) = skipping {
            // A sequence may sit at its key's own indentation (`managedFields:` then
            // `- manager: …`, as kubectl writes it): in a mapping, such an item can only be
            // the value of the key above it.
            let item = indent == depth
                && matches!(
                    bytes.get(at + indent..at + indent + 2),
                    Some([b'-', b' ' | b'\n' | b'\r'])
                );
            if blank || indent > depth || item {
                at = end;
                continue;
            }
            skipping = None;
            kept = at;
        }
        if !blank {
            let content = &text[at + indent..end];
            while open.last().is_some_and(|&(i, _)| i >= indent) {
                open.pop();
            }
            let line = content.as_bytes();
            if indent == 0 && (is_marker(line, b"---") || is_marker(line, b"...")) {
                open.clear();
            } else {
                let key = block_key(content);
                open.push((indent, key));
                if key.is_some() && left_out(&open) {
                    let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
                    out.push_str(&text[kept..end]);
                    skipping = Some(indent);
                }
            }
        }
        at = end;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            if skipping.is_none() {
                out.push_str(&text[kept..]);
            }
            Cow::Owned(out)
        }
    }
}

/// The key of a `key:` line whose value starts on the next line: a plain key, then
/// nothing but spaces or a comment.
fn block_key(content: &str) -> Option<&str> {
    let plain = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    let len = content.bytes().take_while(plain).count();
    if len == 0 || content.as_bytes().get(len) != Some(&b':') {
        return None;
    }
    let (key, rest) = (&content[..len], &content[len + 1..]);
    let rest = rest.trim_end_matches(['\n', '\r']);
    let value = rest.trim_start_matches(' ');
    // A comment needs a space before it: `key:#x` is one plain scalar.
    let nothing = value.is_empty() || (value.starts_with('#') && rest.starts_with(' '));
    nothing.then_some(key)
}

/// Whether the open keys, all of them `key:` lines, spell a path outlines leave out.
fn left_out(open: &[(usize, Option<&str>)]) -> bool {
    LEFT_OUT.iter().any(|path| {
        path.len() == open.len() && path.iter().zip(open).all(|(p, (_, k))| *k == Some(*p))
    })
}

/// A carriage return that is no part of a CRLF: YAML breaks a line there, and readers of
/// lines do not.
pub(super) fn has_lone_cr(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_specs_annotations_and_status_are_taken_out() {
        let text = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    a: b
  labels: {app: web}
spec:
  template:
    metadata:
      labels: {app: web}
    spec:   # the pod
      containers:
        - name: c

# a comment at column 0 inside
          image: x
  replicas: 2
status:
  replicas: 2
---
kind: Service
";
        let want = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
  labels: {app: web}
spec:
  template:
    metadata:
      labels: {app: web}
    spec:   # the pod
  replicas: 2
status:
---
kind: Service
";
        assert_eq!(skim(text), want);
    }

    #[test]
    fn sequences_at_their_keys_indentation_are_taken_out() {
        let text = "\
kind: Deployment
metadata:
  name: web
  managedFields:
  - manager: kubectl
    operation: Update
  -
    manager: kube-controller-manager
  finalizers:
  - not: left out
status:
- x
spec: {}
";
        let want = "\
kind: Deployment
metadata:
  name: web
  managedFields:
  finalizers:
  - not: left out
status:
spec: {}
";
        assert_eq!(skim(text), want);
    }

    #[test]
    fn only_root_paths_in_block_style_are_taken_out() {
        for text in [
            // Not at the root of the document.
            "items:\n  - spec:\n      template:\n        spec:\n          x: 1\n",
            "a:\n  spec:\n    template:\n      spec:\n        x: 1\n",
            // Values on the key's line.
            "spec:\n  template: {spec: {x: 1}}\n",
            "status: {phase: Running}\n",
            // Sequences in the path.
            "spec:\n  - template:\n      spec:\n        x: 1\n",
            // Not a comment: `key:#x` is one plain scalar.
            "status:#x\n  y\n",
            // Quoted keys (JSON) are left to the parser.
            "{\n  \"status\":\n    {\"a\": 1}\n}\n",
        ] {
            assert_eq!(skim(text), text, "{text}");
        }
    }

    #[test]
    fn unsafe_text_is_left_whole() {
        for text in [
            "status:\n  a: &x 1\nb: *x\n",
            "status:\n\ta: 1\n",
            "status:\r  a: 1\rb: 2\n",
        ] {
            assert_eq!(skim(text), text, "{text}");
        }
        // Windows line endings are fine.
        assert_eq!(skim("status:\r\n  a: 1\r\nb: 2\r\n"), "status:\r\nb: 2\r\n");
    }

    #[test]
    fn a_skip_runs_to_the_end_of_the_text() {
        assert_eq!(
            skim("kind: Pod\nstatus:\n  phase: Running"),
            "kind: Pod\nstatus:\n"
        );
    }
}
