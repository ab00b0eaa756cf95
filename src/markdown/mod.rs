//! Markdown to HTML with pulldown-cmark.
//!
//! One pass over the parser's events, with their byte offsets so every problem points at a
//! line and column. On the way: unique heading ids and anchor links, a table of contents,
//! internal links (`@/brochure/02-briques.md#cibles`) resolved through a [`LinkResolver`],
//! unsafe link schemes and off-site images rejected, code highlighted with classes, French
//! typography on text only, footnotes as an accessible endnote list, and raw HTML sanitised to
//! an allow-list.

pub mod highlight;
mod sanitize;
pub mod typography;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use pulldown_cmark_escape::{escape_href, escape_html};
use serde::Serialize;

use crate::diag::Diagnostic;
use crate::slug::slugify;
use typography::Typography;

/// What the renderer needs to know about the page.
pub struct MdInput<'a> {
    /// The whole file, for diagnostics.
    pub file: &'a str,
    /// Byte offset of the Markdown body in `file` (after the front matter).
    pub body_start: usize,
    /// The file's path, for diagnostics.
    pub path: &'a Path,
    /// Typographic rules of the page's language.
    pub typography: Typography,
    /// syntect theme for code blocks.
    pub highlight_theme: &'a str,
}

/// A successfully resolved internal link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Site-absolute URL of the target, e.g. `/fr/brochure/cibles/`.
    pub url: String,
    /// Identifier of the target page, for anchor checks and dependencies.
    pub target: u32,
}

/// Resolves `@/…` links to pages.
pub trait LinkResolver {
    /// `path` is what follows `@/`, without the `#anchor`. On failure, returns (message, hint).
    fn resolve(&self, path: &str) -> Result<Resolved, (String, String)>;
    /// The page being rendered, for `#anchor` links to itself.
    fn current(&self) -> u32;
}

/// An `#anchor` to check once every page is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorRef {
    /// Page the anchor must exist in.
    pub target: u32,
    /// The anchor, without `#`.
    pub anchor: String,
    /// Byte offset of the link in the file.
    pub offset: usize,
    /// Length of the link's source.
    pub len: usize,
}

/// One heading of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    /// 2 for `##`, 3 for `###`, …
    pub level: u8,
    /// The heading's id.
    pub id: String,
    /// The heading's text.
    pub title: String,
    /// Sub-headings.
    pub children: Vec<TocEntry>,
}

/// The rendered body of a page.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// HTML of the body (shared: serve keeps it between rebuilds without copying it).
    pub html: Arc<str>,
    /// Headings of level 2 and more, nested.
    pub toc: Arc<[TocEntry]>,
    /// Every id a link can point to (headings, footnotes).
    pub ids: Arc<[String]>,
    /// Anchors to check in other pages (or this one).
    pub anchors: Vec<AnchorRef>,
    /// Pages this body links to.
    pub links: Vec<u32>,
    /// Problems found.
    pub diagnostics: Vec<Diagnostic>,
    /// Words of text, for reading time.
    pub words: usize,
    /// The first paragraph as plain text, for summaries.
    pub excerpt: String,
    /// Local files the body links to or shows (images, documents), to check once the outputs
    /// are known.
    pub files: Vec<FileRef>,
}

/// A link or image to a local file (`/documents/x.pdf`, `img/a.png`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    /// The URL as written, without its `?query` or `#fragment`.
    pub url: String,
    /// An image (else a link).
    pub image: bool,
    /// The diagnostic to report if it leads nowhere (already located).
    pub missing: Diagnostic,
}

/// How deeply blocks may nest (quotes, lists) and elements in raw HTML: deeper is refused
/// with a located error, before anything recursive (the minifier) sees it.
pub const MAX_NESTING: usize = 256;

/// Most Markdown events in one page (3 million `[` is a page nobody writes): bounds memory.
pub const MAX_EVENTS: usize = 2_000_000;

/// Most Markdown markers (`[`, `]`, `*`, `_`, `<`, `` ` ``) in one page. The parser builds a
/// tree of the whole page first, a few hundred bytes per marker: this bounds its memory
/// (a long chapter has a few thousand).
pub const MAX_MARKERS: usize = 200_000;

struct Heading<'a> {
    level: HeadingLevel,
    id: Option<String>,
    classes: Vec<CowStr<'a>>,
    events: Vec<Event<'a>>,
    text: String,
    offset: usize,
}

const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// Renders a Markdown body.
pub fn render(input: &MdInput<'_>, resolver: &dyn LinkResolver) -> Rendered {
    let body = &input.file[input.body_start..];
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION;
    let mut r = Rendered::default();
    let markers = body.bytes().filter(|b| matches!(b, b'[' | b']' | b'*' | b'_' | b'<' | b'`')).count();
    if markers > MAX_MARKERS {
        r.diagnostics.push(
            Diagnostic::error(
                "K311",
                format!("the page has {markers} Markdown markers ([ ] * _ < `), more than {MAX_MARKERS}"),
            )
            .at(input.path)
            .line_col(crate::diag::line_col_of(input.file, input.body_start).0, 1)
            .hint("split the page; kitgen does not read it"),
        );
        return r;
    }
    let mut toc: Vec<TocEntry> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let diag_at = |d: Diagnostic, off: usize, len: usize| {
        d.at(input.path).at_offset(input.file, input.body_start + off, len)
    };

    let mut out: Vec<Event<'_>> = Vec::with_capacity(256);
    let mut heading: Option<Heading<'_>> = None;
    let mut code: Option<(String, String)> = None;
    let mut footnote: Option<(String, Vec<Event<'_>>)> = None;
    let mut footnote_defs: Vec<(String, Vec<Event<'_>>, usize)> = Vec::new();
    let mut footnote_refs: Vec<String> = Vec::new();
    let mut ref_counts: HashMap<String, usize> = HashMap::new();
    let mut ref_offsets: Vec<(String, usize, usize)> = Vec::new();
    let mut id_counts: HashMap<String, usize> = HashMap::new();
    let mut prev_char: Option<char> = None;
    let mut raw_html = false;
    let mut in_image = false;
    let mut first_para: Option<String> = None;
    let mut para_depth = 0usize;
    let mut in_word = false;
    let mut depth = 0usize;
    let mut events = 0usize;

    for (event, range) in Parser::new_ext(body, opts).into_offset_iter() {
        let mut emit: Vec<Event<'_>> = Vec::with_capacity(1);
        events += 1;
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_NESTING || events > MAX_EVENTS {
            let what = if depth > MAX_NESTING {
                format!("blocks nest more than {MAX_NESTING} levels deep here")
            } else {
                format!("the page has more than {MAX_EVENTS} Markdown elements")
            };
            r.diagnostics.push(
                diag_at(Diagnostic::error("K311", what), range.start, range.len().min(80))
                    .hint("split the page or flatten its quotes and lists; kitgen stops reading it here"),
            );
            return r;
        }
        match event {
            Event::Start(Tag::Heading { level, id, classes, .. }) => {
                prev_char = None;
                in_word = false;
                heading = Some(Heading {
                    level,
                    id: id.map(|s| s.to_string()),
                    classes,
                    events: Vec::new(),
                    text: String::new(),
                    offset: range.start,
                });
                continue;
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some(h) = heading.take() else { continue };
                let explicit = h.id.is_some();
                let base = h.id.clone().unwrap_or_else(|| {
                    let s = slugify(&h.text);
                    if s.is_empty() { "section".into() } else { s }
                });
                let n = id_counts.entry(base.clone()).or_insert(0);
                let id = if *n == 0 { base.clone() } else { format!("{base}-{n}") };
                if *n > 0 && explicit {
                    r.diagnostics.push(
                        diag_at(
                            Diagnostic::warning(
                                "K304",
                                format!("heading id `{base}` is used twice; the second becomes `{id}`"),
                            ),
                            h.offset,
                            range.end - h.offset,
                        )
                        .hint("give each heading its own `{#id}`"),
                    );
                }
                *n += 1;
                let lvl = h.level as u8;
                let class = if h.classes.is_empty() {
                    String::new()
                } else {
                    let mut c = String::from(" class=\"");
                    let names: Vec<&str> = h.classes.iter().map(|c| c.as_ref()).collect();
                    escape_html(&mut c, &names.join(" ")).ok();
                    c.push('"');
                    c
                };
                let mut open = format!("<h{lvl} id=\"");
                escape_html(&mut open, &id).ok();
                open.push('"');
                open.push_str(&class);
                open.push('>');
                let mut close = String::from("<a class=\"anchor\" href=\"#");
                escape_href(&mut close, &id).ok();
                close.push_str(&format!("\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h{lvl}>"));
                emit.push(Event::Html(open.into()));
                emit.extend(h.events);
                emit.push(Event::Html(close.into()));
                if lvl >= 2 {
                    push_toc(
                        &mut toc,
                        TocEntry {
                            level: lvl,
                            id: id.clone(),
                            title: h.text.trim().to_string(),
                            children: Vec::new(),
                        },
                    );
                }
                ids.push(id);
                prev_char = None;
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split([' ', ',', '{']).next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
                continue;
            }
            Event::End(TagEnd::CodeBlock) => {
                let Some((lang, text)) = code.take() else {
                    continue;
                };
                let inner = highlight::highlight(&text, &lang, input.highlight_theme);
                let lang_class = slugify(&lang);
                let html = if lang_class.is_empty() {
                    format!("<pre class=\"code\"><code>{inner}</code></pre>\n")
                } else {
                    format!(
                        "<pre class=\"code\" data-lang=\"{lang_class}\"><code class=\"language-{lang_class}\">{inner}</code></pre>\n"
                    )
                };
                emit.push(Event::Html(html.into()));
            }
            Event::Text(text) if code.is_some() => {
                if let Some((_, buf)) = code.as_mut() {
                    buf.push_str(&text);
                }
                continue;
            }
            Event::Text(text) => {
                let text = match input.typography {
                    Typography::Fr => CowStr::from(typography::french(&text, &mut prev_char)),
                    Typography::None => {
                        prev_char = text.chars().next_back().or(prev_char);
                        text
                    }
                };
                r.words += count_words(&text, &mut in_word);
                if let Some(h) = heading.as_mut() {
                    h.text.push_str(&text);
                } else if para_depth > 0
                    && !in_image
                    && footnote.is_none()
                    && let Some(p) = first_para.as_mut()
                {
                    p.push_str(&text);
                }
                emit.push(Event::Text(text));
            }
            Event::Code(text) => {
                if let Some(h) = heading.as_mut() {
                    h.text.push_str(&text);
                } else if para_depth > 0
                    && footnote.is_none()
                    && let Some(p) = first_para.as_mut()
                {
                    p.push_str(&text);
                }
                prev_char = text.chars().next_back();
                emit.push(Event::Code(text));
            }
            Event::Start(Tag::Paragraph) => {
                prev_char = None;
                in_word = false;
                para_depth += 1;
                if first_para.is_none() && footnote.is_none() {
                    first_para = Some(String::new());
                }
                emit.push(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::Paragraph) => {
                para_depth = para_depth.saturating_sub(1);
                if r.excerpt.is_empty()
                    && let Some(p) = &first_para
                {
                    r.excerpt = p.trim().to_string();
                }
                emit.push(Event::End(TagEnd::Paragraph));
            }
            Event::SoftBreak | Event::HardBreak => {
                prev_char = Some(' ');
                in_word = false;
                if let Some(h) = heading.as_mut() {
                    h.text.push(' ');
                } else if para_depth > 0
                    && let Some(p) = first_para.as_mut()
                {
                    p.push(' ');
                }
                emit.push(event);
            }
            Event::Start(Tag::Link { link_type, dest_url, title, .. }) => {
                let href = match check_link(
                    &dest_url,
                    link_type,
                    resolver,
                    &mut r,
                    range.start + input.body_start,
                    range.len(),
                ) {
                    Ok(href) => href,
                    Err((code, msg, hint)) => {
                        r.diagnostics
                            .push(diag_at(Diagnostic::error(code, msg), range.start, range.len()).hint(hint));
                        "#".to_string()
                    }
                };
                let external =
                    href.starts_with("http://") || href.starts_with("https://") || href.starts_with("//");
                if !external
                    && !href.starts_with('#')
                    && !href.starts_with("mailto:")
                    && !href.starts_with("tel:")
                    && let Some(url) = local_file(&dest_url)
                {
                    let missing = diag_at(
                            Diagnostic::error("K312", format!("link to `{url}`: no page or file of the site is there")),
                            range.start,
                            range.len(),
                        )
                        .hint("link a page as `@/path/under/lang.md`; put files in static/ and link them as `/name.pdf`");
                    r.files.push(FileRef { url, image: false, missing });
                }
                let mut tag = String::from("<a href=\"");
                escape_href(&mut tag, &href).ok();
                tag.push('"');
                if !title.is_empty() {
                    tag.push_str(" title=\"");
                    escape_html(&mut tag, &title).ok();
                    tag.push('"');
                }
                if external {
                    tag.push_str(" rel=\"noopener noreferrer\"");
                }
                tag.push('>');
                emit.push(Event::Html(tag.into()));
            }
            Event::End(TagEnd::Link) => emit.push(Event::Html("</a>".into())),
            Event::Start(Tag::Image { dest_url, title, id, link_type }) => {
                in_image = true;
                let url = dest_url.trim();
                let lower = url.to_ascii_lowercase();
                if lower.starts_with("http:") || lower.starts_with("https:") || lower.starts_with("//") {
                    r.diagnostics.push(diag_at(
                        Diagnostic::error("K306", format!("image `{url}` is loaded from another host")),
                        range.start,
                        range.len(),
                    ).hint("download the image into static/ and link it with a relative path: pages must not load anything from another site"));
                } else if let Some(scheme) = scheme_of(url) {
                    r.diagnostics.push(
                        diag_at(
                            Diagnostic::error(
                                "K305",
                                format!("image source with `{scheme}:` is not allowed"),
                            ),
                            range.start,
                            range.len(),
                        )
                        .hint("put the image in static/ and link it with a relative path"),
                    );
                } else if let Some(local) = local_file(url) {
                    let missing = diag_at(
                        Diagnostic::error("K314", format!("image `{local}` does not exist")),
                        range.start,
                        range.len(),
                    )
                    .hint("put the image in static/ (it is published at the same path) and link it as `/img/name.png`");
                    r.files.push(FileRef { url: local, image: true, missing });
                }
                let empty_alt = body[range.clone()].starts_with("![]");
                if empty_alt {
                    r.diagnostics.push(
                        diag_at(
                            Diagnostic::warning("K307", format!("image `{url}` has no alternative text")),
                            range.start,
                            range.len(),
                        )
                        .hint("describe the image between the brackets: ![what it shows](path)"),
                    );
                }
                emit.push(Event::Start(Tag::Image { dest_url, title, id, link_type }));
            }
            Event::End(TagEnd::Image) => {
                in_image = false;
                emit.push(event);
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                raw_html = true;
                for (what, hint) in sanitize::problems(&html) {
                    r.diagnostics.push(
                        diag_at(
                            Diagnostic::warning("K310", format!("raw HTML {what} is removed")),
                            range.start,
                            range.len(),
                        )
                        .hint(hint),
                    );
                }
                emit.push(Event::Html(html));
            }
            Event::FootnoteReference(label) => {
                let label = label.to_string();
                let count = ref_counts.entry(label.clone()).or_insert(0);
                *count += 1;
                if !footnote_refs.contains(&label) {
                    footnote_refs.push(label.clone());
                    ref_offsets.push((label.clone(), range.start, range.len()));
                }
                let n = footnote_refs.iter().position(|l| *l == label).unwrap_or(0) + 1;
                let fid = slugify(&label);
                let ref_id =
                    if *count == 1 { format!("fnref-{fid}") } else { format!("fnref-{fid}-{count}") };
                emit.push(Event::Html(format!(
                    "<sup class=\"fnref\" id=\"{ref_id}\"><a href=\"#fn-{fid}\" role=\"doc-noteref\">{n}</a></sup>"
                ).into()));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                footnote = Some((label.to_string(), Vec::new()));
                continue;
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                if let Some((label, events)) = footnote.take() {
                    footnote_defs.push((label, events, range.start));
                }
                continue;
            }
            Event::Start(Tag::Item) | Event::Start(Tag::TableCell) | Event::Start(Tag::BlockQuote(_)) => {
                prev_char = None;
                in_word = false;
                emit.push(event);
            }
            other => emit.push(other),
        }
        if let Some(h) = heading.as_mut() {
            h.events.extend(emit);
        } else if let Some((_, events)) = footnote.as_mut() {
            events.extend(emit);
        } else {
            out.extend(emit);
        }
    }

    // Footnotes, in the order of their first reference.
    for (label, off, len) in &ref_offsets {
        if !footnote_defs.iter().any(|(l, _, _)| l == label) {
            r.diagnostics.push(
                diag_at(
                    Diagnostic::error("K308", format!("footnote `[^{label}]` has no definition")),
                    *off,
                    *len,
                )
                .hint(format!("add a line `[^{label}]: …` at the end of the page")),
            );
        }
    }
    if !footnote_defs.is_empty() {
        footnote_defs
            .sort_by_key(|(l, _, _)| footnote_refs.iter().position(|r| r == l).unwrap_or(usize::MAX));
        out.push(Event::Html("<div class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n".into()));
        for (label, mut events, off) in footnote_defs {
            if !footnote_refs.contains(&label) {
                r.diagnostics.push(
                    diag_at(
                        Diagnostic::warning("K309", format!("footnote `[^{label}]` is never referenced")),
                        off,
                        label.len() + 4,
                    )
                    .hint(format!("cite it in the text with [^{label}] or remove it")),
                );
                continue;
            }
            let fid = slugify(&label);
            ids.push(format!("fn-{fid}"));
            let back = Event::Html(
                format!(" <a href=\"#fnref-{fid}\" class=\"fn-back\" role=\"doc-backlink\">↩</a>").into(),
            );
            out.push(Event::Html(format!("<li id=\"fn-{fid}\">").into()));
            if matches!(events.last(), Some(Event::End(TagEnd::Paragraph))) {
                let end = events.pop();
                events.push(back);
                events.extend(end);
            } else {
                events.push(back);
            }
            out.extend(events);
            out.push(Event::Html("</li>\n".into()));
        }
        out.push(Event::Html("</ol>\n</div>\n".into()));
    }
    for (label, _, _) in &ref_offsets {
        ids.push(format!("fnref-{}", slugify(label)));
    }

    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    let mut html = table_alignment_classes(html);
    if html.contains('\0') {
        // CommonMark replaces NUL with U+FFFD; load already does, this is for other callers.
        html = html.replace('\0', "\u{FFFD}");
    }
    let html = if raw_html { sanitize::clean(&html) } else { html };
    if raw_html && let Some(deep) = nesting_over(&html, MAX_NESTING) {
        r.diagnostics.push(
            Diagnostic::error("K311", format!("raw HTML nests elements more than {MAX_NESTING} levels deep"))
                .at(input.path)
                .note(format!("first too deep at `{}`", deep))
                .hint("flatten the HTML: nobody reads a page nested that deep, and it cannot be published"),
        );
        return r;
    }
    r.html = html.into();
    r.toc = toc.into();
    r.ids = ids.into();
    r.excerpt = truncate_words(&r.excerpt, 300);
    r.links.sort_unstable();
    r.links.dedup();
    r
}

/// Validates a link destination and returns the `href` to write.
fn check_link(
    dest: &str,
    link_type: LinkType,
    resolver: &dyn LinkResolver,
    r: &mut Rendered,
    offset: usize,
    len: usize,
) -> Result<String, (&'static str, String, String)> {
    let dest = dest.trim();
    if matches!(link_type, LinkType::Email) {
        return Ok(format!("mailto:{dest}"));
    }
    if let Some(rest) = dest.strip_prefix("@/") {
        let (path, anchor) = match rest.split_once('#') {
            Some((p, a)) => (p, Some(a)),
            None => (rest, None),
        };
        let resolved = resolver.resolve(path).map_err(|(msg, hint)| ("K301", msg, hint))?;
        r.links.push(resolved.target);
        let mut href = resolved.url;
        if let Some(a) = anchor.filter(|a| !a.is_empty()) {
            r.anchors.push(AnchorRef { target: resolved.target, anchor: a.to_string(), offset, len });
            href.push('#');
            href.push_str(a);
        }
        return Ok(href);
    }
    if let Some(a) = dest.strip_prefix('#') {
        if !a.is_empty() {
            r.anchors.push(AnchorRef { target: resolver.current(), anchor: a.to_string(), offset, len });
        }
        return Ok(dest.to_string());
    }
    if let Some(scheme) = scheme_of(dest)
        && !ALLOWED_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str())
    {
        return Err((
            "K302",
            format!("link with `{scheme}:` is not allowed"),
            "use an http(s), mailto or relative link; to link a page of the site write `@/path/to/page.md`"
                .into(),
        ));
    }
    if dest.ends_with(".md") || dest.contains(".md#") {
        return Err((
            "K303",
            format!("link to `{dest}` looks like a source file"),
            format!(
                "write it as `@/{}` (the path under content/<lang>/), so kitgen can check and resolve it",
                dest.trim_start_matches("./").trim_start_matches('/')
            ),
        ));
    }
    Ok(dest.to_string())
}

/// A link or image source naming a local file or page: no scheme, not `//host`, not only a
/// fragment or a query. Returns it without its query and fragment.
fn local_file(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty()
        || url.starts_with('#')
        || url.starts_with('?')
        || url.starts_with("//")
        || url.starts_with("@/")
    {
        return None;
    }
    if scheme_of(url).is_some() {
        return None;
    }
    let cut = url.find(['?', '#']).unwrap_or(url.len());
    Some(url[..cut].to_string())
}

/// The first tag at which elements nest deeper than `max`, in HTML kitgen wrote or cleaned
/// (void elements and comments do not nest).
pub fn nesting_over(html: &str, max: usize) -> Option<String> {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    ];
    let mut depth = 0usize;
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'<', &bytes[i..]) {
        let start = i + p;
        let Some(len) = memchr::memchr(b'>', &bytes[start..]) else { break };
        let tag = &html[start + 1..start + len];
        i = start + len + 1;
        if tag.starts_with('!') || tag.starts_with('?') || tag.ends_with('/') {
            continue;
        }
        if let Some(_closing) = tag.strip_prefix('/') {
            depth = depth.saturating_sub(1);
            continue;
        }
        let name: String =
            tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        if name.is_empty() || VOID.contains(&name.as_str()) {
            continue;
        }
        depth += 1;
        if depth > max {
            return Some(format!("<{}>", tag.chars().take(40).collect::<String>()));
        }
    }
    None
}

/// The scheme of a URL (`javascript` in `javascript:alert(1)`), if it has one.
fn scheme_of(url: &str) -> Option<&str> {
    // Browsers ignore tabs and newlines inside a scheme, and leading spaces.
    let url = url.trim_start();
    let end = url.find(':')?;
    let scheme = &url[..end];
    let valid = !scheme.is_empty()
        && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.' | '\t' | '\n' | '\r'));
    valid.then_some(scheme)
}

/// Counts words, continuing a word across text events (`*em*phasis` is one word).
fn count_words(text: &str, in_word: &mut bool) -> usize {
    let mut n = 0;
    for c in text.chars() {
        let word = !c.is_whitespace();
        if word && !*in_word {
            n += 1;
        }
        *in_word = word;
    }
    n
}

fn push_toc(toc: &mut Vec<TocEntry>, entry: TocEntry) {
    match toc.last_mut() {
        Some(last) if entry.level > last.level => push_toc(&mut last.children, entry),
        _ => toc.push(entry),
    }
}

/// pulldown-cmark aligns table cells with `style`, which the CSP forbids: use classes.
/// One pass over the page (three `str::replace` cost 3 % of a corpus build's CPU).
fn table_alignment_classes(html: String) -> String {
    const STYLE: &str = " style=\"text-align: ";
    const CLASSES: [(&str, &str); 3] =
        [("left\"", " class=\"al\""), ("center\"", " class=\"ac\""), ("right\"", " class=\"ar\"")];
    let mut out = String::new();
    let mut copied = 0;
    for at in memchr::memmem::find_iter(html.as_bytes(), STYLE) {
        let rest = &html[at + STYLE.len()..];
        if let Some((value, class)) = CLASSES.iter().find(|(v, _)| rest.starts_with(v)) {
            if out.is_empty() {
                out.reserve(html.len());
            }
            out.push_str(&html[copied..at]);
            out.push_str(class);
            copied = at + STYLE.len() + value.len();
        }
    }
    if copied == 0 {
        return html;
    }
    out.push_str(&html[copied..]);
    out
}

fn truncate_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for word in s.split(' ') {
        if out.chars().count() + word.chars().count() + 1 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests;
