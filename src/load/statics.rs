//! Static files: `themes/<theme>/static/`, then the site's `static/` (which overrides the
//! theme's file by file), plus the records' source documents under `data/documents/`.
//!
//! Stylesheets and scripts are read as text (the assets family minifies and fingerprints
//! them); other files as bytes. Nothing is processed here.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::cache::FileCache;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::load::files;

/// What a static file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaticData {
    /// A stylesheet or a script.
    Text(Arc<str>),
    /// Any other file, copied as it is.
    Bytes(Arc<Vec<u8>>),
}

/// One static file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticFile {
    /// Path under the output root, e.g. `css/site.css`, `documents/x.pdf`.
    pub rel: String,
    /// The file, from the site root (for diagnostics).
    pub display: PathBuf,
    /// Its content.
    pub data: StaticData,
    /// Changes when the file does (size and modification time).
    pub version: u64,
}

/// Every static file, sorted by output path.
#[derive(Debug, Clone, Default)]
pub struct StaticFiles {
    /// The files.
    pub list: Vec<StaticFile>,
}

/// Whether a static file is a stylesheet or a script (read as text, minified, fingerprinted).
pub fn is_text(rel: &str) -> bool {
    rel.ends_with(".css") || rel.ends_with(".js") || rel.ends_with(".mjs")
}

/// Reads the static files. With a `cache` (serve), unchanged files are not read again.
pub fn load(
    config: &Config,
    diags: &mut Vec<Diagnostic>,
    cache: Option<&FileCache<StaticFile>>,
) -> StaticFiles {
    let mut by_rel: BTreeMap<String, PathBuf> = BTreeMap::new();
    for dir in [config.theme_dir().join("static"), config.root.join("static")] {
        for f in files::walk(&config.root, &dir, diags) {
            by_rel.insert(f.rel, f.path);
        }
    }
    // Source documents of the commune records, linked from commune pages.
    for f in files::walk(&config.root, &config.root.join("data/documents"), diags) {
        by_rel.insert(format!("documents/{}", f.rel), f.path);
    }
    let mut list = Vec::with_capacity(by_rel.len());
    for (rel, path) in by_rel {
        let stamp = crate::cache::stamp(&path);
        if let (Some(c), Some(s)) = (cache, stamp)
            && let Some(f) = c.get(&path, s).filter(|f| f.rel == rel)
        {
            list.push(f);
            continue;
        }
        let display = crate::diag::rel_to(&config.root, &path);
        let data = if is_text(&rel) {
            match super::read_text(&config.root, &path, super::MAX_TEXT_FILE) {
                Ok(text) => StaticData::Text(Arc::from(text)),
                Err(d) => {
                    diags.push(d);
                    continue;
                }
            }
        } else {
            match super::read_bytes(&config.root, &path, super::MAX_STATIC_FILE) {
                Ok(b) => StaticData::Bytes(Arc::new(b)),
                Err(d) => {
                    diags.push(d);
                    continue;
                }
            }
        };
        let version = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            stamp.hash(&mut h);
            h.finish()
        };
        let file = StaticFile { rel, display, data, version };
        if let (Some(c), Some(s)) = (cache, stamp) {
            c.put(path, s, file.clone());
        }
        list.push(file);
    }
    StaticFiles { list }
}
