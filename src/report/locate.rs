//! From (object, JSON pointer) to file, line and column.
//!
//! The CLI's pipeline resolves most places while it lints (see [`Places`]); whatever it did
//! not (an object loaded without positions, a related object in another piece of a file)
//! is found by parsing its file again here, with positions, once per file.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use crate::load::span::SpanTree;
use crate::load::yaml::{self, SpanMode};
use crate::load::{Limits, Position, SourceFile};
use crate::objects::{ObjectRef, Origin};

/// The spot of `pointer` in a document's span tree.
pub fn spot_at(root: &SpanTree, pointer: &str) -> Spot {
    let located = root.locate(pointer);
    Spot {
        position: located.node.position(),
        len: located.node.len,
        exact: located.exact,
    }
}

/// A located node.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub file: &'a SourceFile,
    /// Index of `file` in the report's files.
    file_index: usize,
    pub position: Position,
    /// Length in characters of the labelled key or scalar.
    chars: u32,
    /// False when the field is absent and the place is its nearest parent.
    pub exact: bool,
}

/// A position resolved ahead of the report, while its document was parsed anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spot {
    pub position: Position,
    /// Length in characters of the labelled key or scalar.
    pub len: u32,
    pub exact: bool,
}

/// Positions resolved ahead, by object and JSON pointer; whatever is missing is found by
/// parsing the file again.
#[derive(Debug, Default)]
pub struct Places(Vec<(usize, Box<str>, Spot)>);

impl Places {
    /// From unordered entries; a repeated (object, path) keeps one of its equal spots.
    pub fn new(mut entries: Vec<(usize, Box<str>, Spot)>) -> Self {
        entries.sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        entries.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        entries.shrink_to_fit();
        Places(entries)
    }

    pub fn get(&self, object: usize, path: &str) -> Option<Spot> {
        self.0
            .binary_search_by(|(o, p, _)| (*o, &**p).cmp(&(object, path)))
            .ok()
            .map(|i| self.0[i].2)
    }
}

pub struct Locator<'a> {
    files: &'a [SourceFile],
    objects: &'a [ObjectRef],
    places: &'a Places,
    /// Per file, the documents whose positions were not resolved ahead and will be asked
    /// for: only those keep spans.
    wanted: HashMap<usize, HashSet<usize>>,
    // Behind locks so that a report can be rendered on several threads; a file is parsed
    // again, or its lines indexed, at most once.
    spans: Mutex<HashMap<usize, HashMap<usize, SpanTree>>>,
    line_starts: Mutex<HashMap<usize, Vec<usize>>>,
}

impl<'a> Locator<'a> {
    /// `asks`: the (object, pointer) pairs whose places will be asked for.
    pub fn new<'p>(
        files: &'a [SourceFile],
        objects: &'a [ObjectRef],
        places: &'a Places,
        asks: impl IntoIterator<Item = (usize, &'p str)>,
    ) -> Self {
        let mut wanted: HashMap<usize, HashSet<usize>> = HashMap::new();
        for (i, path) in asks {
            if places.get(i, path).is_some() {
                continue;
            }
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
            places,
            wanted,
            spans: Mutex::default(),
            line_starts: Mutex::default(),
        }
    }

    /// Where `path` of the object at `object` sits; None for objects not read from a file.
    pub fn place(&self, object: usize, path: &str) -> Option<Place<'a>> {
        let origin = self.objects.get(object)?.origin.as_ref()?;
        let file = self.files.get(origin.file)?;
        let spot = match self.places.get(object, path) {
            Some(spot) => spot,
            None => self.spot(origin, path)?,
        };
        Some(Place {
            file,
            file_index: origin.file,
            position: spot.position,
            chars: spot.len,
            exact: spot.exact,
        })
    }

    /// Byte offset and length of the text a place labels: only snippets need them, so
    /// they are found when asked for (indexing a file's lines is a pass over its text).
    pub fn span(&self, place: &Place<'_>) -> (usize, usize) {
        self.byte_span(place.file_index, place.position, place.chars)
    }

    /// A spot nobody resolved ahead: the file is parsed again, once, with positions.
    fn spot(&self, origin: &Origin, path: &str) -> Option<Spot> {
        let file = self.files.get(origin.file)?;
        let mut spans = self.spans.lock().unwrap_or_else(|e| e.into_inner());
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
        Some(spot_at(root, &format!("{}{}", origin.prefix, path)))
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
        let mut cache = self.line_starts.lock().unwrap_or_else(|e| e.into_inner());
        let starts = cache.entry(file).or_insert_with(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
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
