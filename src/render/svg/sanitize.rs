//! Sanitising SVG: what a published SVG (a static file, a poster template) may contain.
//!
//! An SVG opened on its own runs `<script>`, event handlers and `<foreignObject>` HTML, and may
//! load images, fonts and styles from anywhere. kitgen refuses all of that with the element and
//! its line: no scripts, no `on…` attributes, no `<foreignObject>`/`<iframe>`/`<object>`, no
//! DTD or entities (billion laughs), no animation of links, no reference to another host or to
//! a local file the caller does not allow, and no styles that load anything (`url()` other than
//! `#id` and `data:`, `@import`). Links (`<a href="https://…">`) stay links.

use roxmltree::{Document, Node, ParsingOptions};

/// One problem, at a byte range of the SVG text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Byte offset.
    pub offset: usize,
    /// Length of the offending text.
    pub len: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: &'static str,
}

const FORBIDDEN: &[&str] = &[
    "script",
    "foreignobject",
    "iframe",
    "object",
    "embed",
    "audio",
    "video",
    "handler",
    "listener",
    "frame",
];

/// Most elements an SVG may have (a poster has a few hundred; this bounds memory and time).
pub const MAX_NODES: u32 = 200_000;

/// Checks an SVG. `local` says whether a relative reference (an `<image>`, a `<use>` of
/// another file) names a file the SVG may use.
pub fn check(svg: &str, local: &dyn Fn(&str) -> bool) -> Vec<Problem> {
    let opts = ParsingOptions { allow_dtd: false, nodes_limit: MAX_NODES, ..ParsingOptions::default() };
    let doc = match Document::parse_with_options(svg, opts) {
        Ok(d) => d,
        Err(e) => {
            let pos = e.pos();
            let offset = offset_of(svg, pos.row as usize, pos.col as usize);
            let dtd = matches!(e, roxmltree::Error::DtdDetected);
            return vec![Problem {
                offset,
                len: 1,
                message: if dtd {
                    "the SVG has a DOCTYPE or entities, which kitgen does not read".into()
                } else {
                    format!("the SVG is not well-formed XML: {e}")
                },
                hint: if dtd {
                    "remove the <!DOCTYPE …> declaration (Inkscape does not need it)"
                } else {
                    "open it in Inkscape and save it again as plain SVG"
                },
            }];
        }
    };
    let mut out = Vec::new();
    for node in doc.descendants() {
        if node.is_element() {
            element(node, local, &mut out);
        } else if node.is_text()
            && node.parent().is_some_and(|p| p.tag_name().name().eq_ignore_ascii_case("style"))
            && let Some(why) = css_load(node.text().unwrap_or(""))
        {
            out.push(Problem {
                offset: node.range().start,
                len: node.range().len().min(60),
                message: format!("a <style> {why}"),
                hint: "keep only colours, fonts and sizes in styles; put images in the SVG itself",
            });
        }
    }
    out
}

fn element(node: Node<'_, '_>, local: &dyn Fn(&str) -> bool, out: &mut Vec<Problem>) {
    let name = node.tag_name().name();
    let lower = name.to_ascii_lowercase();
    let at = node.range();
    let tag_len = name.len() + 1;
    if FORBIDDEN.contains(&lower.as_str()) {
        out.push(Problem {
            offset: at.start,
            len: tag_len,
            message: format!("<{name}> is not allowed in an SVG kitgen publishes"),
            hint: "remove it: SVGs must not run scripts or embed other documents",
        });
        return;
    }
    for a in node.attributes() {
        let an = a.name();
        let range = a.range();
        let (offset, len) = (range.start, range.len().max(1));
        if an.len() > 2 && an[..2].eq_ignore_ascii_case("on") {
            out.push(Problem {
                offset,
                len,
                message: format!("event handler `{an}` on <{name}>"),
                hint: "remove the attribute: SVGs must not run scripts",
            });
            continue;
        }
        if (lower == "animate" || lower == "set") && an == "attributeName" && a.value().ends_with("href") {
            out.push(Problem {
                offset,
                len,
                message: format!("<{name}> changes a link"),
                hint: "remove the animation: it can turn a link into a script",
            });
            continue;
        }
        if an == "style" {
            if let Some(why) = css_load(a.value()) {
                out.push(Problem {
                    offset,
                    len,
                    message: format!("a style {why}"),
                    hint: "remove the url() or @import",
                });
            }
            continue;
        }
        if an != "href" {
            continue;
        }
        let v = a.value().trim();
        if v.starts_with('#') || v.is_empty() {
            continue;
        }
        let lower_v = v.to_ascii_lowercase();
        let scheme = lower_v
            .split_once(':')
            .map(|(s, _)| s)
            .filter(|s| s.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)));
        let problem = match scheme {
            Some("data") if lower_v.starts_with("data:image/") && !lower_v.starts_with("data:image/svg") => {
                None
            }
            Some("http" | "https" | "mailto") if lower == "a" => None,
            Some("http" | "https") => Some("loads a file from another host"),
            Some(_) => Some("uses a scheme kitgen does not allow"),
            None if v.starts_with("//") => Some("loads a file from another host"),
            None if v.starts_with('/') => Some("names an absolute path"),
            None if !local(v) => Some("names a file it may not use"),
            None => None,
        };
        if let Some(why) = problem {
            out.push(Problem {
                offset,
                len,
                message: format!("<{name} href=\"{v}\"> {why}"),
                hint: "put the image next to the SVG and use a relative path, or embed it",
            });
        }
    }
}

/// Why a style loads something, if it does.
fn css_load(css: &str) -> Option<&'static str> {
    let lower = css.to_ascii_lowercase();
    if lower.contains("@import") {
        return Some("imports another stylesheet");
    }
    if lower.contains("expression(") {
        return Some("runs an expression");
    }
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("url(") {
        rest = &rest[i + 4..];
        let target = rest.trim_start().trim_start_matches(['"', '\'']);
        if !target.starts_with('#') && !target.starts_with("data:") {
            return Some("loads a file with url()");
        }
    }
    None
}

fn offset_of(text: &str, row: usize, col: usize) -> usize {
    let mut off = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i + 1 == row {
            return off + line.char_indices().nth(col.saturating_sub(1)).map(|(b, _)| b).unwrap_or(0);
        }
        off += line.len();
    }
    off.min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(svg: &str) -> Vec<String> {
        check(svg, &|p| p == "ok.png").into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn clean_svgs_pass() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs><linearGradient id="g"/></defs><rect fill="url(#g)" style="fill:url(#g)"/><use xlink:href="#g"/><image href="ok.png"/><a href="https://example.org/"><text>x</text></a><image href="data:image/png;base64,AAAA"/></svg>"##;
        assert!(problems(svg).is_empty(), "{:?}", problems(svg));
    }

    #[test]
    fn scripts_handlers_and_foreign_content_are_refused() {
        let p = problems(
            r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script><foreignObject><div/></foreignObject><a><set attributeName="href" to="javascript:x"/></a></svg>"#,
        );
        assert_eq!(p.len(), 4, "{p:?}");
        assert!(p[0].contains("onload"));
        assert!(p[1].contains("<script>"));
        assert!(p[2].contains("<foreignObject>"));
        assert!(p[3].contains("changes a link"));
    }

    #[test]
    fn references_out_of_the_svg_are_refused() {
        let p = problems(
            r#"<svg xmlns="http://www.w3.org/2000/svg"><image href="https://tracker.example/p.gif"/><image href="//cdn.example/x.png"/><image href="/etc/passwd"/><image href="../secret.png"/><image href="file:///etc/passwd"/><a href="javascript:alert(1)"><text>x</text></a><rect style="fill:url(https://x.example/a)"/><style>@import url(x.css);</style></svg>"#,
        );
        assert_eq!(p.len(), 8, "{p:?}");
    }

    #[test]
    fn entities_and_broken_xml_are_located() {
        let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>\n<svg>&lol2;</svg>";
        let p = check(bomb, &|_| true);
        assert_eq!(p.len(), 1);
        assert!(p[0].message.contains("DOCTYPE"), "{:?}", p);
        let p = check("<svg>\n<g>\n</svg>", &|_| true);
        assert!(p[0].message.contains("not well-formed"), "{:?}", p);
        assert!(p[0].offset > 5);
    }
}
