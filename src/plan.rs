//! Plan: the list of every output of a build, each with what produces it.
//!
//! One record can produce many outputs (a page in every language, later a commune's page, its
//! letter and its poster pack); each output is planned here with its path, so collisions are
//! found before anything is rendered and serve can tell which outputs appeared or vanished.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::cache::Memo;
use crate::render::search::SearchPlan;

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

/// Every output of the build: those of the content, and those generated from commune data
/// (kept apart so serve can reuse them while that data does not change).
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Pages, the language chooser, the sitemap, static files.
    pub own: Vec<Output>,
    /// Outputs generated from commune data.
    pub generated: Arc<Generated>,
    /// Content pages listed in the sitemap, in order (the generated ones follow).
    sitemap: Vec<SitemapItem>,
}

impl Plan {
    /// Every output.
    pub fn outputs(&self) -> impl Iterator<Item = &Output> {
        self.own.iter().chain(self.generated.outputs.iter())
    }

    /// Number of outputs.
    pub fn len(&self) -> usize {
        self.own.len() + self.generated.outputs.len()
    }

    /// Whether there is no output at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The files of the commune lookup index.
    pub fn search(&self) -> &Arc<SearchPlan> {
        &self.generated.search
    }

    /// Number of sitemap entries.
    pub fn sitemap_len(&self) -> usize {
        self.sitemap.len() + self.generated.sitemap.len()
    }

    /// Sitemap entry `i`.
    pub fn sitemap_item(&self, i: usize) -> &SitemapItem {
        match self.sitemap.get(i) {
            Some(item) => item,
            None => &self.generated.sitemap[i - self.sitemap.len()],
        }
    }
}

/// The outputs generated from the commune data (70,000 pages, the lookup index, downloads):
/// the same until that data, its URLs or its scope change, so serve keeps them.
#[derive(Debug, Default)]
pub struct Generated {
    /// The outputs.
    pub outputs: Vec<Output>,
    /// Position of each output by path.
    pub by_path: rustc_hash::FxHashMap<String, usize>,
    keys: HashSet<String>,
    sitemap: Vec<SitemapItem>,
    search: Arc<SearchPlan>,
    /// The map of France, projected once.
    pub map: Option<Arc<crate::render::map::FranceMap>>,
    /// Problems found while planning them (repeated on every build).
    diagnostics: Vec<Diagnostic>,
}

/// What [`Generated`] depends on.
pub fn generated_key(site: &Site) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if let (Some(c), Some(u)) = (&site.communes, &site.commune_urls) {
        (c.version, &u.published, &u.base, &u.departements, &u.regions, &u.stats, &u.map).hash(&mut h);
        site.config.scopes.commune_pages.hash(&mut h);
        if site.config.scopes.commune_pages == crate::config::CommuneScope::Recorded {
            c.records.keys().collect::<Vec<_>>().hash(&mut h);
        }
        site.config.languages.len().hash(&mut h);
        crate::cache::stamp(&site.config.root.join(MAP_FILE)).hash(&mut h);
    }
    h.finish()
}

/// The outlines drawn on the census map.
pub const MAP_FILE: &str = "data/departements-fr.geojson";

/// Plans the outputs generated from the commune data.
pub fn generated(site: &Site) -> Generated {
    let mut diagnostics = Vec::new();
    let map = site.communes.as_ref().map(|_| {
        let path = site.config.root.join(MAP_FILE);
        let depts = match std::fs::read_to_string(&path) {
            Ok(text) => crate::render::map::parse_geojson(&text).unwrap_or_else(|e| {
                diagnostics.push(
                    Diagnostic::error("K505", format!("the map outlines cannot be read: {e}"))
                        .at(MAP_FILE)
                        .hint("restore the file from the campaign's data, or remove it to draw no outline"),
                );
                Vec::new()
            }),
            Err(e) => {
                diagnostics.push(
                    Diagnostic::warning("K506", format!("no map outlines: {e}"))
                        .at(MAP_FILE)
                        .hint("copy departements-fr.geojson from the campaign's data (see data/README.md); until then the map shows the recorded communes of metropolitan France without département outlines"),
                );
                Vec::new()
            }
        };
        Arc::new(crate::render::map::FranceMap::new(&depts))
    });
    let mut outputs = Vec::new();
    crate::render::communes::plan(site, &mut outputs);
    let search = Arc::new(SearchPlan::new(site));
    search.plan(&mut outputs);
    crate::render::downloads::plan(site, &mut outputs);
    let keys = outputs.iter().map(|o| collision_key(&o.path)).collect();
    let by_path = outputs.iter().enumerate().map(|(i, o)| (o.path.clone(), i)).collect();
    let sitemap = outputs
        .iter()
        .filter(|o| o.job.generated_lang().is_some())
        .map(|o| SitemapItem::Generated(o.job.clone(), o.path.clone()))
        .collect();
    Generated { outputs, by_path, keys, sitemap, search, map, diagnostics }
}

/// Plans the outputs; reports missing templates and colliding paths. With `cache` (serve),
/// the outputs generated from commune data are reused while their data is the same.
pub fn plan(
    site: &Site,
    assets: &Assets,
    templates: &TemplateSet,
    diags: &mut Vec<Diagnostic>,
    cache: Option<&Memo<u64, Arc<Generated>>>,
) -> Plan {
    let generated = match cache {
        Some(c) => c.get_or(generated_key(site), || Arc::new(generated(site))),
        None => Arc::new(generated(site)),
    };
    diags.extend(generated.diagnostics.iter().cloned());
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
    let sitemap: Vec<SitemapItem> =
        site.pages.iter().filter(|p| p.fallback_of.is_none()).map(|p| SitemapItem::Page(p.id)).collect();
    let chunks = (sitemap.len() + generated.sitemap.len()).div_ceil(SITEMAP_CHUNK).max(1);
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
    let describe = |o: &Output| match &o.job {
        Job::Page(id) => site.page(*id).source.display().to_string(),
        Job::Asset(a) => format!("static file {}", assets.list[*a].out),
        other => format!("{other:?}"),
    };
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(outputs.len());
    let mut keep = vec![true; outputs.len()];
    for (i, o) in outputs.iter().enumerate() {
        let key = collision_key(&o.path);
        if generated.keys.contains(&key) {
            diags.push(
                Diagnostic::error(
                    "K213",
                    format!("{} is also a commune page or file: {}", o.path, describe(o)),
                )
                .hint("rename the static file or change the page's slug"),
            );
            keep[i] = false;
        } else if let Some(&j) = seen.get(&key) {
            if !matches!((&o.job, &outputs[j].job), (Job::Page(_), Job::Page(_))) {
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
            }
            // (two pages are reported by the model, with both source files)
            keep[i] = false;
        } else {
            seen.insert(key, i);
        }
    }
    let own: Vec<Output> = outputs.into_iter().zip(keep).filter(|(_, k)| *k).map(|(o, _)| o).collect();
    Plan { own, generated, sitemap }
}
