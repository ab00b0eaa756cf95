//! The reference list of French communes, départements and regions (open data).
//!
//! Read from `data/communes-fr.json` (or `.csv`, same columns, so a campaign can bring its own
//! export), `data/departements-fr.json` and `data/regions-fr.json`. INSEE codes are text: a code
//! written as a number, or one that lost its leading zero in a spreadsheet (`1001` for `01001`),
//! is an error with its line, never silently "fixed".

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::model::census::{Commune, Departement, Insee, Reference, Region, TownHall};

/// Largest data file kitgen reads.
pub const MAX_DATA_FILE: u64 = 64 * 1024 * 1024;

const COMMUNE_HINT: &str = "each record needs code, nom, departement, region, population, codesPostaux, typeLiaison, lat and lon; codes are strings";

/// Where the reference files are.
#[derive(Debug, Clone)]
pub struct Paths {
    /// Communes (`.json` or `.csv`).
    pub communes: PathBuf,
    /// Départements.
    pub departements: PathBuf,
    /// Regions.
    pub regions: PathBuf,
    /// Town halls (`data/mairies-fr.json`), when the site has them.
    pub town_halls: Option<PathBuf>,
}

impl Paths {
    /// The default files under `data/`; `None` when the site has no commune list.
    pub fn find(root: &Path) -> Option<Paths> {
        let data = root.join("data");
        let communes =
            ["communes-fr.json", "communes-fr.csv"].iter().map(|n| data.join(n)).find(|p| p.is_file())?;
        Some(Paths {
            communes,
            departements: data.join("departements-fr.json"),
            regions: data.join("regions-fr.json"),
            town_halls: Some(data.join("mairies-fr.json")).filter(|p| p.is_file()),
        })
    }
}

/// Loads the three files; every problem goes to `diags`.
pub fn load(root: &Path, paths: &Paths, diags: &mut Vec<Diagnostic>) -> Reference {
    let mut version = std::collections::hash_map::DefaultHasher::new();
    let mut read = |p: &Path| -> Option<String> {
        match crate::load::read_text(root, p, MAX_DATA_FILE) {
            Ok(t) => {
                use std::hash::Hash;
                t.hash(&mut version);
                Some(t)
            }
            Err(d) => {
                diags.push(d);
                None
            }
        }
    };
    let communes_text = read(&paths.communes);
    let dep_text = read(&paths.departements);
    let reg_text = read(&paths.regions);
    let halls_text = paths.town_halls.as_deref().and_then(&mut read);
    let display = |p: &Path| crate::diag::rel_to(root, p);

    let mut communes = match &communes_text {
        Some(t) if paths.communes.extension().is_some_and(|e| e == "csv") => {
            parse_csv(t, &display(&paths.communes), diags)
        }
        Some(t) => parse_json::<Commune>(t, &display(&paths.communes), COMMUNE_HINT, diags),
        None => Vec::new(),
    };
    let mut departements = dep_text
        .map(|t| parse_json::<Departement>(&t, &display(&paths.departements), COMMUNE_HINT, diags))
        .unwrap_or_default();
    let mut regions = reg_text
        .map(|t| parse_json::<Region>(&t, &display(&paths.regions), COMMUNE_HINT, diags))
        .unwrap_or_default();
    let mut town_halls = match (&halls_text, &paths.town_halls) {
        (Some(t), Some(p)) => parse_json::<TownHall>(
            t,
            &display(p),
            "each town hall has a `code` (text) and may have `adresse` (a list of lines), `email`, `telephone` and `site`; scripts/mairies.py regenerates the file",
            diags,
        ),
        _ => Vec::new(),
    };
    town_halls.sort_by(|a, b| a.code.cmp(&b.code));
    communes.sort_by(|a, b| a.code.cmp(&b.code));
    departements.sort_by(|a, b| a.code.cmp(&b.code));
    regions.sort_by(|a, b| a.code.cmp(&b.code));

    // Duplicates and references between the files.
    let cdisplay = display(&paths.communes);
    for w in communes.windows(2) {
        if w[0].code == w[1].code {
            let line = |n: usize| communes_text.as_deref().and_then(|t| line_of_code(t, &w[0].code.0, n));
            let mut d =
                Diagnostic::error("K503", format!("commune {} is listed twice", w[0].code.0)).at(&cdisplay);
            if let Some(l) = line(1) {
                d = d.line_col(l, 1);
            }
            if let Some(l) = line(0) {
                d = d.note(format!("first listed on line {l}"));
            }
            diags.push(d.hint("keep one line per INSEE code"));
        }
    }
    let deps: HashMap<&str, &Departement> = departements.iter().map(|d| (d.code.as_str(), d)).collect();
    let regs: HashMap<&str, &Region> = regions.iter().map(|r| (r.code.as_str(), r)).collect();
    if !departements.is_empty() {
        for c in &communes {
            if !deps.contains_key(c.departement.as_str()) {
                let mut d = Diagnostic::error(
                    "K504",
                    format!(
                        "commune {} ({}) is in département `{}`, which {} does not list",
                        c.code.0,
                        c.nom,
                        c.departement,
                        display(&paths.departements).display()
                    ),
                )
                .at(&cdisplay);
                if let Some(l) = communes_text.as_deref().and_then(|t| line_of_code(t, &c.code.0, 0)) {
                    d = d.line_col(l, 1);
                }
                diags.push(d);
            }
        }
    }
    if !regions.is_empty() {
        for dep in &departements {
            if !regs.contains_key(dep.region.as_str()) {
                diags.push(
                    Diagnostic::error(
                        "K504",
                        format!(
                            "département {} is in region `{}`, which {} does not list",
                            dep.code,
                            dep.region,
                            display(&paths.regions).display()
                        ),
                    )
                    .at(display(&paths.departements)),
                );
            }
        }
    }
    use std::hash::Hasher;
    Reference { communes, departements, regions, town_halls, version: version.finish() }
}

/// The 1-based line of the (n+1)-th record with this code.
fn line_of_code(text: &str, code: &str, n: usize) -> Option<usize> {
    let json = format!("\"code\":\"{code}\"");
    let json_spaced = format!("\"code\": \"{code}\"");
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            l.contains(&json)
                || l.contains(&json_spaced)
                || l.starts_with(&format!("{code},"))
                || l.starts_with(&format!("{code};"))
                || l.starts_with(&format!("\"{code}\""))
        })
        .nth(n)
        .map(|(i, _)| i + 1)
}

/// A JSON array of records; an error points at its line and column.
fn parse_json<T: serde::de::DeserializeOwned>(
    text: &str,
    display: &Path,
    hint: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<T> {
    match serde_json::from_str::<Vec<T>>(text) {
        Ok(v) => v,
        Err(e) => {
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).replace("\u{1}kitgen:", "");
            diags.push(
                Diagnostic::error("K502", msg)
                    .at(display)
                    .located(text, e.line(), e.column(), 1)
                    .hint(hint.to_string()),
            );
            Vec::new()
        }
    }
}

/// A CSV export with the same column names. The delimiter (`,` or `;`) is read from the header.
fn parse_csv(text: &str, display: &Path, diags: &mut Vec<Diagnostic>) -> Vec<Commune> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header = text.lines().next().unwrap_or("");
    let delimiter = if header.contains(';') && !header.contains(',') { b';' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).flexible(false).from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            diags.push(
                Diagnostic::error("K502", format!("cannot read the CSV header: {e}"))
                    .at(display)
                    .line_col(1, 1),
            );
            return Vec::new();
        }
    };
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let required = ["code", "nom", "departement", "region"];
    let missing: Vec<&str> = required.iter().copied().filter(|c| col(c).is_none()).collect();
    if !missing.is_empty() {
        diags.push(
            Diagnostic::error("K502", format!("CSV header lacks column{} {}", if missing.len() > 1 { "s" } else { "" }, missing.join(", ")))
                .at(display)
                .located(text, 1, 1, header.chars().count())
                .hint("expected columns: code, nom, departement, region, population, codesPostaux, typeLiaison, lat, lon"),
        );
        return Vec::new();
    }
    fn field(r: &csv::StringRecord, i: Option<usize>) -> &str {
        i.and_then(|i| r.get(i)).map(str::trim).unwrap_or("")
    }
    let get = |r: &'_ csv::StringRecord, name: &str| -> String { field(r, col(name)).to_string() };
    let mut out = Vec::new();
    let mut errors = 0;
    for (i, rec) in reader.records().enumerate() {
        // The line from the record's byte offset: right with CRLF endings (the reader's own
        // line count is not) and with quoted fields over several lines (counting records is not).
        let position = match &rec {
            Ok(r) => r.position().cloned(),
            Err(e) => e.position().cloned(),
        };
        let line = position
            .map(|p| {
                // With CRLF endings the position may stop at the `\n` ending the line before.
                let mut b = p.byte() as usize;
                while matches!(text.as_bytes().get(b), Some(b'\r' | b'\n')) {
                    b += 1;
                }
                text.get(..b).map(|before| before.matches('\n').count() + 1).unwrap_or(i + 2)
            })
            .unwrap_or(i + 2);
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let (msg, hint) = match e.kind() {
                    csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                        let other = if delimiter == b',' { ';' } else { ',' };
                        let row = text.lines().nth(line - 1).unwrap_or("");
                        let hint = if row.contains(other) {
                            format!(
                                "this row seems separated by `{other}`; the header uses `{}`",
                                delimiter as char
                            )
                        } else {
                            "each row needs as many fields as the header; quote fields that contain the delimiter".to_string()
                        };
                        (format!("row {line} has {len} fields, the header has {expected_len}"), hint)
                    }
                    _ => (format!("row {line}: {e}"), "save the file as UTF-8 CSV".to_string()),
                };
                diags.push(Diagnostic::error("K502", msg).at(display).located(text, line, 1, 1).hint(hint));
                errors += 1;
                if errors > 50 {
                    break;
                }
                continue;
            }
        };
        let mut row_err = |msg: String, hint: &str| {
            diags.push(
                Diagnostic::error("K502", format!("row {line}: {msg}"))
                    .at(display)
                    .located(text, line, 1, 1)
                    .hint(hint.to_string()),
            );
        };
        let code = match Insee::parse(&get(&rec, "code")) {
            Ok(c) => c,
            Err(m) => {
                row_err(m, "format the code column as text in the spreadsheet before exporting");
                continue;
            }
        };
        let num = |name: &str| -> Result<Option<f64>, String> {
            let v = get(&rec, name);
            if v.is_empty() {
                Ok(None)
            } else {
                v.replace(',', ".")
                    .parse::<f64>()
                    .map(Some)
                    .map_err(|_| format!("`{name}` is not a number: `{v}`"))
            }
        };
        let (population, liaison, lat, lon) =
            match (num("population"), num("typeLiaison"), num("lat"), num("lon")) {
                (Ok(p), Ok(t), Ok(la), Ok(lo)) => (p, t, la, lo),
                (p, t, la, lo) => {
                    for e in [p.err(), t.err(), la.err(), lo.err()].into_iter().flatten() {
                        row_err(e, "use a dot or a comma as decimal separator, nothing else");
                    }
                    continue;
                }
            };
        out.push(Commune {
            code,
            nom: get(&rec, "nom"),
            departement: get(&rec, "departement"),
            region: get(&rec, "region"),
            population: population.map(|p| p as u64),
            codes_postaux: get(&rec, "codesPostaux")
                .split([' ', '|', '/'])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            type_liaison: liaison.map(|t| t as u8),
            lat,
            lon,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insee_codes() {
        assert!(Insee::parse("01001").is_ok());
        assert!(Insee::parse("2A004").is_ok());
        assert!(Insee::parse("97411").is_ok());
        assert!(Insee::parse("1001").unwrap_err().contains("lost its leading zero"));
        assert!(Insee::parse("2a004").unwrap_err().contains("capital letter"));
        assert!(Insee::parse("abc").is_err());
    }

    #[test]
    fn json_codes_must_be_text() {
        let mut diags = Vec::new();
        let v: Vec<Commune> = parse_json(
            "[\n{\"code\":1001,\"nom\":\"X\",\"departement\":\"01\",\"region\":\"84\",\"population\":1,\"codesPostaux\":[],\"typeLiaison\":0,\"lat\":null,\"lon\":null}\n]",
            Path::new("data/communes-fr.json"),
            "the reference list",
            &mut diags,
        );
        assert!(v.is_empty());
        assert_eq!(diags[0].line, Some(2));
        assert!(diags[0].message.contains("written as a number"), "{}", diags[0].message);
    }

    #[test]
    fn csv_with_semicolons_ragged_rows_and_lost_zeros() {
        let csv = "code;nom;departement;region;population;codesPostaux;typeLiaison;lat;lon\n01001;L'Abergement-Clémenciat;01;84;860;01400;5;46,1537;4,9259\n1002;Lost;01;84;1;01640;5;46;5\n01004,Comma,01,84,1,01500,1,46,5\n2A004;Ajaccio;2A;94;76320;20000 20090;1;41.9;8.7\n";
        let mut diags = Vec::new();
        let v = parse_csv(csv, Path::new("data/communes-fr.csv"), &mut diags);
        let codes: Vec<&str> = v.iter().map(|c| c.code.0.as_str()).collect();
        assert_eq!(codes, ["01001", "2A004"]);
        assert_eq!(v[0].lat, Some(46.1537));
        assert_eq!(v[1].codes_postaux, ["20000", "20090"]);
        let msgs: Vec<String> = diags
            .iter()
            .map(|d| format!("{}:{} {}", d.line.unwrap(), d.message, d.hint.clone().unwrap_or_default()))
            .collect();
        assert!(msgs[0].starts_with("3:row 3: INSEE code `1002` has 4 digits"), "{msgs:?}");
        assert!(
            msgs[1].starts_with("4:row 4 has 1 fields, the header has 9")
                && msgs[1].contains("separated by `,`"),
            "{msgs:?}"
        );
    }

    #[test]
    fn real_reference_files_load() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let Some(paths) = Paths::find(root) else { return };
        let mut diags = Vec::new();
        let r = load(root, &paths, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        assert!(r.communes.len() > 34_000);
        assert_eq!(r.departements.len(), 109);
        assert!(r.communes.iter().any(|c| c.code.0 == "2A004" && c.nom == "Ajaccio"));
    }
}
