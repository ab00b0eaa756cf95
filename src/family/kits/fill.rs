//! Filling kit documents.
//!
//! A document is Markdown with Tera placeholders. Converting its Markdown for every commune
//! would cost 35,000 conversions per document and language, so it is converted once: its Tera
//! tags are set aside behind markers, the Markdown becomes HTML (for printable pages) and
//! Typst (for PDFs), the tags are put back, and the results are compiled as templates filled
//! per commune. A placeholder therefore gives text, never Markdown: a record's `*` or `#`
//! stays a character. The body is also compiled as it is written, so a Tera error is
//! reported at its line in the `.md` file, and filled once with a sample commune at planning,
//! so an unknown placeholder is found before anything is rendered.

use std::sync::Arc;

use tera::{Context, Kwargs, State as TeraState};

use crate::diag::Diagnostic;
use crate::load::templates::{TemplateSet, TemplateSource};
use crate::markdown::{self, LinkResolver, MdInput};
use crate::model::Site;
use crate::model::kit::{DocSource, Kit};
use crate::render::typst::markup::{self, BLANK_CLOSE, BLANK_OPEN, blank_marker};

/// Start of a Tera tag set aside.
const TAG_OPEN: char = '\u{E002}';
/// End of a Tera tag set aside.
const TAG_CLOSE: char = '\u{E003}';

/// A body with its Tera tags replaced by markers (`\u{E002}3\u{E003}`), and the tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Protected {
    /// The body with markers.
    pub text: String,
    /// The tags, by number.
    pub tags: Vec<String>,
}

/// Sets the Tera tags (`{{ … }}`, `{% … %}`, `{# … #}`) of a body aside.
pub(super) fn protect(body: &str) -> Protected {
    let mut text = String::with_capacity(body.len());
    let mut tags = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find('{') {
        let close = match rest.as_bytes()[i..].get(1) {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            Some(b'#') => "#}",
            _ => {
                text.push_str(&rest[..=i]);
                rest = &rest[i + 1..];
                continue;
            }
        };
        let Some(j) = rest[i + 2..].find(close) else {
            break;
        };
        let end = i + 2 + j + 2;
        text.push_str(&rest[..i]);
        text.push(TAG_OPEN);
        text.push_str(&tags.len().to_string());
        text.push(TAG_CLOSE);
        tags.push(rest[i..end].to_string());
        rest = &rest[end..];
    }
    text.push_str(rest);
    Protected { text, tags }
}

/// Puts the tags back. `wrap` changes a marker's surroundings first (see [`unwrap_statements`]).
pub(super) fn restore(s: &str, tags: &[String]) -> String {
    let mut out = String::with_capacity(s.len() + tags.iter().map(String::len).sum::<usize>());
    let mut rest = s;
    while let Some(i) = rest.find(TAG_OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + TAG_OPEN.len_utf8()..];
        match after.find(TAG_CLOSE).and_then(|j| after[..j].parse::<usize>().ok().map(|n| (j, n))) {
            Some((j, n)) if n < tags.len() => {
                out.push_str(&tags[n]);
                rest = &after[j + TAG_CLOSE.len_utf8()..];
            }
            _ => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `<p>` elements holding only statements (`{% if %}` on its own line) lose their `<p>`, so a
/// condition around whole paragraphs leaves no empty paragraph behind.
fn unwrap_statements(html: &str, tags: &[String]) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<p>") {
        let Some(j) = rest[i..].find("</p>") else { break };
        let inner = &rest[i + 3..i + j];
        let only_statements = !inner.trim().is_empty()
            && protect_markers(inner).is_some_and(|ns| {
                ns.iter().all(|&n| tags.get(n).is_some_and(|t| t.starts_with("{%") || t.starts_with("{#")))
            });
        out.push_str(&rest[..i]);
        if only_statements {
            out.push_str(inner.trim());
        } else {
            out.push_str(&rest[i..i + j + 4]);
        }
        rest = &rest[i + j + 4..];
    }
    out.push_str(rest);
    out
}

/// The marker numbers of a text made of markers and spaces only, else `None`.
fn protect_markers(s: &str) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let r = rest.strip_prefix(TAG_OPEN)?;
        let j = r.find(TAG_CLOSE)?;
        out.push(r[..j].parse().ok()?);
        rest = r[j + TAG_CLOSE.len_utf8()..].trim_start();
    }
    Some(out)
}

/// Removes paragraphs left empty once filled (a condition that was false).
pub(super) fn drop_empty_paragraphs(html: &mut String) {
    if !html.contains("<p>") {
        return;
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(i) = rest.find("<p>") {
        match rest[i..].find("</p>") {
            Some(j) if rest[i + 3..i + j].trim().is_empty() => {
                out.push_str(&rest[..i]);
                rest = &rest[i + j + 4..];
            }
            _ => {
                out.push_str(&rest[..i + 3]);
                rest = &rest[i + 3..];
            }
        }
    }
    out.push_str(rest);
    *html = out;
}

/// Replaces every blank marker (`\u{E000}blank:N\u{E001}`, N the characters to leave; 12 when
/// unreadable) by what `draw(N)` makes of it.
fn replace_blanks(text: &mut String, draw: impl Fn(usize) -> String) {
    if !text.contains(BLANK_OPEN) {
        return;
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text.as_str();
    while let Some(i) = rest.find(BLANK_OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + BLANK_OPEN.len_utf8()..];
        let Some(j) = after.find(BLANK_CLOSE) else {
            rest = after;
            continue;
        };
        let n: usize = after[..j].strip_prefix("blank:").and_then(|n| n.parse().ok()).unwrap_or(12);
        out.push_str(&draw(n));
        rest = &after[j + BLANK_CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    *text = out;
}

/// Blanks drawn in HTML: a span whose width class follows the number of characters.
pub(super) fn html_blanks(html: &mut String) {
    replace_blanks(html, |n| {
        let size = match n {
            0..=8 => "s",
            9..=16 => "m",
            17..=30 => "l",
            _ => "xl",
        };
        format!("<span class=\"blank blank-{size}\"></span>")
    });
}

/// Blanks inside the Typst strings of a filled document: the string is closed around them.
pub(super) fn typst_blanks(src: &mut String) {
    replace_blanks(src, |n| format!("\"#blank({})#\"", n.clamp(1, 80)));
}

/// Removes the empty strings (`#""`) a filled document is left with where a condition or a blank
/// stood at the edge of a string. They print nothing, but one at the start of a paragraph holds
/// the line break after it there, which Typst then prints as a leading space.
///
/// `#""` cannot occur inside a string literal: quotes there are escaped (`\"`), and the markup
/// between strings starts with `#` or a line break, never with a quote.
pub(super) fn drop_empty_strings(src: &mut String) {
    if src.contains("#\"\"") {
        *src = src.replace("#\"\"", "");
    }
}

/// Escapes a value inside a Typst string literal.
fn typst_escape(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    for c in input.chars() {
        match c {
            '\\' => out.write_all(b"\\\\")?,
            '"' => out.write_all(b"\\\"")?,
            '\n' => out.write_all(b"\\n")?,
            c if (c as u32) < 0x20 => out.write_all(b" ")?,
            c => {
                let mut b = [0; 4];
                out.write_all(c.encode_utf8(&mut b).as_bytes())?;
            }
        }
    }
    Ok(())
}

/// The name of a document's templates, without the extension.
pub(super) fn name(kit: &Kit, doc: &str, lang: &str) -> String {
    format!("kits/{}/{doc}.{lang}", kit.id)
}

/// Registers kitgen's template functions and `blank(n=…)`.
fn functions(t: &mut tera::Tera, site: &Arc<Site>) {
    crate::render::tera::functions::register(t, site);
    t.register_function("blank", |kwargs: Kwargs, _: &TeraState| -> tera::TeraResult<String> {
        let n: usize = kwargs.get("n")?.unwrap_or(16);
        Ok(blank_marker(n.clamp(1, 80)))
    });
}

/// Resolves `@/` links of a kit document in its language (else the default language's).
struct Links<'a> {
    site: &'a Site,
    lang: usize,
}

impl LinkResolver for Links<'_> {
    fn resolve(&self, path: &str) -> Result<markdown::Resolved, (String, String)> {
        if let Some(page) = crate::model::find_link(self.site, self.lang, path) {
            return Ok(markdown::Resolved { url: page.url.clone(), target: page.id });
        }
        Err((
            format!("link to `@/{path}`: no such page"),
            format!("the path is relative to content/{}/", self.site.config.languages[self.lang].code),
        ))
    }

    fn current(&self) -> u32 {
        u32::MAX
    }
}

/// Every document compiled three ways: as written (for located errors), as HTML and as Typst.
pub(super) struct Templates {
    /// The bodies as written, front matter blanked so lines match the files.
    source: (tera::Tera, TemplateSet),
    html: tera::Tera,
    typst: tera::Tera,
    /// Templates that did not compile (reported).
    pub broken: std::collections::BTreeSet<String>,
}

/// A body with its front matter replaced by as many empty lines.
fn as_written(src: &DocSource) -> String {
    let front = &src.text[..src.body_start];
    let mut s = "\n".repeat(front.matches('\n').count());
    s.push_str(src.body());
    s
}

impl Templates {
    /// Compiles every document of every kit in every language it has a file in.
    pub(super) fn new(site: &Arc<Site>, diags: &mut Vec<Diagnostic>) -> Templates {
        let mut set = TemplateSet::default();
        let mut html = Vec::new();
        let mut typst = Vec::new();
        for kit in &site.kits {
            for doc in &kit.docs {
                for (&li, src) in &doc.sources {
                    let lang = &site.config.languages[li];
                    let n = name(kit, &doc.meta.id, &lang.code);
                    set.by_name.insert(
                        n.clone(),
                        TemplateSource { name: n.clone(), path: src.path.clone(), text: as_written(src) },
                    );
                    let typography = lang.typography;
                    let p = protect(src.body());
                    let input = MdInput {
                        file: &p.text,
                        body_start: 0,
                        path: &src.path,
                        typography,
                        highlight_theme: &site.config.highlight_theme,
                    };
                    let rendered = markdown::render(&input, &Links { site, lang: li });
                    diags.extend(rendered.diagnostics.into_iter().map(|d| {
                        d.note("in a kit document (columns may be off where a line holds placeholders)")
                    }));
                    let body = unwrap_statements(&rendered.html, &p.tags);
                    html.push((format!("{n}.html"), restore(&body, &p.tags)));
                    let link = |dest: &str| -> Option<String> {
                        let dest = dest.trim();
                        if let Some(path) = dest.strip_prefix("@/") {
                            let (path, anchor) = path.split_once('#').unwrap_or((path, ""));
                            let r = Links { site, lang: li }.resolve(path).ok()?;
                            let url = site.config.absolute_url(&r.url);
                            return Some(if anchor.is_empty() { url } else { format!("{url}#{anchor}") });
                        }
                        (dest.starts_with("https://")
                            || dest.starts_with("http://")
                            || dest.starts_with("mailto:"))
                        .then(|| dest.to_string())
                    };
                    let conv = markup::markdown(&p.text, typography, &link);
                    for w in conv.warnings {
                        diags.push(
                            Diagnostic::warning("K826", format!("{w} of {}", doc.meta.id))
                                .at(&src.path)
                                .hint("the printable page shows it; keep kit documents to text, lists, links and tables"),
                        );
                    }
                    typst.push((format!("{n}.typ"), restore(&conv.typst, &p.tags)));
                }
            }
        }
        let (source_tera, broken) = set.compile(&|t| functions(t, site), diags);
        let compile = |list: Vec<(String, String)>,
                       escape: Option<tera::EscapeFn>,
                       diags: &mut Vec<Diagnostic>| {
            let mut t = tera::Tera::new();
            t.autoescape_on(vec![".html", ".typ"]);
            if let Some(f) = escape {
                t.set_escape_fn(f);
            }
            functions(&mut t, site);
            for (n, text) in list {
                let stem = n.rsplit_once('.').map(|(s, _)| s).unwrap_or(&n);
                if broken.contains(stem) {
                    continue;
                }
                if let Err(e) = t.add_raw_template(&n, &text) {
                    let path = set.by_name.get(stem).map(|s| s.path.clone()).unwrap_or_default();
                    diags.push(
                        Diagnostic::error("K823", format!("the converted document cannot be compiled: {e}"))
                            .at(path)
                            .hint("keep `{% if %}` … `{% endif %}` inside one paragraph, or around whole paragraphs"),
                    );
                }
            }
            t
        };
        let html = compile(html, None, diags);
        let typst = compile(typst, Some(typst_escape), diags);
        Templates { source: (source_tera, set), html, typst, broken }
    }

    /// Fills a document as written, to find errors at their line (planning, with a sample).
    pub(super) fn check(&self, name: &str, ctx: &Context) -> Result<(), Diagnostic> {
        if self.broken.contains(name) {
            return Ok(());
        }
        self.source.0.render(name, ctx).map(|_| ()).map_err(|e| self.source.1.diagnostic(&e, "K823"))
    }

    /// A document filled as HTML.
    pub(super) fn html(&self, name: &str, ctx: &Context) -> Result<String, Diagnostic> {
        let mut out =
            self.html.render(&format!("{name}.html"), ctx).map_err(|e| self.located(name, ctx, e))?;
        drop_empty_paragraphs(&mut out);
        html_blanks(&mut out);
        Ok(out)
    }

    /// A document filled as Typst markup (needs [`markup::PRELUDE`]).
    pub(super) fn typst(&self, name: &str, ctx: &Context) -> Result<String, Diagnostic> {
        let mut out =
            self.typst.render(&format!("{name}.typ"), ctx).map_err(|e| self.located(name, ctx, e))?;
        typst_blanks(&mut out);
        drop_empty_strings(&mut out);
        Ok(out)
    }

    /// The error of a converted template, located in the document as written.
    fn located(&self, name: &str, ctx: &Context, e: tera::Error) -> Diagnostic {
        match self.check(name, ctx) {
            Err(d) => d,
            Ok(()) => Diagnostic::error("K823", format!("kit document `{name}`: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_set_aside_and_put_back() {
        let body = "La commune {{ commune.de }} {% if record %}a{% endif %} {# note #} {x} {{ a }\n";
        let p = protect(body);
        assert_eq!(p.tags, ["{{ commune.de }}", "{% if record %}", "{% endif %}", "{# note #}"]);
        assert!(!p.text.contains("{{ commune"), "{}", p.text);
        assert!(p.text.contains("{x}"));
        assert_eq!(restore(&p.text, &p.tags), body);
    }

    #[test]
    fn statement_paragraphs_are_unwrapped_and_empty_ones_dropped() {
        let p = protect("{% if record %}\n\nTexte.\n\n{% endif %}\n");
        let html = format!(
            "<p>{}</p>\n<p>Texte.</p>\n<p>{}</p>\n",
            &p.text[..p.text.find('\n').unwrap_or(0)],
            "\u{E002}1\u{E003}"
        );
        let out = restore(&unwrap_statements(&html, &p.tags), &p.tags);
        assert_eq!(out, "{% if record %}\n<p>Texte.</p>\n{% endif %}\n");
        let mut filled = "<p>\n</p><p>Oui</p><p> </p>".to_string();
        drop_empty_paragraphs(&mut filled);
        assert_eq!(filled, "<p>Oui</p>");
    }

    #[test]
    fn blanks_become_spans_and_typst_calls() {
        let mut h = format!("de {} et {}", blank_marker(6), blank_marker(40));
        html_blanks(&mut h);
        assert_eq!(h, "de <span class=\"blank blank-s\"></span> et <span class=\"blank blank-xl\"></span>");
        let mut t = format!("#\"de {} ici\"", blank_marker(20));
        typst_blanks(&mut t);
        assert_eq!(t, "#\"de \"#blank(20)#\" ici\"");
    }

    #[test]
    fn a_condition_at_the_start_of_a_paragraph_leaves_no_space_in_typst() {
        // What `{% if a %}` + line + text + `{% endif %}` becomes once filled with `a` true.
        let mut t = "\n\n#\"\"\n#\"D’après la campagne.\"\n#\"\"\n\n".to_string();
        drop_empty_strings(&mut t);
        assert_eq!(t, "\n\n\n#\"D’après la campagne.\"\n\n\n");
        let mut t = format!("#\"{}de la commune\"", blank_marker(20));
        typst_blanks(&mut t);
        drop_empty_strings(&mut t);
        assert_eq!(t, "#blank(20)#\"de la commune\"");
        // Escaped quotes inside a string stay.
        let mut t = "#\"a \\\"#\\\"\"".to_string();
        let before = t.clone();
        drop_empty_strings(&mut t);
        assert_eq!(t, before);
    }

    #[test]
    fn typst_values_cannot_leave_their_string() {
        let mut out = Vec::new();
        typst_escape("a\"#b\\ $c", &mut out).unwrap_or_default();
        assert_eq!(String::from_utf8_lossy(&out), "a\\\"#b\\\\ $c");
    }
}
