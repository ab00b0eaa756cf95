//! Sources of the content: front matter and Markdown files as read, before the model
//! resolves them into pages. `load` fills these types; the model and later stages read them.

use std::fmt;
use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::de::Deserializer;
use serde::{Deserialize, Serialize};

use crate::yaml;

/// A validated date, as written (`2026-11-28` or `2026-11-28T08:00:00Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDateTime);

impl Date {
    /// Parses the formats kitgen accepts; the error says why a date is invalid.
    pub fn parse(s: &str) -> Result<Date, String> {
        let s = s.trim();
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Ok(Date(d.and_time(NaiveTime::MIN)));
        }
        if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
            return Ok(Date(dt.naive_utc()));
        }
        for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
            if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
                return Ok(Date(dt));
            }
        }
        // Say which part is wrong when the shape is right.
        let parts: Vec<&str> = s.get(..10).unwrap_or(s).split('-').collect();
        if let [y, m, d] = parts[..]
            && let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>())
        {
            if !(1..=12).contains(&m) {
                return Err(format!("invalid date `{s}`: there is no month {m}"));
            }
            if NaiveDate::from_ymd_opt(y, m, d).is_none() {
                return Err(format!("invalid date `{s}`: {y}-{m:02} has no day {d}"));
            }
        }
        Err(format!("invalid date `{s}`: write YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SSZ with a time"))
    }

    /// `2026-11-28`.
    pub fn ymd(&self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }

    /// `2026-11-28T08:00:00Z` (UTC).
    pub fn rfc3339(&self) -> String {
        self.0.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).map_err(yaml::custom)
    }
}

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// `weight` ascending, then title.
    #[default]
    Weight,
    /// `date`, newest first.
    Date,
    /// Title, alphabetical.
    Title,
}

/// Front matter of a page or section, validated.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Front {
    /// Title.
    pub title: String,
    /// Publication date.
    pub date: Option<Date>,
    /// Order in its section.
    pub weight: i64,
    /// URL segment, validated.
    pub slug: Option<String>,
    /// Not published unless `--drafts`.
    pub draft: bool,
    /// Short description.
    pub summary: Option<String>,
    /// Template to render with.
    pub template: Option<String>,
    /// Free data for templates.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Short hash of the source version a translation was made from.
    pub translation_of: Option<String>,
    /// Sections: page order.
    pub sort_by: SortBy,
    /// Sections: default template of their pages.
    pub page_template: Option<String>,
    /// Sections: listed in the site menu.
    pub menu: bool,
}

/// A Markdown file of `content/`.
#[derive(Debug, Clone, PartialEq)]
pub struct SourcePage {
    /// Index of its language in the config.
    pub lang: usize,
    /// Path under `content/<lang>/`, e.g. `brochure/01-definition.md`.
    pub rel: String,
    /// Path from the site root, for diagnostics.
    pub path: PathBuf,
    /// The whole file.
    pub text: String,
    /// Parsed front matter.
    pub front: Front,
    /// Byte offset of the body in `text`.
    pub body_start: usize,
    /// `_index.md`: describes a section.
    pub is_section: bool,
    /// Version of the text translators work from (title, summary, body), 8 hex digits.
    pub version: String,
    /// Hash of the whole file, for rebuilds.
    pub text_hash: u64,
    /// Problems found reading it: warnings, and the errors of a front matter that could be
    /// read in part (the page is kept so that links to it resolve and its body is checked;
    /// the errors still fail the build).
    pub warnings: Vec<crate::diag::Diagnostic>,
}

impl SourcePage {
    /// The Markdown body.
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }
}

/// Version hash of a page's translatable text.
pub fn version_of(front: &Front, body: &str) -> String {
    let mut h = blake3::Hasher::new();
    h.update(front.title.as_bytes());
    h.update(b"\0");
    h.update(front.summary.as_deref().unwrap_or("").as_bytes());
    h.update(b"\0");
    // The body with CRLF line ends read as LF, without a copy of it.
    for (i, part) in body.trim().split("\r\n").enumerate() {
        if i > 0 {
            h.update(b"\n");
        }
        h.update(part.as_bytes());
    }
    h.finalize().to_hex()[..8].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_read_crlf_as_lf_and_stay_what_they_were() {
        let front = Front { title: "Titre".into(), summary: Some("Résumé".into()), ..Front::default() };
        // The version as it was computed before (with a copy of the body), so that saved
        // translation versions stay valid.
        let before = |body: &str| {
            let mut h = blake3::Hasher::new();
            h.update(b"Titre\0R\xc3\xa9sum\xc3\xa9\0");
            h.update(body.trim().replace("\r\n", "\n").as_bytes());
            h.finalize().to_hex()[..8].to_string()
        };
        for body in ["\n# A\n\nb\n", "\r\n# A\r\n\r\nb\r\n", "a\rb\r\n\r\nc", "", "\r\n"] {
            assert_eq!(version_of(&front, body), before(body), "{body:?}");
        }
        assert_eq!(version_of(&front, "a\r\nb"), version_of(&front, "a\nb"));
        assert_ne!(version_of(&front, "a\nb"), version_of(&front, "a\nc"));
    }
}
