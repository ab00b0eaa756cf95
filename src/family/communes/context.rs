//! What templates get of a commune: its fields, its record, its local group and its town
//! hall, typed (see `docs/templates.md`). Commune pages, posters and kits show the same values.

use serde::Serialize;

use crate::model::Site;
use crate::model::communes::{CommuneData, CommuneUrls, french_de, pretty};
use crate::model::record::{Field, Record};

/// A département, a region or a commune, with its page.
#[derive(Serialize)]
pub struct PlaceCtx {
    code: String,
    name: String,
    url: String,
}

/// A source of a record.
#[derive(Serialize)]
pub struct SourceCtx<'a> {
    title: &'a str,
    date: Option<&'a str>,
    kind: &'static str,
    url: String,
    external: bool,
}

/// A local group.
#[derive(Serialize)]
pub struct GroupCtx<'a> {
    name: &'a str,
    contact: Option<&'a str>,
    contact_is_email: bool,
    url: Option<&'a str>,
    /// The commune whose record names the group.
    commune: PlaceCtx,
    /// Whether it is the commune's own group (else the nearest in the département).
    own: bool,
    /// Distance to it, unknown when a commune of the reference list has no coordinates.
    distance_km: Option<u32>,
    /// Its record marks the group as uncertain.
    uncertain: bool,
}

/// A use case of a record.
#[derive(Serialize)]
pub struct UseCaseCtx {
    id: &'static str,
    jo_law: bool,
}

/// A commune's record, as templates read it.
#[derive(Serialize)]
pub struct RecordCtx<'a> {
    status: &'static str,
    vendors: &'a [String],
    use_cases: Vec<UseCaseCtx>,
    cameras: Option<u32>,
    since: Option<&'a str>,
    sources: Vec<SourceCtx<'a>>,
    notes: Option<&'a str>,
    notes_lang: Option<&'a str>,
    last_verified: Option<&'a str>,
    uncertain: Vec<&'static str>,
    file: String,
}

/// A commune, as templates read it.
#[derive(Serialize)]
pub struct CommuneCtx<'a> {
    code: &'a str,
    name: String,
    /// "de Marseille", "du Havre", "d’Ambérieu-en-Bugey": the name after "de" in French.
    de: String,
    slug: &'a str,
    url: String,
    population: Option<u64>,
    postal_codes: &'a [String],
    lat: Option<f64>,
    lon: Option<f64>,
    departement: Option<PlaceCtx>,
    region: Option<PlaceCtx>,
}

/// A place with its page.
pub fn place(code: &str, name: &str, url: String) -> PlaceCtx {
    PlaceCtx { code: code.to_string(), name: pretty(name), url }
}

/// A commune's fields.
pub fn commune<'a>(data: &'a CommuneData, urls: &CommuneUrls, lang: usize, i: usize) -> CommuneCtx<'a> {
    let c = &data.communes[i];
    let dep = data.departement_of(i);
    let d_idx = data.dep_of[i];
    let region = dep.and_then(|_| data.region_of(d_idx));
    CommuneCtx {
        code: &c.code.0,
        name: pretty(&c.nom),
        de: french_de(&c.nom, c.type_liaison),
        slug: &data.slugs[i],
        url: urls.commune(data, lang, i),
        population: c.population,
        postal_codes: &c.codes_postaux,
        lat: c.lat,
        lon: c.lon,
        departement: dep.map(|d| place(&d.code, &d.nom, urls.departement(data, lang, d_idx))),
        region: region
            .map(|r| place(&data.regions[r].code, &data.regions[r].nom, urls.region(data, lang, r))),
    }
}

/// A commune's record.
pub fn record<'a>(site: &Site, data: &'a CommuneData, lang: usize, i: usize, r: &'a Record) -> RecordCtx<'a> {
    let def = &site.config.default_lang().code;
    let code = &site.config.languages[lang].code;
    let (notes, notes_lang) =
        match r.notes.get(code).or_else(|| r.notes.get(def)).or_else(|| r.notes.values().next()) {
            Some(n) => {
                let l = r.notes.iter().find(|(_, v)| *v == n).map(|(k, _)| k.as_str());
                (Some(n.as_str()), l)
            }
            None => (None, None),
        };
    RecordCtx {
        status: r.status.id(),
        vendors: &r.vendors,
        use_cases: r.use_cases.iter().map(|u| UseCaseCtx { id: u.id(), jo_law: u.in_jo_law() }).collect(),
        cameras: r.cameras,
        since: r.since.as_ref().map(|d| d.0.as_str()),
        sources: r
            .sources
            .iter()
            .map(|s| SourceCtx {
                title: &s.title,
                date: s.date.as_ref().map(|d| d.0.as_str()),
                kind: s.kind.id(),
                url: match (&s.url, &s.file) {
                    (Some(u), _) => u.0.clone(),
                    (None, Some(f)) => format!("/documents/{f}"),
                    _ => String::new(),
                },
                external: s.url.is_some(),
            })
            .collect(),
        notes,
        notes_lang,
        last_verified: r.last_verified.as_ref().map(|d| d.0.as_str()),
        uncertain: r.uncertain.iter().map(|f| f.id()).collect(),
        file: data.record_paths.get(&i).map(|p| p.display().to_string()).unwrap_or_default(),
    }
}

/// The local group of a commune: its own, else the nearest in its département.
pub fn group<'a>(data: &'a CommuneData, urls: &CommuneUrls, lang: usize, i: usize) -> Option<GroupCtx<'a>> {
    let (g, km) = data.local_group(i)?;
    let rec = data.records.get(&g)?;
    let group = rec.local_group.as_ref()?;
    // What is read here of another commune's record (its group) is versioned by
    // `CensusDep::LocalGroup`, which every commune page records: an edit to the rest of that
    // record, or to a group farther away, does not re-render the page.
    let contact = group.contact.as_deref();
    Some(GroupCtx {
        name: &group.name,
        contact,
        contact_is_email: contact.is_some_and(|c| !c.starts_with("http")),
        url: group.url.as_ref().map(|u| u.0.as_str()),
        commune: place(&data.communes[g].code.0, &data.communes[g].nom, urls.commune(data, lang, g)),
        own: g == i,
        distance_km: km.map(|km| km.round() as u32),
        uncertain: rec.uncertain.contains(&Field::LocalGroup),
    })
}

/// A commune's town hall.
#[derive(Serialize)]
pub struct TownHallCtx<'a> {
    /// Postal address, one line each.
    pub address: &'a [String],
    /// E-mail address.
    pub email: Option<&'a str>,
    /// Telephone.
    pub telephone: Option<&'a str>,
    /// Website.
    pub website: Option<&'a str>,
}

/// The town hall of a commune, where the directory lists one.
pub fn town_hall(data: &CommuneData, i: usize) -> Option<TownHallCtx<'_>> {
    crate::deps::record(crate::deps::Dep::Census(crate::model::communes::CensusDep::TownHall(
        std::sync::Arc::from(data.communes[i].code.0.as_str()),
    )));
    let h = data.town_halls.get(i)?.as_ref()?;
    Some(TownHallCtx {
        address: &h.adresse,
        email: h.email.as_deref().filter(|e| e.contains('@') && !e.contains(char::is_whitespace)),
        telephone: h.telephone.as_deref(),
        website: h.site.as_deref().filter(|s| s.starts_with("https://") || s.starts_with("http://")),
    })
}
