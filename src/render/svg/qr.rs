//! QR codes drawn as one SVG path (a module is a unit square), placed and scaled by the poster
//! template. They carry the URL as given: no tracking parameter is ever added.

use qrcode::{Color, EcLevel, QrCode};

use crate::render::xml_escape;

/// Modules of white around the code (the standard asks for 4; 2 is read by every phone
/// camera and leaves more of the poster).
const QUIET: usize = 2;

/// A `<g>` drawing the QR code of `data` with its top-left corner at (`x`, `y`), `size` units
/// wide, dark modules in `dark` on a `light` square.
pub fn svg(data: &str, x: f64, y: f64, size: f64, dark: &str, light: &str) -> Result<String, String> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).map_err(|e| e.to_string())?;
    let n = code.width();
    let colors = code.to_colors();
    let mut d = String::with_capacity(n * n);
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors[row * n + col] == Color::Dark {
                let start = col;
                while col < n && colors[row * n + col] == Color::Dark {
                    col += 1;
                }
                d.push_str(&format!(
                    "M{},{}h{}v1h-{}z",
                    start + QUIET,
                    row + QUIET,
                    col - start,
                    col - start
                ));
            } else {
                col += 1;
            }
        }
    }
    let total = (n + 2 * QUIET) as f64;
    let scale = size / total;
    Ok(format!(
        "<g transform=\"translate({x} {y}) scale({scale:.6})\"><rect width=\"{total}\" height=\"{total}\" fill=\"{}\"/><path d=\"{d}\" fill=\"{}\" shape-rendering=\"crispEdges\"/></g>",
        xml_escape(light),
        xml_escape(dark)
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_a_square_code() {
        let s =
            super::svg("https://example.org/fr/communes/13055-marseille/", 10.0, 20.0, 30.0, "#000", "#fff")
                .unwrap();
        assert!(s.starts_with("<g transform=\"translate(10 20)"));
        assert!(s.contains("<path d=\"M2,2h7v1h-7z"), "finder pattern first: {s}");
        roxmltree::Document::parse(&format!("<svg xmlns=\"http://www.w3.org/2000/svg\">{s}</svg>")).unwrap();
    }
}
