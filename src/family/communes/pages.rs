//! The pages of a commune, a département and a region.
//!
//! Templates get typed data (see `docs/templates.md`): `commune`, `record`, `local_group`,
//! `departement`, `region`. Labels of statuses, use cases and source kinds come from the i18n
//! files (`communes.status.deployed`…), so a new language translates them there.

use std::sync::Arc;

use serde::Serialize;
use tera::Value;

use super::Pages;
use crate::deps::{self, CensusDep, Dep};
use crate::diag::Diagnostic;
use crate::model::communes::{CommuneData, CommuneUrls, SECTION, french_de, pretty};
use crate::model::record::{Field, Record};
use crate::render::Artifact;
use crate::render::tera::{Virtual, link_value};

#[derive(Serialize)]
struct PlaceCtx {
    code: String,
    name: String,
    url: String,
}

#[derive(Serialize)]
struct SourceCtx<'a> {
    title: &'a str,
    date: Option<&'a str>,
    kind: &'static str,
    url: String,
    external: bool,
}

#[derive(Serialize)]
struct GroupCtx<'a> {
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

#[derive(Serialize)]
struct UseCaseCtx {
    id: &'static str,
    jo_law: bool,
}

#[derive(Serialize)]
struct RecordCtx<'a> {
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

#[derive(Serialize)]
struct CommuneCtx<'a> {
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

fn place(code: &str, name: &str, url: String) -> PlaceCtx {
    PlaceCtx { code: code.to_string(), name: pretty(name), url }
}

impl Pages<'_> {
    fn commune_ctx<'a>(
        &self,
        data: &'a CommuneData,
        urls: &CommuneUrls,
        lang: usize,
        i: usize,
    ) -> CommuneCtx<'a> {
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

    fn record_ctx<'a>(&self, data: &'a CommuneData, lang: usize, i: usize, r: &'a Record) -> RecordCtx<'a> {
        let def = &self.cx.site.config.default_lang().code;
        let code = &self.cx.site.config.languages[lang].code;
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

    fn group_ctx<'a>(
        &self,
        data: &'a CommuneData,
        urls: &CommuneUrls,
        lang: usize,
        i: usize,
    ) -> Option<GroupCtx<'a>> {
        let (g, km) = data.local_group(i)?;
        let rec = data.records.get(&g)?;
        let group = rec.local_group.as_ref()?;
        // What is read here of another commune's record (its group) is versioned by
        // `Dep::LocalGroups`, which every commune page records: an edit to the rest of that
        // record does not re-render the whole département.
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

    pub(super) fn commune_page(
        &self,
        data: &CommuneData,
        urls: &CommuneUrls,
        lang: usize,
        i: usize,
    ) -> Result<Artifact, Diagnostic> {
        let c = &data.communes[i];
        deps::record(Dep::Census(CensusDep::Record(Arc::from(c.code.0.as_str()))));
        if let Some(&d) = data.dep_of.get(i) {
            if let Some(dep) = data.departements.get(d) {
                deps::record(Dep::Census(CensusDep::LocalGroups(Arc::from(dep.code.as_str()))));
            }
        }
        let site = self.cx.site;
        let mut ancestors = self.section_ancestors(lang);
        if let Some(dep) = data.departement_of(i) {
            ancestors.push(Value::from_serializable(
                &serde_json::json!({"title": pretty(&dep.nom), "url": urls.departement(data, lang, data.dep_of[i])}),
            ));
        }
        let record = data.records.get(&i);
        let description =
            self.cx.engine.t_with(lang, "communes.page.description", &[("name".into(), pretty(&c.nom))])?;
        let v = Virtual {
            lang,
            title: pretty(&c.nom),
            description,
            kind: "commune",
            urls: self.all_langs(|l| urls.commune(data, l, i)),
            ancestors,
        };
        let mut ctx = self.cx.engine.virtual_context(&v);
        if let Some(section) = site.find(lang, SECTION) {
            ctx.insert_value("communes_section", link_value(site, section));
        }
        ctx.insert("commune", &self.commune_ctx(data, urls, lang, i));
        match record {
            Some(r) => ctx.insert("record", &self.record_ctx(data, lang, i, r)),
            None => ctx.insert("record", &()),
        }
        match self.group_ctx(data, urls, lang, i) {
            Some(g) => ctx.insert("local_group", &g),
            None => ctx.insert("local_group", &()),
        }
        let shared = self.cx.shared();
        self.cx.families.extend_page(&shared, crate::family::PageRef::Commune { lang, index: i }, &mut ctx);
        let html =
            self.cx.engine.render("communes/commune.html", &ctx).map_err(|d| {
                d.note(format!("while rendering the page of commune {} ({})", c.code.0, c.nom))
            })?;
        Ok(Artifact::page(html))
    }

    pub(super) fn commune_list(
        &self,
        data: &CommuneData,
        urls: &CommuneUrls,
        lang: usize,
        ids: &[usize],
    ) -> Vec<Value> {
        ids.iter()
            .map(|&i| {
                let c = &data.communes[i];
                let status = data.records.get(&i).map(|r| r.status.id());
                Value::from_serializable(&serde_json::json!({
                    "code": c.code.0,
                    "name": pretty(&c.nom),
                    "url": if data.has_page(i) { Some(urls.commune(data, lang, i)) } else { None },
                    "population": c.population,
                    "status": status,
                }))
            })
            .collect()
    }

    pub(super) fn departement_page(
        &self,
        data: &CommuneData,
        urls: &CommuneUrls,
        lang: usize,
        d: usize,
    ) -> Result<Artifact, Diagnostic> {
        let dep = &data.departements[d];
        deps::record(Dep::Census(CensusDep::DepRecords(Arc::from(dep.code.as_str()))));
        let mut ancestors = self.section_ancestors(lang);
        let region = data.region_of(d);
        if let Some(r) = region {
            ancestors.push(Value::from_serializable(
                &serde_json::json!({"title": pretty(&data.regions[r].nom), "url": urls.region(data, lang, r)}),
            ));
        }
        let description = self.cx.engine.t_with(
            lang,
            "communes.departement.description",
            &[("name".into(), pretty(&dep.nom))],
        )?;
        let v = Virtual {
            lang,
            title: format!("{} ({})", pretty(&dep.nom), dep.code),
            description,
            kind: "departement",
            urls: self.all_langs(|l| urls.departement(data, l, d)),
            ancestors,
        };
        let mut ctx = self.cx.engine.virtual_context(&v);
        let ids = &data.by_departement[d];
        let recorded: Vec<usize> = ids.iter().copied().filter(|i| data.records.contains_key(i)).collect();
        ctx.insert_value(
            "departement",
            Value::from_serializable(&serde_json::json!({
                "code": dep.code,
                "name": pretty(&dep.nom),
                "url": urls.departement(data, lang, d),
                "region": region.map(|r| serde_json::json!({"code": data.regions[r].code, "name": pretty(&data.regions[r].nom), "url": urls.region(data, lang, r)})),
                "count": ids.len(),
                "recorded_count": recorded.len(),
            })),
        );
        ctx.insert_value("communes", Value::from(self.commune_list(data, urls, lang, ids)));
        ctx.insert_value("recorded", Value::from(self.commune_list(data, urls, lang, &recorded)));
        let html = self.cx.engine.render("communes/departement.html", &ctx)?;
        Ok(Artifact::page(html))
    }

    pub(super) fn region_page(
        &self,
        data: &CommuneData,
        urls: &CommuneUrls,
        lang: usize,
        r: usize,
    ) -> Result<Artifact, Diagnostic> {
        let reg = &data.regions[r];
        for &d in &data.by_region[r] {
            deps::record(Dep::Census(CensusDep::DepRecords(Arc::from(data.departements[d].code.as_str()))));
        }
        let description = self.cx.engine.t_with(
            lang,
            "communes.region.description",
            &[("name".into(), pretty(&reg.nom))],
        )?;
        let v = Virtual {
            lang,
            title: pretty(&reg.nom),
            description,
            kind: "region",
            urls: self.all_langs(|l| urls.region(data, l, r)),
            ancestors: self.section_ancestors(lang),
        };
        let mut ctx = self.cx.engine.virtual_context(&v);
        let deps_list: Vec<serde_json::Value> = data.by_region[r]
            .iter()
            .map(|&d| {
                let ids = &data.by_departement[d];
                serde_json::json!({
                    "code": data.departements[d].code,
                    "name": pretty(&data.departements[d].nom),
                    "url": urls.departement(data, lang, d),
                    "count": ids.len(),
                    "recorded_count": ids.iter().filter(|i| data.records.contains_key(i)).count(),
                })
            })
            .collect();
        let recorded: Vec<usize> = data.by_region[r]
            .iter()
            .flat_map(|&d| data.by_departement[d].iter().copied())
            .filter(|i| data.records.contains_key(i))
            .collect();
        ctx.insert_value("region", Value::from_serializable(&serde_json::json!({"code": reg.code, "name": pretty(&reg.nom), "url": urls.region(data, lang, r), "departements": deps_list})));
        ctx.insert_value("recorded", Value::from(self.commune_list(data, urls, lang, &recorded)));
        let html = self.cx.engine.render("communes/region.html", &ctx)?;
        Ok(Artifact::page(html))
    }
}
