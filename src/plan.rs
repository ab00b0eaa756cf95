//! Plan: the list of every output of a build, each with what produces it.
//!
//! One record can produce many outputs (a page in every language, later a commune's page, its
//! letter and its poster pack); each output is planned here with its path, so collisions are
//! found before anything is rendered and serve can tell which outputs appeared or vanished.

use std::collections::HashMap;

use crate::diag::Diagnostic;
use crate::model::{PageId, Site};
use crate::render::assets::Assets;
use crate::render::templates::TemplateSet;
use crate::slug::collision_key;

/// What produces an output.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Job {
    /// A page or section rendered with its template.
    Page(PageId),
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
    /// A static file, by index in [`Assets::list`].
    Asset(usize),
    /// A commune's page in a language (index in the reference list).
    Commune {
        /// Language.
        lang: u8,
        /// Commune index.
        index: u32,
    },
    /// A département's page.
    Departement {
        /// Language.
        lang: u8,
        /// Département index.
        index: u32,
    },
    /// A region's page.
    Region {
        /// Language.
        lang: u8,
        /// Region index.
        index: u32,
    },
    /// The census statistics.
    CommuneStats {
        /// Language.
        lang: u8,
    },
    /// The census map.
    CommuneMap {
        /// Language.
        lang: u8,
    },
    /// The outline of France drawn under the map (shared by every language).
    MapOutline,
    /// A file of the commune lookup index, by index in the search plan.
    Search(u32),
    /// An open-data download, by index in the downloads list.
    Download(u8),
}

impl Job {
    /// The language of a generated page, if it is one.
    pub fn generated_lang(&self) -> Option<usize> {
        match self {
            Job::Commune { lang, .. }
            | Job::Departement { lang, .. }
            | Job::Region { lang, .. }
            | Job::CommuneStats { lang }
            | Job::CommuneMap { lang } => Some(*lang as usize),
            _ => None,
        }
    }

    /// The same output in another language.
    pub fn in_lang(&self, l: usize) -> Job {
        let l = l as u8;
        match *self {
            Job::Commune { index, .. } => Job::Commune { lang: l, index },
            Job::Departement { index, .. } => Job::Departement { lang: l, index },
            Job::Region { index, .. } => Job::Region { lang: l, index },
            Job::CommuneStats { .. } => Job::CommuneStats { lang: l },
            Job::CommuneMap { .. } => Job::CommuneMap { lang: l },
            ref other => other.clone(),
        }
    }
}

/// One file of the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Path under the output folder, `/`-separated, e.g. `fr/brochure/index.html`.
    pub path: String,
    /// What produces it.
    pub job: Job,
}

/// URLs per sitemap file; the protocol allows 50,000.
pub const SITEMAP_CHUNK: usize = 10_000;

/// An entry of the sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SitemapItem {
    /// A content page.
    Page(PageId),
    /// A generated page, with the path of its output.
    Generated(Job, String),
}

/// Every output of the build, sorted by path.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The outputs.
    pub outputs: Vec<Output>,
    /// Pages listed in the sitemap, in order.
    pub sitemap: Vec<SitemapItem>,
    /// The files of the commune lookup index.
    pub search: std::sync::Arc<crate::render::search::SearchPlan>,
}

/// Plans the outputs; reports missing templates and colliding paths.
pub fn plan(site: &Site, assets: &Assets, templates: &TemplateSet, diags: &mut Vec<Diagnostic>) -> Plan {
    let mut outputs = Vec::with_capacity(site.pages.len() + assets.list.len() + 8);
    for p in &site.pages {
        if !templates.contains(&p.template) {
            let mut d =
                Diagnostic::error("K402", format!("template `{}` not found", p.template)).at(&p.source);
            if let Some(line) = std::fs::read_to_string(site.config.root.join(&p.source)).ok().and_then(|t| {
                t.lines().position(|l| l.starts_with("template:") || l.starts_with("page_template:"))
            }) {
                d = d.line_col(line + 1, 1);
            }
            diags.push(d.hint(templates.did_you_mean(&p.template)));
            continue;
        }
        outputs.push(Output { path: p.output_path(), job: Job::Page(p.id) });
    }
    outputs.push(Output { path: "index.html".into(), job: Job::Root });
    outputs.push(Output { path: "404.html".into(), job: Job::NotFound });
    outputs.push(Output { path: "robots.txt".into(), job: Job::Robots });

    crate::render::communes::plan(site, &mut outputs);
    let search = std::sync::Arc::new(crate::render::search::SearchPlan::new(site));
    search.plan(&mut outputs);
    crate::render::downloads::plan(site, &mut outputs);
    let mut sitemap: Vec<SitemapItem> =
        site.pages.iter().filter(|p| p.fallback_of.is_none()).map(|p| SitemapItem::Page(p.id)).collect();
    sitemap.extend(
        outputs
            .iter()
            .filter(|o| o.job.generated_lang().is_some())
            .map(|o| SitemapItem::Generated(o.job.clone(), o.path.clone())),
    );
    let chunks = sitemap.len().div_ceil(SITEMAP_CHUNK).max(1);
    if chunks == 1 {
        outputs.push(Output { path: "sitemap.xml".into(), job: Job::Sitemap(0) });
    } else {
        outputs.push(Output { path: "sitemap.xml".into(), job: Job::SitemapIndex });
        for i in 0..chunks {
            outputs.push(Output { path: format!("sitemap-{}.xml", i + 1), job: Job::Sitemap(i) });
        }
    }
    for (i, a) in assets.list.iter().enumerate() {
        outputs.push(Output { path: a.out.clone(), job: Job::Asset(i) });
    }

    // Collisions, also on case-insensitive or normalising file systems.
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(outputs.len());
    let mut keep = vec![true; outputs.len()];
    for (i, o) in outputs.iter().enumerate() {
        if let Some(&j) = seen.get(&collision_key(&o.path)) {
            if matches!((&o.job, &outputs[j].job), (Job::Page(_), Job::Page(_))) {
                // reported by the model, with both source files
                keep[i] = false;
                continue;
            }
            let describe = |o: &Output| match &o.job {
                Job::Page(id) => site.page(*id).source.display().to_string(),
                Job::Asset(a) => format!("static file {}", assets.list[*a].out),
                other => format!("{other:?}"),
            };
            diags.push(
                Diagnostic::error(
                    "K213",
                    format!(
                        "two outputs are written to {}: {} and {}",
                        o.path,
                        describe(&outputs[j]),
                        describe(o)
                    ),
                )
                .hint("rename the static file or change the page's slug"),
            );
            keep[i] = false;
        } else {
            seen.insert(collision_key(&o.path), i);
        }
    }
    let mut outputs: Vec<Output> =
        outputs.into_iter().zip(keep).filter(|(_, k)| *k).map(|(o, _)| o).collect();
    outputs.sort_by(|a, b| a.path.cmp(&b.path));
    Plan { outputs, sitemap, search }
}
