//! Render: turn each planned output into bytes.
//!
//! A [`Renderer`] holds what every output needs (the site, compiled templates, assets, shared
//! per-language values) and renders one output at a time, so the pipeline can run outputs in
//! parallel and stream them to the writer. Pages go through Tera, then get relative URLs, the
//! live-reload script in serve mode, and minification.

pub mod assets;
pub mod charts;
pub mod communes;
pub mod context;
pub mod downloads;
pub mod functions;
pub mod map;
pub mod minify;
pub mod search;
pub mod templates;
pub mod urls;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use crate::deps::{self, Dep};
use crate::diag::Diagnostic;
use crate::model::Site;
use crate::plan::{Job, Output, Plan, SITEMAP_CHUNK, SitemapItem};
use assets::{AssetData, Assets};
use context::Shared;
use templates::TemplateSet;

/// Path of the live-reload script in serve mode.
pub const LIVE_RELOAD_PATH: &str = "/__kitgen/live-reload.js";

/// Options of a render.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Serve mode: inject the live-reload script, keep 404 links root-absolute.
    pub serve: bool,
}

/// Everything needed to render outputs.
pub struct Renderer {
    site: Arc<Site>,
    tera: tera::Tera,
    templates: Arc<TemplateSet>,
    broken: BTreeSet<String>,
    assets: Arc<Assets>,
    shared: Shared,
    plan: Plan,
    empty_map: OnceLock<map::FranceMap>,
    opts: RenderOptions,
}

/// One rendered output.
pub struct Rendered {
    /// Bytes, or the problem that prevented them.
    pub result: Result<Vec<u8>, Diagnostic>,
    /// Inputs it read.
    pub deps: Vec<Dep>,
    /// The bytes are HTML still to minify (see [`Rendered::finish`]).
    pub minify: bool,
}

impl Rendered {
    /// The final bytes: minified when the configuration asks for it. Kept separate from
    /// rendering so the writer can skip it for outputs whose rendered bytes did not change.
    pub fn finish(bytes: Vec<u8>, minify_html: bool) -> Vec<u8> {
        if minify_html { minify::html(&bytes) } else { bytes }
    }
}

impl Renderer {
    /// Compiles the templates with kitgen's functions. Template errors go to `diags`.
    pub fn new(
        site: Arc<Site>,
        templates: Arc<TemplateSet>,
        assets: Arc<Assets>,
        plan: &Plan,
        opts: RenderOptions,
        diags: &mut Vec<Diagnostic>,
    ) -> Renderer {
        let (tera, broken) = templates.compile(&|t| functions::register(t, &site, &assets), diags);
        let shared = Shared::new(&site);
        Renderer {
            site,
            tera,
            templates,
            broken,
            assets,
            shared,
            plan: plan.clone(),
            empty_map: OnceLock::new(),
            opts,
        }
    }

    /// Renders one output, recording what it read.
    pub fn render(&self, out: &Output) -> Rendered {
        // Only serve rebuilds from what each output read: a build does not pay for recording.
        let (result, deps) = if self.opts.serve {
            deps::recording(|| self.render_job(out))
        } else {
            (self.render_job(out), Vec::new())
        };
        let minify = self.site.config.minify && out.path.ends_with(".html");
        Rendered { result, deps, minify }
    }

    fn render_job(&self, out: &Output) -> Result<Vec<u8>, Diagnostic> {
        let site = &self.site;
        match &out.job {
            Job::Page(id) => {
                let page = site.page(*id);
                let mut ctx = context::page_context(site, &self.shared, page, self.opts.serve);
                if &*page.rel == crate::model::communes::SECTION {
                    if let Some(v) = self.communes_index_value(page.lang) {
                        ctx.insert_value("communes", v);
                    }
                }
                let html = self.template(&page.template, &ctx).map_err(|d| {
                    d.note(format!("while rendering {} ({})", page.source.display(), page.url))
                })?;
                Ok(self.finish_html(html, &out.path, false))
            }
            Job::Root => {
                let lang = site.config.default_language;
                deps::record(Dep::Urls);
                let mut ctx = self.shared.base(site, lang, self.opts.serve);
                ctx.insert("target", &urls::relative(&out.path, &site.home_url(lang)));
                let html = self.template("root.html", &ctx)?;
                Ok(self.finish_html(html, &out.path, false))
            }
            Job::NotFound => {
                let lang = site.config.default_language;
                let ctx = self.shared.base(site, lang, self.opts.serve);
                let html = self.template("404.html", &ctx)?;
                Ok(self.finish_html(html, &out.path, true))
            }
            Job::Robots => {
                deps::record(Dep::Config);
                Ok(format!("User-agent: *\nAllow: /\n\nSitemap: {}sitemap.xml\n", site.config.base_url)
                    .into_bytes())
            }
            Job::Sitemap(chunk) => {
                deps::record(Dep::Urls);
                Ok(self.sitemap(*chunk).into_bytes())
            }
            Job::SitemapIndex => {
                deps::record(Dep::Urls);
                let n = self.plan.sitemap_len().div_ceil(SITEMAP_CHUNK);
                let mut s = String::from(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
                );
                for i in 1..=n {
                    let loc = format!("{}sitemap-{i}.xml", site.config.base_url);
                    let _ = writeln!(s, "  <sitemap><loc>{}</loc></sitemap>", xml_escape(&loc));
                }
                s.push_str("</sitemapindex>\n");
                Ok(s.into_bytes())
            }
            Job::Asset(i) => {
                let a = &self.assets.list[*i];
                deps::record(Dep::Asset(Arc::from(a.out.as_str())));
                match &a.data {
                    AssetData::Bytes(b) => Ok(b.to_vec()),
                    AssetData::File(p) => std::fs::read(p).map_err(|e| {
                        Diagnostic::error("K003", format!("cannot read static file: {e}"))
                            .at(crate::diag::rel_to(&site.config.root, p))
                    }),
                }
            }
            Job::Search(i) => Ok(self.plan.search().render(site, *i as usize)),
            Job::Download(i) => downloads::render(site, *i as usize),
            job => self
                .render_commune_job(job, &out.path)
                .unwrap_or_else(|| Err(Diagnostic::error("K900", format!("nothing renders {}", out.path)))),
        }
    }

    /// Renders a template, recording it as a dependency.
    pub(crate) fn template(&self, name: &str, ctx: &tera::Context) -> Result<String, Diagnostic> {
        deps::record(Dep::Template(Arc::from(name)));
        if self.broken.contains(name) {
            return Err(Diagnostic::error("K403", format!("template `{name}` has errors (reported above)")));
        }
        if !self.tera.contains_template(name) {
            return Err(Diagnostic::error("K402", format!("template `{name}` not found"))
                .hint(self.templates.did_you_mean(name)));
        }
        self.tera.render(name, ctx).map_err(|e| self.templates.diagnostic(&e, "K404"))
    }

    /// Relative URLs and, in serve mode, the live-reload script (minification comes later).
    pub(crate) fn finish_html(&self, html: String, path: &str, absolute: bool) -> Vec<u8> {
        let mut html = if absolute && !self.opts.serve {
            // Served at any depth: links start from the site's path on its host, never from
            // another host (the site may be copied elsewhere; nothing may leak to the original).
            let base = base_path(&self.site.config.base_url);
            urls::rewrite(&html, &|u| format!("{base}{}", u.trim_start_matches('/')))
        } else if absolute {
            html
        } else {
            urls::rewrite(&html, &|u| urls::relative(path, u))
        };
        if self.opts.serve {
            let tag = format!("<script src=\"{LIVE_RELOAD_PATH}\" defer></script>");
            match html.find("</head>") {
                Some(i) => html.insert_str(i, &tag),
                None => html.push_str(&tag),
            }
        }
        html.into_bytes()
    }

    /// The URL of a sitemap item in every language.
    fn item_urls(&self, item: &SitemapItem) -> (usize, Vec<Option<String>>) {
        let site = &self.site;
        match item {
            SitemapItem::Page(id) => {
                let p = site.page(*id);
                let urls = site
                    .translations(p)
                    .into_iter()
                    .map(|v| v.filter(|v| v.fallback_of.is_none()).map(|v| v.url.clone()))
                    .collect();
                (p.lang, urls)
            }
            SitemapItem::Generated(job, _) => {
                let lang = job.generated_lang().unwrap_or(0);
                let urls = (0..site.config.languages.len())
                    .map(|l| communes::job_url(site, &job.in_lang(l)))
                    .collect();
                (lang, urls)
            }
        }
    }

    fn sitemap(&self, chunk: usize) -> String {
        let c = &self.site.config;
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
        );
        let start = chunk * SITEMAP_CHUNK;
        let end = (start + SITEMAP_CHUNK).min(self.plan.sitemap_len());
        for item in (start.min(end)..end).map(|i| self.plan.sitemap_item(i)) {
            let (lang, urls) = self.item_urls(item);
            let Some(Some(loc)) = urls.get(lang) else { continue };
            let _ = write!(s, "  <url><loc>{}</loc>", xml_escape(&c.absolute_url(loc)));
            if let SitemapItem::Page(id) = item {
                if let Some(d) = self.site.page(*id).date {
                    let _ = write!(s, "<lastmod>{}</lastmod>", d.ymd());
                }
            }
            let versions: Vec<(usize, &String)> =
                urls.iter().enumerate().filter_map(|(i, u)| u.as_ref().map(|u| (i, u))).collect();
            if versions.len() > 1 {
                for (i, u) in &versions {
                    let _ = write!(
                        s,
                        "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                        xml_escape(&c.languages[*i].code),
                        xml_escape(&c.absolute_url(u))
                    );
                }
                if let Some((_, d)) = versions.iter().find(|(i, _)| *i == c.default_language) {
                    let _ = write!(
                        s,
                        "<xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"{}\"/>",
                        xml_escape(&c.absolute_url(d))
                    );
                }
            }
            s.push_str("</url>\n");
        }
        s.push_str("</urlset>\n");
        s
    }
}

/// `https://example.org/kit/` → `/kit/`.
fn base_path(base_url: &str) -> String {
    let rest = base_url.split_once("://").map(|(_, r)| r).unwrap_or(base_url);
    match rest.find('/') {
        Some(i) => rest[i..].to_string(),
        None => "/".into(),
    }
}

/// Escapes text for XML.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}
