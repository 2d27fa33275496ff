//! Cutting a large YAML stream into runs of whole documents, so that both cores parse one
//! file.
//!
//! In YAML 1.2 a line that starts with `---` followed by a space, a line break or the end
//! at column 0 always starts a document, even inside a block scalar (whose lines would be
//! indented), so cutting just before such a line never splits a node. Directives (`%YAML`,
//! `%TAG`) belong to the document after them, on the other side of the cut: a text with
//! any is not cut. Whatever goes wrong in a piece (a marker inside a quoted string, say)
//! is the caller's cue to parse the whole text again in one go, so that errors read exactly
//! as they would without the cut.

/// Pieces of about `target` bytes, each starting at a document marker (but the first);
/// None when the text is not worth or not safe to cut.
pub fn pieces(text: &str, target: usize) -> Option<Vec<&str>> {
    if text.len() < 2 * target || text.starts_with('%') || text.contains("\n%") {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut from = target;
    while from < text.len() {
        match marker_after(bytes, from) {
            Some(cut) => {
                out.push(&text[start..cut]);
                start = cut;
                from = cut + target;
            }
            None => break,
        }
    }
    out.push(&text[start..]);
    (out.len() > 1).then_some(out)
}

/// The offset of the first line at or after `from` that is a document start marker.
fn marker_after(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        // The start of the next line.
        let newline = bytes[at - 1..].iter().position(|&b| b == b'\n')?;
        let line = at - 1 + newline + 1;
        if is_marker(&bytes[line..], b"---") {
            return Some(line);
        }
        at = line + 1;
        if at > bytes.len() {
            return None;
        }
    }
}

/// Whether a line is a document marker: `---` (a start) or `...` (an end) at column 0,
/// alone or followed by a space.
pub(super) fn is_marker(line: &[u8], marker: &[u8; 3]) -> bool {
    line.starts_with(marker) && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\n' | b'\r'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_only_before_document_markers() {
        let text = "a: 1\n---\nb: |\n  ---x\n----\nc: 2\n--- d\n---\n";
        let got = pieces(text, 4).unwrap();
        assert_eq!(got.concat(), text);
        assert_eq!(
            got,
            [
                "a: 1\n",
                "---\nb: |\n  ---x\n----\nc: 2\n",
                "--- d\n",
                "---\n"
            ]
        );
    }

    #[test]
    fn small_texts_and_directives_are_left_whole() {
        assert!(pieces("a: 1\n---\nb: 2\n", 100).is_none());
        assert!(pieces("a: 1\n---\n%YAML 1.2\n---\nb: 2\n", 2).is_none());
    }
}
