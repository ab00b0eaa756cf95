//! Building the [`Site`] from loaded sources.
//!
//! Steps: pick the pages of each language (real, or the default language's text where a
//! translation is missing and the language asks for it), add sections for folders without
//! `_index.md`, compute URLs from slugs, detect URL collisions, render Markdown in parallel
//! with links resolved, check anchors, and sort sections.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use super::mdcache::{self, MdCache, Recording};
use super::resolve::Resolver;
use super::source::{Front, SortBy, SourcePage};
use super::{Kind, Page, PageId, Site};
use crate::config::{Config, Missing, Typography};
use crate::diag::{Diagnostic, suggest};
use crate::i18n::I18n;
use crate::markdown::{self, MdInput, typography};
use crate::slug::{collision_key, slugify};

/// The result of the model stage.
pub struct Built {
    /// The site.
    pub site: Site,
}

/// Where a page's text comes from.
enum Origin<'a> {
    Source(&'a SourcePage),
    Implicit { dir: String },
}

/// Builds the site. Problems go to `diags`; the site is usable for rendering only when no error
/// was reported.
pub fn build(
    config: Arc<Config>,
    i18n: Arc<I18n>,
    sources: &[Arc<SourcePage>],
    md_cache: Option<&MdCache>,
    diags: &mut Vec<Diagnostic>,
) -> Built {
    let n_langs = config.languages.len();
    let def = config.default_language;

    let mut by_lang: Vec<BTreeMap<&str, &SourcePage>> = vec![BTreeMap::new(); n_langs];
    for s in sources {
        if s.front.draft && !config.drafts {
            continue;
        }
        by_lang[s.lang].insert(s.rel.as_str(), s);
    }

    // Folders whose pages need a section, in every language.
    let all_rels: BTreeSet<&str> = by_lang.iter().flat_map(|m| m.keys().copied()).collect();
    let mut implicit: BTreeSet<String> = BTreeSet::new();
    for rel in &all_rels {
        for dir in ancestor_dirs(rel) {
            let section = section_rel(&dir);
            if !all_rels.contains(section.as_str()) {
                implicit.insert(section);
            }
        }
    }
    for s in &implicit {
        let dir = s.trim_end_matches("_index.md").trim_end_matches('/');
        let shown = if dir.is_empty() { String::new() } else { format!("{dir}/") };
        diags.push(
            Diagnostic::warning(
                "K210",
                format!("content/{}/{shown} has no _index.md", config.default_lang().code),
            )
            .at(format!("content/{}/{shown}", config.default_lang().code))
            .hint(format!(
                "add content/{}/{shown}_index.md with a `title`; until then the folder's name is used",
                config.default_lang().code
            )),
        );
    }

    // Pages of each language.
    let mut origins: Vec<Origin<'_>> = Vec::new();
    let mut pages: Vec<Page> = Vec::new();
    for lang in 0..n_langs {
        let fallback = lang != def && config.languages[lang].missing == Missing::Fallback;
        let mut present: BTreeSet<String> = BTreeSet::new();
        for rel in &all_rels {
            let (src, content_lang, fallback_of) = match by_lang[lang].get(rel) {
                Some(s) => (*s, lang, false),
                None if fallback => match by_lang[def].get(rel) {
                    Some(s) => (*s, def, true),
                    None => continue,
                },
                None => continue,
            };
            present.insert(rel.to_string());
            let id = pages.len() as PageId;
            pages.push(new_page(&config, id, lang, content_lang, rel, src, fallback_of));
            origins.push(Origin::Source(src));
        }
        for s in &implicit {
            let dir = s.trim_end_matches("_index.md").trim_end_matches('/').to_string();
            let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
            if !present.iter().any(|r| r.starts_with(&prefix)) {
                continue;
            }
            let id = pages.len() as PageId;
            let title = dir
                .rsplit('/')
                .next()
                .filter(|s| !s.is_empty())
                .unwrap_or(&config.languages[lang].title)
                .to_string();
            let front = Front { title, menu: true, ..Front::default() };
            let mut p = blank_page(id, lang, s, &front);
            p.source = format!("content/{}/{}", config.languages[lang].code, prefix).into();
            p.template = if dir.is_empty() { "index.html".into() } else { "section.html".into() };
            pages.push(p);
            origins.push(Origin::Implicit { dir });
        }
    }

    let mut index: HashMap<(usize, Arc<str>), PageId> = HashMap::with_capacity(pages.len());
    for p in &pages {
        index.insert((p.lang, p.rel.clone()), p.id);
    }
    for p in pages.iter_mut() {
        if p.content_lang != p.lang {
            p.fallback_of = index.get(&(def, p.rel.clone())).copied();
        }
    }

    // Parents.
    for p in pages.iter_mut() {
        p.parent = parent_section(&p.rel).and_then(|r| index.get(&(p.lang, Arc::from(r.as_str()))).copied());
    }

    // Page templates given by sections.
    for i in 0..pages.len() {
        if let (Kind::Page, Some(parent), Origin::Source(src)) = (pages[i].kind, pages[i].parent, &origins[i])
            && src.front.template.is_none()
            && let Origin::Source(psrc) = &origins[parent as usize]
            && let Some(t) = &psrc.front.page_template
        {
            pages[i].template = t.clone();
        }
    }

    // URLs, parents first.
    let mut order: Vec<usize> = (0..pages.len()).collect();
    order.sort_by_key(|&i| depth(&pages[i].rel));
    for i in order {
        let p = &pages[i];
        let url = match p.parent {
            None => format!("/{}/", config.languages[p.lang].code),
            Some(parent) => {
                let seg = match &origins[i] {
                    Origin::Source(src) => {
                        src.front.slug.clone().unwrap_or_else(|| slugify(&default_segment(&p.rel)))
                    }
                    Origin::Implicit { dir } => slugify(dir.rsplit('/').next().unwrap_or(dir)),
                };
                if seg.is_empty() {
                    diags.push(
                        Diagnostic::error(
                            "K212",
                            format!("`{}` gives an empty URL segment", default_segment(&p.rel)),
                        )
                        .at(&p.source)
                        .hint("add `slug: …` to the front matter, or rename the file with letters or digits"),
                    );
                    format!("{}{}/", pages[parent as usize].url, p.id)
                } else {
                    format!("{}{seg}/", pages[parent as usize].url)
                }
            }
        };
        pages[i].url = url;
    }

    // URL collisions, also by case and Unicode normalisation.
    let mut seen: HashMap<String, PageId> = HashMap::new();
    for p in &pages {
        if let Some(&other) = seen.get(&collision_key(&p.url)) {
            let o = &pages[other as usize];
            if o.fallback_of.is_some() && p.fallback_of.is_some() {
                continue; // the same collision, reported in the default language
            }
            let (a, b) = (o.source.display().to_string(), p.source.display().to_string());
            diags.push(
                Diagnostic::error("K211", format!("two pages have the URL {}: {a} and {b}", p.url))
                    .at(&p.source)
                    .note(if o.url == p.url {
                        "the URLs are identical".to_string()
                    } else {
                        format!(
                            "{} and {} differ only by case or accents, and collide on many file systems",
                            o.url, p.url
                        )
                    })
                    .hint("give one of them another `slug`"),
            );
        } else {
            seen.insert(collision_key(&p.url), p.id);
        }
    }

    // Markdown, in parallel.
    let urls: Vec<String> = pages.iter().map(|p| p.url.clone()).collect();
    let rels: Vec<Arc<str>> = {
        let set: BTreeSet<Arc<str>> = pages.iter().filter(|p| p.lang == def).map(|p| p.rel.clone()).collect();
        set.into_iter().collect()
    };
    let keys: Vec<(usize, Arc<str>)> = pages.iter().map(|p| (p.lang, p.rel.clone())).collect();
    let rendered: Vec<Option<markdown::Rendered>> = pages
        .par_iter()
        .zip(origins.par_iter())
        .map(|(p, origin)| {
            let Origin::Source(src) = origin else {
                return None;
            };
            let resolver = Resolver {
                index: &index,
                urls: &urls,
                rels: &rels,
                lang: p.lang,
                lang_code: &config.languages[p.lang].code,
                default: def,
                current: p.id,
            };
            let input = MdInput {
                file: &src.text,
                body_start: src.body_start,
                path: &src.path,
                typography: config.languages[p.content_lang].typography,
                highlight_theme: &config.highlight_theme,
            };
            let Some(cache) = md_cache else { return Some(markdown::render(&input, &resolver)) };
            let rec = Recording { inner: &resolver, keys: &keys, calls: Default::default() };
            let key = mdcache::Input {
                key: (p.lang, p.rel.clone()),
                text_hash: src.text_hash,
                content_lang: p.content_lang,
                theme: &config.highlight_theme,
            };
            if let Some(r) = cache.lookup(&key, &rec) {
                return Some(r);
            }
            rec.calls.borrow_mut().clear();
            let r = markdown::render(&input, &rec);
            cache.store(key, p.id, rec.calls.into_inner(), &r);
            Some(r)
        })
        .collect();
    let mut anchors = Vec::new();
    // Pages of a book section keep their Markdown, which the book's PDF is made from.
    let in_book: Vec<bool> =
        pages.iter().map(|p| p.is_book() || p.parent.is_some_and(|q| pages[q as usize].is_book())).collect();
    for ((p, o), book) in pages.iter_mut().zip(&origins).zip(in_book) {
        if let (true, Origin::Source(s)) = (book, o) {
            p.markdown = Some(Arc::from(&s.text[s.body_start..]));
        }
    }
    for (p, r) in pages.iter_mut().zip(rendered) {
        let Some(r) = r else { continue };
        p.html = r.html;
        p.toc = r.toc;
        p.ids = r.ids;
        p.words = r.words;
        p.excerpt = r.excerpt;
        p.links = r.links;
        p.files = r.files;
        // A fallback copy repeats its source's problems: report them once.
        if p.fallback_of.is_none() {
            diags.extend(r.diagnostics);
            anchors.push((p.id, r.anchors));
        }
    }
    for (from, refs) in anchors {
        for a in refs {
            let target = &pages[a.target as usize];
            if !target.ids.contains(&a.anchor) {
                let src = &pages[from as usize];
                let text = match &origins[from as usize] {
                    Origin::Source(s) => s.text.as_str(),
                    Origin::Implicit { .. } => "",
                };
                let hint = match suggest(&a.anchor, target.ids.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `#{s}`?"),
                    None if target.ids.is_empty() => {
                        format!("{} has no headings to link to", target.source.display())
                    }
                    None => format!(
                        "anchors in {}: {}",
                        target.source.display(),
                        target.ids.iter().take(12).map(|i| format!("#{i}")).collect::<Vec<_>>().join(", ")
                    ),
                };
                diags.push(
                    Diagnostic::error(
                        "K313",
                        format!("anchor `#{}` does not exist in {}", a.anchor, target.source.display()),
                    )
                    .at(&src.source)
                    .at_offset(text, a.offset, a.len)
                    .hint(hint),
                );
            }
        }
    }

    // Sections: children, sorted.
    let mut children: Vec<Vec<PageId>> = vec![Vec::new(); pages.len()];
    for p in &pages {
        if let Some(parent) = p.parent {
            children[parent as usize].push(p.id);
        }
    }
    for (i, kids) in children.into_iter().enumerate() {
        let sort_by = pages[i].sort_by;
        let (mut subs, mut leaves): (Vec<PageId>, Vec<PageId>) =
            kids.into_iter().partition(|&k| pages[k as usize].is_section());
        sort_pages(&pages, &mut leaves, sort_by);
        sort_pages(&pages, &mut subs, SortBy::Weight);
        pages[i].pages = leaves;
        pages[i].subsections = subs;
    }

    let homes: Vec<Option<PageId>> =
        (0..n_langs).map(|l| index.get(&(l, Arc::from("_index.md"))).copied()).collect();
    let menus = homes
        .iter()
        .map(|h| match h {
            // The home's sections, then the home's pages that ask for it (`menu: true`).
            Some(h) => {
                let home = &pages[*h as usize];
                home.subsections
                    .iter()
                    .chain(&home.pages)
                    .copied()
                    .filter(|&s| pages[s as usize].menu)
                    .collect()
            }
            None => Vec::new(),
        })
        .collect();

    Built {
        site: Site {
            config,
            i18n,
            pages,
            index,
            homes,
            menus,
            communes: None,
            commune_urls: None,
            posters: Vec::new(),
            kits: Vec::new(),
        },
    }
}

fn new_page(
    config: &Config,
    id: PageId,
    lang: usize,
    content_lang: usize,
    rel: &str,
    src: &SourcePage,
    fallback: bool,
) -> Page {
    // `fallback_of` is set once every page has an id.
    let mut p = blank_page(id, lang, rel, &src.front);
    p.content_lang = content_lang;
    p.source = src.path.clone();
    p.version = src.version.clone();
    // Version hashes are printed in lower case; `ABC1` names the same version as `abc1`.
    p.translation_of =
        if fallback { None } else { src.front.translation_of.as_ref().map(|v| v.to_ascii_lowercase()) };
    p.source_text_hash = src.text_hash;
    p.template_line = src
        .text
        .lines()
        .position(|l| l.starts_with("template:") || l.starts_with("page_template:"))
        .map(|i| i + 1);
    if config.languages[content_lang].typography == Typography::Fr {
        p.title = typography::french(&p.title, &mut None);
        p.summary = p.summary.map(|s| typography::french(&s, &mut None));
    }
    p.template = src.front.template.clone().unwrap_or_else(|| {
        if !src.is_section {
            "page.html".into()
        } else if rel == "_index.md" {
            "index.html".into()
        } else {
            "section.html".into()
        }
    });
    p
}

fn blank_page(id: PageId, lang: usize, rel: &str, front: &Front) -> Page {
    let is_section = rel == "_index.md" || rel.ends_with("/_index.md");
    Page {
        id,
        lang,
        content_lang: lang,
        rel: Arc::from(rel),
        source: Default::default(),
        kind: if is_section { Kind::Section } else { Kind::Page },
        title: front.title.clone(),
        summary: front.summary.clone(),
        excerpt: String::new(),
        date: front.date,
        weight: front.weight,
        template: String::new(),
        extra: front.extra.clone(),
        url: String::new(),
        html: Default::default(),
        toc: Default::default(),
        ids: Default::default(),
        words: 0,
        parent: None,
        pages: Vec::new(),
        subsections: Vec::new(),
        sort_by: front.sort_by,
        menu: front.menu,
        fallback_of: None,
        version: String::new(),
        translation_of: None,
        source_text_hash: 0,
        template_line: None,
        files: Vec::new(),
        links: Vec::new(),
        markdown: None,
    }
}

fn sort_pages(pages: &[Page], ids: &mut [PageId], by: SortBy) {
    let title = |id: &PageId| pages[*id as usize].title.to_lowercase();
    match by {
        SortBy::Weight => ids.sort_by(|a, b| {
            let (pa, pb) = (&pages[*a as usize], &pages[*b as usize]);
            pa.weight.cmp(&pb.weight).then_with(|| title(a).cmp(&title(b))).then_with(|| pa.rel.cmp(&pb.rel))
        }),
        SortBy::Date => ids.sort_by(|a, b| {
            let (pa, pb) = (&pages[*a as usize], &pages[*b as usize]);
            pb.date.cmp(&pa.date).then_with(|| title(a).cmp(&title(b))).then_with(|| pa.rel.cmp(&pb.rel))
        }),
        SortBy::Title => ids.sort_by(|a, b| {
            title(a).cmp(&title(b)).then_with(|| pages[*a as usize].rel.cmp(&pages[*b as usize].rel))
        }),
    }
}

/// `a/b/c.md` → [``, `a`, `a/b`]; `a/_index.md` → [``].
fn ancestor_dirs(rel: &str) -> Vec<String> {
    let dir = match rel.rsplit_once('/') {
        Some((d, _)) => d,
        None => "",
    };
    let is_section = rel == "_index.md" || rel.ends_with("/_index.md");
    let mut out = vec![String::new()];
    let mut acc = String::new();
    let parts: Vec<&str> = if dir.is_empty() { Vec::new() } else { dir.split('/').collect() };
    let keep = if is_section { parts.len().saturating_sub(1) } else { parts.len() };
    for part in parts.iter().take(keep) {
        if !acc.is_empty() {
            acc.push('/');
        }
        acc.push_str(part);
        out.push(acc.clone());
    }
    if is_section && rel == "_index.md" {
        out.clear();
    }
    out
}

fn section_rel(dir: &str) -> String {
    if dir.is_empty() { "_index.md".into() } else { format!("{dir}/_index.md") }
}

/// The section a page belongs to.
fn parent_section(rel: &str) -> Option<String> {
    if rel == "_index.md" {
        return None;
    }
    let dir = rel.strip_suffix("/_index.md").unwrap_or(rel);
    let parent_dir = match dir.rsplit_once('/') {
        Some((d, _)) => d,
        None => "",
    };
    Some(section_rel(parent_dir))
}

fn depth(rel: &str) -> usize {
    let base = rel.matches('/').count();
    if rel == "_index.md" {
        0
    } else if rel.ends_with("/_index.md") {
        base
    } else {
        base + 1
    }
}

/// The URL segment a file gets without a slug: its stem, or its folder's name for `_index.md`.
fn default_segment(rel: &str) -> String {
    let name = rel.strip_suffix("/_index.md").unwrap_or(rel);
    let last = name.rsplit('/').next().unwrap_or(name);
    last.strip_suffix(".md").unwrap_or(last).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_helpers() {
        assert_eq!(ancestor_dirs("a/b/c.md"), ["", "a", "a/b"]);
        assert_eq!(ancestor_dirs("a/_index.md"), [""]);
        assert_eq!(ancestor_dirs("x.md"), [""]);
        assert!(ancestor_dirs("_index.md").is_empty());
        assert_eq!(parent_section("a/b/c.md").as_deref(), Some("a/b/_index.md"));
        assert_eq!(parent_section("a/_index.md").as_deref(), Some("_index.md"));
        assert_eq!(parent_section("_index.md"), None);
        assert_eq!(default_segment("brochure/_index.md"), "brochure");
        assert_eq!(default_segment("brochure/01-definition.md"), "01-definition");
        assert!(depth("_index.md") < depth("a/_index.md") && depth("a/_index.md") < depth("a/b.md"));
    }
}
