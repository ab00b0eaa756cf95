//! Atom feeds (RFC 4287): one per section whose front matter says `extra: { feed: true }`
//! (the news), in every language it exists in, at `<section URL>atom.xml`. Feed readers and
//! Mastodon bridges live on other hosts, so every URL in a feed is absolute (from `base_url`),
//! links in the entries' HTML too. Dates come from the pages (`date:`), never from the clock:
//! two builds give the same bytes. Every page of the language announces its feeds in its head
//! (`site.feeds` in templates).
//!
//! First wave: a feed is made from the model (the pages' rendered Markdown), not from the
//! rendered pages.

use std::fmt::Write as _;

use super::{Artifact, Family, Kind, PlanCx, Planned, RenderCx};
use crate::deps::{self, Dep};
use crate::diag::Diagnostic;
use crate::model::{Page, PageId, Site};
use crate::render::html::urls;
use crate::render::xml_escape;

/// Most entries in a feed: the most recent ones.
pub const MAX_ENTRIES: usize = 50;

/// When a feed has no dated entry and its section no date.
const EPOCH: &str = "1970-01-01T00:00:00Z";

/// The feeds family.
pub struct Feeds;

/// The entries of a feed section: its own (not fallback) dated pages, newest first.
pub fn entries<'a>(site: &'a Site, section: &Page) -> Vec<&'a Page> {
    let mut v: Vec<&Page> = section
        .pages
        .iter()
        .map(|&id| site.page(id))
        .filter(|p| !p.is_section() && p.fallback_of.is_none() && p.date.is_some())
        .collect();
    v.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.url.cmp(&b.url)));
    v.truncate(MAX_ENTRIES);
    v
}

impl Family for Feeds {
    type Job = PageId;
    type State = ();
    type Input = ();

    fn name(&self) -> &'static str {
        "feeds"
    }

    fn plan(&self, cx: &PlanCx<'_>) -> Planned<PageId, ()> {
        let site = cx.site();
        let mut planned = Planned::new((), Vec::new());
        for p in site.pages.iter().filter(|p| p.kind == crate::model::Kind::Section) {
            if let Some(v) = p.extra.get("feed")
                && !v.is_boolean()
            {
                planned.diagnostics.push(
                    Diagnostic::error("K841", format!("`extra.feed` is {v}, not `true` or `false`"))
                        .at(&p.source)
                        .hint("write `extra: { feed: true }` to publish an Atom feed of the section's pages"),
                );
            }
            if !p.is_feed() || p.fallback_of.is_some() {
                continue;
            }
            for &id in &p.pages {
                let page = site.page(id);
                if !page.is_section() && page.fallback_of.is_none() && page.date.is_none() {
                    planned.diagnostics.push(
                        Diagnostic::warning("K842", format!("`{}` is left out of the feed: it has no date", page.title))
                            .at(&page.source)
                            .hint("add `date: YYYY-MM-DD` to its front matter: a feed entry needs the date it was published"),
                    );
                }
            }
            planned.outputs.push((p.feed_url().trim_start_matches('/').to_string(), p.id));
        }
        planned
    }

    fn render(&self, cx: &RenderCx<'_, Self>, _: &(), id: &PageId) -> Result<Artifact, Diagnostic> {
        let site = cx.site;
        let section = site.page(*id);
        deps::record(Dep::Config);
        deps::record(Dep::Page(section.lang, section.rel.clone()));
        deps::record(Dep::Children(section.lang, section.rel.clone()));
        let entries = entries(site, section);
        for e in &entries {
            deps::record(Dep::Page(e.lang, e.rel.clone()));
        }
        Ok(Artifact::file(Kind::Xml, feed(site, section, &entries).into_bytes()))
    }

    fn describe(&self, site: &Site, _: &(), id: &PageId) -> String {
        format!("the feed of {}", site.page(*id).source.display())
    }
}

/// The Atom document of a section.
pub fn feed(site: &Site, section: &Page, entries: &[&Page]) -> String {
    let c = &site.config;
    let lang = &c.languages[section.lang];
    let abs = |u: &str| c.absolute_url(u);
    let updated = entries
        .iter()
        .filter_map(|p| p.date)
        .max()
        .or(section.date)
        .map(|d| d.rfc3339())
        .unwrap_or_else(|| EPOCH.into());
    let title = if section.parent.is_none() {
        lang.title.clone()
    } else {
        format!("{} · {}", section.title, lang.title)
    };
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ =
        writeln!(s, "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">", xml_escape(&lang.code));
    let _ = writeln!(s, "  <id>{}</id>", xml_escape(&abs(&section.url)));
    let _ = writeln!(s, "  <title>{}</title>", xml_escape(&title));
    if !section.description().is_empty() {
        let _ = writeln!(s, "  <subtitle>{}</subtitle>", xml_escape(section.description()));
    }
    let _ = writeln!(s, "  <updated>{updated}</updated>");
    let _ = writeln!(
        s,
        "  <author><name>{}</name><uri>{}</uri></author>",
        xml_escape(&lang.title),
        xml_escape(&abs(&site.home_url(section.lang)))
    );
    let _ = writeln!(
        s,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        xml_escape(&abs(&section.feed_url()))
    );
    let _ = writeln!(
        s,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        xml_escape(&abs(&section.url))
    );
    let _ = writeln!(s, "  <generator>kitgen</generator>");
    for p in entries {
        let date = p.date.map(|d| d.rfc3339()).unwrap_or_else(|| EPOCH.into());
        let url = abs(&p.url);
        s.push_str("  <entry>\n");
        let _ = writeln!(s, "    <id>{}</id>", xml_escape(&url));
        let _ = writeln!(s, "    <title>{}</title>", xml_escape(&p.title));
        let _ = writeln!(s, "    <published>{date}</published>");
        let _ = writeln!(s, "    <updated>{date}</updated>");
        let _ = writeln!(s, "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", xml_escape(&url));
        if !p.description().is_empty() {
            let _ = writeln!(s, "    <summary>{}</summary>", xml_escape(p.description()));
        }
        let html = absolute_links(site, p);
        let _ = writeln!(s, "    <content type=\"html\">{}</content>", xml_escape(&html));
        s.push_str("  </entry>\n");
    }
    s.push_str("</feed>\n");
    s
}

/// A page's HTML with its site-absolute links (`/fr/glossaire/#vsa`) made absolute from
/// `base_url`, and its fragment-only links (`#note-1`, footnotes) from the page's own URL: a
/// feed reader shows the text elsewhere.
fn absolute_links(site: &Site, p: &Page) -> String {
    let c = &site.config;
    let html = urls::rewrite(&p.html, &|u| c.absolute_url(u));
    let page = c.absolute_url(&p.url);
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(i) = rest.find("href=\"#") {
        out.push_str(&rest[..i + 6]);
        out.push_str(&page);
        rest = &rest[i + 6..];
    }
    out.push_str(rest);
    out
}
