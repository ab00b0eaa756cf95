//! Campaign records: what is known about algorithmic video surveillance in a commune.
//!
//! A record states a status, vendors, use cases from a controlled vocabulary, sources, notes
//! per language and the local group. Anything the campaign is not sure of is listed under
//! `uncertain`, and the pages say so. The files are read by `load::records`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use super::census::Insee;
use super::source::Date;
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
