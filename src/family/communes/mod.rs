//! Commune outputs: a page per commune and language, département and region pages, the
//! statistics and the map, the map's outline (shared by every language), and what the communes
//! section page lists.
//!
//! The plan depends only on the census and its URLs, so serve keeps it (70,000 outputs) while
//! they do not change.

pub mod context;
mod overview;
mod pages;

use std::hash::{Hash, Hasher};

use tera::Value;

use super::{Artifact, Family, Kind, PageRef, PlanCx, Planned, RenderCx, SitemapEntry, VersionCx};
use crate::config::CommuneScope;
use crate::deps::{self, CensusDep, Dep};
use crate::diag::Diagnostic;
use crate::model::Site;
use crate::model::communes::{CommuneData, CommuneUrls, SECTION};
use crate::render::svg::map::FranceMap;
use crate::render::tera::link_value;

/// The commune outputs family.
pub struct Communes;

/// One commune output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
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
    Stats {
        /// Language.
        lang: u8,
    },
    /// The census map.
    Map {
        /// Language.
        lang: u8,
    },
    /// The outline of France drawn under the map (shared by every language).
    Outline,
}

impl Job {
    /// The language of a page, if it is one.
    fn lang(&self) -> Option<usize> {
        match *self {
            Job::Commune { lang, .. }
            | Job::Departement { lang, .. }
            | Job::Region { lang, .. }
            | Job::Stats { lang }
            | Job::Map { lang } => Some(lang as usize),
            Job::Outline => None,
        }
    }

    /// The same output in another language.
    fn in_lang(self, l: usize) -> Job {
        let lang = l as u8;
        match self {
            Job::Commune { index, .. } => Job::Commune { lang, index },
            Job::Departement { index, .. } => Job::Departement { lang, index },
            Job::Region { index, .. } => Job::Region { lang, index },
            Job::Stats { .. } => Job::Stats { lang },
            Job::Map { .. } => Job::Map { lang },
            Job::Outline => Job::Outline,
        }
    }
}

/// The map of France, projected once per plan.
pub struct State {
    map: FranceMap,
    outlines_version: u64,
}

/// The family's own input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Input {
    /// The map's outlines (`data/departements-fr.geojson`).
    Outlines,
}

/// The outline map, shared by every language.
pub const MAP_OUTLINE: &str = "/communes/france.svg";

/// The URL of a commune output in language `lang` (`None` where it is not published).
fn job_url(data: &CommuneData, urls: &CommuneUrls, job: Job) -> Option<String> {
    if !job.lang().is_some_and(|l| urls.has(l)) {
        return None;
    }
    Some(match job {
        Job::Commune { lang, index } => {
            if !data.has_page(index as usize) {
                return None;
            }
            urls.commune(data, lang as usize, index as usize)
        }
        Job::Departement { lang, index } => urls.departement(data, lang as usize, index as usize),
        Job::Region { lang, index } => urls.region(data, lang as usize, index as usize),
        Job::Stats { lang } => urls.stats(lang as usize),
        Job::Map { lang } => urls.map(lang as usize),
        Job::Outline => return None,
    })
}

/// What renders commune pages: the family's context and the census.
struct Pages<'a> {
    cx: &'a RenderCx<'a, Communes>,
    state: &'a State,
    data: &'a CommuneData,
    urls: &'a CommuneUrls,
}

impl Family for Communes {
    type Job = Job;
    type State = State;
    type Input = Input;

    fn name(&self) -> &'static str {
        "communes"
    }

    fn plan_key(&self, cx: &PlanCx<'_>) -> Option<u64> {
        let site = cx.site();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        if let (Some(c), Some(u)) = (&site.communes, &site.commune_urls) {
            (c.version, &u.published, &u.base, &u.departements, &u.regions, &u.stats, &u.map).hash(&mut h);
            site.config.scopes.commune_pages.hash(&mut h);
            if site.config.scopes.commune_pages == CommuneScope::Recorded {
                c.records.keys().collect::<Vec<_>>().hash(&mut h);
            }
            site.config.languages.len().hash(&mut h);
            cx.inputs.outlines.as_ref().map(|o| o.version).hash(&mut h);
        }
        Some(h.finish())
    }

    fn plan(&self, cx: &PlanCx<'_>) -> Planned<Job, State> {
        let site = cx.site();
        let outlines = cx.inputs.outlines.as_deref();
        let state = State {
            map: FranceMap::new(outlines.map(|o| &o.departements[..]).unwrap_or(&[])),
            outlines_version: outlines.map(|o| o.version).unwrap_or(0),
        };
        let mut planned = Planned::new(state, Vec::new());
        let (Some(data), Some(urls)) = (&site.communes, &site.commune_urls) else { return planned };
        let out = &mut planned.outputs;
        let path = |url: String| format!("{}index.html", url.trim_start_matches('/'));
        for lang in (0..site.config.languages.len()).filter(|&l| urls.has(l)) {
            let l = lang as u8;
            for i in (0..data.communes.len()).filter(|&i| data.has_page(i)) {
                out.push((path(urls.commune(data, lang, i)), Job::Commune { lang: l, index: i as u32 }));
            }
            for d in 0..data.departements.len() {
                out.push((
                    path(urls.departement(data, lang, d)),
                    Job::Departement { lang: l, index: d as u32 },
                ));
            }
            for r in 0..data.regions.len() {
                out.push((path(urls.region(data, lang, r)), Job::Region { lang: l, index: r as u32 }));
            }
            out.push((path(urls.stats(lang)), Job::Stats { lang: l }));
            out.push((path(urls.map(lang)), Job::Map { lang: l }));
        }
        out.push((MAP_OUTLINE.trim_start_matches('/').into(), Job::Outline));
        planned.sitemap = (0..out.len() as u32).filter(|&i| out[i as usize].1.lang().is_some()).collect();
        planned
    }

    fn render(&self, cx: &RenderCx<'_, Self>, state: &State, job: &Job) -> Result<Artifact, Diagnostic> {
        let site = cx.site;
        let (Some(data), Some(urls)) = (site.communes.as_deref(), site.commune_urls.as_ref()) else {
            return Err(Diagnostic::error("K525", "the site has no commune data"));
        };
        deps::record(Dep::Census(CensusDep::Communes));
        let p = Pages { cx, state, data, urls };
        match *job {
            Job::Commune { lang, index } => p.commune_page(data, urls, lang as usize, index as usize),
            Job::Departement { lang, index } => p.departement_page(data, urls, lang as usize, index as usize),
            Job::Region { lang, index } => p.region_page(data, urls, lang as usize, index as usize),
            Job::Stats { lang } => p.stats_page(data, urls, lang as usize),
            Job::Map { lang } => p.map_page(data, urls, lang as usize),
            Job::Outline => {
                cx.record(Input::Outlines);
                let lang = site.config.default_language;
                let title = cx.engine.t(lang, "communes.map.outline_title")?;
                let desc = cx.engine.t(lang, "communes.map.outline_desc")?;
                Ok(Artifact::file(Kind::Svg, state.map.outline_svg(&title, &desc).into_bytes()))
            }
        }
    }

    fn version(&self, _: &VersionCx<'_>, state: &State, input: &Input) -> u64 {
        match input {
            Input::Outlines => state.outlines_version,
        }
    }

    fn sitemap(&self, site: &Site, _: &State, job: &Job) -> Option<SitemapEntry> {
        let (data, urls) = (site.communes.as_deref()?, site.commune_urls.as_ref()?);
        let lang = job.lang()?;
        deps::record(Dep::Census(CensusDep::Communes));
        if data.scope == CommuneScope::Recorded {
            deps::record(Dep::Census(CensusDep::Records));
        }
        let urls = (0..site.config.languages.len()).map(|l| job_url(data, urls, job.in_lang(l))).collect();
        Some(SitemapEntry { lang, urls, lastmod: None })
    }

    fn extend_page(
        &self,
        cx: &RenderCx<'_, Self>,
        state: &State,
        page: PageRef<'_>,
        ctx: &mut tera::Context,
    ) {
        let PageRef::Content(page) = page else { return };
        if &*page.rel != SECTION {
            return;
        }
        let (Some(data), Some(urls)) = (cx.site.communes.as_deref(), cx.site.commune_urls.as_ref()) else {
            return;
        };
        deps::record(Dep::Census(CensusDep::Communes));
        let p = Pages { cx, state, data, urls };
        ctx.insert_value("communes", p.index_value(page.lang));
    }
}

impl Pages<'_> {
    /// The communes section and the pages above it, as breadcrumb links.
    fn section_ancestors(&self, lang: usize) -> Vec<Value> {
        let site = self.cx.site;
        let Some(section) = site.find(lang, SECTION) else { return Vec::new() };
        let mut v: Vec<Value> = site.ancestors(section).into_iter().map(|p| link_value(site, p)).collect();
        v.push(link_value(site, section));
        v
    }

    /// The same output in every language, `None` where a language has no commune pages.
    fn all_langs(&self, f: impl Fn(usize) -> String) -> Vec<Option<String>> {
        (0..self.cx.site.config.languages.len()).map(|l| self.urls.has(l).then(|| f(l))).collect()
    }
}
