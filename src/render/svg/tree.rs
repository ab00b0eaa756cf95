//! Parsing a filled SVG into a usvg tree, the one drawing both renders share (resvg for PNG,
//! krilla for PDF), so the two always agree.
//!
//! Fonts are the site's only; an `<image>` may use the files given (the poster's folder) and
//! `data:` URLs, never another file of the machine (usvg reads any local file by default).

use std::collections::BTreeMap;
use std::sync::Arc;

use usvg::{ImageHrefResolver, ImageKind, Options, Tree};

use crate::render::fonts::Fonts;

/// Largest width or height of a drawing, in its own units, and largest number of elements:
/// beyond them a drawing is refused before anything is allocated for it.
pub const MAX_SIDE: f32 = 100_000.0;

fn image_kind(name: &str, data: Arc<Vec<u8>>, opts: &Options) -> Option<ImageKind> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".png") {
        Some(ImageKind::PNG(data))
    } else if lower.ends_with(".jpg") || lower.ends_with(".jpeg") {
        Some(ImageKind::JPEG(data))
    } else if lower.ends_with(".gif") {
        Some(ImageKind::GIF(data))
    } else if lower.ends_with(".webp") {
        Some(ImageKind::WEBP(data))
    } else if lower.ends_with(".svg") {
        // A nested drawing may not load images itself.
        let mut inner = Options {
            fontdb: opts.fontdb.clone(),
            font_family: opts.font_family.clone(),
            ..Options::default()
        };
        inner.image_href_resolver = ImageHrefResolver {
            resolve_data: ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        };
        Tree::from_data(&data, &inner).ok().map(ImageKind::SVG)
    } else {
        None
    }
}

/// Parses `svg` with the site's fonts; `<image href="x.png">` reads `files["x.png"]`.
pub fn parse(svg: &str, fonts: &Fonts, files: &BTreeMap<String, Arc<Vec<u8>>>) -> Result<Tree, String> {
    let files = files.clone();
    let mut opts = Options {
        fontdb: fonts.db.clone(),
        font_family: fonts.default_family.clone(),
        resources_dir: None,
        ..Options::default()
    };
    opts.image_href_resolver = ImageHrefResolver {
        resolve_data: ImageHrefResolver::default_data_resolver(),
        resolve_string: Box::new(move |href: &str, o: &Options| {
            let name = href.trim().trim_start_matches("./");
            files.get(name).and_then(|d| image_kind(name, d.clone(), o))
        }),
    };
    let tree = Tree::from_str(svg, &opts).map_err(|e| e.to_string())?;
    let size = tree.size();
    if size.width() > MAX_SIDE || size.height() > MAX_SIDE {
        return Err(format!(
            "the drawing is {} × {} units, larger than {MAX_SIDE} on a side",
            size.width(),
            size.height()
        ));
    }
    Ok(tree)
}

/// The SVG with its root `viewBox` grown by `by` units on every side (the bleed around the
/// trimmed page) and its `width` and `height` removed, so the drawing shows what it has
/// beyond the page's edge.
pub fn with_bleed(svg: &str, by: f64) -> Result<String, String> {
    let doc = roxmltree::Document::parse_with_options(
        svg,
        roxmltree::ParsingOptions { allow_dtd: false, ..roxmltree::ParsingOptions::default() },
    )
    .map_err(|e| e.to_string())?;
    let root = doc.root_element();
    let vb = root.attribute("viewBox").ok_or("the SVG has no viewBox")?;
    let n: Vec<f64> = vb.split([' ', ',']).filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect();
    let [x, y, w, h] = n[..] else { return Err(format!("viewBox `{vb}` is not four numbers")) };
    let new_vb = format!("{} {} {} {}", x - by, y - by, w + 2.0 * by, h + 2.0 * by);
    // Rewrite the root's start tag only.
    let range = root.range();
    let tag_end = svg[range.start..].find('>').map(|i| range.start + i).ok_or("broken root element")?;
    let mut tag = format!("<{}", root.tag_name().name());
    for ns in root.namespaces() {
        match ns.name() {
            Some(p) => tag.push_str(&format!(" xmlns:{p}=\"{}\"", crate::render::xml_escape(ns.uri()))),
            None => tag.push_str(&format!(" xmlns=\"{}\"", crate::render::xml_escape(ns.uri()))),
        }
    }
    for a in root.attributes() {
        let name = match a.namespace() {
            Some(ns) => match root.lookup_prefix(ns) {
                Some(p) => format!("{p}:{}", a.name()),
                None => a.name().to_string(),
            },
            None => a.name().to_string(),
        };
        match name.as_str() {
            "width" | "height" | "viewBox" => {}
            _ => tag.push_str(&format!(" {name}=\"{}\"", crate::render::xml_escape(a.value()))),
        }
    }
    tag.push_str(&format!(" viewBox=\"{new_vb}\""));
    let self_closing = svg[..tag_end].ends_with('/');
    if self_closing {
        tag.push('/');
    }
    Ok(format!("{}{}{}", &svg[..range.start], tag, &svg[tag_end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bleed_grows_the_viewbox() {
        let svg = r#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="210mm" height="297mm" viewBox="0 0 210 297"><rect x="-3" y="-3" width="216" height="303"/></svg>"#;
        let out = with_bleed(svg, 3.0).unwrap();
        assert!(out.contains("viewBox=\"-3 -3 216 303\""), "{out}");
        assert!(!out.contains("width=\"210mm\""));
        assert!(out.contains("xmlns:xlink="));
        assert!(out.ends_with("<rect x=\"-3\" y=\"-3\" width=\"216\" height=\"303\"/></svg>"));
    }
}
