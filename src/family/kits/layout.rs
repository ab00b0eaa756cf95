//! The Typst source of a kit document: a letter laid out for a window envelope, or a flyer.
//!
//! Every text set here comes from the site (interface strings, the document's front matter,
//! the town-hall directory) and is written as a Typst string, never as markup.

use crate::render::typst::markup::{PRELUDE, string};

/// Where the envelope's window is, from the sheet's top left corner (mm). An A4 letter folded
/// in three into a DL (110 × 220 mm) envelope, or in two into a C5, shows this area: French
/// windows are 100 × 45 mm, 20 mm from the right edge and about 45 mm from the top.
pub(super) const WINDOW: (f64, f64, f64, f64) = (110.0, 50.0, 85.0, 32.0);

/// Margins of a letter (mm): top, right, bottom, left.
const MARGINS: (f64, f64, f64, f64) = (15.0, 18.0, 15.0, 20.0);

/// Text sizes tried in turn until a letter fits one page (pt).
pub(super) const SIZES: &[f64] = &[11.0, 10.5, 10.0, 9.5, 9.0];

/// A line of text: plain text with blanks (markers), as markup.
fn line(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    use crate::render::typst::markup::{BLANK_CLOSE, BLANK_OPEN};
    while let Some(i) = rest.find(BLANK_OPEN) {
        if i > 0 {
            out.push('#');
            out.push_str(&string(&rest[..i]));
        }
        let after = &rest[i + BLANK_OPEN.len_utf8()..];
        let Some(j) = after.find(BLANK_CLOSE) else {
            rest = after;
            continue;
        };
        let n: usize =
            after[..j].strip_prefix("blank:").and_then(|n| n.parse().ok()).unwrap_or(12).clamp(1, 80);
        out.push_str(&format!("#blank({n})"));
        rest = &after[j + BLANK_CLOSE.len_utf8()..];
    }
    if !rest.is_empty() {
        out.push('#');
        out.push_str(&string(rest));
    }
    out
}

/// Lines, one per line.
fn lines(v: &[String]) -> String {
    v.iter().map(|l| line(l)).collect::<Vec<_>>().join(" \\\n")
}

/// What every document sets: the page, the fonts, hyphenation in the document's language.
fn setup(title: &str, lang: &str, font: &str, size: f64, margins: (f64, f64, f64, f64)) -> String {
    let (t, r, b, l) = margins;
    format!(
        "#set document(title: {title}, author: ())\n\
         #set page(paper: \"a4\", margin: (top: {t}mm, right: {r}mm, bottom: {b}mm, left: {l}mm))\n\
         #set text(font: {font}, size: {size}pt, lang: {lang}, hyphenate: true)\n\
         #set par(justify: true, leading: 0.6em, spacing: 1em)\n\
         #show heading: set text(hyphenate: false)\n\
         #set list(indent: 0.6em, spacing: 0.5em)\n\
         #set enum(indent: 0.6em, spacing: 0.5em)\n\
         #show link: underline\n\
         {PRELUDE}",
        title = string(title),
        font = string(font),
        lang = string(lang),
    )
}

/// A letter.
pub(super) struct Letter<'a> {
    /// Title of the PDF.
    pub(super) title: &'a str,
    /// Language code.
    pub(super) lang: &'a str,
    /// Font family.
    pub(super) font: &'a str,
    /// The sender's block: labelled blanks.
    pub(super) sender: Vec<String>,
    /// The address in the window.
    pub(super) recipient: Vec<String>,
    /// "À Marseille, le ____".
    pub(super) place_date: String,
    /// "Objet : …".
    pub(super) subject: Option<&'a str>,
    /// "Madame la Maire, Monsieur le Maire,".
    pub(super) salutation: Option<&'a str>,
    /// The body, Typst markup.
    pub(super) body: &'a str,
    /// The closing sentence.
    pub(super) closing: Option<&'a str>,
    /// "Signature".
    pub(super) signature: &'a str,
}

/// The Typst source of a letter at a text size.
pub(super) fn letter(l: &Letter<'_>, size: f64) -> String {
    let (wx, wy, ww, wh) = WINDOW;
    let (mt, _, _, ml) = MARGINS;
    let mut s = setup(l.title, l.lang, l.font, size, MARGINS);
    // The sender, top left; the addressee in the window. Both placed, so the body starts below.
    s.push_str(&format!(
        "#place(top + left, block(width: 90mm)[#set par(justify: false, spacing: 0.55em)\n#set text(size: 10pt)\n{}])\n",
        l.sender.iter().map(|x| format!("{}\n\n", line(x))).collect::<String>()
    ));
    s.push_str(&format!(
        "#place(top + left, dx: {}mm, dy: {}mm, block(width: {ww}mm, height: {wh}mm, inset: (top: 2mm))[#set par(justify: false)\n#set text(size: 10.5pt, hyphenate: false)\n{}])\n",
        wx - ml,
        wy - mt,
        lines(&l.recipient)
    ));
    s.push_str(&format!("#v({}mm)\n", wy - mt + wh + 4.0));
    s.push_str(&format!("#align(right)[{}]\n\n", line(&l.place_date)));
    if let Some(subject) = l.subject {
        s.push_str(&format!(
            "#v(2mm)\n#block(width: 100%)[#set par(justify: false)\n#strong[{}]]\n\n",
            line(subject)
        ));
    }
    if let Some(sal) = l.salutation {
        s.push_str(&format!("#v(1mm)\n{}\n\n", line(sal)));
    }
    s.push_str(l.body);
    s.push_str("\n\n");
    if let Some(c) = l.closing {
        s.push_str(&format!("{}\n\n", line(c)));
    }
    s.push_str(&format!(
        "#v(4mm)\n#align(right)[#block(width: 70mm)[#set align(left)\n{}\n\n#v(14mm)]]\n",
        line(l.signature)
    ));
    s
}

/// A flyer.
pub(super) struct Flyer<'a> {
    /// Title of the PDF and of the page.
    pub(super) title: &'a str,
    /// Language code.
    pub(super) lang: &'a str,
    /// Font family.
    pub(super) font: &'a str,
    /// The body, Typst markup.
    pub(super) body: &'a str,
    /// The campaign's name, in the band at the top.
    pub(super) campaign: &'a str,
    /// Under the QR code: the address it leads to.
    pub(super) url_text: String,
    /// Beside the QR code.
    pub(super) call: String,
    /// The local group's line, or an invitation to start one.
    pub(super) group: String,
    /// Whether a QR code image is given (`/qr.svg`).
    pub(super) qr: bool,
}

/// The Typst source of a flyer at a text size.
pub(super) fn flyer(f: &Flyer<'_>, size: f64) -> String {
    let mut s = setup(f.title, f.lang, f.font, size, (14.0, 14.0, 14.0, 14.0));
    s.push_str("#show heading.where(level: 2): it => block(above: 1.1em, below: 0.55em, text(size: 1.25em, weight: \"bold\", it.body))\n");
    let qr = if f.qr { "#image(\"/qr.svg\", width: 26mm)" } else { "" };
    // The footer sits in the bottom margin, so the body can never run under it.
    s.push_str(&format!(
        "#set page(margin: (bottom: 46mm), footer-descent: 8mm, footer: block(width: 100%, stroke: (top: 1.5pt + rgb(\"#111111\")), inset: (top: 3mm))[#grid(columns: (30mm, 1fr), gutter: 4mm, align: horizon, [{qr}], [#set par(justify: false)\n#strong[{}] \\\n{} \\\n#text(size: 0.9em)[{}]])])\n",
        line(&f.call),
        line(&f.url_text),
        line(&f.group)
    ));
    s.push_str(&format!(
        "#block(width: 100%, fill: rgb(\"#ffd500\"), inset: (x: 6mm, y: 5mm))[#text(size: 0.9em, weight: \"bold\")[{}] \\\n#text(size: 2.1em, weight: \"black\", hyphenate: false)[{}]]\n",
        line(f.campaign),
        line(f.title)
    ));
    s.push_str(&format!("#columns(2, gutter: 7mm)[\n{}\n]\n", f.body));
    s
}
