//! `halint docs` (hidden): writes docs/rules/ from the rule data files. The docs test fails
//! when the committed pages differ from what this writes.

use std::fs;
use std::io;
use std::path::Path;

use halint::catalog;
use halint::docs;

use super::Outcome;

pub fn run(rules_dir: &Path, out: &Path) -> io::Result<Outcome> {
    let metas = match catalog::read_dir(rules_dir) {
        Ok(metas) => metas,
        Err(message) => {
            eprintln!("halint: {message}");
            return Ok(Outcome::Trouble);
        }
    };
    fs::create_dir_all(out)?;
    let pages = docs::pages(&metas);
    // Pages of rules that no longer exist go.
    for entry in fs::read_dir(out)? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.ends_with(".md") && !pages.iter().any(|(n, _)| *n == name) {
            fs::remove_file(&path)?;
        }
    }
    for (name, text) in &pages {
        fs::write(out.join(name), text)?;
    }
    eprintln!("halint: wrote {} pages to {}", pages.len(), out.display());
    Ok(Outcome::Clean)
}
