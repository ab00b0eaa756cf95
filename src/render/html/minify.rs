//! Minifying HTML, CSS and JS with minify-html, and a light pass for generated pages.
//!
//! Stylesheets and scripts go through the same minifier, wrapped in `<style>` or `<script>`,
//! so one well-tested crate handles all three.
//!
//! The 140,000 pages generated per commune (commune pages, printable kits) come from the
//! theme's own templates, where what minify-html saves beyond whitespace (quotes, optional
//! tags) is a few percent of the bytes, and it cost 40 % of a build's CPU on them. [`light`] only collapses whitespace and drops
//! comments, in one pass over the bytes (in a profile of the default site's cold build,
//! minification fell from 40 % of the CPU to under 10 %), for a few percent more
//! bytes.

use std::sync::OnceLock;

fn cfg() -> &'static minify_html::Cfg {
    static CFG: OnceLock<minify_html::Cfg> = OnceLock::new();
    CFG.get_or_init(|| {
        let mut c = minify_html::Cfg::new();
        c.minify_css = true;
        c.minify_js = true;
        c.keep_html_and_head_opening_tags = true;
        c.keep_closing_tags = true;
        c
    })
}

/// Minifies a whole HTML page.
pub fn html(src: &[u8]) -> Vec<u8> {
    minify_html::minify(src, cfg())
}

/// Minifies a stylesheet.
pub fn css(src: &str) -> String {
    wrapped(src, "<style>", "</style>")
}

/// Minifies a script.
pub fn js(src: &str) -> String {
    wrapped(src, "<script>", "</script>")
}

fn wrapped(src: &str, open: &str, close: &str) -> String {
    if src.contains(close) {
        return src.to_string();
    }
    let doc = format!("{open}{src}{close}");
    let out = String::from_utf8(minify_html::minify(doc.as_bytes(), cfg())).unwrap_or_default();
    match out.strip_prefix(open).and_then(|s| s.strip_suffix(close)) {
        Some(inner) => inner.to_string(),
        None => src.to_string(),
    }
}

/// Collapses every run of ASCII whitespace in text to one character (a newline if the run
/// held one, else a space) and drops comments. Tags are copied as written (quoted attribute
/// values included), and so are the contents of `<pre>`, `<textarea>`, `<script>` and
/// `<style>`, where whitespace matters. Rendering is unchanged: outside those elements (and
/// CSS `white-space`, which the theme does not use), browsers collapse whitespace the same way.
pub fn light(src: &[u8]) -> Vec<u8> {
    let n = src.len();
    let mut out = Vec::with_capacity(n);
    // Bytes from `copied` to `i` are kept as they are, copied in one go when a change comes.
    let mut copied = 0;
    let mut i = 0;
    while i < n {
        let b = src[i];
        if b == b'<' {
            if src[i..].starts_with(b"<!--") {
                let Some(j) = memchr::memmem::find(&src[i + 4..], b"-->") else { break };
                out.extend_from_slice(&src[copied..i]);
                i += 4 + j + 3;
                copied = i;
                // Whitespace on both sides of the comment becomes one character.
                if out.last().is_some_and(u8::is_ascii_whitespace) {
                    let end = src[i..].iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(n - i);
                    if src[i..i + end].contains(&b'\n')
                        && let Some(last) = out.last_mut()
                    {
                        *last = b'\n';
                    }
                    i += end;
                    copied = i;
                }
                continue;
            }
            let start = i;
            i = tag_end(src, i + 1);
            if let Some(name) = raw_text_element(&src[start..i]) {
                i += find_closing(&src[i..], name).unwrap_or(n - i);
            }
        } else if b.is_ascii_whitespace() {
            let start = i;
            while i < n && src[i].is_ascii_whitespace() {
                i += 1;
            }
            // A single space between words is kept where it is.
            if i - start == 1 && b == b' ' && start > 0 {
                continue;
            }
            out.extend_from_slice(&src[copied..start]);
            if start > 0 && !out.last().is_some_and(u8::is_ascii_whitespace) {
                out.push(if src[start..i].contains(&b'\n') { b'\n' } else { b' ' });
            }
            copied = i;
        } else {
            // Plain text: on to the next tag or whitespace.
            i += 1;
            while i < n && !STOPS[src[i] as usize] {
                i += 1;
            }
        }
    }
    out.extend_from_slice(&src[copied..]);
    out
}

/// The bytes where plain text stops being copied as it is: `<` and ASCII whitespace.
static STOPS: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = i as u8 == b'<' || (i as u8).is_ascii_whitespace();
        i += 1;
    }
    t
};

/// Where the tag whose name starts at `i` ends (after its `>`, quoted values skipped), or the
/// end of the text.
fn tag_end(src: &[u8], mut i: usize) -> usize {
    // Tags are short: a byte loop beats a search call per quote.
    let n = src.len();
    while i < n {
        match src[i] {
            b'>' => return i + 1,
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < n && src[i] != q {
                    i += 1;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    n
}

/// The name of the element an opening tag starts when its text must be kept as written.
fn raw_text_element(tag: &[u8]) -> Option<&'static str> {
    if !matches!(tag.get(1), Some(b'p' | b'P' | b't' | b'T' | b's' | b'S')) {
        return None;
    }
    ["pre", "textarea", "script", "style"].into_iter().find(|name| {
        tag.len() > name.len() + 1
            && tag[1..=name.len()].eq_ignore_ascii_case(name.as_bytes())
            && matches!(tag[name.len() + 1], b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/')
    })
}

/// Where `</name` starts in `s` (any case).
fn find_closing(s: &[u8], name: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(j) = memchr::memmem::find(&s[from..], b"</") {
        let at = from + j;
        let rest = &s[at + 2..];
        if rest.len() >= name.len() && rest[..name.len()].eq_ignore_ascii_case(name.as_bytes()) {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_light_pass_collapses_whitespace_and_keeps_what_must_stay() {
        let l = |s: &str| String::from_utf8(light(s.as_bytes())).unwrap();
        assert_eq!(l("\n  <p>  a \t b\n\n c </p>\n  <!-- x -->\n<p>d</p>"), "<p> a b\nc </p>\n<p>d</p>");
        assert_eq!(l("<pre>  a\n   b</pre>  x"), "<pre>  a\n   b</pre> x");
        assert_eq!(l("<PRE class=\"c\">\n a </Pre >"), "<PRE class=\"c\">\n a </Pre >");
        assert_eq!(l("<textarea>\n x  </textarea>"), "<textarea>\n x  </textarea>");
        assert_eq!(l("<script>if (a  <  b) {}</script>"), "<script>if (a  <  b) {}</script>");
        assert_eq!(l("<a title=\"a  > b\"  href='x  y'>t</a>"), "<a title=\"a  > b\"  href='x  y'>t</a>");
        assert_eq!(l("<prefix>  a</prefix>"), "<prefix> a</prefix>");
        // Non-ASCII spaces are text (the no-break spaces of French typography).
        assert_eq!(l("a\u{a0}\u{a0}: b\u{202f}!"), "a\u{a0}\u{a0}: b\u{202f}!");
        // Unfinished constructs are copied, never lost.
        assert_eq!(l("a <!-- b"), "a <!-- b");
        assert_eq!(l("<pre> a"), "<pre> a");
        assert_eq!(l("<a href=\"x"), "<a href=\"x");
    }

    #[test]
    fn minifies_all_three() {
        assert_eq!(css("a {  color : red ; }\n"), "a{color:red}");
        let js_out = js("function f ( a ) {\n  return a + 1 ;\n}\n");
        assert!(js_out.len() < 30, "{js_out}");
        let page = html(b"<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<title>T</title>\n</head>\n<body>\n<p>  a   b </p>\n</body>\n</html>\n");
        let s = String::from_utf8(page).unwrap();
        assert!(s.contains("<html lang=fr>") && s.contains("<p>a b</p>"), "{s}");
    }
}
