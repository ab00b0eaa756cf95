//! The links of a page of the offline copy: a link to a page in the copy names its
//! `index.html` (a folder on disk has no index page of its own), a link to anything left out
//! goes to the published site. Pages are read as the first wave wrote them (minified,
//! attributes maybe unquoted). A scanner of start tags (`tags.rs`) reads them, and lol_html,
//! streaming, reads the pages the scanner gives up on; both write a changed tag the same way
//! (`<name` and each attribute after one space, changed ones as `name="value"`), so the
//! copy is the same bytes whichever read a page.

use lol_html::html_content::Element;
use lol_html::{HtmlRewriter, Settings, element};

use super::tags::{self, GiveUp};
use crate::render::html::urls::with_index;

/// Attributes holding a URL, rewritten on every element that has them.
const ATTRS: &[&str] = &["href", "src", "poster", "action"];

/// Where the page being rewritten is, and what the copy holds.
struct Place<'a> {
    /// The page's folder, as path segments.
    dir: Vec<&'a str>,
    inside: &'a dyn Fn(&str) -> bool,
    base_url: &'a str,
}

impl<'a> Place<'a> {
    fn new(path: &'a str, inside: &'a dyn Fn(&str) -> bool, base_url: &'a str) -> Self {
        let dir = match path.rsplit_once('/') {
            Some((d, _)) => d.split('/').filter(|s| !s.is_empty()).collect(),
            None => Vec::new(),
        };
        Place { dir, inside, base_url }
    }

    fn link(&self, value: &str) -> Option<String> {
        link(value, &self.dir, self.inside, self.base_url)
    }

    /// A `srcset`'s new value: each candidate's URL rewritten.
    fn srcset(&self, value: &str) -> String {
        let parts: Vec<String> = value
            .split(',')
            .map(|c| {
                let c = c.trim();
                let (u, d) = c.split_once(' ').unwrap_or((c, ""));
                let u = self.link(u).unwrap_or_else(|| u.to_string());
                if d.is_empty() { u } else { format!("{u} {d}") }
            })
            .collect();
        parts.join(", ")
    }
}

/// Rewrites the links of the page at output path `path` (`fr/brochure/index.html`). `inside`
/// tells whether an output path is in the copy; `base_url` (ending in `/`) is where the
/// site is published.
pub fn rewrite(
    html: &[u8],
    path: &str,
    inside: &dyn Fn(&str) -> bool,
    base_url: &str,
) -> Result<Vec<u8>, String> {
    let place = Place::new(path, inside, base_url);
    match scanned(html, &place) {
        Ok(out) => Ok(out),
        Err(GiveUp) => parsed(html, &place),
    }
}

/// [`rewrite`] with lol_html only, for tests that compare it with the scanner.
pub fn rewrite_parsed(
    html: &[u8],
    path: &str,
    inside: &dyn Fn(&str) -> bool,
    base_url: &str,
) -> Result<Vec<u8>, String> {
    parsed(html, &Place::new(path, inside, base_url))
}

/// [`rewrite`] with the scanner only: `None` where it gives up.
pub fn rewrite_scanned(
    html: &[u8],
    path: &str,
    inside: &dyn Fn(&str) -> bool,
    base_url: &str,
) -> Option<Vec<u8>> {
    scanned(html, &Place::new(path, inside, base_url)).ok()
}

/// The page rewritten from its start tags, or [`GiveUp`].
fn scanned(html: &[u8], place: &Place<'_>) -> Result<Vec<u8>, GiveUp> {
    let text = std::str::from_utf8(html).map_err(|_| GiveUp)?;
    // Spans start and end beside ASCII delimiters, so they are on character boundaries.
    let at = |r: (usize, usize)| text.get(r.0..r.1).ok_or(GiveUp);
    let mut out = Vec::with_capacity(html.len() + html.len() / 8);
    let mut copied = 0;
    let mut new: Vec<(usize, String)> = Vec::new();
    tags::each_start_tag(html, |tag| {
        new.clear();
        // Which link attributes the tag has: one of each at most (lol_html and browsers would
        // each read a repeated one their own way).
        let mut seen = 0u8;
        for (k, a) in tag.attrs.iter().enumerate() {
            let name = at(a.name)?;
            let which = if name.eq_ignore_ascii_case("srcset") {
                ATTRS.len()
            } else {
                match ATTRS.iter().position(|x| x.eq_ignore_ascii_case(name)) {
                    Some(w) => w,
                    None => continue,
                }
            };
            if seen & (1 << which) != 0 {
                return Err(GiveUp);
            }
            seen |= 1 << which;
            let value = at(a.value)?;
            let changed = if which == ATTRS.len() { Some(place.srcset(value)) } else { place.link(value) };
            if let Some(v) = changed {
                new.push((k, v));
            }
        }
        if new.is_empty() {
            return Ok(());
        }
        out.extend_from_slice(&html[copied..tag.span.0]);
        out.push(b'<');
        out.extend_from_slice(at(tag.name)?.as_bytes());
        let mut changed = new.iter().peekable();
        for (k, a) in tag.attrs.iter().enumerate() {
            out.push(b' ');
            match changed.next_if(|(c, _)| *c == k) {
                Some((_, v)) => {
                    out.extend_from_slice(at(a.name)?.as_bytes());
                    out.extend_from_slice(b"=\"");
                    for (i, part) in v.split('"').enumerate() {
                        if i > 0 {
                            out.extend_from_slice(b"&quot;");
                        }
                        out.extend_from_slice(part.as_bytes());
                    }
                    out.push(b'"');
                }
                None => out.extend_from_slice(at(a.raw)?.as_bytes()),
            }
        }
        out.extend_from_slice(if tag.self_closing { b" />" } else { b">" });
        copied = tag.span.1;
        Ok(())
    })?;
    out.extend_from_slice(&html[copied..]);
    Ok(out)
}

/// The page rewritten by lol_html.
fn parsed(html: &[u8], place: &Place<'_>) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(html.len() + html.len() / 8);
    let fix = |el: &mut Element<'_, '_, _>| {
        for a in ATTRS {
            if let Some(v) = el.get_attribute(a)
                && let Some(new) = place.link(&v)
            {
                el.set_attribute(a, &new)?;
            }
        }
        if let Some(v) = el.get_attribute("srcset") {
            el.set_attribute("srcset", &place.srcset(&v))?;
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
    fn the_scanner_writes_what_lol_html_writes() {
        for page in [
            r##"<!doctype html><html lang=fr><link rel=stylesheet href=../../css/site.css><a href=../a/ class="x y">A</a>"##,
            r##"<img src=../../css/site.css alt="" srcset="../a/ 1x, ../../en/ 2x"/><img srcset=""><a HREF='../'>"##,
            r##"<a href=../a/>x</a><a href="#t">t</a><a href="https://x.org/">o</a><form action=../../en/>"##,
            r##"<a href = "../a/?q=&quot;1" hidden>y</a><video poster=../a/ src=../b/></video><br/>"##,
            r##"<!-- <a href=../a/> --><script>var a=b>c</script><style>a{b:c}</style><title>T</title>"##,
            r##"<svg><title>t</title><a href=../a/><use href="../../css/site.css#i"/></a></svg>"##,
            "<p>a < b & c</p><a href=\"../a/\"\nclass=x>",
        ] {
            let scanned = rewrite_scanned(page.as_bytes(), "fr/b/index.html", &inside, BASE)
                .unwrap_or_else(|| panic!("the scanner gave up on {page}"));
            let parsed = rewrite_parsed(page.as_bytes(), "fr/b/index.html", &inside, BASE).unwrap();
            assert_eq!(String::from_utf8(scanned).unwrap(), String::from_utf8(parsed).unwrap());
        }
    }

    #[test]
    fn pages_the_scanner_gives_up_on_are_read_by_lol_html() {
        let page = br#"<script>if(a<b){}</script><a href=../a/>A</a>"#;
        assert!(rewrite_scanned(page, "fr/b/index.html", &inside, BASE).is_none());
        let out = rewrite(page, "fr/b/index.html", &inside, BASE).unwrap();
        assert!(String::from_utf8(out).unwrap().contains(r#"<a href="../a/index.html">"#));
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
