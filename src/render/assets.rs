//! Static files: `themes/<theme>/static/` then `static/`, copied to the output root.
//!
//! Stylesheets and scripts are minified and fingerprinted (`css/site.3f2a1b9c.css`) so hosts
//! can cache them forever; templates reach them with `asset(path="css/site.css")`. The code
//! highlighting stylesheet is generated as `css/highlight.css`. A stylesheet that loads
//! anything from another host is an error: pages must not call third parties.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::load::files;

use super::{minify, urls};

/// Where an asset's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssetData {
    /// Copied from a file.
    File(PathBuf),
    /// Produced at build time (minified, fingerprinted, generated).
    Bytes(Arc<Vec<u8>>),
}

/// One static output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// Output path, e.g. `css/site.3f2a1b9c.css`.
    pub out: String,
    /// Its bytes.
    pub data: AssetData,
    /// A hash of the source (content for generated assets, size and time for copied files).
    pub version: u64,
}

/// Every static output, and the fingerprinted URL of each stylesheet and script.
#[derive(Debug, Clone, Default)]
pub struct Assets {
    /// Sorted by output path.
    pub list: Vec<Asset>,
    urls: HashMap<String, String>,
}

impl Assets {
    /// Collects the theme's and the site's static files.
    ///
    /// `fingerprint` is off in serve mode: a stylesheet keeps its name, so editing it changes
    /// that one file and pages swap it without re-rendering the pages that link it.
    pub fn load(config: &Config, diags: &mut Vec<Diagnostic>, fingerprint: bool) -> Assets {
        let mut by_rel: BTreeMap<String, PathBuf> = BTreeMap::new();
        for dir in [config.theme_dir().join("static"), config.root.join("static")] {
            for f in files::walk(&config.root, &dir, diags) {
                by_rel.insert(f.rel, f.path);
            }
        }
        // Source documents of the commune records, linked from commune pages.
        for f in files::walk(&config.root, &config.root.join("data/documents"), diags) {
            by_rel.insert(format!("documents/{}", f.rel), f.path);
        }
        let mut list = Vec::new();
        let mut urls_map = HashMap::new();
        let mut text_assets: Vec<(String, String, PathBuf)> = Vec::new();
        for (rel, path) in by_rel {
            let is_css = rel.ends_with(".css");
            let is_js = rel.ends_with(".js") || rel.ends_with(".mjs");
            if is_css || is_js {
                match crate::load::read_text(&config.root, &path, crate::load::MAX_TEXT_FILE) {
                    Ok(text) => text_assets.push((rel, text, path)),
                    Err(d) => diags.push(d),
                }
                continue;
            }
            let version = std::fs::metadata(&path)
                .map(|m| {
                    use std::hash::{Hash, Hasher};
                    let mut h = std::collections::hash_map::DefaultHasher::new();
                    m.len().hash(&mut h);
                    m.modified().ok().hash(&mut h);
                    h.finish()
                })
                .unwrap_or(0);
            urls_map.insert(rel.clone(), format!("/{rel}"));
            list.push(Asset { out: rel, data: AssetData::File(path), version });
        }
        if !text_assets.iter().any(|(r, _, _)| r == "css/highlight.css") {
            let css = crate::markdown::highlight::stylesheet(&config.highlight_theme);
            text_assets.push(("css/highlight.css".into(), css, PathBuf::new()));
        }
        for (rel, text, path) in text_assets {
            let display = crate::diag::rel_to(&config.root, &path);
            if rel.ends_with(".css") {
                check_css(&text, &display, diags);
            }
            let processed = if rel.ends_with(".css") {
                let t = urls::relativize_css(&text, &rel);
                if config.minify { minify::css(&t) } else { t }
            } else if config.minify {
                minify::js(&text)
            } else {
                text
            };
            let hash = blake3::hash(processed.as_bytes());
            let short = &hash.to_hex()[..8];
            let out = match rel.rsplit_once('.') {
                _ if !fingerprint => rel.clone(),
                Some((stem, ext)) => format!("{stem}.{short}.{ext}"),
                None => format!("{rel}.{short}"),
            };
            // Fingerprinted names move, so `url()`s inside a stylesheet must stay valid
            // relative to the new name: the folder is the same, only the file name changes.
            let version = u64::from_le_bytes(hash.as_bytes()[..8].try_into().unwrap_or([0; 8]));
            urls_map.insert(rel.clone(), format!("/{out}"));
            list.push(Asset { out, data: AssetData::Bytes(Arc::new(processed.into_bytes())), version });
        }
        list.sort_by(|a, b| a.out.cmp(&b.out));
        Assets { list, urls: urls_map }
    }

    /// The site-absolute URL of a static file, fingerprinted for stylesheets and scripts.
    pub fn url(&self, logical: &str) -> Option<&str> {
        self.urls.get(logical.trim_start_matches('/')).map(String::as_str)
    }

    /// Every logical name, sorted, for suggestions.
    pub fn names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.urls.keys().map(String::as_str).collect();
        v.sort();
        v
    }
}

/// Stylesheets must not load anything from another host.
fn check_css(css: &str, path: &std::path::Path, diags: &mut Vec<Diagnostic>) {
    let lower = css.to_ascii_lowercase();
    for needle in ["url(", "@import"] {
        let mut from = 0;
        while let Some(i) = lower[from..].find(needle) {
            let at = from + i;
            let rest =
                lower[at + needle.len()..].trim_start().trim_start_matches(['"', '\'', '(']).trim_start();
            if rest.starts_with("http:") || rest.starts_with("https:") || rest.starts_with("//") {
                diags.push(
                    Diagnostic::error("K540", "stylesheet loads a file from another host")
                        .at(path)
                        .at_offset(css, at, needle.len())
                        .hint("copy the file (font, image) into static/ and use a relative URL: pages must not call third parties"),
                );
            }
            from = at + needle.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_site_css_is_an_error() {
        let mut diags = Vec::new();
        check_css(
            "a{}\n@import url(\"https://fonts.example/css\");\nb{background:url(//cdn.example/x.png)}\nc{background:url(../img/x.png)}",
            std::path::Path::new("static/site.css"),
            &mut diags,
        );
        let lines: Vec<_> = diags.iter().map(|d| d.line).collect();
        assert_eq!(lines, [Some(2), Some(3)]);
        let mut diags = Vec::new();
        check_css("@import 'https://fonts.example/css';", std::path::Path::new("x.css"), &mut diags);
        assert_eq!(diags.len(), 1);
    }
}
