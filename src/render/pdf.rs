//! Print PDFs of a drawing, with krilla and krilla-svg (the same usvg tree as the PNGs): fonts
//! embedded and subset, text kept as text (selectable, searchable), the page at the paper size,
//! or for a print shop with the bleed around it, trim and bleed boxes, and crop marks. No
//! author, producer or date is written: two builds give the same bytes.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Rect, Size, Transform};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla_svg::{SurfaceExt, SvgSettings};

/// Points per millimetre.
const PT: f64 = 72.0 / 25.4;

/// Room for the crop marks around the bleed, in millimetres.
const MARKS_MARGIN: f64 = 10.0;

/// The page of a poster PDF.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Page {
    /// Trimmed size, millimetres.
    pub trim: (f64, f64),
    /// Bleed on every side, millimetres (0: the home-printing PDF).
    pub bleed: f64,
    /// Draw crop marks.
    pub marks: bool,
}

impl Page {
    /// The whole page, millimetres.
    pub fn size(&self) -> (f64, f64) {
        let m = if self.marks { MARKS_MARGIN } else { 0.0 };
        (self.trim.0 + 2.0 * (self.bleed + m), self.trim.1 + 2.0 * (self.bleed + m))
    }
}

fn rect_mm(x: f64, y: f64, w: f64, h: f64) -> Option<Rect> {
    Rect::from_xywh((x * PT) as f32, (y * PT) as f32, (w * PT) as f32, (h * PT) as f32)
}

/// A one-page PDF of `tree` (which shows the trimmed page plus `page.bleed` on every side).
pub fn poster(tree: &usvg::Tree, page: &Page, title: &str, lang: &str) -> Result<Vec<u8>, String> {
    let (w, h) = page.size();
    let m = if page.marks { MARKS_MARGIN } else { 0.0 };
    let mut settings = PageSettings::from_wh((w * PT) as f32, (h * PT) as f32).ok_or("invalid page size")?;
    if page.bleed > 0.0 || page.marks {
        settings = settings
            .with_bleed_box(rect_mm(m, m, page.trim.0 + 2.0 * page.bleed, page.trim.1 + 2.0 * page.bleed))
            .with_trim_box(rect_mm(m + page.bleed, m + page.bleed, page.trim.0, page.trim.1));
    }
    let mut doc = Document::new();
    doc.set_metadata(Metadata::new().title(title.to_string()).language(lang.to_string()));
    {
        let mut p = doc.start_page_with(settings);
        let mut surface = p.surface();
        surface.push_transform(&Transform::from_translate((m * PT) as f32, (m * PT) as f32));
        let drawn = ((page.trim.0 + 2.0 * page.bleed) * PT, (page.trim.1 + 2.0 * page.bleed) * PT);
        let size = Size::from_wh(drawn.0 as f32, drawn.1 as f32).ok_or("invalid drawing size")?;
        surface
            .draw_svg(tree, size, SvgSettings { embed_text: true, ..SvgSettings::default() })
            .ok_or("the drawing cannot be drawn")?;
        surface.pop();
        if page.marks {
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke {
                paint: rgb::Color::black().into(),
                width: 0.25,
                ..Stroke::default()
            }));
            let (x0, y0) = (m + page.bleed, m + page.bleed);
            let (x1, y1) = (x0 + page.trim.0, y0 + page.trim.1);
            let gap = page.bleed + 2.0;
            let len = 6.0;
            let mut pb = PathBuilder::new();
            for (x, y, sx, sy) in
                [(x0, y0, -1.0, -1.0), (x1, y0, 1.0, -1.0), (x0, y1, -1.0, 1.0), (x1, y1, 1.0, 1.0)]
            {
                // a horizontal mark level with the trim edge, then a vertical one
                pb.move_to(((x + sx * gap) * PT) as f32, (y * PT) as f32);
                pb.line_to(((x + sx * (gap + len)) * PT) as f32, (y * PT) as f32);
                pb.move_to((x * PT) as f32, ((y + sy * gap) * PT) as f32);
                pb.line_to((x * PT) as f32, ((y + sy * (gap + len)) * PT) as f32);
            }
            if let Some(path) = pb.finish() {
                surface.draw_path(&path);
            }
        }
        surface.finish();
        p.finish();
    }
    doc.finish().map_err(|e| format!("{e:?}"))
}
