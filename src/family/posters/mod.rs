//! Posters: every poster of `posters/` filled per language (generic, with room for a commune's
//! name) and per commune in scope (`scopes.posters`), as an SVG with its text drawn as paths,
//! a PNG preview and thumbnail, and a PDF per paper size (text kept as text, fonts embedded),
//! plus a print-shop PDF with bleed and crop marks. The gallery section and each commune's
//! page list them; [`packs`] bundles them into ZIPs.
//!
//! Filling is done while planning, in parallel: a poster that cannot be filled or whose text
//! cannot fit is reported with the other problems before anything is rendered, and serve
//! renders a variant again exactly when its filled drawing changed. A variant whose template,
//! strings, fonts and values are those of the last plan is not filled again (editing one
//! commune's record fills only that commune's posters).

mod fill;
mod listing;
pub use listing::GALLERY;
pub mod packs;

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rayon::prelude::*;
use tera::Context;

use super::{Artifact, Family, Kind, PageRef, PlanCx, Planned, RenderCx, VersionCx};
use crate::deps::{self, CensusDep, Dep};
use crate::diag::Diagnostic;
use crate::model::Site;
use crate::model::communes::CommuneData;
use crate::model::poster::{Paper, Poster, Variant as Kinds};
use crate::render::fonts::Fonts;
use crate::render::{pdf, raster, svg};

/// The posters family.
#[derive(Default)]
pub struct Posters {
    /// The variants of the last plan, filled (see [`Posters::plan`]).
    memo: std::sync::Mutex<Memo>,
}

/// Filled variants with the key of what they were filled from, and the fonts they were
/// measured with.
#[derive(Default)]
struct Memo {
    fonts: Option<Arc<Fonts>>,
    filled: rustc_hash::FxHashMap<Variant, Remembered>,
}

/// A variant as filled: the key of what it was filled from, the drawing, the problems.
type Remembered = (u64, Option<Arc<fill::Filled>>, Vec<Diagnostic>);

/// Width of a preview, pixels.
pub const PREVIEW_WIDTH: u32 = 1200;
/// Width of a thumbnail, pixels.
pub const THUMB_WIDTH: u32 = 360;

/// One version of a poster: a language, and a commune or none.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Variant {
    /// Index in `site.posters`.
    pub poster: usize,
    /// Language.
    pub lang: usize,
    /// The commune, for a commune's version.
    pub commune: Option<usize>,
}

/// Where a variant's files go: `downloads/posters/<lang>/<id>/[<commune>/]`, and the stem of
/// their names (`<id>-[<commune>-]<lang>`), which says what the file is once downloaded.
pub fn files_of(site: &Site, v: &Variant) -> (String, String) {
    let p = &site.posters[v.poster];
    let lang = &site.config.languages[v.lang].code;
    match (v.commune, site.communes.as_deref()) {
        (Some(i), Some(data)) => {
            let slug = &data.slugs[i];
            (format!("downloads/posters/{lang}/{}/{slug}/", p.id), format!("{}-{slug}-{lang}", p.id))
        }
        _ => (format!("downloads/posters/{lang}/{}/", p.id), format!("{}-{lang}", p.id)),
    }
}

/// The communes that get posters of their own.
pub fn communes_in_scope(site: &Site) -> Vec<usize> {
    site.communes.as_deref().map(|d| d.in_scope(site.config.scopes.posters)).unwrap_or_default()
}

/// Every variant, poster by poster, language by language, generic first.
pub fn variants(site: &Site) -> Vec<Variant> {
    let communes = communes_in_scope(site);
    let mut out = Vec::new();
    for (pi, p) in site.posters.iter().enumerate() {
        for lang in 0..site.config.languages.len() {
            if p.meta.variants.contains(&Kinds::Generic) {
                out.push(Variant { poster: pi, lang, commune: None });
            }
            if p.meta.variants.contains(&Kinds::Commune)
                && site.commune_urls.as_ref().is_some_and(|u| u.has(lang))
            {
                out.extend(communes.iter().map(|&c| Variant { poster: pi, lang, commune: Some(c) }));
            }
        }
    }
    out
}

/// Whether a poster has print-shop PDFs (bleed or crop marks).
pub fn has_print(p: &Poster) -> bool {
    p.meta.bleed > 0.0 || p.meta.crop_marks
}

/// One output of a variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// The filled SVG, its text drawn as paths.
    Svg(u32),
    /// The PNG preview.
    Preview(u32),
    /// The PNG thumbnail.
    Thumb(u32),
    /// The PDF of a paper size, for home printers (the trimmed page).
    Pdf(u32, Paper),
    /// The PDF of a paper size for a print shop (bleed, trim and bleed boxes, crop marks).
    PrintPdf(u32, Paper),
}

impl Job {
    fn variant(self) -> usize {
        match self {
            Job::Svg(v) | Job::Preview(v) | Job::Thumb(v) | Job::Pdf(v, _) | Job::PrintPdf(v, _) => {
                v as usize
            }
        }
    }
}

/// The file name of an output, from a variant's stem.
pub fn file_name(stem: &str, job: &Job) -> String {
    match job {
        Job::Svg(_) => format!("{stem}.svg"),
        Job::Preview(_) => format!("{stem}.png"),
        Job::Thumb(_) => format!("{stem}-thumb.png"),
        Job::Pdf(_, p) => format!("{stem}-{}.pdf", p.name()),
        Job::PrintPdf(_, p) => format!("{stem}-{}-print.pdf", p.name()),
    }
}

/// A variant, filled.
struct Filled {
    variant: Variant,
    /// Its folder and name stem.
    dir: String,
    stem: String,
    drawing: Option<Arc<fill::Filled>>,
    /// Changes with its filled SVG and its print settings.
    version: u64,
    /// What it was filled from (see [`Memo`]).
    key: u64,
}

/// What the posters family prepared.
pub struct State {
    filled: Vec<Filled>,
    /// Position of each variant in `filled`.
    index: std::collections::HashMap<Variant, usize>,
    /// Position of each variant by its folder and stem (serve's inputs).
    by_key: std::collections::HashMap<String, usize>,
    fonts: Arc<Fonts>,
    /// Changes with what listings show (titles, sizes, which variants exist).
    list_version: u64,
    /// The posters of each language, as pages without posters of their own list them.
    generic_lists: crate::deps::Shared<tera::Value>,
}

/// The family's own inputs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Input {
    /// A variant's drawing, by its file stem and folder.
    Drawing(Arc<str>),
    /// What the gallery and the commune pages show of the posters.
    List,
}

fn h<T: Hash>(t: &T) -> u64 {
    let mut s = std::collections::hash_map::DefaultHasher::new();
    t.hash(&mut s);
    s.finish()
}

/// A commune's fields for a template.
fn commune_value(data: &CommuneData, i: usize) -> tera::Value {
    let c = &data.communes[i];
    let dep = data.departement_of(i);
    tera::Value::from_serializable(&serde_json::json!({
        "code": c.code.0,
        "name": data.name(i),
        "de": data.de(i),
        "postal_codes": c.codes_postaux,
        "postal_code": c.codes_postaux.first(),
        "departement": dep.map(|d| serde_json::json!({"code": d.code, "name": crate::model::communes::pretty(&d.nom)})),
    }))
}

/// The local group of a commune, for a template.
fn group_value(data: &CommuneData, i: usize) -> tera::Value {
    let group = data.local_group(i).and_then(|(g, km)| {
        let lg = data.records.get(&g)?.local_group.as_ref()?;
        Some(serde_json::json!({
            "name": lg.name,
            "contact": lg.contact,
            "url": lg.url.as_ref().map(|u| u.0.clone()),
            "own": g == i,
            "distance_km": km.map(|k| k.round() as u32),
        }))
    });
    fill::value_or_null(group)
}

/// The template context of a variant.
fn context(site: &Site, v: &Variant) -> Context {
    let p = &site.posters[v.poster];
    let l = &site.config.languages[v.lang];
    let def = &site.config.default_lang().code;
    let mut ctx = Context::new();
    ctx.insert("lang", &l.code);
    ctx.insert("dir", if l.dir == crate::config::Dir::Rtl { "rtl" } else { "ltr" });
    ctx.insert_value(
        "site",
        tera::Value::from_serializable(
            &serde_json::json!({"title": l.title, "base_url": site.config.base_url}),
        ),
    );
    ctx.insert_value(
        "poster",
        tera::Value::from_serializable(&serde_json::json!({"id": p.id, "title": p.title(&l.code, def), "description": p.description(&l.code, def)})),
    );
    let data = site.communes.as_deref();
    let (commune, group, url) = match (v.commune, data, site.commune_urls.as_ref()) {
        (Some(i), Some(data), Some(urls)) => (
            commune_value(data, i),
            group_value(data, i),
            site.config.absolute_url(&urls.commune(data, v.lang, i)),
        ),
        _ => (tera::Value::none(), tera::Value::none(), site.config.absolute_url(&site.home_url(v.lang))),
    };
    ctx.insert_value("commune", commune);
    ctx.insert_value("local_group", group);
    // The campaign record, as commune pages and kits read it: a commune's posters can say
    // what is known there (poster 3 thanks a commune that refused VSA instead of asking it to).
    let record = match (v.commune, data) {
        (Some(i), Some(data)) => data.records.get(&i).map(|r| {
            tera::Value::from_serializable(&crate::family::communes::context::record(
                site, data, v.lang, i, r,
            ))
        }),
        _ => None,
    };
    ctx.insert_value("record", record.unwrap_or_else(tera::Value::none));
    let text = url.split_once("://").map(|(_, r)| r).unwrap_or(&url).trim_end_matches('/').to_string();
    ctx.insert("qr_url", &url);
    ctx.insert("qr_text", &text);
    ctx
}

/// What a variant is, for messages.
fn describe_variant(site: &Site, v: &Variant) -> String {
    let p = &site.posters[v.poster];
    let lang = &site.config.languages[v.lang].code;
    match (v.commune, site.communes.as_deref()) {
        (Some(i), Some(data)) => format!(
            "poster `{}` in `{lang}` for {} ({})",
            p.id, data.communes[i].nom, data.communes[i].code.0
        ),
        _ => format!("poster `{}` in `{lang}`", p.id),
    }
}

impl Family for Posters {
    type Job = Job;
    type State = State;
    type Input = Input;

    fn name(&self) -> &'static str {
        "posters"
    }

    fn plan_key(&self, cx: &PlanCx<'_>) -> Option<u64> {
        let site = cx.site();
        let mut s = std::collections::hash_map::DefaultHasher::new();
        site.posters.iter().map(|p| (&p.id, p.version)).collect::<Vec<_>>().hash(&mut s);
        cx.inputs.fonts.families.hash(&mut s);
        (&site.config.base_url, site.config.scopes.posters, &site.config.languages).hash(&mut s);
        for l in 0..site.config.languages.len() {
            site.i18n.version(l).hash(&mut s);
            site.home_url(l).hash(&mut s);
        }
        // What a commune's posters show of it: its name, page, local group and record.
        if let (Some(data), Some(urls)) = (site.communes.as_deref(), site.commune_urls.as_ref()) {
            for i in communes_in_scope(site) {
                (
                    i,
                    &data.communes[i].nom,
                    serde_json::to_string(&group_value(data, i)).unwrap_or_default(),
                    serde_json::to_string(&data.records.get(&i)).unwrap_or_default(),
                    data.record_paths.get(&i),
                )
                    .hash(&mut s);
                (0..site.config.languages.len())
                    .filter(|&l| urls.has(l))
                    .map(|l| urls.commune(data, l, i))
                    .for_each(|u| u.hash(&mut s));
            }
        }
        Some(s.finish())
    }

    fn plan(&self, cx: &PlanCx<'_>) -> Planned<Job, State> {
        let site = &cx.inputs.site;
        let fonts = cx.inputs.fonts.clone();
        let mut diagnostics = Vec::new();
        for p in &site.posters {
            diagnostics.extend(fill::check_template(p));
        }
        let templates = fill::Templates::new(site, &mut diagnostics);
        let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
        if !memo.fonts.as_ref().is_some_and(|f| Arc::ptr_eq(f, &fonts)) {
            *memo = Memo { fonts: Some(fonts.clone()), filled: Default::default() };
        }
        let filled: Vec<(Filled, Vec<Diagnostic>)> = variants(site)
            .into_par_iter()
            .map(|v| {
                let p = &site.posters[v.poster];
                let (dir, stem) = files_of(site, &v);
                let ctx = context(site, &v);
                // What filling reads: the template, the strings, the values (a context shows
                // them all in its Debug form, in a fixed order).
                let key = h(&(p.version, site.i18n.version(v.lang), format!("{ctx:?}")));
                let (drawing, d) = match memo.filled.get(&v).filter(|(k, ..)| *k == key) {
                    Some((_, drawing, d)) => (drawing.clone(), d.clone()),
                    None => {
                        let what = describe_variant(site, &v);
                        let mut d = Vec::new();
                        let drawing = match fill::fill(&templates, p, &ctx, &fonts, &what, &mut d) {
                            Ok(f) => Some(Arc::new(f)),
                            Err(e) => {
                                d.push(e);
                                None
                            }
                        };
                        (drawing, d)
                    }
                };
                let version = h(&(
                    drawing.as_ref().map(|f| &f.svg),
                    serde_json::to_string(&p.meta).unwrap_or_default(),
                ));
                (Filled { variant: v, dir, stem, drawing, version, key }, d)
            })
            .collect();
        memo.filled =
            filled.iter().map(|(f, d)| (f.variant.clone(), (f.key, f.drawing.clone(), d.clone()))).collect();
        drop(memo);
        let mut outputs = Vec::new();
        let mut list: Vec<(String, u64)> = Vec::new();
        let mut states = Vec::with_capacity(filled.len());
        let mut variant_diags = Vec::new();
        for (i, (f, d)) in filled.into_iter().enumerate() {
            variant_diags.extend(d);
            let p = &site.posters[f.variant.poster];
            let i = i as u32;
            let mut jobs = vec![Job::Svg(i), Job::Preview(i), Job::Thumb(i)];
            for &size in &p.meta.sizes {
                jobs.push(Job::Pdf(i, size));
                if has_print(p) {
                    jobs.push(Job::PrintPdf(i, size));
                }
            }
            for j in jobs {
                outputs.push((format!("{}{}", f.dir, file_name(&f.stem, &j)), j));
            }
            list.push((f.stem.clone(), h(&(serde_json::to_string(&p.meta).unwrap_or_default(), &p.id))));
            states.push(f);
        }
        // A template's problem is the same in every version of the poster: reported once.
        diagnostics.extend(crate::diag::collapse_repeats(variant_diags));
        let list_version = h(&list);
        let index = states.iter().enumerate().map(|(i, f)| (f.variant.clone(), i)).collect();
        let by_key = states.iter().enumerate().map(|(i, f)| (format!("{}{}", f.dir, f.stem), i)).collect();
        let generic_lists = crate::deps::Shared::new(site.config.languages.len());
        let mut planned = Planned::new(
            State { filled: states, index, by_key, fonts, list_version, generic_lists },
            outputs,
        );
        planned.diagnostics = diagnostics;
        planned
    }

    fn render(&self, cx: &RenderCx<'_, Self>, state: &State, job: &Job) -> Result<Artifact, Diagnostic> {
        let f = &state.filled[job.variant()];
        cx.record(Input::Drawing(Arc::from(format!("{}{}", f.dir, f.stem).as_str())));
        let site = cx.site;
        let p = &site.posters[f.variant.poster];
        let Some(drawing) = &f.drawing else {
            return Err(Diagnostic::error(
                "K808",
                format!("{} was not filled (reported above)", describe_variant(site, &f.variant)),
            ));
        };
        let fail = |e: String| {
            Diagnostic::error("K808", format!("{}: {e}", describe_variant(site, &f.variant))).at(&p.svg_path)
        };
        let lang = &site.config.languages[f.variant.lang].code;
        let title = p.title(lang, &site.config.default_lang().code);
        Ok(match *job {
            Job::Svg(_) => {
                let opts = usvg::WriteOptions { preserve_text: false, ..usvg::WriteOptions::default() };
                Artifact::file(Kind::Svg, drawing.tree.to_string(&opts).into_bytes())
            }
            Job::Preview(_) => {
                Artifact::file(Kind::Png, raster::png(&drawing.tree, PREVIEW_WIDTH).map_err(fail)?)
            }
            Job::Thumb(_) => {
                Artifact::file(Kind::Png, raster::png(&drawing.tree, THUMB_WIDTH).map_err(fail)?)
            }
            Job::Pdf(_, size) => {
                let page = pdf::Page { trim: size.mm(), bleed: 0.0, marks: false };
                Artifact::file(Kind::Pdf, pdf::poster(&drawing.tree, &page, title, lang).map_err(fail)?)
            }
            Job::PrintPdf(_, size) => {
                let (trim_w, _) = size.mm();
                let units_per_mm = drawing.tree.size().width() as f64 / trim_w;
                let svg = svg::tree::with_bleed(&drawing.svg, p.meta.bleed * units_per_mm).map_err(fail)?;
                let tree = svg::tree::parse(&svg, &state.fonts, &p.files).map_err(fail)?;
                let page = pdf::Page { trim: size.mm(), bleed: p.meta.bleed, marks: p.meta.crop_marks };
                Artifact::file(Kind::Pdf, pdf::poster(&tree, &page, title, lang).map_err(fail)?)
            }
        })
    }

    fn version(&self, _: &VersionCx<'_>, state: &State, input: &Input) -> u64 {
        match input {
            Input::List => state.list_version,
            Input::Drawing(key) => state.by_key.get(&**key).map(|&i| state.filled[i].version).unwrap_or(0),
        }
    }

    fn describe(&self, site: &Site, state: &State, job: &Job) -> String {
        describe_variant(site, &state.filled[job.variant()].variant)
    }

    fn extend_page(
        &self,
        cx: &RenderCx<'_, Self>,
        state: &State,
        page: PageRef<'_>,
        ctx: &mut tera::Context,
    ) {
        let (lang, commune) = match page {
            // The gallery lists them; the home page shows the triptych as a preview.
            PageRef::Content(p) if p.template == listing::GALLERY || p.parent.is_none() => (p.lang, None),
            PageRef::Commune { lang, index } => (lang, Some(index)),
            _ => return,
        };
        cx.record(Input::List);
        if let Some(i) = commune
            && let Some(data) = cx.site.communes.as_deref()
        {
            deps::record(Dep::Census(CensusDep::Record(Arc::from(data.communes[i].code.0.as_str()))));
        }
        ctx.insert_value("posters", listing::value(cx.site, state, lang, commune));
    }
}
