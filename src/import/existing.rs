//! The records already in `data/records/` (sub-folders too), by INSEE code: the import updates
//! a commune's record in its own file, whatever its name, and never touches one that does not
//! validate.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::model::census::Insee;
use crate::model::record::Record;

/// Records by INSEE code, each with its file (the first file of a code).
pub type Existing = BTreeMap<Insee, (PathBuf, Record)>;
/// Records that do not validate, by the code their file name starts with.
pub type Broken = BTreeMap<String, (PathBuf, Vec<Diagnostic>)>;

/// The records already in `data/records/`.
pub fn records(root: &Path, languages: &[String]) -> (Existing, Broken) {
    let mut out = BTreeMap::new();
    let mut broken = BTreeMap::new();
    let dir = root.join("data/records");
    if !dir.is_dir() {
        return (out, broken);
    }
    // Problems with the folder itself are the build's to report.
    let mut ignored = Vec::new();
    for f in crate::load::files::walk(root, &dir, &mut ignored) {
        if !(f.rel.ends_with(".yaml") || f.rel.ends_with(".yml")) {
            continue;
        }
        let rel = crate::diag::rel_to(root, &f.path);
        let name = f.rel.rsplit('/').next().unwrap_or(&f.rel).to_string();
        let code = name.split(['-', '.']).next().unwrap_or("").to_string();
        let parsed = crate::load::read_text(root, &f.path, crate::load::MAX_TEXT_FILE)
            .map_err(|d| vec![d])
            .and_then(|text| crate::load::records::parse(root, &rel, &f.rel, &text, languages));
        match parsed {
            Ok(r) => {
                out.entry(r.insee.clone()).or_insert((rel, r));
            }
            Err(ds) => {
                broken.entry(code).or_insert((rel, ds));
            }
        }
    }
    (out, broken)
}
