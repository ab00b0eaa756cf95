//! Front matter: the YAML between `---` lines at the top of a Markdown file.
//!
//! Pages and sections have their own key sets; unknown keys, duplicate keys, `draft: no`, bad
//! dates and bad slugs are errors located in the file.

use serde::Deserialize;

use crate::diag::Diagnostic;
use crate::model::source::{Date, Front, SortBy};
use crate::slug;
use crate::yaml;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageFront {
    title: String,
    #[serde(default)]
    date: Option<Date>,
    #[serde(default)]
    weight: Option<i64>,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    template: Option<String>,
    #[serde(default)]
    extra: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    translation_of: Option<String>,
    /// A page at the top of the site (the glossary, "about") may join the main menu.
    #[serde(default)]
    menu: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionFront {
    title: String,
    #[serde(default)]
    date: Option<Date>,
    #[serde(default)]
    weight: Option<i64>,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    template: Option<String>,
    #[serde(default)]
    extra: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    translation_of: Option<String>,
    #[serde(default)]
    sort_by: SortBy,
    #[serde(default)]
    page_template: Option<String>,
    #[serde(default = "yes")]
    menu: bool,
}

fn yes() -> bool {
    true
}

/// A Markdown file split into front matter and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// Parsed front matter.
    pub front: Front,
    /// Byte offset of the body in the file.
    pub body_start: usize,
}

/// Finds the front matter of a Markdown file: the start and end of its YAML, and where the
/// body starts. Kit documents share it with pages.
pub fn delimit(text: &str, display: &str) -> Result<(usize, usize, usize), Diagnostic> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let t = &text[bom..];
    let first_line_end = t.find('\n').map(|i| i + 1).unwrap_or(t.len());
    if t[..first_line_end].trim_end() != "---" {
        return Err(Diagnostic::error("K201", "missing front matter")
            .at(display)
            .located(text, 1, 1, 3)
            .hint("start the file with a `---` line, then `title: \"…\"`, then a closing `---` line"));
    }
    let yaml_start = bom + first_line_end;
    // The closing `---` line.
    let mut pos = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Ok((yaml_start, pos, pos + line.len()));
        }
        pos += line.len();
    }
    Err(Diagnostic::error("K201", "front matter is not closed")
        .at(display)
        .located(text, 1, 1, 3)
        .hint("add a line with `---` after the last front matter key"))
}

/// Splits and parses a Markdown file. `display` is the path shown in diagnostics.
pub fn parse(text: &str, is_section: bool, display: &str) -> Result<Split, Vec<Diagnostic>> {
    match parse_recovering(text, is_section, display) {
        (Some(split), errors) if errors.is_empty() => Ok(split),
        (_, errors) => Err(errors),
    }
}

/// Like [`parse`], but a front matter with errors still gives a page where it can: a key that
/// is unknown, duplicated or of the wrong type is reported and left out, a missing title
/// becomes the file name, an invalid slug is ignored. The page then stays known to link
/// resolution (links to it do not fail with "no such page") and its body is checked, so one
/// typo reports itself and nothing else. A YAML syntax error, or a missing or unclosed front
/// matter, gives no page.
pub fn parse_recovering(text: &str, is_section: bool, display: &str) -> (Option<Split>, Vec<Diagnostic>) {
    let (yaml_start, yaml_end, body_start) = match delimit(text, display) {
        Ok(d) => d,
        Err(d) => return (None, vec![d]),
    };
    let yaml_src = &text[yaml_start..yaml_end];
    let line_offset = text[..yaml_start].matches('\n').count();
    let to_diag = |e: yaml::YamlError| {
        let e = e.shifted(line_offset);
        let mut d = Diagnostic::error("K202", e.message).at(display).located(text, e.line, e.col, e.width);
        d.notes = e.notes;
        if let Some(h) = e.hint {
            d = d.hint(h);
        }
        d
    };
    let stem = display.rsplit(['/', '\\']).next().unwrap_or(display).trim_end_matches(".md");
    let (front, yaml_errors) = if is_section {
        let (f, errs) = recover::<SectionFront>(yaml_src, stem);
        let front = f.map(|f| Front {
            title: f.title,
            date: f.date,
            weight: f.weight.unwrap_or(0),
            slug: f.slug,
            draft: f.draft,
            summary: f.summary,
            template: f.template,
            extra: f.extra.unwrap_or_default(),
            translation_of: f.translation_of,
            sort_by: f.sort_by,
            page_template: f.page_template,
            menu: f.menu,
        });
        (front, errs)
    } else {
        let (f, errs) = recover::<PageFront>(yaml_src, stem);
        let front = f.map(|f| Front {
            title: f.title,
            date: f.date,
            weight: f.weight.unwrap_or(0),
            slug: f.slug,
            draft: f.draft,
            summary: f.summary,
            template: f.template,
            extra: f.extra.unwrap_or_default(),
            translation_of: f.translation_of,
            sort_by: SortBy::Weight,
            page_template: None,
            menu: f.menu,
        });
        (front, errs)
    };
    let mut errors: Vec<Diagnostic> = yaml_errors.into_iter().map(to_diag).collect();
    let Some(mut front) = front else { return (None, errors) };
    if front.title.trim().is_empty() {
        errors.push(
            key_error(text, yaml_start, "title", "title is empty".into(), display)
                .hint("write the page's title: `title: \"…\"`"),
        );
    }
    if let Some(s) = &front.slug
        && !slug::is_valid_segment(s)
    {
        let suggestion = slug::slugify(s);
        let d = if suggestion.is_empty() {
            key_error(text, yaml_start, "slug", format!("slug `{s}` is empty once made URL-safe"), display)
                .hint("use letters, digits and hyphens, e.g. `slug: mon-chapitre`")
        } else if s.contains(['/', '\\']) || s.contains("..") {
            key_error(text, yaml_start, "slug", format!("slug `{s}` is a path, not a URL segment"), display)
                    .hint(format!("a slug names one URL segment; write `slug: {suggestion}`, and move the file to change its folder"))
        } else {
            key_error(text, yaml_start, "slug", format!("slug `{s}` is not URL-safe"), display)
                .hint(format!("write `slug: {suggestion}` (lower-case letters, digits and hyphens)"))
        };
        errors.push(d);
        front.slug = None;
    }
    if let Some(t) = &front.translation_of
        && (t.len() < 4 || !t.chars().all(|c| c.is_ascii_hexdigit()))
    {
        errors.push(
            key_error(
                text,
                yaml_start,
                "translation_of",
                format!("translation_of `{t}` is not a version hash"),
                display,
            )
            .hint("paste the hash printed by `kitgen translations` for the source page"),
        );
        front.translation_of = None;
    }
    (Some(Split { front, body_start }), errors)
}

/// At most this many front-matter errors are reported per file before giving up.
const MAX_RECOVERIES: usize = 32;

/// Deserialises `src`, leaving out each top-level key that has an error and trying again, so
/// that every bad key is reported and the rest still read. Gives up on a syntax error.
fn recover<T: serde::de::DeserializeOwned>(
    src: &str,
    fallback_title: &str,
) -> (Option<T>, Vec<yaml::YamlError>) {
    let had_title = src.lines().any(|l| l.starts_with("title:"));
    let mut lines: Vec<String> = src.split('\n').map(str::to_string).collect();
    let mut errors = Vec::new();
    for _ in 0..MAX_RECOVERIES {
        let current = lines.join("\n");
        let e = match yaml::parse::<T>(&current) {
            Ok(v) => return (Some(v), errors),
            Err(e) => e,
        };
        if e.message == "missing key `title`" {
            if !had_title {
                // placed at the start of the front matter, not at whatever key came last
                let width = src.lines().next().map(|l| l.trim_end().chars().count()).unwrap_or(1);
                errors.push(yaml::YamlError { line: 1, col: 1, width: width.max(1), ..e });
            }
            // A page without a title is still a page: name it after its file.
            let quoted = serde_json::to_string(fallback_title).unwrap_or_else(|_| "\"?\"".into());
            lines.push(format!("title: {quoted}"));
            lines.push(String::new());
            continue;
        }
        let duplicate = e.message.starts_with("duplicate key");
        if !duplicate && !yaml::well_formed(&current) {
            errors.push(e);
            return (None, errors);
        }
        let line = e.line;
        errors.push(e);
        // The top-level key whose block holds the error, and the block's end.
        let Some(first) = (0..line.min(lines.len())).rev().find(|&i| starts_key(&lines[i])) else {
            return (None, errors);
        };
        let end = (first + 1..lines.len()).find(|&i| starts_key(&lines[i])).unwrap_or(lines.len());
        // A duplicate is reported on its second line: drop the block that starts there.
        for l in &mut lines[first..end] {
            l.clear(); // line numbers stay those of the file
        }
    }
    (None, errors)
}

/// Whether a front-matter line starts a top-level key (`key: …`).
fn starts_key(line: &str) -> bool {
    line.starts_with(|c: char| !c.is_whitespace() && c != '#' && c != '-') && line.contains(':')
}

/// A diagnostic on the line of `key:` in the front matter.
fn key_error(text: &str, yaml_start: usize, key: &str, msg: String, display: &str) -> Diagnostic {
    let d = Diagnostic::error("K203", msg).at(display);
    let prefix = format!("{key}:");
    let mut off = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        if line.starts_with(&prefix) {
            let value = line[prefix.len()..].trim_start();
            let vstart =
                off + line.len() - line[prefix.len()..].len() + (line[prefix.len()..].len() - value.len());
            let vlen = value.trim_end().len().max(1);
            return d.at_offset(text, vstart, vlen);
        }
        if line.trim_end() == "---" {
            break;
        }
        off += line.len();
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> Diagnostic {
        parse(text, false, "content/fr/a.md").unwrap_err().remove(0)
    }

    #[test]
    fn parses_page_front_matter() {
        let text =
            "---\ntitle: \"T\"\ndate: 2026-11-28\nweight: 3\nslug: mon-titre\nextra:\n  a: 1\n---\nBody\n";
        let s = parse(text, false, "x").unwrap();
        assert_eq!(s.front.title, "T");
        assert_eq!(s.front.date.unwrap().ymd(), "2026-11-28");
        assert_eq!(s.front.weight, 3);
        assert_eq!(s.front.extra["a"], 1);
        assert_eq!(&text[s.body_start..], "Body\n");
    }

    #[test]
    fn crlf_and_bom() {
        let s = parse("\u{feff}---\r\ntitle: T\r\n---\r\nBody\r\n", false, "x").unwrap();
        assert_eq!(s.front.title, "T");
    }

    #[test]
    fn unknown_key_points_at_file_line() {
        let d = err("---\ntitle: T\ntitel: U\n---\n");
        assert_eq!(
            d.to_string().lines().next().unwrap(),
            "content/fr/a.md:3:1: error[K202]: unknown key `titel`"
        );
        assert_eq!(d.hint.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn section_keys_are_not_page_keys() {
        let d = err("---\ntitle: T\nsort_by: date\n---\n");
        assert_eq!(d.message, "unknown key `sort_by`");
        assert!(parse("---\ntitle: T\nsort_by: date\n---\n", true, "x").is_ok());
    }

    #[test]
    fn duplicate_key_names_both_lines() {
        let d = err("---\ntitle: T\nweight: 1\ntitle: U\n---\n");
        assert_eq!(d.line, Some(4));
        assert_eq!(d.notes, ["`title` is first set on line 2"]);
    }

    #[test]
    fn draft_no_is_rejected() {
        let d = err("---\ntitle: T\ndraft: no\n---\n");
        assert_eq!(d.line, Some(3));
        assert!(d.hint.unwrap().contains("`true` or `false`"));
    }

    #[test]
    fn dates_are_validated() {
        let d = err("---\ntitle: T\ndate: 2026-13-01\n---\n");
        assert_eq!(d.message, "invalid date `2026-13-01`: there is no month 13");
        assert_eq!(d.line, Some(3));
        let d = err("---\ntitle: T\ndate: 2026-02-30\n---\n");
        assert!(d.message.contains("has no day 30"), "{}", d.message);
        assert!(parse("---\ntitle: T\ndate: 2015-01-01T08:00:00Z\n---\n", false, "x").is_ok());
    }

    #[test]
    fn slugs_are_validated() {
        let d = err("---\ntitle: T\nslug: \"../../x\"\n---\n");
        assert_eq!(d.message, "slug `../../x` is a path, not a URL segment");
        assert_eq!((d.line, d.col), (Some(3), Some(7)));
        let d = err("---\ntitle: T\nslug: \"!!!\"\n---\n");
        assert_eq!(d.message, "slug `!!!` is empty once made URL-safe");
        let d = err("---\ntitle: T\nslug: Mon Titre\n---\n");
        assert_eq!(
            d.hint.as_deref(),
            Some("write `slug: mon-titre` (lower-case letters, digits and hyphens)")
        );
    }

    #[test]
    fn missing_or_unclosed_front_matter() {
        assert_eq!(err("# Titre\n").message, "missing front matter");
        assert_eq!(err("---\ntitle: T\n").message, "front matter is not closed");
        assert_eq!(err("---\ndate: 2026-01-01\n---\n").message, "missing key `title`");
    }

    #[test]
    fn broken_yaml_is_located() {
        let d = err("---\ntitle: \"T\" x\n---\n");
        assert_eq!(d.line, Some(2));
        assert_eq!(d.code, "K202");
    }
}
