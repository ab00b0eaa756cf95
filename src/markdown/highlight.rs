//! Code highlighting with syntect, as CSS classes.
//!
//! Each token gets the class of its colour and font style in the configured theme
//! (`<span class="hl-8fa1b3 hl-i">`), adjacent tokens of the same style are merged, and the
//! stylesheet for those classes is generated once into the output: pages carry no inline
//! styles (the Content-Security-Policy forbids them) and stay small. Syntax definitions load
//! lazily, on the first code block; lines met again in the same state are not parsed again.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::rc::Rc;
use std::sync::OnceLock;

use syntect::highlighting::{
    Color, FontStyle, HighlightState, Highlighter, RangedHighlightIterator, Style, Theme, ThemeSet,
};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
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
    MEMO.with_borrow_mut(|memo| {
        let memo = memo.for_theme(theme, t);
        let mut state = memo.start(syntax);
        let mut out = String::with_capacity(code.len() * 2);
        let mut open: Option<String> = None;
        for line in LinesWithEndings::from(code) {
            let Some(spans) = memo.line(&mut state, line, ss) else { return escape(code) };
            for (style, range) in spans.iter() {
                let text = &line[range.clone()];
                let class = if text.trim().is_empty() {
                    open.clone().unwrap_or_default()
                } else {
                    classes(*style, t)
                };
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
    })
}

/// The state of the parser and of the highlighter between two lines of a block.
#[derive(Clone, PartialEq, Eq)]
struct LineState {
    parse: ParseState,
    highlight: HighlightState,
}

/// The styled byte ranges of one line.
type Spans = Rc<[(Style, Range<usize>)]>;

/// What highlighting one line from one state gave: its styled ranges and the state after it.
struct Highlighted {
    before: LineState,
    spans: Spans,
    after: LineState,
}

/// Lines already highlighted by this thread, per theme. Code repeats itself (closing braces,
/// imports, the same block in every language of a page), and syntect's regexes are most of
/// the cost of a code block, so a line met again in the same parser and highlighter state is
/// not parsed again. The result is the same: the states before and after are part of the
/// entry. The memo is bounded; when full it starts again.
#[derive(Default)]
struct Memo {
    themes: HashMap<String, ThemeMemo>,
}

struct ThemeMemo {
    highlighter: Highlighter<'static>,
    lines: HashMap<Box<str>, Vec<Highlighted>>,
    entries: usize,
}

/// At most this many lines are kept per thread and theme (a few MiB).
const MEMO_LINES: usize = 1 << 14;

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

impl Memo {
    fn for_theme(&mut self, name: &str, theme: &'static Theme) -> &mut ThemeMemo {
        if !self.themes.contains_key(name) {
            let memo = ThemeMemo { highlighter: Highlighter::new(theme), lines: HashMap::new(), entries: 0 };
            self.themes.insert(name.to_string(), memo);
        }
        self.themes.get_mut(name).expect("inserted above")
    }
}

impl ThemeMemo {
    fn start(&self, syntax: &SyntaxReference) -> LineState {
        LineState {
            parse: ParseState::new(syntax),
            highlight: HighlightState::new(&self.highlighter, ScopeStack::new()),
        }
    }

    /// Highlights `line` from `state`, which moves on to the state after the line; `None` when
    /// the syntax cannot parse it.
    fn line(&mut self, state: &mut LineState, line: &str, ss: &SyntaxSet) -> Option<Spans> {
        if let Some(hit) = self.lines.get(line).and_then(|v| v.iter().find(|h| h.before == *state)) {
            state.clone_from(&hit.after);
            return Some(hit.spans.clone());
        }
        let before = state.clone();
        let ops = state.parse.parse_line(line, ss).ok()?;
        let spans: Spans = RangedHighlightIterator::new(&mut state.highlight, &ops, line, &self.highlighter)
            .map(|(style, _, range)| (style, range))
            .collect();
        if self.entries >= MEMO_LINES {
            self.lines.clear();
            self.entries = 0;
        }
        self.entries += 1;
        let entry = Highlighted { before, spans: spans.clone(), after: state.clone() };
        self.lines.entry(line.into()).or_default().push(entry);
        Some(spans)
    }
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

    /// The memo gives what syntect gives without it, line for line, also when a line comes
    /// back in another state (a brace inside a comment, then closing a function).
    #[test]
    fn remembered_lines_are_highlighted_as_syntect_does() {
        let blocks = [
            "fn a() {\n    let x = 1;\n}\n",
            "/*\n}\n    let x = 1;\n*/\n}\n",
            "fn a() {\n    let x = 1;\n}\n",
            "let s = \"\n}\n\";\n",
        ];
        let ss = syntaxes();
        let theme = &themes().themes["InspiredGitHub"];
        let syntax = ss.find_syntax_by_token("rust").unwrap();
        let mut memo = Memo::default();
        let memo = memo.for_theme("InspiredGitHub", theme);
        for code in blocks {
            let mut reference = syntect::easy::HighlightLines::new(syntax, theme);
            let mut state = memo.start(syntax);
            for line in LinesWithEndings::from(code) {
                let want: Vec<(Style, &str)> = reference.highlight_line(line, ss).unwrap();
                let got = memo.line(&mut state, line, ss).unwrap();
                let got: Vec<(Style, &str)> = got.iter().map(|(s, r)| (*s, &line[r.clone()])).collect();
                assert_eq!(got, want, "{line:?} in {code:?}");
            }
        }
        assert!(memo.lines["}\n"].len() >= 2, "the brace was met in two states");
        assert_eq!(
            highlight(blocks[0], "rust", "InspiredGitHub"),
            highlight(blocks[2], "rust", "InspiredGitHub")
        );
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
