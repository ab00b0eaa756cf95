//! Raw HTML in Markdown, cut down to an allow-list with ammonia.
//!
//! Pages without raw HTML skip this entirely. Pages with some are cleaned as a whole (an inline
//! tag only makes sense with its closing tag), and every removed construct is reported as a
//! warning so the editor knows why it vanished.

use std::collections::HashSet;
use std::sync::OnceLock;

/// Tags kept in raw HTML, on top of those kitgen's renderer emits itself.
const TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
];

fn builder() -> &'static ammonia::Builder<'static> {
    static B: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    B.get_or_init(|| {
        let mut b = ammonia::Builder::empty();
        b.tags(TAGS.iter().copied().collect::<HashSet<_>>())
            .generic_attributes(
                ["id", "class", "lang", "dir", "title", "role", "aria-hidden", "aria-label", "tabindex"]
                    .into_iter()
                    .collect(),
            )
            .add_tag_attributes("a", ["href", "hreflang"])
            .add_tag_attributes("img", ["src", "alt", "width", "height"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attributes("td", ["colspan", "rowspan"])
            .add_tag_attributes("th", ["colspan", "rowspan", "scope"])
            .add_tag_attributes("ol", ["start", "reversed"])
            .add_tag_attributes("time", ["datetime"])
            .add_tag_attributes("data", ["value"])
            .add_tag_attributes("pre", ["data-lang"])
            .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(Some("noopener noreferrer"))
            .clean_content_tags(
                ["script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math"]
                    .into_iter()
                    .collect(),
            )
            .strip_comments(true)
            .attribute_filter(|element, attribute, value| {
                let off_site = {
                    let v = value.trim_start().to_ascii_lowercase();
                    v.starts_with("http:") || v.starts_with("https:") || v.starts_with("//")
                };
                if element == "img" && attribute == "src" && off_site { None } else { Some(value.into()) }
            });
        b
    })
}

/// Sanitises a rendered body.
pub(crate) fn clean(html: &str) -> String {
    builder().clean(html).to_string()
}

/// What [`clean`] will remove from one raw HTML fragment, as (what, hint) pairs.
pub(crate) fn problems(fragment: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let lower = fragment.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'<', &bytes[i..]) {
        let start = i + p + 1;
        let rest = &lower[start..];
        if rest.starts_with('/') {
            i = start;
            continue;
        }
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        let tag_end = lower[start..].find('>').map(|e| start + e).unwrap_or(lower.len());
        let tag = &lower[start..tag_end];
        if !name.is_empty() && !TAGS.contains(&name.as_str()) {
            found.push((
                format!("`<{name}>`"),
                match name.as_str() {
                    "script" => {
                        "pages carry no inline scripts; put behaviour in the theme's static files".into()
                    }
                    "iframe" | "object" | "embed" => {
                        "embeds load other sites: link to the content instead".into()
                    }
                    "style" => "put styles in the theme's stylesheet".into(),
                    _ => format!("allowed tags: {}", TAGS.join(", ")),
                },
            ));
        } else if !name.is_empty() {
            for attr in tag.split(|c: char| c.is_whitespace()).skip(1) {
                let key = attr.split('=').next().unwrap_or("");
                if key.starts_with("on") && key.len() > 2 {
                    found.push((format!("event handler `{key}`"), "pages carry no inline scripts".into()));
                } else if key == "style" {
                    found.push((
                        "`style` attribute".into(),
                        "inline styles are blocked by the Content-Security-Policy: use a class".into(),
                    ));
                }
            }
            if tag.contains("javascript:") || tag.contains("vbscript:") || tag.contains("data:") {
                found.push(("script URL".into(), "use an http(s), mailto or relative link".into()));
            }
            if name == "img"
                && (tag.contains("src=\"http")
                    || tag.contains("src='http")
                    || tag.contains("src=http")
                    || tag.contains("src=\"//"))
            {
                found.push((
                    "image from another host".into(),
                    "download the image into static/: pages must not load anything from another site".into(),
                ));
            }
        }
        i = start;
        if i >= bytes.len() {
            break;
        }
    }
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_scripts_handlers_and_iframes() {
        let html = "<p onclick=\"x()\">a<script>alert(1)</script><iframe src=\"https://evil.example\"></iframe><a href=\"javascript:alert(1)\">b</a></p>";
        let clean = clean(html);
        assert_eq!(clean, "<p>a<a rel=\"noopener noreferrer\">b</a></p>");
    }

    #[test]
    fn keeps_allowed_markup() {
        let html = "<p><kbd>Ctrl</kbd> <abbr title=\"vidéosurveillance algorithmique\">VSA</abbr></p>";
        assert_eq!(clean(html), html);
    }

    #[test]
    fn reports_what_it_removes() {
        let p = problems("<iframe src=x></iframe>");
        assert_eq!(p[0].0, "`<iframe>`");
        let p = problems("<span onmouseover=\"x\" style=\"color:red\">");
        let what: Vec<_> = p.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(what, ["event handler `onmouseover`", "`style` attribute"]);
        assert!(problems("<kbd>").is_empty());
    }
}
