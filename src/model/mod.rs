//! The model: every input resolved into one [`Site`], with no I/O.
//!
//! Pages know their URL, language, section, translations and rendered body; sections know their
//! sorted pages. Everything later stages need is computed here once, so rendering an output is
//! a lookup, never a search.

mod build;
pub mod census;
pub mod communes;
pub mod kit;
mod mdcache;
pub mod poster;
pub mod record;
mod resolve;
pub mod source;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Config;
use crate::i18n::I18n;
use crate::markdown::TocEntry;
use source::{Date, SortBy};

pub use build::{Built, build};
pub use mdcache::MdCache;

/// Index of a page in [`Site::pages`].
pub type PageId = u32;

/// A page or a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A Markdown page.
    Page,
    /// A folder's `_index.md` (or the home page).
    Section,
}

/// A page of the site in one language.
#[derive(Debug, Clone)]
pub struct Page {
    /// Its index.
    pub id: PageId,
    /// Language it is published in.
    pub lang: usize,
    /// Language of the text shown (differs for untranslated pages shown in the default language).
    pub content_lang: usize,
    /// Path under `content/<lang>/`, shared by translations.
    pub rel: Arc<str>,
    /// Source file, from the site root.
    pub source: PathBuf,
    /// Page or section.
    pub kind: Kind,
    /// Title, with the language's typography.
    pub title: String,
    /// Summary from the front matter.
    pub summary: Option<String>,
    /// First paragraph of the body, plain text.
    pub excerpt: String,
    /// Publication date.
    pub date: Option<Date>,
    /// Order in its section.
    pub weight: i64,
    /// Template name.
    pub template: String,
    /// Free data from the front matter.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// The Markdown body, kept for pages of a book section (see `family::book`).
    pub markdown: Option<Arc<str>>,
    /// Site-absolute URL, e.g. `/fr/brochure/qu-est-ce-que-la-vsa/`.
    pub url: String,
    /// Rendered body.
    pub html: std::sync::Arc<str>,
    /// Table of contents.
    pub toc: std::sync::Arc<[TocEntry]>,
    /// Ids links may target.
    pub ids: std::sync::Arc<[String]>,
    /// Word count.
    pub words: usize,
    /// Parent section.
    pub parent: Option<PageId>,
    /// Pages of a section, sorted.
    pub pages: Vec<PageId>,
    /// Sub-sections of a section, sorted.
    pub subsections: Vec<PageId>,
    /// How a section sorts its pages.
    pub sort_by: SortBy,
    /// A section listed in the menu.
    pub menu: bool,
    /// The page whose text this untranslated page shows.
    pub fallback_of: Option<PageId>,
    /// Version of the source text (see `kitgen translations`).
    pub version: String,
    /// Version of the source a translation was made from.
    pub translation_of: Option<String>,
    /// Hash of the source file's text.
    pub source_text_hash: u64,
    /// Pages linked from the body.
    pub links: Vec<PageId>,
    /// Line of `template:` (or `page_template:`) in the source, for messages about it.
    pub template_line: Option<usize>,
    /// Local files the body links to or shows, checked once the outputs are planned.
    pub files: Vec<crate::markdown::FileRef>,
}

impl Page {
    /// Whether this is a section.
    pub fn is_section(&self) -> bool {
        self.kind == Kind::Section
    }

    /// The output file: `fr/brochure/x/index.html`.
    pub fn output_path(&self) -> String {
        format!("{}index.html", self.url.trim_start_matches('/'))
    }

    /// Summary, or the excerpt when there is none.
    pub fn description(&self) -> &str {
        self.summary.as_deref().unwrap_or(&self.excerpt)
    }
}

/// The whole site, resolved.
#[derive(Debug)]
pub struct Site {
    /// Configuration.
    pub config: Arc<Config>,
    /// Interface strings.
    pub i18n: Arc<I18n>,
    /// Every page in every language.
    pub pages: Vec<Page>,
    /// (language, rel) → page.
    pub index: HashMap<(usize, Arc<str>), PageId>,
    /// Home page of each language.
    pub homes: Vec<Option<PageId>>,
    /// Sections in each language's menu, sorted.
    pub menus: Vec<Vec<PageId>>,
    /// The commune census, when the site has a commune list.
    pub communes: Option<Arc<communes::CommuneData>>,
    /// Where commune outputs live, with `communes`.
    pub commune_urls: Option<communes::CommuneUrls>,
    /// The posters, sorted by weight then id.
    pub posters: Vec<poster::Poster>,
    /// The mobilisation kits, sorted by weight then id.
    pub kits: Vec<kit::Kit>,
}

impl Page {
    /// A section whose front matter says `extra: { book: true }`: its pages make a book (PDF).
    pub fn is_book(&self) -> bool {
        self.kind == Kind::Section && self.extra.get("book").and_then(|b| b.as_bool()).unwrap_or(false)
    }

    /// A section whose front matter says `extra: { feed: true }`: its dated pages make an Atom
    /// feed, `<section URL>atom.xml`.
    pub fn is_feed(&self) -> bool {
        self.kind == Kind::Section && self.extra.get("feed").and_then(|b| b.as_bool()).unwrap_or(false)
    }

    /// The site-absolute URL of this section's feed (see [`Page::is_feed`]).
    pub fn feed_url(&self) -> String {
        format!("{}{FEED_FILE}", self.url)
    }
}

/// The file name of a section's Atom feed.
pub const FEED_FILE: &str = "atom.xml";

impl Site {
    /// A page by id.
    pub fn page(&self, id: PageId) -> &Page {
        &self.pages[id as usize]
    }

    /// The page at `rel` in a language.
    pub fn find(&self, lang: usize, rel: &str) -> Option<&Page> {
        self.index.get(&(lang, Arc::from(rel))).map(|&id| self.page(id))
    }

    /// The versions of a page in every language (itself included), in config order.
    pub fn translations(&self, page: &Page) -> Vec<Option<&Page>> {
        (0..self.config.languages.len()).map(|l| self.find(l, &page.rel)).collect()
    }

    /// The feed sections of a language (see [`Page::is_feed`]), in page order.
    pub fn feeds(&self, lang: usize) -> impl Iterator<Item = &Page> {
        self.pages.iter().filter(move |p| p.lang == lang && p.is_feed())
    }

    /// The URL of a language's home.
    pub fn home_url(&self, lang: usize) -> String {
        self.homes[lang]
            .map(|id| self.page(id).url.clone())
            .unwrap_or_else(|| format!("/{}/", self.config.languages[lang].code))
    }

    /// Ancestors of a page, from the home down to its parent.
    pub fn ancestors(&self, page: &Page) -> Vec<&Page> {
        let mut v = Vec::new();
        let mut cur = page.parent;
        while let Some(id) = cur {
            let p = self.page(id);
            v.push(p);
            cur = p.parent;
        }
        v.reverse();
        v
    }

    /// The previous and next pages in the same section.
    pub fn neighbours(&self, page: &Page) -> (Option<&Page>, Option<&Page>) {
        let Some(parent) = page.parent.filter(|_| page.kind == Kind::Page) else {
            return (None, None);
        };
        let siblings = &self.page(parent).pages;
        let Some(i) = siblings.iter().position(|&id| id == page.id) else {
            return (None, None);
        };
        let prev = i.checked_sub(1).map(|j| self.page(siblings[j]));
        let next = siblings.get(i + 1).map(|&j| self.page(j));
        (prev, next)
    }
}

/// A text given per language (`fr: …`, `en: …`): in `code`, else in the `default` language.
pub fn localized<'a>(
    texts: &'a std::collections::BTreeMap<String, String>,
    code: &str,
    default: &str,
) -> Option<&'a str> {
    texts.get(code).or_else(|| texts.get(default)).map(String::as_str)
}

/// The page a template or a link names by source path (`agir/kit-courrier.md`, `brochure/`),
/// in `lang` or else in the default language.
pub fn find_link<'a>(site: &'a Site, lang: usize, path: &str) -> Option<&'a Page> {
    let cands = resolve::candidates(path);
    [lang, site.config.default_language].into_iter().find_map(|l| cands.iter().find_map(|c| site.find(l, c)))
}

/// The output path a link or image of the page at `page_url` names: `/documents/x.pdf` →
/// `documents/x.pdf`; `img/a.png` from `/fr/x/` → `fr/x/img/a.png`; a folder gets its
/// `index.html`. `None` when the link climbs above the site.
pub fn file_target(page_url: &str, url: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(url).decode_utf8_lossy();
    let mut segs: Vec<&str> = if decoded.starts_with('/') {
        Vec::new()
    } else {
        page_url.split('/').filter(|s| !s.is_empty()).collect()
    };
    for s in decoded.split('/') {
        match s {
            "" | "." => {}
            ".." => {
                segs.pop()?;
            }
            s => segs.push(s),
        }
    }
    let mut path = segs.join("/");
    if decoded.ends_with('/') || decoded.ends_with("/.") || path.is_empty() {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str("index.html");
    }
    Some(path)
}

/// `actualites` → `actualites/_index.md`; `` → `_index.md`.
pub fn section_rel_of(section: &str) -> String {
    let s = section.trim().trim_matches('/');
    if s.is_empty() || s == "_index.md" {
        "_index.md".into()
    } else if s.ends_with("/_index.md") {
        s.to_string()
    } else {
        format!("{s}/_index.md")
    }
}

/// Attaches the commune census to the site: its URLs in every language, and the communes
/// section's template. The section `content/<lang>/communes/_index.md` must exist.
pub fn attach_communes(
    site: &mut Site,
    data: communes::CommuneData,
    diags: &mut Vec<crate::diag::Diagnostic>,
) {
    let n = site.config.languages.len();
    let def = site.config.default_language;
    let Some(section) = site.find(def, communes::SECTION).map(|p| p.id) else {
        diags.push(
            crate::diag::Diagnostic::error("K525", "the site has commune data but no communes section")
                .at(format!("content/{}/communes/_index.md", site.config.default_lang().code))
                .hint("create content/<lang>/communes/_index.md with a `title`: commune pages are published under it"),
        );
        return;
    };
    let seg = |lang: usize, key: &str, default: &str| -> String {
        site.i18n
            .t(lang, &format!("communes.slug.{key}"), None, &[])
            .ok()
            .map(|s| crate::slug::slugify(&s))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| default.to_string())
    };
    let mut urls = communes::CommuneUrls::default();
    for lang in 0..n {
        let own = site.find(lang, communes::SECTION).map(|p| p.url.clone());
        urls.published.push(own.is_some());
        urls.base.push(own.unwrap_or_else(|| site.page(section).url.clone()));
        urls.departements.push(seg(lang, "departements", "departements"));
        urls.regions.push(seg(lang, "regions", "regions"));
        urls.stats.push(seg(lang, "stats", "statistiques"));
        urls.map.push(seg(lang, "map", "carte"));
    }
    for p in site.pages.iter_mut() {
        if &*p.rel == communes::SECTION && p.template == "section.html" {
            p.template = "communes/index.html".into();
        }
    }
    let mut data = data;
    data.scope = site.config.scopes.commune_pages;
    site.communes = Some(Arc::new(data));
    site.commune_urls = Some(urls);
}
