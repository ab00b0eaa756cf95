//! The pages of a commune, a département and a region.
//!
//! Templates get typed data (see `docs/templates.md`): `commune`, `record`, `local_group`,
//! `departement`, `region`. Labels of statuses, use cases and source kinds come from the i18n
//! files (`communes.status.deployed`…), so a new language translates them there.

use std::sync::Arc;

use tera::Value;

use super::{Pages, context};
use crate::deps::{self, CensusDep, Dep};
use crate::diag::Diagnostic;
use crate::model::communes::{CommuneData, CommuneUrls, SECTION, pretty};
use crate::render::Artifact;
use crate::render::tera::{Virtual, link_value};

impl Pages<'_> {
    pub(super) fn commune_page(
        &self,
        data: &CommuneData,
        urls: &CommuneUrls,
        lang: usize,
        i: usize,
    ) -> Result<Artifact, Diagnostic> {
        let c = &data.communes[i];
        deps::record(Dep::Census(CensusDep::Record(Arc::from(c.code.0.as_str()))));
        deps::record(Dep::Census(CensusDep::LocalGroup(Arc::from(c.code.0.as_str()))));
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
        ctx.insert("commune", &context::commune(data, urls, lang, i));
        match record {
            Some(r) => ctx.insert("record", &context::record(site, data, lang, i, r)),
            None => ctx.insert("record", &()),
        }
        match context::group(data, urls, lang, i) {
            Some(g) => ctx.insert("local_group", &g),
            None => ctx.insert("local_group", &()),
        }
        match context::town_hall(data, i) {
            Some(h) => ctx.insert("town_hall", &h),
            None => ctx.insert("town_hall", &()),
        }
        let shared = self.cx.shared();
        self.cx.families.extend_page(&shared, crate::family::PageRef::Commune { lang, index: i }, &mut ctx);
        let html =
            self.cx.engine.render("communes/commune.html", &ctx).map_err(|d| {
                d.note(format!("while rendering the page of commune {} ({})", c.code.0, c.nom))
            })?;
        Ok(Artifact::generated(html))
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
