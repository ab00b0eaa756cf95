//! Open data: the campaign's records joined with the reference list, as JSON and CSV, and the
//! JSON Schema of the record format, under `downloads/`.

use super::{Artifact, Family, Kind, PlanCx, Planned, RenderCx};
use crate::deps::{self, CensusDep, Dep};
use crate::diag::Diagnostic;
use crate::model::Site;

/// The files, in plan order.
pub const FILES: [&str; 3] =
    ["downloads/communes-vsa.json", "downloads/communes-vsa.csv", "downloads/record.schema.json"];

/// The open-data family.
pub struct Downloads;

impl Family for Downloads {
    type Job = usize;
    type State = ();
    type Input = ();

    fn name(&self) -> &'static str {
        "downloads"
    }

    fn plan(&self, cx: &PlanCx<'_>) -> Planned<usize, ()> {
        let files = if cx.site().communes.is_some() { &FILES[..] } else { &[] };
        Planned::new((), files.iter().enumerate().map(|(i, f)| (f.to_string(), i)).collect())
    }

    fn render(&self, cx: &RenderCx<'_, Self>, _: &(), i: &usize) -> Result<Artifact, Diagnostic> {
        Ok(Artifact::file(Kind::of_path(FILES[*i]), render(cx.site, *i)?))
    }
}

/// Renders download `i`.
fn render(site: &Site, i: usize) -> Result<Vec<u8>, Diagnostic> {
    let Some(data) = &site.communes else { return Ok(Vec::new()) };
    deps::record(Dep::Census(CensusDep::Records));
    deps::record(Dep::Census(CensusDep::Communes));
    let rows: Vec<serde_json::Value> = data
        .records
        .iter()
        .map(|(&c, r)| {
            let commune = &data.communes[c];
            serde_json::json!({
                "insee": commune.code.0,
                "name": commune.nom,
                "departement": commune.departement,
                "departement_name": data.departement_of(c).map(|d| d.nom.clone()),
                "region": commune.region,
                "population": commune.population,
                "lat": commune.lat,
                "lon": commune.lon,
                "record": r,
            })
        })
        .collect();
    match i {
        0 => {
            let doc = serde_json::json!({
                "source": "kitgen census of algorithmic video surveillance; reference data: INSEE, La Poste, DGCL via Etalab; commune centres: IGN – ADMIN EXPRESS COG (Licence Ouverte 2.0)",
                "count": rows.len(),
                "communes": rows,
            });
            Ok(format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default()).into_bytes())
        }
        1 => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let header = [
                "insee",
                "name",
                "departement",
                "region",
                "population",
                "lat",
                "lon",
                "status",
                "vendors",
                "use_cases",
                "cameras",
                "since",
                "sources",
                "local_group",
                "last_verified",
                "uncertain",
            ];
            let _ = w.write_record(header);
            for (&c, r) in &data.records {
                let commune = &data.communes[c];
                let sources: Vec<String> = r
                    .sources
                    .iter()
                    .map(|s| {
                        let link = s
                            .url
                            .as_ref()
                            .map(|u| u.0.clone())
                            .or_else(|| s.file.as_ref().map(|f| format!("documents/{f}")))
                            .unwrap_or_default();
                        match &s.date {
                            Some(d) => format!("{} ({}, {}) {link}", s.title, s.kind.id(), d.0),
                            None => format!("{} ({}) {link}", s.title, s.kind.id()),
                        }
                    })
                    .collect();
                let opt = |v: Option<String>| v.unwrap_or_default();
                // Text cells that a spreadsheet would run as a formula are neutralised (OWASP's
                // CSV injection rule); numbers are written by kitgen and stay as they are.
                let t = |v: String| cell(&v);
                let _ = w.write_record([
                    commune.code.0.clone(),
                    t(commune.nom.clone()),
                    t(commune.departement.clone()),
                    t(commune.region.clone()),
                    opt(commune.population.map(|p| p.to_string())),
                    opt(commune.lat.map(|v| v.to_string())),
                    opt(commune.lon.map(|v| v.to_string())),
                    r.status.id().to_string(),
                    t(r.vendors.join("; ")),
                    r.use_cases.iter().map(|u| u.id()).collect::<Vec<_>>().join("; "),
                    opt(r.cameras.map(|c| c.to_string())),
                    opt(r.since.as_ref().map(|d| d.0.clone())),
                    t(sources.join(" | ")),
                    t(opt(r.local_group.as_ref().map(|g| g.name.clone()))),
                    opt(r.last_verified.as_ref().map(|d| d.0.clone())),
                    r.uncertain.iter().map(|f| f.id()).collect::<Vec<_>>().join("; "),
                ]);
            }
            w.into_inner()
                .map_err(|e| Diagnostic::error("K530", format!("cannot write the CSV download: {e}")))
        }
        _ => Ok(format!("{}\n", serde_json::to_string_pretty(&schema()).unwrap_or_default()).into_bytes()),
    }
}

/// A text cell a spreadsheet will not run: one starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading `'` (OWASP, "CSV Injection").
pub fn cell(v: &str) -> String {
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{v}") } else { v.to_string() }
}

/// The JSON Schema of `data/records/*.yaml`.
pub fn schema() -> serde_json::Value {
    use crate::model::record::{Status, UseCase};
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.id()).collect();
    let uses: Vec<&str> = UseCase::ALL.iter().map(|u| u.id()).collect();
    let date = serde_json::json!({"type": "string", "pattern": "^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"});
    let url = serde_json::json!({"type": "string", "pattern": "^https?://"});
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "kitgen campaign record",
        "description": "One file per commune, data/records/<INSEE>-<slug>.yaml: what is known about algorithmic video surveillance there, with sources.",
        "type": "object",
        "additionalProperties": false,
        "required": ["insee", "status"],
        "properties": {
            "insee": {"type": "string", "pattern": "^([0-9]{5}|2[AB][0-9]{3})$", "description": "INSEE code of the commune, as text"},
            "name": {"type": "string", "description": "name of the commune, checked against the reference list"},
            "status": {"enum": statuses, "description": "refused: the council voted not to install VSA"},
            "vendors": {"type": "array", "items": {"type": "string"}},
            "use_cases": {"type": "array", "items": {"enum": uses}, "description": "the first eight are the use cases of the 2023 Olympic Games law"},
            "cameras": {"type": "integer", "minimum": 0},
            "since": date,
            "sources": {"type": "array", "items": {
                "type": "object", "additionalProperties": false, "required": ["title", "kind"],
                "properties": {
                    "title": {"type": "string"},
                    "date": date,
                    "kind": {"enum": ["cada-response", "council-deliberation", "prefectoral-order", "press", "other"]},
                    "url": url,
                    "file": {"type": "string", "description": "a file under data/documents/"}
                }
            }},
            "notes": {"type": "object", "additionalProperties": {"type": "string"}, "description": "text per language code"},
            "local_group": {"type": "object", "additionalProperties": false, "required": ["name"], "properties": {
                "name": {"type": "string"},
                "contact": {"type": "string", "pattern": "^(https?://\\S+|[^@\\s]*@\\S*)$", "description": "an e-mail address or a URL"},
                "url": url
            }},
            "last_verified": date,
            "uncertain": {"type": "array", "items": {"enum": ["status", "vendors", "use_cases", "cameras", "since", "local_group"]}}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(
            cell("=HYPERLINK(\"https://evil.example/\",\"Voir\")"),
            "'=HYPERLINK(\"https://evil.example/\",\"Voir\")"
        );
        for bad in ["+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert!(cell(bad).starts_with('\''), "{bad}");
        }
        assert_eq!(cell("Briefcam"), "Briefcam");
        assert_eq!(cell(""), "");
    }
}
