//! Filling a poster: its template rendered for a language and a commune (XML-escaped), checked
//! again as SVG, its fitted texts shrunk or wrapped with the real fonts, and parsed into the
//! drawing both renders use.

use std::collections::BTreeSet;
use std::sync::Arc;

use tera::{Context, Kwargs, State as TeraState, Value};

use crate::diag::Diagnostic;
use crate::load::templates::{TemplateSet, TemplateSource};
use crate::model::Site;
use crate::model::poster::Poster;
use crate::render::fonts::Fonts;
use crate::render::svg::{fit, qr, sanitize, tree};

/// The posters' templates, compiled with kitgen's functions and `qr()`.
pub(super) struct Templates {
    tera: tera::Tera,
    set: TemplateSet,
    broken: BTreeSet<String>,
}

/// A template's name: `posters/<id>/poster.svg`.
pub(super) fn name(p: &Poster) -> String {
    format!("posters/{}/poster.svg", p.id)
}

impl Templates {
    /// Compiles every poster's template; errors go to `diags`.
    pub(super) fn new(site: &Arc<Site>, diags: &mut Vec<Diagnostic>) -> Templates {
        let set = TemplateSet {
            by_name: site
                .posters
                .iter()
                .map(|p| {
                    (name(p), TemplateSource { name: name(p), path: p.svg_path.clone(), text: p.svg.clone() })
                })
                .collect(),
        };
        let (tera, broken) = set.compile(
            &|t| {
                crate::render::tera::functions::register(t, site);
                t.register_function("qr", |kwargs: Kwargs, state: &TeraState| -> tera::TeraResult<String> {
                    let url: Option<String> = state.get("qr_url")?;
                    let url = url.ok_or_else(|| tera::Error::message("qr(): no `qr_url`"))?;
                    let x: f64 = kwargs.get("x")?.unwrap_or(0.0);
                    let y: f64 = kwargs.get("y")?.unwrap_or(0.0);
                    let size: f64 = kwargs.must_get("size")?;
                    let dark: &str = kwargs.get("dark")?.unwrap_or("#000");
                    let light: &str = kwargs.get("light")?.unwrap_or("#fff");
                    qr::svg(&url, x, y, size, dark, light).map_err(tera::Error::message)
                });
            },
            diags,
        );
        Templates { tera, set, broken }
    }
}

/// A filled poster: its SVG (texts as text) and the drawing.
pub(super) struct Filled {
    /// The SVG, filled and fitted.
    pub svg: String,
    /// The drawing.
    pub tree: usvg::Tree,
}

/// The `font-family` values of an SVG (attributes and `style`s).
fn families(svg: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(doc) = roxmltree::Document::parse(svg) else { return out };
    for n in doc.descendants().filter(|n| n.is_element()) {
        let from_style = n.attribute("style").and_then(|s| {
            s.split(';')
                .find_map(|d| d.split_once(':').filter(|(k, _)| k.trim() == "font-family").map(|(_, v)| v))
        });
        for v in n.attribute("font-family").into_iter().chain(from_style) {
            out.push(v.to_string());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Fills one variant. Problems in the template or its fitting are diagnostics: errors stop
/// this variant, warnings go with the result.
pub(super) fn fill(
    t: &Templates,
    poster: &Poster,
    ctx: &Context,
    fonts: &Fonts,
    what: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Filled, Diagnostic> {
    let name = name(poster);
    if t.broken.contains(&name) {
        return Err(Diagnostic::error(
            "K803",
            format!("the template of poster `{}` has errors (reported above)", poster.id),
        )
        .at(&poster.svg_path));
    }
    let mut svg = t
        .tera
        .render(&name, ctx)
        .map_err(|e| t.set.diagnostic(&e, "K803").note(format!("while filling {what}")))?;
    // Filled values are escaped; the result must still be a clean SVG.
    if let Some(p) = sanitize::check(&svg, &|href| poster.files.contains_key(href.trim_start_matches("./")))
        .into_iter()
        .next()
    {
        return Err(Diagnostic::error("K804", p.message)
            .at(&poster.svg_path)
            .at_offset(&svg, p.offset, p.len)
            .note(format!("in the filled poster: {what}"))
            .hint(p.hint));
    }
    let yaml = poster.dir.join("poster.yaml");
    for f in &poster.meta.fit {
        let b = fit::Box {
            id: f.id.clone(),
            width: f.width,
            height: f.height,
            min_size: f.min_size,
            lines: f.lines,
        };
        let (fitted_svg, fitted) = fit::fit(&svg, &b, fonts).map_err(|e| {
            Diagnostic::error("K805", format!("fit `{}`: {e}", f.id))
                .at(&yaml)
                .hint("give the <text> element of the template this id and a font-size")
        })?;
        svg = fitted_svg;
        if fitted.too_small {
            warnings.push(
                Diagnostic::warning(
                    "K806",
                    format!(
                        "“{}” cannot fit the box of `{}` at a legible size: {} units, below {}",
                        fitted.lines.join(" "),
                        f.id,
                        fitted.size,
                        f.min_size
                    ),
                )
                .at(&yaml)
                .note(format!("in {what}"))
                .hint("widen the box, allow more `lines`, or accept a smaller `min_size`"),
            );
        }
    }
    for family in families(&svg) {
        if !family.split(',').any(|f| fonts.has(f)) {
            warnings.push(
                Diagnostic::warning(
                    "K807",
                    format!(
                        "font family `{family}` is not one of the site's fonts: drawn in {}",
                        fonts.default_family
                    ),
                )
                .at(&poster.svg_path)
                .hint(format!(
                    "use one of: {} (fonts live in themes/<theme>/fonts/ and fonts/)",
                    fonts.families.join(", ")
                )),
            );
        }
    }
    let tree = tree::parse(&svg, fonts, &poster.files).map_err(|e| {
        Diagnostic::error("K808", format!("the filled poster cannot be drawn: {e}"))
            .at(&poster.svg_path)
            .note(format!("in {what}"))
    })?;
    Ok(Filled { svg, tree })
}

/// Checks a template before filling: what it may not contain is refused at its line.
pub(super) fn check_template(poster: &Poster) -> Vec<Diagnostic> {
    // A template may not be well-formed XML before it is filled (Tera tags inside a tag):
    // then only the filled poster is checked.
    if roxmltree::Document::parse_with_options(
        &poster.svg,
        roxmltree::ParsingOptions { allow_dtd: true, ..roxmltree::ParsingOptions::default() },
    )
    .is_err()
        && !poster.svg.contains("<!DOCTYPE")
        && !poster.svg.contains("<!ENTITY")
    {
        return Vec::new();
    }
    sanitize::check(&poster.svg, &|href| {
        poster.files.contains_key(href.trim_start_matches("./")) || href.contains("{{")
    })
    .into_iter()
    .map(|p| {
        Diagnostic::error("K804", p.message)
            .at(&poster.svg_path)
            .at_offset(&poster.svg, p.offset, p.len)
            .hint(p.hint)
    })
    .collect()
}

/// `Value::Null` or the serialised value.
pub(super) fn value_or_null<T: serde::Serialize>(v: Option<T>) -> Value {
    match v {
        Some(v) => Value::from_serializable(&v),
        None => Value::none(),
    }
}
