//! Text for the full-text index: plain text out of a page's rendered body, cut at its headings,
//! and the search tokens of a text.
//!
//! Tokens are [`normalize`]d words (accents and case dropped), without one-letter words (so the
//! French elisions `l’`, `d’`, `qu’` and `s’` fall away), without a few very common words, with a
//! final plural `-s` or `-x` removed from words longer than three letters. The browser applies
//! the same rules to a query (`themes/default/static/js/search.js`; the stop words travel in
//! the index so there is one list).

use crate::family::search::normalize;

/// Words too common to search for, French and English: dropped from pages and queries alike.
pub const STOP: &[&str] = &[
    "au", "aux", "ce", "ces", "cet", "cette", "dans", "de", "des", "du", "elle", "en", "est", "et", "il",
    "ils", "la", "le", "les", "leur", "leurs", "ne", "ou", "par", "pas", "pour", "qu", "que", "qui", "se",
    "ses", "son", "sa", "sont", "sur", "un", "une", "an", "and", "are", "as", "at", "be", "by", "for",
    "from", "in", "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "with",
];

/// The search tokens of a text, in order, repeats kept.
pub fn tokens(text: &str) -> Vec<String> {
    normalize(text)
        .split(' ')
        .filter(|w| w.len() >= 2 && !STOP.contains(w))
        .map(|w| stem(w).to_string())
        .collect()
}

/// `cameras` → `camera`, `reseaux` → `reseau`; short words stay.
fn stem(w: &str) -> &str {
    if w.len() > 3 && (w.ends_with('s') || w.ends_with('x')) { &w[..w.len() - 1] } else { w }
}

/// One part of a page: the text before its first heading (`id` empty), or a heading's section.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Part {
    /// The heading's id (`""` for the text before the first heading).
    pub id: String,
    /// Plain text of the part, spaces collapsed.
    pub text: String,
}

/// Cuts rendered HTML at the headings whose id is in `cut` (the page's level-2 and level-3
/// headings), keeping the text of each part. The text of the headings themselves is left out
/// (the table of contents has it) and so are the `#` anchors after them and addresses
/// written out (`https://…`).
pub fn parts(html: &str, cut: &[&str]) -> Vec<Part> {
    let mut out = vec![Part::default()];
    let mut rest = html;
    let mut skip: Option<String> = None; // closing tag to wait for
    while let Some(lt) = rest.find('<') {
        if skip.is_none() {
            push_text(&mut out.last_mut().unwrap_or_else(|| unreachable!()).text, &rest[..lt]);
        }
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else { break };
        let tag = &after[..gt];
        rest = &after[gt + 1..];
        let name: String =
            tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        let name = name.to_ascii_lowercase();
        if let Some(end) = &skip {
            if tag.starts_with('/') && &name == end {
                skip = None;
            }
            continue;
        }
        let block = BLOCKS.contains(&name.as_str());
        if tag.starts_with('/') {
            if block {
                out.last_mut().unwrap_or_else(|| unreachable!()).text.push(' ');
            }
            continue;
        }
        let heading = matches!(name.as_str(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
        if heading && let Some(id) = attr(tag, "id").filter(|id| cut.contains(&id.as_str())) {
            out.push(Part { id, text: String::new() });
            skip = Some(name);
        } else if matches!(name.as_str(), "script" | "style" | "svg") || marker(&name, tag) {
            skip = Some(name);
        } else if block || heading {
            out.last_mut().unwrap_or_else(|| unreachable!()).text.push(' ');
        }
    }
    if skip.is_none() {
        push_text(&mut out.last_mut().unwrap_or_else(|| unreachable!()).text, rest);
    }
    for p in &mut out {
        // Addresses written out in the text are neither words to search for nor a snippet.
        p.text = p.text.split_whitespace().filter(|w| !w.contains("://")).collect::<Vec<_>>().join(" ");
    }
    out
}

/// A heading's `#` anchor, a footnote's number or its way back (`↩`): not text.
fn marker(name: &str, tag: &str) -> bool {
    let classes = || attr(tag, "class").unwrap_or_default();
    match name {
        "a" => classes().split(' ').any(|c| c == "anchor" || c == "fn-back"),
        "sup" => classes().split(' ').any(|c| c == "fnref"),
        _ => false,
    }
}

/// Elements whose start and end separate words.
const BLOCKS: &[&str] = &[
    "p",
    "br",
    "li",
    "ul",
    "ol",
    "div",
    "section",
    "article",
    "aside",
    "blockquote",
    "table",
    "tr",
    "td",
    "th",
    "dd",
    "dt",
    "dl",
    "figure",
    "figcaption",
    "pre",
    "hr",
    "nav",
    "header",
    "footer",
    "details",
    "summary",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
];

/// The value of attribute `name` in a tag's source (`h2 id="x" class="y"`).
fn attr(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    while let Some(i) = rest.find(name) {
        let before = rest[..i].chars().last();
        let after = &rest[i + name.len()..];
        rest = after;
        if before.is_some_and(|c| !c.is_whitespace()) {
            continue;
        }
        let Some(v) = after.trim_start().strip_prefix('=') else { continue };
        let v = v.trim_start();
        let value = match v.chars().next() {
            Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or(""),
            _ => v.split(|c: char| c.is_whitespace()).next().unwrap_or(""),
        };
        return Some(decode(value));
    }
    None
}

fn push_text(out: &mut String, html: &str) {
    out.push_str(&decode(html));
}

/// Decodes the character references of HTML text (`&amp;`, `&#8217;`, `&nbsp;`); an unknown
/// named one becomes a space.
pub fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let Some(end) = end else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let c = if let Some(num) = name.strip_prefix('#') {
            let n = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse().ok(),
            };
            n.and_then(char::from_u32).unwrap_or(' ')
        } else {
            match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => '\u{a0}',
                _ => ' ',
            }
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The start of a text, cut at a word before `max` characters, with `…` when cut.
pub fn snippet(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut[..],
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ', '.', '(']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_drop_accents_elisions_and_plurals() {
        assert_eq!(tokens("La reconnaissance faciale"), ["reconnaissance", "faciale"]);
        assert_eq!(tokens("Biométrie"), ["biometrie"]);
        assert_eq!(tokens("l’algorithme d'analyse qu’il"), ["algorithme", "analyse"]);
        assert_eq!(tokens("Les caméras et les réseaux"), ["camera", "reseau"]);
        assert_eq!(tokens("VSA, bus"), ["vsa", "bus"]);
    }

    #[test]
    fn html_is_cut_at_headings() {
        let html = "<p>Intro &amp; suite</p><h2 id=\"a\">Titre A<a class=\"anchor\" href=\"#a\">#</a></h2>\
                    <p>Texte <em>A</em><sup class=\"fnref\" id=\"r\"><a href=\"#fn-1\">1</a></sup>.</p><h3 id=\"x\">Pas coupé</h3><p>encore</p>\
                    <h2 id='b'>B</h2><ul><li>un</li><li>deux <a href=\"https://x.org/\">https://x.org/</a></li></ul>";
        let p = parts(html, &["a", "b"]);
        assert_eq!(
            p,
            [
                Part { id: "".into(), text: "Intro & suite".into() },
                Part { id: "a".into(), text: "Texte A. Pas coupé encore".into() },
                Part { id: "b".into(), text: "un deux".into() },
            ]
        );
    }

    #[test]
    fn snippets_end_on_a_word() {
        assert_eq!(snippet("court", 10), "court");
        assert_eq!(snippet("un texte bien trop long pour tenir", 16), "un texte bien…");
        assert_eq!(decode("l&#8217;a &nbsp;&foo; &x"), "l\u{2019}a \u{a0}  &x");
    }
}
