//! Texts that must fit a box: a commune's name is 1 to 45 characters (`Y`,
//! `Saint-Remy-en-Bouzemont-Saint-Genest-et-Isson`). A `<text>` marked to fit is measured with
//! the real font (usvg lays it out with the site's fonts), shrunk to the box's width, and when
//! that would make it smaller than legible, broken over more lines at a space or a hyphen. It
//! never overflows; below the legible size it is still shrunk, and the caller warns.

use crate::render::fonts::Fonts;
use crate::render::xml_escape;

/// What to fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Box {
    /// The `id` of the `<text>` element.
    pub id: String,
    /// Width, in the SVG's units.
    pub width: f64,
    /// Height, in the SVG's units.
    pub height: Option<f64>,
    /// Smallest legible font size.
    pub min_size: f64,
    /// At most this many lines.
    pub lines: u8,
}

/// How a text was fitted.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// The element.
    pub id: String,
    /// Its font size now.
    pub size: f64,
    /// Its lines.
    pub lines: Vec<String>,
    /// Smaller than `min_size`.
    pub too_small: bool,
}

/// Line height, in font sizes.
const LEADING: f64 = 1.08;

/// Font properties that change a text's width, inherited from the element's ancestors.
const FONT_ATTRS: &[&str] =
    &["font-family", "font-weight", "font-style", "font-stretch", "letter-spacing", "word-spacing"];

fn style_value<'a>(style: &'a str, name: &str) -> Option<&'a str> {
    style.split(';').find_map(|d| {
        let (k, v) = d.split_once(':')?;
        (k.trim() == name).then(|| v.trim())
    })
}

fn attr<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<&'a str> {
    node.ancestors()
        .filter(|n| n.is_element())
        .find_map(|n| n.attribute(name).or_else(|| n.attribute("style").and_then(|s| style_value(s, name))))
}

fn number(v: &str) -> Option<f64> {
    v.trim().trim_end_matches("px").parse().ok()
}

/// Width of `text` at font size 100 with these font properties.
fn width_at_100(fonts: &Fonts, text: &str, props: &str) -> Result<f64, String> {
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100000\" height=\"400\" viewBox=\"0 0 100000 400\"><text x=\"0\" y=\"200\" font-size=\"100\"{props}>{}</text></svg>",
        xml_escape(text)
    );
    let tree = super::tree::parse(&svg, fonts, &Default::default())?;
    Ok(tree.root().abs_bounding_box().width() as f64)
}

/// Ways to cut `words` (text with break opportunities after spaces and hyphens) into `n` lines.
fn splits(text: &str, n: usize) -> Vec<Vec<String>> {
    let breaks: Vec<usize> = text
        .char_indices()
        .filter(|(_, c)| *c == ' ' || *c == '-')
        .map(|(i, c)| i + c.len_utf8())
        .filter(|&i| i < text.len())
        .collect();
    if n <= 1 || breaks.len() + 1 < n {
        return vec![vec![text.trim().to_string()]];
    }
    let mut out = Vec::new();
    let mut pick = vec![0usize; n - 1];
    fn rec(
        b: &[usize],
        start: usize,
        depth: usize,
        pick: &mut Vec<usize>,
        text: &str,
        out: &mut Vec<Vec<String>>,
    ) {
        if depth == pick.len() {
            let mut lines = Vec::new();
            let mut from = 0;
            for &p in pick.iter() {
                lines.push(text[from..p].trim().to_string());
                from = p;
            }
            lines.push(text[from..].trim().to_string());
            if lines.iter().all(|l| !l.is_empty()) {
                out.push(lines);
            }
            return;
        }
        for i in start..b.len() {
            pick[depth] = b[i];
            rec(b, i + 1, depth + 1, pick, text, out);
        }
    }
    rec(&breaks, 0, 0, &mut pick, text, &mut out);
    out
}

/// Fits one element; returns the new SVG text and how it was fitted.
pub fn fit(svg: &str, b: &Box, fonts: &Fonts) -> Result<(String, Fitted), String> {
    let doc = roxmltree::Document::parse_with_options(
        svg,
        roxmltree::ParsingOptions { allow_dtd: false, ..roxmltree::ParsingOptions::default() },
    )
    .map_err(|e| e.to_string())?;
    let node = doc
        .descendants()
        .find(|n| n.is_element() && n.attribute("id") == Some(b.id.as_str()))
        .ok_or_else(|| format!("no element has id=\"{}\"", b.id))?;
    if node.tag_name().name() != "text" {
        return Err(format!("element id=\"{}\" is a <{}>, not a <text>", b.id, node.tag_name().name()));
    }
    let size = attr(node, "font-size")
        .and_then(number)
        .ok_or_else(|| format!("<text id=\"{}\"> has no font-size", b.id))?;
    let text: String =
        node.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect::<String>();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut props = String::new();
    for a in FONT_ATTRS {
        if let Some(v) = attr(node, a) {
            props.push_str(&format!(" {a}=\"{}\"", xml_escape(v)));
        }
    }
    // For each number of lines, the cut that allows the largest size; the fewest lines that
    // are legible win, else the largest size.
    let mut per_count: Vec<(f64, Vec<String>)> = Vec::new();
    for n in 1..=b.lines.max(1) as usize {
        let mut best: Option<(f64, Vec<String>)> = None;
        for lines in splits(&text, n) {
            let mut widest: f64 = 0.0;
            for l in &lines {
                widest = widest.max(width_at_100(fonts, l, &props)?);
            }
            let mut s = if widest > 0.0 { size.min(b.width * 100.0 / widest) } else { size };
            if let Some(h) = b.height {
                s = s.min(h / (lines.len() as f64 * LEADING));
            }
            if best.as_ref().is_none_or(|(bs, _)| s > *bs) {
                best = Some((s, lines));
            }
        }
        if let Some(best) = best {
            let legible = best.0 >= b.min_size;
            per_count.push(best);
            if legible {
                break;
            }
        }
    }
    let (new_size, lines) = per_count
        .iter()
        .find(|(s, _)| *s >= b.min_size)
        .or_else(|| per_count.iter().max_by(|a, b| a.0.total_cmp(&b.0)))
        .cloned()
        .unwrap_or((size, vec![text.clone()]));
    let new_size = (new_size * 100.0).floor() / 100.0;
    // The element again: its attributes but font-size, then its lines.
    let mut tag = String::from("<text");
    for a in node.attributes() {
        if a.name() == "font-size" || a.namespace().is_some() {
            continue;
        }
        let value = if a.name() == "style" {
            a.value()
                .split(';')
                .filter(|d| d.split(':').next().is_some_and(|k| k.trim() != "font-size"))
                .collect::<Vec<_>>()
                .join(";")
        } else {
            a.value().to_string()
        };
        tag.push_str(&format!(" {}=\"{}\"", a.name(), xml_escape(&value)));
    }
    tag.push_str(&format!(" font-size=\"{new_size}\">"));
    if lines.len() == 1 {
        tag.push_str(&xml_escape(&lines[0]));
    } else {
        let x = node.attribute("x").unwrap_or("0");
        for (i, l) in lines.iter().enumerate() {
            let dy = if i == 0 { 0.0 } else { (new_size * LEADING * 100.0).round() / 100.0 };
            tag.push_str(&format!("<tspan x=\"{}\" dy=\"{dy}\">{}</tspan>", xml_escape(x), xml_escape(l)));
        }
    }
    tag.push_str("</text>");
    let r = node.range();
    let out = format!("{}{}{}", &svg[..r.start], tag, &svg[r.end..]);
    let fitted = Fitted { id: b.id.clone(), size: new_size, lines, too_small: new_size < b.min_size };
    Ok((out, fitted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn break_points() {
        let s = splits("Saint-Remy-en-Bouzemont", 2);
        assert!(s.contains(&vec!["Saint-Remy-".to_string(), "en-Bouzemont".to_string()]), "{s:?}");
        assert_eq!(splits("Y", 2), vec![vec!["Y".to_string()]]);
        assert_eq!(splits("La Rochelle", 3), vec![vec!["La Rochelle".to_string()]]);
    }
}

#[cfg(test)]
mod measured {
    use super::*;

    fn fonts() -> Fonts {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/fonts");
        let mut list: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "ttf"))
            .collect();
        list.sort();
        let files = crate::load::fonts::FontFiles {
            list: list
                .iter()
                .map(|p| crate::load::fonts::FontFile {
                    name: p.display().to_string(),
                    data: std::sync::Arc::new(std::fs::read(p).unwrap()),
                })
                .collect(),
            version: 0,
        };
        Fonts::new(&files)
    }

    #[test]
    fn fitted_names_never_overflow_their_box() {
        let fonts = fonts();
        for name in [
            "Y",
            "Marseille",
            "L’Haÿ-les-Roses",
            "Saint-Remy-en-Bouzemont-Saint-Genest-et-Isson",
            "Châteauneuf-de-Randon",
        ] {
            let svg = format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 210 297\"><text id=\"c\" x=\"105\" y=\"150\" font-family=\"Inter\" font-weight=\"800\" font-size=\"40\" text-anchor=\"middle\">{}</text></svg>",
                xml_escape(name)
            );
            let b = Box { id: "c".into(), width: 150.0, height: Some(80.0), min_size: 9.0, lines: 2 };
            let (out, fitted) = fit(&svg, &b, &fonts).unwrap();
            assert!(fitted.size <= 40.0);
            for l in &fitted.lines {
                let w = width_at_100(&fonts, l, " font-family=\"Inter\" font-weight=\"800\"").unwrap()
                    * fitted.size
                    / 100.0;
                assert!(w <= 150.0 + 0.01, "{name}: line “{l}” is {w} wide at {}", fitted.size);
            }
            assert!(fitted.lines.len() as f64 * fitted.size * LEADING <= 80.0 + 0.01);
            roxmltree::Document::parse(&out).unwrap();
            assert_eq!(fitted.lines.join(" ").replace("- ", "-"), name, "{name}: {:?}", fitted.lines);
        }
        // A short name keeps the designer's size.
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 210 297\"><text id=\"c\" font-family=\"Inter\" font-size=\"40\">Y</text></svg>";
        let (_, f) =
            fit(svg, &Box { id: "c".into(), width: 150.0, height: None, min_size: 9.0, lines: 1 }, &fonts)
                .unwrap();
        assert_eq!((f.size, f.lines.len()), (40.0, 1));
    }
}
