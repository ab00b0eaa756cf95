//! Load: read every input file into typed sources, in parallel, collecting every problem.
//!
//! Nothing here resolves cross-references: that is the model's job. Each loader keeps the path
//! and the text of what it read, so later stages can point at a line.

pub mod communes;
pub mod content;
pub mod files;
pub mod fingerprint;
pub mod fonts;
pub mod frontmatter;
pub mod i18n;
pub mod kits;
pub mod outlines;
pub mod posters;
pub mod records;
pub mod statics;
pub mod templates;

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;

/// Largest input file kitgen reads (Markdown, YAML, templates).
pub const MAX_TEXT_FILE: u64 = 8 * 1024 * 1024;

/// Checks that `path` is inside the site folder once every symbolic link is followed: kitgen
/// reads nothing outside the site, whatever the kind of file (content, data, strings, config).
pub fn inside(root: &Path, path: &Path) -> Result<(), Diagnostic> {
    let display = crate::diag::rel_to(root, path);
    let real = std::fs::canonicalize(path).map_err(|e| {
        Diagnostic::error("K001", format!("cannot read {}: {e}", display.display())).at(&display)
    })?;
    let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    if !real.starts_with(&real_root) {
        return Err(Diagnostic::error(
            "K012",
            format!("{} leads out of the site folder, to {}", display.display(), real.display()),
        )
        .at(&display)
        .hint("copy the file into the site instead: kitgen never reads outside the site folder"));
    }
    Ok(())
}

/// Reads a file of the site no larger than `cap`, with located errors.
pub fn read_bytes(root: &Path, path: &Path, cap: u64) -> Result<Vec<u8>, Diagnostic> {
    let display = crate::diag::rel_to(root, path);
    inside(root, path)?;
    let meta = std::fs::metadata(path).map_err(|e| {
        Diagnostic::error("K001", format!("cannot read {}: {e}", display.display())).at(&display)
    })?;
    if meta.len() > cap {
        return Err(Diagnostic::error(
            "K002",
            format!("file is {} bytes, over the {} byte limit", meta.len(), cap),
        )
        .at(&display)
        .hint("split the file, or check that it is the right file"));
    }
    std::fs::read(path).map_err(|e| {
        Diagnostic::error("K001", format!("cannot read {}: {e}", display.display())).at(&display)
    })
}

/// Largest static file kitgen copies (images, documents, fonts).
pub const MAX_STATIC_FILE: u64 = 256 * 1024 * 1024;

/// Reads a UTF-8 text file of the site no larger than `cap`, with located errors.
pub fn read_text(root: &Path, path: &Path, cap: u64) -> Result<String, Diagnostic> {
    let display = crate::diag::rel_to(root, path);
    let bytes = read_bytes(root, path, cap)?;
    String::from_utf8(bytes).map_err(|e| {
        let off = e.utf8_error().valid_up_to();
        let valid = String::from_utf8_lossy(&e.as_bytes()[..off]).into_owned();
        let (line, col) = crate::diag::line_col_of(&valid, off);
        Diagnostic::error("K003", format!("invalid UTF-8 at byte {off}"))
            .at(&display)
            .line_col(line, col)
            .hint("save the file as UTF-8 (your editor's \"encoding\" menu)")
    })
}

/// A path relative to the site root, for display and dependency keys.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    crate::diag::rel_to(root, path)
}
