//! Relative URLs, so the output works under any sub-path and from a USB stick.
//!
//! Templates and Markdown write site-absolute paths (`/fr/brochure/`); after rendering, every
//! `href`, `src`, `srcset`, `action` and `xlink:href` that starts with one `/` is rewritten
//! relative to the output file. Protocol-relative `//host` URLs are left alone (and forbidden
//! elsewhere).

/// The path from the folder of `from` (an output path such as `fr/x/index.html`) to the
/// site-absolute `to` (`/fr/y/#a`).
pub fn relative(from: &str, to: &str) -> String {
    Here::new(from).to(to)
}

/// The folder of an output, split once for the many links of its page.
#[derive(Debug, Clone)]
pub struct Here<'a> {
    dirs: Vec<&'a str>,
}

impl<'a> Here<'a> {
    /// The folder of the output path `from`.
    pub fn new(from: &'a str) -> Here<'a> {
        let dirs = match from.rsplit_once('/') {
            Some((dir, _)) => dir.split('/').filter(|s| !s.is_empty()).collect(),
            None => Vec::new(),
        };
        Here { dirs }
    }

    /// The path from here to the site-absolute `to`.
    pub fn to(&self, to: &str) -> String {
        let to = to.strip_prefix('/').unwrap_or(to);
        // Split off the query and fragment so they are not compared as segments.
        let cut = to.find(['?', '#']).unwrap_or(to.len());
        let (path, tail) = to.split_at(cut);
        // The last segment is the file (or "" for a folder URL).
        let (dirs, file) = match path.rfind('/') {
            Some(j) => (Some(&path[..j]), &path[j + 1..]),
            None => (None, path),
        };
        let dirs = dirs.into_iter().flat_map(|d| d.split('/'));
        let common = self.dirs.iter().zip(dirs.clone()).take_while(|(a, b)| **a == *b).count();
        let mut out = String::with_capacity(to.len() + 8);
        for _ in common..self.dirs.len() {
            out.push_str("../");
        }
        for d in dirs.skip(common) {
            out.push_str(d);
            out.push('/');
        }
        out.push_str(file);
        if out.is_empty() {
            out.push_str("./");
        }
        out.push_str(tail);
        out
    }
}

/// A relative URL of a folder (`../x/`, `./`, `../x/#a`) with `index.html` named, so it opens
/// from a folder on disk; other URLs are returned as they are.
pub fn with_index(url: &str) -> String {
    let cut = url.find(['?', '#']).unwrap_or(url.len());
    let (path, tail) = url.split_at(cut);
    if path.ends_with('/') {
        let path = if path == "./" { "" } else { path };
        format!("{path}index.html{tail}")
    } else if path.is_empty() {
        format!("index.html{tail}")
    } else {
        url.to_string()
    }
}

const ATTRS: &[&str] =
    &["href", "src", "srcset", "action", "xlink:href", "poster", "data", "data-search", "data-base"];

/// Rewrites site-absolute URLs in attributes with `f`.
pub fn rewrite(html: &str, f: &dyn Fn(&str) -> String) -> String {
    rewrite_attrs(html, &|_, u| f(u))
}

/// Rewrites site-absolute URLs in attributes with `f`, which also gets the attribute's name
/// (`data-search` holds a folder a script adds file names to, not a link to follow).
pub fn rewrite_attrs(html: &str, f: &dyn Fn(&str, &str) -> String) -> String {
    // Only ASCII is cut and only valid text put in: the result is valid UTF-8.
    String::from_utf8(rewrite_attrs_bytes(html.as_bytes(), f)).unwrap_or_else(|_| html.to_string())
}

/// [`rewrite_attrs`] on the bytes of a page (its text is not checked again).
pub fn rewrite_attrs_bytes(bytes: &[u8], f: &dyn Fn(&str, &str) -> String) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16);
    let mut last = 0;
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'=', &bytes[i..]) {
        let eq = i + p;
        i = eq + 1;
        let Some(&quote) = bytes.get(eq + 1) else {
            break;
        };
        if quote != b'"' && quote != b'\'' {
            continue;
        }
        if bytes.get(eq + 2) != Some(&b'/') || bytes.get(eq + 3) == Some(&b'/') {
            continue;
        }
        let name_start = bytes[..eq].iter().rposition(u8::is_ascii_whitespace).map(|s| s + 1).unwrap_or(0);
        let Ok(name) = std::str::from_utf8(&bytes[name_start..eq]) else { continue };
        if !ATTRS.iter().any(|a| a.eq_ignore_ascii_case(name)) {
            continue;
        }
        let value_start = eq + 2;
        let Some(len) = memchr::memchr(quote, &bytes[value_start..]) else {
            break;
        };
        let Ok(value) = std::str::from_utf8(&bytes[value_start..value_start + len]) else { continue };
        out.extend_from_slice(&bytes[last..value_start]);
        if name.eq_ignore_ascii_case("srcset") {
            let parts: Vec<String> = value
                .split(',')
                .map(|c| {
                    let c = c.trim();
                    match c.split_once(' ') {
                        Some((u, d)) if u.starts_with('/') && !u.starts_with("//") => {
                            format!("{} {d}", f(name, u))
                        }
                        None if c.starts_with('/') && !c.starts_with("//") => f(name, c),
                        _ => c.to_string(),
                    }
                })
                .collect();
            out.extend_from_slice(parts.join(", ").as_bytes());
        } else {
            out.extend_from_slice(f(name, value).as_bytes());
        }
        last = value_start + len;
        i = last;
    }
    out.extend_from_slice(&bytes[last..]);
    out
}

/// Rewrites `url(/…)` in a stylesheet at output path `css_path`.
pub fn relativize_css(css: &str, css_path: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(i) = rest.find("url(") {
        out.push_str(&rest[..i + 4]);
        rest = &rest[i + 4..];
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'');
        let body = if let Some(q) = quote {
            out.push(q);
            &rest[1..]
        } else {
            rest
        };
        let end = body.find([')', '"', '\'']).unwrap_or(body.len());
        let url = &body[..end];
        if url.starts_with('/') && !url.starts_with("//") {
            out.push_str(&relative(css_path, url));
        } else {
            out.push_str(url);
        }
        rest = &body[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(relative("fr/brochure/x/index.html", "/fr/brochure/y/"), "../y/");
        assert_eq!(relative("fr/brochure/x/index.html", "/fr/brochure/x/"), "./");
        assert_eq!(relative("fr/brochure/x/index.html", "/fr/brochure/x/#a"), "./#a");
        assert_eq!(relative("fr/index.html", "/en/"), "../en/");
        assert_eq!(relative("index.html", "/fr/"), "fr/");
        assert_eq!(relative("index.html", "/"), "./");
        assert_eq!(relative("fr/a/index.html", "/css/site.1234.css"), "../../css/site.1234.css");
        assert_eq!(relative("fr/a/index.html", "/fr/a/b/?q=1#x"), "b/?q=1#x");
    }

    #[test]
    fn index_html_urls() {
        assert_eq!(with_index("../x/"), "../x/index.html");
        assert_eq!(with_index("./"), "index.html");
        assert_eq!(with_index("./#a"), "index.html#a");
        assert_eq!(with_index("../x/?q=1#a"), "../x/index.html?q=1#a");
        assert_eq!(with_index("../css/a.css"), "../css/a.css");
        assert_eq!(with_index("#top"), "index.html#top");
    }

    #[test]
    fn rewrites_attributes_only() {
        let html = r#"<a href="/fr/x/">/fr/y/</a><img src='/img/a.png' alt="/a"><a href="//evil.example/">x</a><a href="https://x.org/">y</a><img srcset="/a.png 1x, /b.png 2x">"#;
        let out = rewrite(html, &|u| relative("fr/z/index.html", u));
        assert_eq!(
            out,
            r#"<a href="../x/">/fr/y/</a><img src='../../img/a.png' alt="/a"><a href="//evil.example/">x</a><a href="https://x.org/">y</a><img srcset="../../a.png 1x, ../../b.png 2x">"#
        );
    }

    #[test]
    fn css_urls() {
        let css = "a{background:url(/img/a.svg)} b{src:url(\"/fonts/x.woff2\")} c{x:url(data:x)}";
        assert_eq!(
            relativize_css(css, "css/site.css"),
            "a{background:url(../img/a.svg)} b{src:url(\"../fonts/x.woff2\")} c{x:url(data:x)}"
        );
    }
}
