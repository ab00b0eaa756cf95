//! Content: `content/<lang>/**/*.md`, read in parallel into [`SourcePage`]s.

use std::sync::Arc;

use rayon::prelude::*;

use super::files::{self, Found};
use super::frontmatter;
use super::{MAX_TEXT_FILE, read_text};
use crate::cache::FileCache;
use crate::config::Config;
use crate::diag::{Diagnostic, suggest};
use crate::model::source::{SourcePage, version_of};

/// Reads every page of every configured language.
/// With a `cache` (serve), files that did not change are not read again.
pub fn load(
    config: &Config,
    diags: &mut Vec<Diagnostic>,
    cache: Option<&FileCache<Arc<SourcePage>>>,
) -> Vec<Arc<SourcePage>> {
    let root = &config.root;
    let content = root.join("content");
    let mut jobs: Vec<(usize, Found)> = Vec::new();
    if !content.is_dir() {
        diags.push(
            Diagnostic::error("K204", "no content/ folder")
                .at("content")
                .hint("create content/<lang>/_index.md for each language, e.g. content/fr/_index.md"),
        );
        return Vec::new();
    }
    let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
    let mut seen = vec![false; codes.len()];
    let mut entries: Vec<_> = std::fs::read_dir(&content).map(|r| r.flatten().collect()).unwrap_or_default();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if files::is_ignored(&name) {
            continue;
        }
        let path = entry.path();
        let display = crate::diag::rel_to(root, &path);
        if !path.is_dir() {
            diags.push(
                Diagnostic::error("K205", format!("{} is outside a language folder", display.display()))
                    .at(&display)
                    .hint(format!("move it to content/{}/", config.default_lang().code)),
            );
            continue;
        }
        let Some(lang) = codes.iter().position(|c| *c == name) else {
            let hint = match suggest(&name, codes.iter().copied()) {
                Some(s) => format!(
                    "rename the folder to content/{s}/, or add `- code: {name}` to `languages` in kitgen.yaml"
                ),
                None => {
                    format!("add `- code: {name}` with its `name` to `languages` in kitgen.yaml")
                }
            };
            diags.push(
                Diagnostic::error("K206", format!("content/{name}/ is not a configured language"))
                    .at(&display)
                    .hint(hint),
            );
            continue;
        };
        seen[lang] = true;
        for found in files::walk(root, &path, diags) {
            jobs.push((lang, found));
        }
    }
    for (i, lang) in config.languages.iter().enumerate() {
        if !seen[i] {
            diags.push(
                Diagnostic::warning(
                    "K207",
                    format!("language `{}` has no content/{}/ folder", lang.code, lang.code),
                )
                .at(crate::config::CONFIG_FILE)
                .hint(format!("create content/{}/_index.md, or remove the language", lang.code)),
            );
        }
    }

    let results: Vec<Result<Option<Arc<SourcePage>>, Vec<Diagnostic>>> =
        jobs.into_par_iter().map(|(lang, found)| read_cached(config, lang, found, cache)).collect();
    let mut pages = Vec::new();
    for r in results {
        match r {
            Ok(Some(p)) => {
                diags.extend(p.warnings.iter().cloned());
                pages.push(p);
            }
            Ok(None) => {}
            Err(ds) => diags.extend(ds),
        }
    }
    pages
}

fn read_cached(
    config: &Config,
    lang: usize,
    found: Found,
    cache: Option<&FileCache<Arc<SourcePage>>>,
) -> Result<Option<Arc<SourcePage>>, Vec<Diagnostic>> {
    let Some(cache) = cache else { return read_page(config, lang, found).map(|p| p.map(Arc::new)) };
    let stamp = crate::cache::stamp(&found.path);
    if let Some(page) = stamp.and_then(|s| cache.get(&found.path, s)) {
        return Ok(Some(page));
    }
    let path = found.path.clone();
    let page = read_page(config, lang, found)?.map(Arc::new);
    if let (Some(p), Some(s)) = (&page, stamp) {
        cache.put(path, s, p.clone());
    }
    Ok(page)
}

fn read_page(config: &Config, lang: usize, found: Found) -> Result<Option<SourcePage>, Vec<Diagnostic>> {
    let display = crate::diag::rel_to(&config.root, &found.path);
    if !found.rel.ends_with(".md") {
        return Err(vec![
            Diagnostic::warning(
                "K208",
                format!("{} is not a Markdown file and is ignored", display.display()),
            )
            .at(&display)
            .hint("put images and downloads in static/ and link them from the page"),
        ]);
    }
    let mut text = read_text(&config.root, &found.path, MAX_TEXT_FILE).map_err(|d| vec![d])?;
    let mut warnings = Vec::new();
    if let Some(off) = text.find('\0') {
        // CommonMark: a NUL is replaced by U+FFFD; it never reaches a page.
        warnings.push(
            Diagnostic::warning("K209", "the file holds a NUL byte, replaced by \u{FFFD}")
                .at(&display)
                .at_offset(&text, off, 1)
                .hint("remove the invisible character (it often comes from a copy and paste)"),
        );
        text = text.replace('\0', "\u{FFFD}");
    }
    let is_section = found.rel == "_index.md" || found.rel.ends_with("/_index.md");
    // A front matter with errors still gives a page where it can (see `parse_recovering`):
    // its errors travel with it and fail the build, but links to it resolve and its body is
    // checked.
    let (split, errors) = frontmatter::parse_recovering(&text, is_section, &display.to_string_lossy());
    let Some(split) = split else { return Err(errors) };
    warnings.extend(errors);
    let version = version_of(&split.front, &text[split.body_start..]);
    let text_hash = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut h);
        h.finish()
    };
    Ok(Some(SourcePage {
        lang,
        rel: found.rel,
        path: display,
        front: split.front,
        body_start: split.body_start,
        text,
        is_section,
        version,
        text_hash,
        warnings,
    }))
}
