//! The checks on outputs that are not pages: stylesheets, SVGs, scripts, PDFs and images.

use super::Finding;
use super::scan::{Link, is_external};

/// The URLs a stylesheet loads (`url(…)` and `@import`).
pub fn css(text: &str) -> (Vec<Link>, Vec<Finding>) {
    let mut links = Vec::new();
    let mut findings = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut at = 0;
    while let Some(i) = lower[at..].find("url(") {
        let start = at + i + 4;
        let end = lower[start..].find(')').map_or(lower.len(), |e| start + e);
        let url = text[start..end].trim().trim_matches(['"', '\'']).trim();
        let imported = lower[..at + i].trim_end().ends_with("@import");
        if !imported && !url.starts_with("data:") && !url.starts_with('#') && !url.is_empty() {
            if is_external(url) {
                findings
                    .push(Finding::new("K960", format!("`url({url})` loads a resource from another host")));
            } else {
                links.push(Link { href: url.to_string(), navigation: false });
            }
        }
        at = end;
    }
    let mut at = 0;
    while let Some(i) = lower[at..].find("@import") {
        let start = at + i + 7;
        let rest = text[start..].trim_start();
        let rest = rest.strip_prefix("url(").unwrap_or(rest);
        let url: String = rest
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| !matches!(c, '"' | '\'' | ')' | ';'))
            .collect();
        if is_external(&url) {
            findings
                .push(Finding::new("K960", format!("`@import {url}` loads a stylesheet from another host")));
        } else if !url.is_empty() {
            links.push(Link { href: url, navigation: false });
        }
        at = start;
    }
    (links, findings)
}

/// The references of an SVG file (`href`, `xlink:href`, `url(…)` in styles).
pub fn svg(text: &str) -> (Vec<Link>, Vec<Finding>) {
    let mut links = Vec::new();
    let mut findings = Vec::new();
    for attr in ["href=\"", "href='"] {
        let quote = attr.as_bytes()[attr.len() - 1] as char;
        let mut at = 0;
        while let Some(i) = text[at..].find(attr) {
            let start = at + i + attr.len();
            let end = text[start..].find(quote).map_or(text.len(), |e| start + e);
            let url = &text[start..end];
            if is_external(url) {
                findings.push(Finding::new("K960", format!("the SVG refers to `{url}` on another host")));
            } else if !url.starts_with('#') && !url.starts_with("data:") {
                links.push(Link { href: url.to_string(), navigation: false });
            }
            at = end;
        }
    }
    let (_, css_findings) = css(text);
    findings.extend(css_findings);
    (links, findings)
}

/// A script that sets cookies, or loads code from another host.
pub fn script(text: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    if text.contains("document.cookie") || text.contains("cookieStore") {
        findings.push(Finding::new("K963", "the script reads or sets cookies".into()));
    }
    for needle in ["fetch(\"http", "fetch('http", "import(\"http", "importScripts(\"http", "new WebSocket("] {
        if text.contains(needle) {
            findings.push(Finding::new("K960", format!("the script contacts another host (`{needle}…`)")));
        }
    }
    findings
}

/// Metadata in a PDF that comes from a person or a machine: an author, a creator tool with a
/// user's name, an XMP creator.
pub fn pdf(bytes: &[u8]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for key in [&b"/Author"[..], b"<dc:creator>", b"<pdf:Producer>"] {
        if memchr::memmem::find(bytes, key).is_some() {
            let name = String::from_utf8_lossy(key).trim_matches(['<', '>', '/']).to_string();
            findings.push(Finding::new(
                "K965",
                format!("the PDF carries `{name}` metadata: who or what made it"),
            ));
        }
    }
    findings
}

/// EXIF (and its GPS position) in a PNG, JPEG or WebP image.
pub fn image(bytes: &[u8]) -> Vec<Finding> {
    let exif = if bytes.starts_with(b"\x89PNG") {
        png_has_chunk(bytes, b"eXIf")
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        memchr::memmem::find(bytes, b"Exif\0\0").is_some()
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(&b"WEBP"[..]) {
        memchr::memmem::find(bytes, b"EXIF").is_some()
    } else {
        false
    };
    if exif {
        let gps = memchr::memmem::find(bytes, b"GPS").is_some();
        vec![Finding::new(
            "K964",
            if gps {
                "the image carries EXIF metadata with a GPS position: where it was taken".into()
            } else {
                "the image carries EXIF metadata (camera, date, sometimes the owner's name)".into()
            },
        )]
    } else {
        Vec::new()
    }
}

fn png_has_chunk(bytes: &[u8], name: &[u8; 4]) -> bool {
    let mut at = 8;
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        if &bytes[at + 4..at + 8] == name {
            return true;
        }
        if &bytes[at + 4..at + 8] == b"IEND" {
            return false;
        }
        at = at.saturating_add(12).saturating_add(len);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stylesheets_load_only_from_the_site() {
        let (links, f) = css(
            "a{background:url(\"../img/a.png\")} @import url(https://fonts.example/x.css); b{background:url(data:image/png;base64,xx)}",
        );
        assert_eq!(links.len(), 1);
        assert_eq!(f.len(), 1, "{f:?}");
        let (_, f) = css("a{background:url(//cdn.example/a.png)}");
        assert_eq!(f[0].code, "K960");
    }

    #[test]
    fn pdf_and_image_metadata() {
        assert_eq!(pdf(b"%PDF-1.7 << /Author (jdoe) >>")[0].code, "K965");
        assert!(pdf(b"%PDF-1.7 << /Title (x) >>").is_empty());
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend([0, 0, 0, 3]);
        png.extend(b"eXIfGPS");
        png.extend([0; 4]);
        assert_eq!(image(&png)[0].code, "K964");
        assert!(image(b"\x89PNG\r\n\x1a\n\0\0\0\0IEND\0\0\0\0").is_empty());
        assert_eq!(script("document.cookie = 'a=b'")[0].code, "K963");
    }
}
