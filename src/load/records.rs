//! Campaign records: `data/records/<INSEE>-<slug>.yaml`, one per commune where something is
//! known about algorithmic video surveillance.
//!
//! A record states a status, vendors, use cases from a controlled vocabulary, sources, notes
//! per language and the local group. Anything the campaign is not sure of is listed under
//! `uncertain`, and the pages say so. The format is described by a JSON Schema published with
//! the open data (`downloads/record.schema.json`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use super::communes::Insee;
use super::files;
use crate::diag::Diagnostic;
use crate::load::frontmatter::Date;
use crate::yaml;

/// What is known of VSA in a commune.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// In use.
    Deployed,
    /// Under an experiment (e.g. the 2023 Olympic Games law).
    Experiment,
    /// Announced, tendered or voted, not yet in use.
    Planned,
    /// The council voted not to install it.
    Refused,
    /// Reported, not established.
    Unknown,
}

impl Status {
    /// Every status, in display order.
    pub const ALL: [Status; 5] =
        [Status::Deployed, Status::Experiment, Status::Planned, Status::Refused, Status::Unknown];

    /// The identifier used in files, classes and i18n keys.
    pub fn id(self) -> &'static str {
        match self {
            Status::Deployed => "deployed",
            Status::Experiment => "experiment",
            Status::Planned => "planned",
            Status::Refused => "refused",
            Status::Unknown => "unknown",
        }
    }
}

/// What the software is used for. The first eight are the use cases of the 2023 Olympic Games
/// law (loi n° 2023-380, décret n° 2023-828).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UseCase {
    /// Abandoned objects.
    AbandonedObject,
    /// Presence or use of weapons.
    Weapon,
    /// A person or vehicle going the wrong way.
    WrongWay,
    /// Intrusion into a forbidden zone.
    ZoneIntrusion,
    /// A person on the ground.
    PersonOnGround,
    /// Crowd movement.
    CrowdMovement,
    /// Excessive density of people.
    CrowdDensity,
    /// Fire starts.
    FireStart,
    /// Face recognition.
    FaceRecognition,
    /// Re-identification by physical attributes (clothes, bag, silhouette).
    Reidentification,
    /// Licence-plate reading.
    PlateReading,
    /// Sound detection (shouts, shots, breaking glass).
    SoundDetection,
    /// "Abnormal behaviour": loitering, standing still, lying down, gatherings.
    AbnormalBehaviour,
    /// After-the-fact search in recordings.
    AfterTheFactSearch,
    /// Counting and statistics of people or vehicles.
    Counting,
}

impl UseCase {
    /// Every use case, in display order.
    pub const ALL: [UseCase; 15] = [
        UseCase::AbandonedObject,
        UseCase::Weapon,
        UseCase::WrongWay,
        UseCase::ZoneIntrusion,
        UseCase::PersonOnGround,
        UseCase::CrowdMovement,
        UseCase::CrowdDensity,
        UseCase::FireStart,
        UseCase::FaceRecognition,
        UseCase::Reidentification,
        UseCase::PlateReading,
        UseCase::SoundDetection,
        UseCase::AbnormalBehaviour,
        UseCase::AfterTheFactSearch,
        UseCase::Counting,
    ];

    /// The identifier used in files and i18n keys.
    pub fn id(self) -> &'static str {
        match self {
            UseCase::AbandonedObject => "abandoned-object",
            UseCase::Weapon => "weapon",
            UseCase::WrongWay => "wrong-way",
            UseCase::ZoneIntrusion => "zone-intrusion",
            UseCase::PersonOnGround => "person-on-ground",
            UseCase::CrowdMovement => "crowd-movement",
            UseCase::CrowdDensity => "crowd-density",
            UseCase::FireStart => "fire-start",
            UseCase::FaceRecognition => "face-recognition",
            UseCase::Reidentification => "reidentification",
            UseCase::PlateReading => "plate-reading",
            UseCase::SoundDetection => "sound-detection",
            UseCase::AbnormalBehaviour => "abnormal-behaviour",
            UseCase::AfterTheFactSearch => "after-the-fact-search",
            UseCase::Counting => "counting",
        }
    }

    /// Whether the 2023 Olympic Games law lists it.
    pub fn in_jo_law(self) -> bool {
        (self as usize) < 8
    }
}

/// The kind of a source document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// An answer to a request for administrative documents.
    CadaResponse,
    /// A municipal council deliberation.
    CouncilDeliberation,
    /// A prefectoral order.
    PrefectoralOrder,
    /// A press article.
    Press,
    /// Anything else.
    Other,
}

impl SourceKind {
    /// The identifier used in files and i18n keys.
    pub fn id(self) -> &'static str {
        match self {
            SourceKind::CadaResponse => "cada-response",
            SourceKind::CouncilDeliberation => "council-deliberation",
            SourceKind::PrefectoralOrder => "prefectoral-order",
            SourceKind::Press => "press",
            SourceKind::Other => "other",
        }
    }
}

/// Fields a record can flag as uncertain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The status.
    Status,
    /// The vendors.
    Vendors,
    /// The use cases.
    UseCases,
    /// The number of cameras.
    Cameras,
    /// The start date.
    Since,
    /// The local group.
    LocalGroup,
}

impl Field {
    /// The name used in files and i18n keys.
    pub fn id(self) -> &'static str {
        match self {
            Field::Status => "status",
            Field::Vendors => "vendors",
            Field::UseCases => "use_cases",
            Field::Cameras => "cameras",
            Field::Since => "since",
            Field::LocalGroup => "local_group",
        }
    }
}

/// An http(s) URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Url(pub String);

impl<'de> Deserialize<'de> for Url {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let t = s.trim();
        let rest = t.strip_prefix("https://").or_else(|| t.strip_prefix("http://"));
        match rest {
            Some(r) if !r.is_empty() && !r.starts_with('/') && !t.contains([' ', '"', '<', '>', '\n']) => {
                Ok(Url(t.to_string()))
            }
            _ => Err(yaml::custom(format!("`{s}` is not an http(s) URL"))),
        }
    }
}

/// A date, possibly partial: `2019`, `2019-06` or `2019-06-15`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct PartialDate(pub String);

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_yaml_value_to_string(d)?;
        let parts: Vec<&str> = s.split('-').collect();
        let ok = match parts[..] {
            [y] => y.len() == 4 && y.parse::<u32>().is_ok(),
            [y, m] => {
                y.len() == 4
                    && y.parse::<u32>().is_ok()
                    && m.len() == 2
                    && m.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
            }
            [y, m, d] => y.len() == 4 && m.len() == 2 && d.len() == 2 && Date::parse(&s).is_ok(),
            _ => false,
        };
        if ok {
            Ok(PartialDate(s))
        } else {
            Err(yaml::custom(format!("invalid date `{s}`: write YYYY-MM-DD, YYYY-MM or YYYY")))
        }
    }
}

/// Reads a scalar as text: `2019` is a number in YAML, but a year here.
fn serde_yaml_value_to_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct V;
    impl de::Visitor<'_> for V {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a date")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
    }
    d.deserialize_any(V)
}

/// Where a fact comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Title of the document.
    pub title: String,
    /// Its date.
    #[serde(default)]
    pub date: Option<PartialDate>,
    /// Its kind.
    pub kind: SourceKind,
    /// Where it is online.
    #[serde(default)]
    pub url: Option<Url>,
    /// A copy under `data/documents/`.
    #[serde(default)]
    pub file: Option<String>,
}

/// The campaign group active in (or near) a commune.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LocalGroup {
    /// Its name.
    pub name: String,
    /// An e-mail address or contact page.
    #[serde(default)]
    pub contact: Option<String>,
    /// Its website.
    #[serde(default)]
    pub url: Option<Url>,
}

/// A campaign record, as written.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// INSEE code of the commune.
    pub insee: Insee,
    /// The commune's name, checked against the reference list.
    #[serde(default)]
    pub name: Option<String>,
    /// What is known.
    pub status: Status,
    /// Companies selling the software.
    #[serde(default)]
    pub vendors: Vec<String>,
    /// What it is used for.
    #[serde(default)]
    pub use_cases: Vec<UseCase>,
    /// Number of cameras (of the whole network, when known).
    #[serde(default)]
    pub cameras: Option<u32>,
    /// Since when.
    #[serde(default)]
    pub since: Option<PartialDate>,
    /// Documents the facts come from.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// Notes per language code.
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
    /// The local group.
    #[serde(default)]
    pub local_group: Option<LocalGroup>,
    /// When the campaign last checked the record.
    #[serde(default)]
    pub last_verified: Option<PartialDate>,
    /// Fields the campaign is not sure of.
    #[serde(default)]
    pub uncertain: Vec<Field>,
}

/// A record with the file it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordFile {
    /// File, from the site root.
    pub path: PathBuf,
    /// Its text (for locating later errors).
    pub text: String,
    /// The record.
    pub record: Record,
}

/// Reads every record of `data/records/`.
/// With a `cache` (serve), files that did not change are not read again.
pub fn load(
    root: &Path,
    dir: &Path,
    languages: &[String],
    diags: &mut Vec<Diagnostic>,
    cache: Option<&crate::cache::FileCache<RecordFile>>,
) -> Vec<RecordFile> {
    let found: Vec<_> = files::walk(root, dir, diags)
        .into_iter()
        .filter(|f| {
            if f.rel.ends_with(".yaml") || f.rel.ends_with(".yml") {
                true
            } else {
                diags.push(
                    Diagnostic::warning(
                        "K510",
                        format!(
                            "{} is not a record (.yaml) and is ignored",
                            crate::diag::rel_to(root, &f.path).display()
                        ),
                    )
                    .at(crate::diag::rel_to(root, &f.path)),
                );
                false
            }
        })
        .collect();
    let results: Vec<Result<RecordFile, Vec<Diagnostic>>> = found
        .into_par_iter()
        .map(|f| {
            let stamp = cache.and_then(|_| crate::cache::stamp(&f.path));
            if let (Some(c), Some(s)) = (cache, stamp) {
                if let Some(r) = c.get(&f.path, s) {
                    return Ok(r);
                }
            }
            let r = read_one(root, &f.path, &f.rel, languages)?;
            if let (Some(c), Some(s)) = (cache, stamp) {
                c.put(f.path.clone(), s, r.clone());
            }
            Ok(r)
        })
        .collect();
    let mut out = Vec::new();
    for r in results {
        match r {
            Ok(rf) => out.push(rf),
            Err(d) => diags.extend(d),
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn read_one(
    root: &Path,
    path: &Path,
    rel: &str,
    languages: &[String],
) -> Result<RecordFile, Vec<Diagnostic>> {
    let display = crate::diag::rel_to(root, path);
    let text = crate::load::read_text(root, path, crate::load::MAX_TEXT_FILE).map_err(|d| vec![d])?;
    let record: Record = yaml::parse(&text).map_err(|e| {
        let mut d = Diagnostic::error("K511", e.message).at(&display).located(&text, e.line, e.col, e.width);
        d.notes = e.notes;
        if let Some(h) = e.hint {
            d = d.hint(h);
        }
        if d.message.contains("written as a number") || d.message.contains("INSEE") {
            d = d.hint("INSEE codes are text: `insee: \"01001\"`");
        }
        vec![d]
    })?;
    let mut errors = Vec::new();
    let at = |path: &str| yaml::locate(&text, path).unwrap_or((1, 1, 1));
    let err = |code: &'static str, path: &str, msg: String| {
        let (l, c, w) = at(path);
        Diagnostic::error(code, msg).at(&display).located(&text, l, c, w)
    };
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let file_code = name.split(['-', '.']).next().unwrap_or("");
    if file_code != record.insee.0 {
        errors.push(
            err(
                "K512",
                "insee",
                format!("the file name says `{file_code}` but `insee` is `{}`", record.insee.0),
            )
            .hint(format!("name the file {}-<commune>.yaml", record.insee.0)),
        );
    }
    if matches!(record.status, Status::Deployed | Status::Experiment) && record.sources.is_empty() {
        errors.push(err("K513", "status", format!("status `{}` needs at least one source", record.status.id()))
            .hint("add `sources:` with the document that establishes it (CADA answer, deliberation, prefectoral order, article); if it is only reported, use `status: unknown`"));
    }
    for (i, s) in record.sources.iter().enumerate() {
        match (&s.url, &s.file) {
            (None, None) => errors.push(err("K514", &format!("sources[{i}]"), format!("source `{}` has neither `url` nor `file`", s.title)).hint("give the address of the document, or put a copy in data/documents/ and write `file: name.pdf`")),
            (Some(_), Some(_)) => errors.push(err("K514", &format!("sources[{i}].file"), format!("source `{}` has both `url` and `file`", s.title)).hint("keep one")),
            (None, Some(f)) => {
                let bad = f.is_empty() || f.starts_with('/') || f.contains('\\') || f.split('/').any(|p| p == ".." || p == "." || p.is_empty());
                if bad {
                    errors.push(err("K515", &format!("sources[{i}].file"), format!("`{f}` is not a path inside data/documents/")).hint("write the file name relative to data/documents/, e.g. `file: marseille-cada-2020.pdf`"));
                } else if !root.join("data/documents").join(f).is_file() {
                    errors.push(err("K515", &format!("sources[{i}].file"), format!("data/documents/{f} does not exist")).hint("add the document or fix the file name"));
                }
            }
            (Some(_), None) => {}
        }
    }
    for lang in record.notes.keys() {
        if !languages.contains(lang) {
            errors.push(
                err(
                    "K516",
                    &format!("notes.{lang}"),
                    format!("notes in `{lang}`, which is not a configured language"),
                )
                .hint(format!("use one of: {}", languages.join(", "))),
            );
        }
    }
    if let Some(g) = &record.local_group {
        if let Some(c) = &g.contact {
            let ok = c.starts_with("https://")
                || c.starts_with("http://")
                || (c.contains('@') && !c.contains(' '));
            if !ok {
                errors.push(
                    err(
                        "K517",
                        "local_group.contact",
                        format!("contact `{c}` is neither an e-mail address nor an http(s) URL"),
                    )
                    .hint("write an e-mail address or the URL of a contact page"),
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(RecordFile { path: display, text, record })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, name: &str) -> Result<RecordFile, Vec<Diagnostic>> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("data/records")).unwrap();
        let p = dir.path().join("data/records").join(name);
        std::fs::write(&p, text).unwrap();
        read_one(dir.path(), &p, name, &["fr".into(), "en".into()])
    }

    const OK: &str = "insee: \"13055\"\nname: Marseille\nstatus: deployed\nvendors: [SNEF]\nuse_cases: [abnormal-behaviour]\nsources:\n  - title: Réponse CADA\n    date: 2020-03\n    kind: cada-response\n    url: https://technopolice.fr/\nnotes:\n  fr: Texte.\nlast_verified: 2026-11-01\nuncertain: [cameras]\n";

    #[test]
    fn a_valid_record() {
        let r = read(OK, "13055-marseille.yaml").unwrap().record;
        assert_eq!(r.status, Status::Deployed);
        assert_eq!(r.use_cases, [UseCase::AbnormalBehaviour]);
        assert_eq!(r.sources[0].date, Some(PartialDate("2020-03".into())));
    }

    fn first(text: &str, name: &str) -> Diagnostic {
        read(text, name).unwrap_err().remove(0)
    }

    #[test]
    fn bad_records_are_located() {
        let d = first(&OK.replace("insee: \"13055\"", "insee: 1001"), "01001-x.yaml");
        assert!(d.message.contains("written as a number"), "{}", d.message);
        assert_eq!(d.line, Some(1));
        let d = first(&OK.replace("status: deployed", "status: deploy"), "13055-m.yaml");
        assert_eq!(d.message, "invalid value `deploy` for `status`");
        assert_eq!(d.hint.as_deref(), Some("did you mean `deployed`?"));
        let d = first(&OK.replace("[abnormal-behaviour]", "[facial-recognition]"), "13055-m.yaml");
        assert_eq!(d.hint.as_deref(), Some("did you mean `face-recognition`?"));
        let d = first(&OK.replace("date: 2020-03", "date: 2020-13"), "13055-m.yaml");
        assert_eq!(
            (d.line, d.message.as_str()),
            (Some(8), "invalid date `2020-13`: write YYYY-MM-DD, YYYY-MM or YYYY (at `sources[0].date`)")
        );
        for bad in ["2020-3-05", "2020-03-05T10:00:00", "20-03-05"] {
            let d = first(&OK.replace("date: 2020-03", &format!("date: \"{bad}\"")), "13055-m.yaml");
            assert!(d.message.starts_with(&format!("invalid date `{bad}`")), "{bad}: {}", d.message);
        }
        let d = first(&OK.replace("https://technopolice.fr/", "javascript:alert(1)"), "13055-m.yaml");
        assert!(d.message.contains("is not an http(s) URL"));
        assert_eq!(d.line, Some(10));
    }

    #[test]
    fn checks_after_parsing() {
        let d = first(OK, "13056-marseille.yaml");
        assert_eq!(d.message, "the file name says `13056` but `insee` is `13055`");
        let no_source = "insee: \"13055\"\nstatus: deployed\n";
        let d = first(no_source, "13055-m.yaml");
        assert_eq!((d.line, d.message.as_str()), (Some(2), "status `deployed` needs at least one source"));
        let d = first(&OK.replace("url: https://technopolice.fr/", "file: ../../etc/passwd"), "13055-m.yaml");
        assert!(d.message.contains("is not a path inside data/documents/"), "{}", d.message);
        let d = first(&OK.replace("  fr: Texte.", "  de: Text."), "13055-m.yaml");
        assert_eq!(d.message, "notes in `de`, which is not a configured language");
    }
}
