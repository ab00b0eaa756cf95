//! Interface strings: `i18n/<lang>.yaml`, over the theme's `themes/<theme>/i18n/<lang>.yaml`.
//!
//! Files are nested maps; a key is the dotted path (`nav.home`). A value is a string with
//! `{param}` placeholders, a list (month names), or a plural map (`one:`, `other:` …) chosen by
//! the CLDR rules of the language. A string missing in a language falls back to the default
//! language and is reported; a raw key never reaches a page.

pub mod format;
pub mod plural;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::config::{Config, Typography};
use crate::diag::{Diagnostic, suggest};
use crate::markdown::typography;
use format::Formats;
use plural::{CATEGORIES, Plural};

/// One interface string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Entry {
    /// A string with `{param}` placeholders.
    Text(String),
    /// Plural forms by CLDR category.
    Plural(BTreeMap<String, String>),
    /// A list (month names).
    List(Vec<String>),
}

#[derive(Debug)]
struct Strings {
    entries: HashMap<String, Entry>,
    /// Where each key was defined: (file, line).
    origin: HashMap<String, (PathBuf, usize)>,
    plural: Plural,
    formats: Formats,
    files: Vec<PathBuf>,
}

/// The interface strings of every language.
#[derive(Debug)]
pub struct I18n {
    langs: Vec<Strings>,
    codes: Vec<String>,
    default: usize,
}

/// Why a string could not be produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// The key exists in no language.
    Unknown(String),
    /// The key is not a string (a list, or a plural used without `n`).
    WrongKind(String),
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Missing::Unknown(m) | Missing::WrongKind(m) => f.write_str(m),
        }
    }
}

/// An interface-strings file as read: its path from the site root and its text (`None` when
/// it could not be read; the reader reported why).
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path from the site root.
    pub path: PathBuf,
    /// Text.
    pub text: Option<String>,
}

/// What `load` read for the interface strings.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Per configured language: the theme's file, then the site's, when they exist.
    pub langs: Vec<Vec<SourceFile>>,
    /// Names of the files in the site's `i18n/` folder, sorted.
    pub site_files: Vec<String>,
}

impl I18n {
    /// Parses the theme's and the site's files for every configured language.
    pub fn new(config: &Config, sources: &Sources, diags: &mut Vec<Diagnostic>) -> I18n {
        let mut langs = Vec::new();
        for (l, lang) in config.languages.iter().enumerate() {
            let mut entries = HashMap::new();
            let mut origin = HashMap::new();
            let mut files = Vec::new();
            for file in sources.langs.get(l).into_iter().flatten() {
                files.push(file.path.clone());
                if let Some(text) = &file.text {
                    parse_file(&file.path, text, lang.typography, &mut entries, &mut origin, diags);
                }
            }
            langs.push(Strings {
                entries,
                origin,
                plural: Plural::new(&lang.code),
                formats: Formats::default(),
                files,
            });
        }
        let mut i18n = I18n {
            langs,
            codes: config.languages.iter().map(|l| l.code.clone()).collect(),
            default: config.default_language,
        };
        i18n.check(&sources.site_files, diags);
        for i in 0..i18n.langs.len() {
            i18n.langs[i].formats = i18n.build_formats(i);
        }
        i18n
    }

    fn check(&self, site_files: &[String], diags: &mut Vec<Diagnostic>) {
        // i18n files of the site for languages that are not configured (a theme may ship more
        // languages than the site uses)
        for name in site_files {
            if let Some(code) = name.strip_suffix(".yaml")
                && !self.codes.iter().any(|c| c == code)
            {
                diags.push(
                    Diagnostic::warning(
                        "K604",
                        format!("i18n/{name} is for `{code}`, which is not a configured language"),
                    )
                    .at(format!("i18n/{name}"))
                    .hint(format!("add `- code: {code}` to `languages` in kitgen.yaml, or remove the file")),
                );
            }
        }
        let default = &self.langs[self.default];
        let default_keys: Vec<&str> = default.entries.keys().map(String::as_str).collect();
        for (i, strings) in self.langs.iter().enumerate() {
            let code = &self.codes[i];
            let mut keys: Vec<&String> = strings.entries.keys().collect();
            keys.sort();
            for key in keys {
                let (file, line) = strings.origin.get(key).cloned().unwrap_or_default();
                if i != self.default && !default.entries.contains_key(key) {
                    let hint = match suggest(key, default_keys.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => {
                            format!("add it to i18n/{}.yaml first, or remove it", self.codes[self.default])
                        }
                    };
                    diags.push(
                        Diagnostic::warning(
                            "K603",
                            format!(
                                "unknown interface string `{key}`: the default language does not have it"
                            ),
                        )
                        .at(&file)
                        .line_col(line, 1)
                        .hint(hint),
                    );
                }
                if let Entry::Plural(forms) = &strings.entries[key] {
                    let required = strings.plural.required();
                    let missing: Vec<&str> =
                        required.iter().copied().filter(|c| !forms.contains_key(*c)).collect();
                    if !missing.is_empty() {
                        diags.push(
                            Diagnostic::error(
                                "K602",
                                format!(
                                    "plural `{key}` lacks the form{} {} needed in `{code}`",
                                    if missing.len() > 1 { "s" } else { "" },
                                    missing.join(", ")
                                ),
                            )
                            .at(&file)
                            .line_col(line, 1)
                            .hint(format!(
                                "`{code}` uses the forms {}; add the missing ones",
                                required.join(", ")
                            )),
                        );
                    }
                }
            }
            if i != self.default {
                let missing = self.missing_keys(i);
                if !missing.is_empty() {
                    let file = strings
                        .files
                        .last()
                        .cloned()
                        .unwrap_or_else(|| PathBuf::from(format!("i18n/{code}.yaml")));
                    diags.push(
                        Diagnostic::warning(
                            "K605",
                            format!(
                                "{} interface string{} missing in `{code}`, shown in `{}`: {}",
                                missing.len(),
                                if missing.len() > 1 { "s" } else { "" },
                                self.codes[self.default],
                                preview(&missing)
                            ),
                        )
                        .at(file)
                        .hint("run `kitgen translations` for the full list"),
                    );
                }
            }
        }
    }

    fn build_formats(&self, lang: usize) -> Formats {
        let text = |key: &str, default: &str| match self.entry(lang, key) {
            Some(Entry::Text(s)) => s.clone(),
            _ => default.to_string(),
        };
        let months = match self.entry(lang, "date.months") {
            Some(Entry::List(l)) if l.len() == 12 => l.clone(),
            _ => Vec::new(),
        };
        let first_day = match self.entry(lang, "date.first_day") {
            Some(Entry::Text(s)) => Some(s.clone()),
            _ => None,
        };
        Formats {
            group: text("number.group", ","),
            decimal: text("number.decimal", "."),
            months,
            long: text("date.long", "{day} {month} {year}"),
            short: text("date.short", "{year}-{mm}-{dd}"),
            first_day,
        }
    }

    /// The entry for a key in a language, falling back to the default language.
    fn entry(&self, lang: usize, key: &str) -> Option<&Entry> {
        self.langs
            .get(lang)
            .and_then(|s| s.entries.get(key))
            .or_else(|| self.langs[self.default].entries.get(key))
    }

    /// Whether the language has its own string for `key`.
    pub fn has_own(&self, lang: usize, key: &str) -> bool {
        self.langs.get(lang).is_some_and(|s| s.entries.contains_key(key))
    }

    /// Keys of the default language that `lang` lacks, sorted.
    pub fn missing_keys(&self, lang: usize) -> Vec<String> {
        let own = &self.langs[lang].entries;
        let mut v: Vec<String> =
            self.langs[self.default].entries.keys().filter(|k| !own.contains_key(*k)).cloned().collect();
        v.sort();
        v
    }

    /// Number and date formats of a language.
    pub fn formats(&self, lang: usize) -> &Formats {
        &self.langs[lang].formats
    }

    /// The plural category of `n` in a language.
    pub fn plural_category(&self, lang: usize, n: f64) -> &'static str {
        self.langs[lang].plural.select(n)
    }

    /// A translated string with its parameters filled in. `n` picks the plural form and fills
    /// `{n}`, written in the language's number format.
    pub fn t(
        &self,
        lang: usize,
        key: &str,
        n: Option<f64>,
        params: &[(String, String)],
    ) -> Result<String, Missing> {
        let (entry, lang_used) = match self.langs.get(lang).and_then(|s| s.entries.get(key)) {
            Some(e) => (e, lang),
            None => match self.langs[self.default].entries.get(key) {
                Some(e) => (e, self.default),
                None => {
                    let all: Vec<&str> =
                        self.langs[self.default].entries.keys().map(String::as_str).collect();
                    let hint = match suggest(key, all) {
                        Some(s) => format!(" (did you mean `{s}`?)"),
                        None => String::new(),
                    };
                    return Err(Missing::Unknown(format!(
                        "unknown interface string `{key}`{hint}: add it to i18n/{}.yaml",
                        self.codes[self.default]
                    )));
                }
            },
        };
        let template = match (entry, n) {
            (Entry::Text(s), _) => s.as_str(),
            (Entry::Plural(forms), Some(n)) => {
                let cat = self.langs[lang_used].plural.select(n);
                forms.get(cat).or_else(|| forms.get("other")).map(String::as_str).unwrap_or("")
            }
            (Entry::Plural(_), None) => {
                return Err(Missing::WrongKind(format!(
                    "interface string `{key}` has plural forms: pass a count, t(key=\"{key}\", n=…)"
                )));
            }
            (Entry::List(_), _) => {
                return Err(Missing::WrongKind(format!("interface string `{key}` is a list, not a string")));
            }
        };
        let mut out = template.to_string();
        if out.contains('{') {
            if let Some(n) = n {
                let formatted = if n.fract() == 0.0 {
                    self.langs[lang].formats.int(n as i64)
                } else {
                    self.langs[lang].formats.number(n, 2)
                };
                out = out.replace("{n}", &formatted);
            }
            for (k, v) in params {
                out = out.replace(&format!("{{{k}}}"), v);
            }
        }
        Ok(out)
    }

    /// A stable hash of a language's strings (and the default's, its fallback), for rebuilds.
    pub fn version(&self, lang: usize) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for l in [lang, self.default] {
            let mut keys: Vec<_> = self.langs[l].entries.iter().collect();
            keys.sort_by(|a, b| a.0.cmp(b.0));
            keys.hash(&mut h);
        }
        h.finish()
    }

    /// The files a language's strings come from.
    pub fn files(&self, lang: usize) -> &[PathBuf] {
        &self.langs[lang].files
    }
}

fn preview(keys: &[String]) -> String {
    let mut s: Vec<&str> = keys.iter().take(5).map(String::as_str).collect();
    if keys.len() > 5 {
        s.push("…");
    }
    s.join(", ")
}

fn parse_file(
    display: &Path,
    text: &str,
    typo: Typography,
    entries: &mut HashMap<String, Entry>,
    origin: &mut HashMap<String, (PathBuf, usize)>,
    diags: &mut Vec<Diagnostic>,
) {
    let display = display.to_path_buf();
    let value: serde_json::Value = match crate::yaml::parse(text) {
        Ok(v) => v,
        Err(e) => {
            let mut d =
                Diagnostic::error("K601", e.message).at(&display).located(text, e.line, e.col, e.width);
            d.notes = e.notes;
            if let Some(h) = e.hint {
                d = d.hint(h);
            }
            diags.push(d);
            return;
        }
    };
    let mut flat = Vec::new();
    match value {
        serde_json::Value::Object(map) => flatten("", &map, &mut flat),
        serde_json::Value::Null => {}
        _ => {
            diags.push(
                Diagnostic::error("K601", "an i18n file must be a map of keys to strings")
                    .at(&display)
                    .line_col(1, 1),
            );
            return;
        }
    }
    let lines = indented_lines(text);
    for (key, value) in flat {
        let line = key_line(&lines, &key);
        let fix = |s: &str| match typo {
            Typography::Fr => typography::french(s, &mut None),
            Typography::None => s.to_string(),
        };
        let entry = match value {
            Flat::Text(s) => Entry::Text(fix(&s)),
            Flat::List(l) => Entry::List(l.iter().map(|s| fix(s)).collect()),
            Flat::Plural(forms) => Entry::Plural(forms.into_iter().map(|(k, v)| (k, fix(&v))).collect()),
            Flat::Bad(what) => {
                diags.push(
                    Diagnostic::error("K601", format!("`{key}`: {what}"))
                        .at(&display)
                        .located(text, line, 1, key.rsplit('.').next().unwrap_or(&key).len())
                        .hint(
                            "write a string, a list of strings, or a map of plural forms (one:, other:, …)",
                        ),
                );
                continue;
            }
        };
        origin.insert(key.clone(), (display.clone(), line));
        entries.insert(key, entry);
    }
}

enum Flat {
    Text(String),
    List(Vec<String>),
    Plural(BTreeMap<String, String>),
    Bad(String),
}

fn flatten(prefix: &str, map: &serde_json::Map<String, serde_json::Value>, out: &mut Vec<(String, Flat)>) {
    use serde_json::Value;
    for (k, v) in map {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            Value::String(s) => out.push((key, Flat::Text(s.clone()))),
            Value::Number(n) => out.push((key, Flat::Text(n.to_string()))),
            Value::Bool(b) => out.push((key, Flat::Text(b.to_string()))),
            Value::Null => out.push((key, Flat::Bad("empty value".into()))),
            Value::Array(items) => {
                let strings: Option<Vec<String>> =
                    items.iter().map(|i| i.as_str().map(str::to_string)).collect();
                match strings {
                    Some(l) => out.push((key, Flat::List(l))),
                    None => out.push((key, Flat::Bad("a list must hold strings only".into()))),
                }
            }
            Value::Object(m) => {
                let is_plural = !m.is_empty() && m.keys().all(|k| CATEGORIES.contains(&k.as_str()));
                if is_plural {
                    if !m.contains_key("other") {
                        out.push((key, Flat::Bad("plural forms need `other`".into())));
                        continue;
                    }
                    let forms: Option<BTreeMap<String, String>> =
                        m.iter().map(|(c, v)| v.as_str().map(|s| (c.clone(), s.to_string()))).collect();
                    match forms {
                        Some(f) => out.push((key, Flat::Plural(f))),
                        None => out.push((key, Flat::Bad("plural forms must be strings".into()))),
                    }
                } else {
                    flatten(&key, m, out);
                }
            }
        }
    }
}

/// The 1-based line where a dotted key is defined, following indentation.
fn key_line(lines: &[(usize, &str)], key: &str) -> usize {
    let mut line_no = 0;
    let mut min_indent = 0;
    // `seg:`, `"seg":` or `'seg':` (no allocation: it runs for every key of every file).
    let names = |t: &str, seg: &str| {
        let quoted =
            |q: char| t.strip_prefix(q).and_then(|r| r.strip_prefix(seg)).and_then(|r| r.strip_prefix(q));
        [t.strip_prefix(seg), quoted('"'), quoted('\'')].into_iter().flatten().any(|r| r.starts_with(':'))
    };
    for seg in key.split('.') {
        let found = lines
            .iter()
            .enumerate()
            .skip(line_no)
            .find(|(_, (indent, t))| *indent >= min_indent && names(t, seg));
        match found {
            Some((i, (indent, _))) => {
                line_no = i;
                min_indent = indent + 1;
            }
            None => return line_no + 1,
        }
    }
    line_no + 1
}

/// The lines of a file with their indentation, for [`key_line`].
fn indented_lines(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .map(|l| {
            let t = l.trim_start();
            (l.len() - t.len(), t)
        })
        .collect()
}

#[cfg(test)]
mod tests;
