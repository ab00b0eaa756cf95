//! The sharing card: a 1200 × 630 PNG (the size Open Graph and Mastodon previews expect) with
//! the site's title in the campaign's colours, drawn with the site's fonts by resvg. Pages with
//! no image of their own (a poster preview) show it when they are shared.

use std::collections::BTreeMap;

use crate::render::fonts::Fonts;
use crate::render::svg::{fit, tree};
use crate::render::{raster, xml_escape};

/// Width of the card, pixels.
pub const WIDTH: u32 = 1200;
/// Height of the card, pixels.
pub const HEIGHT: u32 = 630;

/// The output path of a language's card.
pub fn path(lang: &str) -> String {
    format!("share/card-{lang}.png")
}

/// The card's SVG: `title` fitted on up to three lines, `address` (the site's address without
/// its scheme) under it.
pub fn svg(title: &str, address: &str, fonts: &Fonts) -> Result<String, String> {
    let svg = format!(
        concat!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">",
            "<rect width=\"{w}\" height=\"{h}\" fill=\"#111111\"/>",
            "<rect width=\"28\" height=\"{h}\" fill=\"#ffd400\"/>",
            "<rect x=\"96\" y=\"470\" width=\"160\" height=\"10\" fill=\"#ffd400\"/>",
            "<text id=\"title\" x=\"96\" y=\"200\" font-family=\"{f}\" font-weight=\"800\" font-size=\"96\" fill=\"#ffd400\">{t}</text>",
            "<text id=\"address\" x=\"96\" y=\"550\" font-family=\"{f}\" font-weight=\"600\" font-size=\"40\" fill=\"#ffffff\">{a}</text>",
            "</svg>"
        ),
        w = WIDTH,
        h = HEIGHT,
        f = xml_escape(&fonts.default_family),
        t = xml_escape(title),
        a = xml_escape(address),
    );
    let title_box =
        fit::Box { id: "title".into(), width: 1000.0, height: Some(250.0), min_size: 72.0, lines: 3 };
    let (svg, _) = fit::fit(&svg, &title_box, fonts)?;
    let address_box =
        fit::Box { id: "address".into(), width: 1000.0, height: None, min_size: 20.0, lines: 1 };
    let (svg, _) = fit::fit(&svg, &address_box, fonts)?;
    Ok(svg)
}

/// The card as a PNG.
pub fn png(title: &str, address: &str, fonts: &Fonts) -> Result<Vec<u8>, String> {
    let svg = svg(title, address, fonts)?;
    let tree = tree::parse(&svg, fonts, &BTreeMap::new())?;
    raster::png(&tree, WIDTH)
}

/// `https://example.org/vsa/` → `example.org/vsa`.
pub fn address(base_url: &str) -> String {
    base_url.split_once("://").map(|(_, r)| r).unwrap_or(base_url).trim_end_matches('/').to_string()
}
