//! The offline copy of each language, as a ZIP to download: `downloads/offline/<site>-<lang>.zip`.
//!
//! A second-wave family: it reads what the first wave wrote for one language and packs it
//! under a top folder (`<site>-<lang>/`), links rewritten for a copy opened from a folder
//! (`links.rs`): a link to a page in the copy names its `index.html`, a link to anything left
//! out goes to the published site (`base_url`). What the copy holds:
//!
//! - every output under `<lang>/` (content pages, sections, glossary, news and their feeds,
//!   the poster gallery, the generic printable kit pages, the commune index, départements,
//!   regions, statistics and map), except the pages of single communes: of those only the
//!   commune pages of communes with a campaign record are in (the default site has 35,000
//!   commune pages per language; the copy links to the published ones);
//! - the language's generic downloads (`downloads/…/<lang>/…`: poster PDFs and images, kit
//!   PDFs), never a commune's own PDFs or any ZIP (the packs are made in the same wave);
//! - the static files (CSS, scripts, fonts, images), the map of France and the language
//!   chooser (`index.html`), whose other languages link to the published site.
//!
//! Left out: the commune lookup's index (browsers do not let a page opened from a folder load
//! it, so the script leaves the lists of départements; served by a local web server it would
//! list communes that are mostly online only), sharing cards, sitemaps, the 404 page and host
//! files. The site search's index of the language is in, for a copy served by a local web
//! server; opened from a folder, the search page shows its site map. A content page with `extra: { offline: true }`
//! gets `offline` in its context (the ZIP's URL and name) to link to it. `kitgen serve` makes
//! no copy: it would pack a language again after every edit.

pub mod links;
mod tags;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde_json::json;
use tera::Value;

use super::{Artifact, Family, Kind, PageRef, PlanCx, Planned, RenderCx};
use crate::diag::Diagnostic;
use crate::model::Site;
use crate::plan::Wave;
use crate::render::LinkPolicy;
use crate::render::zip::{self, safe_name};

/// The offline copies family.
pub struct Offline;

/// One language's copy.
#[derive(Debug)]
pub struct Copy {
    /// The language.
    lang: usize,
    /// The folder everything is under inside the ZIP.
    top: String,
    /// The outputs it holds, sorted.
    members: Vec<String>,
}

/// What planning found: each language's copy and where the site is published.
#[derive(Debug, Default)]
pub struct State {
    copies: Vec<Copy>,
    base_url: String,
    /// The ZIP of each language, site-absolute.
    urls: Vec<String>,
}

/// The name of the site in file names: its title as a slug (`technopolice-contre-la-vsa`).
fn site_slug(site: &Site) -> String {
    let s = crate::slug::slugify(&site.config.title);
    let s: String = s.chars().take(40).collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "site".into() } else { s }
}

/// Where a language's ZIP goes.
pub fn zip_path(site: &Site, lang: usize) -> String {
    format!("downloads/offline/{}-{}.zip", site_slug(site), site.config.languages[lang].code)
}

impl Family for Offline {
    type Job = usize;
    type State = State;
    type Input = ();

    fn name(&self) -> &'static str {
        "offline"
    }

    fn wave(&self) -> Wave {
        Wave::Second
    }

    fn plan(&self, cx: &PlanCx<'_>) -> Planned<usize, State> {
        let site = cx.site();
        let codes: Vec<&str> = site.config.languages.iter().map(|l| l.code.as_str()).collect();
        // `kitgen serve` would pack a language's pages again after every edit of one of them:
        // the preview has no copy (its link answers 404), and does not look through the
        // site's 143,000 outputs for its members on every rebuild.
        let preview = cx.opts.links == LinkPolicy::Serve;
        // Every commune's slug, and whether its page goes into the copy.
        let communes: HashMap<&str, bool> = match site.communes.as_deref().filter(|_| !preview) {
            Some(d) => d
                .slugs
                .iter()
                .enumerate()
                .map(|(i, s)| (s.as_str(), d.has_page(i) && d.records.contains_key(&i)))
                .collect(),
            None => HashMap::new(),
        };
        let mut members: Vec<Vec<String>> = vec![Vec::new(); codes.len()];
        for f in cx.earlier.iter().filter(|f| f.wave == Wave::First && !preview) {
            for p in &f.paths {
                match copies_of(p, f.name, &codes, &communes) {
                    In::None => {}
                    In::One(l) => members[l].push(p.clone()),
                    In::All => members.iter_mut().for_each(|m| m.push(p.clone())),
                }
            }
        }
        let slug = site_slug(site);
        let mut state = State {
            copies: Vec::new(),
            base_url: format!("{}/", site.config.base_url.trim_end_matches('/')),
            urls: Vec::new(),
        };
        let mut outputs = Vec::new();
        for (l, mut m) in members.into_iter().enumerate() {
            m.sort();
            m.dedup();
            state.urls.push(format!("/{}", zip_path(site, l)));
            if m.is_empty() || preview {
                continue;
            }
            outputs.push((zip_path(site, l), state.copies.len()));
            state.copies.push(Copy { lang: l, top: safe_name(&format!("{slug}-{}", codes[l])), members: m });
        }
        Planned::new(state, outputs)
    }

    fn render(&self, cx: &RenderCx<'_, Self>, state: &State, job: &usize) -> Result<Artifact, Diagnostic> {
        let copy = &state.copies[*job];
        let set: HashSet<&str> = copy.members.iter().map(String::as_str).collect();
        let inside = |p: &str| set.contains(p);
        let fail = |what: String| {
            Diagnostic::error(
                "K851",
                format!("the offline copy `{}` cannot be made: {what}", zip_path(cx.site, copy.lang)),
            )
            .hint(
                "the copy is packed from what this build just made: fix the errors above first; \
                 if there are none, report this as a kitgen bug",
            )
        };
        let readme_name = cx.engine.t(copy.lang, "offline.readme_file")?;
        let readme = cx.engine.t(copy.lang, "offline.readme")?.replace('\n', "\r\n");
        let mut names: Vec<String> = copy.members.iter().map(|p| format!("{}/{p}", copy.top)).collect();
        names.push(format!("{}/{}", copy.top, safe_name(&readme_name)));
        // Each page is read and its links rewritten as it is packed, so a language's pages
        // are never all in memory at once.
        let bytes = zip::archive_with(names, |i| {
            let Some(p) = copy.members.get(i) else { return Ok(Some(Cow::Borrowed(readme.as_bytes()))) };
            let html = p.ends_with(".html");
            let Some(bytes) = cx.output(p) else {
                // `kitgen check` keeps no pages, only the files outputs are made from; a build
                // that gets here rendered every page.
                return if html { Ok(None) } else { Err(format!("{p} was not made")) };
            };
            if !html {
                return Ok(Some(Cow::Owned(bytes)));
            }
            links::rewrite(&bytes, p, &inside, &state.base_url)
                .map(|b| Some(Cow::Owned(b)))
                .map_err(|e| format!("{p} cannot be read as HTML ({e})"))
        })
        .map_err(fail)?;
        Ok(Artifact::file(Kind::Zip, bytes))
    }

    fn describe(&self, site: &Site, state: &State, job: &usize) -> String {
        format!("the offline copy of `{}`", site.config.languages[state.copies[*job].lang].code)
    }

    fn extend_page(&self, _: &RenderCx<'_, Self>, state: &State, page: PageRef<'_>, ctx: &mut tera::Context) {
        let PageRef::Content(page) = page else { return };
        if page.extra.get("offline").and_then(serde_json::Value::as_bool) != Some(true) {
            return;
        }
        let Some(url) = state.urls.get(page.lang) else { return };
        let name = url.rsplit('/').next().unwrap_or_default();
        let value = json!({ "url": url, "name": name });
        ctx.insert_value("offline", Value::from_serializable(&value));
    }
}

/// Which copies an output goes into.
#[derive(Debug, PartialEq, Eq)]
enum In {
    None,
    One(usize),
    All,
}

/// Which copies output `path` of family `family` goes into (`codes`: the languages, in order).
/// Called for every output of the site (140,000 for the default one): the first folder decides
/// most of them.
fn copies_of(path: &str, family: &str, codes: &[&str], communes: &HashMap<&str, bool>) -> In {
    if path.ends_with(".zip") {
        return In::None;
    }
    let Some((first, rest)) = path.split_once('/') else {
        let root = family == "assets" || path == "index.html";
        return if root { In::All } else { In::None };
    };
    let lang = match codes.iter().position(|c| *c == first) {
        Some(l) => l,
        None if first == "downloads" => {
            // Downloads of one language: `downloads/<kind>/<lang>/…`, `downloads/<lang>/…`.
            match rest.split('/').find_map(|s| codes.iter().position(|c| *c == s)) {
                Some(l) => l,
                None => return In::None,
            }
        }
        // The site search's index, for a copy served by a local web server (`file://`
        // cannot load it); not the commune lookup's, whose communes are mostly online.
        None if first == "search" => {
            let own = codes.iter().position(|c| path == super::fulltext::index_path(c));
            return own.map_or(In::None, In::One);
        }
        None if first == "share" => return In::None,
        None => return In::All,
    };
    // A single commune's output: only its page, and only for a commune with a record.
    let (folders, file) = rest.rsplit_once('/').unwrap_or(("", rest));
    if let Some(recorded) = folders.split('/').find_map(|s| communes.get(s)) {
        let page = *recorded && family == "communes" && file == "index.html" && first != "downloads";
        return if page { In::One(lang) } else { In::None };
    }
    In::One(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_goes_into_a_copy() {
        let communes: HashMap<&str, bool> = [("13055-marseille", true), ("01001-l-abergement", false)].into();
        let codes = ["fr", "en"];
        let b = |p: &str, f: &str| match copies_of(p, f, &codes, &communes) {
            In::One(l) => l == 0,
            In::All => true,
            In::None => false,
        };
        assert!(b("fr/brochure/index.html", "content"));
        assert!(b("fr/communes/13055-marseille/index.html", "communes"));
        assert!(!b("fr/communes/01001-l-abergement/index.html", "communes"), "no record");
        assert!(!b("fr/agir/kit-courrier/13055-marseille/index.html", "kits"), "a commune's kit page");
        assert!(!b("downloads/kits/fr/vsa/13055-marseille/lettre-13055-marseille-fr.pdf", "kits"));
        assert!(b("downloads/kits/fr/vsa/lettre-fr.pdf", "kits"));
        assert!(b("downloads/posters/fr/1-regard/1-regard-fr-A4.pdf", "posters"));
        assert!(!b("downloads/posters/en/1-regard/1-regard-en-A4.pdf", "posters"));
        assert!(!b("downloads/fr/affiches.zip", "poster packs"));
        assert!(!b("downloads/communes-vsa.csv", "downloads"));
        assert!(!b("en/index.html", "content"));
        assert!(!b("search/index.json", "search"));
        assert!(!b("search/n/sa.json", "search"));
        assert!(b("search/pages-fr.json", "fulltext"));
        assert!(!b("search/pages-en.json", "fulltext"));
        assert!(!b("share/card-fr.png", "cards"));
        assert!(b("css/site.1234.css", "assets"));
        assert!(b("favicon.svg", "assets"));
        assert!(b("index.html", "site"));
        assert!(!b("404.html", "site"));
        assert!(!b("robots.txt", "site"));
        assert!(b("communes/france.svg", "communes"));
    }
}
