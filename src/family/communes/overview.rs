//! The census as a whole: the statistics page with its charts, the map page, and what the
//! communes section page lists.

use tera::Value;

use super::{Input, MAP_OUTLINE, Pages};
use crate::deps::{self, CensusDep, Dep};
use crate::diag::Diagnostic;
use crate::model::communes::{CommuneData, CommuneUrls, pretty, sort_key};
use crate::model::record::{Status, UseCase};
use crate::render::Artifact;
use crate::render::svg::{charts, map};
use crate::render::tera::Virtual;

impl Pages<'_> {
    pub(super) fn stats_page(
        &self,
        data: &CommuneData,
        urls: &CommuneUrls,
        lang: usize,
    ) -> Result<Artifact, Diagnostic> {
        deps::record(Dep::Census(CensusDep::Records));
        let s = &data.stats;
        let fmt = |n: u64| self.cx.site.i18n.formats(lang).int(n as i64);
        let title = self.cx.engine.t(lang, "communes.stats.title")?;
        let v = Virtual {
            lang,
            title: title.clone(),
            description: self.cx.engine.t(lang, "communes.stats.description")?,
            kind: "stats",
            urls: self.all_langs(|l| urls.stats(l)),
            ancestors: self.section_ancestors(lang),
        };
        let mut ctx = self.cx.engine.virtual_context(&v);

        let status_rows: Vec<(String, u64, String)> = Status::ALL
            .iter()
            .map(|st| {
                Ok((
                    self.cx.engine.t(lang, &format!("communes.status.{}", st.id()))?,
                    *s.by_status.get(st).unwrap_or(&0) as u64,
                    format!("status-{}", st.id()),
                ))
            })
            .collect::<Result<_, Diagnostic>>()?;
        let use_rows: Vec<(String, u64, String)> = UseCase::ALL
            .iter()
            .map(|u| {
                Ok((
                    self.cx.engine.t(lang, &format!("communes.use_case.{}.label", u.id()))?,
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
        // The use-case bars have two colours: say which is which.
        let use_legend: Vec<charts::LegendItem> = [("jo-law", "jo_law"), ("other", "other")]
            .iter()
            .map(|(class, key)| {
                Ok(charts::LegendItem {
                    class: (*class).to_string(),
                    label: self.cx.engine.t(lang, &format!("communes.stats.legend.{key}"))?,
                })
            })
            .collect::<Result<_, Diagnostic>>()?;
        let chart = |id: &str, rows: &[(String, u64, String)], legend: &[charts::LegendItem]| {
            let bars: Vec<charts::Bar> = rows
                .iter()
                .map(|(l, v, c)| charts::Bar {
                    label: l.clone(),
                    value: *v,
                    class: (!c.is_empty()).then(|| c.clone()),
                })
                .collect();
            let title = self.cx.engine.t(lang, &format!("communes.stats.{id}.title"))?;
            let desc = self.cx.engine.t(lang, &format!("communes.stats.{id}.desc"))?;
            let table: Vec<serde_json::Value> =
                rows.iter().map(|(l, v, _)| serde_json::json!({"label": l, "value": v})).collect();
            Ok::<_, Diagnostic>(
                // No rows: the page says so in words instead of drawing an empty chart.
                serde_json::json!({"id": id, "title": title, "empty": rows.is_empty(), "svg": if rows.is_empty() { String::new() } else { charts::bar_chart(&format!("chart-{id}"), &title, &desc, &bars, legend, &fmt) }, "rows": table}),
            )
        };
        let charts_v = vec![
            chart("status", &status_rows, &[])?,
            chart("use_cases", &use_rows, &use_legend)?,
            chart("vendors", &vendor_rows, &[])?,
            chart("departements", &dep_rows, &[])?,
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
        let html = self.cx.engine.render("communes/stats.html", &ctx)?;
        Ok(Artifact::page(html))
    }

    pub(super) fn map_page(
        &self,
        data: &CommuneData,
        urls: &CommuneUrls,
        lang: usize,
    ) -> Result<Artifact, Diagnostic> {
        deps::record(Dep::Census(CensusDep::Records));
        self.cx.record(Input::Outlines);
        let fmap = &self.state.map;
        let mut points = Vec::new();
        let mut list = Vec::new();
        for (&i, r) in &data.records {
            let c = &data.communes[i];
            let label = format!(
                "{} — {}",
                pretty(&c.nom),
                self.cx.engine.t(lang, &format!("communes.status.{}", r.status.id()))?
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
        let title = self.cx.engine.t(lang, "communes.map.title")?;
        let v = Virtual {
            lang,
            title: title.clone(),
            description: self.cx.engine.t(lang, "communes.map.description")?,
            kind: "map",
            urls: self.all_langs(|l| urls.map(l)),
            ancestors: self.section_ancestors(lang),
        };
        let mut ctx = self.cx.engine.virtual_context(&v);
        let svg = fmap.points_svg(&points, &title, &self.cx.engine.t(lang, "communes.map.points_desc")?);
        let mut m = tera::Map::new();
        m.insert("outline".into(), Value::from(MAP_OUTLINE));
        m.insert("view_box".into(), Value::from(fmap.view_box()));
        m.insert("points".into(), Value::safe_string(&svg));
        m.insert("communes".into(), Value::from_serializable(&list));
        ctx.insert_value("map", Value::from(m));
        let html = self.cx.engine.render("communes/map.html", &ctx)?;
        Ok(Artifact::page(html))
    }

    /// What the communes section page shows: départements by region, recorded communes, counts.
    pub(super) fn index_value(&self, lang: usize) -> Value {
        let (data, urls) = (self.data, self.urls);
        deps::record(Dep::Census(CensusDep::Communes));
        deps::record(Dep::Census(CensusDep::Records));
        let s = &data.stats;
        let mut regions: Vec<(String, serde_json::Value)> = data
            .regions
            .iter()
            .enumerate()
            .filter(|(r, _)| !data.by_region[*r].is_empty())
            .map(|(r, reg)| {
                let deps_list: Vec<serde_json::Value> = data.by_region[r].iter().map(|&d| serde_json::json!({"code": data.departements[d].code, "name": pretty(&data.departements[d].nom), "url": urls.departement(data, lang, d), "count": data.by_departement[d].len()})).collect();
                (sort_key(&reg.nom), serde_json::json!({"code": reg.code, "name": pretty(&reg.nom), "url": urls.region(data, lang, r), "departements": deps_list}))
            })
            .collect();
        regions.sort_by(|a, b| a.0.cmp(&b.0));
        let mut recorded: Vec<usize> = data.records.keys().copied().collect();
        recorded.sort_by_cached_key(|&i| sort_key(&data.communes[i].nom));
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
        Value::from(m)
    }
}
