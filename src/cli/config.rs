//! Finding and reading `.halint.yaml` and the custom rules it names (the file I/O; parsing
//! is the library's), and `halint config init`.

use halint::config::file::Excludes;
use halint::config::located::display;
use halint::config::{self, Config};
use halint::load::InputError;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::Outcome;

pub const FILE_NAME: &str = ".halint.yaml";

/// A config as the CLI uses it.
pub struct Loaded {
    /// The file read, if any.
    pub path: Option<PathBuf>,
    pub config: Config,
    excludes: Excludes,
    /// The config file's directory, absolute: excludes are relative to it.
    base: PathBuf,
    /// The working directory, read once: relative inputs are resolved against it.
    cwd: PathBuf,
}

/// The first `.halint.yaml` from `start` upwards, stopping at a repository root (a
/// directory with `.git`) or the filesystem root: a config outside the repository belongs
/// to something else.
pub fn discover(start: &Path) -> Option<PathBuf> {
    for dir in start.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}

/// Reads `explicit`, or the discovered file, or nothing (the defaults).
pub fn load(explicit: Option<&Path>) -> Result<Loaded, Vec<String>> {
    let cwd = std::env::current_dir()
        .map_err(|e| vec![format!("cannot read the working directory: {e}")])?;
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => discover(&cwd).map(|p| relative_to(&p, &cwd)),
    };
    let Some(path) = path else {
        return Ok(Loaded {
            path: None,
            config: Config::default(),
            excludes: Excludes::default(),
            base: cwd.clone(),
            cwd,
        });
    };
    let (file, config) = config::read::read(&path).map_err(errors)?;
    let base = normalize(&cwd.join(&path))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| cwd.clone());
    Ok(Loaded {
        excludes: file.excludes(),
        path: Some(path),
        config,
        base,
        cwd,
    })
}

fn errors(list: Vec<InputError>) -> Vec<String> {
    list.iter().map(display).collect()
}

impl Loaded {
    /// Whether a file to lint is excluded by the config's `exclude` globs.
    pub fn is_excluded(&self, file: &Path) -> bool {
        if file.as_os_str() == "-" || self.excludes.is_empty() {
            return false;
        }
        let absolute = normalize(&self.cwd.join(file));
        let Ok(relative) = absolute.strip_prefix(&self.base) else {
            return false;
        };
        let relative: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        self.excludes.is_excluded(&relative.join("/"))
    }
}

/// `a/./b/../c` → `a/c`, without touching the filesystem (symlinks stay as named).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn relative_to(path: &Path, cwd: &Path) -> PathBuf {
    path.strip_prefix(cwd)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

/// `halint config init`: writes the commented default, never over an existing file.
pub fn init(path: Option<&Path>, force: bool) -> io::Result<Outcome> {
    let path = path
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(FILE_NAME));
    if path.exists() && !force {
        eprintln!(
            "halint: {} exists; pass --force to overwrite it",
            path.display()
        );
        return Ok(Outcome::Trouble);
    }
    fs::write(&path, config::init::default_text())?;
    eprintln!("halint: wrote {}", path.display());
    Ok(Outcome::Clean)
}

/// Prints a config's errors; the outcome for a usage error.
pub fn report(errors: &[String]) -> Outcome {
    for e in errors {
        eprintln!("halint: {e}");
    }
    Outcome::Trouble
}
