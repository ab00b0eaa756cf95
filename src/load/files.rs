//! Walking folders of the site tree safely.
//!
//! Symbolic links are the classic way out of a site tree (Hugo and neuron learned it): kitgen
//! follows a link to a file only when the file is inside the site root, never follows links to
//! folders, and reports links that leave the tree, dangle or loop. Editor leftovers (`.x.swp`,
//! `x~`, `#x#`) and hidden files are skipped.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diag::Diagnostic;

/// A file found under a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Absolute path (the link's path when the file is reached through a link).
    pub path: PathBuf,
    /// Path relative to the walked folder, with `/` separators.
    pub rel: String,
}

/// Whether a file name is hidden or an editor's temporary file.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
}

/// Lists the files under `dir`, sorted, following the rules above. Problems go to `diags`.
pub fn walk(root: &Path, dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<Found> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return out;
    }
    let canon_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let walker = WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_str().is_some_and(is_ignored));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let p = e.path().map(|p| crate::diag::rel_to(root, p)).unwrap_or_default();
                diags.push(Diagnostic::error("K010", format!("cannot read folder entry: {e}")).at(p));
                continue;
            }
        };
        let path = entry.path();
        let display = crate::diag::rel_to(root, path);
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        if ft.is_symlink() {
            match std::fs::canonicalize(path) {
                Err(_) => {
                    diags.push(
                        Diagnostic::error("K011", "symbolic link leads nowhere (broken or a loop)")
                            .at(&display)
                            .hint("remove the link or point it at a file inside the site"),
                    );
                    continue;
                }
                Ok(target) if !target.starts_with(&canon_root) => {
                    diags.push(
                        Diagnostic::error(
                            "K012",
                            format!("symbolic link leads out of the site tree, to {}", target.display()),
                        )
                        .at(&display)
                        .hint(
                            "copy the file into the site instead: kitgen never reads outside the site folder",
                        ),
                    );
                    continue;
                }
                Ok(target) if target.is_dir() => {
                    diags.push(
                        Diagnostic::warning("K013", "symbolic link to a folder is not followed")
                            .at(&display)
                            .hint("move or copy the folder into place"),
                    );
                    continue;
                }
                Ok(_) => {}
            }
        }
        let Ok(rel) = path.strip_prefix(dir) else {
            continue;
        };
        let Some(rel) = rel.to_str() else {
            diags.push(
                Diagnostic::error("K014", "file name is not valid UTF-8")
                    .at(&display)
                    .hint("rename the file"),
            );
            continue;
        };
        out.push(Found { path: path.to_path_buf(), rel: rel.replace('\\', "/") });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_editor_files() {
        assert!(is_ignored(".x.md.swp"));
        assert!(is_ignored("x.md~"));
        assert!(is_ignored("#x.md#"));
        assert!(!is_ignored("x.md"));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_tree_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::write(dir.path().join("secret.md"), "x").unwrap();
        std::fs::write(root.join("content/in.md"), "x").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.md"), root.join("content/out.md")).unwrap();
        std::os::unix::fs::symlink(root.join("content/in.md"), root.join("content/alias.md")).unwrap();
        std::os::unix::fs::symlink(root.join("content/loop.md"), root.join("content/loop.md")).unwrap();
        let mut diags = Vec::new();
        let found = walk(&root, &root.join("content"), &mut diags);
        let rels: Vec<_> = found.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["alias.md", "in.md"]);
        let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["K011", "K012"]);
    }
}
