//! The reference list of French communes, départements and regions, as typed values.
//!
//! INSEE codes are text: a code written as a number, or one that lost its leading zero in a
//! spreadsheet (`1001` for `01001`), is refused with a message, never silently "fixed".

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

/// An INSEE commune code: five digits, or `2A`/`2B` and three digits for Corsica.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Insee(pub String);

impl Insee {
    /// Validates a code written as text.
    pub fn parse(s: &str) -> Result<Insee, String> {
        let s = s.trim();
        let b = s.as_bytes();
        let ok = b.len() == 5
            && (b.iter().all(u8::is_ascii_digit)
                || (b[0] == b'2' && (b[1] == b'A' || b[1] == b'B') && b[2..].iter().all(u8::is_ascii_digit)));
        if ok {
            return Ok(Insee(s.to_string()));
        }
        if b.len() == 4 && b.iter().all(u8::is_ascii_digit) {
            return Err(format!(
                "INSEE code `{s}` has 4 digits: it probably lost its leading zero (write `0{s}`, as text)"
            ));
        }
        if b.len() == 5 && (s.starts_with("2a") || s.starts_with("2b")) {
            return Err(format!(
                "INSEE code `{s}`: Corsican codes are written with a capital letter (`{}`)",
                s.to_uppercase()
            ));
        }
        Err(format!("`{s}` is not an INSEE code (five digits, or 2A/2B and three digits for Corsica)"))
    }
}

impl<'de> Deserialize<'de> for Insee {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Insee;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an INSEE code written as text, e.g. \"01001\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Insee, E> {
                Insee::parse(v).map_err(crate::yaml::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Insee, E> {
                Err(crate::yaml::custom(format!(
                    "INSEE code {v} is written as a number; write it as text in quotes (\"{v:05}\"), or the leading zero is lost"
                )))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Insee, E> {
                self.visit_u64(v.unsigned_abs())
            }
        }
        d.deserialize_any(V)
    }
}

/// A commune of the reference list.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Commune {
    /// INSEE code.
    pub code: Insee,
    /// Official name with its article (`L'Haÿ-les-Roses`).
    pub nom: String,
    /// Département code.
    pub departement: String,
    /// Region code.
    pub region: String,
    /// Municipal population.
    pub population: Option<u64>,
    /// Postal codes.
    #[serde(rename = "codesPostaux")]
    pub codes_postaux: Vec<String>,
    /// INSEE article type (TNCC), 0–8: which article and linking word the name takes.
    #[serde(rename = "typeLiaison")]
    pub type_liaison: Option<u8>,
    /// Latitude of the centre.
    pub lat: Option<f64>,
    /// Longitude of the centre.
    pub lon: Option<f64>,
}

/// A département (or overseas collectivity).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Departement {
    /// Code: `01`, `2A`, `974`.
    pub code: String,
    /// Name.
    pub nom: String,
    /// Region code.
    pub region: String,
    /// INSEE article type.
    #[serde(rename = "typeLiaison")]
    pub type_liaison: Option<u8>,
    /// `metro`, `drom` or `com`.
    pub zone: String,
}

/// A region.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Region {
    /// Code.
    pub code: String,
    /// Name.
    pub nom: String,
    /// INSEE article type.
    #[serde(rename = "typeLiaison")]
    pub type_liaison: Option<u8>,
    /// `metro`, `drom` or `com`.
    pub zone: String,
}

/// A commune's town hall, from the public-service directory: where letters are sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TownHall {
    /// INSEE code of the commune.
    pub code: Insee,
    /// Postal address, one line each, the last with the postal code and town.
    #[serde(default)]
    pub adresse: Vec<String>,
    /// E-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// Telephone.
    #[serde(default)]
    pub telephone: Option<String>,
    /// Website.
    #[serde(default)]
    pub site: Option<String>,
}

/// The reference data, loaded and checked.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    /// Communes, sorted by code.
    pub communes: Vec<Commune>,
    /// Départements, sorted by code.
    pub departements: Vec<Departement>,
    /// Regions, sorted by code.
    pub regions: Vec<Region>,
    /// Town halls, sorted by code (`data/mairies-fr.json`, when present).
    pub town_halls: Vec<TownHall>,
    /// A hash of the files, for rebuilds.
    pub version: u64,
}
