//! Campaign records: `data/records/<INSEE>-<slug>.yaml`, one per commune where something is
//! known about algorithmic video surveillance.
//!
//! A record states a status, vendors, use cases from a controlled vocabulary, sources, notes
//! per language and the local group. Anything the campaign is not sure of is listed under
//! `uncertain`, and the pages say so. The format is described by a JSON Schema published with
//! the open data (`downloads/record.schema.json`).

use std::path::Path;

use rayon::prelude::*;

use super::files;
use crate::cache::FileCache;
use crate::diag::Diagnostic;
use crate::model::record::{Record, RecordFile, Status};
use crate::yaml;

/// Reads every record of `data/records/`.
/// With a `cache` (serve), files that did not change are not read again.
pub fn load(
    root: &Path,
    dir: &Path,
    languages: &[String],
    diags: &mut Vec<Diagnostic>,
    cache: Option<&FileCache<RecordFile>>,
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
            FileCache::get_or_make(cache, &f.path, stamp, || read_one(root, &f.path, &f.rel, languages))
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
    let record = parse(root, &display, rel, &text, languages)?;
    Ok(RecordFile { path: display, text, record })
}

/// Parses and checks the text of a record file (`rel` is its name under `data/records/`;
/// source documents are looked for under `root/data/documents/`).
pub fn parse(
    root: &Path,
    display: &Path,
    rel: &str,
    text: &str,
    languages: &[String],
) -> Result<Record, Vec<Diagnostic>> {
    let text = text.to_string();
    let record: Record = yaml::parse(&text).map_err(|e| {
        let mut d = Diagnostic::error("K511", e.message).at(display).located(&text, e.line, e.col, e.width);
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
        Diagnostic::error(code, msg).at(display).located(&text, l, c, w)
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
    if let Some(g) = &record.local_group
        && let Some(c) = &g.contact
    {
        let ok =
            c.starts_with("https://") || c.starts_with("http://") || (c.contains('@') && !c.contains(' '));
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
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::record::{PartialDate, UseCase};

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
