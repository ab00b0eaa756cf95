//! Commune outputs: a page per commune and language, département and region pages, the
//! statistics and the map, and the data the communes section page lists.
//!
//! Templates get typed data (see `docs/templates.md`): `commune`, `record`, `local_group`,
//! `departement`, `region`, `stats`, `map`. Labels of statuses, use cases and source kinds come
//! from the i18n files (`communes.status.deployed`…), so a new language translates them there.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use tera::Value;

use super::context::{Virtual, link_value, virtual_context};
use super::{Renderer, charts, map};
use crate::config::CommuneScope;
use crate::deps::{self, Dep};
use crate::diag::Diagnostic;
use crate::load::records::{Record, Status, UseCase};
use crate::model::Site;
use crate::model::communes::{CommuneData, CommuneUrls, SECTION};
use crate::plan::{Job, Output};

/// Adds the commune outputs to the plan.
pub fn plan(site: &Site, out: &mut Vec<Output>) {
    let (Some(data), Some(urls)) = (&site.communes, &site.commune_urls) else { return };
    let path = |url: String| format!("{}index.html", url.trim_start_matches('/'));
    for lang in (0..site.config.languages.len()).filter(|&l| urls.has(l)) {
        let l = lang as u8;
        for i in 0..data.communes.len() {
            if site.config.scopes.commune_pages == CommuneScope::Recorded && !data.records.contains_key(&i) {
                continue;
            }
            out.push(Output {
                path: path(urls.commune(data, lang, i)),
                job: Job::Commune { lang: l, index: i as u32 },
            });
        }
        for d in 0..data.departements.len() {
            out.push(Output {
                path: path(urls.departement(data, lang, d)),
                job: Job::Departement { lang: l, index: d as u32 },
            });
        }
        for r in 0..data.regions.len() {
            out.push(Output {
                path: path(urls.region(data, lang, r)),
                job: Job::Region { lang: l, index: r as u32 },
            });
        }
        out.push(Output { path: path(urls.stats(lang)), job: Job::CommuneStats { lang: l } });
        out.push(Output { path: path(urls.map(lang)), job: Job::CommuneMap { lang: l } });
    }
    out.push(Output { path: MAP_OUTLINE.trim_start_matches('/').into(), job: Job::MapOutline });
}

/// The outline map, shared by every language.
pub const MAP_OUTLINE: &str = "/communes/france.svg";

/// Whether a commune gets a page (scope).
pub fn has_page(site: &Site, data: &CommuneData, i: usize) -> bool {
    site.config.scopes.commune_pages == CommuneScope::All || data.records.contains_key(&i)
}

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

/// "de X" with the article the INSEE type (TNCC) asks for.
pub fn french_de(name: &str, tncc: Option<u8>) -> String {
    let strip = |p: &str| name.strip_prefix(p).map(str::to_string);
    let rest = |p: &str, r: &str| strip(p).map(|n| format!("{r}{n}"));
    let out = match tncc {
        Some(1) => Some(format!("d’{name}")),
        Some(2) => rest("Le ", "du "),
        Some(3) => rest("La ", "de la "),
        Some(4) => rest("Les ", "des "),
        Some(5) => rest("L'", "de l’").or_else(|| rest("L’", "de l’")),
        Some(6) => rest("Aux ", "des "),
        Some(7) => rest("Las ", "de las "),
        Some(8) => rest("Los ", "de los "),
        _ => None,
    };
    out.unwrap_or_else(|| format!("de {name}")).replace('\'', "’")
}

fn place(code: &str, name: &str, url: String) -> PlaceCtx {
    PlaceCtx { code: code.to_string(), name: pretty(name), url }
}

/// Official names use a straight apostrophe (`L'Haÿ-les-Roses`); pages show the typographic one.
pub fn pretty(name: &str) -> String {
    name.replace('\'', "’")
}

impl Renderer {
    pub(super) fn render_commune_job(&self, job: &Job, path: &str) -> Option<Result<Vec<u8>, Diagnostic>> {
        let site = &self.site;
        let (data, urls) = (site.communes.as_ref()?, site.commune_urls.as_ref()?);
        deps::record(Dep::Data(Arc::from("communes")));
        let result = match *job {
            Job::Commune { lang, index } => {
                self.commune_page(data, urls, lang as usize, index as usize, path)
            }
            Job::Departement { lang, index } => {
                self.departement_page(data, urls, lang as usize, index as usize, path)
            }
            Job::Region { lang, index } => self.region_page(data, urls, lang as usize, index as usize, path),
            Job::CommuneStats { lang } => self.stats_page(data, urls, lang as usize, path),
            Job::CommuneMap { lang } => self.map_page(data, urls, lang as usize, path),
            Job::MapOutline => {
                deps::record(Dep::Data(Arc::from("map")));
                let lang = site.config.default_language;
                (|| {
                    let title = self.t(lang, "communes.map.outline_title")?;
                    let desc = self.t(lang, "communes.map.outline_desc")?;
                    Ok(self.france_map().outline_svg(&title, &desc).into_bytes())
                })()
            }
            _ => return None,
        };
        Some(result)
    }

    /// An interface string of a generated page. It falls back to the default language like
    /// `t()` in templates; a string missing there too is an error, never a raw key on the page.
    fn t(&self, lang: usize, key: &str) -> Result<String, Diagnostic> {
        self.t_with(lang, key, &[])
    }

    fn t_with(&self, lang: usize, key: &str, params: &[(String, String)]) -> Result<String, Diagnostic> {
        deps::record(Dep::I18n(lang));
        self.site.i18n.t(lang, key, None, params).map_err(|e| {
            let def = self.site.config.default_lang();
            Diagnostic::error("K606", e.to_string())
                .at(format!("i18n/{}.yaml", def.code))
                .hint("the generated commune pages use it; the default theme's i18n files have every key")
        })
    }

    fn section_ancestors(&self, lang: usize) -> Vec<Value> {
        let site = &self.site;
        let Some(section) = site.find(lang, SECTION) else { return Vec::new() };
        let mut v: Vec<Value> = site.ancestors(section).into_iter().map(|p| link_value(site, p)).collect();
        v.push(link_value(site, section));
        v
    }

    /// The same output in every language, `None` where a language has no commune pages.
    fn all_langs(&self, f: impl Fn(usize) -> String) -> Vec<Option<String>> {
        let urls = self.site.commune_urls.as_ref();
        (0..self.site.config.languages.len()).map(|l| urls.is_some_and(|u| u.has(l)).then(|| f(l))).collect()
    }

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
        let def = &self.site.config.default_lang().code;
        let code = &self.site.config.languages[lang].code;
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
            uncertain: rec.uncertain.contains(&crate::load::records::Field::LocalGroup),
        })
    }

    fn commune_page(
        &self,
        data: &CommuneData,
        urls: &CommuneUrls,
        lang: usize,
        i: usize,
        path: &str,
    ) -> Result<Vec<u8>, Diagnostic> {
        let c = &data.communes[i];
        deps::record(Dep::Record(Arc::from(c.code.0.as_str())));
        if let Some(&d) = data.dep_of.get(i) {
            if let Some(dep) = data.departements.get(d) {
                deps::record(Dep::LocalGroups(Arc::from(dep.code.as_str())));
            }
        }
        let site = &self.site;
        let mut ancestors = self.section_ancestors(lang);
        if let Some(dep) = data.departement_of(i) {
            ancestors.push(Value::from_serializable(
                &serde_json::json!({"title": pretty(&dep.nom), "url": urls.departement(data, lang, data.dep_of[i])}),
            ));
        }
        let record = data.records.get(&i);
        let description =
            self.t_with(lang, "communes.page.description", &[("name".into(), pretty(&c.nom))])?;
        let v = Virtual {
            lang,
            title: pretty(&c.nom),
            description,
            kind: "commune",
            urls: self.all_langs(|l| urls.commune(data, l, i)),
            ancestors,
        };
        let mut ctx = virtual_context(site, &self.shared, &v, self.opts.serve);
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
        let html = self
            .template("communes/commune.html", &ctx)
            .map_err(|d| d.note(format!("while rendering the page of commune {} ({})", c.code.0, c.nom)))?;
        Ok(self.finish_html(html, path, false))
    }

    fn commune_list(&self, data: &CommuneData, urls: &CommuneUrls, lang: usize, ids: &[usize]) -> Vec<Value> {
        ids.iter()
            .map(|&i| {
                let c = &data.communes[i];
                let status = data.records.get(&i).map(|r| r.status.id());
                Value::from_serializable(&serde_json::json!({
                    "code": c.code.0,
                    "name": pretty(&c.nom),
                    "url": if has_page(&self.site, data, i) { Some(urls.commune(data, lang, i)) } else { None },
                    "population": c.population,
                    "status": status,
                }))
            })
            .collect()
    }

    fn departement_page(
        &self,
        data: &CommuneData,
        urls: &CommuneUrls,
        lang: usize,
        d: usize,
        path: &str,
    ) -> Result<Vec<u8>, Diagnostic> {
        let dep = &data.departements[d];
        deps::record(Dep::DepRecords(Arc::from(dep.code.as_str())));
        let mut ancestors = self.section_ancestors(lang);
        let region = data.region_of(d);
        if let Some(r) = region {
            ancestors.push(Value::from_serializable(
                &serde_json::json!({"title": pretty(&data.regions[r].nom), "url": urls.region(data, lang, r)}),
            ));
        }
        let description =
            self.t_with(lang, "communes.departement.description", &[("name".into(), pretty(&dep.nom))])?;
        let v = Virtual {
            lang,
            title: format!("{} ({})", pretty(&dep.nom), dep.code),
            description,
            kind: "departement",
            urls: self.all_langs(|l| urls.departement(data, l, d)),
            ancestors,
        };
        let mut ctx = virtual_context(&self.site, &self.shared, &v, self.opts.serve);
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
        let html = self.template("communes/departement.html", &ctx)?;
        Ok(self.finish_html(html, path, false))
    }

    fn region_page(
        &self,
        data: &CommuneData,
        urls: &CommuneUrls,
        lang: usize,
        r: usize,
        path: &str,
    ) -> Result<Vec<u8>, Diagnostic> {
        let reg = &data.regions[r];
        for &d in &data.by_region[r] {
            deps::record(Dep::DepRecords(Arc::from(data.departements[d].code.as_str())));
        }
        let description =
            self.t_with(lang, "communes.region.description", &[("name".into(), pretty(&reg.nom))])?;
        let v = Virtual {
            lang,
            title: pretty(&reg.nom),
            description,
            kind: "region",
            urls: self.all_langs(|l| urls.region(data, l, r)),
            ancestors: self.section_ancestors(lang),
        };
        let mut ctx = virtual_context(&self.site, &self.shared, &v, self.opts.serve);
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
        let html = self.template("communes/region.html", &ctx)?;
        Ok(self.finish_html(html, path, false))
    }

    /// Counts for the statistics page and the communes index.
    fn stats(&self, data: &CommuneData) -> Stats {
        deps::record(Dep::Records);
        let mut s = Stats { total: data.communes.len(), recorded: data.records.len(), ..Stats::default() };
        // Vendors are counted without regard to case or spaces ("Briefcam" and "BriefCam " are
        // one vendor); the chart shows the spelling that sorts first.
        let mut vendors: BTreeMap<String, (String, usize)> = BTreeMap::new();
        let mut by_dep: BTreeMap<usize, usize> = BTreeMap::new();
        for (&i, r) in &data.records {
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
            *by_dep.entry(data.dep_of[i]).or_default() += 1;
        }
        s.vendors = vendors.into_values().collect();
        s.vendors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.to_lowercase().cmp(&b.0.to_lowercase())));
        s.by_departement = by_dep.into_iter().filter(|(d, _)| *d != usize::MAX).collect();
        s.by_departement.sort_by(|a, b| {
            b.1.cmp(&a.1).then(data.departements[a.0].code.cmp(&data.departements[b.0].code))
        });
        s
    }

    fn stats_page(
        &self,
        data: &CommuneData,
        urls: &CommuneUrls,
        lang: usize,
        path: &str,
    ) -> Result<Vec<u8>, Diagnostic> {
        let s = self.stats(data);
        let fmt = |n: u64| self.site.i18n.formats(lang).int(n as i64);
        let title = self.t(lang, "communes.stats.title")?;
        let v = Virtual {
            lang,
            title: title.clone(),
            description: self.t(lang, "communes.stats.description")?,
            kind: "stats",
            urls: self.all_langs(|l| urls.stats(l)),
            ancestors: self.section_ancestors(lang),
        };
        let mut ctx = virtual_context(&self.site, &self.shared, &v, self.opts.serve);

        let status_rows: Vec<(String, u64, String)> = Status::ALL
            .iter()
            .map(|st| {
                Ok((
                    self.t(lang, &format!("communes.status.{}", st.id()))?,
                    *s.by_status.get(st).unwrap_or(&0) as u64,
                    format!("status-{}", st.id()),
                ))
            })
            .collect::<Result<_, Diagnostic>>()?;
        let use_rows: Vec<(String, u64, String)> = UseCase::ALL
            .iter()
            .map(|u| {
                Ok((
                    self.t(lang, &format!("communes.use_case.{}.label", u.id()))?,
                    *s.use_cases.get(u).unwrap_or(&0) as u64,
                    if u.in_jo_law() { "jo-law".to_string() } else { "other".to_string() },
                ))
            })
            .collect::<Result<_, Diagnostic>>()?;
        let vendor_rows: Vec<(String, u64, String)> =
            s.vendors.iter().map(|(n, c)| (n.clone(), *c as u64, String::new())).collect();
        let dep_rows: Vec<(String, u64, String)> = s
            .by_departement
            .iter()
            .map(|(d, c)| {
                (
                    format!("{} ({})", pretty(&data.departements[*d].nom), data.departements[*d].code),
                    *c as u64,
                    String::new(),
                )
            })
            .collect();
        let chart = |id: &str, rows: &[(String, u64, String)]| {
            let bars: Vec<charts::Bar> = rows
                .iter()
                .map(|(l, v, c)| charts::Bar {
                    label: l.clone(),
                    value: *v,
                    class: (!c.is_empty()).then(|| c.clone()),
                })
                .collect();
            let title = self.t(lang, &format!("communes.stats.{id}.title"))?;
            let desc = self.t(lang, &format!("communes.stats.{id}.desc"))?;
            let table: Vec<serde_json::Value> =
                rows.iter().map(|(l, v, _)| serde_json::json!({"label": l, "value": v})).collect();
            Ok::<_, Diagnostic>(
                serde_json::json!({"id": id, "title": title, "svg": charts::bar_chart(&format!("chart-{id}"), &title, &desc, &bars, &fmt), "rows": table}),
            )
        };
        let charts_v = vec![
            chart("status", &status_rows)?,
            chart("use_cases", &use_rows)?,
            chart("vendors", &vendor_rows)?,
            chart("departements", &dep_rows)?,
        ];
        let mut charts_values: Vec<Value> = Vec::new();
        for c in charts_v {
            let svg = c["svg"].as_str().unwrap_or("").to_string();
            let mut m = Value::from_serializable(&c).into_map().unwrap_or_default();
            m.insert("svg".into(), Value::safe_string(&svg));
            charts_values.push(Value::from(m));
        }
        ctx.insert_value("charts", Value::from(charts_values));
        ctx.insert_value(
            "stats",
            Value::from_serializable(&serde_json::json!({"total": s.total, "recorded": s.recorded})),
        );
        let html = self.template("communes/stats.html", &ctx)?;
        Ok(self.finish_html(html, path, false))
    }

    fn france_map(&self) -> &map::FranceMap {
        match &self.plan.generated.map {
            Some(m) => m,
            None => self.empty_map.get_or_init(|| map::FranceMap::new(&[])),
        }
    }

    fn map_page(
        &self,
        data: &CommuneData,
        urls: &CommuneUrls,
        lang: usize,
        path: &str,
    ) -> Result<Vec<u8>, Diagnostic> {
        deps::record(Dep::Records);
        deps::record(Dep::Data(Arc::from("map")));
        let fmap = self.france_map();
        let mut points = Vec::new();
        let mut list = Vec::new();
        for (&i, r) in &data.records {
            let c = &data.communes[i];
            let label = format!(
                "{} — {}",
                pretty(&c.nom),
                self.t(lang, &format!("communes.status.{}", r.status.id()))?
            );
            if let (Some(lat), Some(lon)) = (c.lat, c.lon) {
                points.push(map::MapPoint {
                    code: c.code.0.clone(),
                    departement: c.departement.clone(),
                    lon,
                    lat,
                    class: format!("status-{}", r.status.id()),
                    label,
                    href: urls.commune(data, lang, i),
                });
            }
            list.push(serde_json::json!({"code": c.code.0, "name": pretty(&c.nom), "url": urls.commune(data, lang, i), "status": r.status.id()}));
        }
        let title = self.t(lang, "communes.map.title")?;
        let v = Virtual {
            lang,
            title: title.clone(),
            description: self.t(lang, "communes.map.description")?,
            kind: "map",
            urls: self.all_langs(|l| urls.map(l)),
            ancestors: self.section_ancestors(lang),
        };
        let mut ctx = virtual_context(&self.site, &self.shared, &v, self.opts.serve);
        let svg = fmap.points_svg(&points, &title, &self.t(lang, "communes.map.points_desc")?);
        let mut m = tera::Map::new();
        m.insert("outline".into(), Value::from(MAP_OUTLINE));
        m.insert("view_box".into(), Value::from(fmap.view_box()));
        m.insert("points".into(), Value::safe_string(&svg));
        m.insert("communes".into(), Value::from_serializable(&list));
        ctx.insert_value("map", Value::from(m));
        let html = self.template("communes/map.html", &ctx)?;
        Ok(self.finish_html(html, path, false))
    }

    /// What the communes section page shows: départements by region, recorded communes, counts.
    pub(super) fn communes_index_value(&self, lang: usize) -> Option<Value> {
        let site = &self.site;
        let (data, urls) = (site.communes.as_ref()?, site.commune_urls.as_ref()?);
        deps::record(Dep::Data(Arc::from("communes")));
        let s = self.stats(data);
        let mut regions: Vec<(String, serde_json::Value)> = data
            .regions
            .iter()
            .enumerate()
            .filter(|(r, _)| !data.by_region[*r].is_empty())
            .map(|(r, reg)| {
                let deps_list: Vec<serde_json::Value> = data.by_region[r].iter().map(|&d| serde_json::json!({"code": data.departements[d].code, "name": pretty(&data.departements[d].nom), "url": urls.departement(data, lang, d), "count": data.by_departement[d].len()})).collect();
                (crate::model::communes::sort_key(&reg.nom), serde_json::json!({"code": reg.code, "name": pretty(&reg.nom), "url": urls.region(data, lang, r), "departements": deps_list}))
            })
            .collect();
        regions.sort_by(|a, b| a.0.cmp(&b.0));
        let mut recorded: Vec<usize> = data.records.keys().copied().collect();
        recorded.sort_by_cached_key(|&i| crate::model::communes::sort_key(&data.communes[i].nom));
        let by_status: Vec<serde_json::Value> = Status::ALL
            .iter()
            .map(|st| serde_json::json!({"id": st.id(), "count": s.by_status.get(st).copied().unwrap_or(0)}))
            .collect();
        let mut m = Value::from_serializable(&serde_json::json!({
            "total": s.total,
            "recorded_count": s.recorded,
            "by_status": by_status,
            "regions": regions.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
            "stats_url": urls.stats(lang),
            "map_url": urls.map(lang),
            "search_root": "/search/",
        }))
        .into_map()
        .unwrap_or_default();
        m.insert("recorded".into(), Value::from(self.commune_list(data, urls, lang, &recorded)));
        Some(Value::from(m))
    }
}

#[derive(Default)]
struct Stats {
    total: usize,
    recorded: usize,
    by_status: BTreeMap<Status, usize>,
    use_cases: BTreeMap<UseCase, usize>,
    vendors: Vec<(String, usize)>,
    by_departement: Vec<(usize, usize)>,
}

/// The URL of a generated page (for the sitemap and alternates).
pub fn job_url(site: &Site, job: &Job) -> Option<String> {
    let (data, urls) = (site.communes.as_ref()?, site.commune_urls.as_ref()?);
    if !job.generated_lang().is_some_and(|l| urls.has(l)) {
        return None;
    }
    Some(match *job {
        Job::Commune { lang, index } => {
            if !has_page(site, data, index as usize) {
                return None;
            }
            urls.commune(data, lang as usize, index as usize)
        }
        Job::Departement { lang, index } => urls.departement(data, lang as usize, index as usize),
        Job::Region { lang, index } => urls.region(data, lang as usize, index as usize),
        Job::CommuneStats { lang } => urls.stats(lang as usize),
        Job::CommuneMap { lang } => urls.map(lang as usize),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_de_follows_the_insee_article_type() {
        assert_eq!(french_de("Marseille", Some(0)), "de Marseille");
        assert_eq!(french_de("Ambérieu-en-Bugey", Some(1)), "d’Ambérieu-en-Bugey");
        assert_eq!(french_de("Le Havre", Some(2)), "du Havre");
        assert_eq!(french_de("La Rochelle", Some(3)), "de la Rochelle");
        assert_eq!(french_de("Les Lilas", Some(4)), "des Lilas");
        assert_eq!(french_de("L'Haÿ-les-Roses", Some(5)), "de l’Haÿ-les-Roses");
        assert_eq!(french_de("Haut Valromey", Some(0)), "de Haut Valromey");
        assert_eq!(french_de("Bora-Bora", None), "de Bora-Bora");
    }
}
