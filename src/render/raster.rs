//! PNG previews and thumbnails of a drawing, with resvg (the same usvg tree the PDFs are made
//! from). The size in pixels is chosen by kitgen, never by the drawing, and capped, so a huge
//! `viewBox` cannot make it allocate gigabytes.

use resvg::tiny_skia;

/// Most pixels of one image (about 24 megapixels: a 4,000 × 6,000 preview).
pub const MAX_PIXELS: u64 = 24_000_000;

/// The drawing as a PNG `width` pixels wide (height by its proportions), on white.
pub fn png(tree: &usvg::Tree, width: u32) -> Result<Vec<u8>, String> {
    let size = tree.size();
    if size.width() <= 0.0 || size.height() <= 0.0 {
        return Err("the drawing has no size".into());
    }
    let height = ((width as f32) * size.height() / size.width()).round().max(1.0) as u32;
    if width == 0 || (width as u64) * (height as u64) > MAX_PIXELS {
        return Err(format!("a {width} × {height} pixel image is over the {MAX_PIXELS} pixel limit"));
    }
    let mut pixmap = tiny_skia::Pixmap::new(width, height).ok_or("cannot allocate the image")?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let scale = width as f32 / size.width();
    resvg::render(tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    encode(&pixmap)
}

/// An opaque image as an 8-bit RGB PNG, with the png crate's fast DEFLATE (fdeflate):
/// tiny-skia's own encoder keeps the alpha channel and compresses with zlib at its default
/// level, which took a fifth of a poster's render time.
fn encode(pixmap: &tiny_skia::Pixmap) -> Result<Vec<u8>, String> {
    // The image is drawn on white, so every pixel is opaque: its premultiplied colour is its
    // colour.
    let rgb: Vec<u8> = pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let mut out = Vec::with_capacity(rgb.len() / 8);
    let mut enc = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    let mut w = enc.write_header().map_err(|e| e.to_string())?;
    w.write_image_data(&rgb).map_err(|e| e.to_string())?;
    w.finish().map_err(|e| e.to_string())?;
    Ok(out)
}
