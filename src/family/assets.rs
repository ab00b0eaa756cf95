//! Static assets: the theme's and the site's static files, copied to the output root.
//!
//! Stylesheets and scripts are minified and fingerprinted (`css/site.3f2a1b9c.css`) so hosts
//! can cache them forever; templates reach them with `asset(path="css/site.css")`, a function
//! this family registers. The code highlighting stylesheet is generated as
//! `css/highlight.css`. A stylesheet that loads anything from another host is an error: pages
//! must not call third parties.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use tera::{Kwargs, State as TeraState};

use super::{Artifact, Family, Kind, PlanCx, Planned, RenderCx, VersionCx};
use crate::deps::{self, Dep, Input};
use crate::diag::Diagnostic;
use crate::load::statics::StaticData;
use crate::model::Site;
use crate::plan::FamilyId;
use crate::render::html::{minify, urls};

/// The static assets family.
pub struct Assets;

/// One static output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// Output path, e.g. `css/site.3f2a1b9c.css`.
    pub out: String,
    /// Its bytes.
    pub bytes: Arc<Vec<u8>>,
    /// A hash of the source (content for processed assets, size and time for copied files).
    pub version: u64,
}

/// The family's name.
pub const NAME: &str = "assets";

/// Every static output, and the fingerprinted URL of each stylesheet and script.
#[derive(Debug, Default)]
pub struct AssetSet {
    /// Sorted by output path.
    pub list: Vec<Asset>,
    urls: HashMap<String, String>,
}

impl AssetSet {
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

/// A static file named by a template or copied: by logical or output path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AssetName(pub Arc<str>);

impl Family for Assets {
    type Job = usize;
    type State = AssetSet;
    type Input = AssetName;

    fn name(&self) -> &'static str {
        NAME
    }

    fn plan(&self, cx: &PlanCx<'_>) -> Planned<usize, AssetSet> {
        let config = &cx.site().config;
        let mut diagnostics = Vec::new();
        let mut list = Vec::new();
        let mut urls_map = HashMap::new();
        let mut texts: Vec<(String, Arc<str>, std::path::PathBuf)> = Vec::new();
        let statics: std::collections::HashSet<&str> =
            cx.inputs.statics.list.iter().map(|f| f.rel.as_str()).collect();
        let exists = |from: &str, url: &str| {
            let dir = from.rsplit_once('/').map(|(d, _)| format!("/{d}/")).unwrap_or_else(|| "/".into());
            crate::model::file_target(&dir, url).is_some_and(|t| statics.contains(t.as_str()))
        };
        for f in &cx.inputs.statics.list {
            match &f.data {
                StaticData::Text(t) => texts.push((f.rel.clone(), t.clone(), f.display.clone())),
                StaticData::Bytes(b) => {
                    if f.rel.ends_with(".svg") {
                        check_svg(b, &f.display, &|url| exists(&f.rel, url), &mut diagnostics);
                    }
                    urls_map.insert(f.rel.clone(), format!("/{}", f.rel));
                    list.push(Asset { out: f.rel.clone(), bytes: b.clone(), version: f.version });
                }
            }
        }
        if !texts.iter().any(|(r, _, _)| r == "css/highlight.css") {
            let css = crate::markdown::highlight::stylesheet(&config.highlight_theme);
            texts.push(("css/highlight.css".into(), Arc::from(css), std::path::PathBuf::new()));
        }
        for (rel, text, display) in texts {
            let processed = if rel.ends_with(".css") {
                check_css(&text, &display, &mut diagnostics);
                check_css_targets(&text, &display, &|url| exists(&rel, url), &mut diagnostics);
                let t = urls::relativize_css(&text, &rel);
                if cx.opts.minify { minify::css(&t) } else { t }
            } else if cx.opts.minify {
                minify::js(&text)
            } else {
                text.to_string()
            };
            let hash = blake3::hash(processed.as_bytes());
            let short = &hash.to_hex()[..8];
            // Fingerprinted names move, so `url()`s inside a stylesheet must stay valid
            // relative to the new name: the folder is the same, only the file name changes.
            let out = match rel.rsplit_once('.') {
                _ if !cx.opts.fingerprint => rel.clone(),
                Some((stem, ext)) => format!("{stem}.{short}.{ext}"),
                None => format!("{rel}.{short}"),
            };
            let version = u64::from_le_bytes(hash.as_bytes()[..8].try_into().unwrap_or([0; 8]));
            urls_map.insert(rel.clone(), format!("/{out}"));
            list.push(Asset { out, bytes: Arc::new(processed.into_bytes()), version });
        }
        list.sort_by(|a, b| a.out.cmp(&b.out));
        let outputs = list.iter().enumerate().map(|(i, a)| (a.out.clone(), i)).collect();
        let mut planned = Planned::new(AssetSet { list, urls: urls_map }, outputs);
        planned.diagnostics = diagnostics;
        planned
    }

    fn render(&self, cx: &RenderCx<'_, Self>, set: &AssetSet, i: &usize) -> Result<Artifact, Diagnostic> {
        let a = &set.list[*i];
        cx.record(AssetName(Arc::from(a.out.as_str())));
        Ok(Artifact::file(Kind::of_path(&a.out), a.bytes.to_vec()))
    }

    fn version(&self, _: &VersionCx<'_>, set: &AssetSet, name: &AssetName) -> u64 {
        let url = set.url(&name.0);
        let v = set
            .list
            .iter()
            .find(|a| Some(format!("/{}", a.out).as_str()) == url || *a.out == *name.0)
            .map(|a| a.version);
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (url, v).hash(&mut h);
        h.finish()
    }

    fn describe(&self, _: &Site, set: &AssetSet, i: &usize) -> String {
        format!("static file {}", set.list[*i].out)
    }

    fn template_functions(&self, set: &Arc<AssetSet>, family: FamilyId, tera: &mut tera::Tera) {
        let a = set.clone();
        tera.register_function("asset", move |kwargs: Kwargs, _: &TeraState| -> tera::TeraResult<String> {
            let path: &str = kwargs.must_get("path")?;
            match a.url(path) {
                Some(u) => {
                    if deps::recording_now() {
                        deps::record(Dep::Family(family, Input::new(AssetName(Arc::from(path)))));
                    }
                    Ok(u.to_string())
                }
                None => {
                    let hint = match crate::diag::suggest(path, a.names()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "static files live in static/ and themes/<theme>/static/".into(),
                    };
                    Err(tera::Error::message(format!("no static file `{path}`: {hint}")))
                }
            }
        });
    }
}

/// A static SVG is published only when it runs nothing and loads nothing from elsewhere.
fn check_svg(
    bytes: &[u8],
    path: &std::path::Path,
    exists: &dyn Fn(&str) -> bool,
    diags: &mut Vec<Diagnostic>,
) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        diags.push(
            Diagnostic::error("K541", "the SVG is not valid UTF-8")
                .at(path)
                .hint("save it again as UTF-8 SVG"),
        );
        return;
    };
    for p in crate::render::svg::sanitize::check(text, exists) {
        diags.push(
            Diagnostic::error("K541", p.message).at(path).at_offset(text, p.offset, p.len).hint(p.hint),
        );
    }
}

/// The files a stylesheet's `url()`s name must exist among the static files.
fn check_css_targets(
    css: &str,
    path: &std::path::Path,
    exists: &dyn Fn(&str) -> bool,
    diags: &mut Vec<Diagnostic>,
) {
    let mut from = 0;
    while let Some(i) = css[from..].find("url(") {
        let at = from + i;
        from = at + 4;
        let inner = css[from..].trim_start();
        let quote = inner.chars().next().filter(|c| *c == '"' || *c == '\'');
        let inner = if quote.is_some() { &inner[1..] } else { inner };
        let end = inner.find(|c: char| c == ')' || Some(c) == quote).unwrap_or(inner.len());
        let url = inner[..end].trim();
        let lower = url.to_ascii_lowercase();
        let skip = url.is_empty()
            || url.starts_with('#')
            || lower.starts_with("data:")
            || lower.starts_with("http:")
            || lower.starts_with("https:")
            || url.starts_with("//");
        let target = url.split(['?', '#']).next().unwrap_or(url);
        if !skip && !exists(target) {
            diags.push(
                Diagnostic::error("K542", format!("`url({url})`: no such static file"))
                    .at(path)
                    .at_offset(css, at, end + 5)
                    .hint("put the file in static/ (or the theme's static/) at that path, or fix the path"),
            );
        }
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
