//! Render engines: the template engine (Tera, with kitgen's contexts and functions), HTML
//! (URLs, minification, live reload) and SVG (charts, the map). Engines turn data into bytes
//! and know nothing of the plan or of which output they are making: the output families
//! (`crate::family`) call them.
//!
//! What a family renders is an [`Artifact`]: bytes with a [`Kind`], post-processed by kind
//! (links made relative and minification for HTML) by [`html::finish`].

pub mod card;
pub mod fonts;
pub mod html;
pub mod pdf;
pub mod raster;
pub mod svg;
pub mod tera;
pub mod typst;
pub mod zip;

/// Path of the live-reload script in serve mode.
pub const LIVE_RELOAD_PATH: &str = "/__kitgen/live-reload.js";

/// What kind of file an output is: chooses its post-processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A page or an HTML file.
    Html,
    /// A stylesheet.
    Css,
    /// A script.
    Js,
    /// An SVG image.
    Svg,
    /// JSON data.
    Json,
    /// XML (sitemaps, feeds).
    Xml,
    /// Plain text (robots.txt, CSV, READMEs).
    Text,
    /// A PNG image.
    Png,
    /// A PDF document.
    Pdf,
    /// A ZIP archive.
    Zip,
    /// Anything else, copied as it is.
    Other,
}

impl Kind {
    /// The kind of a file by its extension.
    pub fn of_path(path: &str) -> Kind {
        let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        match ext.as_str() {
            "html" | "htm" => Kind::Html,
            "css" => Kind::Css,
            "js" | "mjs" => Kind::Js,
            "svg" => Kind::Svg,
            "json" => Kind::Json,
            "xml" => Kind::Xml,
            "txt" | "csv" | "md" => Kind::Text,
            "png" => Kind::Png,
            "pdf" => Kind::Pdf,
            "zip" => Kind::Zip,
            _ => Kind::Other,
        }
    }
}

/// How the links of an HTML artifact are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Links {
    /// Left as they are (static files, files that are not pages).
    AsIs,
    /// Site-absolute links made relative to the output (every page).
    Relative,
    /// A page served at any depth (the 404 page): links start from the site's path.
    Anywhere,
}

/// One rendered output, before post-processing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Its kind.
    pub kind: Kind,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// How its links are written (HTML only).
    pub links: Links,
    /// How it is minified, when the build minifies (HTML only).
    pub minifier: Minifier,
}

/// How an HTML output is minified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Minifier {
    /// minify-html: whitespace, quotes, optional tags, inline CSS and JS.
    Full,
    /// Whitespace and comments only ([`html::minify::light`]), for the pages generated per
    /// commune from the theme's own templates.
    Light,
}

impl Artifact {
    /// A page whose site-absolute links are made relative.
    pub fn page(html: String) -> Artifact {
        Artifact {
            kind: Kind::Html,
            bytes: html.into_bytes(),
            links: Links::Relative,
            minifier: Minifier::Full,
        }
    }

    /// A page generated per commune from the theme's templates: links made relative, light
    /// minification.
    pub fn generated(html: String) -> Artifact {
        Artifact { minifier: Minifier::Light, ..Artifact::page(html) }
    }

    /// A file of the given kind, kept as it is.
    pub fn file(kind: Kind, bytes: Vec<u8>) -> Artifact {
        Artifact { kind, bytes, links: Links::AsIs, minifier: Minifier::Full }
    }
}

/// How URLs between pages are written in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LinkPolicy {
    /// Relative pretty URLs (`../brochure/`): any host, any sub-path.
    #[default]
    Pretty,
    /// Relative URLs that name `index.html` (`../brochure/index.html`): the site opened from a
    /// folder (`file://`), offline.
    IndexHtml,
    /// Relative pretty URLs, and the 404 page's links left root-absolute (the dev server serves
    /// it at any path).
    Serve,
}

/// How outputs are rendered: separate switches instead of one "serve mode".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RenderOptions {
    /// How links are written.
    pub links: LinkPolicy,
    /// Insert the live-reload script in pages (serve).
    pub live_reload: bool,
    /// Record what each output reads, for incremental rebuilds (serve).
    pub record_deps: bool,
    /// Fingerprint stylesheets and scripts (`site.3f2a1b9c.css`), so hosts cache them forever.
    pub fingerprint: bool,
    /// Minify HTML, CSS and JS.
    pub minify: bool,
}

impl RenderOptions {
    /// What `kitgen build` does.
    pub fn build(minify: bool) -> RenderOptions {
        RenderOptions {
            links: LinkPolicy::Pretty,
            live_reload: false,
            record_deps: false,
            fingerprint: true,
            minify,
        }
    }

    /// What `kitgen serve` does: stylesheets keep their names so a CSS edit is swapped into open
    /// pages, and every output records what it read.
    pub fn serve(minify: bool) -> RenderOptions {
        RenderOptions {
            links: LinkPolicy::Serve,
            live_reload: true,
            record_deps: true,
            fingerprint: false,
            minify,
        }
    }
}

/// Escapes text for XML.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}
