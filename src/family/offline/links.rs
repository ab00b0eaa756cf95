//! The links of a page of the offline copy: a link to a page in the copy names its
//! `index.html` (a folder on disk has no index page of its own), a link to anything left out
//! goes to the published site. Pages are read as the first wave wrote them (minified,
//! attributes maybe unquoted), so they are rewritten with lol_html, streaming.

use lol_html::html_content::Element;
use lol_html::{HtmlRewriter, Settings, element};

use crate::render::html::urls::with_index;

/// Attributes holding a URL, rewritten on every element that has them.
const ATTRS: &[&str] = &["href", "src", "poster", "action"];

/// Rewrites the links of the page at output path `path` (`fr/brochure/index.html`). `inside`
/// tells whether an output path is in the copy; `base_url` (ending in `/`) is where the
/// site is published.
pub fn rewrite(
    html: &[u8],
    path: &str,
    inside: &dyn Fn(&str) -> bool,
    base_url: &str,
) -> Result<Vec<u8>, String> {
    let dir: Vec<&str> = match path.rsplit_once('/') {
        Some((d, _)) => d.split('/').filter(|s| !s.is_empty()).collect(),
        None => Vec::new(),
    };
    let mut out = Vec::with_capacity(html.len() + html.len() / 8);
    let fix = |el: &mut Element<'_, '_, _>| {
        for a in ATTRS {
            if let Some(v) = el.get_attribute(a)
                && let Some(new) = link(&v, &dir, inside, base_url)
            {
                el.set_attribute(a, &new)?;
            }
        }
        if let Some(v) = el.get_attribute("srcset") {
            let parts: Vec<String> = v
                .split(',')
                .map(|c| {
                    let c = c.trim();
                    let (u, d) = c.split_once(' ').unwrap_or((c, ""));
                    let u = link(u, &dir, inside, base_url).unwrap_or_else(|| u.to_string());
                    if d.is_empty() { u } else { format!("{u} {d}") }
                })
                .collect();
            el.set_attribute("srcset", &parts.join(", "))?;
        }
        Ok(())
    };
    let mut rewriter = HtmlRewriter::new(
        Settings::new().append_element_content_handler(element!(
            "[href], [src], [srcset], [poster], [action]",
            move |el| fix(el)
        )),
        |c: &[u8]| out.extend_from_slice(c),
    );
    rewriter.write(html).map_err(|e| e.to_string())?;
    rewriter.end().map_err(|e| e.to_string())?;
    Ok(out)
}

/// Whether a URL starts with a scheme (`https:`, `mailto:`, `data:`).
fn has_scheme(u: &str) -> bool {
    let Some(i) = u.find(':') else { return false };
    let scheme = &u[..i];
    !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The new value of one link from a page in folder `dir`, or `None` to keep it: links with a
/// scheme, protocol-relative links and links inside the page stay. Every other link gets a
/// value (maybe its own), so it is written again the same way whatever the page's quoting.
pub fn link(value: &str, dir: &[&str], inside: &dyn Fn(&str) -> bool, base_url: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() || v.starts_with('#') || v.starts_with("//") || has_scheme(v) {
        return None;
    }
    let cut = v.find(['?', '#']).unwrap_or(v.len());
    let (path, tail) = v.split_at(cut);
    let mut segs: Vec<&str> = if path.starts_with('/') { Vec::new() } else { dir.to_vec() };
    let parts: Vec<&str> = path.split('/').collect();
    for p in &parts {
        match *p {
            "" | "." => {}
            ".." => {
                segs.pop();
            }
            p => segs.push(p),
        }
    }
    let folder = path.is_empty() || matches!(parts.last(), Some(&("" | "." | "..")));
    let target = segs.join("/");
    let key = match (folder, target.is_empty()) {
        (true, true) => "index.html".to_string(),
        (true, false) => format!("{target}/index.html"),
        (false, _) => target.clone(),
    };
    if inside(&key) {
        // Written the way `kitgen build --offline` writes it, so both builds give one copy.
        return Some(match (folder, path.ends_with('/') || path.is_empty()) {
            (false, _) => v.to_string(),
            (true, true) => with_index(v),
            (true, false) => format!("{path}/index.html{tail}"),
        });
    }
    let pretty = key.strip_suffix("index.html").unwrap_or(&key);
    Some(format!("{base_url}{pretty}{tail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://example.org/vsa/";

    fn inside(p: &str) -> bool {
        [
            "fr/index.html",
            "fr/a/index.html",
            "fr/b/index.html",
            "index.html",
            "css/site.css",
            "fr/communes/index.html",
        ]
        .contains(&p)
    }

    #[test]
    fn links_in_the_copy_name_index_html_and_others_go_online() {
        let dir = ["fr", "b"];
        let l = |u: &str| link(u, &dir, &inside, BASE);
        assert_eq!(l("../a/").as_deref(), Some("../a/index.html"));
        assert_eq!(l("../a/#x").as_deref(), Some("../a/index.html#x"));
        assert_eq!(l("../").as_deref(), Some("../index.html"));
        assert_eq!(l("../..").as_deref(), Some("../../index.html"));
        assert_eq!(l("../a/index.html").as_deref(), Some("../a/index.html"), "already names its file");
        assert_eq!(l("../../css/site.css").as_deref(), Some("../../css/site.css"));
        assert_eq!(l("./").as_deref(), Some("index.html"), "as `kitgen build --offline` writes it");
        assert_eq!(
            l("../communes/13055-marseille/").as_deref(),
            Some("https://example.org/vsa/fr/communes/13055-marseille/")
        );
        assert_eq!(
            l("../communes/13055-marseille/index.html#k").as_deref(),
            Some("https://example.org/vsa/fr/communes/13055-marseille/#k")
        );
        assert_eq!(
            l("../../downloads/fr/affiches.zip").as_deref(),
            Some("https://example.org/vsa/downloads/fr/affiches.zip")
        );
        assert_eq!(l("../../en/").as_deref(), Some("https://example.org/vsa/en/"));
        for keep in ["#top", "https://x.org/", "mailto:a@b.c", "data:image/png;base64,x", "//h.example/", ""]
        {
            assert_eq!(l(keep), None, "{keep}");
        }
    }

    #[test]
    fn unquoted_minified_attributes_are_rewritten() {
        let html = br#"<a href=../a/>A</a><a class=x href="../../en/">B</a><img src=../../css/site.css alt=""><link rel=canonical href=https://example.org/vsa/fr/b/>"#;
        let out = rewrite(html, "fr/b/index.html", &inside, BASE).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains(r#"href="../a/index.html""#), "{out}");
        assert!(out.contains(r#"href="https://example.org/vsa/en/""#), "{out}");
        assert!(out.contains(r#"src="../../css/site.css""#), "{out}");
        assert!(out.contains("href=https://example.org/vsa/fr/b/"), "{out}");
    }
}
