//! Mobilisation kits: `kits/<id>/kit.yaml` and its documents, `kits/<id>/<doc>.<lang>.md`
//! (Markdown and Tera placeholders per language): letters to the town hall and a flyer.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// What a document is: how it is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    /// A letter: sender, the town hall's address in the envelope's window, place and date,
    /// subject, salutation, body, closing, signature; one A4 page.
    Letter,
    /// A one-page flyer.
    Flyer,
}

/// A document of `kit.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DocMeta {
    /// Its id: its files are `<id>.<lang>.md`.
    pub id: String,
    /// Its layout.
    pub kind: DocKind,
}

/// `kit.yaml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KitMeta {
    /// Title per language code.
    pub title: BTreeMap<String, String>,
    /// Description per language code.
    #[serde(default)]
    pub description: BTreeMap<String, String>,
    /// Its documents, in order.
    pub documents: Vec<DocMeta>,
    /// Posters the kit's ZIP includes (ids of `posters/`).
    #[serde(default)]
    pub posters: Vec<String>,
    /// Order among kits.
    #[serde(default)]
    pub weight: i64,
}

/// Whom a letter is sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Recipient {
    /// The mayor, at the town hall.
    #[default]
    Mairie,
    /// The commune's data protection officer, at the town hall.
    Dpo,
    /// No address block.
    None,
}

/// The front matter of a document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DocFront {
    /// Title, as the kit page shows it.
    pub title: String,
    /// One sentence for the kit page.
    #[serde(default)]
    pub summary: Option<String>,
    /// What a commune's page calls it, as an action ("Écrire au maire"); else the title.
    #[serde(default)]
    pub action: Option<String>,
    /// The letter's subject ("Objet").
    #[serde(default)]
    pub subject: Option<String>,
    /// Whom the letter goes to.
    #[serde(default)]
    pub recipient: Recipient,
    /// The opening line.
    #[serde(default)]
    pub salutation: Option<String>,
    /// The closing sentence.
    #[serde(default)]
    pub closing: Option<String>,
    /// How to send it, shown beside it (Markdown), not printed.
    #[serde(default)]
    pub advice: Option<String>,
}

/// A document's file in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct DocSource {
    /// The file, from the site root.
    pub path: PathBuf,
    /// Its whole text.
    pub text: String,
    /// Byte offset of the body.
    pub body_start: usize,
    /// Its front matter.
    pub front: DocFront,
}

impl DocSource {
    /// The Markdown body (a Tera template).
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }
}

/// A document of a kit, in every language it exists in.
#[derive(Debug, Clone, PartialEq)]
pub struct KitDoc {
    /// As `kit.yaml` lists it.
    pub meta: DocMeta,
    /// By language index; a language without its own file shows the default language's.
    pub sources: BTreeMap<usize, DocSource>,
}

/// A kit.
#[derive(Debug, Clone, PartialEq)]
pub struct Kit {
    /// Folder name under `kits/`.
    pub id: String,
    /// The folder, from the site root.
    pub dir: PathBuf,
    /// `kit.yaml`.
    pub meta: KitMeta,
    /// Its documents, in order.
    pub docs: Vec<KitDoc>,
    /// Changes when any of its files does.
    pub version: u64,
}

impl Kit {
    /// The title in a language, else in the default language, else the id.
    pub fn title(&self, code: &str, default: &str) -> &str {
        super::localized(&self.meta.title, code, default).unwrap_or(&self.id)
    }

    /// The description in a language, else in the default language.
    pub fn description(&self, code: &str, default: &str) -> &str {
        super::localized(&self.meta.description, code, default).unwrap_or("")
    }
}
