//! The brochure as a book: for every section whose front matter says `extra: { book: true }`,
//! one PDF per language made from its chapters — a cover, a table of contents, numbered
//! pages, chapter titles in the running headers, footnotes at the foot of their page, and
//! links (to another chapter inside the PDF, to the rest of the site by its address). The
//! section and each chapter link to it (`book` in their template context).

use std::hash::{Hash, Hasher};

use super::{Artifact, Executor, Family, Kind, PageRef, PlanCx, Planned, RenderCx};
use crate::diag::Diagnostic;
use crate::model::{Page, PageId, Site};
use crate::render::typst::{self, markup};

/// The book family.
pub struct Books;

/// A book: a section in a language, and its chapters in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Book {
    section: PageId,
    chapters: Vec<PageId>,
}

/// What the book family prepared.
pub struct State {
    typst: typst::Engine,
    font: String,
    /// Each book's output path, by section id.
    paths: std::collections::HashMap<PageId, String>,
}

/// Where a book goes: `downloads/<lang>/<the section's last URL segment>.pdf`.
pub fn path(site: &Site, section: &Page) -> String {
    let lang = &site.config.languages[section.lang].code;
    let seg = section.url.trim_end_matches('/').rsplit('/').next().unwrap_or("book");
    let seg = if seg.is_empty() || seg == lang { "book" } else { seg };
    format!("downloads/{lang}/{seg}.pdf")
}

/// The book section a page belongs to (itself, or its parent).
fn book_of<'a>(site: &'a Site, page: &'a Page) -> Option<&'a Page> {
    if page.is_book() {
        return Some(page);
    }
    page.parent.map(|p| site.page(p)).filter(|p| p.is_book())
}

/// A label for a chapter: `c<id>-`.
fn prefix(id: PageId) -> String {
    format!("c{id}-")
}

impl Family for Books {
    type Job = Book;
    type State = State;
    type Input = ();

    fn name(&self) -> &'static str {
        "books"
    }

    fn executor(&self) -> Executor {
        Executor::Threads
    }

    fn plan_key(&self, cx: &PlanCx<'_>) -> Option<u64> {
        let site = cx.site();
        let mut s = std::collections::hash_map::DefaultHasher::new();
        cx.inputs.fonts.families.hash(&mut s);
        for p in site.pages.iter().filter(|p| p.is_book()) {
            (p.id, &p.url, &p.pages).hash(&mut s);
        }
        Some(s.finish())
    }

    fn plan(&self, cx: &PlanCx<'_>) -> Planned<Book, State> {
        let site = cx.site();
        let mut outputs = Vec::new();
        let mut paths = std::collections::HashMap::new();
        for p in site.pages.iter().filter(|p| p.is_book()) {
            let path = path(site, p);
            paths.insert(p.id, format!("/{path}"));
            outputs.push((path, Book { section: p.id, chapters: p.pages.clone() }));
        }
        let state = State {
            typst: typst::Engine::new(&cx.inputs.fonts),
            font: cx.inputs.fonts.default_family.clone(),
            paths,
        };
        Planned::new(state, outputs)
    }

    fn render(&self, cx: &RenderCx<'_, Self>, state: &State, book: &Book) -> Result<Artifact, Diagnostic> {
        let site = cx.site;
        let section = site.page(book.section);
        // What the book reads of its pages: their text and titles (recorded like a listing).
        use crate::deps::{Dep, record};
        record(Dep::Page(section.lang, section.rel.clone()));
        record(Dep::Children(section.lang, section.rel.clone()));
        for &c in &book.chapters {
            let p = site.page(c);
            record(Dep::Page(p.lang, p.rel.clone()));
        }
        let source = source(site, state, book, cx)?;
        let (bytes, _) = state.typst.pdf(source, &[]).map_err(|e| {
            Diagnostic::error("K831", format!("the book of {} cannot be made: {e}", section.source.display()))
                .at(&section.source)
                .hint("this is likely a kitgen bug: please report it with the chapter")
        })?;
        Ok(Artifact::file(Kind::Pdf, bytes))
    }

    fn describe(&self, site: &Site, _: &State, book: &Book) -> String {
        format!("the book of {}", site.page(book.section).source.display())
    }

    fn extend_page(
        &self,
        cx: &RenderCx<'_, Self>,
        state: &State,
        page: PageRef<'_>,
        ctx: &mut tera::Context,
    ) {
        let PageRef::Content(p) = page else { return };
        let Some(section) = book_of(cx.site, p) else { return };
        let Some(url) = state.paths.get(&section.id) else { return };
        ctx.insert_value(
            "book",
            tera::Value::from_serializable(&serde_json::json!({ "url": url, "title": section.title })),
        );
    }
}

/// The Typst source of a book.
fn source(site: &Site, state: &State, book: &Book, cx: &RenderCx<'_, Books>) -> Result<String, Diagnostic> {
    let section = site.page(book.section);
    let lang = &site.config.languages[section.lang];
    let content_lang = &site.config.languages[section.content_lang].code;
    let in_book: std::collections::HashSet<PageId> =
        book.chapters.iter().copied().chain([book.section]).collect();
    let s = markup::string;
    // A string as Typst code inside markup.
    let code = |text: &str| format!("#{}", s(text));
    let contents = cx.engine.t(section.lang, "book.contents")?;
    let site_line = site.config.absolute_url(&site.home_url(section.lang));
    let mut out = format!(
        "#set document(title: {title}, author: ())\n\
         #set text(font: {font}, size: 10pt, lang: {lang}, hyphenate: true)\n\
         #set par(justify: true, leading: 0.62em, spacing: 0.95em)\n\
         #set page(paper: \"a5\", margin: (x: 16mm, top: 18mm, bottom: 18mm))\n\
         #set heading(numbering: none)\n\
         #show heading: set text(hyphenate: false)\n\
         #show heading.where(level: 1): it => {{ pagebreak(weak: true); v(12mm); text(size: 1.7em, weight: \"black\", it.body); v(6mm) }}\n\
         #show heading.where(level: 2): set text(size: 1.2em)\n\
         #show link: it => {{ if type(it.dest) == str {{ underline(it) }} else {{ it }} }}\n\
         #set footnote.entry(separator: line(length: 30%, stroke: 0.5pt))\n\
         {prelude}\
         #page(margin: (x: 16mm, y: 24mm), numbering: none)[\n\
           #block(width: 100%, fill: rgb(\"#ffd500\"), inset: 6mm)[#text(size: 0.95em, weight: \"bold\")[{site_title}]]\n\
           #v(1fr)\n\
           #text(size: 2.6em, weight: \"black\", hyphenate: false)[{title_markup}]\n\
           #v(4mm)\n\
           #text(size: 1.15em)[{summary}]\n\
           #v(1fr)\n\
           #text(size: 0.9em)[{site_line}]\n\
         ]\n\
         #set page(numbering: \"1\", header: context {{\n\
           let here-page = here().page()\n\
           let starts = query(heading.where(level: 1)).filter(h => h.location().page() == here-page)\n\
           if starts.len() == 0 {{\n\
             let before = query(heading.where(level: 1).before(here()))\n\
             if before.len() > 0 {{ align(right, text(size: 0.8em, fill: luma(35%), before.last().body)) }}\n\
           }}\n\
         }})\n\
         #counter(page).update(1)\n\
         #outline(title: {contents}, depth: 2, indent: auto)\n\n",
        title = s(&section.title),
        font = s(&state.font),
        lang = s(content_lang),
        prelude = markup::PRELUDE,
        site_title = code(&lang.title),
        title_markup = code(&section.title),
        summary = code(section.summary.as_deref().unwrap_or("")),
        site_line = code(&site_line),
        contents = s(&contents),
    );
    let link = |from: PageId| {
        let site = &site;
        let in_book = &in_book;
        move |dest: &str| -> Option<String> {
            let dest = dest.trim();
            if let Some(anchor) = dest.strip_prefix('#') {
                return Some(format!("#{}{anchor}", prefix(from)));
            }
            if let Some(rest) = dest.strip_prefix("@/") {
                let (path, anchor) = rest.split_once('#').unwrap_or((rest, ""));
                let target = crate::model::find_link(site, site.page(from).lang, path)?;
                if in_book.contains(&target.id) {
                    return Some(if anchor.is_empty() {
                        format!("#{}", chapter_label(target.id))
                    } else {
                        format!("#{}{anchor}", prefix(target.id))
                    });
                }
                let url = site.config.absolute_url(&target.url);
                return Some(if anchor.is_empty() { url } else { format!("{url}#{anchor}") });
            }
            if dest.starts_with("https://") || dest.starts_with("http://") || dest.starts_with("mailto:") {
                return Some(dest.to_string());
            }
            if dest.starts_with('/') {
                return Some(site.config.absolute_url(dest));
            }
            None
        }
    };
    let typography = site.config.languages[section.content_lang].typography;
    let mut chapters = vec![book.section];
    chapters.extend(&book.chapters);
    for (n, &id) in chapters.iter().enumerate() {
        let p = site.page(id);
        let Some(md) = &p.markdown else { continue };
        if n == 0 && md.trim().is_empty() {
            continue;
        }
        let l = link(id);
        let conv = markup::markdown_labelled(md, typography, &l, &prefix(id));
        out.push_str(&format!("#heading(level: 1)[#{}] <{}>\n\n", s(&p.title), chapter_label(id)));
        out.push_str(&conv.typst);
        out.push_str("\n\n");
    }
    Ok(out)
}

fn chapter_label(id: PageId) -> String {
    format!("chapter-{id}")
}
