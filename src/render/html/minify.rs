//! Minifying HTML, CSS and JS with minify-html.
//!
//! Stylesheets and scripts go through the same minifier, wrapped in `<style>` or `<script>`,
//! so one well-tested crate handles all three.

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

#[cfg(test)]
mod tests {
    use super::*;

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
