//! Communes joined with the campaign's records.
//!
//! One [`CommuneData`] holds the reference list, the records keyed by INSEE code, and the
//! indexes every output needs (communes of a département sorted by name, départements of a
//! region, local groups of a département), so rendering 70,000 pages is lookups only.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;

use super::Site;
use super::census::{Commune, Departement, Reference, Region, TownHall};
use super::record::{Field, Record, RecordFile, Status, UseCase};
use crate::config::CommuneScope;
use crate::diag::Diagnostic;
use crate::slug::slugify;

/// What the reference list gives, with its indexes: built once, shared between rebuilds.
#[derive(Debug, Default)]
pub struct CommuneBase {
    /// Every commune, sorted by code.
    pub communes: Vec<Commune>,
    /// URL segment of each commune: `13055-marseille`.
    pub slugs: Vec<String>,
    /// Index by code.
    pub by_code: HashMap<String, usize>,
    /// Départements, sorted by code.
    pub departements: Vec<Departement>,
    /// URL segment of each département: `13-bouches-du-rhone`.
    pub dep_slugs: Vec<String>,
    /// Regions, sorted by code.
    pub regions: Vec<Region>,
    /// URL segment of each region.
    pub region_slugs: Vec<String>,
    /// Communes of each département, sorted by name.
    pub by_departement: Vec<Vec<usize>>,
    /// Départements of each region.
    pub by_region: Vec<Vec<usize>>,
    /// Département index of each commune (`usize::MAX` when unknown).
    pub dep_of: Vec<usize>,
    /// Town hall of each commune, where the directory lists one.
    pub town_halls: Vec<Option<TownHall>>,
    /// Communes by sort key of their name, for suggestions.
    by_name: HashMap<String, Vec<usize>>,
    /// Hash of the reference files.
    pub version: u64,
}

/// The commune census: the reference list joined with the records.
#[derive(Debug, Default)]
pub struct CommuneData {
    /// The reference list and its indexes.
    pub base: Arc<CommuneBase>,
    /// Records by commune index.
    pub records: BTreeMap<usize, Record>,
    /// Record files by commune index.
    pub record_paths: BTreeMap<usize, PathBuf>,
    /// Communes of each département whose record names a local group.
    pub groups: Vec<Vec<usize>>,
    /// The group offered to each commune (see [`CommuneData::local_group`]), computed once per
    /// build on first use, so a commune page only looks it up.
    nearest: std::sync::OnceLock<Vec<Option<GroupAt>>>,
    /// Which communes get a page (`scopes.commune_pages`).
    pub scope: CommuneScope,
    /// Counts of the records, computed once.
    pub stats: Stats,
}

/// Counts of the census: statuses, use cases, vendors, départements.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Communes in the reference list.
    pub total: usize,
    /// Communes with a record.
    pub recorded: usize,
    /// Records per status.
    pub by_status: BTreeMap<Status, usize>,
    /// Records per use case.
    pub use_cases: BTreeMap<UseCase, usize>,
    /// Vendors with their number of records, most first.
    pub vendors: Vec<(String, usize)>,
    /// Départements (index) with their number of records, most first.
    pub by_departement: Vec<(usize, usize)>,
}

impl Stats {
    fn new(base: &CommuneBase, records: &BTreeMap<usize, Record>) -> Stats {
        let mut s = Stats { total: base.communes.len(), recorded: records.len(), ..Stats::default() };
        // Vendors are counted without regard to case or spaces ("Briefcam" and "BriefCam " are
        // one vendor); the chart shows the spelling that sorts first.
        let mut vendors: BTreeMap<String, (String, usize)> = BTreeMap::new();
        let mut by_dep: BTreeMap<usize, usize> = BTreeMap::new();
        for (&i, r) in records {
            *s.by_status.entry(r.status).or_default() += 1;
            for v in &r.vendors {
                let name = v.split_whitespace().collect::<Vec<_>>().join(" ");
                let e = vendors.entry(name.to_lowercase()).or_insert_with(|| (name.clone(), 0));
                if name < e.0 {
                    e.0 = name;
                }
                e.1 += 1;
            }
            for u in &r.use_cases {
                *s.use_cases.entry(*u).or_default() += 1;
            }
            *by_dep.entry(base.dep_of[i]).or_default() += 1;
        }
        s.vendors = vendors.into_values().collect();
        s.vendors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.to_lowercase().cmp(&b.0.to_lowercase())));
        s.by_departement = by_dep.into_iter().filter(|(d, _)| *d != usize::MAX).collect();
        s.by_departement.sort_by(|a, b| {
            b.1.cmp(&a.1).then(base.departements[a.0].code.cmp(&base.departements[b.0].code))
        });
        s
    }
}

/// "de X" with the article the INSEE type (TNCC) asks for: "de Marseille", "d’Avignon", "du
/// Havre", "des Mureaux", "des Marais" (for Aux Marais), and the article kept as part of the
/// name where it does not contract: "de La Rochelle", "de L’Abergement-Clémenciat", "de Los
/// Masos".
pub fn french_de(name: &str, tncc: Option<u8>) -> String {
    let rest = |p: &str, r: &str| name.strip_prefix(p).map(|n| format!("{r}{n}"));
    let out = match tncc {
        Some(1) => Some(format!("d’{name}")),
        Some(2) => rest("Le ", "du "),
        Some(4) => rest("Les ", "des "),
        Some(6) => rest("Aux ", "des "),
        _ => None,
    };
    out.unwrap_or_else(|| format!("de {name}")).replace('\'', "’")
}

/// Official names use a straight apostrophe (`L'Haÿ-les-Roses`); pages show the typographic one.
pub fn pretty(name: &str) -> String {
    name.replace('\'', "’")
}

/// An input of the census that outputs read, with its version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CensusDep {
    /// The reference list with the URLs and scope of commune outputs.
    Communes,
    /// One campaign record, by INSEE code.
    Record(Arc<str>),
    /// Every campaign record (statistics, maps, indexes).
    Records,
    /// The records of a département's communes (codes and statuses), by département code.
    DepRecords(Arc<str>),
    /// The local group offered to a commune (its own or the nearest), by INSEE code.
    LocalGroup(Arc<str>),
    /// A commune's town hall (address, e-mail, website), by INSEE code.
    TownHall(Arc<str>),
}

fn h<T: Hash + ?Sized>(t: &T) -> u64 {
    let mut s = std::collections::hash_map::DefaultHasher::new();
    t.hash(&mut s);
    s.finish()
}

impl CensusDep {
    /// The version of this input in `site` (0 when the site has no census).
    pub fn version(&self, site: &Site) -> u64 {
        let Some(c) = site.communes.as_deref() else { return 0 };
        let record_text = |r: &Record| serde_json::to_string(r).unwrap_or_default();
        match self {
            CensusDep::Communes => communes_version(site),
            CensusDep::Record(code) => c
                .by_code
                .get(&**code)
                .and_then(|i| c.records.get(i).map(|r| h(&(record_text(r), c.record_paths.get(i)))))
                .unwrap_or(0),
            CensusDep::TownHall(code) => {
                c.by_code.get(&**code).and_then(|&i| c.town_halls[i].as_ref()).map(h).unwrap_or(0)
            }
            CensusDep::Records => h(&c.records.iter().map(|(i, r)| (i, record_text(r))).collect::<Vec<_>>()),
            CensusDep::LocalGroup(code) => c
                .by_code
                .get(&**code)
                .and_then(|&i| c.local_group(i))
                .map(|(g, km)| {
                    let r = &c.records[&g];
                    let uncertain = r.uncertain.contains(&Field::LocalGroup);
                    let group = serde_json::to_string(&r.local_group).unwrap_or_default();
                    h(&(g, group, uncertain, km.map(|k| k.round() as i64)))
                })
                .unwrap_or(0),
            CensusDep::DepRecords(dep) => c
                .departements
                .iter()
                .position(|d| *d.code == **dep)
                .map(|d| {
                    let recs: Vec<(usize, &str)> = c.by_departement[d]
                        .iter()
                        .filter_map(|i| c.records.get(i).map(|r| (*i, r.status.id())))
                        .collect();
                    h(&recs)
                })
                .unwrap_or(0),
        }
    }

    /// A key of everything a census input's version reads (the reference files, the records
    /// and their files, the commune URLs): while it stays the same, so do the versions of
    /// every [`CensusDep`], and serve need not compute again the 100,000 of them that commune
    /// pages read. Records are few; this takes microseconds.
    pub fn key(site: &Site) -> u64 {
        let Some(c) = site.communes.as_deref() else { return 0 };
        let records: Vec<(usize, String, Option<&std::path::PathBuf>)> = c
            .records
            .iter()
            .map(|(i, r)| (*i, serde_json::to_string(r).unwrap_or_default(), c.record_paths.get(i)))
            .collect();
        h(&(communes_version(site), records))
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

impl std::ops::Deref for CommuneData {
    type Target = CommuneBase;
    fn deref(&self) -> &CommuneBase {
        &self.base
    }
}

/// A key for sorting names the way people read them: accents and case ignored.
pub fn sort_key(name: &str) -> String {
    deunicode::deunicode(name).to_lowercase()
}

impl CommuneBase {
    /// Indexes the reference list.
    pub fn new(reference: Reference) -> CommuneBase {
        let Reference { communes, departements, regions, town_halls: halls, version } = reference;
        let by_code: HashMap<String, usize> =
            communes.iter().enumerate().map(|(i, c)| (c.code.0.clone(), i)).collect();
        let dep_index: HashMap<&str, usize> =
            departements.iter().enumerate().map(|(i, d)| (d.code.as_str(), i)).collect();
        let reg_index: HashMap<&str, usize> =
            regions.iter().enumerate().map(|(i, r)| (r.code.as_str(), i)).collect();
        let slugs =
            communes.iter().map(|c| format!("{}-{}", c.code.0.to_lowercase(), slugify(&c.nom))).collect();
        let dep_slugs =
            departements.iter().map(|d| format!("{}-{}", d.code.to_lowercase(), slugify(&d.nom))).collect();
        let region_slugs =
            regions.iter().map(|r| format!("{}-{}", r.code.to_lowercase(), slugify(&r.nom))).collect();
        let keys: Vec<String> = communes.iter().map(|c| sort_key(&c.nom)).collect();
        let mut by_departement = vec![Vec::new(); departements.len()];
        let mut dep_of = vec![usize::MAX; communes.len()];
        for (i, c) in communes.iter().enumerate() {
            if let Some(&d) = dep_index.get(c.departement.as_str()) {
                by_departement[d].push(i);
                dep_of[i] = d;
            }
        }
        for list in &mut by_departement {
            list.sort_by(|&a, &b| {
                keys[a].cmp(&keys[b]).then_with(|| communes[a].code.cmp(&communes[b].code))
            });
        }
        let mut by_region = vec![Vec::new(); regions.len()];
        for (i, d) in departements.iter().enumerate() {
            if let Some(&r) = reg_index.get(d.region.as_str()) {
                by_region[r].push(i);
            }
        }
        let mut town_halls = vec![None; communes.len()];
        for h in halls {
            if let Some(&i) = by_code.get(&h.code.0) {
                town_halls[i] = Some(h);
            }
        }
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, k) in keys.into_iter().enumerate() {
            by_name.entry(k).or_default().push(i);
        }
        CommuneBase {
            communes,
            slugs,
            by_code,
            departements,
            dep_slugs,
            regions,
            region_slugs,
            by_departement,
            by_region,
            dep_of,
            town_halls,
            by_name,
            version,
        }
    }
}

impl CommuneData {
    /// Joins the reference list with the records; unknown codes and duplicates are errors.
    pub fn build(
        base: Arc<CommuneBase>,
        records: Vec<RecordFile>,
        diags: &mut Vec<Diagnostic>,
    ) -> CommuneData {
        let communes = &base.communes;
        let mut recs = BTreeMap::new();
        let mut record_paths: BTreeMap<usize, PathBuf> = BTreeMap::new();
        for rf in records {
            let code = &rf.record.insee.0;
            let at = |d: Diagnostic| {
                let (l, c, w) = crate::yaml::locate(&rf.text, "insee").unwrap_or((1, 1, 1));
                d.at(&rf.path).located(&rf.text, l, c, w)
            };
            let Some(&i) = base.by_code.get(code) else {
                let mut candidates: Vec<usize> = rf
                    .record
                    .name
                    .as_deref()
                    .and_then(|n| base.by_name.get(&sort_key(n)))
                    .cloned()
                    .unwrap_or_default();
                if candidates.is_empty() {
                    candidates = communes
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| strsim::hamming(&c.code.0, code).is_ok_and(|d| d == 1))
                        .map(|(i, _)| i)
                        .take(5)
                        .collect();
                }
                let hint = if candidates.is_empty() {
                    "check the code on the INSEE Code officiel géographique".to_string()
                } else {
                    format!(
                        "closest: {}",
                        candidates
                            .iter()
                            .take(6)
                            .map(|&i| format!(
                                "{} {} ({})",
                                communes[i].code.0, communes[i].nom, communes[i].departement
                            ))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                diags.push(
                    at(Diagnostic::error("K520", format!("no commune has the INSEE code `{code}`")))
                        .hint(hint),
                );
                continue;
            };
            if let Some(first) = record_paths.get(&i) {
                diags.push(
                    at(Diagnostic::error(
                        "K521",
                        format!(
                            "commune {code} ({}) has two records: {} and {}",
                            communes[i].nom,
                            first.display(),
                            rf.path.display()
                        ),
                    ))
                    .hint("merge them into one file"),
                );
                continue;
            }
            if let Some(name) = &rf.record.name
                && sort_key(name) != sort_key(&communes[i].nom)
            {
                let (l, c, w) = crate::yaml::locate(&rf.text, "name").unwrap_or((1, 1, 1));
                diags.push(
                    Diagnostic::warning(
                        "K522",
                        format!("`name` is `{name}`, but commune {code} is {}", communes[i].nom),
                    )
                    .at(&rf.path)
                    .located(&rf.text, l, c, w)
                    .hint("fix the name or the code"),
                );
            }
            record_paths.insert(i, rf.path.clone());
            recs.insert(i, rf.record);
        }
        let mut groups = vec![Vec::new(); base.departements.len()];
        for (&i, r) in &recs {
            if r.local_group.is_some() && base.dep_of[i] != usize::MAX {
                groups[base.dep_of[i]].push(i);
            }
        }
        let stats = Stats::new(&base, &recs);
        CommuneData {
            base,
            records: recs,
            record_paths,
            groups,
            nearest: Default::default(),
            scope: CommuneScope::All,
            stats,
        }
    }

    /// The communes with a page that get heavy downloads of their own (PDFs, ZIPs), by the
    /// scope `scopes.posters` or `scopes.kits` gives.
    pub fn in_scope(&self, scope: crate::config::DownloadScope) -> Vec<usize> {
        use crate::config::DownloadScope;
        match scope {
            DownloadScope::None => Vec::new(),
            DownloadScope::Recorded => self.records.keys().copied().filter(|&i| self.has_page(i)).collect(),
            DownloadScope::All => (0..self.communes.len()).filter(|&i| self.has_page(i)).collect(),
        }
    }

    /// Whether a commune gets a page (`scopes.commune_pages`).
    pub fn has_page(&self, i: usize) -> bool {
        self.scope == CommuneScope::All || self.records.contains_key(&i)
    }

    /// The commune's name as pages show it.
    pub fn name(&self, i: usize) -> String {
        pretty(&self.communes[i].nom)
    }

    /// "de Marseille", "du Havre": the commune's name after "de" in French.
    pub fn de(&self, i: usize) -> String {
        let c = &self.communes[i];
        french_de(&c.nom, c.type_liaison)
    }

    /// The département of a commune.
    pub fn departement_of(&self, i: usize) -> Option<&Departement> {
        self.departements.get(self.dep_of[i])
    }

    /// The region index of a département.
    pub fn region_of(&self, dep: usize) -> Option<usize> {
        self.regions.iter().position(|r| r.code == self.departements[dep].region)
    }

    /// The local group offered to a commune: its record's; else the nearest group within
    /// [`GROUP_RADIUS_KM`] of its centre, in any département (Nanterre is offered Paris's);
    /// else the nearest in its own département, however far. Returns the commune whose record
    /// names the group, and the distance in km (0 for its own; `None` when either commune has
    /// no coordinates: such groups come after the located ones).
    pub fn local_group(&self, i: usize) -> Option<(usize, Option<f64>)> {
        self.nearest.get_or_init(|| self.nearest_groups()).get(i).copied().flatten()
    }

    /// [`local_group`](Self::local_group) for every commune: the communes × groups distances,
    /// once per build (groups are few; 35,000 × 50 distances take a few milliseconds).
    fn nearest_groups(&self) -> Vec<Option<GroupAt>> {
        use rayon::prelude::*;
        let located: Vec<(usize, f64, f64)> = self
            .groups
            .iter()
            .flatten()
            .filter_map(|&g| Some((g, self.communes[g].lat?, self.communes[g].lon?)))
            .collect();
        (0..self.communes.len())
            .into_par_iter()
            .map(|i| {
                if self.records.get(&i).is_some_and(|r| r.local_group.is_some()) {
                    return Some((i, Some(0.0)));
                }
                let c = &self.communes[i];
                if let (Some(lat), Some(lon)) = (c.lat, c.lon) {
                    let near = located
                        .iter()
                        .map(|&(g, glat, glon)| (g, haversine_km(lat, lon, glat, glon)))
                        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                    if let Some((g, km)) = near
                        && km <= GROUP_RADIUS_KM
                    {
                        return Some((g, Some(km)));
                    }
                }
                self.nearest_in_departement(i)
            })
            .collect()
    }

    /// The nearest group among the records of the commune's own département.
    fn nearest_in_departement(&self, i: usize) -> Option<(usize, Option<f64>)> {
        let dep = *self.dep_of.get(i)?;
        let c = &self.communes[i];
        self.groups
            .get(dep)?
            .iter()
            .map(|&g| {
                let o = &self.communes[g];
                let d = match (c.lat, c.lon, o.lat, o.lon) {
                    (Some(a), Some(b), Some(x), Some(y)) => Some(haversine_km(a, b, x, y)),
                    _ => None,
                };
                (g, d)
            })
            .min_by(|a, b| {
                let key = |d: Option<f64>| d.unwrap_or(f64::INFINITY);
                key(a.1).total_cmp(&key(b.1)).then(a.0.cmp(&b.0))
            })
    }
}

/// The commune whose record names a group, and the distance to it in km (unknown without
/// coordinates).
pub type GroupAt = (usize, Option<f64>);

/// How far a commune looks for a local group beyond its own département: the nearest group
/// within this distance of its centre is offered, whatever its département.
pub const GROUP_RADIUS_KM: f64 = 100.0;

/// Great-circle distance in kilometres.
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    6371.0 * 2.0 * a.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        // Marseille – Aix-en-Provence, about 25 km
        let d = haversine_km(43.2916, 5.4206, 43.5298, 5.4474);
        assert!((24.0..28.0).contains(&d), "{d}");
    }

    #[test]
    fn french_de_follows_the_insee_article_type() {
        assert_eq!(french_de("Marseille", Some(0)), "de Marseille");
        assert_eq!(french_de("Ambérieu-en-Bugey", Some(1)), "d’Ambérieu-en-Bugey");
        assert_eq!(french_de("Le Havre", Some(2)), "du Havre");
        assert_eq!(french_de("La Rochelle", Some(3)), "de La Rochelle");
        assert_eq!(french_de("Les Mureaux", Some(4)), "des Mureaux");
        assert_eq!(french_de("L'Abergement-Clémenciat", Some(5)), "de L’Abergement-Clémenciat");
        assert_eq!(french_de("L’Haÿ-les-Roses", Some(5)), "de L’Haÿ-les-Roses");
        assert_eq!(french_de("Aux Marais", Some(6)), "des Marais");
        assert_eq!(french_de("Las Illas", Some(7)), "de Las Illas");
        assert_eq!(french_de("Los Masos", Some(8)), "de Los Masos");
        assert_eq!(french_de("Avignon", Some(1)), "d’Avignon");
        // A type that does not match the name (a hand-made list) keeps the name whole.
        assert_eq!(french_de("Havre", Some(2)), "de Havre");
        assert_eq!(french_de("Haut Valromey", Some(0)), "de Haut Valromey");
        assert_eq!(french_de("Bora-Bora", None), "de Bora-Bora");
    }

    #[test]
    fn names_sort_without_accents() {
        let mut v = vec!["Évian", "Eze", "Abc"];
        v.sort_by_key(|n| sort_key(n));
        assert_eq!(v, ["Abc", "Évian", "Eze"]);
    }
}

/// Where the commune outputs live in each language.
#[derive(Debug, Clone, Default)]
pub struct CommuneUrls {
    /// Whether each language publishes commune pages: it does when it has a communes section
    /// of its own or a fallback one (`missing: fallback`); a language that omits untranslated
    /// pages and has no communes section gets none.
    pub published: Vec<bool>,
    /// The communes section of each language, e.g. `/fr/communes/`.
    pub base: Vec<String>,
    /// Segment of the département pages (`departements`).
    pub departements: Vec<String>,
    /// Segment of the region pages (`regions`).
    pub regions: Vec<String>,
    /// Segment of the statistics page (`statistiques`).
    pub stats: Vec<String>,
    /// Segment of the map page (`carte`).
    pub map: Vec<String>,
}

/// The content section commune pages live under: `content/<lang>/communes/_index.md`.
pub const SECTION: &str = "communes/_index.md";

impl CommuneUrls {
    /// Whether `lang` has commune pages.
    pub fn has(&self, lang: usize) -> bool {
        self.published.get(lang).copied().unwrap_or(false)
    }
    /// A commune's page.
    pub fn commune(&self, data: &CommuneData, lang: usize, i: usize) -> String {
        format!("{}{}/", self.base[lang], data.slugs[i])
    }
    /// A département's page.
    pub fn departement(&self, data: &CommuneData, lang: usize, d: usize) -> String {
        format!("{}{}/{}/", self.base[lang], self.departements[lang], data.dep_slugs[d])
    }
    /// A region's page.
    pub fn region(&self, data: &CommuneData, lang: usize, r: usize) -> String {
        format!("{}{}/{}/", self.base[lang], self.regions[lang], data.region_slugs[r])
    }
    /// The statistics page.
    pub fn stats(&self, lang: usize) -> String {
        format!("{}{}/", self.base[lang], self.stats[lang])
    }
    /// The map page.
    pub fn map(&self, lang: usize) -> String {
        format!("{}{}/", self.base[lang], self.map[lang])
    }
}
