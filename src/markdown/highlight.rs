//! Code highlighting with syntect, as CSS classes.
//!
//! Code blocks get `<span class="hl-…">` markup and the stylesheet for the configured theme is
//! generated once into the output, so pages carry no inline styles (the Content-Security-Policy
//! forbids them). The syntax definitions load lazily, on the first code block.

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

fn themes() -> &'static ThemeSet {
    static SET: OnceLock<ThemeSet> = OnceLock::new();
    SET.get_or_init(ThemeSet::load_defaults)
}

/// Whether syntect knows this theme.
pub fn theme_exists(name: &str) -> bool {
    themes().themes.contains_key(name)
}

/// Names of the available themes, sorted.
pub fn theme_names() -> Vec<String> {
    let mut v: Vec<String> = themes().themes.keys().cloned().collect();
    v.sort();
    v
}

/// The stylesheet for a theme, with the classes [`highlight`] emits.
pub fn stylesheet(theme: &str) -> String {
    themes().themes.get(theme).and_then(|t| css_for_theme_with_class_style(t, STYLE).ok()).unwrap_or_default()
}

/// Highlights `code` written in `lang` (a fence info string such as `rust` or `yaml`).
///
/// Returns the inner HTML of `<code>`; an unknown or empty language is escaped as plain text.
pub fn highlight(code: &str, lang: &str) -> String {
    let lang = lang.trim();
    if lang.is_empty() {
        return escape(code);
    }
    let ss = syntaxes();
    let Some(syntax) = ss.find_syntax_by_token(lang).or_else(|| ss.find_syntax_by_extension(lang)) else {
        return escape(code);
    };
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, ss, STYLE);
    for line in LinesWithEndings::from(code) {
        if generator.parse_html_for_line_which_includes_newline(line).is_err() {
            return escape(code);
        }
    }
    generator.finalize()
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    pulldown_cmark_escape::escape_html_body_text(&mut out, s).ok();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_with_classes_not_styles() {
        let html = highlight("fn main() {}\n", "rust");
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="));
    }

    #[test]
    fn unknown_language_is_plain_escaped_text() {
        assert_eq!(highlight("<b>\n", "klingon"), "&lt;b&gt;\n");
        assert_eq!(highlight("a & b", ""), "a &amp; b");
    }

    #[test]
    fn stylesheet_exists_for_default_theme() {
        assert!(stylesheet("InspiredGitHub").contains(".hl-"));
        assert!(theme_exists("InspiredGitHub"));
        assert!(!theme_exists("nope"));
    }
}
