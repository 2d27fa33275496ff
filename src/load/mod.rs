//! Reading inputs: files, directories, stdin; YAML and JSON documents with their positions.

pub mod collect;
pub mod limits;
pub mod plain;
pub mod render;
pub mod skim;
pub mod span;
pub mod split;
pub mod yaml;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

pub use collect::{load, load_text, load_with, Loaded};
pub use limits::Limits;

/// 1-based line and column (the column counts characters, as editors do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Position {
    pub fn new(line: usize, column: usize) -> Self {
        Position {
            line: line.min(u32::MAX as usize) as u32,
            column: column.min(u32::MAX as usize) as u32,
        }
    }
}

/// One input that was read: a file, or stdin.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// As the user named it (relative paths stay relative); "-" for stdin.
    pub name: String,
    pub text: String,
}

impl SourceFile {
    pub fn is_stdin(&self) -> bool {
        self.name == "-"
    }
}

/// An input that could not be read or parsed, with its location when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    pub position: Option<Position>,
    pub message: String,
}

/// The files a set of command-line paths names, in a stable order. Directories are walked
/// recursively for .yaml/.yml/.json files; hidden entries are skipped. A path named
/// explicitly is read whatever its extension. A kustomization or Helm chart directory is
/// listed itself, not its files: it is rendered (see [`render`]).
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            files.push(path.clone());
            continue;
        }
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() && render::detect(path).is_some() => files.push(path.clone()),
            Ok(meta) if meta.is_dir() => walk(path, &mut files, &mut errors),
            Ok(_) => files.push(path.clone()),
            Err(err) => errors.push(InputError {
                file: path.display().to_string(),
                position: None,
                message: format!("cannot read: {err}"),
            }),
        }
    }
    (files, errors)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<InputError>) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            errors.push(InputError {
                file: dir.display().to_string(),
                position: None,
                message: format!("cannot read directory: {err}"),
            });
            return;
        }
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        // The directory listing names the type; only a symlink needs a stat, to be
        // followed as kubectl follows it (a loop ends at the OS's path length limit).
        let is_dir = match entry.file_type() {
            Ok(kind) if !kind.is_symlink() => Ok(kind.is_dir()),
            _ => fs::metadata(&path).map(|meta| meta.is_dir()),
        };
        match is_dir {
            Ok(true) if render::detect(&path).is_some() => files.push(path),
            Ok(true) => walk(&path, files, errors),
            Ok(false) if is_manifest(&path) => files.push(path),
            Ok(false) => {}
            Err(err) => errors.push(InputError {
                file: path.display().to_string(),
                position: None,
                message: format!("cannot read: {err}"),
            }),
        }
    }
}

fn is_manifest(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Reads a discovered input: a file, stdin, or a directory to render.
pub fn read_or_render(
    path: &Path,
    limits: &Limits,
    options: &render::RenderOptions,
) -> Result<SourceFile, InputError> {
    if path.as_os_str() == "-" {
        return read(path, limits);
    }
    // One open and one stat per file: on a directory of small manifests the system calls
    // are a good part of reading.
    match fs::File::open(path) {
        Ok(file) => match file.metadata() {
            Ok(meta) if meta.is_dir() => render::render(path, options, limits),
            Ok(meta) => read_from(path, file, meta.len(), limits),
            Err(err) => Err(cannot_read(path, err)),
        },
        // Some systems refuse to open a directory as a file.
        Err(_) if path.is_dir() => render::render(path, options, limits),
        Err(err) => Err(cannot_read(path, err)),
    }
}

fn cannot_read(path: &Path, err: std::io::Error) -> InputError {
    InputError {
        file: path.display().to_string(),
        position: None,
        message: format!("cannot read: {err}"),
    }
}

/// Reads one file (or stdin for "-") as UTF-8 text within the size limit.
pub fn read(path: &Path, limits: &Limits) -> Result<SourceFile, InputError> {
    if path.as_os_str() == "-" {
        return read_from(path, std::io::stdin(), 0, limits);
    }
    let file = fs::File::open(path).map_err(|err| cannot_read(path, err))?;
    let len = file.metadata().map_or(0, |meta| meta.len());
    read_from(path, file, len, limits)
}

/// `len`: the size the file's stat gave, so that it is read in one call and kept without
/// the reader's doubling slack (the text stays until the report is written).
fn read_from(
    path: &Path,
    reader: impl Read,
    len: u64,
    limits: &Limits,
) -> Result<SourceFile, InputError> {
    let mut bytes = Vec::with_capacity(len.min(limits.max_file_bytes) as usize);
    reader
        .take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| cannot_read(path, err))?;
    bytes.shrink_to_fit();
    let name = path.display().to_string();
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(InputError {
            file: name,
            position: None,
            message: format!("larger than {} bytes; not read", limits.max_file_bytes),
        });
    }
    let text = String::from_utf8(bytes).map_err(|err| {
        let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
        // `valid` is UTF-8 by construction.
        let valid = std::str::from_utf8(valid).unwrap_or_default();
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        InputError {
            file: name.clone(),
            position: Some(Position::new(line, column)),
            message: "not UTF-8 text (Kubernetes manifests must be UTF-8)".to_string(),
        }
    })?;
    Ok(SourceFile { name, text })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_utf8_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.yaml");
        fs::write(&path, b"kind: Pod\nname: caf\xe9\n").unwrap();
        let err = read(&path, &Limits::default()).unwrap_err();
        assert_eq!(err.position, Some(Position::new(2, 10)));
    }

    /// Discovery takes an entry's type from the directory listing, so a symlink is the
    /// one entry it must stat: to a manifest or to a directory, it is followed.
    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        fs::create_dir(&real).unwrap();
        fs::write(real.join("a.yaml"), "kind: Pod\n").unwrap();
        fs::write(real.join("notes.txt"), "not a manifest\n").unwrap();
        let top = dir.path().join("top");
        fs::create_dir(&top).unwrap();
        std::os::unix::fs::symlink(&real, top.join("linked-dir")).unwrap();
        std::os::unix::fs::symlink(real.join("a.yaml"), top.join("linked.yaml")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("gone"), top.join("dangling.yaml")).unwrap();
        let (files, errors) = discover(std::slice::from_ref(&top));
        assert_eq!(
            files,
            [
                top.join("linked-dir").join("a.yaml"),
                top.join("linked.yaml")
            ]
        );
        assert_eq!(errors.len(), 1);
        assert!(errors[0].file.ends_with("dangling.yaml"));
    }

    #[test]
    fn oversized_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        fs::write(&path, "a: 1\n".repeat(100)).unwrap();
        let limits = Limits {
            max_file_bytes: 10,
            ..Limits::default()
        };
        assert!(read(&path, &limits)
            .unwrap_err()
            .message
            .contains("larger than"));
    }

    #[test]
    fn discovery_skips_hidden_and_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join(".git")).unwrap();
        fs::create_dir_all(dir.path().join("sub")).unwrap();
        fs::write(dir.path().join(".git/x.yaml"), "").unwrap();
        fs::write(dir.path().join("sub/a.yml"), "").unwrap();
        fs::write(dir.path().join("b.json"), "").unwrap();
        fs::write(dir.path().join("c.txt"), "").unwrap();
        let (files, errors) = discover(&[dir.path().to_path_buf()]);
        assert!(errors.is_empty());
        let names: Vec<_> = files
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["b.json", "sub/a.yml"]);
    }
}
