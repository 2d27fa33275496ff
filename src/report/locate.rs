//! From (object, JSON pointer) to file, line and column.
//!
//! Files are parsed without positions for speed; the few files that have findings are parsed
//! again here, with positions, once each.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use crate::load::span::SpanNode;
use crate::load::yaml::{self, SpanMode};
use crate::load::{Limits, Position, SourceFile};
use crate::objects::Object;

/// A located node.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub file: &'a SourceFile,
    pub position: Position,
    /// Byte offset and length of the labelled text in the file.
    pub offset: usize,
    pub len: usize,
    /// False when the field is absent and the place is its nearest parent.
    pub exact: bool,
}

pub struct Locator<'a> {
    files: &'a [SourceFile],
    objects: &'a [Object],
    /// Per file, the documents whose positions will be asked for: only those keep spans.
    wanted: HashMap<usize, HashSet<usize>>,
    spans: RefCell<HashMap<usize, HashMap<usize, SpanNode>>>,
    line_starts: RefCell<HashMap<usize, Vec<usize>>>,
}

impl<'a> Locator<'a> {
    /// `objects_of_interest`: the objects whose positions will be asked for.
    pub fn new(
        files: &'a [SourceFile],
        objects: &'a [Object],
        objects_of_interest: impl IntoIterator<Item = usize>,
    ) -> Self {
        let mut wanted: HashMap<usize, HashSet<usize>> = HashMap::new();
        for i in objects_of_interest {
            if let Some(origin) = objects.get(i).and_then(|o| o.origin.as_ref()) {
                wanted
                    .entry(origin.file)
                    .or_default()
                    .insert(origin.document);
            }
        }
        Locator {
            files,
            objects,
            wanted,
            spans: RefCell::default(),
            line_starts: RefCell::default(),
        }
    }

    /// Where `path` of the object at `object` sits; None for objects not read from a file.
    pub fn place(&self, object: usize, path: &str) -> Option<Place<'a>> {
        let origin = self.objects.get(object)?.origin.as_ref()?;
        let file = self.files.get(origin.file)?;
        let mut spans = self.spans.borrow_mut();
        let docs = spans.entry(origin.file).or_insert_with(|| {
            let wanted = self.wanted.get(&origin.file);
            let mut docs = HashMap::new();
            yaml::parse_each(&file.text, SpanMode::Record, &Limits::default(), |d| {
                if wanted.is_some_and(|w| w.contains(&d.index)) {
                    if let Some(spans) = d.spans {
                        docs.insert(d.index, spans);
                    }
                }
            });
            docs
        });
        let root = docs.get(&origin.document)?;
        let located = root.locate(&format!("{}{}", origin.prefix, path));
        let position = located.node.position();
        let (offset, len) = self.byte_span(origin.file, position, located.node.len);
        Some(Place {
            file,
            position,
            offset,
            len,
            exact: located.exact,
        })
    }

    /// Byte offset and length of `position` in a file (for an input error, say).
    pub fn offset_of(&self, file: usize, position: Position, chars: u32) -> (usize, usize) {
        self.byte_span(file, position, chars)
    }

    pub fn file_index(&self, name: &str) -> Option<usize> {
        self.files.iter().position(|f| f.name == name)
    }

    pub fn file(&self, index: usize) -> &'a SourceFile {
        &self.files[index]
    }

    fn byte_span(&self, file: usize, position: Position, chars: u32) -> (usize, usize) {
        let text = &self.files[file].text;
        let mut cache = self.line_starts.borrow_mut();
        let starts = cache.entry(file).or_insert_with(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let line_start = starts
            .get(position.line.saturating_sub(1) as usize)
            .copied()
            .unwrap_or(text.len());
        let line = &text[line_start..];
        let line = &line[..line.find('\n').unwrap_or(line.len())];
        let mut chars_iter = line
            .char_indices()
            .skip(position.column.saturating_sub(1) as usize);
        let start = chars_iter.next().map_or(line.len(), |(i, _)| i);
        let end = line[start..]
            .char_indices()
            .nth(chars.max(1) as usize)
            .map_or(line.len(), |(i, _)| start + i);
        (
            line_start + start,
            end.saturating_sub(start)
                .max(if start < line.len() { 1 } else { 0 }),
        )
    }
}
