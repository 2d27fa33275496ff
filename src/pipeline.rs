//! The CLI's way through a set of files: what [`crate::lint_all`] finds on what
//! [`crate::load::load_with`] reads, without ever holding the set typed at once.
//!
//! A typed object is kilobytes, and what cross-object rules read of the others is the
//! catalog's small projection. So a first pass reads every file, keeps of each object its
//! name, origin and projection, and drops it; a second pass reads the files again and
//! lints each object against the index of the whole set, resolving the positions of its
//! findings while its document's positions are at hand, so the report rarely parses a
//! file a third time. Large files are cut at document markers so that both cores share
//! them. Both passes see the same objects in the same order, so indexes agree.
//!
//! The first pass reads text skimmed of what outlines leave out ([`crate::load::skim`]): a
//! guess the second pass checks, document by document, by outline fingerprints, as it
//! reads the text whole. Both read with the loader's reader of plain YAML
//! ([`crate::load::plain`]), and saphyr-parser where it gives up.
//!
//! When the report does not quote the text (`keep_text`), the second pass lets it go as it
//! goes: a file in one piece once its objects are linted, a file cut into pieces as soon as
//! the first pass is done, its pieces then read again from disk and checked against what
//! the first pass read.

use std::hash::BuildHasher;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use crate::config::Config;
use crate::engine::{lint_object, Linted};
use crate::exempt::Date;
use crate::load::collect::{document_objects, load_objects};
use crate::load::render::RenderOptions;
use crate::load::skim::skim;
use crate::load::span::SpanTree;
use crate::load::yaml::{self, outline_fingerprint, SpanMode};
use crate::load::{read_or_render, split, InputError, Limits, Position, SourceFile};
use crate::objects::catalog::Entry;
use crate::objects::index::Index;
use crate::objects::{Object, ObjectRef, Origin};
use crate::report::{asks, spot_at, Cut, Places, Spot};

/// What to check, and how.
pub struct CheckInput<'a> {
    /// Files (and kustomization or chart directories), as [`crate::load::discover`] lists them.
    pub files: &'a [PathBuf],
    /// Counterparts seen by cross-object rules but never reported on.
    pub context: &'a [Object],
    pub default_namespace: &'a str,
    pub limits: &'a Limits,
    pub render: &'a RenderOptions,
    pub config: &'a Config,
    pub today: Date,
    /// Files larger than twice this are cut into pieces of about this size.
    pub piece_bytes: usize,
    /// Whether the report reads the files' text: snippets, and places the second pass did
    /// not resolve. Without it, the text of a file read from disk goes during the second
    /// pass, as the module's documentation says.
    pub keep_text: bool,
}

/// Pieces of this size keep both cores busy on one large file while the positions of a
/// piece's documents, held until the piece is linted, stay a few megabytes.
pub const PIECE_BYTES: usize = 256 * 1024;

/// The same findings as loading the files and linting the objects, with the objects
/// reduced to what a report needs.
#[derive(Debug, Default)]
pub struct Checked {
    /// Without `keep_text`, a file read from disk comes back with an empty text, unless a
    /// mistake in it had it read whole.
    pub files: Vec<SourceFile>,
    pub objects: Vec<ObjectRef>,
    pub linted: Linted,
    /// Where the findings (and the related objects in the same piece) point.
    pub places: Places,
    pub errors: Vec<InputError>,
    /// Documents passed over: not Kubernetes objects, or kinds without rules.
    pub skipped: usize,
}

/// A run of whole documents of one file.
struct Piece {
    file: usize,
    start: usize,
    end: usize,
    /// Lines before the piece in its file.
    lines_before: u32,
    /// Index in the file of the piece's first document.
    first_document: usize,
    /// Index in the set of the piece's first object.
    first_object: usize,
    /// What the first pass's outlines said of the piece; None when its file was read whole.
    outlined: Option<Outlined>,
    /// A fingerprint of the piece's text, for a piece of a file whose text may go before
    /// the second pass: what that pass reads again from disk must be what the first read.
    text: Option<u64>,
}

/// What the second pass checks of a piece against the first pass's outlines of it.
#[derive(Debug, PartialEq)]
struct Outlined {
    objects: usize,
    /// Documents, empty ones included.
    documents: usize,
    /// Each document's index in the piece and the fingerprint of its outline.
    fingerprints: Vec<(usize, u64)>,
}

/// What the first pass keeps of a piece.
#[derive(Default, Clone)]
struct Seen {
    objects: Vec<(ObjectRef, Option<Entry>)>,
    documents: usize,
    fingerprints: Vec<(usize, u64)>,
    skipped: usize,
    /// A parse or object error: the file is read again whole, so that errors read exactly as
    /// they would without the cut.
    failed: bool,
    /// The piece's text fingerprint, as [`Piece::text`].
    text: Option<u64>,
}

pub fn check(input: &CheckInput<'_>) -> Checked {
    check_between(input, || {})
}

/// `between` runs in each try after the first pass has let go of the text: where a test
/// changes a file under the pipeline's feet.
fn check_between(input: &CheckInput<'_>, mut between: impl FnMut()) -> Checked {
    let read: Vec<Result<SourceFile, InputError>> = input
        .files
        .par_iter()
        .map(|path| read_or_render(path, input.limits, input.render))
        .collect();
    let mut files = Vec::new();
    // Per input, in order: the error that kept it from being read, or its file's index.
    let mut inputs = Vec::with_capacity(read.len());
    for result in read {
        inputs.push(match result {
            Ok(file) => {
                files.push(file);
                Ok(files.len() - 1)
            }
            Err(err) => Err(err),
        });
    }
    let paths: Vec<&Path> = input
        .files
        .iter()
        .zip(&inputs)
        .filter(|(_, read)| read.is_ok())
        .map(|(path, _)| path.as_path())
        .collect();
    // Files read whole, as `load` reads them: those with a mistake somewhere.
    let mut whole = vec![false; files.len()];
    // What kept a file from being read again for another try.
    let mut lost: Vec<Option<InputError>> = vec![None; files.len()];
    loop {
        let first = first_pass(&files, &mut whole, input);
        let texts = release(&mut files, &paths, &first.pieces, &whole, input.keep_text);
        between();
        let index = Index::from_entries(first.set, input.context, None);
        let second = gathered(
            &first.pieces,
            |piece| match &texts[piece.file] {
                Text::Held => {
                    let text = &files[piece.file].text[piece.start..piece.end];
                    second_pass(piece, text, &index, input)
                }
                Text::Lent(text) => {
                    let mut text = text.lock().unwrap_or_else(PoisonError::into_inner);
                    let text = std::mem::take(&mut *text);
                    second_pass(piece, &text[piece.start..piece.end], &index, input)
                }
                Text::OnDisk => match read_again(paths[piece.file], piece) {
                    Some(text) => second_pass(piece, &text, &index, input),
                    None => Second::inconsistent(),
                },
            },
            Second::clone,
        );
        // A mistake where outlines do not look, or a file changed since it was read: read
        // that file whole, and start again.
        let mut again = false;
        for (piece, second) in first.pieces.iter().zip(&second) {
            if second.inconsistent {
                whole[piece.file] = true;
                again = true;
            }
        }
        if again {
            let gone = texts.iter().enumerate();
            for (file, _) in gone.filter(|(_, text)| !matches!(text, Text::Held)) {
                match read_or_render(paths[file], input.limits, input.render) {
                    Ok(read) => {
                        files[file] = read;
                        lost[file] = None;
                    }
                    Err(err) => lost[file] = Some(err),
                }
            }
            continue;
        }
        // Not needed past the rules: its memory goes before the findings are gathered.
        drop(index);
        let mut checked = Checked {
            objects: first.objects,
            skipped: first.skipped,
            ..Checked::default()
        };
        // Errors in the inputs' order, as `load` lists them.
        let mut by_file = first.errors;
        for input in inputs {
            match input {
                Err(err) => checked.errors.push(err),
                Ok(file) => {
                    checked.errors.extend(lost[file].take());
                    checked.errors.append(&mut by_file[file]);
                }
            }
        }
        // Sized once: the findings of a large set are most of what stays in memory.
        let count = |f: fn(&Second) -> usize| second.iter().map(f).sum::<usize>();
        checked.linted.findings = Vec::with_capacity(count(|s| s.linted.findings.len()));
        checked.linted.suppressed = Vec::with_capacity(count(|s| s.linted.suppressed.len()));
        let mut spots = Vec::with_capacity(count(|s| s.spots.len()));
        for piece in second {
            checked.linted.findings.extend(piece.linted.findings);
            checked.linted.suppressed.extend(piece.linted.suppressed);
            spots.extend(piece.spots);
        }
        // Where files were cut, for the places the report finds itself: of related
        // objects in another piece.
        let mut cuts = Vec::new();
        for pieces in first.pieces.chunk_by(|a, b| a.file == b.file) {
            if pieces.len() > 1 {
                cuts.extend(pieces.iter().map(|piece| Cut {
                    file: piece.file,
                    start: piece.start,
                    end: piece.end,
                    lines_before: piece.lines_before,
                    first_document: piece.first_document,
                }));
            }
        }
        checked.places = Places::new(spots).with_cuts(cuts);
        checked.files = files;
        return checked;
    }
}

/// Where the second pass finds a file's text.
enum Text {
    /// In the file, for the report (or because it cannot be read again).
    Held,
    /// Taken by the second pass, which lets it go once the file's one piece is linted.
    Lent(Mutex<String>),
    /// Gone after the first pass: each piece is read again from disk.
    OnDisk,
}

/// Unless the report reads the text, lets it go as soon as nothing needs it: most of a
/// run's memory is the text, the index and the findings, and two of them are enough at
/// once. A file in one piece goes once the second pass has linted it; a file cut into
/// pieces goes now, and the second pass reads each piece again from disk. A file read
/// whole (one with a mistake) keeps its text, and so does standard input, which cannot be
/// read again.
fn release(
    files: &mut [SourceFile],
    paths: &[&Path],
    pieces: &[Piece],
    whole: &[bool],
    keep_text: bool,
) -> Vec<Text> {
    let mut cut = vec![false; files.len()];
    for piece in pieces.iter().filter(|p| p.text.is_some()) {
        cut[piece.file] = true;
    }
    let mut texts = Vec::with_capacity(files.len());
    for (file, source) in files.iter_mut().enumerate() {
        let path = paths[file];
        texts.push(if keep_text || whole[file] || path.as_os_str() == "-" {
            Text::Held
        } else if !cut[file] {
            Text::Lent(Mutex::new(std::mem::take(&mut source.text)))
        } else if path.is_file() {
            source.text = String::new();
            Text::OnDisk
        } else {
            // A chart or kustomization is rendered again if need be, but its pieces are
            // not on disk.
            Text::Held
        });
    }
    texts
}

/// A piece of a file whose text went after the first pass, as the first pass read it; None
/// when the file cannot be read or has changed since.
fn read_again(path: &Path, piece: &Piece) -> Option<String> {
    let mut file = std::fs::File::open(path).ok()?;
    file.seek(SeekFrom::Start(piece.start as u64)).ok()?;
    let mut bytes = vec![0; piece.end - piece.start];
    file.read_exact(&mut bytes).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    (Some(text_fingerprint(&text)) == piece.text).then_some(text)
}

fn text_fingerprint(text: &str) -> u64 {
    foldhash::fast::FixedState::with_seed(0).hash_one(text)
}

/// What the first pass found in every file.
#[derive(Default)]
struct First {
    objects: Vec<ObjectRef>,
    /// The projections, by index in `objects`.
    set: Vec<(usize, Entry)>,
    /// The pieces the second pass reads, with their first document and object.
    pieces: Vec<Piece>,
    /// Per file, what kept its documents or objects from loading.
    errors: Vec<Vec<InputError>>,
    skipped: usize,
}

/// Reads outlines of the files' pieces in parallel; a file with a mistake is read again
/// whole (and marked so), so that its errors read exactly as `load` reports them.
fn first_pass(files: &[SourceFile], whole: &mut [bool], input: &CheckInput<'_>) -> First {
    let mut pieces = Vec::new();
    for (file, source) in files.iter().enumerate() {
        let text = &source.text;
        let cut = match whole[file] {
            true => None,
            false => split::pieces(text, input.piece_bytes),
        };
        let mut start = 0;
        let mut lines_before = 0;
        for piece in cut.unwrap_or_else(|| vec![&text[..]]) {
            pieces.push(Piece {
                file,
                start,
                end: start + piece.len(),
                lines_before,
                first_document: 0,
                first_object: 0,
                outlined: None,
                text: None,
            });
            start += piece.len();
            lines_before += bytecount(piece.as_bytes(), b'\n');
        }
    }
    let seen = gathered(
        &pieces,
        |piece| (!whole[piece.file]).then(|| outline(piece, &files[piece.file].text, input)),
        Option::clone,
    );

    let mut first = First {
        errors: vec![Vec::new(); files.len()],
        ..First::default()
    };
    // Sized once: the objects' names stay to the end of the run, and a vector grown by
    // doubling can leave a third of its room unused.
    let outlined = seen.iter().flatten().map(|s| s.objects.len()).sum();
    first.objects.reserve_exact(outlined);
    let mut seen = seen.into_iter().zip(pieces).peekable();
    for (file, source) in files.iter().enumerate() {
        let mut mine = Vec::new();
        while let Some(next) = seen.next_if(|(_, p)| p.file == file) {
            mine.push(next);
        }
        let documents: usize = mine.iter().flat_map(|(s, _)| s).map(|s| s.documents).sum();
        whole[file] |= mine
            .iter()
            .any(|(s, _)| s.as_ref().is_none_or(|s| s.failed))
            || documents > input.limits.max_documents;
        if whole[file] {
            let first_object = first.objects.len();
            let (objects, errors, skipped) =
                load_objects(source, input.default_namespace, input.limits);
            first.errors[file] = errors;
            first.skipped += skipped;
            for object in &objects {
                first.add(file, 0, projected(object));
            }
            first.pieces.push(Piece {
                file,
                start: 0,
                end: source.text.len(),
                lines_before: 0,
                first_document: 0,
                first_object,
                outlined: None,
                text: None,
            });
            continue;
        }
        let mut first_document = 0;
        for (s, mut piece) in mine {
            let s = s.unwrap_or_default();
            piece.first_document = first_document;
            piece.first_object = first.objects.len();
            piece.outlined = Some(Outlined {
                objects: s.objects.len(),
                documents: s.documents,
                fingerprints: s.fingerprints,
            });
            piece.text = s.text;
            first.skipped += s.skipped;
            for object in s.objects {
                first.add(file, first_document, object);
            }
            first_document += s.documents;
            first.pieces.push(piece);
        }
    }
    first
}

impl First {
    fn add(
        &mut self,
        file: usize,
        first_document: usize,
        (mut object, entry): (ObjectRef, Option<Entry>),
    ) {
        if let Some(origin) = &mut object.origin {
            origin.file = file;
            origin.document += first_document;
        }
        if let Some(entry) = entry {
            self.set.push((self.objects.len(), entry));
        }
        self.objects.push(object);
    }
}

/// What the first pass keeps of an object.
fn projected(object: &Object) -> (ObjectRef, Option<Entry>) {
    (ObjectRef::from(object), Entry::from_object(object))
}

/// The objects of a piece, from outlines of its documents.
fn outline(piece: &Piece, text: &str, input: &CheckInput<'_>) -> Seen {
    let mut seen = Seen::default();
    let cut = piece.end - piece.start < text.len();
    let text = &text[piece.start..piece.end];
    if cut && !input.keep_text {
        seen.text = Some(text_fingerprint(text));
    }
    // Skimming is a guess that the second pass checks against every document's outline.
    let text = skim(text);
    let mut fingerprints = Vec::new();
    let (errors, documents) = yaml::parse_outlines(&text, input.limits, |doc| {
        let document = doc.index;
        fingerprints.push((document, outline_fingerprint(&doc.value)));
        seen.skipped +=
            document_objects(
                doc.value,
                input.default_namespace,
                |found, prefix| match found {
                    Ok(mut object) => {
                        object.origin = Some(Origin {
                            file: 0,
                            document,
                            prefix,
                        });
                        seen.objects.push(projected(&object));
                    }
                    Err(_) => seen.failed = true,
                },
            );
    });
    seen.documents = documents;
    seen.fingerprints = fingerprints;
    seen.failed |= !errors.is_empty();
    seen
}

/// An object of a piece, for resolving positions once the piece is linted.
struct Linting {
    document: usize,
    prefix: String,
}

/// What the second pass found in a piece.
#[derive(Clone)]
struct Second {
    linted: Linted,
    spots: Vec<(usize, Box<str>, Spot)>,
    /// The piece, read whole, is not what its outlines said (a mistake inside what they
    /// leave out): its file must be read again whole.
    inconsistent: bool,
}

impl Second {
    fn inconsistent() -> Self {
        Second {
            linted: Linted::default(),
            spots: Vec::new(),
            inconsistent: true,
        }
    }
}

/// Lints the objects of `text`, the piece's text.
fn second_pass(piece: &Piece, text: &str, index: &Index<'_>, input: &CheckInput<'_>) -> Second {
    let mut linted = Linted::default();
    let mut documents: Vec<Option<SpanTree>> = Vec::new();
    let mut mine: Vec<Linting> = Vec::new();
    let mut failed = false;
    let said = piece.outlined.as_ref();
    let mut fingerprints = said.map(|_| Vec::new());
    // A whole file's errors were reported by the first pass, which saw the same objects.
    let (errors, count) = yaml::parse_each(text, SpanMode::Record, input.limits, |doc| {
        let document = doc.index;
        if let Some(fingerprints) = &mut fingerprints {
            fingerprints.push((document, outline_fingerprint(&doc.value)));
        }
        document_objects(
            doc.value,
            input.default_namespace,
            |found, prefix| match found {
                Ok(object) => {
                    let at = piece.first_object + mine.len();
                    lint_object(&object, at, index, input.config, input.today, &mut linted);
                    mine.push(Linting { document, prefix });
                }
                Err(_) => failed = true,
            },
        );
        documents.resize_with(documents.len().max(document + 1), || None);
        documents[document] = doc.spans;
    });
    let read = Outlined {
        objects: mine.len(),
        documents: count,
        fingerprints: fingerprints.unwrap_or_default(),
    };
    if said.is_some_and(|said| failed || !errors.is_empty() || *said != read) {
        return Second::inconsistent();
    }
    let objects_here = piece.first_object..piece.first_object + mine.len();
    let mut spots = Vec::new();
    let mut resolve = |object: usize, path: &str| {
        if !objects_here.contains(&object) {
            // In another piece: the report parses that file again for it.
            return;
        }
        let at = &mine[object - piece.first_object];
        let Some(Some(root)) = documents.get(at.document) else {
            return;
        };
        let mut spot = spot_at(root, &format!("{}{path}", at.prefix));
        spot.position = Position {
            line: spot.position.line + piece.lines_before,
            ..spot.position
        };
        spots.push((object, Box::from(path), spot));
    };
    for (object, path) in asks(&linted.findings, &linted.suppressed) {
        resolve(object, path);
    }
    if input.keep_text {
        // Where each object's document starts, so that a report that places a related
        // object in another piece parses that document alone, not the piece.
        for (i, at) in mine.iter().enumerate() {
            if at.prefix.is_empty() {
                resolve(piece.first_object + i, "");
            }
        }
    }
    Second {
        linted,
        spots,
        inconsistent: false,
    }
}

/// `work` on every piece in parallel, each result copied by `keep` on the calling thread
/// as it arrives, in the pieces' order.
///
/// What the passes return lives to the end of the run. Made on a worker, it sits in that
/// worker's heap among the parse's short-lived values, and keeps their pages resident
/// after the parse frees them. Copied on the calling thread, which is idle while the pool
/// works, it is packed together and sized to fit, and the workers' pages empty out once
/// the originals are dropped: peak RSS at 10,000 apps falls from 101 to 94 MB
/// (BENCHMARKS.md).
fn gathered<T: Send, U>(
    pieces: &[Piece],
    work: impl Fn(&Piece) -> T + Sync,
    keep: impl Fn(&T) -> U,
) -> Vec<U> {
    let (results, arrived) = std::sync::mpsc::channel();
    let mut kept: Vec<Option<U>> = std::iter::repeat_with(|| None).take(pieces.len()).collect();
    std::thread::scope(|scope| {
        let work = &work;
        scope.spawn(move || {
            let batch = Batch {
                results,
                items: Vec::new(),
                bytes: 0,
            };
            pieces
                .par_iter()
                .enumerate()
                .for_each_with(batch, |batch, (i, piece)| {
                    batch.add(i, work(piece), piece.end - piece.start);
                });
        });
        for batch in arrived {
            for (i, result) in batch {
                kept[i] = Some(keep(&result));
            }
        }
    });
    kept.into_iter().flatten().collect()
}

/// Results on their way to the calling thread, sent once they stand for a piece's worth
/// of text: waking that thread for each of a thousand small files costs more than the
/// copies do.
struct Batch<T> {
    results: std::sync::mpsc::Sender<Vec<(usize, T)>>,
    items: Vec<(usize, T)>,
    /// Bytes of the pieces the items came from.
    bytes: usize,
}

impl<T> Batch<T> {
    fn add(&mut self, i: usize, result: T, bytes: usize) {
        self.items.push((i, result));
        self.bytes += bytes;
        if self.bytes >= PIECE_BYTES {
            self.send();
        }
    }

    fn send(&mut self) {
        if !self.items.is_empty() {
            // The receiver goes away only if the calling thread panicked.
            let _ = self.results.send(std::mem::take(&mut self.items));
        }
        self.bytes = 0;
    }
}

/// Each of the pool's splits starts an empty batch of its own.
impl<T> Clone for Batch<T> {
    fn clone(&self) -> Self {
        Batch {
            results: self.results.clone(),
            items: Vec::new(),
            bytes: 0,
        }
    }
}

/// What a split leaves in its batch is sent when the split ends.
impl<T> Drop for Batch<T> {
    fn drop(&mut self) {
        self.send();
    }
}

fn bytecount(bytes: &[u8], byte: u8) -> u32 {
    bytes.iter().filter(|&&b| b == byte).count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{lint_all, Finding, LintInput};
    use crate::load;
    use crate::report::{Format, Report, Style};

    fn app(i: usize) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web{i}, namespace: ns{n}}}\n\
             spec:\n  replicas: {r}\n  selector: {{matchLabels: {{app: web{i}}}}}\n  template:\n    \
             metadata: {{labels: {{app: web{i}}}}}\n    spec:\n      containers: [{{name: c, image: x}}]\n---\n\
             apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web{i}, namespace: ns{n}}}\n\
             spec: {{minAvailable: {m}, selector: {{matchLabels: {{app: web{i}}}}}}}\n---\n",
            n = i % 3,
            r = i % 4,
            m = if i.is_multiple_of(5) { "100%" } else { "1" },
        )
    }

    /// The pipeline against loading everything and linting it at once; the names of the
    /// files whose text went when the report does not read it.
    fn same_as_load(files: &[(&str, String)]) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        same_as_load_in(dir.path())
    }

    /// The places in its own object that a finding's report names.
    fn own(f: &Finding) -> impl Iterator<Item = &str> {
        let lapsed = f.lapsed.as_ref().map(|e| e.path.as_str());
        [Some(f.path.as_str()), lapsed].into_iter().flatten()
    }

    /// What the tests check with: the defaults, and a fixed date.
    struct Setup {
        config: Config,
        limits: Limits,
        render: RenderOptions,
        today: Date,
    }

    impl Setup {
        fn new() -> Self {
            Setup {
                config: Config::default(),
                limits: Limits::default(),
                render: RenderOptions::default(),
                today: Date::from_unix_days(20_000),
            }
        }

        fn input<'a>(
            &'a self,
            files: &'a [PathBuf],
            piece_bytes: usize,
            keep_text: bool,
        ) -> CheckInput<'a> {
            CheckInput {
                files,
                context: &[],
                default_namespace: "default",
                limits: &self.limits,
                render: &self.render,
                config: &self.config,
                today: self.today,
                piece_bytes,
                keep_text,
            }
        }

        /// What the pipeline is held to: the files loaded, and the set linted at once.
        fn loaded(&self, paths: &[PathBuf]) -> (load::Loaded, Linted) {
            let loaded = load::load(paths, "default", &self.limits);
            let linted = lint_all(&LintInput {
                objects: &loaded.objects,
                context: &[],
                cluster: None,
                config: &self.config,
                today: self.today,
            });
            (loaded, linted)
        }
    }

    fn same_as_load_in(dir: &std::path::Path) -> Vec<String> {
        let (paths, _) = load::discover(&[dir.to_path_buf()]);
        let setup = Setup::new();
        let (loaded, linted) = setup.loaded(&paths);
        assert!(linted.findings.len() > 100);
        let refs: Vec<ObjectRef> = loaded.objects.iter().map(ObjectRef::from).collect();
        let mut released = Vec::new();
        for keep_text in [true, false] {
            let checked = check(&setup.input(&paths, 2048, keep_text));
            assert_eq!(checked.objects, refs);
            assert_eq!(checked.linted.findings, linted.findings);
            assert_eq!(checked.linted.suppressed, linted.suppressed);
            assert_eq!(checked.errors, loaded.errors);
            assert_eq!(checked.skipped, loaded.skipped);
            assert_eq!(checked.files.len(), loaded.files.len());
            for (read, whole) in checked.files.iter().zip(&loaded.files) {
                assert_eq!(read.name, whole.name);
                if read.text != whole.text {
                    assert!(!keep_text && read.text.is_empty(), "{}", read.name);
                    released.push(read.name.clone());
                }
            }
            if keep_text {
                // Every report reads as it does on the loaded set, where each place is found
                // by parsing its whole file: SARIF's related objects in another piece too.
                let report = |files, objects, places, linted: &'_ Linted, format| {
                    let mut out = Vec::new();
                    Report {
                        files,
                        objects,
                        places,
                        findings: &linted.findings,
                        errors: &loaded.errors,
                        skipped: loaded.skipped,
                        suppressed: Some(&linted.suppressed),
                    }
                    .write(format, Style::default(), &mut out)
                    .unwrap();
                    String::from_utf8(out).unwrap()
                };
                let whole = Places::default();
                for format in [Format::Sarif, Format::Human, Format::Json] {
                    let (places, found) = (&checked.places, &checked.linted);
                    assert_eq!(
                        report(&checked.files, &checked.objects, places, found, format),
                        report(&loaded.files, &refs, &whole, &linted, format),
                    );
                }
            } else {
                // What the reports that do not read the text ask for was resolved ahead.
                for f in &checked.linted.findings {
                    for path in own(f) {
                        assert!(checked.places.get(f.object, path).is_some(), "{path}");
                    }
                }
                for s in &checked.linted.suppressed {
                    for path in own(&s.finding).chain([s.exemption.path.as_str()]) {
                        assert!(checked.places.get(s.finding.object, path).is_some());
                    }
                }
            }
        }
        released
    }

    #[test]
    fn two_passes_find_what_lint_finds_on_the_loaded_set() {
        let released = same_as_load(&[
            ("big.yaml", (0..400).map(app).collect()),
            ("small.yaml", app(7)),
            ("bad.yaml", "a: [\n".into()),
        ]);
        // A file with a mistake keeps its text.
        assert_eq!(released.len(), 2);
        assert!(released[0].ends_with("big.yaml") && released[1].ends_with("small.yaml"));
    }

    #[test]
    fn errors_come_in_the_inputs_order() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes);
        write("a-bad.yaml", b"a: [\n").unwrap();
        write("b-latin1.yaml", b"kind: \xe9\n").unwrap();
        write("c-bad.yaml", b"b: {\n").unwrap();
        write("d.yaml", (0..200).map(app).collect::<String>().as_bytes()).unwrap();
        same_as_load_in(dir.path());
    }

    #[test]
    fn empty_documents_at_the_cuts_keep_the_documents_indexes() {
        // Empty documents are never handed over but count in the indexes of those after.
        // A run of them longer than a piece: cuts land inside it.
        let big: String = (0..400)
            .map(|i| {
                app(i)
                    + if i == 200 {
                        "---\n".repeat(1500)
                    } else {
                        String::new()
                    }
                    .as_str()
            })
            .collect();
        same_as_load(&[("big.yaml", big)]);
    }

    #[test]
    fn mistakes_where_outlines_do_not_look_are_reported_as_load_reports_them() {
        let mut big: String = (0..200).map(app).collect();
        // Inside pod specs, which outlines leave out: a wrong type and a duplicate key.
        big.push_str(&app(900).replace("image: x", "image: x, ports: oops"));
        big.push_str(&(200..300).map(app).collect::<String>());
        big.push_str(&app(901).replace("name: c,", "name: c, name: d,"));
        big.push_str(&(300..400).map(app).collect::<String>());
        // Cut and let go at first, then read again whole from disk, and kept.
        let released = same_as_load(&[("big.yaml", big), ("small.yaml", app(7))]);
        assert!(released.len() == 1 && released[0].ends_with("small.yaml"));
    }

    /// Files changed and removed between the passes: every file is read again and both
    /// passes see what is on disk then, as if it had been there from the start.
    #[test]
    fn files_changed_between_the_passes_are_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let (big, gone) = (dir.path().join("big.yaml"), dir.path().join("gone.yaml"));
        let text: String = (0..100).map(app).collect();
        std::fs::write(&big, &text).unwrap();
        std::fs::write(&gone, &text).unwrap();
        let changed = text.replacen("replicas: 1", "replicas: 3", 1);
        let setup = Setup::new();
        let files = [big.clone(), gone.clone()];
        let mut tries = 0;
        let checked = check_between(&setup.input(&files, 2048, false), || {
            if tries == 0 {
                std::fs::write(&big, &changed).unwrap();
                std::fs::remove_file(&gone).unwrap();
            }
            tries += 1;
        });
        assert_eq!(tries, 2);
        let (_, linted) = setup.loaded(&files[..1]);
        assert_eq!(checked.linted.findings, linted.findings);
        assert_eq!(checked.errors.len(), 1);
        let error = &checked.errors[0];
        assert!(error.file.ends_with("gone.yaml") && error.message.starts_with("cannot read"));
        // The second try read the changed file whole, and kept it.
        assert_eq!(checked.files[0].text, changed);
    }

    /// A file can change between the passes (a checkout, an editor's save): a piece read
    /// again must be byte for byte what the first pass read, or the file is read again.
    #[test]
    fn a_piece_read_again_is_what_the_first_pass_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        let text: String = (0..100).map(app).collect();
        std::fs::write(&path, &text).unwrap();
        let setup = Setup::new();
        let input = setup.input(&[], 2048, false);
        let mut files = [SourceFile {
            name: "big.yaml".into(),
            text: text.clone(),
        }];
        let first = first_pass(&files, &mut [false], &input);
        let texts = release(&mut files, &[&path], &first.pieces, &[false], false);
        assert!(matches!(texts[..], [Text::OnDisk]));
        assert!(files[0].text.is_empty() && first.pieces.len() > 5);
        let read = |path: &Path| {
            first
                .pieces
                .iter()
                .map(|piece| read_again(path, piece).is_some())
                .collect::<Vec<_>>()
        };
        assert!(read(&path).iter().all(|&same| same));
        // The same length, one field changed: only its piece differs.
        std::fs::write(&path, text.replacen("replicas: 1", "replicas: 2", 1)).unwrap();
        assert_eq!(read(&path).iter().filter(|&&same| !same).count(), 1);
        std::fs::remove_file(&path).unwrap();
        assert!(read(&path).iter().all(|&same| !same));
        // Standard input cannot be read again.
        let mut stdin = [SourceFile {
            name: "-".into(),
            text,
        }];
        let first = first_pass(&stdin, &mut [false], &input);
        let texts = release(
            &mut stdin,
            &[Path::new("-")],
            &first.pieces,
            &[false],
            false,
        );
        assert!(matches!(texts[..], [Text::Held]));
    }

    /// Results come back in the pieces' order whatever order the pool finishes them in,
    /// and every copy is made on the calling thread, where what stays is packed together:
    /// for large pieces sent one at a time, and for small ones a batch at a time.
    #[test]
    fn gathered_results_are_copied_on_the_calling_thread_in_order() {
        let caller = std::thread::current().id();
        for bytes in [PIECE_BYTES, 100] {
            let pieces: Vec<Piece> = (0..2_000)
                .map(|i| Piece {
                    file: i,
                    start: 0,
                    end: bytes,
                    lines_before: 0,
                    first_document: 0,
                    first_object: 0,
                    outlined: None,
                    text: None,
                })
                .collect();
            let doubled = gathered(
                &pieces,
                |piece| {
                    // Uneven work, so that later pieces often finish first.
                    std::hint::black_box((0..(2_000 - piece.file as u64) * 50).sum::<u64>());
                    piece.file * 2
                },
                |&result| {
                    assert_eq!(std::thread::current().id(), caller);
                    result
                },
            );
            assert_eq!(doubled, (0..2_000).map(|i| i * 2).collect::<Vec<_>>());
        }
        assert!(gathered(&[], |piece| piece.file, |&i| i).is_empty());
    }

    /// Whether the second pass finds `whole` to be what the first pass's outlines of
    /// `skimmed` said: the first pass reads a skimmed text, and if skimming ever took out
    /// more than left-out fields, this is what it would look like.
    fn consistent(skimmed: &str, whole: &str) -> bool {
        let setup = Setup::new();
        let input = setup.input(&[], PIECE_BYTES, true);
        let files = [SourceFile {
            name: "a.yaml".into(),
            text: skimmed.into(),
        }];
        let first = first_pass(&files, &mut [false], &input);
        let index = Index::from_entries(first.set, &[], None);
        let piece = &first.pieces[0];
        assert!(piece.outlined.is_some());
        !second_pass(piece, &whole[piece.start..piece.end], &index, &input).inconsistent
    }

    #[test]
    fn skimmed_outlines_are_checked_against_the_whole_text() {
        let text: String = (0..50).map(app).collect();
        // What skimming is for: nothing to read again.
        assert!(consistent(&text, &text));
        // An outline the whole text does not have, even where no rule would notice.
        for (from, to) in [("app: web3}", "app: web4}"), ("replicas: 1", "replicas: 5")] {
            assert!(!consistent(&text, &text.replacen(from, to, 1)), "{to}");
        }
        // What outlines leave out may differ.
        assert!(consistent(&text, &text.replacen("image: x", "image: y", 1)));
    }

    /// As `kubectl get -o yaml` writes objects: managed fields, status and the last applied
    /// configuration are most of the bytes, and skimming takes them out without a re-read.
    #[test]
    fn exported_objects_are_skimmed_and_read_once() {
        let exported = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    deployment.kubernetes.io/revision: \"3\"
    kubectl.kubernetes.io/last-applied-configuration: |
      {\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"}}
  creationTimestamp: \"2026-01-01T00:00:00Z\"
  generation: 3
  labels:
    app: web
  managedFields:
  - apiVersion: apps/v1
    fieldsType: FieldsV1
    fieldsV1:
      f:spec:
        f:replicas: {}
    manager: kubectl-client-side-apply
    operation: Update
  name: web
  namespace: shop
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - image: web:1.0
        name: web
status:
  availableReplicas: 1
  conditions:
  - lastTransitionTime: \"2026-01-01T00:00:00Z\"
    status: \"True\"
    type: Available
";
        let pdb = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: shop}\n\
                   spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}\n";
        let text = format!("{exported}---\n{pdb}");
        let skimmed = skim(&text);
        assert!(!skimmed.contains("managedFields:\n  -") && !skimmed.contains("availableReplicas"));
        assert!(!skimmed.contains("last-applied") && !skimmed.contains("containers"));
        assert!(consistent(&text, &text));
        let many: String = (0..100).map(app).collect();
        same_as_load(&[("exported.yaml", text), ("big.yaml", many)]);
    }
}
