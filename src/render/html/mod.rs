//! HTML: relative links, the live-reload script, minification.
//!
//! Templates and Markdown write site-absolute paths (`/fr/brochure/`); after rendering, links
//! are rewritten by the link policy ([`crate::render::LinkPolicy`]): relative pretty URLs, or
//! relative URLs naming `index.html` for a copy opened from a folder. The 404 page, served at
//! any depth, gets links that start from the site's path instead.

pub mod minify;
pub mod urls;

use super::{Artifact, Kind, LinkPolicy, Links, Minifier, RenderOptions};

/// An artifact ready for the sink: its bytes before minification, and whether they are still
/// to be minified (the writer skips that for outputs it already has, see `write::index`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// Bytes, links rewritten.
    pub bytes: Vec<u8>,
    /// Still to minify, and how.
    pub minify: Option<Minifier>,
}

/// Rewrites the links of an HTML artifact at output `path` and inserts the live-reload script;
/// other kinds pass through. `base_url` is the site's published URL.
pub fn finish(a: Artifact, path: &str, opts: &RenderOptions, base_url: &str) -> Finished {
    let minify = (opts.minify && a.kind == Kind::Html).then_some(a.minifier);
    if a.kind != Kind::Html || a.links == Links::AsIs {
        return Finished { bytes: a.bytes, minify };
    }
    // The page is worked on as bytes: its text came from Tera as a `String`, and checking it
    // again cost more than the rewriting.
    let html = a.bytes;
    let mut html = match (a.links, opts.links) {
        (Links::Anywhere, LinkPolicy::Serve) => html,
        (Links::Anywhere, LinkPolicy::Pretty) => {
            // Served at any depth: links start from the site's path on its host, never from
            // another host (the site may be copied elsewhere; nothing may leak to the original).
            let base = base_path(base_url);
            urls::rewrite_attrs_bytes(&html, &|_, u| format!("{base}{}", u.trim_start_matches('/')))
        }
        (_, LinkPolicy::IndexHtml) => {
            let from = urls::Here::new(if a.links == Links::Anywhere { "404.html" } else { path });
            // Scripts add file names to the folders of `data-*` attributes (the lookup index).
            urls::rewrite_attrs_bytes(&html, &|attr, u| {
                let rel = from.to(u);
                if attr.starts_with("data-") { rel } else { urls::with_index(&rel) }
            })
        }
        _ => {
            let here = urls::Here::new(path);
            urls::rewrite_attrs_bytes(&html, &|_, u| here.to(u))
        }
    };
    if opts.live_reload {
        let tag = format!("<script src=\"{}\" defer></script>", super::LIVE_RELOAD_PATH);
        let at = memchr::memmem::find(&html, b"</head>").unwrap_or(html.len());
        html.splice(at..at, tag.into_bytes());
    }
    Finished { bytes: html, minify }
}

/// The final step as a number, for the output index's keys (a change of minifier is a change
/// of output).
pub fn last_step(minify: Option<Minifier>) -> u8 {
    match minify {
        None => 0,
        Some(Minifier::Full) => 1,
        Some(Minifier::Light) => 2,
    }
}

/// The final bytes: minified when asked.
pub fn minified(f: Finished) -> Vec<u8> {
    match f.minify {
        Some(Minifier::Full) => minify::html(&f.bytes),
        Some(Minifier::Light) => minify::light(&f.bytes),
        None => f.bytes,
    }
}

/// `https://example.org/kit/` → `/kit/`.
pub fn base_path(base_url: &str) -> String {
    let rest = base_url.split_once("://").map(|(_, r)| r).unwrap_or(base_url);
    match rest.find('/') {
        Some(i) => rest[i..].to_string(),
        None => "/".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_policies() {
        let page = || Artifact::page(r#"<a href="/fr/x/">x</a><img src="/img/a.png">"#.into());
        let s = |f: Finished| String::from_utf8(f.bytes).unwrap();
        let b = RenderOptions::build(true);
        let out = finish(page(), "fr/y/index.html", &b, "https://example.org/vsa/");
        assert_eq!(out.minify, Some(Minifier::Full));
        assert_eq!(s(out), r#"<a href="../x/">x</a><img src="../../img/a.png">"#);
        let off = RenderOptions { links: LinkPolicy::IndexHtml, ..b };
        assert_eq!(
            s(finish(page(), "fr/y/index.html", &off, "https://example.org/vsa/")),
            r#"<a href="../x/index.html">x</a><img src="../../img/a.png">"#
        );
        let form = Artifact::page(r#"<form data-search="/search/" data-base="/fr/communes/">"#.into());
        assert_eq!(
            s(finish(form, "fr/communes/index.html", &off, "https://example.org/vsa/")),
            r#"<form data-search="../../search/" data-base="./">"#,
            "offline, a script's folders keep their slash"
        );
        let mut nf = page();
        nf.links = Links::Anywhere;
        assert_eq!(
            s(finish(nf.clone(), "404.html", &b, "https://example.org/vsa/")),
            r#"<a href="/vsa/fr/x/">x</a><img src="/vsa/img/a.png">"#
        );
        let serve = RenderOptions::serve(false);
        let out = s(finish(nf, "404.html", &serve, "https://example.org/vsa/"));
        assert!(out.starts_with(r#"<a href="/fr/x/">"#) && out.contains("live-reload.js"), "{out}");
        let css = Artifact::file(Kind::Css, b"a{}".to_vec());
        assert_eq!(
            finish(css, "css/a.css", &b, "https://example.org/"),
            Finished { bytes: b"a{}".to_vec(), minify: None }
        );
    }
}
