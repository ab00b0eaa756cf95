//! Posters: an SVG template per poster, filled per language and per commune, with its
//! metadata (`posters/<id>/poster.yaml`): titles, paper sizes, bleed, crop marks, variants, and
//! the texts that must fit a box.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// An ISO 216 paper size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
pub enum Paper {
    /// 148 × 210 mm.
    A5,
    /// 210 × 297 mm.
    A4,
    /// 297 × 420 mm.
    A3,
    /// 420 × 594 mm.
    A2,
    /// 594 × 841 mm.
    A1,
}

impl Paper {
    /// Width and height in millimetres, portrait.
    pub fn mm(self) -> (f64, f64) {
        match self {
            Paper::A5 => (148.0, 210.0),
            Paper::A4 => (210.0, 297.0),
            Paper::A3 => (297.0, 420.0),
            Paper::A2 => (420.0, 594.0),
            Paper::A1 => (594.0, 841.0),
        }
    }

    /// `A4`.
    pub fn name(self) -> &'static str {
        match self {
            Paper::A5 => "A5",
            Paper::A4 => "A4",
            Paper::A3 => "A3",
            Paper::A2 => "A2",
            Paper::A1 => "A1",
        }
    }
}

/// Which versions of a poster are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// One per language, with room left for a commune's name.
    Generic,
    /// One per language and commune in scope (`scopes.posters`).
    Commune,
}

/// A text of the template that must fit a box: its `<text>` element is shrunk, then wrapped
/// over more lines, so it never overflows.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Fit {
    /// The `id` of the `<text>` element.
    pub id: String,
    /// Width of the box, in the SVG's units.
    pub width: f64,
    /// Height of the box, in the SVG's units (limits the lines).
    #[serde(default)]
    pub height: Option<f64>,
    /// The smallest legible font size, in the SVG's units: below it kitgen warns.
    pub min_size: f64,
    /// At most this many lines.
    #[serde(default = "one")]
    pub lines: u8,
}

fn one() -> u8 {
    1
}

fn default_sizes() -> Vec<Paper> {
    vec![Paper::A4, Paper::A3]
}

fn default_bleed() -> f64 {
    3.0
}

fn default_variants() -> Vec<Variant> {
    vec![Variant::Generic, Variant::Commune]
}

/// `poster.yaml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PosterMeta {
    /// Title per language code.
    pub title: BTreeMap<String, String>,
    /// Description per language code.
    #[serde(default)]
    pub description: BTreeMap<String, String>,
    /// Paper sizes of the PDFs (the drawing is scaled; ISO sizes share their proportions).
    #[serde(default = "default_sizes")]
    pub sizes: Vec<Paper>,
    /// Bleed around the trimmed page, in millimetres, in the print-shop PDFs.
    #[serde(default = "default_bleed")]
    pub bleed: f64,
    /// Crop marks in the print-shop PDFs.
    #[serde(default)]
    pub crop_marks: bool,
    /// Which versions are made.
    #[serde(default = "default_variants")]
    pub variants: Vec<Variant>,
    /// Texts that must fit a box.
    #[serde(default)]
    pub fit: Vec<Fit>,
    /// Order in the gallery.
    #[serde(default)]
    pub weight: i64,
}

/// A poster of the site.
#[derive(Debug, Clone)]
pub struct Poster {
    /// Folder name under `posters/`, e.g. `regard`.
    pub id: String,
    /// The folder, from the site root.
    pub dir: PathBuf,
    /// `poster.svg`, from the site root (for diagnostics).
    pub svg_path: PathBuf,
    /// The template's text.
    pub svg: String,
    /// `poster.yaml`.
    pub meta: PosterMeta,
    /// Other files of the folder the template may use (images), by name.
    pub files: BTreeMap<String, Arc<Vec<u8>>>,
    /// Changes when any of its files does.
    pub version: u64,
}

impl Poster {
    /// The title in a language, else in the default language, else the id.
    pub fn title(&self, code: &str, default: &str) -> &str {
        super::localized(&self.meta.title, code, default).unwrap_or(&self.id)
    }

    /// The description in a language, else in the default language.
    pub fn description(&self, code: &str, default: &str) -> &str {
        super::localized(&self.meta.description, code, default).unwrap_or("")
    }
}
