//! Incremental rebuilds: versions of inputs and fingerprints of outputs.
//!
//! Every output recorded the inputs it read (see [`crate::deps`]). After a change, kitgen
//! computes a version (a hash) of each of those inputs in the new site; an output whose inputs
//! all kept their versions has the same bytes and is not rendered again. Inputs are interned as
//! small numbers so checking 70,000 outputs is array lookups.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rayon::prelude::*;

use crate::deps::Dep;
use crate::family::{Families, VersionCx};
use crate::load::templates::TemplateSet;
use crate::model::communes::CensusDep;
use crate::model::{Page, Site};
use crate::plan::Plan;

fn h<T: Hash + ?Sized>(t: &T) -> u64 {
    let mut s = std::collections::hash_map::DefaultHasher::new();
    t.hash(&mut s);
    s.finish()
}

/// Interned dependencies.
#[derive(Debug, Default)]
pub struct Interner {
    index: HashMap<Dep, u32>,
    list: Vec<Dep>,
}

impl Interner {
    /// The ids of `deps`, interning new ones.
    pub fn intern(&mut self, deps: &[Dep]) -> Vec<u32> {
        deps.iter()
            .map(|d| match self.index.get(d) {
                Some(&i) => i,
                None => {
                    let i = self.list.len() as u32;
                    self.index.insert(d.clone(), i);
                    self.list.push(d.clone());
                    i
                }
            })
            .collect()
    }

    /// Every interned dependency, by id.
    pub fn all(&self) -> &[Dep] {
        &self.list
    }
}

/// What versions are computed from.
pub struct Inputs<'a> {
    /// The site.
    pub site: &'a Site,
    /// Templates.
    pub templates: &'a TemplateSet,
    /// Every output, with the families' states.
    pub plan: &'a Plan,
    /// The families, which version their own inputs.
    pub families: &'a Families,
    /// The content key of a written output (second-wave dependencies).
    pub output_key: &'a (dyn Fn(&str) -> Option<u64> + Sync),
}

/// The fingerprint of an output from the versions of its inputs.
pub fn fingerprint(ids: &[u32], versions: &[u64]) -> u64 {
    let mut s = rustc_hash::FxHasher::default();
    for &i in ids {
        versions.get(i as usize).copied().unwrap_or(u64::MAX).hash(&mut s);
    }
    s.finish()
}

/// The version of every dependency, by id.
pub fn versions(inputs: &Inputs<'_>, deps: &[Dep]) -> Vec<u64> {
    versions_since(inputs, deps, None)
}

/// A key of the census: while it stays the same, so do the versions of its inputs (see
/// [`CensusDep::key`]).
pub fn census_key(site: &Site) -> u64 {
    CensusDep::key(site)
}

/// [`versions`], taking the census inputs' versions from `census` (the versions of the same
/// ids computed earlier) when the census has not changed since (see [`census_key`]).
pub fn versions_since(inputs: &Inputs<'_>, deps: &[Dep], census: Option<&[u64]>) -> Vec<u64> {
    let tv = inputs.templates.versions();
    deps.par_iter()
        .enumerate()
        .map(|(i, d)| match (d, census.and_then(|c| c.get(i))) {
            (Dep::Census(_), Some(&v)) => v,
            _ => version(inputs, &tv, d),
        })
        .collect()
}

fn page_version(site: &Site, p: &Page) -> u64 {
    let links: Vec<&str> = p.links.iter().map(|&l| site.page(l).url.as_str()).collect();
    h(&(
        p.source_text_hash,
        p.lang,
        p.content_lang,
        &p.url,
        &p.template,
        p.fallback_of.is_some(),
        meta_version(p),
        links,
        &p.translation_of,
        p.parent.map(|id| &site.page(id).url),
    ))
}

fn meta_version(p: &Page) -> u64 {
    h(&(
        &p.title,
        &p.url,
        p.date,
        &p.summary,
        &p.excerpt,
        p.weight,
        p.is_section(),
        serde_json::to_string(&p.extra).unwrap_or_default(),
    ))
}

fn version(inputs: &Inputs<'_>, tv: &HashMap<Arc<str>, u64>, dep: &Dep) -> u64 {
    let site = inputs.site;
    match dep {
        Dep::Config => h(&*site.config),
        Dep::Template(n) => tv.get(n).copied().unwrap_or(0),
        Dep::I18n(l) => site.i18n.version(*l),
        Dep::Page(l, rel) => site.find(*l, rel).map(|p| page_version(site, p)).unwrap_or(0),
        Dep::Meta(l, rel) => site.find(*l, rel).map(meta_version).unwrap_or(0),
        Dep::Children(l, rel) => site
            .find(*l, rel)
            .map(|p| {
                let kids: Vec<u64> =
                    p.pages.iter().chain(&p.subsections).map(|&id| meta_version(site.page(id))).collect();
                h(&kids)
            })
            .unwrap_or(0),
        Dep::Top(l, rel, n) => site
            .find(*l, rel)
            .map(|p| {
                let kids: Vec<u64> =
                    p.pages.iter().take(*n as usize).map(|&id| meta_version(site.page(id))).collect();
                h(&kids)
            })
            .unwrap_or(0),
        Dep::Neighbours(l, rel) => site
            .find(*l, rel)
            .map(|p| {
                let (prev, next) = site.neighbours(p);
                h(&(prev.map(|x| (x.lang, &x.rel)), next.map(|x| (x.lang, &x.rel))))
            })
            .unwrap_or(0),
        Dep::Translations(rel) => {
            let v: Vec<Option<(&str, bool, &str)>> = (0..site.config.languages.len())
                .map(|l| {
                    site.find(l, rel).map(|p| (p.url.as_str(), p.fallback_of.is_some(), p.title.as_str()))
                })
                .collect();
            h(&v)
        }
        Dep::Menu(l) => {
            let items: Vec<u64> = site
                .menus
                .get(*l)
                .map(|m| m.iter().map(|&id| meta_version(site.page(id))).collect())
                .unwrap_or_default();
            let homes: Vec<String> = (0..site.config.languages.len()).map(|l| site.home_url(l)).collect();
            h(&(items, homes))
        }
        Dep::Urls => {
            let pages: Vec<(usize, &str, &str, bool, Option<String>)> = site
                .pages
                .iter()
                .map(|p| (p.lang, &*p.rel, p.url.as_str(), p.fallback_of.is_some(), p.date.map(|d| d.ymd())))
                .collect();
            let recorded: Vec<usize> =
                site.communes.as_ref().map(|c| c.records.keys().copied().collect()).unwrap_or_default();
            h(&(pages, crate::model::communes::CensusDep::Communes.version(site), recorded))
        }
        Dep::Census(d) => d.version(site),
        Dep::Family(f, input) => {
            let cx = VersionCx { site, templates: inputs.templates };
            inputs.families.version(&cx, inputs.plan, *f, input)
        }
        Dep::Output(path) => (inputs.output_key)(path).unwrap_or(0),
    }
}
