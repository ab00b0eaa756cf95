//! Which folders kitgen may write into: never the site, its sources, the file-system root or
//! the home folder, nor a folder with files kitgen did not make (Zola once deleted a project
//! given `--output-dir ../`).

use std::path::{Path, PathBuf};

use super::{MARKER, Refusal};

/// Source folders an output folder must not be inside.
pub const SOURCE_DIRS: &[&str] =
    &["content", "data", "i18n", "themes", "templates", "static", "posters", "kits", "src", "tests", ".git"];

/// Checks that `out` may be written for the site at `root`.
pub fn check_output_dir(root: &Path, out: &Path) -> Result<(), Refusal> {
    let root = absolute(root);
    let out_abs = absolute(out);
    if out_abs == root || root.starts_with(&out_abs) {
        return Err(Refusal::ContainsSite(out.to_path_buf()));
    }
    for d in SOURCE_DIRS {
        if out_abs.starts_with(root.join(d)) {
            return Err(Refusal::InsideSources(out.to_path_buf(), d.to_string()));
        }
    }
    let home = std::env::var_os("HOME").map(|h| absolute(Path::new(&h)));
    if out_abs.parent().is_none() || home.as_deref() == Some(out_abs.as_path()) {
        return Err(Refusal::Forbidden(out.to_path_buf()));
    }
    if out_abs.is_dir() && !out_abs.join(MARKER).is_file() {
        let non_empty = std::fs::read_dir(&out_abs).map(|mut r| r.next().is_some()).unwrap_or(false);
        if non_empty {
            return Err(Refusal::NotOurs(out.to_path_buf()));
        }
    }
    Ok(())
}

/// A normalised absolute path, resolving symlinks of the part that exists.
pub(crate) fn absolute(p: &Path) -> PathBuf {
    let p =
        if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(p) };
    let mut existing = p.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut base = std::fs::canonicalize(&existing).unwrap_or(existing);
    for name in rest.into_iter().rev() {
        if name == ".." {
            base.pop();
        } else if name != "." {
            base.push(name);
        }
    }
    base
}
