//! Compiling templates: Tera from the loaded template set (`load::templates`).
//!
//! Autoescaping is on for every template whatever its extension (Tera's default leaves `.svg`
//! unescaped). Every template is compiled even when another has an error, so all syntax errors
//! are reported at once; Tera's errors become diagnostics naming the file, line and column.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::diag::Diagnostic;
use crate::load::templates::TemplateSet;

/// Extensions autoescaped. Tera matches suffixes; kitgen escapes every kind of output.
const AUTOESCAPE: &[&str] = &[".html", ".htm", ".xml", ".svg", ".txt", ".md", ".css", ".js", ".json"];

impl TemplateSet {
    /// Compiles every template into Tera after `setup` registered functions and filters.
    /// Templates with errors are left out and named in the returned set.
    pub fn compile(
        &self,
        setup: &dyn Fn(&mut tera::Tera),
        diags: &mut Vec<Diagnostic>,
    ) -> (tera::Tera, BTreeSet<String>) {
        let mut broken = BTreeSet::new();
        loop {
            let mut tera = tera::Tera::new();
            tera.autoescape_on(AUTOESCAPE.to_vec());
            setup(&mut tera);
            let batch: Vec<(&str, &str)> = self
                .by_name
                .values()
                .filter(|t| !broken.contains(&t.name))
                .map(|t| (t.name.as_str(), t.text.as_str()))
                .collect();
            match tera.add_raw_templates(batch) {
                Ok(()) => return (tera, broken),
                Err(e) => {
                    let mut new = Vec::new();
                    if let tera::ErrorKind::Msg(m) = e.kind() {
                        // Tera reports unknown filters, functions, tests and includes of every
                        // template at once, as text.
                        for r in parse_reports(m) {
                            let cascade = r
                                .message
                                .strip_prefix("Unknown template `")
                                .and_then(|n| n.strip_suffix('`'))
                                .is_some_and(|n| broken.contains(n));
                            if !cascade {
                                diags.push(self.report_diagnostic(&r, "K401"));
                            }
                            new.push(r.template);
                        }
                    } else {
                        let cascade = matches!(e.kind(), tera::ErrorKind::MissingParent { parent, .. } if broken.contains(parent));
                        if !cascade {
                            diags.push(self.diagnostic(&e, "K401"));
                        }
                        new.extend(culprit(&e));
                    }
                    new.retain(|n| self.by_name.contains_key(n) && !broken.contains(n));
                    if new.is_empty() {
                        broken.extend(self.by_name.keys().cloned());
                        let mut tera = tera::Tera::new();
                        setup(&mut tera);
                        return (tera, broken);
                    }
                    broken.extend(new);
                }
            }
        }
    }

    /// Turns a Tera error into a diagnostic located in the template file.
    pub fn diagnostic(&self, e: &tera::Error, code: &'static str) -> Diagnostic {
        use tera::ErrorKind as K;
        let path_of = |name: &str| {
            self.by_name
                .get(name)
                .map(|t| t.path.clone())
                .unwrap_or_else(|| PathBuf::from(format!("templates/{name}")))
        };
        match e.kind() {
            K::SyntaxError(r) | K::RenderingError(r) => {
                let span = r.span();
                if let (K::SyntaxError(_), Some(t)) = (e.kind(), self.by_name.get(r.filename()))
                    && let Some(open) = unclosed(&t.text)
                {
                    return Diagnostic::error(code, format!("`{{% {} %}}` is not closed", open.keyword))
                        .at(&t.path)
                        .at_offset(&t.text, open.offset, open.len)
                        .note(format!(
                            "Tera stopped at line {}: {}",
                            span.start_line,
                            clean_message(r.message()).to_lowercase()
                        ))
                        .hint(format!("add `{{% end{} %}}` where its block ends", open.keyword));
                }
                let mut d = Diagnostic::error(code, clean_message(r.message())).at(path_of(r.filename()));
                if let Some(t) = self.by_name.get(r.filename()) {
                    let width = if span.start_line == span.end_line {
                        span.end_col.saturating_sub(span.start_col).max(1)
                    } else {
                        1
                    };
                    d = d.located(&t.text, span.start_line, span.start_col + 1, width);
                } else {
                    d = d.line_col(span.start_line, span.start_col + 1);
                }
                if matches!(e.kind(), K::SyntaxError(_)) {
                    d = d.hint("see the template syntax at https://keats.github.io/tera/docs/");
                }
                d
            }
            K::CircularExtend { tpl, inheritance_chain } => {
                let chain = inheritance_chain.join(" → ");
                let d = Diagnostic::error(code, format!("template `{tpl}` extends itself ({chain} → {tpl})"))
                    .at(path_of(tpl));
                self.locate(tpl, "extends", d)
                    .hint("a template must extend another template, e.g. `{% extends \"base.html\" %}`")
            }
            K::CircularInclude { tpl, include_chain } => {
                let d = Diagnostic::error(
                    code,
                    format!("template `{tpl}` includes itself ({})", include_chain.join(" → ")),
                )
                .at(path_of(tpl));
                self.locate(tpl, "include", d).hint("break the include cycle")
            }
            K::MissingParent { current, parent } => {
                let d = Diagnostic::error(
                    code,
                    format!("template `{current}` extends `{parent}`, which does not exist"),
                )
                .at(path_of(current));
                self.locate(current, "extends", d).hint(self.did_you_mean(parent))
            }
            K::TemplateNotFound(name) => {
                Diagnostic::error(code, format!("template `{name}` not found")).hint(self.did_you_mean(name))
            }
            other => Diagnostic::error(code, clean_message(&other.to_string())),
        }
    }

    fn report_diagnostic(&self, r: &Report, code: &'static str) -> Diagnostic {
        let mut d = Diagnostic::error(code, clean_message(&r.message));
        let hint = if r.message.starts_with("Unknown filter") {
            Some("kitgen's filters: date, number, typo, plus Tera's built-in ones")
        } else if r.message.starts_with("Unknown function") {
            Some("kitgen's functions: t, asset, url, pages, plus Tera's range and throw")
        } else {
            None
        };
        match self.by_name.get(&r.template) {
            Some(t) => {
                let width = t
                    .text
                    .lines()
                    .nth(r.line.saturating_sub(1))
                    .map(|l| {
                        l.chars()
                            .skip(r.col.saturating_sub(1))
                            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '/' || *c == '.')
                            .count()
                    })
                    .unwrap_or(1);
                d = d.at(&t.path).located(&t.text, r.line, r.col, width);
            }
            None => d = d.at(format!("templates/{}", r.template)).line_col(r.line, r.col),
        }
        match hint {
            Some(h) => d.hint(h),
            None => d,
        }
    }

    fn locate(&self, name: &str, keyword: &str, d: Diagnostic) -> Diagnostic {
        let Some(t) = self.by_name.get(name) else {
            return d;
        };
        match t.text.find(&format!("{{% {keyword}")).or_else(|| t.text.find(keyword)) {
            Some(off) => d.at_offset(&t.text, off, t.text[off..].find("%}").map(|e| e + 2).unwrap_or(2)),
            None => d,
        }
    }
}

/// A block tag left open.
struct Open {
    keyword: String,
    offset: usize,
    len: usize,
}

/// The innermost block tag (`if`, `for`, `block`, …) still open where a closing tag does not
/// match it, or at the end of the template. Tera reports such a mistake at the tag where it
/// noticed (often an `endblock` far below); the author needs the opening tag.
fn unclosed(text: &str) -> Option<Open> {
    const BLOCKS: &[&str] = &["if", "for", "block", "macro", "filter", "raw", "component", "set"];
    let mut stack: Vec<Open> = Vec::new();
    let mut rest = 0;
    while let Some(i) = text[rest..].find("{%") {
        let start = rest + i;
        let Some(end) = text[start..].find("%}").map(|e| start + e + 2) else { break };
        rest = end;
        let inner = text[start + 2..end - 2].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let word = inner.split_whitespace().next().unwrap_or("");
        if stack.last().is_some_and(|t| t.keyword == "raw") && word != "endraw" {
            continue;
        }
        if let Some(closed) = word.strip_prefix("end") {
            match stack.last() {
                Some(top) if top.keyword == closed => {
                    stack.pop();
                }
                Some(_) => return stack.pop(),
                None => {}
            }
        } else if BLOCKS.contains(&word) && !(word == "set" && inner.contains('=')) {
            stack.push(Open { keyword: word.to_string(), offset: start, len: end - start });
        }
    }
    stack.pop()
}

/// One error from Tera's text reports: `error: MSG\n  --> NAME:LINE:COL`.
#[derive(Debug, PartialEq, Eq)]
struct Report {
    message: String,
    template: String,
    line: usize,
    col: usize,
}

fn parse_reports(text: &str) -> Vec<Report> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("error: ") {
        rest = &rest[i + 7..];
        let message = rest.lines().next().unwrap_or("").to_string();
        let Some(arrow) = rest.find("--> ") else {
            break;
        };
        let loc = rest[arrow + 4..].lines().next().unwrap_or("");
        let mut parts = loc.rsplitn(3, ':');
        let col = parts.next().and_then(|c| c.parse().ok()).unwrap_or(1);
        let line = parts.next().and_then(|l| l.parse().ok()).unwrap_or(1);
        let template = parts.next().unwrap_or("").to_string();
        out.push(Report { message, template, line, col });
        rest = &rest[arrow + 4..];
    }
    out
}

/// Which template an error is about, to leave it out and go on compiling the others.
fn culprit(e: &tera::Error) -> Option<String> {
    use tera::ErrorKind as K;
    match e.kind() {
        K::SyntaxError(r) | K::RenderingError(r) => Some(r.filename().to_string()),
        K::CircularExtend { tpl, .. } | K::CircularInclude { tpl, .. } => Some(tpl.clone()),
        K::MissingParent { current, .. } => Some(current.clone()),
        _ => None,
    }
}

fn clean_message(m: &str) -> String {
    m.trim().trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::templates::TemplateSource;

    fn set(files: &[(&str, &str)]) -> TemplateSet {
        TemplateSet {
            by_name: files
                .iter()
                .map(|(n, t)| {
                    (
                        n.to_string(),
                        TemplateSource {
                            name: n.to_string(),
                            path: format!("themes/default/templates/{n}").into(),
                            text: t.to_string(),
                        },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn every_broken_template_is_reported() {
        let s = set(&[
            ("base.html", "<html>{% block body %}{% endblock body %}</html>"),
            ("a.html", "{% extends \"base.html\" %}{% block body %}{{ x {% endblock body %}"),
            ("self.html", "{% extends \"self.html\" %}"),
            ("b.html", "{% if %}"),
            ("ok.html", "{% extends \"base.html\" %}"),
        ]);
        let mut diags = Vec::new();
        let (tera, broken) = s.compile(&|_| {}, &mut diags);
        assert_eq!(broken.iter().map(String::as_str).collect::<Vec<_>>(), ["a.html", "b.html", "self.html"]);
        assert!(tera.contains_template("ok.html"));
        assert_eq!(diags.len(), 3);
        let selfd =
            diags.iter().find(|d| d.message.contains("extends itself")).expect("self-extension reported");
        assert_eq!(selfd.path.as_deref(), Some(std::path::Path::new("themes/default/templates/self.html")));
        assert_eq!(selfd.line, Some(1));
        let a = diags
            .iter()
            .find(|d| d.path.as_deref() == Some(std::path::Path::new("themes/default/templates/a.html")))
            .unwrap();
        assert_eq!(a.line, Some(1));
    }

    #[test]
    fn an_unclosed_tag_is_reported_where_it_opens() {
        let s = set(&[
            ("base.html", "<html>{% block body %}{% endblock body %}</html>"),
            (
                "a.html",
                "{% extends \"base.html\" %}\n{% block body %}\n<p>\n{% if x %}\nyes\n{% endblock body %}\n",
            ),
            ("b.html", "{% for x in y %}{% if x %}a{% endif %}{% endfor %}{% if z %}"),
        ]);
        let mut diags = Vec::new();
        let _ = s.compile(&|_| {}, &mut diags);
        let a = diags
            .iter()
            .find(|d| d.path.as_deref() == Some(std::path::Path::new("themes/default/templates/a.html")))
            .unwrap();
        assert_eq!(a.message, "`{% if %}` is not closed");
        assert_eq!((a.line, a.col), (Some(4), Some(1)));
        assert!(a.notes[0].contains("line 6"), "{a:?}");
        assert_eq!(a.hint.as_deref(), Some("add `{% endif %}` where its block ends"));
        assert!(unclosed("{% for x in y %}{% if x %}a{% endif %}{% endfor %}{% set a = 1 %}").is_none());
        assert!(unclosed("{% block b %}{% if x %}{{ bad | }}{% endif %}{% endblock %}").is_none());
        assert!(unclosed("{% raw %}{% if %}{% endraw %}").is_none());
    }

    #[test]
    fn unknown_filters_and_cascades() {
        let s = set(&[
            ("base.html", "<html>{% include \"nav.html\" %}{% block body %}{% endblock body %}</html>"),
            ("nav.html", "{{ x | nope }}"),
            ("page.html", "{% extends \"base.html\" %}{% block body %}{{ y | upper }}{% endblock body %}"),
        ]);
        let mut diags = Vec::new();
        let (_, broken) = s.compile(&|_| {}, &mut diags);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].message, "Unknown filter `nope`");
        assert_eq!(diags[0].location().unwrap(), "themes/default/templates/nav.html:1:8");
        assert!(broken.contains("nav.html") && broken.contains("base.html"));
    }

    #[test]
    fn svg_is_escaped() {
        let s = set(&[("p.svg", "<text>{{ name }}</text>")]);
        let (tera, _) = s.compile(&|_| {}, &mut Vec::new());
        let mut ctx = tera::Context::new();
        ctx.insert("name", "Saint-Étienne & <Loire>");
        assert_eq!(tera.render("p.svg", &ctx).unwrap(), "<text>Saint-Étienne &amp; &lt;Loire&gt;</text>");
    }
}
