//! Reads one HTML page (with lol_html, streaming) into what the checks need: its ids, its
//! links and resources, and the page-local findings (privacy, accessibility).

use std::cell::RefCell;
use std::rc::Rc;

use lol_html::html_content::{Element, TextChunk};
use lol_html::{HtmlRewriter, Settings, element, text};

use super::Finding;

/// A URL a page points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// As written in the attribute.
    pub href: String,
    /// A navigation link (`<a>`), as opposed to a resource the page loads.
    pub navigation: bool,
}

/// What a page holds for the checks that span pages.
#[derive(Debug, Default)]
pub struct PageFacts {
    /// Every `id` (and `<a name>`), in order.
    pub ids: Vec<String>,
    /// Links and resources.
    pub links: Vec<Link>,
    /// Page-local findings.
    pub findings: Vec<Finding>,
}

/// Texts that say nothing about where a link goes (WCAG 2.4.4), lower-cased.
const VAGUE: &[&str] =
    &["click here", "here", "click", "this link", "cliquez ici", "cliquer ici", "ici", "ce lien", "clic"];

/// Whether a URL leaves the site (another host, or a scheme the browser fetches remotely).
pub fn is_external(url: &str) -> bool {
    let u = url.trim_start().to_ascii_lowercase();
    u.starts_with("http:") || u.starts_with("https:") || u.starts_with("//") || u.starts_with("ftp:")
}

#[derive(Default)]
struct State {
    facts: PageFacts,
    html_seen: bool,
    h1: usize,
    last_heading: u8,
    /// Open `<a>`: its index in `links` (when it has an href), and its text so far.
    link: Option<(Option<usize>, String, bool)>,
    label_depth: usize,
    label_for: Vec<String>,
    /// Controls that need a label: their id (if any) and a description.
    controls: Vec<(Option<String>, String)>,
}

fn finding(s: &mut State, code: &'static str, message: String) {
    s.facts.findings.push(Finding::new(code, message));
}

fn resource(s: &mut State, tag: &str, attr: &str, value: &str) {
    if is_external(value) {
        finding(
            s,
            "K960",
            format!(
                "`<{tag} {attr}=\"{value}\">` loads a resource from another host; readers are tracked by it"
            ),
        );
    }
    s.facts.links.push(Link { href: value.to_string(), navigation: false });
}

fn on_element(state: &Rc<RefCell<State>>, el: &mut Element<'_, '_>) {
    let tag = el.tag_name();
    let mut guard = state.borrow_mut();
    let s = &mut *guard;
    for a in el.attributes() {
        let name = a.name();
        if name.len() > 2 && name.starts_with("on") {
            finding(
                s,
                "K961",
                format!(
                    "`<{tag} {name}=…>`: an inline event handler, blocked by the Content-Security-Policy"
                ),
            );
        } else if name == "style" {
            finding(
                s,
                "K961",
                format!("`<{tag} style=…>`: an inline style, blocked by the Content-Security-Policy"),
            );
        } else if name == "id" {
            s.facts.ids.push(a.value());
        }
    }
    match tag.as_str() {
        "html" => {
            s.html_seen = true;
            let lang = el.get_attribute("lang").unwrap_or_default();
            if lang.trim().is_empty() {
                finding(s, "K970", "the page has no `lang` on `<html>`".into());
            }
            if el.get_attribute("dir").is_none() {
                finding(s, "K970", "the page has no `dir` on `<html>`".into());
            }
        }
        "a" => {
            if let Some(name) = el.get_attribute("name") {
                s.facts.ids.push(name);
            }
            let index = el.get_attribute("href").map(|href| {
                let external = is_external(&href);
                if external {
                    let rel = el.get_attribute("rel").unwrap_or_default().to_ascii_lowercase();
                    let words: Vec<&str> = rel.split_ascii_whitespace().collect();
                    if !words.contains(&"noopener") || !words.contains(&"noreferrer") {
                        finding(
                            s,
                            "K962",
                            format!("the link to `{href}` has no `rel=\"noopener noreferrer\"`: the other site learns where its readers come from"),
                        );
                    }
                }
                s.facts.links.push(Link { href, navigation: true });
                s.facts.links.len() - 1
            });
            let labelled = el.get_attribute("aria-label").is_some_and(|v| !v.trim().is_empty())
                || el.get_attribute("aria-labelledby").is_some();
            s.link = Some((index, String::new(), labelled));
            drop(guard);
            let state = Rc::clone(state);
            if let Some(handlers) = el.end_tag_handlers() {
                handlers.push(Box::new(move |_| {
                    let mut s = state.borrow_mut();
                    if let Some((Some(i), text, labelled)) = s.link.take() {
                        let t = text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
                        let href = s.facts.links[i].href.clone();
                        if t.is_empty() && !labelled {
                            finding(
                                &mut s,
                                "K975",
                                format!("the link to `{href}` has no text: screen readers say only \"link\""),
                            );
                        } else if VAGUE.contains(&t.trim_end_matches(['.', '!', ':'])) {
                            let f = Finding::new(
                                "K975",
                                format!("the link text \"{t}\" does not say where `{href}` goes"),
                            );
                            let f = f.needle(text.trim());
                            s.facts.findings.push(f);
                        }
                    }
                    Ok(())
                }));
            }
            return;
        }
        "img" => {
            if el.get_attribute("alt").is_none() {
                let src = el.get_attribute("src").unwrap_or_default();
                finding(
                    s,
                    "K973",
                    format!("the image `{src}` has no `alt` text (use `alt=\"\"` for a decorative one)"),
                );
            }
            // Inside a link, the image's text is the link's text.
            if let (Some((_, text, _)), Some(alt)) = (s.link.as_mut(), el.get_attribute("alt")) {
                text.push(' ');
                text.push_str(&alt);
            }
        }
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
            let level = tag.as_bytes()[1] - b'0';
            if level == 1 {
                s.h1 += 1;
            }
            if level > s.last_heading.max(1) + 1 {
                finding(
                    s,
                    "K972",
                    format!("`<{tag}>` follows `<h{}>`: a heading level is skipped", s.last_heading.max(1)),
                );
            }
            s.last_heading = level;
        }
        // Data blocks (JSON) run nothing.
        "script"
            if el.get_attribute("src").is_none()
                && !el.get_attribute("type").unwrap_or_default().contains("json") =>
        {
            finding(s, "K961", "an inline `<script>`, blocked by the Content-Security-Policy".into());
        }
        "style" => {
            finding(s, "K961", "an inline `<style>` element, blocked by the Content-Security-Policy".into())
        }
        "iframe" | "frame" | "embed" | "object" => {
            for attr in ["src", "data"] {
                if let Some(v) = el.get_attribute(attr) {
                    resource(s, &tag, attr, &v);
                }
            }
        }
        "label" => {
            if let Some(f) = el.get_attribute("for") {
                s.label_for.push(f);
            }
            s.label_depth += 1;
            drop(guard);
            let state = Rc::clone(state);
            if let Some(handlers) = el.end_tag_handlers() {
                handlers.push(Box::new(move |_| {
                    let mut s = state.borrow_mut();
                    s.label_depth = s.label_depth.saturating_sub(1);
                    Ok(())
                }));
            }
            return;
        }
        "input" | "select" | "textarea" => {
            let ty = el.get_attribute("type").unwrap_or_default().to_ascii_lowercase();
            let exempt = matches!(ty.as_str(), "hidden" | "submit" | "button" | "reset" | "image");
            let named =
                ["aria-label", "aria-labelledby", "title"].iter().any(|a| el.get_attribute(a).is_some());
            if !exempt && !named && s.label_depth == 0 {
                let what = el
                    .get_attribute("name")
                    .map_or_else(|| format!("<{tag}>"), |n| format!("<{tag} name=\"{n}\">"));
                s.controls.push((el.get_attribute("id"), what));
            }
        }
        _ => {}
    }
    for attr in ["src", "poster"] {
        if matches!(tag.as_str(), "img" | "script" | "audio" | "video" | "source" | "track" | "input")
            && let Some(v) = el.get_attribute(attr)
        {
            resource(s, &tag, attr, &v);
        }
    }
    if let Some(v) = el.get_attribute("srcset") {
        for candidate in v.split(',') {
            if let Some(url) = candidate.split_whitespace().next() {
                resource(s, &tag, "srcset", url);
            }
        }
    }
    if tag == "link"
        && let Some(href) = el.get_attribute("href")
    {
        let rel = el.get_attribute("rel").unwrap_or_default().to_ascii_lowercase();
        // Only what the browser fetches: canonical and alternate links name pages.
        if rel.split_ascii_whitespace().any(|r| {
            matches!(
                r,
                "stylesheet"
                    | "icon"
                    | "preload"
                    | "prefetch"
                    | "modulepreload"
                    | "manifest"
                    | "apple-touch-icon"
                    | "dns-prefetch"
                    | "preconnect"
            )
        }) {
            resource(s, &tag, "href", &href);
        } else if !is_external(&href) {
            s.facts.links.push(Link { href, navigation: true });
        }
    }
    // SVG inline in the page.
    if matches!(tag.as_str(), "use" | "image" | "feimage") {
        for attr in ["href", "xlink:href"] {
            if let Some(v) = el.get_attribute(attr) {
                resource(s, &tag, attr, &v);
            }
        }
    }
}

fn on_text(state: &Rc<RefCell<State>>, t: &mut TextChunk<'_>) {
    if let Some((_, text, _)) = state.borrow_mut().link.as_mut() {
        text.push_str(t.as_str());
    }
}

/// Scans a page. Markup lol_html cannot read is itself a finding.
pub fn page(html: &[u8]) -> PageFacts {
    let state = Rc::new(RefCell::new(State::default()));
    let (e, t) = (Rc::clone(&state), Rc::clone(&state));
    let result = {
        let mut rewriter = HtmlRewriter::new(
            Settings::new()
                .append_element_content_handler(element!("*", move |el| {
                    on_element(&e, el);
                    Ok(())
                }))
                .append_element_content_handler(text!("a", move |chunk| {
                    on_text(&t, chunk);
                    Ok(())
                })),
            |_: &[u8]| {},
        );
        rewriter.write(html).and_then(|()| rewriter.end())
    };
    let mut s = Rc::try_unwrap(state).map(RefCell::into_inner).unwrap_or_default();
    if let Err(e) = result {
        finding(&mut s, "K976", format!("the page cannot be read as HTML: {e}"));
    }
    if s.html_seen && s.h1 != 1 {
        let msg = if s.h1 == 0 {
            "the page has no `<h1>`".to_string()
        } else {
            format!("the page has {} `<h1>` headings; one says what it is", s.h1)
        };
        finding(&mut s, "K971", msg);
    }
    let controls = std::mem::take(&mut s.controls);
    for (id, what) in controls {
        if !id.is_some_and(|id| s.label_for.contains(&id)) {
            finding(&mut s, "K974", format!("the form control `{what}` has no label"));
        }
    }
    let mut seen = std::collections::HashSet::new();
    let dups: Vec<String> = s.facts.ids.iter().filter(|id| !seen.insert(id.as_str())).cloned().collect();
    for id in dups {
        let f = Finding::new(
            "K952",
            format!("the id `{id}` is used twice in the page: links to `#{id}` are ambiguous"),
        );
        s.facts.findings.push(f.needle(&format!("#{id}")));
    }
    s.facts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(html: &str) -> Vec<&'static str> {
        page(html.as_bytes()).findings.iter().map(|f| f.code).collect()
    }

    const OK: &str = "<!DOCTYPE html><html lang=fr dir=ltr><head><link rel=stylesheet href=../css/a.css></head><body><h1>T</h1><h2 id=a>S</h2><p><a href=../x/>Les chiffres</a> <a href=\"https://example.org/\" rel=\"noopener noreferrer\">Exemple</a></p><img src=i.png alt=\"\"><label for=q>Commune</label><input id=q name=q></body></html>";

    #[test]
    fn a_clean_page_has_no_findings() {
        let f = page(OK.as_bytes());
        assert!(f.findings.is_empty(), "{:?}", f.findings);
        assert_eq!(f.ids, ["a", "q"]);
        let hrefs: Vec<&str> = f.links.iter().map(|l| l.href.as_str()).collect();
        assert_eq!(hrefs, ["../css/a.css", "../x/", "https://example.org/", "i.png"]);
    }

    #[test]
    fn every_page_local_problem_is_found() {
        let bad = "<html><body><h1>A</h1><h1>B</h1><h4>C</h4><a href=https://t.example/>cliquez ici</a><img src=https://cdn.example/x.png><script>alert(1)</script><p onclick=x() style=color:red id=d></p><span id=d></span><input name=q><a href=../y/></a></body></html>";
        let c = codes(bad);
        for code in ["K970", "K971", "K972", "K962", "K975", "K960", "K973", "K961", "K952", "K974"] {
            assert!(c.contains(&code), "{code} not in {c:?}");
        }
    }

    #[test]
    fn json_data_blocks_and_labelled_controls_pass() {
        let html = "<html lang=en dir=ltr><body><h1>x</h1><script type=application/json>{}</script><label>Name <input name=n></label><input aria-label=Search></body></html>";
        assert!(codes(html).is_empty(), "{:?}", codes(html));
    }
}
