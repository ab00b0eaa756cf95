//! `kitgen import records`: a census kept in a spreadsheet becomes `data/records/*.yaml`.
//!
//! The file is read into rows (`table`), its headers mapped to fields (`columns`), each row
//! matched to a commune of the reference list (`matching`), the rows of one commune merged
//! into a record (`merge`). Every record is written as YAML through `yaml` and checked by the
//! build's own record validation (`load::records::parse`) *before* anything is written: the
//! import never leaves a record the next build refuses. See `docs/import.md`.

pub mod columns;
pub mod existing;
pub mod matching;
pub mod merge;
pub mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::{Config, Overrides};
use crate::diag::Diagnostic;
use crate::model::census::Insee;
use crate::model::record::{Field, Record, Status};
use columns::Col;
use matching::{Index, Match};

/// What to import and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// Site folder.
    pub root: PathBuf,
    /// The CSV, `.xlsx` or `.ods` file.
    pub file: PathBuf,
    /// Replace records that exist and differ.
    pub force: bool,
    /// Write nothing, only report.
    pub dry_run: bool,
}

/// What happened to a commune's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// A new file.
    Created,
    /// An existing file replaced (`--force`).
    Updated,
    /// The file already says this.
    Unchanged,
}

/// One record the import wrote (or would write).
#[derive(Debug, Clone)]
pub struct Written {
    /// What was done.
    pub action: Action,
    /// The file, from the site root.
    pub path: PathBuf,
    /// The rows it comes from.
    pub rows: Vec<usize>,
    /// The fields that changed (updates).
    pub changed: Vec<String>,
}

/// The outcome: records, problems, and the counts of the summary.
#[derive(Debug, Default)]
pub struct Report {
    /// Data rows read.
    pub rows: usize,
    /// Records created, updated or unchanged, in INSEE order.
    pub written: Vec<Written>,
    /// Every problem, errors (rows not imported) and warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// Rows naming several communes.
    pub ambiguous: usize,
    /// Rows matching no commune (intercommunal bodies included).
    pub unmatched: usize,
    /// Of which intercommunal bodies.
    pub intercommunal: usize,
    /// Rows with an invalid value, rows in conflict, records that would not validate.
    pub invalid: usize,
    /// Existing records that differ, kept without `--force`.
    pub kept: usize,
}

impl Report {
    /// How many records had this outcome.
    pub fn count(&self, a: Action) -> usize {
        self.written.iter().filter(|w| w.action == a).count()
    }

    /// Whether a row was not imported (exit status 1).
    pub fn incomplete(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Runs the import. `Err` is a problem with the whole file or site (nothing imported).
pub fn run(opts: &Options) -> Result<Report, Vec<Diagnostic>> {
    let root = &opts.root;
    let config = Config::load(root, &Overrides::default())?;
    let languages: Vec<String> = config.languages.iter().map(|l| l.code.clone()).collect();
    let default_lang = config.default_lang().code.clone();
    let Some(mut paths) = crate::load::communes::Paths::find(root) else {
        return Err(vec![Diagnostic::error("K570", "the site has no commune list (data/communes-fr.json): there is nothing to match the rows with")
            .hint("copy data/communes-fr.json, data/departements-fr.json and data/regions-fr.json from the campaign site")]);
    };
    // Town halls are for letters, not for matching: 5 MB less to read.
    paths.town_halls = None;
    let mut diags = Vec::new();
    let reference = crate::load::communes::load(root, &paths, &mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    let table = table::read(&opts.file).map_err(|d| vec![d])?;
    let first = table::Row { row: 1, line: 1, cells: Vec::new() };
    let cols = columns::map(&table.headers, &languages, |d, col| table.at(d, &first, col))?;
    let index = Index::new(&reference.communes, &reference.departements);
    let mut report = Report { rows: table.rows.len(), ..Report::default() };

    // Each row: its commune and its facts.
    let col_of = |c: &Col| cols.iter().position(|o| o.as_ref() == Some(c));
    let (code_col, name_col, dep_col) = (col_of(&Col::Insee), col_of(&Col::Name), col_of(&Col::Departement));
    let mut by_commune: BTreeMap<usize, Vec<(&table::Row, merge::Facts)>> = BTreeMap::new();
    for row in &table.rows {
        let cell = |c: Option<usize>| c.and_then(|i| row.cells.get(i)).map(String::as_str).unwrap_or("");
        let (code, name, dep) = (cell(code_col), cell(name_col), cell(dep_col));
        let err = |code: &'static str, col: Option<usize>, msg: String| {
            table.at(
                Diagnostic::error(code, format!("row {}: {msg}", row.row)),
                row,
                col.map_or(1, |c| c + 1),
            )
        };
        let found = match_row(&index, code, name, dep).map_err(|m| err("K572", code_col.or(dep_col), m));
        let commune = match found {
            Err(d) => {
                report.invalid += 1;
                report.diagnostics.push(d);
                continue;
            }
            Ok(Match::One(i)) => i,
            Ok(Match::Ambiguous(c)) => {
                report.ambiguous += 1;
                let list: Vec<String> = c.iter().map(|&i| index.describe(i)).collect();
                report.diagnostics.push(
                    err("K573", name_col, format!("{} communes are named `{name}`: not imported", c.len()))
                        .note(format!("candidates: {}", list.join(", ")))
                        .hint("add an `insee` column with the code, or a `département` column"),
                );
                continue;
            }
            Ok(Match::Intercommunal) => {
                report.unmatched += 1;
                report.intercommunal += 1;
                report.diagnostics.push(
                    err(
                        "K574",
                        name_col,
                        format!("`{name}` is an intercommunal body, not a commune: not imported"),
                    )
                    .hint("records are per commune: write one row for each member commune concerned"),
                );
                continue;
            }
            Ok(Match::UnknownCode) => {
                report.unmatched += 1;
                report.diagnostics.push(
                    err("K574", code_col, format!("no commune has the INSEE code `{code}`: not imported"))
                        .hint("check the code on https://www.insee.fr/fr/recherche/recherche-geographique (codes of merged communes change)"),
                );
                continue;
            }
            Ok(Match::None(near)) => {
                report.unmatched += 1;
                let what = if dep.is_empty() { String::new() } else { format!(" in département `{dep}`") };
                let mut d = err("K574", name_col, format!("no commune named `{name}`{what}: not imported"));
                d = if near.is_empty() {
                    d.hint("check the spelling, or give the INSEE code in an `insee` column")
                } else {
                    let list: Vec<String> = near.iter().map(|&i| index.describe(i)).collect();
                    d.hint(format!("nearest: {}", list.join(", ")))
                };
                report.diagnostics.push(d);
                continue;
            }
        };
        if code_col.is_some() && !name.is_empty() && !code.is_empty() {
            let c = &index.communes[commune];
            if matching::normalise(name) != matching::normalise(&c.nom) {
                report.diagnostics.push(table.at(
                    Diagnostic::warning(
                        "K578",
                        format!(
                            "row {}: `{name}` is not the name of {} ({}): the code is used",
                            row.row, c.code.0, c.nom
                        ),
                    ),
                    row,
                    name_col.map_or(1, |c| c + 1),
                ));
            }
        }
        match merge::facts(&cols, &row.cells, &default_lang) {
            Ok(f) => by_commune.entry(commune).or_default().push((row, f)),
            Err(errors) => {
                report.invalid += 1;
                for (col, m, hint) in errors {
                    report.diagnostics.push(
                        table
                            .at(
                                Diagnostic::error("K572", format!("row {}: {m}: not imported", row.row)),
                                row,
                                col,
                            )
                            .hint(hint),
                    );
                }
            }
        }
    }

    let (existing, broken) = existing::records(root, &languages);
    for (commune, rows) in by_commune {
        let c = &index.communes[commune];
        let (first_row, _) = rows[0];
        let row_numbers: Vec<usize> = rows.iter().map(|(r, _)| r.row).collect();
        let all: Vec<merge::Facts> = rows.into_iter().map(|(_, f)| f).collect();
        let facts = match merge::merge(&all) {
            Ok(f) => f,
            Err((what, a, b)) => {
                report.invalid += row_numbers.len();
                report.diagnostics.push(
                    table
                        .at(
                            Diagnostic::error(
                                "K575",
                                format!("rows {} are about {} ({}) and give different {what}: `{a}` and `{b}`: not imported", join(&row_numbers), c.nom, c.code.0),
                            ),
                            first_row,
                            1,
                        )
                        .hint(format!("make the rows agree on the {what}, or keep one row")),
                );
                continue;
            }
        };
        if let Some((path, problems)) = broken.get(&c.code.0) {
            report.invalid += row_numbers.len();
            report.diagnostics.push(
                table
                    .at(
                        Diagnostic::error(
                            "K576",
                            format!(
                                "row {}: {} exists but is invalid: not imported",
                                first_row.row,
                                path.display()
                            ),
                        ),
                        first_row,
                        1,
                    )
                    .hint("fix the record first (the errors follow), then import again"),
            );
            report.diagnostics.extend(problems.iter().cloned());
            continue;
        }
        let old = existing.get(&c.code);
        let mut record = merge::record(&c.code.0, &c.nom, facts, old.map(|(_, r)| r));
        if matches!(record.status, Status::Deployed | Status::Experiment) && record.sources.is_empty() {
            report.diagnostics.push(
                table
                    .at(
                        Diagnostic::warning(
                            "K577",
                            format!(
                                "row {}: {} is `{}` without a source: imported as `unknown`, with `status` marked uncertain",
                                first_row.row,
                                c.nom,
                                record.status.id()
                            ),
                        ),
                        first_row,
                        1,
                    )
                    .hint("add the document that establishes it in a `sources` column (a URL), then import again with --force"),
            );
            record.status = Status::Unknown;
            if !record.uncertain.contains(&Field::Status) {
                record.uncertain.push(Field::Status);
                record.uncertain.sort();
            }
        }
        let path = match old {
            Some((p, _)) => p.clone(),
            None => PathBuf::from(format!("data/records/{}-{}.yaml", c.code.0, crate::slug::slugify(&c.nom))),
        };
        let text = match validated(root, &path, &record, &languages) {
            Ok(t) => t,
            Err(problems) => {
                report.invalid += row_numbers.len();
                for m in problems {
                    report.diagnostics.push(table.at(
                        Diagnostic::error(
                            "K572",
                            format!("row {}: {} ({}): {m}: not imported", first_row.row, c.nom, c.code.0),
                        ),
                        first_row,
                        1,
                    ));
                }
                continue;
            }
        };
        let (action, changed) = match old {
            None => (Action::Created, Vec::new()),
            Some((_, r)) if *r == record => (Action::Unchanged, Vec::new()),
            Some((_, r)) => (Action::Updated, changed_fields(r, &record)),
        };
        if action == Action::Updated && !opts.force {
            report.kept += 1;
            report.diagnostics.push(
                table
                    .at(
                        Diagnostic::error(
                            "K576",
                            format!("row {}: {} exists and would change ({}): not overwritten", first_row.row, path.display(), changed.join(", ")),
                        ),
                        first_row,
                        1,
                    )
                    .hint("import again with --force to replace it (comments in the file are not kept), or edit the file"),
            );
            continue;
        }
        if !opts.dry_run && action != Action::Unchanged {
            let full = root.join(&path);
            let write = full
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|_| std::fs::write(&full, text.as_bytes()));
            if let Err(e) = write {
                return Err(vec![
                    Diagnostic::error("K570", format!("cannot write {}: {e}", path.display())).at(&path),
                ]);
            }
        }
        report.written.push(Written { action, path, rows: row_numbers, changed });
    }
    crate::diag::sort_dedup(&mut report.diagnostics);
    Ok(report)
}

/// Matches a row by code, else by name and département.
fn match_row(index: &Index<'_>, code: &str, name: &str, dep: &str) -> Result<Match, String> {
    if !code.is_empty() {
        let code = Insee::parse(code)?;
        return Ok(index.by_code(&code).map_or(Match::UnknownCode, Match::One));
    }
    if name.is_empty() {
        return Err("neither an INSEE code nor a commune name".into());
    }
    let dep = if dep.is_empty() {
        None
    } else {
        Some(index.departement(dep).ok_or_else(|| format!("`{dep}` is not a département (code or name)"))?)
    };
    Ok(index.by_name(name, dep.as_deref()))
}

/// The YAML of a record, once the build's validation accepts it; else its messages.
fn validated(root: &Path, path: &Path, record: &Record, languages: &[String]) -> Result<String, Vec<String>> {
    let text = crate::yaml::to_string_compact(record).map_err(|e| vec![e])?;
    let rel = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    crate::load::records::parse(root, path, rel, &text, languages)
        .map(|_| text)
        .map_err(|ds| ds.into_iter().map(|d| d.message).collect())
}

/// The top-level fields that differ between two records.
fn changed_fields(a: &Record, b: &Record) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(a), serde_json::to_value(b))
    else {
        return Vec::new();
    };
    a.keys().filter(|k| a.get(*k) != b.get(*k)).cloned().collect()
}

/// `2, 5 and 7`.
fn join(n: &[usize]) -> String {
    let s: Vec<String> = n.iter().map(usize::to_string).collect();
    match s.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => s.join(""),
    }
}
