//! Markdown to Typst markup, for PDFs.
//!
//! Every run of text becomes a Typst string (`#"…"`), so nothing in a text — `#`, `$`, `@`,
//! `[`, `*`, `//` — can ever be read as markup or code: a record's or a contributor's text
//! cannot inject anything. French spacing is applied here by kitgen (the same rules as the
//! pages), not by Typst's smart quotes. Footnotes are placed at their references (a second
//! pass); headings get labels so `#anchor` links work inside the PDF. What a PDF cannot show
//! (images, raw HTML) is left out with a warning.

use std::collections::HashMap;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

use crate::markdown::typography::{self, Typography};
use crate::slug::slugify;

/// Start and end of a blank to fill by hand inside a text: `\u{E000}blank:20\u{E001}`.
pub const BLANK_OPEN: char = '\u{E000}';
/// See [`BLANK_OPEN`].
pub const BLANK_CLOSE: char = '\u{E001}';

/// The marker of a blank `n` characters wide, as templates write it.
pub fn blank_marker(n: usize) -> String {
    format!("{BLANK_OPEN}blank:{n}{BLANK_CLOSE}")
}

/// Markdown converted to Typst, with what was left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Converted {
    /// Typst markup.
    pub typst: String,
    /// What the PDF does not show, one message each.
    pub warnings: Vec<String>,
}

/// A Typst string literal.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' | '\t' => out.push(' '),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text as Typst markup: strings, and blanks drawn as lines to write on.
fn text(out: &mut String, t: &str) {
    let mut rest = t;
    while let Some(i) = rest.find(BLANK_OPEN) {
        if i > 0 {
            out.push('#');
            out.push_str(&string(&rest[..i]));
        }
        let after = &rest[i + BLANK_OPEN.len_utf8()..];
        match after.find(BLANK_CLOSE) {
            Some(j) => {
                let n: usize =
                    after[..j].strip_prefix("blank:").and_then(|n| n.parse().ok()).unwrap_or(12).clamp(1, 80);
                out.push_str(&format!("#blank({n})"));
                rest = &after[j + BLANK_CLOSE.len_utf8()..];
            }
            None => {
                rest = after;
            }
        }
    }
    if !rest.is_empty() {
        out.push('#');
        out.push_str(&string(rest));
    }
}

/// The Typst definition of `#blank(n)` every document using [`markdown`] needs.
pub const PRELUDE: &str = "#let blank(n) = box(width: n * 0.55em, height: 0.9em, baseline: 0.15em, stroke: (bottom: 0.5pt + luma(40%)))\n";

/// Converts a Markdown body. `link` turns a link's destination into a URL or `#label`
/// (`None`: the link's text is kept, without a link).
pub fn markdown(body: &str, typography: Typography, link: &dyn Fn(&str) -> Option<String>) -> Converted {
    markdown_labelled(body, typography, link, "")
}

/// [`markdown`], the labels of its headings prefixed (`c3-`), so the chapters of a book can
/// have headings of the same name.
pub fn markdown_labelled(
    body: &str,
    typography: Typography,
    link: &dyn Fn(&str) -> Option<String>,
    label_prefix: &str,
) -> Converted {
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let events: Vec<Event<'_>> = Parser::new_ext(body, opts).collect();
    let mut c = Converted::default();
    // First pass: the footnotes' contents.
    let mut notes: HashMap<String, String> = HashMap::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::FootnoteDefinition(label)) = &events[i] {
            let start = i + 1;
            let mut depth = 1;
            i += 1;
            while i < events.len() && depth > 0 {
                match &events[i] {
                    Event::Start(Tag::FootnoteDefinition(_)) => depth += 1,
                    Event::End(TagEnd::FootnoteDefinition) => depth -= 1,
                    _ => {}
                }
                i += 1;
            }
            let none = HashMap::new();
            let mut inner = Converter::new(typography, link, &none, label_prefix);
            inner.run(&events[start..i.saturating_sub(1)]);
            notes.insert(label.to_string(), inner.out.trim().to_string());
            c.warnings.extend(inner.warnings);
        } else {
            i += 1;
        }
    }
    let mut conv = Converter::new(typography, link, &notes, label_prefix);
    conv.run(&events);
    c.typst = conv.out;
    c.warnings.extend(conv.warnings);
    c.warnings.sort();
    c.warnings.dedup();
    c
}

struct Converter<'a> {
    out: String,
    warnings: Vec<String>,
    typography: Typography,
    link: &'a dyn Fn(&str) -> Option<String>,
    notes: &'a HashMap<String, String>,
    /// List markers of the open lists (`-` or `+`).
    lists: Vec<char>,
    /// Inside an image or raw HTML block whose text is left out.
    skip: usize,
    /// The previous character of the text, for French spacing across runs.
    prev: Option<char>,
    in_footnote_def: usize,
    /// Closing text of the open links (`]` or nothing for a link left as text).
    link_ends: Vec<&'static str>,
    heading: Option<(u8, Option<String>, usize)>,
    table_cols: usize,
    /// An open code block: its language and text.
    code: Option<(String, String)>,
    /// Before every heading label.
    label_prefix: &'a str,
}

fn level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

impl<'a> Converter<'a> {
    fn new(
        typography: Typography,
        link: &'a dyn Fn(&str) -> Option<String>,
        notes: &'a HashMap<String, String>,
        label_prefix: &'a str,
    ) -> Self {
        Converter {
            out: String::new(),
            warnings: Vec::new(),
            typography,
            link,
            notes,
            lists: Vec::new(),
            skip: 0,
            prev: None,
            in_footnote_def: 0,
            link_ends: Vec::new(),
            heading: None,
            table_cols: 0,
            code: None,
            label_prefix,
        }
    }

    fn newline(&mut self) {
        self.out.push('\n');
        for _ in 0..self.lists.len() {
            self.out.push_str("  ");
        }
    }

    fn run(&mut self, events: &[Event<'_>]) {
        for e in events {
            self.event(e);
        }
    }

    fn event(&mut self, e: &Event<'_>) {
        if self.in_footnote_def > 0 {
            match e {
                Event::Start(Tag::FootnoteDefinition(_)) => self.in_footnote_def += 1,
                Event::End(TagEnd::FootnoteDefinition) => self.in_footnote_def -= 1,
                _ => {}
            }
            return;
        }
        if self.skip > 0 {
            match e {
                Event::Start(Tag::Image { .. }) | Event::Start(Tag::HtmlBlock) => self.skip += 1,
                Event::End(TagEnd::Image) | Event::End(TagEnd::HtmlBlock) => self.skip -= 1,
                _ => {}
            }
            return;
        }
        if let Some((_, buf)) = self.code.as_mut() {
            match e {
                Event::Text(t) => {
                    buf.push_str(t);
                    return;
                }
                Event::End(TagEnd::CodeBlock) => {}
                _ => return,
            }
        }
        match e {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(*tag),
            Event::Text(t) => {
                let t = match self.typography {
                    Typography::Fr => typography::french(t, &mut self.prev),
                    Typography::None => {
                        self.prev = t.chars().next_back().or(self.prev);
                        t.to_string()
                    }
                };
                text(&mut self.out, &t);
            }
            Event::Code(t) => {
                self.out.push_str(&format!("#raw({})", string(t)));
                self.prev = t.chars().next_back();
            }
            Event::SoftBreak => {
                // A line break in markup is a space, and none at the start of a paragraph
                // (where a condition left nothing before it).
                self.newline();
                self.prev = Some(' ');
            }
            Event::HardBreak => {
                self.out.push_str("#linebreak()");
                self.newline();
                self.prev = None;
            }
            Event::Rule => {
                self.newline();
                self.out.push_str("#line(length: 100%, stroke: 0.5pt + luma(60%))");
                self.newline();
            }
            Event::FootnoteReference(label) => match self.notes.get(label.as_ref()) {
                Some(n) => self.out.push_str(&format!("#footnote[{n}]")),
                None => self.warnings.push(format!("footnote [^{label}] has no definition")),
            },
            Event::TaskListMarker(done) => self.out.push_str(if *done { "#\"☑ \"" } else { "#\"☐ \"" }),
            Event::Html(_) | Event::InlineHtml(_) => {
                self.warnings.push("raw HTML is left out of the PDF".into())
            }
            Event::InlineMath(_) | Event::DisplayMath(_) => {}
        }
    }

    fn start(&mut self, tag: &Tag<'_>) {
        match tag {
            Tag::Paragraph => {
                self.prev = None;
            }
            Tag::Heading { level: l, id, .. } => {
                self.newline();
                let n = level(*l);
                self.out.push_str(&format!("#heading(level: {n})["));
                self.heading = Some((n, id.as_ref().map(|s| s.to_string()), self.out.len()));
                self.prev = None;
            }
            Tag::BlockQuote(_) => {
                self.newline();
                self.out.push_str("#quote(block: true)[");
            }
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split([' ', ',', '{']).next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new()));
            }
            Tag::HtmlBlock => {
                self.warnings.push("raw HTML is left out of the PDF".into());
                self.skip += 1;
            }
            Tag::List(start) => {
                self.lists.push(if start.is_some() { '+' } else { '-' });
            }
            Tag::Item => {
                let depth = self.lists.len().saturating_sub(1);
                self.out.push('\n');
                for _ in 0..depth {
                    self.out.push_str("  ");
                }
                let marker = *self.lists.last().unwrap_or(&'-');
                self.out.push(marker);
                self.out.push(' ');
                self.prev = None;
            }
            Tag::FootnoteDefinition(_) => self.in_footnote_def += 1,
            Tag::Table(aligns) => {
                self.table_cols = aligns.len().max(1);
                self.newline();
                self.out.push_str(&format!(
                    "#table(columns: {}, stroke: 0.4pt + luma(70%), inset: 4pt,",
                    self.table_cols
                ));
            }
            Tag::TableHead => self.out.push_str(" table.header("),
            Tag::TableRow => {}
            Tag::TableCell => self.out.push('['),
            Tag::Emphasis => self.out.push_str("#emph["),
            Tag::Strong => self.out.push_str("#strong["),
            Tag::Strikethrough => self.out.push_str("#strike["),
            Tag::Link { link_type, dest_url, .. } => {
                let dest = dest_url.trim();
                let target = if matches!(link_type, LinkType::Email) {
                    Some(format!("mailto:{dest}"))
                } else {
                    (self.link)(dest)
                };
                match target {
                    Some(t) if t.starts_with('#') => {
                        self.out.push_str(&format!("#link(label({}))[", string(&t[1..])));
                        self.link_ends.push("]");
                    }
                    Some(t) => {
                        self.out.push_str(&format!("#link({})[", string(&t)));
                        self.link_ends.push("]");
                    }
                    None => self.link_ends.push(""),
                }
            }
            Tag::Image { .. } => {
                self.warnings.push("images are left out of the PDF".into());
                self.skip += 1;
            }
            Tag::MetadataBlock(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Superscript
            | Tag::Subscript => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                if self.lists.is_empty() {
                    self.out.push_str("\n\n");
                } else {
                    self.out.push_str("#parbreak()");
                }
            }
            TagEnd::Heading(_) => {
                self.out.push(']');
                if let Some((_, id, start)) = self.heading.take() {
                    let label = id.unwrap_or_else(|| {
                        // The same id the HTML page gives it, so `#anchor` links agree.
                        slugify(&plain(&self.out[start..]))
                    });
                    if !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || "-_.:".contains(c)) {
                        self.out.push_str(&format!(" <{}{label}>", self.label_prefix));
                    }
                }
                self.out.push_str("\n\n");
            }
            TagEnd::BlockQuote(_) => self.out.push_str("]\n\n"),
            TagEnd::CodeBlock => {
                if let Some((lang, code)) = self.code.take() {
                    self.newline();
                    self.out.push_str(&format!(
                        "#raw(block: true, lang: {}, {})\n\n",
                        string(&lang),
                        string(code.trim_end())
                    ));
                }
            }
            TagEnd::HtmlBlock => {}
            TagEnd::List(_) => {
                self.lists.pop();
                if self.lists.is_empty() {
                    self.out.push_str("\n\n");
                }
            }
            TagEnd::Item => {}
            TagEnd::FootnoteDefinition => {}
            TagEnd::Table => self.out.push_str(")\n\n"),
            TagEnd::TableHead => self.out.push_str("),"),
            TagEnd::TableRow => {}
            TagEnd::TableCell => self.out.push_str("],"),
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => self.out.push(']'),
            TagEnd::Link => {
                let end = self.link_ends.pop().unwrap_or("");
                self.out.push_str(end);
            }
            TagEnd::Image => {}
            _ => {}
        }
    }
}

/// The text of generated markup (for a heading's label): the contents of its strings.
fn plain(markup: &str) -> String {
    let mut out = String::new();
    let mut in_str = false;
    let mut escaped = false;
    for c in markup.chars() {
        if in_str {
            if escaped {
                out.push(c);
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            } else {
                out.push(c);
            }
        } else if c == '"' {
            in_str = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(md: &str) -> Converted {
        markdown(md, Typography::Fr, &|d| Some(d.to_string()))
    }

    #[test]
    fn typst_specials_in_text_stay_text() {
        let c = conv("Prix : 10 $ #tag @ref [x] *y* // z = ~ \\ \"q\"\n");
        assert!(c.typst.contains("#\"Prix\u{A0}: 10 $ #tag @ref \""), "{}", c.typst);
        assert!(c.typst.contains("#emph["), "{}", c.typst);
        assert!(c.typst.contains("\\\\ \\\"q\\\""), "{}", c.typst);
    }

    #[test]
    fn structure_footnotes_and_blanks() {
        let c = conv(&format!(
            "## Titre\n\nUn texte[^n] avec un [lien](https://example.org/) et un blanc {}.\n\n- un\n- deux\n  1. a\n\n[^n]: La note.\n",
            blank_marker(20)
        ));
        let t = &c.typst;
        assert!(t.contains("#heading(level: 2)[#\"Titre\"] <titre>"), "{t}");
        assert!(t.contains("#footnote[#\"La note.\"]"), "{t}");
        assert!(t.contains("#link(\"https://example.org/\")[#\"lien\"]"), "{t}");
        assert!(t.contains("#blank(20)"), "{t}");
        assert!(t.contains("\n- #\"un\""), "{t}");
        assert!(t.contains("\n  + #\"a\""), "{t}");
        assert!(!t.contains("La note.\"\n"), "the definition is not repeated: {t}");
    }

    #[test]
    fn code_blocks_are_raw_text() {
        let c = conv("```rust\nlet x = \"#a\";\n```\n");
        assert!(
            c.typst.contains("#raw(block: true, lang: \"rust\", \"let x = \\\"#a\\\";\")"),
            "{}",
            c.typst
        );
    }

    #[test]
    fn what_a_pdf_cannot_show_is_left_out_with_a_warning() {
        let c = conv("![un plan](/img/p.png)\n\n<div>x</div>\n");
        assert!(!c.typst.contains("plan"), "{}", c.typst);
        assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
    }
}
