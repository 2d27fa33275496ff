//! Reading inputs: files, directories, stdin; YAML and JSON documents with their positions.

pub mod collect;
pub mod limits;
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
        // Follow symlinks as kubectl does; a loop ends at the OS's path length limit.
        match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() && render::detect(&path).is_some() => files.push(path),
            Ok(meta) if meta.is_dir() => walk(&path, files, errors),
            Ok(_) if is_manifest(&path) => files.push(path),
            Ok(_) => {}
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
    if path.as_os_str() != "-" && path.is_dir() {
        render::render(path, options, limits)
    } else {
        read(path, limits)
    }
}

/// Reads one file (or stdin for "-") as UTF-8 text within the size limit.
pub fn read(path: &Path, limits: &Limits) -> Result<SourceFile, InputError> {
    let name = path.display().to_string();
    let fail = |position, message: String| InputError {
        file: name.clone(),
        position,
        message,
    };
    let mut bytes = Vec::new();
    let result = if path.as_os_str() == "-" {
        std::io::stdin()
            .take(limits.max_file_bytes + 1)
            .read_to_end(&mut bytes)
    } else {
        fs::File::open(path).and_then(|f| f.take(limits.max_file_bytes + 1).read_to_end(&mut bytes))
    };
    result.map_err(|err| fail(None, format!("cannot read: {err}")))?;
    // The text is kept until the report is written: not the reader's doubling slack.
    bytes.shrink_to_fit();
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(fail(
            None,
            format!("larger than {} bytes; not read", limits.max_file_bytes),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|err| {
        let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
        // `valid` is UTF-8 by construction.
        let valid = std::str::from_utf8(valid).unwrap_or_default();
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        fail(
            Some(Position::new(line, column)),
            "not UTF-8 text (Kubernetes manifests must be UTF-8)".to_string(),
        )
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
