//! Full-text search of the content pages, per language, with no third party.
//!
//! A language gets an index when one of its content pages has the template `search.html` (the
//! search page): `search/pages-<lang>.json`, every content page of that language (chapters,
//! news, glossary, kit pages with their documents) with its title, URL, section, a snippet and
//! its search tokens ([`text::tokens`]: accents, case, elisions and plural endings dropped),
//! cut at its level-2 and level-3 headings so a result can point at the part that matched.
//! `themes/default/static/js/search.js` loads it on the search page and ranks the pages
//! (every word must match, the last one as a prefix, title matches first). Without JavaScript
//! the search page shows a site map instead (`search.sections` in its context).
//!
//! The format, one array per page (tokens are space-separated, sorted and unique):
//!
//! ```text
//! { "stop": [words dropped from queries],
//!   "pages": [[title, url, section, snippet, title tokens, intro tokens,
//!              [[heading id, heading, heading tokens, section tokens, snippet], …]], …] }
//! ```
//!
//! URLs are relative to the site's root (`fr/brochure/opacite/`); the page gives the script
//! the root relative to itself (`data-base`), so the site works under any sub-path.
//!
//! The commune lookup is another index (`family::search`), split by name prefix.

pub mod text;

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use serde_json::{Value as Json, json};
use tera::{Kwargs, State as TeraState, Value};

use super::{Artifact, Family, Kind, PageRef, PlanCx, Planned, RenderCx, VersionCx};
use crate::config::Missing;
use crate::deps::{self, Dep};
use crate::diag::Diagnostic;
use crate::model::{Page, PageId, Site};
use crate::plan::FamilyId;

/// The template that makes a content page the search page of its language.
pub const TEMPLATE: &str = "search.html";

/// Longest snippet, in characters.
const SNIPPET: usize = 180;

/// The full-text search family.
pub struct FullText;

/// The family's own inputs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Input {
    /// A kit whose documents are indexed, by index.
    Kit(u16),
    /// The URL of a language's search page (every page's header links to it): recorded
    /// instead of `Dep::Urls`, which changes with any page or record and would re-render the
    /// 70,000 commune pages in serve.
    SearchPage(u16),
}

/// What planning found: the search page of each language.
#[derive(Debug, Default)]
pub struct State {
    /// The search page of each language, if it has one.
    pages: Vec<Option<PageId>>,
    /// Its URL (site-absolute), or `""`.
    urls: Vec<String>,
    /// Language codes, in order.
    codes: Vec<String>,
}

/// Where the index of a language goes.
pub fn index_path(code: &str) -> String {
    format!("search/pages-{code}.json")
}

impl Family for FullText {
    type Job = usize;
    type State = State;
    type Input = Input;

    fn name(&self) -> &'static str {
        "fulltext"
    }

    fn plan(&self, cx: &PlanCx<'_>) -> Planned<usize, State> {
        let site = cx.site();
        let n = site.config.languages.len();
        let mut state = State {
            pages: vec![None; n],
            urls: vec![String::new(); n],
            codes: site.config.languages.iter().map(|l| l.code.clone()).collect(),
        };
        for p in &site.pages {
            if p.template == TEMPLATE && state.pages[p.lang].is_none() {
                state.pages[p.lang] = Some(p.id);
                state.urls[p.lang] = p.url.clone();
            }
        }
        let outputs =
            (0..n).filter(|&l| state.pages[l].is_some()).map(|l| (index_path(&state.codes[l]), l)).collect();
        Planned::new(state, outputs)
    }

    fn render(&self, cx: &RenderCx<'_, Self>, state: &State, lang: &usize) -> Result<Artifact, Diagnostic> {
        let index = build_index(cx, state, *lang);
        Ok(Artifact::file(Kind::Json, index.into_bytes()))
    }

    fn version(&self, cx: &VersionCx<'_>, state: &State, input: &Input) -> u64 {
        match input {
            Input::Kit(k) => cx.site.kits.get(*k as usize).map_or(0, |k| k.version),
            Input::SearchPage(l) => {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                state.urls.get(*l as usize).hash(&mut h);
                h.finish()
            }
        }
    }

    fn describe(&self, site: &Site, _: &State, lang: &usize) -> String {
        format!("the search index of `{}`", site.config.languages[*lang].code)
    }

    fn template_functions(&self, state: &Arc<State>, family: FamilyId, tera: &mut tera::Tera) {
        // `search_page()`: the URL of the language's search page, or "" (the header's link).
        let s = state.clone();
        tera.register_function("search_page", move |_: Kwargs, ts: &TeraState| -> tera::TeraResult<String> {
            let code: Option<String> = ts.get("lang")?;
            let Some(lang) = code.and_then(|c| s.codes.iter().position(|x| *x == c)) else {
                return Ok(String::new());
            };
            if deps::recording_now() {
                deps::record(Dep::Family(family, deps::Input::new(Input::SearchPage(lang as u16))));
            }
            Ok(s.urls[lang].clone())
        });
    }

    fn extend_page(
        &self,
        cx: &RenderCx<'_, Self>,
        state: &State,
        page: PageRef<'_>,
        ctx: &mut tera::Context,
    ) {
        let PageRef::Content(page) = page else { return };
        if state.pages[page.lang] != Some(page.id) {
            return;
        }
        let value = page_context(cx.site, page.lang, &state.codes[page.lang]);
        ctx.insert_value("search", Value::from_serializable(&value));
    }
}

/// The search page's context: the index, the site's root, and the site map shown without
/// JavaScript (every section under the home with its pages, and the commune index).
fn page_context(site: &Site, lang: usize, code: &str) -> Json {
    deps::record(Dep::Urls);
    let link = |p: &Page| {
        deps::record(Dep::Meta(p.lang, p.rel.clone()));
        json!({ "title": p.title, "url": p.url })
    };
    let mut sections = Vec::new();
    let mut pages = Vec::new();
    let mut communes = Json::Null;
    if let Some(home) = site.homes.get(lang).copied().flatten().map(|id| site.page(id)) {
        deps::record(Dep::Children(home.lang, home.rel.clone()));
        for &id in &home.subsections {
            let s = site.page(id);
            deps::record(Dep::Children(s.lang, s.rel.clone()));
            if s.template.starts_with("communes/") {
                communes = link(s);
            }
            let mut v = link(s);
            v["pages"] = s.pages.iter().map(|&p| link(site.page(p))).collect();
            sections.push(v);
        }
        for &id in &home.pages {
            let p = site.page(id);
            if p.template != TEMPLATE {
                pages.push(link(p));
            }
        }
    }
    json!({
        "index": format!("/{}", index_path(code)),
        "root": "/",
        "sections": sections,
        "pages": pages,
        "communes": communes,
    })
}

/// Sorted unique tokens, space-separated.
fn token_set<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let set: BTreeSet<String> = texts.into_iter().flat_map(text::tokens).collect();
    set.into_iter().collect::<Vec<_>>().join(" ")
}

/// Tokens in their order, repeats dropped (a title's).
fn token_list(s: &str) -> String {
    let mut seen = BTreeSet::new();
    text::tokens(s).into_iter().filter(|t| seen.insert(t.clone())).collect::<Vec<_>>().join(" ")
}

fn build_index(cx: &RenderCx<'_, FullText>, state: &State, lang: usize) -> String {
    let site = cx.site;
    deps::record(Dep::Urls);
    let mut pages = Vec::new();
    for p in site.pages.iter().filter(|p| p.lang == lang) {
        if p.template == TEMPLATE || p.extra.get("search").and_then(Json::as_bool) == Some(false) {
            continue;
        }
        if Some(p.id) == state.pages[lang] {
            continue;
        }
        deps::record(Dep::Page(p.lang, p.rel.clone()));
        pages.push(page_entry(cx, p));
    }
    let value = json!({ "stop": text::STOP, "pages": pages });
    let mut s = value.to_string();
    s.push('\n');
    s
}

/// One page of the index.
fn page_entry(cx: &RenderCx<'_, FullText>, p: &Page) -> Json {
    let site = cx.site;
    let section = p
        .parent
        .map(|id| site.page(id))
        .filter(|s| s.parent.is_some())
        .map(|s| s.title.clone())
        .unwrap_or_default();
    let mut cut: Vec<(&str, &str)> = Vec::new();
    for e in p.toc.iter() {
        cut.push((&e.id, &e.title));
        for c in &e.children {
            if c.level <= 3 {
                cut.push((&c.id, &c.title));
            }
        }
    }
    let ids: Vec<&str> = cut.iter().map(|(id, _)| *id).collect();
    let parts = text::parts(&p.html, &ids);
    let intro = parts.first().map(|p| p.text.as_str()).unwrap_or("");
    let mut sections: Vec<Json> = parts
        .iter()
        .skip(1)
        .map(|part| {
            let heading = cut.iter().find(|(id, _)| *id == part.id).map(|(_, t)| *t).unwrap_or("");
            json!([
                part.id,
                heading,
                token_list(heading),
                token_set([part.text.as_str()]),
                text::snippet(&part.text, SNIPPET)
            ])
        })
        .collect();
    sections.extend(kit_documents(cx, p));
    let lead = p.summary.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| {
        let from = if intro.is_empty() { p.excerpt.as_str() } else { intro };
        from.to_string()
    });
    let summary = p.summary.as_deref().unwrap_or("");
    json!([
        p.title,
        p.url.trim_start_matches('/'),
        section,
        text::snippet(&lead, SNIPPET),
        token_list(&p.title),
        token_set([intro, summary]),
        sections
    ])
}

/// The documents of the kit a kit page shows, as parts of that page (each has its id there).
fn kit_documents(cx: &RenderCx<'_, FullText>, p: &Page) -> Vec<Json> {
    let site = cx.site;
    if !p.template.starts_with("kits/") {
        return Vec::new();
    }
    let named = p.extra.get("kit").and_then(Json::as_str);
    let kit = match named {
        Some(id) => site.kits.iter().position(|k| k.id == id),
        None if site.kits.len() == 1 => Some(0),
        None => None,
    };
    let Some(k) = kit else { return Vec::new() };
    cx.record(Input::Kit(k as u16));
    let kit = &site.kits[k];
    let omit = site.config.languages[p.lang].missing == Missing::Omit;
    kit.docs
        .iter()
        .filter_map(|d| {
            let src = d
                .sources
                .get(&p.lang)
                .or_else(|| if omit { None } else { d.sources.get(&site.config.default_language) })?;
            let body = strip_template(src.body());
            let summary = src.front.summary.as_deref().unwrap_or("");
            let lead = if summary.is_empty() { text::snippet(&body, SNIPPET) } else { summary.to_string() };
            Some(json!([
                d.meta.id,
                src.front.title,
                token_list(&src.front.title),
                token_set([summary, body.as_str()]),
                lead
            ]))
        })
        .collect()
}

/// A kit document's Markdown without its Tera tags (`{{ commune }}`, `{% if %}`) and with its
/// Markdown marks as spaces, spaces collapsed.
fn strip_template(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    let mut rest = md;
    while let Some(i) = rest.find(['{']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let close = match tail.as_bytes().get(1) {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            Some(b'#') => "#}",
            _ => {
                out.push('{');
                rest = &tail[1..];
                continue;
            }
        };
        match tail.find(close) {
            Some(e) => rest = &tail[e + 2..],
            None => rest = "",
        }
        out.push(' ');
    }
    out.push_str(rest);
    let marks: String =
        out.chars().map(|c| if matches!(c, '*' | '_' | '#' | '>' | '`' | '|') { ' ' } else { c }).collect();
    marks.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_tags_are_dropped() {
        assert_eq!(strip_template("À **{{ commune }}**, {% if x %}oui{% endif %} {a}"), "À , oui {a}");
    }
}
