//! Content pages: every page and section of `content/<lang>/`, in every language it exists in,
//! rendered with its template. Other families may add to a page's context (the communes
//! section lists the census).

use std::collections::HashSet;

use super::{Artifact, Family, PageRef, PlanCx, Planned, RenderCx, SitemapEntry};
use crate::diag::Diagnostic;
use crate::model::{PageId, Site};
use crate::slug::collision_key;

/// The content pages family.
pub struct Content;

impl Family for Content {
    type Job = PageId;
    type State = ();
    type Input = ();

    fn name(&self) -> &'static str {
        "content"
    }

    fn plan(&self, cx: &PlanCx<'_>) -> Planned<PageId, ()> {
        let site = cx.site();
        let templates = &cx.inputs.templates;
        let mut planned = Planned::new((), Vec::with_capacity(site.pages.len()));
        // Two pages with the same URL are reported by the model, with both source files.
        let mut seen = HashSet::with_capacity(site.pages.len());
        for p in &site.pages {
            if !templates.contains(&p.template) {
                let mut d =
                    Diagnostic::error("K402", format!("template `{}` not found", p.template)).at(&p.source);
                if let Some(line) = p.template_line {
                    d = d.line_col(line, 1);
                }
                planned.diagnostics.push(d.hint(templates.did_you_mean(&p.template)));
                continue;
            }
            let path = p.output_path();
            if !seen.insert(collision_key(&path)) {
                continue;
            }
            if p.fallback_of.is_none() {
                planned.sitemap.push(planned.outputs.len() as u32);
            }
            planned.outputs.push((path, p.id));
        }
        planned
    }

    fn render(&self, cx: &RenderCx<'_, Self>, _: &(), id: &PageId) -> Result<Artifact, Diagnostic> {
        let page = cx.site.page(*id);
        let mut ctx = cx.engine.page_context(page);
        cx.families.extend_page(&cx.shared(), PageRef::Content(page), &mut ctx);
        let html = cx
            .engine
            .render(&page.template, &ctx)
            .map_err(|d| d.note(format!("while rendering {} ({})", page.source.display(), page.url)))?;
        Ok(Artifact::page(html))
    }

    fn sitemap(&self, site: &Site, _: &(), id: &PageId) -> Option<SitemapEntry> {
        let p = site.page(*id);
        let urls = site
            .translations(p)
            .into_iter()
            .map(|v| v.filter(|v| v.fallback_of.is_none()).map(|v| v.url.clone()))
            .collect();
        Some(SitemapEntry { lang: p.lang, urls, lastmod: p.date.map(|d| d.ymd()) })
    }

    fn describe(&self, site: &Site, _: &(), id: &PageId) -> String {
        site.page(*id).source.display().to_string()
    }
}
