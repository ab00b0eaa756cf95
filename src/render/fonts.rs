//! The fonts posters and PDFs are drawn with: a `fontdb` database of the site's font files
//! only (never the machine's), with the default family the templates fall back to.

use std::sync::Arc;

use crate::load::fonts::FontFiles;

/// The fonts of a build.
#[derive(Debug, Clone)]
pub struct Fonts {
    /// The database usvg and krilla read.
    pub db: Arc<usvg::fontdb::Database>,
    /// Every family name, sorted.
    pub families: Vec<String>,
    /// The family used where a template names none, or one that is not loaded.
    pub default_family: String,
    /// The font files as read, for engines with their own font loading (Typst).
    pub files: Vec<Arc<Vec<u8>>>,
}

impl Fonts {
    /// The database of these files. The default family is the first file's (the theme's).
    pub fn new(files: &FontFiles) -> Fonts {
        let mut db = usvg::fontdb::Database::new();
        for f in &files.list {
            db.load_font_source(usvg::fontdb::Source::Binary(f.data.clone()));
        }
        let mut families: Vec<String> =
            db.faces().flat_map(|f| f.families.iter().map(|(n, _)| n.clone())).collect();
        families.sort();
        families.dedup();
        let default_family = db
            .faces()
            .next()
            .and_then(|f| f.families.first().map(|(n, _)| n.clone()))
            .unwrap_or_else(|| "Inter".into());
        for generic in ["sans-serif", "serif", "monospace", "cursive", "fantasy"] {
            match generic {
                "serif" => db.set_serif_family(&default_family),
                "monospace" => db.set_monospace_family(&default_family),
                "cursive" => db.set_cursive_family(&default_family),
                "fantasy" => db.set_fantasy_family(&default_family),
                _ => db.set_sans_serif_family(&default_family),
            }
        }
        Fonts {
            db: Arc::new(db),
            families,
            default_family,
            files: files.list.iter().map(|f| f.data.clone()).collect(),
        }
    }

    /// Whether a family is loaded (generic families always are).
    pub fn has(&self, family: &str) -> bool {
        let f = family.trim().trim_matches(['"', '\'']);
        matches!(f, "sans-serif" | "serif" | "monospace" | "cursive" | "fantasy")
            || self.families.iter().any(|n| n.eq_ignore_ascii_case(f))
    }
}
