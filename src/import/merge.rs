//! From cells to record fields: one row's facts, the facts of several rows about one commune
//! merged (vendors, use cases and sources united; different statuses, dates, camera counts
//! or local groups are a conflict), and the record they give, over an existing one.

use std::collections::BTreeMap;

use super::columns::{self, Col};
use crate::model::record::{
    Field, LocalGroup, PartialDate, Record, Source, SourceKind, Status, Url, UseCase,
};

/// What one row (or the merged rows of a commune) says. `None`/empty: the cell was empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Status.
    pub status: Option<Status>,
    /// Vendors, as written.
    pub vendors: Vec<String>,
    /// Use cases.
    pub use_cases: Vec<UseCase>,
    /// Sources.
    pub sources: Vec<Source>,
    /// Notes per language code.
    pub notes: BTreeMap<String, String>,
    /// Local group's name.
    pub local_group: Option<String>,
    /// Since when, as `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (checked by the record validation).
    pub since: Option<String>,
    /// Number of cameras.
    pub cameras: Option<u32>,
}

/// A problem in a cell: its 1-based column, what is wrong, how to fix it.
pub type CellError = (usize, String, String);

/// Reads the cells of a row.
pub fn facts(cols: &[Option<Col>], cells: &[String], default_lang: &str) -> Result<Facts, Vec<CellError>> {
    let mut f = Facts::default();
    let mut errors = Vec::new();
    for (i, col) in cols.iter().enumerate() {
        let (Some(col), Some(v)) = (col, cells.get(i)) else { continue };
        if v.is_empty() {
            continue;
        }
        match col {
            Col::Insee | Col::Name | Col::Departement => {}
            Col::Status => match columns::status(v) {
                Some(s) => f.status = Some(s),
                None => errors.push((
                    i + 1,
                    format!("unknown status `{v}`"),
                    format!("use one of: {}", columns::STATUSES),
                )),
            },
            Col::Vendors => f.vendors.extend(columns::list(v)),
            Col::UseCases => {
                for u in columns::list(v) {
                    match columns::use_case(&u) {
                        Ok(u) => f.use_cases.push(u),
                        Err((m, h)) => errors.push((i + 1, m, h)),
                    }
                }
            }
            Col::Sources => {
                for s in v.split(['|', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
                    match source(s) {
                        Ok(s) => f.sources.push(s),
                        Err(m) => errors.push((
                            i + 1,
                            m,
                            "write the address of each document (https://…), separated by `|` or line breaks; a title may come before it".into(),
                        )),
                    }
                }
            }
            Col::Notes(lang) => {
                f.notes.insert(lang.clone().unwrap_or_else(|| default_lang.to_string()), v.clone());
            }
            Col::LocalGroup => f.local_group = Some(v.clone()),
            Col::Since => f.since = Some(date(v)),
            Col::Cameras => match v.replace([' ', '\u{a0}'], "").parse::<u32>() {
                Ok(n) => f.cameras = Some(n),
                Err(_) => errors.push((
                    i + 1,
                    format!("`{v}` is not a number of cameras"),
                    "write a whole number, or leave the cell empty".into(),
                )),
            },
        }
    }
    if errors.is_empty() { Ok(f) } else { Err(errors) }
}

/// `Délibération du 3 mars https://…` → title and URL; a bare URL is its own title.
fn source(s: &str) -> Result<Source, String> {
    let start = s.find("https://").or_else(|| s.find("http://"));
    let Some(start) = start else {
        return Err(format!("source `{s}` has no http(s) URL"));
    };
    let url = s[start..].split_whitespace().next().unwrap_or("").trim_end_matches([')', ']', '>', ',']);
    let host = url.split("://").nth(1).unwrap_or("");
    if host.is_empty() || host.starts_with('/') || url.contains(['"', '<']) {
        return Err(format!("`{url}` is not an http(s) URL"));
    }
    let title = s[..start].trim().trim_end_matches([':', '-', '—', '(', '<', '[']).trim();
    let title =
        if title.is_empty() { url.split("://").nth(1).unwrap_or(url).trim_end_matches('/') } else { title };
    Ok(Source {
        title: title.to_string(),
        date: None,
        kind: SourceKind::Other,
        url: Some(Url(url.to_string())),
        file: None,
    })
}

/// `15/03/2023` → `2023-03-15`, `03/2023` → `2023-03`; anything else as written.
fn date(v: &str) -> String {
    let parts: Vec<&str> = v.split('/').collect();
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    match parts[..] {
        [d, m, y] if digits(d) && digits(m) && y.len() == 4 && digits(y) => {
            format!("{y}-{:0>2}-{:0>2}", m, d)
        }
        [m, y] if digits(m) && y.len() == 4 && digits(y) => format!("{y}-{m:0>2}"),
        _ => v.to_string(),
    }
}

/// A conflict between rows: the field and the two values.
pub type Conflict = (&'static str, String, String);

/// Merges the facts of several rows about one commune, in row order.
pub fn merge(all: &[Facts]) -> Result<Facts, Conflict> {
    let mut m = Facts::default();
    for f in all {
        one(&mut m.status, &f.status, "status", |s| s.id().to_string())?;
        one(&mut m.local_group, &f.local_group, "local group", Clone::clone)?;
        one(&mut m.since, &f.since, "date", Clone::clone)?;
        one(&mut m.cameras, &f.cameras, "cameras", u32::to_string)?;
        m.vendors.extend(f.vendors.iter().cloned());
        m.use_cases.extend(f.use_cases.iter().copied());
        m.sources.extend(f.sources.iter().cloned());
        for (lang, text) in &f.notes {
            let e = m.notes.entry(lang.clone()).or_default();
            if !e.split("\n\n").any(|p| p == text) {
                if !e.is_empty() {
                    e.push_str("\n\n");
                }
                e.push_str(text);
            }
        }
    }
    Ok(m)
}

fn one<T: Clone + PartialEq>(
    into: &mut Option<T>,
    from: &Option<T>,
    what: &'static str,
    show: impl Fn(&T) -> String,
) -> Result<(), Conflict> {
    match (into.as_ref(), from) {
        (Some(a), Some(b)) if a != b => Err((what, show(a), show(b))),
        (None, Some(b)) => {
            *into = Some(b.clone());
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The record the facts give: over `existing`, non-empty facts replace its fields (sources
/// are added to its sources) and the others are kept. Without a status anywhere, `unknown` with `status` uncertain. Lists are
/// sorted and without duplicates (vendors compared without case), so output is stable.
pub fn record(insee: &str, name: &str, f: Facts, existing: Option<&Record>) -> Record {
    let mut r = existing.cloned().unwrap_or_else(|| Record {
        insee: crate::model::census::Insee(insee.to_string()),
        name: None,
        status: Status::Unknown,
        vendors: Vec::new(),
        use_cases: Vec::new(),
        cameras: None,
        since: None,
        sources: Vec::new(),
        notes: BTreeMap::new(),
        local_group: None,
        last_verified: None,
        uncertain: Vec::new(),
    });
    r.name = Some(name.to_string());
    match f.status {
        Some(s) => r.status = s,
        None if existing.is_none() => r.uncertain.push(Field::Status),
        None => {}
    }
    if !f.vendors.is_empty() {
        r.vendors = f.vendors;
    }
    let mut seen = std::collections::HashSet::new();
    r.vendors
        .retain(|v| seen.insert(crate::model::communes::sort_key(v).split_whitespace().collect::<String>()));
    r.vendors.sort_by_key(|v| (crate::model::communes::sort_key(v), v.clone()));
    if !f.use_cases.is_empty() {
        r.use_cases = f.use_cases;
    }
    r.use_cases.sort();
    r.use_cases.dedup();
    // Sources are evidence: the existing ones are kept, the new ones added.
    r.sources.extend(f.sources);
    r.sources.sort_by(|a, b| {
        (&a.url.as_ref().map(|u| &u.0), &a.title).cmp(&(&b.url.as_ref().map(|u| &u.0), &b.title))
    });
    r.sources.dedup_by(|a, b| a.url.is_some() && a.url == b.url);
    r.notes.extend(f.notes);
    if let Some(g) = f.local_group {
        match &mut r.local_group {
            Some(lg) if lg.name != g => *lg = LocalGroup { name: g, contact: None, url: None },
            Some(_) => {}
            None => r.local_group = Some(LocalGroup { name: g, contact: None, url: None }),
        }
    }
    if let Some(s) = f.since {
        r.since = Some(PartialDate(s));
    }
    if f.cameras.is_some() {
        r.cameras = f.cameras;
    }
    r.uncertain.sort();
    r.uncertain.dedup();
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_and_dates() {
        let s = source("Délibération : https://example.org/d.pdf").unwrap();
        assert_eq!(
            (s.title.as_str(), s.url.unwrap().0.as_str()),
            ("Délibération", "https://example.org/d.pdf")
        );
        assert_eq!(source("https://example.org/x/").unwrap().title, "example.org/x");
        assert!(source("journal local").is_err());
        assert_eq!(date("15/3/2023"), "2023-03-15");
        assert_eq!(date("03/2023"), "2023-03");
        assert_eq!(date("2023"), "2023");
    }

    #[test]
    fn rows_merge_and_conflict() {
        let a =
            Facts { status: Some(Status::Deployed), vendors: vec!["Briefcam".into()], ..Facts::default() };
        let b = Facts { vendors: vec!["BriefCam".into(), "Axis".into()], ..Facts::default() };
        let m = merge(&[a.clone(), b]).unwrap();
        let r = record("13055", "Marseille", m, None);
        assert_eq!(r.vendors, ["Axis", "Briefcam"]);
        assert_eq!(r.status, Status::Deployed);
        let c = Facts { status: Some(Status::Refused), ..Facts::default() };
        assert_eq!(merge(&[a, c]), Err(("status", "deployed".into(), "refused".into())));
    }
}
