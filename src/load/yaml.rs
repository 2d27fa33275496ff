//! YAML (and JSON, which YAML 1.2 contains) to `serde_json::Value`, one value per document.
//!
//! Built on saphyr-parser's event stream rather than a serde deserializer so that halint
//! controls the things a hostile or broken file can do: nesting depth, alias expansion,
//! duplicate keys. The same events come first from [`super::plain`], a reader of the plain
//! YAML manifests are written in, several times cheaper, and from saphyr-parser for each
//! document it gives up on. Positions are recorded only on request (`SpanMode::Record`), and
//! [`parse_outlines`] leaves out what no projection reads: the CLI's first pass needs
//! neither (see `crate::pipeline`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};
use serde_json::{Map, Number, Value};

use super::limits::Limits;
use super::span::{SpanBuilder, SpanNode, SpanTree};
use super::Position;

/// One YAML document of a file.
#[derive(Debug)]
pub struct Document {
    /// 0-based index among the file's documents (stable between parses of the same text).
    pub index: usize,
    /// Where the document's root node starts.
    pub position: Position,
    pub value: Value,
    /// Present when parsed with `SpanMode::Record`.
    pub spans: Option<SpanTree>,
}

/// A problem in one document (the file's other documents are still read) or in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub position: Position,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub documents: Vec<Document>,
    pub errors: Vec<ParseError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanMode {
    Skip,
    Record,
}

/// Parses every document of `text`. A syntax error ends the file (the parser cannot resume);
/// a semantic error (duplicate key, too deep, alias bomb) drops only its document.
pub fn parse(text: &str, spans: SpanMode, limits: &Limits) -> Parsed {
    let mut documents = Vec::new();
    let (errors, _) = parse_each(text, spans, limits, |doc| documents.push(doc));
    Parsed { documents, errors }
}

/// Like [`parse`], but hands over each document as soon as it is complete, so that a large
/// file never holds all its documents in memory at once. Returns the errors, and how many
/// documents the text holds (empty ones included).
///
/// Text in the plain subset that manifests are written in is read by [`super::plain`],
/// which hands the builder the events saphyr-parser would, at their positions, for a
/// fraction of the instructions; saphyr-parser reads each document the reader gives up on
/// (see [`read`]).
pub fn parse_each(
    text: &str,
    spans: SpanMode,
    limits: &Limits,
    on_document: impl FnMut(Document),
) -> (Vec<ParseError>, usize) {
    read(text, limits, on_document, || Builder::new(spans, limits))
}

/// [`parse_each`] with every byte read by saphyr-parser: what the plain reader is held
/// to, in tests and in the loader's benchmarks.
pub fn parse_with_saphyr(
    text: &str,
    spans: SpanMode,
    limits: &Limits,
    on_document: impl FnMut(Document),
) -> (Vec<ParseError>, usize) {
    read_with_saphyr(text, Builder::new(spans, limits), limits, on_document)
}

fn read_with_saphyr(
    text: &str,
    mut builder: Builder<'_>,
    limits: &Limits,
    mut on_document: impl FnMut(Document),
) -> (Vec<ParseError>, usize) {
    let mut parser = Parser::new_from_str(text);
    let mut handover = Handover::default();
    let events = || parser.next_event();
    stream(
        &mut builder,
        events,
        limits,
        &mut on_document,
        &mut handover,
    );
    handover.finish(builder)
}

/// Like [`parse_each`] without positions, but leaving out of each object what no
/// projection of another object reads and what is most of its bytes: pod specs, labels
/// and annotations, managed fields, status, and the rest of `LEFT_OUT`. Mistakes inside
/// what is left out go unnoticed, so a caller must read the document whole before
/// reporting on it.
/// Returns the errors, and how many documents the text holds (empty ones included, which
/// are never handed over but count in the documents' indexes).
///
/// Read as [`parse_each`] reads, the reader of plain YAML first.
pub fn parse_outlines(
    text: &str,
    limits: &Limits,
    on_document: impl FnMut(Document),
) -> (Vec<ParseError>, usize) {
    read(text, limits, on_document, || {
        let mut builder = Builder::new(SpanMode::Skip, limits);
        builder.outline = true;
        builder
    })
}

/// The documents of `text`, read by the plain reader where it can and by saphyr-parser
/// where it gives up, into builders made by `new_builder`.
fn read<'l>(
    text: &str,
    limits: &Limits,
    mut on_document: impl FnMut(Document),
    new_builder: impl Fn() -> Builder<'l>,
) -> (Vec<ParseError>, usize) {
    let builder_at = |doc_index, lines_before| {
        let mut builder = new_builder();
        builder.doc_index = doc_index;
        builder.lines_before = lines_before;
        builder
    };
    // Where YAML breaks lines that readers of lines do not, lines are not what the reader
    // and saphyr-parser both count: saphyr-parser reads it all.
    if super::skim::has_lone_cr(text.as_bytes()) {
        return read_with_saphyr(text, new_builder(), limits, on_document);
    }
    let mut handover = Handover::default();
    // Where the reader starts: the text's start, or where the document it gave up on ends.
    let (mut at, mut lines_before, mut doc_index) = (0, 0, 0);
    loop {
        let text = &text[at..];
        let mut builder = builder_at(doc_index, lines_before);
        let read = super::plain::read(text, |event, span| {
            if handover.over {
                return;
            }
            // The reader ends a document only when it is through with it: it may give up
            // after the document's node, on what follows it.
            let end = matches!(event, Event::DocumentEnd);
            builder.on_event(event, span);
            if end {
                handover.hand_over(&mut builder, limits, &mut on_document);
            }
        });
        let Err(gave_up) = read else {
            return handover.finish(builder);
        };
        // What the reader read of the document it gave up on goes with its builder.
        // saphyr-parser reads that document, and the reader reads on after it.
        let lines = lines_before + gave_up.line - 1;
        let mut builder = builder_at(doc_index + gave_up.documents, lines);
        let text = &text[gave_up.offset..];
        let next = one_document(text, &mut builder, limits, &mut on_document, &mut handover);
        match next {
            Some((offset, line)) if offset > 0 => {
                at += gave_up.offset + offset;
                lines_before = lines + line - 1;
                doc_index = builder.doc_index;
                handover.errors.append(&mut builder.out.errors);
            }
            // The end of the text, or of what can be read.
            _ => return handover.finish(builder),
        }
    }
}

/// The first document of `text`, read by saphyr-parser into `builder`, and where the
/// next one starts: its byte offset and line in `text`. None at a syntax error, past the
/// documents' limit, or at the end of the text.
///
/// A document ends where the next one's marker is, or at its own `...`: at the start of a
/// line either way. The next document starts at the start of the line saphyr-parser gives
/// that end, counted in line breaks: its count of characters can run ahead of the text
/// (after a directive that holds a non-ASCII character). Only a line that holds a marker
/// is taken; past a document that ends anywhere else, saphyr-parser reads on.
fn one_document(
    text: &str,
    builder: &mut Builder<'_>,
    limits: &Limits,
    on_document: &mut impl FnMut(Document),
    handover: &mut Handover,
) -> Option<(usize, usize)> {
    let mut parser = Parser::new_from_str(text);
    let mut next = None;
    let mut lines = LineStarts::new(text);
    let events = || {
        if next.is_some() {
            return None;
        }
        let event = parser.next_event();
        if let Some(Ok((Event::DocumentEnd, span))) = &event {
            let at = span.start;
            next = (at.col() == 0)
                .then(|| lines.start_of(at.line()))
                .flatten()
                .filter(|&offset| {
                    let line = &text.as_bytes()[offset..];
                    line.starts_with(b"---") || line.starts_with(b"...")
                })
                .map(|offset| (offset, at.line()));
        }
        event
    };
    if stream(builder, events, limits, on_document, handover) {
        return None;
    }
    next
}

/// Where the lines of a text start, found as they are asked for, in order.
struct LineStarts<'t> {
    bytes: &'t [u8],
    /// The line whose start is `offset`.
    line: usize,
    offset: usize,
}

impl<'t> LineStarts<'t> {
    fn new(text: &'t str) -> Self {
        LineStarts {
            bytes: text.as_bytes(),
            line: 1,
            offset: 0,
        }
    }

    /// The byte offset where the `line`-th line (1-based) starts; None past the text's
    /// last line, or before the line last asked for.
    fn start_of(&mut self, line: usize) -> Option<usize> {
        while self.line < line {
            let rest = &self.bytes[self.offset..];
            self.offset += memchr::memchr(b'\n', rest)? + 1;
            self.line += 1;
        }
        (self.line == line).then_some(self.offset)
    }
}

/// The first document of `text`, with positions, and nothing after it read: one document
/// of a large file, parsed from the line it starts on. None when it is not a clean
/// document (a syntax error, a duplicate key, nothing), for the caller to parse more.
pub fn parse_first(text: &str, limits: &Limits) -> Option<Document> {
    let mut builder = Builder::new(SpanMode::Record, limits);
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_event()? {
            Ok((Event::StreamEnd, _)) | Err(_) => return None,
            Ok((event, span)) => builder.on_event(event, span),
        }
        if !builder.out.errors.is_empty() {
            return None;
        }
        // A document is handed over as soon as its root node is complete.
        if let Some(document) = builder.out.documents.pop() {
            return Some(document);
        }
    }
}

/// Builds documents from `events` and hands each over as soon as it is complete. True
/// when it stopped at a syntax error or the documents' limit, before the events' end.
fn stream<'t>(
    builder: &mut Builder<'_>,
    mut events: impl FnMut() -> Option<Result<(Event<'t>, Span), ScanError>>,
    limits: &Limits,
    on_document: &mut impl FnMut(Document),
    handover: &mut Handover,
) -> bool {
    loop {
        match events() {
            None | Some(Ok((Event::StreamEnd, _))) => return false,
            Some(Ok((event, span))) => builder.on_event(event, span),
            Some(Err(err)) => {
                let m = err.marker();
                builder.out.errors.push(ParseError {
                    position: Position::new(builder.lines_before + m.line(), m.col() + 1),
                    message: format!("invalid YAML: {}", err.info()),
                });
                return true;
            }
        }
        handover.hand_over(builder, limits, on_document);
        if handover.over {
            return true;
        }
    }
}

/// What has been handed over: how many documents (counted against the limit), and the
/// errors found on the way.
#[derive(Default)]
struct Handover {
    count: usize,
    /// Past the limit: the rest is not read.
    over: bool,
    errors: Vec<ParseError>,
}

impl Handover {
    /// The errors, and how many documents the text holds.
    fn finish(mut self, mut builder: Builder<'_>) -> (Vec<ParseError>, usize) {
        self.errors.append(&mut builder.out.errors);
        (self.errors, builder.doc_index)
    }

    fn hand_over(
        &mut self,
        builder: &mut Builder<'_>,
        limits: &Limits,
        on_document: &mut impl FnMut(Document),
    ) {
        self.errors.append(&mut builder.out.errors);
        for doc in builder.out.documents.drain(..) {
            if self.over {
                break;
            }
            self.count += 1;
            if self.count > limits.max_documents {
                self.over = true;
                self.errors.push(ParseError {
                    position: Position::new(1, 1),
                    message: format!(
                        "more than {} documents in one file; the rest is not read",
                        limits.max_documents
                    ),
                });
                break;
            }
            on_document(doc);
        }
    }
}

/// A node under construction.
enum Frame {
    Seq {
        items: Vec<Value>,
        /// Where its children's positions begin (`SpanBuilder::mark`).
        mark: usize,
        at: Position,
        anchor: usize,
    },
    Map {
        entries: Map<String, Value>,
        mark: usize,
        /// A key waiting for its value, with the key's position and length.
        key: Option<(String, Position, u32)>,
        /// Entries from `<<` merge keys: they lose to explicit keys, whatever the order.
        merged: Vec<Value>,
        at: Position,
        anchor: usize,
    },
}

struct Builder<'l> {
    spans: SpanMode,
    /// The current document's positions, with `SpanMode::Record`.
    tree: SpanBuilder,
    limits: &'l Limits,
    out: Parsed,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Value, usize)>,
    /// Nodes produced by alias expansion in the current document.
    expanded: usize,
    doc_index: usize,
    doc_at: Position,
    /// Set when the current document failed: its remaining events are ignored.
    failed: bool,
    /// Leave out the fields no projection reads (see [`parse_outlines`]).
    outline: bool,
    /// Open collections of a node being left out.
    skipping: usize,
    /// Lines of the text before the one its events count from.
    lines_before: usize,
}

/// Fields left out of outlines, as paths from an object's root: every field that no
/// catalog projection (`Entry::from_object`) reads and that no kind halint types requires.
/// A type error in one of them is found by the second pass, which reads the file again
/// whole.
pub(crate) const LEFT_OUT: &[&[&str]] = &[
    &["spec", "template", "spec"],
    &["spec", "template", "metadata", "annotations"],
    &["metadata", "annotations"],
    &["metadata", "labels"],
    &["metadata", "managedFields"],
    &["status"],
    // Workloads: how they roll out and the claims they make.
    &["spec", "strategy"],
    &["spec", "updateStrategy"],
    &["spec", "volumeClaimTemplates"],
    // A Service's ports; an autoscaler's metrics and behavior.
    &["spec", "ports"],
    &["spec", "metrics"],
    &["spec", "behavior"],
];

/// How many keys the longest path of [`LEFT_OUT`] has.
const LONGEST_LEFT_OUT: usize = {
    let (mut i, mut longest) = (0, 0);
    while i < LEFT_OUT.len() {
        if LEFT_OUT[i].len() > longest {
            longest = LEFT_OUT[i].len();
        }
        i += 1;
    }
    longest
};

impl<'l> Builder<'l> {
    fn new(spans: SpanMode, limits: &'l Limits) -> Self {
        Builder {
            spans,
            tree: SpanBuilder::default(),
            limits,
            out: Parsed::default(),
            stack: Vec::new(),
            anchors: HashMap::new(),
            expanded: 0,
            doc_index: 0,
            doc_at: Position::new(1, 1),
            failed: false,
            outline: false,
            skipping: 0,
            lines_before: 0,
        }
    }

    /// Whether the node that starts now is a field outlines leave out; if so, its key is
    /// dropped. Objects sit at the root of a document or in a `List`'s `items`.
    fn leaves_out(&mut self) -> bool {
        // The longest left-out path, below an item of `items` (two levels down).
        const DEEPEST: usize = LONGEST_LEFT_OUT + 2;
        let depth = self.stack.len();
        if depth == 0 || depth > DEEPEST {
            return false;
        }
        let mut path = [""; DEEPEST];
        for (segment, frame) in path.iter_mut().zip(&self.stack) {
            match frame {
                Frame::Map {
                    key: Some((k, ..)), ..
                } => *segment = k,
                // A key, or an item (only `items` holds objects, and it is matched below).
                Frame::Map { key: None, .. } => return false,
                Frame::Seq { .. } => {}
            }
        }
        if !left_out_path(&path[..depth]) {
            return false;
        }
        if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
            *key = None;
        }
        true
    }

    fn on_event(&mut self, event: Event<'_>, span: Span) {
        let at = Position::new(self.lines_before + span.start.line(), span.start.col() + 1);
        match event {
            Event::DocumentStart(_) => {
                self.stack.clear();
                self.tree.clear();
                self.anchors.clear();
                self.expanded = 0;
                self.failed = false;
                self.skipping = 0;
                self.doc_at = at;
            }
            Event::DocumentEnd => {
                self.doc_index += 1;
                self.stack.clear();
            }
            _ if self.failed => {}
            Event::SequenceStart(..) | Event::MappingStart(..) if self.skipping > 0 => {
                self.skipping += 1;
            }
            Event::SequenceEnd | Event::MappingEnd if self.skipping > 0 => {
                self.skipping -= 1;
            }
            _ if self.skipping > 0 => {}
            Event::SequenceStart(..) | Event::MappingStart(..)
                if self.outline && self.leaves_out() =>
            {
                self.skipping = 1;
            }
            Event::Scalar(..) | Event::Alias(_) if self.outline && self.leaves_out() => {}
            Event::Scalar(text, style, anchor, tag) => {
                let value = scalar(text, style, tag.as_deref());
                let node = SpanNode::leaf(at, span_len(&span));
                self.finish_node(value, node, anchor);
            }
            Event::SequenceStart(anchor, _) => {
                if self.enter(at) {
                    self.stack.push(Frame::Seq {
                        items: Vec::new(),
                        mark: self.tree.mark(),
                        at,
                        anchor,
                    });
                }
            }
            Event::MappingStart(anchor, _) => {
                if self.enter(at) {
                    self.stack.push(Frame::Map {
                        entries: Map::new(),
                        mark: self.tree.mark(),
                        key: None,
                        merged: Vec::new(),
                        at,
                        anchor,
                    });
                }
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq {
                    items,
                    mark,
                    at,
                    anchor,
                }) = self.stack.pop()
                {
                    let node = self.close(mark, false, at);
                    self.finish_node(Value::Array(items), node, anchor);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    mut entries,
                    mark,
                    merged,
                    at,
                    anchor,
                    ..
                }) = self.stack.pop()
                {
                    for source in merged {
                        merge_into(&mut entries, source);
                    }
                    let node = self.close(mark, true, at);
                    self.finish_node(Value::Object(entries), node, anchor);
                }
            }
            Event::Alias(id) => match self.anchors.get(&id) {
                Some((value, size)) => {
                    self.expanded += size;
                    if self.expanded > self.limits.max_alias_nodes {
                        let message = format!(
                            "YAML aliases expand to more than {} nodes (an alias bomb?); document skipped",
                            self.limits.max_alias_nodes
                        );
                        self.fail(at, message);
                    } else {
                        let value = value.clone();
                        self.finish_node(value, SpanNode::leaf(at, 1), 0);
                    }
                }
                None => self.fail(at, "alias to an unknown anchor".to_string()),
            },
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
    }

    /// Guards nesting depth before a collection opens.
    fn enter(&mut self, at: Position) -> bool {
        if self.stack.len() >= self.limits.max_depth {
            let message = format!(
                "nesting deeper than {} levels; document skipped",
                self.limits.max_depth
            );
            self.fail(at, message);
            return false;
        }
        true
    }

    fn fail(&mut self, position: Position, message: String) {
        self.out.errors.push(ParseError { position, message });
        self.failed = true;
        self.stack.clear();
        self.tree.clear();
    }

    /// The span node of a collection that ends at `at`'s close.
    fn close(&mut self, mark: usize, map: bool, at: Position) -> SpanNode {
        match self.spans {
            SpanMode::Record => self.tree.close(mark, map, at),
            SpanMode::Skip => SpanNode::leaf(at, 1),
        }
    }

    /// Places a completed node into its parent (or makes it the document).
    fn finish_node(&mut self, value: Value, node: SpanNode, anchor: usize) {
        if anchor != 0 {
            let size = node_count(&value);
            self.anchors.insert(anchor, (value.clone(), size));
        }
        let record = self.spans == SpanMode::Record;
        let at = node.position();
        match self.stack.last_mut() {
            // An empty document (`---` followed by nothing) is no document.
            None if value.is_null() => {}
            None => {
                let spans = record.then(|| self.tree.finish(node));
                self.out.documents.push(Document {
                    index: self.doc_index,
                    position: self.doc_at.min(at),
                    value,
                    spans,
                });
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(value);
                if record {
                    self.tree.item(node);
                }
            }
            Some(Frame::Map {
                entries,
                key,
                merged,
                ..
            }) => match key.take() {
                None => match value {
                    Value::String(k) => *key = Some((k, at, node.len)),
                    Value::Null => *key = Some((String::new(), at, node.len)),
                    Value::Bool(_) | Value::Number(_) => {
                        *key = Some((value.to_string(), at, node.len))
                    }
                    Value::Array(_) | Value::Object(_) => {
                        self.fail(at, "a mapping key must be a scalar".to_string())
                    }
                },
                Some((k, key_at, _)) if k == "<<" => match value {
                    Value::Object(_) => merged.push(value),
                    Value::Array(list) if list.iter().all(Value::is_object) => merged.extend(list),
                    _ => self.fail(key_at, "a `<<` merge key needs a mapping".to_string()),
                },
                Some((k, key_at, key_len)) => {
                    if record {
                        self.tree.entry(&k, key_at, key_len, node);
                    }
                    // One lookup: the key is hashed once whether it is new or a duplicate.
                    match entries.entry(k) {
                        serde_json::map::Entry::Vacant(slot) => {
                            slot.insert(value);
                        }
                        serde_json::map::Entry::Occupied(slot) => {
                            let message = format!("duplicate key `{}` in a mapping", slot.key());
                            self.fail(key_at, message);
                        }
                    }
                }
            },
        }
    }
}

fn merge_into(entries: &mut Map<String, Value>, source: Value) {
    if let Value::Object(source) = source {
        for (k, v) in source {
            entries.entry(k).or_insert(v);
        }
    }
}

fn node_count(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(node_count).sum::<usize>(),
        _ => 1,
    }
}

fn span_len(span: &Span) -> u32 {
    if span.end.line() == span.start.line() {
        (span.end.col().saturating_sub(span.start.col())).max(1) as u32
    } else {
        1
    }
}

/// Resolves a scalar the way Kubernetes' YAML reader (YAML 1.1 flavoured) does for plain
/// scalars: null, booleans including yes/no/on/off, integers, floats; everything else and
/// every quoted scalar is a string.
fn scalar(text: Cow<'_, str>, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    if let Some(tag) = tag {
        if tag.is_yaml_core_schema() && tag.suffix == "str" {
            return Value::String(text.into_owned());
        }
    }
    if style != ScalarStyle::Plain {
        return Value::String(text.into_owned());
    }
    match text.as_ref() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
            return Value::Bool(true)
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            return Value::Bool(false)
        }
        _ => {}
    }
    number(&text).unwrap_or_else(|| Value::String(text.into_owned()))
}

fn number(text: &str) -> Option<Value> {
    let first = text.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let radix = |prefix: &str, radix: u32| {
        digits
            .strip_prefix(prefix)
            .and_then(|d| i64::from_str_radix(d, radix).ok())
            .map(|n| if negative { -n } else { n })
    };
    if let Some(n) = radix("0x", 16).or_else(|| radix("0o", 8)) {
        return Some(Value::from(n));
    }
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = text.parse::<i64>() {
            return Some(Value::from(n));
        }
        if let Ok(n) = text.trim_start_matches('+').parse::<u64>() {
            return Some(Value::from(n));
        }
    }
    let looks_float = digits
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && digits.bytes().any(|b| b.is_ascii_digit());
    if looks_float {
        if let Ok(f) = text.parse::<f64>() {
            return Number::from_f64(f).map(Value::Number);
        }
    }
    None
}

/// A fingerprint of a document's value as outlines see it: without the fields
/// [`parse_outlines`] leaves out. Two texts with the same outlines have the same
/// fingerprints, so the CLI's second pass, which reads the whole text, can tell whether the
/// first pass, which read a skimmed one (`super::skim`), saw the same outlines.
pub fn outline_fingerprint(value: &Value) -> u64 {
    let mut hasher = foldhash::fast::FixedState::with_seed(0).build_hasher();
    fingerprint_into(value, &mut Vec::new(), &mut hasher);
    hasher.finish()
}

fn fingerprint_into<'v>(value: &'v Value, path: &mut Vec<&'v str>, h: &mut impl Hasher) {
    match value {
        Value::Null => h.write_u8(0),
        Value::Bool(b) => h.write_u8(1 + u8::from(*b)),
        Value::Number(n) => {
            h.write_u8(3);
            n.hash(h);
        }
        Value::String(s) => {
            h.write_u8(4);
            s.hash(h);
        }
        Value::Array(items) => {
            h.write_u8(5);
            h.write_usize(items.len());
            for item in items {
                path.push("");
                fingerprint_into(item, path, h);
                path.pop();
            }
        }
        Value::Object(entries) => {
            h.write_u8(6);
            for (key, value) in entries {
                path.push(key);
                if !left_out_path(path) {
                    key.hash(h);
                    fingerprint_into(value, path, h);
                }
                path.pop();
            }
            h.write_u8(7);
        }
    }
}

/// Whether a path from a document's root names a field outlines leave out: at the root,
/// or in an item of a `List`'s `items`.
fn left_out_path(path: &[&str]) -> bool {
    let object = match path {
        ["items", "", rest @ ..] => rest,
        rest => rest,
    };
    LEFT_OUT.contains(&object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> (Vec<Value>, Vec<ParseError>) {
        let parsed = parse(text, SpanMode::Skip, &Limits::default());
        (
            parsed.documents.into_iter().map(|d| d.value).collect(),
            parsed.errors,
        )
    }

    #[test]
    fn scalars_resolve_like_kubernetes() {
        let (docs, errors) =
            values("a: 3\nb: '3'\nc: yes\nd: ~\ne: 1.5\nf: 0x10\ng: web\nh: !!str 4\ni: -2\n");
        assert!(errors.is_empty());
        assert_eq!(
            docs[0],
            serde_json::json!({"a": 3, "b": "3", "c": true, "d": null, "e": 1.5, "f": 16,
                               "g": "web", "h": "4", "i": -2})
        );
    }

    type Outlines = (Vec<(usize, Value)>, Vec<ParseError>, usize);

    fn outlines_by(
        read: impl FnOnce(&mut dyn FnMut(Document)) -> (Vec<ParseError>, usize),
    ) -> Outlines {
        let mut documents = Vec::new();
        let (errors, count) = read(&mut |doc| documents.push((doc.index, doc.value)));
        (documents, errors, count)
    }

    /// Outlines as saphyr-parser alone reads them.
    fn saphyr_outlines(text: &str) -> Outlines {
        let limits = Limits::default();
        outlines_by(|on_document| {
            let mut builder = Builder::new(SpanMode::Skip, &limits);
            builder.outline = true;
            read_with_saphyr(text, builder, &limits, on_document)
        })
    }

    /// Texts that the reader of plain YAML gives up on somewhere.
    const GIVING_UP: &[&str] = &[
        "a: 1\n---\nb: &x 2\nc: *x\n---\nd: 3\n",
        "a: |\n  x\n---\nb: 1\n",
        "a: 1\na: 2\n---\nb: 1\n---\nc: &x 1\n",
        "a: 1\n...\n%YAML 1.2\n---\nb: 1\n",
        "---\n  a: 1\nb: 2\n---\nc: 1\n",
        "a: 1\n---\n---\nb: 'x\n  y'\n---\nc: 1\n",
        "a: 1\n---\nb: é\n",
        "a: 1\n---\nb: [1\n---\nc: 1\n",
        "a: 1\n---\nb: café\n---\nc: 1\nc: 2\n",
        "a: 1\n# \u{feff}\nb: 2\n",
        "a: 1\n---\nb: 1\n# \u{feff}\n",
        // It reads on after the document it gave up on: a mistake after that one is
        // where saphyr-parser puts it.
        "a: 1\n---\nb: |\n  x\n---\nc: 1\nc: 2\n",
        "a: 1\n---\nb: é\n...\nc: 1\n---\nd: {e: 1, e: 2}\n",
        "b: &x 1\n# c\n\n---\n---\nd: *y\n---\ne: 1\n",
        "a: |\n  x\n",
        "%YAML 1.2\n---\na: 1\n---\nb: 1\nb: 2\n",
        "a: 1\n---\nb: [1,\n  2]\n--- # c\nd: 1\nd: 2\n",
        // A document that `...` ended, and one the reader gives up on at its marker.
        "a: 1\n...\n--- !t\nb: 2\n",
        "a: 1\n...\n--- x\n",
        "a: 1\n...\nb: é\n",
        "%éYAML 1.2\n---\n\"apiVersion\": |-\n  apps/v1\n\"kind\": \"Deployment\"\n---\nb: 1\n",
    ];

    type Parse = fn(&str, SpanMode, &Limits, &mut dyn FnMut(Document)) -> (Vec<ParseError>, usize);
    type Records = (
        Vec<(usize, Value, Option<SpanTree>)>,
        Vec<ParseError>,
        usize,
    );

    /// The documents of `text` read by `parse`, with their positions.
    fn records(text: &str, parse: Parse) -> Records {
        let mut documents = Vec::new();
        let (errors, count) = parse(text, SpanMode::Record, &Limits::default(), &mut |doc| {
            documents.push((doc.index, doc.value, doc.spans))
        });
        (documents, errors, count)
    }

    /// Documents and their positions, read by the reader of plain YAML and by saphyr-
    /// parser where it gives up, are what saphyr-parser alone reads.
    #[test]
    fn documents_read_on_where_the_plain_reader_gives_up() {
        for text in GIVING_UP {
            let ours = records(text, |t, s, l, on| parse_each(t, s, l, on));
            let theirs = records(text, |t, s, l, on| parse_with_saphyr(t, s, l, on));
            assert_eq!(ours, theirs, "{text:?}");
        }
    }

    /// Where the reader of plain YAML gives up on a document, saphyr-parser reads from
    /// that document on: the documents before it are handed over once, with their
    /// mistakes, and the rest as saphyr-parser reads them.
    #[test]
    fn outlines_read_on_where_the_plain_reader_gives_up() {
        for text in GIVING_UP.iter().copied() {
            let ours =
                outlines_by(|on_document| parse_outlines(text, &Limits::default(), on_document));
            assert_eq!(ours, saphyr_outlines(text), "{text:?}");
        }
        // The documents before the one it gives up on are the reader's.
        let text = "a: 1\n---\nb: &x 2\n";
        let mut events = Vec::new();
        let gave_up = crate::load::plain::read(text, |e, _| events.push(e)).unwrap_err();
        let want = crate::load::plain::GaveUp {
            offset: 5,
            line: 2,
            documents: 1,
        };
        assert_eq!(gave_up, want);
    }

    /// The first document only, read as the whole stream reads it, and nothing of a
    /// broken document: the caller then parses more.
    #[test]
    fn the_first_document_is_read_alone() {
        let text = "a:\n  b: [1, 2]\n---\nc: 1\nc: 2\n";
        let first = parse_first(text, &Limits::default()).unwrap();
        let whole = parse(text, SpanMode::Record, &Limits::default());
        assert_eq!(first.value, whole.documents[0].value);
        let at = |d: &Document, ptr: &str| d.spans.as_ref().unwrap().locate(ptr).node.position();
        assert_eq!(at(&first, "/a/b/1"), at(&whole.documents[0], "/a/b/1"));
        // The duplicate key in the second document is never read.
        assert_eq!(whole.errors.len(), 1);
        assert!(parse_first("c: 1\nc: 2\n", &Limits::default()).is_none());
        assert!(parse_first("a: [1\n", &Limits::default()).is_none());
        assert!(parse_first("# nothing\n", &Limits::default()).is_none());
    }

    /// Every left-out path is left out, at a document's root and in a `List`'s items.
    #[test]
    fn outlines_leave_out_every_path_at_the_root_and_in_lists() {
        for path in LEFT_OUT {
            let mut object = serde_json::json!("left out");
            for key in path.iter().rev() {
                object = serde_json::json!({ *key: object, "kept": 1 });
            }
            let list = serde_json::json!({"kind": "List", "items": [object.clone()]});
            for (document, prefix) in [(object, ""), (list, "/items/0")] {
                let mut outlines = Vec::new();
                parse_outlines(&document.to_string(), &Limits::default(), |d| {
                    outlines.push(d.value)
                });
                let pointer: String = path.iter().map(|k| format!("/{k}")).collect();
                let outline = &outlines[0];
                assert_eq!(
                    outline.pointer(&format!("{prefix}{pointer}")),
                    None,
                    "{path:?}"
                );
                let parent = &pointer[..pointer.rfind('/').unwrap_or(0)];
                let kept = format!("{prefix}{parent}/kept");
                assert_eq!(
                    outline.pointer(&kept),
                    Some(&serde_json::json!(1)),
                    "{kept}"
                );
            }
        }
    }

    #[test]
    fn multi_document_and_empty_documents() {
        let (docs, errors) = values("---\na: 1\n---\n---\nb: 2\n...\n");
        assert!(errors.is_empty());
        assert_eq!(docs.len(), 2);
    }

    #[test]
    fn duplicate_key_drops_only_its_document() {
        let (docs, errors) = values("a: 1\na: 2\n---\nb: 1\n");
        assert_eq!(docs, vec![serde_json::json!({"b": 1})]);
        assert_eq!(errors[0].position, Position::new(2, 1));
        assert!(errors[0].message.contains("duplicate key `a`"));
    }

    #[test]
    fn merge_keys_lose_to_explicit_keys() {
        let (docs, _) = values("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        assert_eq!(docs[0]["m"], serde_json::json!({"x": 1, "y": 3}));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let (docs, errors) = values(&text);
        assert!(docs.is_empty());
        assert!(errors[0].message.contains("alias bomb"), "{errors:?}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        // Flow collections: the scanner's own limit.
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let (docs, errors) = values(&text);
        assert!(docs.is_empty());
        assert!(errors[0].message.contains("recursion limit"), "{errors:?}");
        // Block collections: ours; the next document is still read.
        let mut text: String = (0..200).map(|i| format!("{}a:\n", " ".repeat(i))).collect();
        text.push_str("---\nok: 1\n");
        let (docs, errors) = values(&text);
        assert_eq!(docs, vec![serde_json::json!({"ok": 1})]);
        assert!(errors[0].message.contains("nesting deeper"), "{errors:?}");
    }

    #[test]
    fn syntax_error_keeps_earlier_documents() {
        let (docs, errors) = values("a: 1\n---\nb: [1, 2\n");
        assert_eq!(docs.len(), 1);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.starts_with("invalid YAML"));
    }

    #[test]
    fn json_is_yaml() {
        let (docs, errors) = values(r#"{"kind": "List", "items": [{"a": true}]}"#);
        assert!(errors.is_empty());
        assert_eq!(docs[0]["items"][0]["a"], true);
    }
}
