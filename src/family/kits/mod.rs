//! Mobilisation kits: for every kit of `kits/` and every language, a printable page per commune
//! (every commune with a page) and a generic one with blanks, and a PDF of each document,
//! generic and per commune in scope (`scopes.kits`). A content page with the template
//! `kits/kit.html` and `extra: { kit: <id> }` is the kit's page: it lists the documents, and the
//! printable pages live under its URL. Each commune's page gets the kit's action block.
//! [`packs`] bundles the PDFs with the kit's posters into ZIPs.
//!
//! PDFs are made with Typst on plain threads ([`Executor::Threads`]); a letter that does not
//! fit one A4 page at 9 pt is an error, never a second page.

mod docs;
mod fill;
mod layout;
pub mod packs;

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use tera::Value;

pub use self::docs::For;
use super::{Artifact, Executor, Family, Kind, PageRef, PlanCx, Planned, RenderCx, SitemapEntry, VersionCx};
use crate::config::Missing;
use crate::deps::{self, CensusDep, Dep};
use crate::diag::Diagnostic;
use crate::model::kit::{DocKind, DocSource, Kit, KitDoc, Recipient};
use crate::model::{Page, Site};
use crate::render::tera::{Virtual, link_value, with_entries};
use crate::render::typst;

/// The template that makes a content page a kit's page.
pub const KIT_PAGE: &str = "kits/kit.html";
/// The template of printable pages.
pub const PRINT: &str = "kits/print.html";

/// The kits family.
pub struct Kits;

/// One output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    /// The printable page of a kit, for a language and a commune or none.
    Print {
        /// Index in `site.kits`.
        kit: u16,
        /// For whom.
        to: For,
    },
    /// The PDF of a document.
    Pdf {
        /// Index in `site.kits`.
        kit: u16,
        /// Index in the kit's documents.
        doc: u16,
        /// For whom.
        to: For,
    },
}

/// The family's own inputs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Input {
    /// A kit's files, by index.
    Kit(u16),
}

/// What the kits family prepared.
pub struct State {
    templates: fill::Templates,
    typst: typst::Engine,
    /// The font of PDFs.
    font: String,
    /// The kit page of each kit in each language, if a content page declares it.
    pages: Vec<Vec<Option<u32>>>,
    /// Where each kit's printable pages go, per language.
    bases: Vec<Vec<String>>,
    /// The segment of the generic printable page, per language.
    generic: Vec<String>,
    /// Communes whose documents get PDFs of their own.
    scope: HashSet<usize>,
    /// Each kit's entry on the pages of communes without PDFs, by kit and language, except
    /// its printable page (see [`commune_kit_value`]).
    on_communes: deps::Shared<Value>,
    /// What the printable pages show alike of each document, by kit and language (see
    /// [`print_documents`]).
    print_documents: deps::Shared<Arc<Vec<PrintDoc>>>,
}

/// The source of a document in a language: its own, else the default language's (with a
/// notice), or none where the language omits what is not translated.
pub fn source<'a>(site: &Site, doc: &'a KitDoc, lang: usize) -> Option<(&'a DocSource, bool)> {
    if let Some(s) = doc.sources.get(&lang) {
        return Some((s, false));
    }
    if site.config.languages[lang].missing == Missing::Omit {
        return None;
    }
    doc.sources.get(&site.config.default_language).map(|s| (s, true))
}

/// Where a document's PDF goes: `downloads/kits/<lang>/<kit>/[<commune>/]<doc>-[<commune>-]<lang>.pdf`.
pub fn pdf_path(site: &Site, kit: &Kit, doc: &str, to: For) -> String {
    let lang = &site.config.languages[to.lang].code;
    match (to.commune, site.communes.as_deref()) {
        (Some(i), Some(data)) => {
            let slug = &data.slugs[i];
            format!("downloads/kits/{lang}/{}/{slug}/{doc}-{slug}-{lang}.pdf", kit.id)
        }
        _ => format!("downloads/kits/{lang}/{}/{doc}-{lang}.pdf", kit.id),
    }
}

impl State {
    /// The URL of a printable page.
    pub fn print_url(&self, site: &Site, kit: usize, to: For) -> String {
        let base = &self.bases[kit][to.lang];
        match (to.commune, site.communes.as_deref()) {
            (Some(i), Some(data)) => format!("{base}{}/", data.slugs[i]),
            _ => format!("{base}{}/", self.generic[to.lang]),
        }
    }

    /// Whether a commune's documents have PDFs of their own.
    pub fn has_pdfs(&self, commune: Option<usize>) -> bool {
        commune.is_none_or(|c| self.scope.contains(&c))
    }
}

/// The kit a content page with the kit template shows, or why none.
fn page_kit(site: &Site, page: &Page) -> Result<usize, Diagnostic> {
    let named = page.extra.get("kit").and_then(|v| v.as_str());
    let found = match named {
        Some(id) => site.kits.iter().position(|k| k.id == id),
        None if site.kits.len() == 1 => Some(0),
        None => None,
    };
    found.ok_or_else(|| {
        let ids: Vec<&str> = site.kits.iter().map(|k| k.id.as_str()).collect();
        let msg = match named {
            Some(id) => format!("the page shows kit `{id}`, which kits/ does not have"),
            None => "the page uses the kit template but names no kit".to_string(),
        };
        Diagnostic::error("K821", msg).at(&page.source).hint(format!(
            "add `extra: {{ kit: <id> }}` to its front matter, with one of: {}",
            ids.join(", ")
        ))
    })
}

impl Family for Kits {
    type Job = Job;
    type State = State;
    type Input = Input;

    fn name(&self) -> &'static str {
        "kits"
    }

    fn executor(&self) -> Executor {
        Executor::Threads
    }

    fn plan_key(&self, cx: &PlanCx<'_>) -> Option<u64> {
        let site = cx.site();
        let mut s = std::collections::hash_map::DefaultHasher::new();
        site.kits.iter().map(|k| k.version).collect::<Vec<_>>().hash(&mut s);
        cx.inputs.fonts.families.hash(&mut s);
        (&site.config.base_url, site.config.scopes.kits, &site.config.languages).hash(&mut s);
        for l in 0..site.config.languages.len() {
            site.i18n.version(l).hash(&mut s);
            site.home_url(l).hash(&mut s);
        }
        for p in site.pages.iter().filter(|p| p.template == KIT_PAGE) {
            (&p.url, p.lang, serde_json::to_string(&p.extra).unwrap_or_default()).hash(&mut s);
        }
        // Links of documents to pages.
        site.pages.iter().map(|p| (&p.rel, &p.url)).collect::<Vec<_>>().hash(&mut s);
        if let Some(data) = site.communes.as_deref() {
            (data.version, data.records.keys().collect::<Vec<_>>()).hash(&mut s);
            // The sample a document is checked with.
            if let Some((i, r)) = data.records.iter().next() {
                (i, serde_json::to_string(r).unwrap_or_default()).hash(&mut s);
            }
        }
        Some(s.finish())
    }

    fn plan(&self, cx: &PlanCx<'_>) -> Planned<Job, State> {
        let site = &cx.inputs.site;
        let mut diagnostics = Vec::new();
        let templates = fill::Templates::new(site, &mut diagnostics);
        let n_langs = site.config.languages.len();
        let mut pages = vec![vec![None; n_langs]; site.kits.len()];
        for p in site.pages.iter().filter(|p| p.template == KIT_PAGE) {
            match page_kit(site, p) {
                Ok(k) => pages[k][p.lang] = Some(p.id),
                Err(d) => {
                    if p.lang == site.config.default_language {
                        diagnostics.push(d);
                    }
                }
            }
        }
        let bases: Vec<Vec<String>> = site
            .kits
            .iter()
            .enumerate()
            .map(|(k, kit)| {
                (0..n_langs)
                    .map(|l| match pages[k][l] {
                        Some(id) => site.page(id).url.clone(),
                        None => format!("/{}/kits/{}/", site.config.languages[l].code, kit.id),
                    })
                    .collect()
            })
            .collect();
        let generic: Vec<String> = (0..n_langs)
            .map(|l| {
                let s = crate::slug::slugify(&docs::t(site, l, "kits.generic_slug", &[]));
                if s.is_empty() || s.contains('.') { "blank".to_string() } else { s }
            })
            .collect();
        let data = site.communes.as_deref();
        let scope: HashSet<usize> =
            data.map(|d| d.in_scope(site.config.scopes.kits)).unwrap_or_default().into_iter().collect();
        let with_pages: Vec<usize> =
            data.map(|d| (0..d.communes.len()).filter(|&i| d.has_page(i)).collect()).unwrap_or_default();

        // Every document checked as written, generic and with a sample commune, so an unknown
        // placeholder is reported at its line before anything is rendered.
        let sample = data
            .and_then(|d| d.records.keys().copied().find(|&i| d.has_page(i)).or(with_pages.first().copied()));
        for kit in &site.kits {
            for doc in &kit.docs {
                for &l in doc.sources.keys() {
                    let name = fill::name(kit, &doc.meta.id, &site.config.languages[l].code);
                    for commune in [None, sample] {
                        if let Err(d) =
                            templates.check(&name, &docs::context(site, kit, For { lang: l, commune }))
                        {
                            diagnostics.push(d);
                            break;
                        }
                    }
                }
            }
        }
        let mut outputs = Vec::new();
        let mut sitemap = Vec::new();
        let commune_langs: Vec<bool> =
            (0..n_langs).map(|l| site.commune_urls.as_ref().is_some_and(|u| u.has(l))).collect();
        for (k, kit) in site.kits.iter().enumerate() {
            let kid = k as u16;
            for lang in 0..n_langs {
                let langs_docs: Vec<(usize, &KitDoc)> =
                    kit.docs.iter().enumerate().filter(|(_, d)| source(site, d, lang).is_some()).collect();
                if langs_docs.is_empty() {
                    continue;
                }
                let state_url = |to: For| match (to.commune, data) {
                    (Some(i), Some(d)) => format!("{}{}/", bases[k][lang], d.slugs[i]),
                    _ => format!("{}{}/", bases[k][lang], generic[lang]),
                };
                let generic_to = For { lang, commune: None };
                sitemap.push(outputs.len() as u32);
                outputs.push((
                    format!("{}index.html", state_url(generic_to).trim_start_matches('/')),
                    Job::Print { kit: kid, to: generic_to },
                ));
                for &(d, doc) in &langs_docs {
                    outputs.push((
                        pdf_path(site, kit, &doc.meta.id, generic_to),
                        Job::Pdf { kit: kid, doc: d as u16, to: generic_to },
                    ));
                }
                if !commune_langs[lang] {
                    continue;
                }
                for &i in &with_pages {
                    let to = For { lang, commune: Some(i) };
                    outputs.push((
                        format!("{}index.html", state_url(to).trim_start_matches('/')),
                        Job::Print { kit: kid, to },
                    ));
                    if scope.contains(&i) {
                        for &(d, doc) in &langs_docs {
                            outputs.push((
                                pdf_path(site, kit, &doc.meta.id, to),
                                Job::Pdf { kit: kid, doc: d as u16, to },
                            ));
                        }
                    }
                }
            }
        }
        let typst = typst::Engine::new(&cx.inputs.fonts);
        let font = cx.inputs.fonts.default_family.clone();
        let on_communes = deps::Shared::new(site.kits.len() * n_langs);
        let print_documents = deps::Shared::new(site.kits.len() * n_langs);
        let state =
            State { templates, typst, font, pages, bases, generic, scope, on_communes, print_documents };
        let mut planned = Planned::new(state, outputs);
        planned.sitemap = sitemap;
        planned.diagnostics = crate::diag::collapse_repeats(diagnostics);
        planned
    }

    fn render(&self, cx: &RenderCx<'_, Self>, state: &State, job: &Job) -> Result<Artifact, Diagnostic> {
        match *job {
            Job::Print { kit, to } => {
                cx.record(Input::Kit(kit));
                record_commune(cx.site, to);
                print_page(cx, state, kit as usize, to)
            }
            Job::Pdf { kit, doc, to } => {
                cx.record(Input::Kit(kit));
                record_commune(cx.site, to);
                pdf(cx.site, state, kit as usize, doc as usize, to)
            }
        }
    }

    fn version(&self, cx: &VersionCx<'_>, _: &State, input: &Input) -> u64 {
        let Input::Kit(k) = input;
        cx.site.kits.get(*k as usize).map_or(0, |kit| kit.version)
    }

    fn sitemap(&self, site: &Site, state: &State, job: &Job) -> Option<SitemapEntry> {
        let Job::Print { kit, to } = *job else { return None };
        let kit = kit as usize;
        let urls = (0..site.config.languages.len())
            .map(|l| {
                site.kits[kit]
                    .docs
                    .iter()
                    .any(|d| source(site, d, l).is_some())
                    .then(|| state.print_url(site, kit, For { lang: l, ..to }))
            })
            .collect();
        Some(SitemapEntry { lang: to.lang, urls, lastmod: None })
    }

    fn describe(&self, site: &Site, _: &State, job: &Job) -> String {
        let (kit, doc, to) = match *job {
            Job::Print { kit, to } => (kit, None, to),
            Job::Pdf { kit, doc, to } => (kit, Some(doc), to),
        };
        let k = &site.kits[kit as usize];
        let what = match doc {
            Some(d) => format!("document `{}` of kit `{}`", k.docs[d as usize].meta.id, k.id),
            None => format!("the printable page of kit `{}`", k.id),
        };
        let lang = &site.config.languages[to.lang].code;
        match (to.commune, site.communes.as_deref()) {
            (Some(i), Some(data)) => {
                format!("{what} in `{lang}` for {} ({})", data.communes[i].nom, data.communes[i].code.0)
            }
            _ => format!("{what} in `{lang}`"),
        }
    }

    fn extend_page(
        &self,
        cx: &RenderCx<'_, Self>,
        state: &State,
        page: PageRef<'_>,
        ctx: &mut tera::Context,
    ) {
        match page {
            PageRef::Content(p) if p.template == KIT_PAGE => {
                let Ok(k) = page_kit(cx.site, p) else { return };
                cx.record(Input::Kit(k as u16));
                ctx.insert_value("kit", kit_value(cx.site, state, k, For { lang: p.lang, commune: None }));
            }
            PageRef::Commune { lang, index } => {
                let kits: Vec<Value> = (0..cx.site.kits.len())
                    .filter(|&k| cx.site.kits[k].docs.iter().any(|d| source(cx.site, d, lang).is_some()))
                    .map(|k| {
                        cx.record(Input::Kit(k as u16));
                        commune_kit_value(cx.site, state, k, For { lang, commune: Some(index) })
                    })
                    .collect();
                ctx.insert_value("kits", Value::from(kits));
            }
            PageRef::Content(_) => {}
        }
    }
}

/// What a commune's outputs read of the census.
fn record_commune(site: &Site, to: For) {
    let (Some(i), Some(data)) = (to.commune, site.communes.as_deref()) else { return };
    let code = &data.communes[i].code.0;
    deps::record(Dep::Census(CensusDep::Record(Arc::from(code.as_str()))));
    deps::record(Dep::Census(CensusDep::TownHall(Arc::from(code.as_str()))));
    deps::record(Dep::Census(CensusDep::LocalGroup(Arc::from(code.as_str()))));
}

/// A kit on a commune's page. Where the commune has no PDFs of its own, only the address of its
/// printable page differs from one commune to the next: the rest is made once per kit and
/// language.
fn commune_kit_value(site: &Site, state: &State, k: usize, to: For) -> Value {
    if state.has_pdfs(to.commune) {
        return kit_value(site, state, k, to);
    }
    let n = site.config.languages.len();
    let shared = state.on_communes.get(k * n + to.lang, || kit_value(site, state, k, to));
    with_entries(shared, [("print", Value::from(state.print_url(site, k, to)))])
}

/// A kit for a template: its title, its page, its printable page, and its documents with their
/// PDFs where they exist.
fn kit_value(site: &Site, state: &State, k: usize, to: For) -> Value {
    let kit = &site.kits[k];
    let l = &site.config.languages[to.lang];
    let def = &site.config.default_lang().code;
    let pdfs = state.has_pdfs(to.commune);
    let documents: Vec<serde_json::Value> = kit
        .docs
        .iter()
        .filter_map(|d| {
            let (src, fallback) = source(site, d, to.lang)?;
            Some(serde_json::json!({
                "id": d.meta.id,
                "kind": kind_id(d.meta.kind),
                "title": src.front.title,
                "action": src.front.action.as_ref().unwrap_or(&src.front.title),
                "summary": src.front.summary,
                "advice": if to.commune.is_none() { src.front.advice.as_deref() } else { None },
                "fallback": fallback,
                "pdf": pdfs.then(|| format!("/{}", pdf_path(site, kit, &d.meta.id, to))),
            }))
        })
        .collect();
    let page = state.pages[k][to.lang].map(|id| link_value(site, site.page(id)));
    Value::from_serializable(&serde_json::json!({
        "id": kit.id,
        "title": kit.title(&l.code, def),
        "description": kit.description(&l.code, def),
        "print": state.print_url(site, k, to),
        "generic_print": state.print_url(site, k, For { commune: None, ..to }),
        "documents": documents,
        "zip": pdfs.then(|| format!("/{}", packs::zip_path(site, kit, to))),
        "page": page,
    }))
}

/// A document of a kit's printable page in a language, with what every commune's page shows
/// alike: the body, the addressee and the PDF are added per page.
struct PrintDoc {
    /// Its position in the kit.
    doc: usize,
    /// The template of its body (its own language's, or the default one's).
    template: String,
    /// Whom it is sent to, for a letter.
    recipient: Option<Recipient>,
    value: Value,
}

/// The documents of a kit's printable page in a language (see [`PrintDoc`]).
fn print_documents(site: &Site, kit: &Kit, lang: usize) -> Arc<Vec<PrintDoc>> {
    let sender: Vec<String> = docs::sender(site, lang).iter().map(|s| docs::html_line(s)).collect();
    let place_date = docs::html_line(&docs::place_date(site, lang));
    let signature = docs::t(site, lang, "kits.signature", &[]);
    let documents = kit.docs.iter().enumerate().filter_map(|(i, d)| {
        let (src, fallback) = source(site, d, lang)?;
        let code = &site.config.languages[if fallback { site.config.default_language } else { lang }].code;
        let f = &src.front;
        let letter = d.meta.kind == DocKind::Letter;
        let value = Value::from_serializable(&serde_json::json!({
            "id": d.meta.id,
            "kind": kind_id(d.meta.kind),
            "title": f.title,
            "summary": f.summary,
            "subject": f.subject,
            "salutation": f.salutation,
            "closing": f.closing,
            "advice": f.advice,
            "recipient": [],
            "sender": if letter { sender.clone() } else { Vec::new() },
            "place_date": place_date,
            "signature": signature,
            "body": "",
            "fallback": fallback,
            "content_lang": code,
            "pdf": null,
        }));
        Some(PrintDoc {
            doc: i,
            template: fill::name(kit, &d.meta.id, code),
            recipient: letter.then_some(f.recipient),
            value,
        })
    });
    Arc::new(documents.collect())
}

fn kind_id(k: DocKind) -> &'static str {
    match k {
        DocKind::Letter => "letter",
        DocKind::Flyer => "flyer",
    }
}

/// The printable page of a kit.
fn print_page(cx: &RenderCx<'_, Kits>, state: &State, k: usize, to: For) -> Result<Artifact, Diagnostic> {
    let site = cx.site;
    let kit = &site.kits[k];
    let data = site.communes.as_deref();
    let l = &site.config.languages[to.lang];
    let def = &site.config.default_lang().code;
    let doc_ctx = docs::context(site, kit, to);
    let n_langs = site.config.languages.len();
    let shared = state.print_documents.get(k * n_langs + to.lang, || print_documents(site, kit, to.lang));
    let mut documents = Vec::with_capacity(shared.len());
    for doc in shared.iter() {
        let body = state.templates.html(&doc.template, &doc_ctx)?;
        let recipient = doc.recipient.map(|r| {
            let lines: Vec<Value> =
                docs::recipient(site, data, to, r).iter().map(|s| Value::from(docs::html_line(s))).collect();
            ("recipient", Value::from(lines))
        });
        let pdf = state.has_pdfs(to.commune).then(|| {
            ("pdf", Value::from(format!("/{}", pdf_path(site, kit, &kit.docs[doc.doc].meta.id, to))))
        });
        let entries = [Some(("body", Value::from(body))), recipient, pdf];
        documents.push(with_entries(doc.value.clone(), entries.into_iter().flatten()));
    }
    let name = match (to.commune, data) {
        (Some(i), Some(data)) => Some(data.name(i)),
        _ => None,
    };
    let title = match &name {
        Some(n) => docs::t(
            site,
            to.lang,
            "kits.print.title_commune",
            &[("kit", kit.title(&l.code, def).to_string()), ("name", n.clone())],
        ),
        None => docs::t(
            site,
            to.lang,
            "kits.print.title_generic",
            &[("kit", kit.title(&l.code, def).to_string())],
        ),
    };
    let mut ancestors = Vec::new();
    if let Some(id) = state.pages[k][to.lang] {
        let p = site.page(id);
        ancestors.extend(site.ancestors(p).into_iter().map(|a| link_value(site, a)));
        ancestors.push(link_value(site, p));
    }
    let urls = (0..site.config.languages.len())
        .map(|lg| {
            kit.docs
                .iter()
                .any(|d| source(site, d, lg).is_some())
                .then(|| state.print_url(site, k, For { lang: lg, ..to }))
        })
        .collect();
    let v = Virtual {
        lang: to.lang,
        title,
        description: kit.description(&l.code, def).to_string(),
        kind: "kit",
        urls,
        ancestors,
    };
    let mut ctx = cx.engine.virtual_context(&v);
    ctx.insert_value("kit", commune_kit_value(site, state, k, to));
    ctx.insert_value("documents", Value::from(documents));
    for key in ["commune", "record", "local_group", "town_hall"] {
        if let Some(v) = doc_ctx.get(key) {
            ctx.insert_value(key, v.clone());
        }
    }
    ctx.insert("generic", &to.commune.is_none());
    let commune_page = match (to.commune, data, site.commune_urls.as_ref()) {
        (Some(i), Some(data), Some(urls)) => Some(urls.commune(data, to.lang, i)),
        _ => None,
    };
    ctx.insert("commune_page", &commune_page);
    let html = cx
        .engine
        .render(PRINT, &ctx)
        .map_err(|d| d.note(Kits.describe(site, state, &Job::Print { kit: k as u16, to })))?;
    Ok(Artifact::generated(html))
}

/// Typst source for a document at a given text size (the fit loop tries sizes down to 9 pt).
type Layout<'a> = Box<dyn Fn(f64) -> String + 'a>;
/// Extra files a document's Typst source reads (the flyer's QR code).
type Files = Vec<(&'static str, Vec<u8>)>;

/// A document's PDF.
fn pdf(site: &Site, state: &State, k: usize, d: usize, to: For) -> Result<Artifact, Diagnostic> {
    let kit = &site.kits[k];
    let doc = &kit.docs[d];
    let what = || Kits.describe(site, state, &Job::Pdf { kit: k as u16, doc: d as u16, to });
    let Some((src, fallback)) = source(site, doc, to.lang) else {
        return Err(Diagnostic::error("K824", format!("{} has no text", what())));
    };
    let code = &site.config.languages[if fallback { site.config.default_language } else { to.lang }].code;
    let body = state.templates.typst(&fill::name(kit, &doc.meta.id, code), &docs::context(site, kit, to))?;
    let f = &src.front;
    let fail = |e: String| {
        Diagnostic::error("K824", format!("{}: the PDF cannot be made: {e}", what()))
            .at(&src.path)
            .hint("this is likely a kitgen bug: please report it with the document")
    };
    let data = site.communes.as_deref();
    let commune = match (to.commune, data, site.commune_urls.as_ref()) {
        (Some(i), Some(data), Some(urls)) => Some((i, data, urls)),
        _ => None,
    };
    let signature = docs::t(site, to.lang, "kits.signature", &[]);
    let (make, files, kind): (Layout<'_>, Files, &str) = match doc.meta.kind {
        DocKind::Letter => {
            let letter = layout::Letter {
                title: &f.title,
                lang: code,
                font: &state.font,
                sender: docs::sender(site, to.lang),
                recipient: docs::recipient(site, data, to, f.recipient),
                place_date: docs::place_date(site, to.lang),
                subject: f.subject.as_deref(),
                salutation: f.salutation.as_deref(),
                body: &body,
                closing: f.closing.as_deref(),
                signature: &signature,
            };
            (Box::new(move |size| layout::letter(&letter, size)), Vec::new(), "letter")
        }
        DocKind::Flyer => {
            let url = match commune {
                Some((i, data, urls)) => site.config.absolute_url(&urls.commune(data, to.lang, i)),
                None => site.config.absolute_url(&site.home_url(to.lang)),
            };
            let url_text =
                url.split_once("://").map_or(url.as_str(), |(_, r)| r).trim_end_matches('/').to_string();
            let group = commune.and_then(|(i, data, urls)| {
                let g = crate::family::communes::context::group(data, urls, to.lang, i)?;
                serde_json::to_value(&g).ok()
            });
            let group = match group {
                Some(g) => docs::t(
                    site,
                    to.lang,
                    if g["contact"].is_string() { "kits.flyer.group" } else { "kits.flyer.group_no_contact" },
                    &[
                        ("name", g["name"].as_str().unwrap_or_default().to_string()),
                        ("contact", g["contact"].as_str().unwrap_or_default().to_string()),
                    ],
                ),
                None => docs::t(site, to.lang, "kits.flyer.no_group", &[]),
            };
            let qr = crate::render::svg::qr::svg(&url, 0.0, 0.0, 100.0, "#111", "#fff").map_err(&fail)?;
            let qr = format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 100\" width=\"100\" height=\"100\">{qr}</svg>"
            );
            let flyer = layout::Flyer {
                title: &f.title,
                lang: code,
                font: &state.font,
                body: &body,
                campaign: &site.config.languages[to.lang].title,
                url_text,
                call: docs::t(site, to.lang, "kits.flyer.call", &[]),
                group,
                qr: true,
            };
            (Box::new(move |size| layout::flyer(&flyer, size)), vec![("/qr.svg", qr.into_bytes())], "flyer")
        }
    };
    // The first text size at which the document fits one page.
    let mut pages = 0;
    for &size in layout::SIZES {
        let (bytes, n) = state.typst.pdf(make(size), &files).map_err(&fail)?;
        if n == 1 {
            return Ok(Artifact::file(Kind::Pdf, bytes));
        }
        pages = n;
    }
    Err(Diagnostic::error(
        "K825",
        format!(
            "{} takes {pages} pages even at {} pt: a {kind} must fit one A4 page",
            what(),
            layout::SIZES[layout::SIZES.len() - 1]
        ),
    )
    .at(&src.path)
    .hint("shorten the document (the commune's record adds text where it has one)"))
}
