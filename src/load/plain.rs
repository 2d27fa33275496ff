//! A reader for the plain subset of YAML that manifests are nearly always written in:
//! block mappings and sequences by indentation, one-line scalars, one-line flow
//! collections. It hands the builder of `super::yaml` the events saphyr-parser would, at
//! the positions saphyr-parser gives them, for a fraction of the instructions. The loader
//! reads with it first (`yaml::parse_each`, `yaml::parse_outlines`).
//!
//! It reads only what it is sure of: at the first thing outside the subset (tabs, anchors,
//! aliases, tags, block scalars, a scalar running over lines, escapes, anything but
//! ASCII outside comments, a carriage return that is no part of a CRLF) it gives up, the
//! caller has saphyr-parser read the document it was reading, and it reads on after that
//! document. What it reads is held to saphyr-parser by tests: its events and their
//! positions on manifests and on arbitrary text, and the documents, positions and mistakes
//! the loader makes of them (`yaml::parse_with_saphyr`, in tests/properties.rs).

use std::borrow::Cow;

use saphyr_parser::{Event, Marker, ScalarStyle, Span};

/// Deeper than any manifest nests; past it saphyr-parser and the builder's limits decide.
const MAX_DEPTH: usize = 64;

/// Where [`read`] gave up: the document it was reading starts at byte `offset` of the
/// text, on its `line`-th line, after `documents` documents (empty ones included) that it
/// read whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GaveUp {
    pub offset: usize,
    pub line: usize,
    pub documents: usize,
}

/// Hands `sink` the events of `text` (documents and their nodes, without the stream's
/// start and end), in the order saphyr-parser would, where the builder reads their
/// positions (a node's start, a scalar's end) as saphyr-parser places them. Where `text`
/// leaves the subset, the events of the document it was reading stop short, and the caller
/// reads that document with saphyr-parser, from its start: documents are cut at their
/// markers there, as the CLI cuts large files. A document's end is handed over only once
/// the reader is through with it, so the caller may hand it on then.
pub fn read<'t>(text: &'t str, sink: impl FnMut(Event<'t>, Span)) -> Result<(), GaveUp> {
    let mut reader = Reader {
        text,
        lines: Vec::with_capacity(256),
        source: Lines {
            text,
            begins: 0,
            number: 1,
            cut_short: false,
        },
        at: 0,
        documents: 0,
        sink,
    };
    while let Some(line) = reader.line() {
        let before = reader.documents;
        if reader.document().is_none() {
            return Err(GaveUp {
                offset: line.begins,
                line: line.number,
                documents: before,
            });
        }
    }
    // Between documents, at a line it cannot read, or at the end.
    match reader.source.cut_short {
        true => Err(GaveUp {
            offset: reader.source.begins,
            line: reader.source.number,
            documents: reader.documents,
        }),
        false => Ok(()),
    }
}

/// An event with the positions of it that the builder reads, which [`read`] places as
/// saphyr-parser does: where it starts (line and column), and for a scalar where it ends.
/// Where collections and documents end is read by nothing, and left out (zeros). What the
/// tests hold this reader to saphyr-parser on.
pub fn placed((event, span): (Event<'_>, Span)) -> (Event<'_>, [usize; 4]) {
    let (start, end) = (span.start, span.end);
    let at = match event {
        Event::Scalar(..) => [start.line(), start.col(), end.line(), end.col()],
        Event::MappingEnd | Event::SequenceEnd | Event::DocumentEnd => [0; 4],
        _ => [start.line(), start.col(), 0, 0],
    };
    (event, at)
}

/// The events [`read`] hands over, collected; None where it gives up.
pub fn events(text: &str) -> Option<Vec<(Event<'_>, Span)>> {
    let mut events = Vec::new();
    read(text, |event, span| events.push((event, span))).ok()?;
    Some(events)
}

/// A line that holds something: where its content starts and ends (without the line
/// break), and its 1-based number. A sequence item's mapping narrows its first line to the
/// mapping's first key.
#[derive(Clone, Copy)]
struct Line {
    number: usize,
    /// Byte offset of the line's first byte.
    begins: usize,
    /// Column of `start` (0-based), the content's indentation.
    indent: usize,
    start: usize,
    end: usize,
}

/// The lines that hold something, one at a time, up to the first that holds what the
/// subset leaves out (anything but printable ASCII; a comment may hold anything but a byte
/// order mark or a lone carriage return). Blank and comment-only lines carry nothing. Read as the reader needs them:
/// after a document it gives up on, it starts again on the rest of the text.
struct Lines<'t> {
    text: &'t str,
    /// Where the next line begins.
    begins: usize,
    number: usize,
    /// The lines stopped at one that holds what the subset leaves out.
    cut_short: bool,
}

impl Lines<'_> {
    fn next(&mut self) -> Option<Line> {
        let bytes = self.text.as_bytes();
        while self.begins < bytes.len() && !self.cut_short {
            let begins = self.begins;
            let end = memchr::memchr(b'\n', &bytes[begins..]).map_or(bytes.len(), |i| begins + i);
            let content_end = if end > begins && bytes[end - 1] == b'\r' {
                end - 1
            } else {
                end
            };
            let indent = bytes[begins..content_end]
                .iter()
                .take_while(|&&b| b == b' ')
                .count();
            let start = begins + indent;
            let line = Line {
                number: self.number,
                begins,
                indent,
                start,
                end: content_end,
            };
            let content = &bytes[start..content_end];
            let holds = content.first().is_some_and(|&b| b != b'#');
            // A carriage return that is no part of a CRLF breaks a line in YAML.
            self.cut_short = match holds {
                true => !content.iter().all(|b| (b' '..=b'~').contains(b)),
                false => {
                    content.contains(&b'\r') || self.text[start..content_end].contains('\u{feff}')
                }
            };
            if self.cut_short {
                return None;
            }
            self.begins = end + 1;
            self.number += 1;
            if holds {
                return Some(line);
            }
        }
        None
    }
}

struct Reader<'t, S> {
    text: &'t str,
    /// The lines of the current document read so far.
    lines: Vec<Line>,
    source: Lines<'t>,
    /// The line being read.
    at: usize,
    /// Documents read whole.
    documents: usize,
    sink: S,
}

impl<'t, S: FnMut(Event<'t>, Span)> Reader<'t, S> {
    fn line(&mut self) -> Option<Line> {
        while self.lines.len() <= self.at {
            let line = self.source.next()?;
            self.lines.push(line);
        }
        Some(self.lines[self.at])
    }

    fn content(&self, line: Line) -> &'t str {
        &self.text[line.start..line.end]
    }

    fn marker(&self, line: Line, offset: usize) -> Marker {
        Marker::new(offset, line.number, offset - line.begins)
    }

    fn emit(&mut self, event: Event<'t>, line: Line, from: usize, to: usize) {
        let span = Span::new(self.marker(line, from), self.marker(line, to));
        (self.sink)(event, span);
    }

    fn scalar(
        &mut self,
        text: Cow<'t, str>,
        style: ScalarStyle,
        line: Line,
        from: usize,
        to: usize,
    ) {
        self.emit(Event::Scalar(text, style, 0, None), line, from, to);
    }

    /// A key's or an item's missing value, a null.
    fn empty(&mut self, line: Line, at: usize) {
        self.emit(null(), line, at, at);
    }

    /// A line that is `---` or `...`, with nothing after it but a comment: which one.
    fn document_marker(&self, line: Line) -> Option<Result<&'static str, ()>> {
        if line.indent != 0 {
            return None;
        }
        let content = self.content(line);
        for marker in ["---", "..."] {
            if let Some(rest) = content.strip_prefix(marker) {
                if rest.is_empty() {
                    return Some(Ok(marker));
                }
                if rest.starts_with(' ') {
                    // Content after a marker is outside the subset.
                    let rest = rest.trim_start_matches(' ');
                    return Some(if rest.is_empty() || rest.starts_with('#') {
                        Ok(marker)
                    } else {
                        Err(())
                    });
                }
            }
        }
        None
    }

    /// The document that starts at the current line, with what ends it (`...`), or a
    /// `...` that ends nothing.
    fn document(&mut self) -> Option<()> {
        let line = self.line()?;
        let explicit = match self.document_marker(line) {
            Some(Err(())) => return None,
            Some(Ok("...")) => {
                self.at += 1;
                return Some(());
            }
            Some(Ok(_)) => {
                self.at += 1;
                true
            }
            None => false,
        };
        let start = self.line().filter(|l| self.document_marker(*l).is_none());
        let at = if explicit { line } else { start? };
        self.emit(Event::DocumentStart(explicit), at, at.start, at.start);
        match start {
            Some(first) => {
                if first.indent != 0 && !explicit {
                    return None;
                }
                self.block_node(first.indent, 0)?;
            }
            // An empty document's null spans the next document's marker, or sits at the end
            // of the text.
            None => {
                let (from, to) = match self.line() {
                    Some(next) => (
                        self.marker(next, next.start),
                        self.marker(next, next.start + 3),
                    ),
                    None => {
                        let end = Marker::new(self.text.len(), self.source.number, 0);
                        (end, end)
                    }
                };
                (self.sink)(null(), Span::new(from, to));
            }
        }
        // The document ends where another starts, or at the end of the text. Before its end
        // it is not over: the caller hands a document over at its end.
        let next = self.line();
        let marker = match next {
            None if self.source.cut_short => return None,
            None => None,
            Some(next) => match self.document_marker(next) {
                Some(Ok(marker)) => Some(marker),
                // Something that is no document follows the node, or a marker with content.
                _ => return None,
            },
        };
        let end = next.unwrap_or(at);
        self.emit(Event::DocumentEnd, end, end.start, end.start);
        if marker == Some("...") {
            self.at += 1;
        }
        self.documents += 1;
        // No line of a document is read again once it is over.
        self.lines.drain(..self.at);
        self.at = 0;
        Some(())
    }

    /// The block node whose first line is the current one, at `indent`.
    fn block_node(&mut self, indent: usize, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        let line = self.line()?;
        if line.indent != indent || self.document_marker(line).is_some() {
            return None;
        }
        if item_marker(self.content(line)).is_some() {
            self.block_sequence(indent, depth, false)
        } else if key_split(self.content(line)).is_some() {
            self.block_mapping(indent, depth)
        } else {
            // A root or nested scalar on its own line, perhaps running over lines.
            None
        }
    }

    fn block_mapping(&mut self, indent: usize, depth: usize) -> Option<()> {
        let first = self.line()?;
        self.at_line(Event::MappingStart(0, None), first);
        while let Some(line) = self.line_at(indent)? {
            let content = self.content(line);
            let (key, style, key_len, rest) = key_split(content)?;
            self.scalar(key, style, line, line.start, line.start + key_len);
            let value_at = skip_spaces(self.text.as_bytes(), line.end - rest.len(), line.end);
            self.at += 1;
            if self.ends_here(value_at, line.end) {
                match self.line() {
                    Some(next)
                        if next.indent == indent
                            && self.document_marker(next).is_none()
                            && item_marker(self.content(next)).is_some() =>
                    {
                        // A sequence at its key's own indentation.
                        self.block_sequence(indent, depth + 1, true)?;
                    }
                    // A missing value is where its colon is.
                    _ => self.value_below(line, line.start + key_len, indent, depth + 1)?,
                }
            } else {
                // A line indented further after this one would continue a plain scalar
                // (or be a mistake): the loop gives up on it.
                self.inline_value(line, value_at, depth + 1)?;
            }
        }
        self.at_line(Event::MappingEnd, first);
        Some(())
    }

    /// A block sequence; an `indentless` one is a key's value at the key's indentation.
    fn block_sequence(&mut self, indent: usize, depth: usize, indentless: bool) -> Option<()> {
        let first = self.line()?;
        if indentless {
            // saphyr-parser places it where its first item's value is, or where its line
            // ends when that value is on the lines below.
            let after = first.start + item_marker(self.content(first))?;
            let value = skip_spaces(self.text.as_bytes(), after, first.end);
            let at = match self.ends_here(after, first.end) {
                true => first.end,
                false => value,
            };
            self.emit(Event::SequenceStart(0, None), first, at, at);
        } else {
            self.at_line(Event::SequenceStart(0, None), first);
        }
        while let Some(line) = self.line_at(indent)? {
            let Some(after) = item_marker(self.content(line)) else {
                // The key after an indentless sequence.
                break;
            };
            let rest = &self.content(line)[after..];
            let spaces = rest.len() - rest.trim_start_matches(' ').len();
            if self.ends_here(line.start + after, line.end) {
                self.at += 1;
                // A missing item is where its line ends.
                self.value_below(line, line.end, indent, depth + 1)?;
                continue;
            }
            let rest = &rest[spaces..];
            let column = line.indent + after + spaces;
            if item_marker(rest).is_some() {
                // `- - x`: a sequence in a sequence on one line.
                return None;
            }
            if key_split(rest).is_some() {
                // `- key: value`: a mapping whose keys line up with this first one.
                let narrowed = &mut self.lines[self.at];
                narrowed.start += after + spaces;
                narrowed.indent = column;
                self.block_node(column, depth + 1)?;
                continue;
            }
            self.at += 1;
            self.inline_value(line, line.start + after + spaces, depth + 1)?;
        }
        self.at_line(Event::SequenceEnd, first);
        Some(())
    }

    /// `event` where the current line starts, or `otherwise` when there is none.
    fn at_line(&mut self, event: Event<'t>, otherwise: Line) {
        let at = self.line().unwrap_or(otherwise);
        self.emit(event, at, at.start, at.start);
    }

    /// The current line if it is the next of a block at `indent`, or None where the block
    /// ends; gives up (the outer None) on a line indented further, which no block line
    /// before it opened.
    fn line_at(&mut self, indent: usize) -> Option<Option<Line>> {
        match self.line() {
            Some(line) if line.indent < indent || self.document_marker(line).is_some() => {
                Some(None)
            }
            Some(line) if line.indent > indent => None,
            line => Some(line),
        }
    }

    /// The value of the key or item on `line`, whose line holds no value: the node on the
    /// lines below it, indented further, or else a null at `missing`.
    fn value_below(
        &mut self,
        line: Line,
        missing: usize,
        indent: usize,
        depth: usize,
    ) -> Option<()> {
        match self.line() {
            Some(next) if next.indent > indent && self.document_marker(next).is_none() => {
                self.block_node(next.indent, depth)
            }
            _ => {
                self.empty(line, missing);
                Some(())
            }
        }
    }

    /// The value that starts at `from` on `line` and ends it (but for a comment).
    fn inline_value(&mut self, line: Line, from: usize, depth: usize) -> Option<()> {
        let bytes = self.text.as_bytes();
        let end = match bytes[from] {
            b'{' | b'[' => self.flow_node(line, from, depth)?,
            b'\'' | b'"' => self.quoted(line, from)?,
            _ => self.plain(line, from, false)?,
        };
        self.ends_here(end, line.end).then_some(())
    }

    /// A plain scalar that starts at `from`, in a flow collection or not; returns where it
    /// ends, trailing spaces included.
    fn plain(&mut self, line: Line, from: usize, flow: bool) -> Option<usize> {
        let text = &self.text[from..line.end];
        let len = plain_len(text, flow)?;
        let value = text[..len].trim_end_matches(' ');
        // `a: b: c` is a mistake, and `a:` a key, outside a flow collection (inside one
        // `plain_len` ends the scalar at either).
        if value.is_empty() || value.contains(": ") || value.ends_with(':') {
            return None;
        }
        let to = from + value.len();
        self.scalar(Cow::Borrowed(value), ScalarStyle::Plain, line, from, to);
        Some(from + len)
    }

    /// Nothing from `at` to `end` but spaces and perhaps a comment, which needs a space
    /// before it.
    fn ends_here(&self, at: usize, end: usize) -> bool {
        let bytes = self.text.as_bytes();
        let i = skip_spaces(bytes, at, end);
        i == end || (bytes[i] == b'#' && i > 0 && bytes[i - 1] == b' ')
    }

    /// A quoted scalar that closes on its line; returns where it ends.
    fn quoted(&mut self, line: Line, from: usize) -> Option<usize> {
        let (text, style, end) = quoted_scalar(self.text, from, line.end)?;
        // saphyr-parser ends a quoted scalar past the spaces after it, and past a comment
        // after those.
        let bytes = self.text.as_bytes();
        let after = skip_spaces(bytes, end, line.end);
        let to = match bytes.get(after) {
            Some(b'#') if after > end => line.end,
            _ => after,
        };
        self.scalar(text, style, line, from, to);
        Some(end)
    }

    /// A flow collection, or a node inside one, that closes on its line; returns where it
    /// ends.
    fn flow_node(&mut self, line: Line, from: usize, depth: usize) -> Option<usize> {
        if depth > MAX_DEPTH {
            return None;
        }
        let bytes = self.text.as_bytes();
        let (close, map) = match bytes[from] {
            b'{' => (b'}', true),
            b'[' => (b']', false),
            b'\'' | b'"' => return self.quoted(line, from),
            _ => return self.plain(line, from, true),
        };
        let start = if map {
            Event::MappingStart(0, None)
        } else {
            Event::SequenceStart(0, None)
        };
        self.emit(start, line, from, from + 1);
        let mut i = skip_spaces(bytes, from + 1, line.end);
        let end = || match map {
            true => Event::MappingEnd,
            false => Event::SequenceEnd,
        };
        if bytes.get(i) == Some(&close) {
            self.emit(end(), line, i, i + 1);
            return Some(i + 1);
        }
        loop {
            if i >= line.end || matches!(bytes[i], b',' | b'}' | b']' | b':' | b'#') {
                // A missing entry, a mistake, or an indicator this reader leaves out.
                return None;
            }
            i = self.flow_node(line, i, depth + 1)?;
            i = skip_spaces(bytes, i, line.end);
            if map {
                // `key: value`; a key with no value is outside the subset.
                if bytes.get(i) != Some(&b':') || !matches!(bytes.get(i + 1), Some(b' ')) {
                    return None;
                }
                let colon = i;
                i = skip_spaces(bytes, i + 1, line.end);
                match bytes.get(i) {
                    // A missing value is where its colon is.
                    Some(b',' | b'}') => self.empty(line, colon),
                    Some(b'#') | None => return None,
                    Some(_) => {
                        if matches!(bytes[i], b']' | b':') {
                            return None;
                        }
                        i = self.flow_node(line, i, depth + 1)?;
                    }
                }
                i = skip_spaces(bytes, i, line.end);
            }
            match bytes.get(i) {
                Some(b',') => i = skip_spaces(bytes, i + 1, line.end),
                Some(&b) if b == close => {
                    self.emit(end(), line, i, i + 1);
                    return Some(i + 1);
                }
                _ => return None,
            }
            if bytes.get(i) == Some(&close) {
                // A trailing comma.
                return None;
            }
        }
    }
}

/// An empty plain scalar: a null.
fn null() -> Event<'static> {
    Event::Scalar(Cow::Borrowed(""), ScalarStyle::Plain, 0, None)
}

fn skip_spaces(bytes: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && bytes[i] == b' ' {
        i += 1;
    }
    i
}

/// After a sequence item's `-`: where its value starts (the `-` followed by a space or
/// nothing).
fn item_marker(content: &str) -> Option<usize> {
    match content.as_bytes() {
        [b'-'] => Some(1),
        [b'-', b' ', ..] => Some(1),
        _ => None,
    }
}

/// A `key:` line's key (its text, style and length in the line) and what follows its
/// colon. A plain key is of the characters names and labels use; a quoted one closes on
/// its line.
fn key_split(content: &str) -> Option<(Cow<'_, str>, ScalarStyle, usize, &str)> {
    let bytes = content.as_bytes();
    let (key, style, len) = match bytes.first()? {
        b'"' | b'\'' => quoted_scalar(content, 0, content.len())?,
        b if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/') => {
            let len = bytes
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
                .count();
            (Cow::Borrowed(&content[..len]), ScalarStyle::Plain, len)
        }
        _ => return None,
    };
    let after = content[len..].strip_prefix(':')?;
    if !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    Some((key, style, len, after))
}

/// The quoted scalar that starts at `from` and closes before `end`: its text, its style,
/// and where it ends. None when it runs on, or holds an escape.
fn quoted_scalar(
    text: &str,
    from: usize,
    end: usize,
) -> Option<(Cow<'_, str>, ScalarStyle, usize)> {
    let bytes = text.as_bytes();
    let quote = bytes[from];
    let mut i = from + 1;
    let mut doubled = false;
    loop {
        i += bytes[i..end].iter().position(|&b| b == quote)?;
        if quote == b'\'' && i + 1 < end && bytes[i + 1] == b'\'' {
            doubled = true;
            i += 2;
            continue;
        }
        break;
    }
    let inner = &text[from + 1..i];
    let scalar = match quote {
        b'\'' if doubled => (
            Cow::Owned(inner.replace("''", "'")),
            ScalarStyle::SingleQuoted,
        ),
        b'\'' => (Cow::Borrowed(inner), ScalarStyle::SingleQuoted),
        // Escapes are outside the subset.
        _ if inner.contains('\\') => return None,
        _ => (Cow::Borrowed(inner), ScalarStyle::DoubleQuoted),
    };
    Some((scalar.0, scalar.1, i + 1))
}

/// How long the plain scalar at the start of `text` is, up to a comment, the end of the
/// line, or (in a flow collection) an indicator that ends it; trailing spaces included.
/// None when it starts with an indicator or holds one this reader leaves out.
fn plain_len(text: &str, flow: bool) -> Option<usize> {
    let bytes = text.as_bytes();
    match bytes.first()? {
        // Indicators: of flow collections, comments, quotes, anchors, aliases, tags, block
        // scalars, directives, complex keys, and the reserved ones.
        b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'\'' | b'"' | b':' | b'&' | b'*' | b'!'
        | b'|' | b'>' | b'%' | b'@' | b'`' | b'?' => return None,
        // A `-` starts a plain scalar when what follows it could go on one: not a space,
        // and in a flow collection not an indicator of one (`--flag`, `-1`).
        b'-' if !bytes.get(1).is_some_and(|&b| {
            b != b' ' && !(flow && matches!(b, b',' | b'[' | b']' | b'{' | b'}'))
        }) =>
        {
            return None
        }
        _ => {}
    }
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' if i > 0 && bytes[i - 1] == b' ' => break,
            b',' | b']' | b'}' if flow => break,
            b'[' | b']' | b'{' | b'}' => return None,
            b':' if flow => {
                // A value indicator in a flow mapping ends the key; a colon inside a flow
                // scalar is outside the subset.
                if matches!(bytes.get(i + 1), Some(b' ')) {
                    break;
                }
                return None;
            }
            _ => {}
        }
        i += 1;
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use saphyr_parser::Parser;

    use super::*;

    type Placed<'t> = (Event<'t>, [usize; 4]);

    /// saphyr-parser's events between the stream's start and end; None on a syntax error.
    fn saphyr(text: &str) -> Option<Vec<Placed<'_>>> {
        let mut parser = Parser::new_from_str(text);
        let mut out = Vec::new();
        loop {
            match parser.next_event()? {
                Err(_) => return None,
                Ok((Event::StreamEnd, _)) => return Some(out),
                Ok((Event::StreamStart, _)) => {}
                Ok(event) => out.push(placed(event)),
            }
        }
    }

    fn read(text: &str) -> Option<Vec<Placed<'_>>> {
        Some(events(text)?.into_iter().map(placed).collect())
    }

    /// Read by this reader, and exactly as saphyr-parser reads it, where saphyr-parser
    /// places it.
    #[track_caller]
    fn agrees(text: &str) {
        let ours = read(text).unwrap_or_else(|| panic!("not read: {text:?}"));
        let theirs = saphyr(text).unwrap_or_else(|| panic!("not YAML: {text:?}"));
        assert_eq!(ours, theirs, "{text:?}");
    }

    #[test]
    fn reads_manifests_as_saphyr_parser_does() {
        agrees("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: team-1\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {app: web, tier: 'front'}\n");
        agrees("---\na: 1\n---\nb: [x, y, \"z\"]\n...\n---\n# only a comment\n");
        agrees("a: 1\n---\n");
        agrees("---\n");
        agrees("# nothing\n");
        agrees("");
        agrees(
            "items:\n- kind: Service\n  metadata:\n    name: a\n- kind: Pod\n  spec:\n    x: -1\n",
        );
        agrees("a:\n  - b: 1\n    c:\n      - 2\n      -\n      - {}\n  - []\n  -\n    d: e\n");
        agrees("a: 'it''s' # says\nb: \"q\"\nc: x:y\nd: http://e/f?g=h&i=j\ne: 25%\nf: a,b\n");
        agrees("a:\r\n  b: 1\r\n");
        agrees("a:   \n  # c\n  b:    2   \nc: ~\nd: yes\ne: 0x1F\nf: 1.5e3\n");
        agrees("k: {a: {b: [1, 2, {c: d}]}, e: }\n");
        agrees("on: 1\n80: http\n.hidden: a\n/path: b\n");
        agrees("a: b #c\nd: 'e'   # f\n");
        agrees("...\n---\na: 1\n");
        agrees("# héllo — a comment\na: 1 # ok\n  # \t\u{85}\nb: 2\n");
        agrees("args:\n  - --listen=0.0.0.0:8443\n  - -v\n  - --\nn: -1\nf: [-x, --y]\n");
        agrees("\"a\": 1\n'b''c': {\"d\": 'e'}\n");
    }

    /// Where saphyr-parser places what is not where it starts or ends in the text: a
    /// missing value, an empty document, a sequence at its key's indentation, and a quoted
    /// scalar, which it ends past the spaces and the comment after it.
    #[test]
    fn places_events_where_saphyr_parser_does() {
        agrees("a:\nb:  # c\nc: {d: , e: }\n");
        agrees("- \n-\n-   # c\n- a\n");
        agrees("a:\n- x\nb:\n-\n  y: 1\nc:\n-   # c\n- d\ne:\n- {}\n- [f]\n- 'g'\n");
        agrees("---\n---\n...\n--- # c\n\n# d\n");
        agrees("---");
        agrees("a: \"x\"  \nb: 'y' # c\nc: [ \"z\" , w ]\nd: {\"e\": 'f'  }\n");
    }

    /// What the subset leaves out is never read, and never read wrong: either saphyr-
    /// parser agrees or this reader gives up.
    #[test]
    fn leaves_the_rest_to_saphyr_parser() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: |\n  text\n",
            "a: >\n  text\n",
            "a: b\n  c\n",
            "a: 'b\n  c'\n",
            "a: \"b\\n\"\n",
            "a:\tb\n",
            "a: é\n",
            "? a\n: b\n",
            "%YAML 1.2\n---\na: 1\n",
            "--- a\n",
            "--- !t\na: 1\n",
            "\"a\": 1\n",
            "a: b: c\n",
            "a: {b}\n",
            "a: {b: c,}\n",
            "a: [b\n",
            "a: [b] c\n",
            "a: {b: c:d}\n",
            "- - a\n",
            "a\n",
            "  a: 1\nb: 2\n",
            "a:\n  b: 1\n c: 2\n",
            "a: 1\r b: 2\n",
            "a: - b\n",
            "a: @b\n",
            "a: `b\n",
            "a: \"b\"c\n",
        ] {
            if let Some(ours) = read(text) {
                assert_eq!(Some(ours), saphyr(text), "{text:?}");
            }
        }
        assert!(read("a: &x 1\n").is_none());
        assert!(read("a: b\n  c\n").is_none());
        assert!(read("a: |\n  text\n").is_none());
    }

    /// It gives up at the start of the document that holds what it cannot read, or that
    /// may go on past it.
    #[test]
    fn gives_up_at_the_document_it_cannot_read() {
        let gave_up = |text| super::read(text, |_, _| {}).unwrap_err();
        let at = |offset, line, documents| GaveUp {
            offset,
            line,
            documents,
        };
        assert_eq!(gave_up("a: 1\n---\nb: café\n---\nc: 1\n"), at(5, 2, 1));
        assert_eq!(gave_up("a: 1\nb: café\n"), at(0, 1, 0));
        assert_eq!(gave_up("a: 1\n# \u{feff}\nb: 2\n"), at(0, 1, 0));
        assert_eq!(gave_up("a: 1\n...\n# x\nb: &x 1\n"), at(13, 4, 1));
        assert_eq!(gave_up("a: 1\r\nb: 2\rc: 3\n"), at(0, 1, 0));
        assert_eq!(gave_up("a: 1\n# c\rb: 2\n"), at(0, 1, 0));
        assert_eq!(gave_up("a: 1\n...\nb: é\n"), at(9, 3, 1));
    }

    #[test]
    fn nesting_past_the_limit_is_left_to_saphyr_parser() {
        let deep: String = (0..=MAX_DEPTH + 1)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect();
        assert!(read(&deep).is_none());
        let flow = format!(
            "a: {}{}\n",
            "[".repeat(MAX_DEPTH + 2),
            "]".repeat(MAX_DEPTH + 2)
        );
        assert!(read(&flow).is_none());
    }
}
