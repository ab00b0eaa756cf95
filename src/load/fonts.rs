//! Fonts for posters and PDFs: `themes/<theme>/fonts/` then the site's `fonts/` (TrueType or
//! OpenType). kitgen never uses the fonts of the machine it runs on, so every build draws the
//! same letters.

use std::sync::Arc;

use crate::cache::FileCache;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::load::files;

/// Largest font file.
pub const MAX_FONT: u64 = 32 * 1024 * 1024;

/// One font file.
#[derive(Debug, Clone)]
pub struct FontFile {
    /// File name, e.g. `Inter_900Black.ttf`.
    pub name: String,
    /// Its bytes.
    pub data: Arc<Vec<u8>>,
}

/// Every font file, theme first, sorted by name within each folder.
#[derive(Debug, Clone, Default)]
pub struct FontFiles {
    /// The files.
    pub list: Vec<FontFile>,
    /// Changes when a file does.
    pub version: u64,
}

/// Reads the font folders. WOFF files are reported: they are for browsers only. With a
/// `cache` (serve), a file whose size and time did not change is not read again.
pub fn load(
    config: &Config,
    diags: &mut Vec<Diagnostic>,
    cache: Option<&FileCache<Arc<Vec<u8>>>>,
) -> FontFiles {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut list = Vec::new();
    for dir in [config.theme_dir().join("fonts"), config.root.join("fonts")] {
        for f in files::walk(&config.root, &dir, diags) {
            let lower = f.rel.to_ascii_lowercase();
            if lower.ends_with(".ttf") || lower.ends_with(".otf") || lower.ends_with(".ttc") {
                let stamp = crate::cache::stamp(&f.path);
                let read = || super::read_bytes(&config.root, &f.path, MAX_FONT).map(Arc::new);
                let data = match FileCache::get_or_make(cache, &f.path, stamp, read) {
                    Ok(data) => data,
                    Err(d) => {
                        diags.push(d);
                        continue;
                    }
                };
                f.rel.hash(&mut h);
                data.len().hash(&mut h);
                stamp.hash(&mut h);
                list.push(FontFile { name: f.rel, data });
            } else if lower.ends_with(".woff") || lower.ends_with(".woff2") {
                diags.push(
                    Diagnostic::warning(
                        "K807",
                        format!("{} is a web font: posters and PDFs need TrueType or OpenType", f.rel),
                    )
                    .at(crate::diag::rel_to(&config.root, &f.path))
                    .hint("put the .ttf or .otf file of the font in fonts/ (web fonts go in static/)"),
                );
            }
        }
    }
    FontFiles { list, version: h.finish() }
}
