//! From (object, JSON pointer) to file, line and column.
//!
//! The CLI's pipeline resolves most places while it lints (see [`Places`]); whatever it did
//! not (an object loaded without positions, a related object in another piece of a file)
//! is found by parsing again here, with positions: the object's document alone when the
//! pipeline left where its root is, else the piece of the file that holds it, once each.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

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
/// parsing the object's document alone (from its root's place, when that is here), else
/// the piece of its file that holds it, or the file.
#[derive(Debug, Default)]
pub struct Places {
    /// Sorted by object, then path.
    spots: Vec<(usize, Box<str>, Spot)>,
    /// Where each object's spots begin in `spots` (objects are numbered densely), so that
    /// a lookup reads the few spots of its object instead of searching them all: a
    /// report asks for a place per finding.
    firsts: Vec<u32>,
    cuts: Vec<Cut>,
}

/// A piece of a file that parses on its own, as the CLI's pipeline cut it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    pub file: usize,
    /// Byte range of the piece in its file.
    pub start: usize,
    pub end: usize,
    /// Lines of the file before the piece.
    pub lines_before: u32,
    /// Index in the file of the piece's first document.
    pub first_document: usize,
}

impl Places {
    /// From unordered entries; a repeated (object, path) keeps one of its equal spots.
    pub fn new(mut spots: Vec<(usize, Box<str>, Spot)>) -> Self {
        spots.sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        spots.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        spots.shrink_to_fit();
        let objects = spots.last().map_or(0, |(object, ..)| object + 1);
        let firsts = (0..=objects)
            .map(|object| spots.partition_point(|(o, ..)| *o < object) as u32)
            .collect();
        Places {
            spots,
            firsts,
            cuts: Vec::new(),
        }
    }

    /// With the pieces the files were cut into, in order, so that a place nobody resolved
    /// ahead costs a parse of its piece rather than of its whole file.
    pub fn with_cuts(mut self, cuts: Vec<Cut>) -> Self {
        self.cuts = cuts;
        self
    }

    pub fn get(&self, object: usize, path: &str) -> Option<Spot> {
        let (first, end) = (*self.firsts.get(object)?, *self.firsts.get(object + 1)?);
        self.spots[first as usize..end as usize]
            .iter()
            .find(|(_, p, _)| **p == *path)
            .map(|(.., spot)| *spot)
    }

    /// The piece that holds a document of a file; None for a file that was not cut.
    fn cut_of(&self, file: usize, document: usize) -> Option<Cut> {
        let after = self
            .cuts
            .partition_point(|c| (c.file, c.first_document) <= (file, document));
        let cut = self.cuts.get(after.checked_sub(1)?)?;
        (cut.file == file).then_some(*cut)
    }
}

/// A document parsed alone, or None if it did not read as in its stream.
type Alone = Option<Arc<SpanTree>>;

pub struct Locator<'a> {
    files: &'a [SourceFile],
    objects: &'a [ObjectRef],
    places: &'a Places,
    /// Per file, the documents whose positions were not resolved ahead and will be asked
    /// for: only those keep spans.
    wanted: HashMap<usize, HashSet<usize>>,
    // Behind locks so that a report can be rendered on several threads; a file or a piece
    // is parsed again, or a file's lines indexed, at most once. Spans by file and the
    // start of the piece parsed, then by document in the file.
    spans: Mutex<HashMap<(usize, usize), HashMap<usize, SpanTree>>>,
    /// Documents parsed alone, by file and the line their root starts on.
    documents: Mutex<HashMap<(usize, usize), Alone>>,
    /// Per file, where its lines start: built once, then read by every thread unlocked.
    line_starts: Vec<OnceLock<Vec<usize>>>,
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
            documents: Mutex::default(),
            line_starts: files.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// Where `path` of the object at `object` sits; None for objects not read from a file.
    pub fn place(&self, object: usize, path: &str) -> Option<Place<'a>> {
        let origin = self.objects.get(object)?.origin.as_ref()?;
        let file = self.files.get(origin.file)?;
        let spot = match self.places.get(object, path) {
            Some(spot) => spot,
            None => match self.spot_in_document(object, origin, path) {
                Some(spot) => spot,
                None => self.spot(origin, path)?,
            },
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

    /// A spot nobody resolved ahead, in an object whose root was (the pipeline resolves
    /// every object's root when the report reads the text): its document is parsed
    /// alone, from the line that root starts on, once. None when that is not possible or
    /// does not read as the second pass read it (a `List`'s item, a document that only
    /// parses in its stream), for [`Locator::spot`] to parse the piece.
    fn spot_in_document(&self, object: usize, origin: &Origin, path: &str) -> Option<Spot> {
        if !origin.prefix.is_empty() {
            return None;
        }
        let root = self.places.get(object, "")?.position;
        let key = (origin.file, root.line as usize);
        let cached = self
            .documents
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned();
        let tree = match cached {
            Some(tree) => tree,
            None => {
                let text = &self.files.get(origin.file)?.text;
                let start = *self.line_starts(origin.file).get(key.1.checked_sub(1)?)?;
                let tree = yaml::parse_first(&text[start..], &Limits::default())
                    .and_then(|document| document.spans)
                    // Its root where the second pass found it: the same document.
                    .filter(|tree| {
                        spot_at(tree, "").position == Position::new(1, root.column as usize)
                    })
                    .map(Arc::new);
                self.documents
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(key, tree.clone());
                tree
            }
        }?;
        let mut spot = spot_at(&tree, path);
        spot.position.line += root.line - 1;
        Some(spot)
    }

    /// A spot nobody resolved ahead: its piece (or its file, if it was not cut) is parsed
    /// again, once, with positions.
    fn spot(&self, origin: &Origin, path: &str) -> Option<Spot> {
        let file = self.files.get(origin.file)?;
        let cut = self.places.cut_of(origin.file, origin.document);
        let cut = cut.unwrap_or(Cut {
            file: origin.file,
            start: 0,
            end: file.text.len(),
            lines_before: 0,
            first_document: 0,
        });
        let mut spans = self.spans.lock().unwrap_or_else(|e| e.into_inner());
        let docs = spans.entry((cut.file, cut.start)).or_insert_with(|| {
            let wanted = self.wanted.get(&cut.file);
            let mut docs = HashMap::new();
            let text = file.text.get(cut.start..cut.end).unwrap_or_default();
            yaml::parse_each(text, SpanMode::Record, &Limits::default(), |d| {
                let index = cut.first_document + d.index;
                if wanted.is_some_and(|w| w.contains(&index)) {
                    if let Some(spans) = d.spans {
                        docs.insert(index, spans);
                    }
                }
            });
            docs
        });
        let root = docs.get(&origin.document)?;
        let mut spot = spot_at(root, &format!("{}{}", origin.prefix, path));
        spot.position.line += cut.lines_before;
        Some(spot)
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

    /// Where each line of a file starts.
    fn line_starts(&self, file: usize) -> &[usize] {
        let text = &self.files[file].text;
        self.line_starts[file].get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
                .collect()
        })
    }

    fn byte_span(&self, file: usize, position: Position, chars: u32) -> (usize, usize) {
        let text = &self.files[file].text;
        let starts = self.line_starts(file);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn spot(line: usize) -> Spot {
        Spot {
            position: Position::new(line, 1),
            len: 1,
            exact: true,
        }
    }

    #[test]
    fn a_place_is_found_among_its_objects_spots_only() {
        // Unordered, with an object that has no spots (1) and one asked twice (3).
        let places = Places::new(vec![
            (3, "/spec".into(), spot(30)),
            (0, "/spec/replicas".into(), spot(1)),
            (2, "".into(), spot(20)),
            (0, "".into(), spot(2)),
            (3, "/spec".into(), spot(30)),
            (3, "/metadata".into(), spot(31)),
        ]);
        let line = |object, path| places.get(object, path).map(|s| s.position.line);
        assert_eq!(line(0, "/spec/replicas"), Some(1));
        assert_eq!(line(0, ""), Some(2));
        assert_eq!(line(1, ""), None);
        assert_eq!(line(2, ""), Some(20));
        assert_eq!(line(2, "/spec"), None);
        assert_eq!(line(3, "/spec"), Some(30));
        assert_eq!(line(3, "/metadata"), Some(31));
        assert_eq!(line(4, ""), None);
        assert_eq!(Places::default().get(0, ""), None);
    }
}
