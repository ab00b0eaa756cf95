//! What templates receive: typed data turned into Tera values.
//!
//! Every template gets `lang`, `dir`, `site` (title, languages, base URL) and `menu`; page
//! templates also get `page` and `alternates`. The per-language parts are built once per build
//! and shared (Tera values are reference-counted), so a page costs only its own data. The
//! fields are documented in `docs/templates.md`.

use serde::Serialize;
use tera::{Context, Value};

use crate::config::Dir;
use crate::deps::{self, Dep};
use crate::markdown::TocEntry;
use crate::model::{Kind, Page, Site};

/// Another page, as lists, menus and neighbours show it.
#[derive(Debug, Serialize)]
struct LinkCtx<'a> {
    title: &'a str,
    url: &'a str,
    date: Option<String>,
    summary: &'a str,
    weight: i64,
    is_section: bool,
    extra: &'a serde_json::Map<String, serde_json::Value>,
}

/// A page as a link, for templates.
pub fn link_value(site: &Site, p: &Page) -> Value {
    deps::record(Dep::Meta(p.lang, p.rel.clone()));
    let _ = site;
    Value::from_serializable(&LinkCtx {
        title: &p.title,
        url: &p.url,
        date: p.date.map(|d| d.rfc3339()),
        summary: p.description(),
        weight: p.weight,
        is_section: p.kind == Kind::Section,
        extra: &p.extra,
    })
}

#[derive(Debug, Serialize)]
struct LangCtx<'a> {
    code: &'a str,
    name: &'a str,
    dir: &'a str,
    url: String,
}

#[derive(Debug, Serialize)]
struct SiteCtx<'a> {
    title: &'a str,
    home: String,
    base_url: &'a str,
    default_language: &'a str,
    default_language_name: &'a str,
    languages: Vec<LangCtx<'a>>,
    contact_email: Option<&'a str>,
    /// Open Graph locale of this language (`fr_FR`).
    locale: String,
    /// This language's Atom feeds.
    feeds: Vec<FeedCtx>,
    /// The sharing card, for pages with no image of their own.
    card: CardCtx,
    fediverse_creator: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct FeedCtx {
    title: String,
    /// Site-absolute.
    url: String,
}

#[derive(Debug, Serialize)]
struct CardCtx {
    /// Absolute.
    url: String,
    width: u32,
    height: u32,
}

/// The Open Graph locale of a language code: `language_TERRITORY` (`fr` → `fr_FR`,
/// `pt-BR` → `pt_BR`); the code itself when no territory is known.
pub fn og_locale(code: &str) -> String {
    let mut parts = code.split('-');
    let lang = parts.next().unwrap_or(code).to_ascii_lowercase();
    if let Some(region) = parts.find(|p| p.len() == 2) {
        return format!("{lang}_{}", region.to_ascii_uppercase());
    }
    let territory = match lang.as_str() {
        "fr" | "br" | "oc" | "co" => "FR",
        "en" => "GB",
        "de" => "DE",
        "es" | "ca" | "eu" | "gl" => "ES",
        "it" => "IT",
        "pt" => "PT",
        "nl" => "NL",
        "ar" => "AR",
        "pl" => "PL",
        "tr" => "TR",
        "uk" => "UA",
        "ru" => "RU",
        _ => return lang,
    };
    format!("{lang}_{territory}")
}

#[derive(Debug, Serialize)]
struct TranslationCtx<'a> {
    code: &'a str,
    name: &'a str,
    dir: &'a str,
    url: String,
    title: Option<&'a str>,
    current: bool,
    /// A translated page exists (not a copy in the default language).
    translated: bool,
    /// Open Graph locale.
    locale: String,
}

#[derive(Debug, Serialize)]
struct Alternate {
    hreflang: String,
    href: String,
}

#[derive(Debug, Serialize)]
struct PageCtx<'a> {
    title: &'a str,
    summary: Option<&'a str>,
    description: &'a str,
    date: Option<String>,
    weight: i64,
    url: &'a str,
    permalink: String,
    kind: &'static str,
    is_home: bool,
    rel: &'a str,
    source: String,
    toc: &'a [TocEntry],
    words: usize,
    reading_minutes: usize,
    extra: &'a serde_json::Map<String, serde_json::Value>,
    content_lang: &'a str,
    content_dir: &'static str,
    is_fallback: bool,
    translations: Vec<TranslationCtx<'a>>,
    ancestors: Vec<Value>,
    prev: Option<Value>,
    next: Option<Value>,
    pages: Vec<Value>,
    subsections: Vec<Value>,
}

fn dir_str(d: Dir) -> &'static str {
    match d {
        Dir::Ltr => "ltr",
        Dir::Rtl => "rtl",
    }
}

/// Values shared by every output of a language.
pub struct Shared {
    site: Vec<Value>,
    menu: Vec<Value>,
}

impl Shared {
    /// Builds the per-language values once.
    pub fn new(site: &Site) -> Shared {
        let c = &site.config;
        let languages: Vec<LangCtx<'_>> = c
            .languages
            .iter()
            .enumerate()
            .map(|(i, l)| LangCtx {
                code: &l.code,
                name: &l.name,
                dir: dir_str(l.dir),
                url: site.home_url(i),
            })
            .collect();
        let mut site_values = Vec::new();
        let mut menus = Vec::new();
        for (i, l) in c.languages.iter().enumerate() {
            let feeds = site
                .feeds(i)
                .filter(|p| p.fallback_of.is_none())
                .map(|p| FeedCtx {
                    title: if p.parent.is_none() {
                        l.title.clone()
                    } else {
                        format!("{} · {}", p.title, l.title)
                    },
                    url: p.feed_url(),
                })
                .collect();
            site_values.push(Value::from_serializable(&SiteCtx {
                title: &l.title,
                home: site.home_url(i),
                base_url: &c.base_url,
                default_language: &c.default_lang().code,
                default_language_name: &c.default_lang().name,
                languages: languages
                    .iter()
                    .map(|x| LangCtx { code: x.code, name: x.name, dir: x.dir, url: x.url.clone() })
                    .collect(),
                contact_email: c.contact_email.as_deref(),
                locale: og_locale(&l.code),
                feeds,
                card: CardCtx {
                    url: c.absolute_url(&crate::render::card::path(&l.code)),
                    width: crate::render::card::WIDTH,
                    height: crate::render::card::HEIGHT,
                },
                fediverse_creator: c.fediverse_creator.as_deref(),
            }));
            let (menu, _) = deps::recording(|| {
                Value::from(
                    site.menus[i].iter().map(|&id| link_value(site, site.page(id))).collect::<Vec<_>>(),
                )
            });
            menus.push(menu);
        }
        Shared { site: site_values, menu: menus }
    }

    /// A context with `lang`, `dir`, `site` and `menu` for a language.
    pub fn base(&self, site: &Site, lang: usize, serve: bool) -> Context {
        let l = &site.config.languages[lang];
        deps::record(Dep::Menu(lang));
        deps::record(Dep::Config);
        let mut ctx = Context::new();
        ctx.insert("lang", &l.code);
        ctx.insert("dir", dir_str(l.dir));
        ctx.insert_value("site", self.site[lang].clone());
        ctx.insert_value("menu", self.menu[lang].clone());
        ctx.insert("serve", &serve);
        ctx
    }
}

/// The context of a page or section.
pub fn page_context(site: &Site, shared: &Shared, page: &Page, serve: bool) -> Context {
    let c = &site.config;
    let mut ctx = shared.base(site, page.lang, serve);
    deps::record(Dep::Page(page.lang, page.rel.clone()));
    deps::record(Dep::Translations(page.rel.clone()));

    let versions = site.translations(page);
    let translations: Vec<TranslationCtx<'_>> = versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let l = &c.languages[i];
            TranslationCtx {
                code: &l.code,
                name: &l.name,
                dir: dir_str(l.dir),
                url: v.map(|p| p.url.clone()).unwrap_or_else(|| site.home_url(i)),
                title: v.map(|p| p.title.as_str()),
                current: i == page.lang,
                translated: v.is_some_and(|p| p.fallback_of.is_none()),
                locale: og_locale(&l.code),
            }
        })
        .collect();
    // hreflang only for real translations; x-default is the default language's version.
    let mut alternates: Vec<Alternate> = versions
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            v.filter(|p| p.fallback_of.is_none())
                .map(|p| Alternate { hreflang: c.languages[i].code.clone(), href: c.absolute_url(&p.url) })
        })
        .collect();
    if let Some(Some(d)) = versions.get(c.default_language)
        && alternates.len() > 1
    {
        alternates.push(Alternate { hreflang: "x-default".into(), href: c.absolute_url(&d.url) });
    }

    // Which pages come before and after it (their titles are recorded by `link_value`).
    deps::record(Dep::Neighbours(page.lang, page.rel.clone()));
    if page.is_section() {
        deps::record(Dep::Children(page.lang, page.rel.clone()));
    }
    let (prev, next) = site.neighbours(page);
    let content_lang = &c.languages[page.content_lang];
    let p = PageCtx {
        title: &page.title,
        summary: page.summary.as_deref(),
        description: page.description(),
        date: page.date.map(|d| d.rfc3339()),
        weight: page.weight,
        url: &page.url,
        permalink: c.absolute_url(&page.url),
        kind: if page.is_section() { "section" } else { "page" },
        is_home: page.parent.is_none(),
        rel: &page.rel,
        source: page.source.display().to_string(),
        toc: &page.toc,
        words: page.words,
        reading_minutes: page.words.div_ceil(220).max(1),
        extra: &page.extra,
        content_lang: &content_lang.code,
        content_dir: dir_str(content_lang.dir),
        is_fallback: page.fallback_of.is_some(),
        translations,
        ancestors: site.ancestors(page).into_iter().map(|a| link_value(site, a)).collect(),
        prev: prev.map(|p| link_value(site, p)),
        next: next.map(|p| link_value(site, p)),
        pages: page.pages.iter().map(|&id| link_value(site, site.page(id))).collect(),
        subsections: page.subsections.iter().map(|&id| link_value(site, site.page(id))).collect(),
    };
    let mut map = Value::from_serializable(&p).into_map().unwrap_or_default();
    map.insert("content".into(), Value::safe_string(&page.html));
    ctx.insert_value("page", Value::from(map));
    ctx.insert("alternates", &alternates);
    ctx
}

/// A page kitgen generates from data (a commune, a département…), with the same fields as a
/// content page so the theme's partials (head, switcher, breadcrumb) work unchanged.
pub struct Virtual {
    /// Language it is published in.
    pub lang: usize,
    /// Title.
    pub title: String,
    /// Description for search engines and link previews.
    pub description: String,
    /// `commune`, `departement`, …
    pub kind: &'static str,
    /// Its URL in every language (`None` where it is not published).
    pub urls: Vec<Option<String>>,
    /// Pages above it, from the home down, as [`link_value`]s.
    pub ancestors: Vec<Value>,
}

/// The context of a generated page: `page` and `alternates` like a content page.
pub fn virtual_context(site: &Site, shared: &Shared, v: &Virtual, serve: bool) -> Context {
    let c = &site.config;
    let mut ctx = shared.base(site, v.lang, serve);
    let url = v.urls[v.lang].clone().unwrap_or_default();
    let translations: Vec<TranslationCtx<'_>> = c
        .languages
        .iter()
        .enumerate()
        .map(|(i, l)| TranslationCtx {
            code: &l.code,
            name: &l.name,
            dir: dir_str(l.dir),
            url: v.urls[i].clone().unwrap_or_else(|| site.home_url(i)),
            title: None,
            current: i == v.lang,
            translated: v.urls[i].is_some(),
            locale: og_locale(&l.code),
        })
        .collect();
    let mut alternates: Vec<Alternate> = v
        .urls
        .iter()
        .enumerate()
        .filter_map(|(i, u)| {
            u.as_ref().map(|u| Alternate { hreflang: c.languages[i].code.clone(), href: c.absolute_url(u) })
        })
        .collect();
    if alternates.len() > 1
        && let Some(Some(d)) = v.urls.get(c.default_language)
    {
        alternates.push(Alternate { hreflang: "x-default".into(), href: c.absolute_url(d) });
    }
    let l = &c.languages[v.lang];
    let empty = serde_json::Map::new();
    let p = PageCtx {
        title: &v.title,
        summary: None,
        description: &v.description,
        date: None,
        weight: 0,
        url: &url,
        permalink: c.absolute_url(&url),
        kind: v.kind,
        is_home: false,
        rel: "",
        source: String::new(),
        toc: &[],
        words: 0,
        reading_minutes: 0,
        extra: &empty,
        content_lang: &l.code,
        content_dir: dir_str(l.dir),
        is_fallback: false,
        translations,
        ancestors: v.ancestors.clone(),
        prev: None,
        next: None,
        pages: Vec::new(),
        subsections: Vec::new(),
    };
    let mut map = Value::from_serializable(&p).into_map().unwrap_or_default();
    map.insert("content".into(), Value::safe_string(""));
    ctx.insert_value("page", Value::from(map));
    ctx.insert("alternates", &alternates);
    ctx
}
