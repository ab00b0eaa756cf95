//! The translation report: per language, missing pages, stale translations and missing
//! interface strings.
//!
//! A translation says which version of its source it was made from with `translation_of:`
//! (eight hex digits, printed here for the translator to paste). When the source changes, the
//! versions differ and the translation is stale. When the recorded version matches no version
//! of the source in the git history, it is reported as unknown (a typo, or a hash from another
//! file).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::load::frontmatter;
use crate::model::source::version_of;
use crate::model::{Page, Site};

/// A page to translate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    /// The source page.
    pub source: String,
    /// Where the translation goes.
    pub path: String,
    /// Version to record in `translation_of`.
    pub version: String,
}

/// A translation whose source changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stale {
    /// The translation.
    pub path: String,
    /// Line of `translation_of` in it.
    pub line: usize,
    /// The source page.
    pub source: String,
    /// The version it was made from.
    pub translated_from: String,
    /// The source's version now.
    pub version: String,
    /// Whether `translated_from` is a known earlier version of the source (false: it matches
    /// no version in the history).
    pub known: bool,
}

/// A translation that does not say what it was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Untracked {
    /// The translation.
    pub path: String,
    /// The source page.
    pub source: String,
    /// Version to record in `translation_of`.
    pub version: String,
}

/// The report for one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LanguageReport {
    /// Language code.
    pub code: String,
    /// Language name.
    pub name: String,
    /// Pages translated and up to date.
    pub up_to_date: usize,
    /// Pages with no translation.
    pub missing: Vec<Missing>,
    /// Translations of an older version of their source.
    pub stale: Vec<Stale>,
    /// Translations without `translation_of`.
    pub untracked: Vec<Untracked>,
    /// Interface strings the language lacks.
    pub missing_strings: Vec<String>,
}

impl LanguageReport {
    /// Whether anything needs a translator.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty() && self.stale.is_empty() && self.missing_strings.is_empty()
    }
}

/// Versions of a source page in the git history, newest first (empty outside git).
pub type History<'a> = &'a dyn Fn(&Path) -> Vec<String>;

/// Builds the report for every language but the default one (or only `only`).
pub fn report(site: &Site, only: Option<usize>, history: History<'_>) -> Vec<LanguageReport> {
    let c = &site.config;
    let def = c.default_language;
    let sources: BTreeMap<&str, &Page> =
        site.pages.iter().filter(|p| p.lang == def).map(|p| (p.rel.as_ref(), p)).collect();
    let mut out = Vec::new();
    for (i, lang) in c.languages.iter().enumerate() {
        if i == def || only.is_some_and(|o| o != i) {
            continue;
        }
        let mut r = LanguageReport {
            code: lang.code.clone(),
            name: lang.name.clone(),
            up_to_date: 0,
            missing: Vec::new(),
            stale: Vec::new(),
            untracked: Vec::new(),
            missing_strings: site.i18n.missing_keys(i),
        };
        for (rel, src) in &sources {
            if src.source.as_os_str().is_empty() {
                continue; // a folder without _index.md: nothing to translate
            }
            let target = format!("content/{}/{rel}", lang.code);
            match site.find(i, rel).filter(|p| p.fallback_of.is_none()) {
                None => r.missing.push(Missing {
                    source: src.source.display().to_string(),
                    path: target,
                    version: src.version.clone(),
                }),
                Some(t) => match &t.translation_of {
                    None => r.untracked.push(Untracked {
                        path: t.source.display().to_string(),
                        source: src.source.display().to_string(),
                        version: src.version.clone(),
                    }),
                    Some(v) if src.version.starts_with(v.as_str()) => r.up_to_date += 1,
                    Some(v) => {
                        let known = history(&site.config.root.join(&src.source))
                            .iter()
                            .any(|h| h.starts_with(v.as_str()));
                        let line = std::fs::read_to_string(site.config.root.join(&t.source))
                            .ok()
                            .and_then(|text| text.lines().position(|l| l.starts_with("translation_of:")))
                            .map(|l| l + 1)
                            .unwrap_or(1);
                        r.stale.push(Stale {
                            path: t.source.display().to_string(),
                            line,
                            source: src.source.display().to_string(),
                            translated_from: v.clone(),
                            version: src.version.clone(),
                            known,
                        });
                    }
                },
            }
        }
        out.push(r);
    }
    out
}

/// Versions of a file in git's history, newest first; empty when git or the history is absent.
pub fn git_history(path: &Path) -> Vec<String> {
    let Some(dir) = path.parent() else {
        return Vec::new();
    };
    let Some(name) = path.file_name() else {
        return Vec::new();
    };
    let log = std::process::Command::new("git")
        .args(["log", "--format=%H", "--follow", "--"])
        .arg(name)
        .current_dir(dir)
        .output();
    let Ok(log) = log else { return Vec::new() };
    if !log.status.success() {
        return Vec::new();
    }
    let prefix =
        std::process::Command::new("git").args(["rev-parse", "--show-prefix"]).current_dir(dir).output();
    let Ok(prefix) = prefix else {
        return Vec::new();
    };
    let prefix = String::from_utf8_lossy(&prefix.stdout).trim().to_string();
    let mut versions = Vec::new();
    for commit in String::from_utf8_lossy(&log.stdout).lines() {
        let spec = format!("{commit}:{prefix}{}", name.to_string_lossy());
        let Ok(show) = std::process::Command::new("git").args(["show", &spec]).current_dir(dir).output()
        else {
            continue;
        };
        if !show.status.success() {
            continue;
        }
        let text = String::from_utf8_lossy(&show.stdout);
        let is_section = name == "_index.md";
        if let Ok(split) = frontmatter::parse(&text, is_section, "") {
            versions.push(version_of(&split.front, &text[split.body_start..]));
        }
    }
    versions
}
