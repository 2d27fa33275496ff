//! serde_json's pretty printing, a member at a time: a machine report's frame is written
//! by hand and its long arrays rendered on every core, a batch at a time, so that a large
//! report is neither held whole nor written on one core, and still reads byte for byte as
//! serde_json would write it whole.

use std::io::{self, Write};

use serde::Serialize;

use super::batches::rendered_in_order;

/// An array whose items sit `depth` levels deep, each the value `render` makes of it,
/// rendered in parallel a batch at a time and written in order.
pub fn array<'a, T: Sync, V: Serialize>(
    out: &mut dyn Write,
    items: &'a [T],
    depth: usize,
    render: impl Fn(&'a T) -> V + Sync,
) -> io::Result<()> {
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    let mut first = true;
    rendered_in_order(
        items,
        |item| {
            let mut text = Vec::with_capacity(512);
            member(&mut text, &render(item), depth).map(|()| text)
        },
        |_, text| {
            out.write_all(if first { b"\n" } else { b",\n" })?;
            indent(out, depth)?;
            first = false;
            out.write_all(&text)
        },
    )?;
    out.write_all(b"\n")?;
    indent(out, depth - 1)?;
    out.write_all(b"]")
}

/// `value` as serde_json's pretty printer writes it `depth` levels deep: its own output
/// with every line after the first indented by the depth (a JSON string never holds a
/// raw line break, so every line break is the printer's).
pub fn member(out: &mut dyn Write, value: &impl Serialize, depth: usize) -> io::Result<()> {
    let text = serde_json::to_vec_pretty(value)?;
    let mut lines = text.split(|&b| b == b'\n');
    if let Some(line) = lines.next() {
        out.write_all(line)?;
    }
    for line in lines {
        out.write_all(b"\n")?;
        indent(out, depth)?;
        out.write_all(line)?;
    }
    Ok(())
}

fn indent(out: &mut dyn Write, depth: usize) -> io::Result<()> {
    for _ in 0..depth {
        out.write_all(b"  ")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::batches::BATCH;
    use serde_json::{json, Value};

    /// Rendered in parallel batches and indented to its depth, an array reads byte for
    /// byte as serde_json's pretty printer writes it whole, across batch boundaries too,
    /// at the depths the reports use.
    #[test]
    fn an_array_in_batches_reads_as_serde_json_writes_it() {
        let items: Vec<Value> = (0..2 * BATCH + 3)
            .map(|i| json!({"i": i, "nested": {"list": [i, "a \"quoted\"\nline"], "empty": []}}))
            .collect();
        for items in [&items[..], &items[..0], &items[..1]] {
            let mut out = b"{\n  \"items\": ".to_vec();
            array(&mut out, items, 2, Value::clone).unwrap();
            out.extend_from_slice(b"\n}");
            let whole = serde_json::to_vec_pretty(&json!({ "items": items })).unwrap();
            assert_eq!(String::from_utf8(out), String::from_utf8(whole));

            let mut out = b"{\n  \"runs\": [\n    {\n      \"items\": ".to_vec();
            array(&mut out, items, 4, Value::clone).unwrap();
            out.extend_from_slice(b"\n    }\n  ]\n}");
            let whole = serde_json::to_vec_pretty(&json!({ "runs": [{ "items": items }] }));
            assert_eq!(String::from_utf8(out), String::from_utf8(whole.unwrap()));
        }
    }
}
