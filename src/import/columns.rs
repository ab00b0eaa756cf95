//! Column headers, in French or English, case- and accent-insensitive, mapped to record
//! fields; and the cell values that have a vocabulary (statuses, use cases).

use crate::diag::{Diagnostic, suggest};
use crate::model::record::{Status, UseCase};

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Col {
    /// INSEE code.
    Insee,
    /// Commune name.
    Name,
    /// Département code or name.
    Departement,
    /// Status.
    Status,
    /// Vendors.
    Vendors,
    /// Use cases.
    UseCases,
    /// Sources (URLs).
    Sources,
    /// Notes, in a language (`None`: the site's default language).
    Notes(Option<String>),
    /// Local group's name.
    LocalGroup,
    /// Since when.
    Since,
    /// Number of cameras.
    Cameras,
}

/// Every header understood, as written in the error listing them.
pub const KNOWN: &[(&str, Col)] = &[
    ("insee", Col::Insee),
    ("code", Col::Insee),
    ("code insee", Col::Insee),
    ("code commune", Col::Insee),
    ("commune", Col::Name),
    ("nom", Col::Name),
    ("name", Col::Name),
    ("nom de la commune", Col::Name),
    ("département", Col::Departement),
    ("dept", Col::Departement),
    ("dep", Col::Departement),
    ("department", Col::Departement),
    ("statut", Col::Status),
    ("status", Col::Status),
    ("fournisseur(s)", Col::Vendors),
    ("vendor(s)", Col::Vendors),
    ("usages", Col::UseCases),
    ("usage", Col::UseCases),
    ("use_cases", Col::UseCases),
    ("source(s)", Col::Sources),
    ("notes", Col::Notes(None)),
    ("groupe local", Col::LocalGroup),
    ("local_group", Col::LocalGroup),
    ("date", Col::Since),
    ("since", Col::Since),
    ("depuis", Col::Since),
    ("caméras", Col::Cameras),
    ("cameras", Col::Cameras),
];

/// `Département` → `departement`; `Use cases`, `use-cases` → `use_cases`;
/// `Fournisseurs`, `fournisseur(s)` → `fournisseur`.
pub fn normalise(h: &str) -> String {
    let ascii = deunicode::deunicode(h).to_lowercase();
    let ascii = ascii.replace("(s)", "");
    let words: Vec<&str> =
        ascii.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let mut s = words.join("_");
    if s.ends_with('s') && !matches!(s.as_str(), "notes" | "usages" | "status" | "use_cases" | "cameras") {
        s.pop();
    }
    match s.as_str() {
        "usage" | "use_case" => "use_cases".into(),
        "camera" => "cameras".into(),
        "statu" => "status".into(),
        _ => s,
    }
}

/// The column a header names. `languages` are the site's, for `notes (en)`, `notes_fr`.
pub fn column(header: &str, languages: &[String]) -> Option<Col> {
    let n = normalise(header);
    if let Some(lang) = n.strip_prefix("notes_").or_else(|| n.strip_prefix("note_")) {
        return languages.iter().any(|l| l == lang).then(|| Col::Notes(Some(lang.to_string())));
    }
    if n == "note" {
        return Some(Col::Notes(None));
    }
    KNOWN.iter().find(|(k, _)| normalise(k) == n).map(|(_, c)| c.clone())
}

/// The columns of a header row; every unknown or repeated header is reported.
pub fn map(
    headers: &[String],
    languages: &[String],
    at: impl Fn(Diagnostic, usize) -> Diagnostic,
) -> Result<Vec<Option<Col>>, Vec<Diagnostic>> {
    let mut cols = Vec::new();
    let mut errors = Vec::new();
    let known: Vec<&str> = KNOWN.iter().map(|(k, _)| *k).collect();
    let mut listing = known.join(", ");
    listing.push_str(&format!(", notes (<lang>) with <lang> one of {}", languages.join(", ")));
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            cols.push(None);
            continue;
        }
        match column(h, languages) {
            Some(c) => {
                if let Some(j) = cols.iter().position(|o| o.as_ref() == Some(&c)) {
                    errors.push(
                        at(
                            Diagnostic::error(
                                "K571",
                                format!("column `{h}` repeats column `{}`", headers[j]),
                            ),
                            i + 1,
                        )
                        .hint("keep one column per field, or merge their cells"),
                    );
                }
                cols.push(Some(c));
            }
            None => {
                let norm: Vec<String> = known.iter().map(|k| normalise(k)).collect();
                let hint = match suggest(&normalise(h), norm.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`? known columns: {listing}"),
                    None => format!("known columns: {listing}"),
                };
                errors.push(at(Diagnostic::error("K571", format!("unknown column `{h}`")), i + 1).hint(hint));
                cols.push(None);
            }
        }
    }
    if !cols.iter().flatten().any(|c| matches!(c, Col::Insee | Col::Name)) && errors.is_empty() {
        errors.push(
            at(
                Diagnostic::error(
                    "K571",
                    "no commune column: the table needs `commune` (a name) or `insee` (a code)",
                ),
                1,
            )
            .hint(format!("known columns: {listing}")),
        );
    }
    if errors.is_empty() { Ok(cols) } else { Err(errors) }
}

/// A status in French or English (`déployé`, `Expérimentation`, `projet`, `refused`, `?`).
pub fn status(v: &str) -> Option<Status> {
    let n = deunicode::deunicode(v).to_lowercase();
    let n = n.trim();
    Some(match n {
        "deployed" | "deploye" | "deployee" | "deploy" | "en service" | "installe" | "actif" => {
            Status::Deployed
        }
        "experiment" | "experimentation" | "experimental" | "experimente" | "test" | "en test" => {
            Status::Experiment
        }
        "planned" | "projet" | "en projet" | "prevu" | "annonce" | "envisage" | "vote" => Status::Planned,
        "refused" | "refuse" | "refusee" | "rejete" | "non" => Status::Refused,
        "unknown" | "inconnu" | "?" | "a verifier" | "nsp" => Status::Unknown,
        _ => return None,
    })
}

/// The statuses as the error lists them.
pub const STATUSES: &str =
    "déployé (deployed), expérimentation (experiment), projet (planned), refusé (refused), inconnu (unknown)";

/// A use case by its id, with spaces or underscores for hyphens (`Face recognition`).
pub fn use_case(v: &str) -> Result<UseCase, (String, String)> {
    let n: String = deunicode::deunicode(v).to_lowercase().replace([' ', '_'], "-");
    UseCase::ALL.iter().copied().find(|u| u.id() == n).ok_or_else(|| {
        let ids: Vec<&str> = UseCase::ALL.iter().map(|u| u.id()).collect();
        let hint = match suggest(&n, ids.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? known use cases: {}", ids.join(", ")),
            None => format!("known use cases: {}", ids.join(", ")),
        };
        (format!("unknown use case `{v}`"), hint)
    })
}

/// Splits a list cell on `,`, `;`, `|` and line breaks.
pub fn list(v: &str) -> Vec<String> {
    v.split([',', ';', '|', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_french_and_english() {
        let langs = vec!["fr".to_string(), "en".to_string()];
        let c = |h: &str| column(h, &langs);
        assert_eq!(c("Département"), Some(Col::Departement));
        assert_eq!(c(" CODE INSEE "), Some(Col::Insee));
        assert_eq!(c("Fournisseurs"), Some(Col::Vendors));
        assert_eq!(c("fournisseur(s)"), Some(Col::Vendors));
        assert_eq!(c("Vendor"), Some(Col::Vendors));
        assert_eq!(c("Use cases"), Some(Col::UseCases));
        assert_eq!(c("Statut"), Some(Col::Status));
        assert_eq!(c("Sources"), Some(Col::Sources));
        assert_eq!(c("Groupe local"), Some(Col::LocalGroup));
        assert_eq!(c("notes (en)"), Some(Col::Notes(Some("en".into()))));
        assert_eq!(c("notes_fr"), Some(Col::Notes(Some("fr".into()))));
        assert_eq!(c("notes (de)"), None);
        assert_eq!(c("couleur"), None);
    }

    #[test]
    fn statuses_in_french() {
        assert_eq!(status("Déployé"), Some(Status::Deployed));
        assert_eq!(status("expérimentation"), Some(Status::Experiment));
        assert_eq!(status("Projet"), Some(Status::Planned));
        assert_eq!(status("refusé"), Some(Status::Refused));
        assert_eq!(status("inconnu"), Some(Status::Unknown));
        assert_eq!(status("peut-être"), None);
        assert_eq!(use_case("Face recognition"), Ok(UseCase::FaceRecognition));
        assert!(
            use_case("facial-recognition").unwrap_err().1.starts_with("did you mean `face-recognition`?")
        );
    }
}
