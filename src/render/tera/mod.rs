//! The template engine: Tera with kitgen's contexts, functions and filters.
//!
//! An [`Engine`] holds the compiled templates and the per-language values every page shares;
//! families render their pages through it. Families may add template functions of their own
//! (the assets family adds `asset()`), given to [`Engine::new`].

pub mod compile;
pub mod context;
pub mod functions;

use std::collections::BTreeSet;
use std::sync::Arc;

use ::tera::{Context, Tera};

use crate::deps::{self, Dep};
use crate::diag::Diagnostic;
use crate::load::templates::TemplateSet;
use crate::model::{Page, Site};
pub use context::{Virtual, link_value};

/// `map` with `entries` set (each added at the end, or replaced where it is), in one copy: a
/// map shared by many outputs is copied, not changed. Anything else is returned as it is.
pub fn with_entries(
    map: ::tera::Value,
    entries: impl IntoIterator<Item = (&'static str, ::tera::Value)>,
) -> ::tera::Value {
    if !map.is_map() {
        return map;
    }
    let mut m = map.into_map().unwrap_or_default();
    for (key, value) in entries {
        m.insert(key.into(), value);
    }
    ::tera::Value::from(m)
}

/// Compiled templates and shared values.
pub struct Engine {
    site: Arc<Site>,
    tera: Tera,
    templates: Arc<TemplateSet>,
    broken: BTreeSet<String>,
    shared: context::Shared,
    live_reload: bool,
}

impl Engine {
    /// Compiles every template with kitgen's functions and `extra` ones. Template errors go to
    /// `diags`; `live_reload` is what templates see as `serve`.
    pub fn new(
        site: Arc<Site>,
        templates: Arc<TemplateSet>,
        extra: &dyn Fn(&mut Tera),
        live_reload: bool,
        diags: &mut Vec<Diagnostic>,
    ) -> Engine {
        let (tera, broken) = templates.compile(
            &|t| {
                functions::register(t, &site);
                extra(t);
            },
            diags,
        );
        let shared = context::Shared::new(&site);
        Engine { site, tera, templates, broken, shared, live_reload }
    }

    /// The site.
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// Renders a template, recording it as a dependency.
    pub fn render(&self, name: &str, ctx: &Context) -> Result<String, Diagnostic> {
        deps::record(Dep::Template(Arc::from(name)));
        if self.broken.contains(name) {
            return Err(Diagnostic::error("K403", format!("template `{name}` has errors (reported above)")));
        }
        if !self.tera.contains_template(name) {
            return Err(Diagnostic::error("K402", format!("template `{name}` not found"))
                .hint(self.templates.did_you_mean(name)));
        }
        self.tera.render(name, ctx).map_err(|e| {
            let d = self.templates.diagnostic(&e, "K404");
            if d.path.is_some() {
                return d;
            }
            // Errors without a place (a component that calls itself) are at least in the
            // template being rendered, or in the component definition they name.
            let named = if d.message.contains("recursion depth for components") {
                self.templates
                    .by_name
                    .values()
                    .find(|t| t.text.contains("{% component "))
                    .map(|t| (t, "{% component "))
            } else {
                None
            };
            match named.or_else(|| self.templates.by_name.get(name).map(|t| (t, ""))) {
                Some((t, needle)) if !needle.is_empty() => {
                    let off = t.text.find(needle).unwrap_or(0);
                    d.at(&t.path)
                        .at_offset(&t.text, off, needle.len())
                        .hint("a component calls itself with no end: give the call a condition that stops it")
                }
                Some((t, _)) => d.at(&t.path),
                None => d,
            }
        })
    }

    /// A context with `lang`, `dir`, `site`, `menu` and `serve` for a language.
    pub fn base(&self, lang: usize) -> Context {
        self.shared.base(&self.site, lang, self.live_reload)
    }

    /// The context of a content page or section.
    pub fn page_context(&self, page: &Page) -> Context {
        context::page_context(&self.site, &self.shared, page, self.live_reload)
    }

    /// The context of a page generated from data, with the fields of a content page.
    pub fn virtual_context(&self, v: &Virtual) -> Context {
        context::virtual_context(&self.site, &self.shared, v, self.live_reload)
    }

    /// An interface string of a generated page. It falls back to the default language like
    /// `t()` in templates; a string missing there too is an error, never a raw key on the page.
    pub fn t(&self, lang: usize, key: &str) -> Result<String, Diagnostic> {
        self.t_with(lang, key, &[])
    }

    /// [`Engine::t`] with parameters (`{name}` in the string).
    pub fn t_with(&self, lang: usize, key: &str, params: &[(String, String)]) -> Result<String, Diagnostic> {
        deps::record(Dep::I18n(lang));
        self.site.i18n.t(lang, key, None, params).map_err(|e| {
            let def = self.site.config.default_lang();
            Diagnostic::error("K606", e.to_string())
                .at(format!("i18n/{}.yaml", def.code))
                .hint("the generated commune pages use it; the default theme's i18n files have every key")
        })
    }
}
