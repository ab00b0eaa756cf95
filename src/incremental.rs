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
use crate::model::{Page, Site};
use crate::render::assets::Assets;
use crate::render::templates::TemplateSet;

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
    /// Static files.
    pub assets: &'a Assets,
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
    let tv = inputs.templates.versions();
    // The map is projected again exactly when this stamp moves (see `plan::generated_key`).
    let map_version = h(&crate::cache::stamp(&inputs.site.config.root.join(crate::plan::MAP_FILE)));
    deps.par_iter().map(|d| version(inputs, &tv, map_version, d)).collect()
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

fn version(inputs: &Inputs<'_>, tv: &HashMap<Arc<str>, u64>, map_version: u64, dep: &Dep) -> u64 {
    let site = inputs.site;
    let communes = site.communes.as_deref();
    match dep {
        Dep::Config => h(&*site.config),
        Dep::Template(n) => tv.get(n).copied().unwrap_or(0),
        Dep::I18n(l) => site.i18n.version(*l),
        Dep::Asset(name) => {
            let url = inputs.assets.url(name);
            let v = inputs
                .assets
                .list
                .iter()
                .find(|a| Some(format!("/{}", a.out).as_str()) == url || *a.out == **name)
                .map(|a| a.version);
            h(&(url, v))
        }
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
                communes.map(|c| c.records.keys().copied().collect()).unwrap_or_default();
            h(&(pages, communes_version(site), recorded))
        }
        Dep::Data(name) => match &**name {
            "communes" => communes_version(site),
            "map" => map_version,
            _ => 0,
        },
        Dep::Record(code) => communes
            .and_then(|c| c.by_code.get(&**code).and_then(|i| c.records.get(i).map(|r| (i, r))))
            .map(|(i, r)| {
                h(&(
                    serde_json::to_string(r).unwrap_or_default(),
                    communes.and_then(|c| c.record_paths.get(i)),
                ))
            })
            .unwrap_or(0),
        Dep::Records => communes
            .map(|c| {
                h(&c.records
                    .iter()
                    .map(|(i, r)| (i, serde_json::to_string(r).unwrap_or_default()))
                    .collect::<Vec<_>>())
            })
            .unwrap_or(0),
        Dep::LocalGroups(dep) => communes
            .and_then(|c| c.departements.iter().position(|d| *d.code == **dep).map(|d| (c, d)))
            .map(|(c, d)| {
                let groups: Vec<(usize, String, bool)> = c.groups[d]
                    .iter()
                    .map(|&i| {
                        let r = &c.records[&i];
                        let uncertain = r.uncertain.contains(&crate::load::records::Field::LocalGroup);
                        (i, serde_json::to_string(&r.local_group).unwrap_or_default(), uncertain)
                    })
                    .collect();
                h(&groups)
            })
            .unwrap_or(0),
        Dep::DepRecords(dep) => communes
            .and_then(|c| c.departements.iter().position(|d| *d.code == **dep).map(|d| (c, d)))
            .map(|(c, d)| {
                let recs: Vec<(usize, &str)> = c.by_departement[d]
                    .iter()
                    .filter_map(|i| c.records.get(i).map(|r| (*i, r.status.id())))
                    .collect();
                h(&recs)
            })
            .unwrap_or(0),
    }
}

fn communes_version(site: &Site) -> u64 {
    match (&site.communes, &site.commune_urls) {
        (Some(c), Some(u)) => h(&(
            c.version,
            &u.base,
            &u.departements,
            &u.regions,
            &u.stats,
            &u.map,
            site.config.scopes.commune_pages,
        )),
        _ => 0,
    }
}
