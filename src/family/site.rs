//! The site's own files: the language chooser at `/`, `404.html`, `robots.txt` and the sitemap
//! (split every 10,000 URLs under a sitemap index). Registered last: the sitemap lists the
//! pages of every family before it, each with its alternates in the other languages.

use std::fmt::Write as _;

use super::{Artifact, Family, Kind, Links, PlanCx, Planned, RenderCx};
use crate::deps::{self, Dep};
use crate::diag::Diagnostic;
use crate::render::LinkPolicy;
use crate::render::html::urls;
use crate::render::xml_escape;

/// URLs per sitemap file; the protocol allows 50,000.
pub const SITEMAP_CHUNK: usize = 10_000;

/// The site files family.
pub struct SiteFiles;

/// One of the site's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// `/index.html`: the language chooser.
    Root,
    /// `/404.html`.
    NotFound,
    /// `/robots.txt`.
    Robots,
    /// One file of the sitemap (`sitemap.xml`, or `sitemap-N.xml` under an index).
    Sitemap(usize),
    /// The sitemap index, when the sitemap is split.
    SitemapIndex,
}

impl Family for SiteFiles {
    type Job = Job;
    type State = ();
    type Input = ();

    fn name(&self) -> &'static str {
        "site"
    }

    fn plan(&self, cx: &PlanCx<'_>) -> Planned<Job, ()> {
        let mut outputs = vec![
            ("index.html".to_string(), Job::Root),
            ("404.html".to_string(), Job::NotFound),
            ("robots.txt".to_string(), Job::Robots),
        ];
        let entries: usize = cx.earlier.iter().map(|f| f.sitemap.len()).sum();
        let chunks = entries.div_ceil(SITEMAP_CHUNK).max(1);
        if chunks == 1 {
            outputs.push(("sitemap.xml".into(), Job::Sitemap(0)));
        } else {
            outputs.push(("sitemap.xml".into(), Job::SitemapIndex));
            for i in 0..chunks {
                outputs.push((format!("sitemap-{}.xml", i + 1), Job::Sitemap(i)));
            }
        }
        Planned::new((), outputs)
    }

    fn render(&self, cx: &RenderCx<'_, Self>, _: &(), job: &Job) -> Result<Artifact, Diagnostic> {
        let site = cx.site;
        match *job {
            Job::Root => {
                let lang = site.config.default_language;
                deps::record(Dep::Urls);
                let mut ctx = cx.engine.base(lang);
                let target = urls::relative("index.html", &site.home_url(lang));
                let target =
                    if cx.opts.links == LinkPolicy::IndexHtml { urls::with_index(&target) } else { target };
                ctx.insert("target", &target);
                // Every language speaks for itself: its name, the site's title and a line in
                // that language (`root.choose`, `root.tagline`, `root.enter`), so no reader needs to guess.
                let mut choices = Vec::new();
                for (i, l) in site.config.languages.iter().enumerate() {
                    choices.push(serde_json::json!({
                        "code": l.code,
                        "name": l.name,
                        "dir": if l.dir == crate::config::Dir::Rtl { "rtl" } else { "ltr" },
                        "title": l.title,
                        "url": if cx.opts.links == LinkPolicy::IndexHtml { urls::with_index(&urls::relative("index.html", &site.home_url(i))) } else { urls::relative("index.html", &site.home_url(i)) },
                        "tagline": cx.engine.t(i, "root.tagline")?,
                        "enter": cx.engine.t(i, "root.enter")?,
                        "choose": cx.engine.t(i, "root.choose")?,
                    }));
                }
                ctx.insert("choices", &choices);
                Ok(Artifact::page(cx.engine.render("root.html", &ctx)?))
            }
            Job::NotFound => {
                let ctx = cx.engine.base(site.config.default_language);
                let mut a = Artifact::page(cx.engine.render("404.html", &ctx)?);
                a.links = Links::Anywhere;
                Ok(a)
            }
            Job::Robots => {
                deps::record(Dep::Config);
                let text =
                    format!("User-agent: *\nAllow: /\n\nSitemap: {}sitemap.xml\n", site.config.base_url);
                Ok(Artifact::file(Kind::Text, text.into_bytes()))
            }
            Job::Sitemap(chunk) => {
                deps::record(Dep::Urls);
                Ok(Artifact::file(Kind::Xml, sitemap(cx, chunk).into_bytes()))
            }
            Job::SitemapIndex => {
                deps::record(Dep::Urls);
                let n = cx.plan.sitemap_len().div_ceil(SITEMAP_CHUNK);
                let mut s = String::from(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
                );
                for i in 1..=n {
                    let loc = format!("{}sitemap-{i}.xml", site.config.base_url);
                    let _ = writeln!(s, "  <sitemap><loc>{}</loc></sitemap>", xml_escape(&loc));
                }
                s.push_str("</sitemapindex>\n");
                Ok(Artifact::file(Kind::Xml, s.into_bytes()))
            }
        }
    }
}

fn sitemap(cx: &RenderCx<'_, SiteFiles>, chunk: usize) -> String {
    let c = &cx.site.config;
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for out in cx.plan.sitemap().skip(chunk * SITEMAP_CHUNK).take(SITEMAP_CHUNK) {
        let Some(entry) = cx.families.sitemap(cx.site, cx.plan, out) else { continue };
        let Some(Some(loc)) = entry.urls.get(entry.lang) else { continue };
        let _ = write!(s, "  <url><loc>{}</loc>", xml_escape(&c.absolute_url(loc)));
        if let Some(d) = &entry.lastmod {
            let _ = write!(s, "<lastmod>{d}</lastmod>");
        }
        let versions: Vec<(usize, &String)> =
            entry.urls.iter().enumerate().filter_map(|(i, u)| u.as_ref().map(|u| (i, u))).collect();
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
