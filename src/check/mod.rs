//! `kitgen check`: builds the whole site in memory (nothing is written) and verifies what it
//! made — links and anchors, sitemaps and feeds, privacy, accessibility basics — and the inputs
//! that age: translations and the census's `last_verified` dates.
//!
//! Each output is read on the worker thread that rendered it ([`sink::CheckSink`]); the checks
//! that span outputs run once every output is in ([`links`]). Findings in a page made from a
//! content file are reported at that file (and at the line where the link or text is written,
//! when it can be found there); a finding repeated by a template on thousands of pages is one
//! diagnostic with a count.

pub mod files;
pub mod links;
pub mod scan;
pub mod sink;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::IgnoreRule;
use crate::diag::Diagnostic;
use crate::family::Families;
use crate::model::Site;
use crate::pipeline::{self, BuildError, BuildOptions};

/// One problem in one output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Diagnostic code (`K950`…).
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// Text to look for in the source file to place the finding (a link's target).
    pub needle: Option<String>,
}

impl Finding {
    /// A finding.
    pub fn new(code: &'static str, message: String) -> Finding {
        Finding { code, message, needle: None }
    }

    /// With the text that places it in its source.
    pub fn needle(mut self, text: &str) -> Finding {
        self.needle = Some(text.to_string());
        self
    }
}

/// Warnings by nature: a site can be published with them.
const WARNINGS: &[&str] = &["K953", "K972", "K975", "K980", "K981"];

/// How each code is fixed.
fn hint(code: &str) -> &'static str {
    match code {
        "K950" => "link to the page's source with `@/path/to/page.md`, or correct the path",
        "K951" => {
            "use one of the target's heading ids (`kitgen serve` shows them in the page), or remove the fragment"
        }
        "K952" => "give each element its own id",
        "K953" => "link to it from a section, a menu or a related page, or delete it",
        "K954" => "this is a kitgen bug if the file comes from kitgen; otherwise remove the entry",
        "K960" => "copy the file into the site (`static/` or the theme) and link to it relatively",
        "K961" => "move the script or style into a file of the theme and load it with `src`/`href`",
        "K962" => "add `rel=\"noopener noreferrer\"` to the link (Markdown links get it from kitgen)",
        "K963" => "the site remembers no one: remove the cookie code",
        "K964" => "strip the metadata, e.g. `exiftool -all= image.jpg` or `mogrify -strip image.png`",
        "K965" => "remove the author from the PDF (`exiftool -all:all= file.pdf`) or make it again",
        "K970" => "set `<html lang=\"…\" dir=\"…\">` in the template (the default theme does)",
        "K971" => "one `<h1>` per page: the page's title; use `##` for sections",
        "K972" => "use the next level down (`##` after `#`, `###` after `##`)",
        "K973" => "describe the image in `![…](image.png)`, or leave `alt=\"\"` if it is decorative",
        "K974" => "add a `<label for=…>` or an `aria-label`",
        "K975" => "write where the link goes: \"the CADA request\", not \"click here\"",
        "K976" => "check the template's markup",
        "K980" => "check the record again and update `last_verified`, or raise `check.max_age_days`",
        "K981" => "translate it, or run `kitgen translations` for the list",
        _ => "",
    }
}

/// What `kitgen check` found.
#[derive(Debug, Default)]
pub struct Report {
    /// Every finding as a diagnostic, sorted, ignores applied.
    pub diagnostics: Vec<Diagnostic>,
    /// Pages checked.
    pub pages: usize,
    /// Outputs checked.
    pub files: usize,
    /// Findings let pass by `check.ignore`.
    pub ignored: usize,
}

/// Options beyond the build's.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// "Today", for the age of records (tests fix it); `None` is the system's date.
    pub today: Option<chrono::NaiveDate>,
}

/// Builds in memory and checks everything.
pub fn run(opts: &BuildOptions, families: &Families, copts: &CheckOptions) -> Result<Report, BuildError> {
    let base = crate::config::Config::load(&opts.root, &opts.overrides).map_err(BuildError::Config)?;
    let sink = sink::CheckSink::new(&base.base_url);
    let (built, site) = pipeline::build_into(opts, families, &sink)?;
    let facts = sink.into_facts();
    let sources = Sources::of(&site);
    let mut findings: Vec<(String, Finding)> = Vec::new();
    for (path, f) in &facts {
        findings.extend(f.findings.iter().map(|x| (path.clone(), x.clone())));
    }
    let base_path =
        match base.base_url.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..])) {
            Some(p) if p.ends_with('/') => p.to_string(),
            Some(p) => format!("{p}/"),
            None => "/".to_string(),
        };
    findings.extend(links::check(&facts, &base_path));
    let output_dir = crate::diag::rel_to(&opts.root, &opts.output);
    let mut diagnostics = place(findings, &sources, &output_dir);
    diagnostics.extend(built.diagnostics);
    diagnostics.extend(records(&site, copts));
    diagnostics.extend(translations(&site));
    let (mut diagnostics, ignored) = ignore(diagnostics, &site.config.check.ignore, &output_dir);
    crate::diag::sort_dedup(&mut diagnostics);
    Ok(Report {
        diagnostics,
        pages: facts.keys().filter(|p| p.ends_with(".html")).count(),
        files: facts.len(),
        ignored,
    })
}

/// Content pages by output path: their source file and its text.
struct Sources {
    by_output: HashMap<String, (PathBuf, Arc<str>)>,
}

impl Sources {
    fn of(site: &Site) -> Sources {
        let mut by_output = HashMap::new();
        for p in &site.pages {
            if p.fallback_of.is_some() {
                continue;
            }
            let text = std::fs::read_to_string(site.config.root.join(&p.source)).unwrap_or_default();
            by_output.insert(p.output_path(), (p.source.clone(), Arc::from(text)));
        }
        Sources { by_output }
    }
}

/// Turns findings into diagnostics: at the content file when the page has one, else at the
/// output, one diagnostic per template finding with the number of outputs it repeats on.
fn place(findings: Vec<(String, Finding)>, sources: &Sources, output_dir: &Path) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut grouped: BTreeMap<(&'static str, String), Vec<String>> = BTreeMap::new();
    for (path, f) in findings {
        let d = |f: &Finding| {
            let d = if WARNINGS.contains(&f.code) {
                Diagnostic::warning(f.code, f.message.clone())
            } else {
                Diagnostic::error(f.code, f.message.clone())
            };
            d.hint(hint(f.code))
        };
        // At the content file when what is wrong is written there; else it comes from a
        // template (or a static file), and is reported once for every output it is in.
        let placed = sources.by_output.get(&path).and_then(|(source, text)| {
            let needle = f.needle.as_deref().filter(|n| !n.is_empty())?;
            let off = text.find(needle)?;
            Some(d(&f).at(source).at_offset(text, off, needle.len()))
        });
        match placed {
            Some(diag) => out.push(diag.note(format!("in the page {}", output_dir.join(&path).display()))),
            None => grouped.entry((f.code, f.message.clone())).or_default().push(path),
        }
    }
    for ((code, message), paths) in grouped {
        let f = Finding::new(code, message);
        let first = output_dir.join(&paths[0]);
        let mut diag = if WARNINGS.contains(&code) {
            Diagnostic::warning(code, f.message.clone())
        } else {
            Diagnostic::error(code, f.message.clone())
        }
        .at(first)
        .hint(hint(code));
        if paths.len() > 1 {
            diag = diag.note(format!("and {} more outputs made by the same template", paths.len() - 1));
        }
        out.push(diag);
    }
    out
}

/// Records not verified for longer than `check.max_age_days`.
fn records(site: &Site, copts: &CheckOptions) -> Vec<Diagnostic> {
    let Some(data) = site.communes.as_deref() else { return Vec::new() };
    let today = copts.today.unwrap_or_else(|| {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
        chrono::DateTime::from_timestamp(secs, 0).map(|d| d.date_naive()).unwrap_or_default()
    });
    let max = i64::from(site.config.check.max_age_days);
    let mut out = Vec::new();
    for (i, r) in &data.records {
        let path = data.record_paths.get(i).cloned().unwrap_or_default();
        let text = std::fs::read_to_string(site.config.root.join(&path)).unwrap_or_default();
        let locate = |d: Diagnostic, key: &str| match text.find(key) {
            Some(off) => d.at_offset(&text, off, key.trim_end_matches(':').len()),
            None => d,
        };
        match &r.last_verified {
            None => out.push(
                locate(
                    Diagnostic::warning("K980", "the record has no `last_verified` date").at(&path),
                    "insee:",
                )
                .hint("add `last_verified: YYYY-MM-DD` when the campaign checks it"),
            ),
            Some(d) => {
                let date = partial_date_end(&d.0);
                if let Some(date) = date
                    && (today - date).num_days() > max
                {
                    out.push(
                        locate(
                            Diagnostic::warning(
                                "K980",
                                format!(
                                    "the record was last verified on {}, {} days ago (more than {max})",
                                    d.0,
                                    (today - date).num_days()
                                ),
                            )
                            .at(&path),
                            "last_verified:",
                        )
                        .hint(hint("K980")),
                    );
                }
            }
        }
    }
    out
}

/// The last day a partial date (`2024`, `2024-05`, `2024-05-03`) can mean.
fn partial_date_end(s: &str) -> Option<chrono::NaiveDate> {
    let parts: Vec<u32> = s.split('-').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let year = i32::try_from(*parts.first()?).ok()?;
    match parts.len() {
        1 => chrono::NaiveDate::from_ymd_opt(year, 12, 31),
        2 => chrono::NaiveDate::from_ymd_opt(year, parts[1] % 12 + 1, 1).map(|d| {
            if parts[1] == 12 {
                chrono::NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(d)
            } else {
                d.pred_opt().unwrap_or(d)
            }
        }),
        _ => chrono::NaiveDate::from_ymd_opt(year, parts[1], parts[2]),
    }
}

/// The translation report's missing and stale items, as warnings.
fn translations(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for r in crate::translations::report(site, None, &crate::translations::git_history) {
        for m in &r.missing {
            out.push(
                Diagnostic::warning(
                    "K981",
                    format!("`{}` has no {} translation ({})", m.source, r.name, m.path),
                )
                .at(&m.source)
                .hint(hint("K981")),
            );
        }
        for s in &r.stale {
            out.push(
                Diagnostic::warning(
                    "K981",
                    format!("the {} translation is of an older version of `{}`", r.name, s.source),
                )
                .at(&s.path)
                .line_col(s.line, 1)
                .hint("update the translation, then its `translation_of` version"),
            );
        }
        if !r.missing_strings.is_empty() {
            out.push(
                Diagnostic::warning(
                    "K981",
                    format!(
                        "{} interface string{} missing in {}: {}",
                        r.missing_strings.len(),
                        if r.missing_strings.len() == 1 { " is" } else { "s are" },
                        r.name,
                        r.missing_strings.iter().take(8).cloned().collect::<Vec<_>>().join(", ")
                    ),
                )
                .at(format!("i18n/{}.yaml", r.code))
                .hint(hint("K981")),
            );
        }
    }
    out
}

/// Drops what `check.ignore` lets pass; returns the rest and how many were dropped.
fn ignore(diags: Vec<Diagnostic>, rules: &[IgnoreRule], output_dir: &Path) -> (Vec<Diagnostic>, usize) {
    if rules.is_empty() {
        return (diags, 0);
    }
    let compiled: Vec<(Option<&str>, Option<globset::GlobMatcher>)> = rules
        .iter()
        .map(|r| {
            (
                r.code.as_deref(),
                r.path.as_deref().and_then(|p| globset::Glob::new(p).ok()).map(|g| g.compile_matcher()),
            )
        })
        .collect();
    let before = diags.len();
    let kept: Vec<Diagnostic> = diags
        .into_iter()
        .filter(|d| {
            !compiled.iter().any(|(code, glob)| {
                code.is_none_or(|c| c == d.code)
                    && glob.as_ref().is_none_or(|g| {
                        d.path.as_deref().is_some_and(|p| {
                            g.is_match(p) || p.strip_prefix(output_dir).is_ok_and(|rest| g.is_match(rest))
                        })
                    })
            })
        })
        .collect();
    let ignored = before - kept.len();
    (kept, ignored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_end_on_their_last_day() {
        let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(partial_date_end("2024"), d(2024, 12, 31));
        assert_eq!(partial_date_end("2024-02"), d(2024, 2, 29));
        assert_eq!(partial_date_end("2024-12"), d(2024, 12, 31));
        assert_eq!(partial_date_end("2024-05-03"), d(2024, 5, 3));
        assert_eq!(partial_date_end("soon"), None);
    }
}
