//! Code highlighting with syntect, as CSS classes.
//!
//! Each token gets the class of its colour and font style in the configured theme
//! (`<span class="hl-8fa1b3 hl-i">`), adjacent tokens of the same style are merged, and the
//! stylesheet for those classes is generated once into the output: pages carry no inline
//! styles (the Content-Security-Policy forbids them) and stay small. Syntax definitions load
//! lazily, on the first code block.

use std::fmt::Write as _;
use std::sync::OnceLock;

use syntect::easy::HighlightLines;
use syntect::highlighting::{Color, FontStyle, Style, Theme, ThemeSet};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

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

fn hex(c: Color) -> String {
    if c.a == 0xff {
        format!("{:02x}{:02x}{:02x}", c.r, c.g, c.b)
    } else {
        format!("{:02x}{:02x}{:02x}{:02x}", c.r, c.g, c.b, c.a)
    }
}

fn default_fg(theme: &Theme) -> Color {
    theme.settings.foreground.unwrap_or(Color { r: 0, g: 0, b: 0, a: 0xff })
}

/// The classes of a style; empty for the theme's plain text.
fn classes(style: Style, theme: &Theme) -> String {
    let mut c = String::new();
    if style.foreground != default_fg(theme) {
        let _ = write!(c, "hl-{}", hex(style.foreground));
    }
    for (flag, name) in
        [(FontStyle::BOLD, "hl-b"), (FontStyle::ITALIC, "hl-i"), (FontStyle::UNDERLINE, "hl-u")]
    {
        if style.font_style.contains(flag) {
            if !c.is_empty() {
                c.push(' ');
            }
            c.push_str(name);
        }
    }
    c
}

/// The stylesheet for a theme: the code block colours and one rule per colour of the theme.
pub fn stylesheet(theme: &str) -> String {
    let Some(t) = themes().themes.get(theme) else { return String::new() };
    let mut css = String::new();
    let fg = default_fg(t);
    let bg = t.settings.background.unwrap_or(Color::WHITE);
    let _ = writeln!(css, "pre.code{{color:#{};background:#{}}}", hex(fg), hex(bg));
    let mut colours: Vec<String> = t.scopes.iter().filter_map(|i| i.style.foreground).map(hex).collect();
    colours.sort();
    colours.dedup();
    for c in colours {
        let _ = writeln!(css, ".hl-{c}{{color:#{c}}}");
    }
    css.push_str(".hl-b{font-weight:bold}\n.hl-i{font-style:italic}\n.hl-u{text-decoration:underline}\n");
    css
}

/// Highlights `code` written in `lang` (a fence info string such as `rust` or `yaml`) with
/// the classes of `theme`. Returns the inner HTML of `<code>`; an unknown or empty language is
/// escaped as plain text.
pub fn highlight(code: &str, lang: &str, theme: &str) -> String {
    let lang = lang.trim();
    let (Some(t), false) = (themes().themes.get(theme), lang.is_empty()) else { return escape(code) };
    let ss = syntaxes();
    let Some(syntax) = ss.find_syntax_by_token(lang).or_else(|| ss.find_syntax_by_extension(lang)) else {
        return escape(code);
    };
    let mut h = HighlightLines::new(syntax, t);
    let mut out = String::with_capacity(code.len() * 2);
    let mut open: Option<String> = None;
    for line in LinesWithEndings::from(code) {
        let Ok(ranges) = h.highlight_line(line, ss) else { return escape(code) };
        for (style, text) in ranges {
            let class =
                if text.trim().is_empty() { open.clone().unwrap_or_default() } else { classes(style, t) };
            if open.as_deref().unwrap_or("") != class {
                if open.is_some() {
                    out.push_str("</span>");
                }
                open = None;
                if !class.is_empty() {
                    let _ = write!(out, "<span class=\"{class}\">");
                    open = Some(class);
                }
            }
            push_escaped(&mut out, text);
        }
    }
    if open.is_some() {
        out.push_str("</span>");
    }
    out
}

fn push_escaped(out: &mut String, s: &str) {
    pulldown_cmark_escape::escape_html_body_text(&mut *out, s).ok();
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    push_escaped(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_with_classes_not_styles() {
        let html = highlight("fn main() {}\n", "rust", "InspiredGitHub");
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="));
        // every colour class has a rule in the stylesheet
        let css = stylesheet("InspiredGitHub");
        for class in html.split("class=\"").skip(1).flat_map(|s| s.split('"').next().unwrap().split(' ')) {
            assert!(css.contains(&format!(".{class}{{")), "{class} missing from the stylesheet");
        }
    }

    #[test]
    fn same_styles_are_merged() {
        let html = highlight("a: 1\nb: 2\nc: [x, y]\n", "yaml", "InspiredGitHub");
        let classes: Vec<&str> =
            html.split("<span class=\"").skip(1).map(|s| s.split('"').next().unwrap()).collect();
        for pair in classes.windows(2) {
            let joined = format!("</span><span class=\"{}\">", pair[1]);
            assert!(pair[0] != pair[1] || !html.contains(&joined), "{html}");
        }
    }

    #[test]
    fn unknown_language_is_plain_escaped_text() {
        assert_eq!(highlight("<b>\n", "klingon", "InspiredGitHub"), "&lt;b&gt;\n");
        assert_eq!(highlight("a & b", "", "InspiredGitHub"), "a &amp; b");
    }

    #[test]
    fn stylesheet_exists_for_default_theme() {
        assert!(stylesheet("InspiredGitHub").contains("pre.code{"));
        assert!(theme_exists("InspiredGitHub"));
        assert!(!theme_exists("nope"));
    }
}
