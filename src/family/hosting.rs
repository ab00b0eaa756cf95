//! Header files for static hosts: `_headers` (Netlify, Cloudflare Pages) and `.htaccess`
//! (Apache), with the same Content-Security-Policy as the pages' `<meta>` (plus what only a
//! header can say: `frame-ancestors`), `Referrer-Policy: no-referrer`, `nosniff`, a
//! Permissions-Policy that turns off every sensor, and long caching for fingerprinted
//! stylesheets and scripts. Hosts that read neither file serve them as plain files, which
//! harms nothing; `docs/deploy.md` has the same settings for nginx.

use super::{Artifact, Family, Kind, PlanCx, Planned, RenderCx, assets};
use crate::deps::{self, Dep};
use crate::diag::Diagnostic;
use crate::render::html::base_path;

/// The Content-Security-Policy of the pages (the default theme's `base.html` has the same in a
/// `<meta>`), with `frame-ancestors`, which a `<meta>` cannot set.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'; frame-ancestors 'none'";

/// What the site needs of the browser: nothing.
pub const PERMISSIONS: &str = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()";

/// Cache for fingerprinted files: a year, never revalidated (a new version has a new name).
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The files, in plan order.
pub const FILES: [&str; 2] = ["_headers", ".htaccess"];

/// The host files family.
pub struct Hosting;

impl Family for Hosting {
    type Job = usize;
    type State = Vec<String>;
    type Input = ();

    fn name(&self) -> &'static str {
        "hosting"
    }

    fn plan(&self, cx: &PlanCx<'_>) -> Planned<usize, Vec<String>> {
        // Only the assets family fingerprints its outputs (serve plans again after each edit:
        // the 140,000 commune pages are not looked through).
        let mut fingerprinted: Vec<String> = cx
            .earlier
            .iter()
            .filter(|f| f.name == assets::NAME)
            .flat_map(|f| f.paths.iter())
            .filter(|p| is_fingerprinted(p))
            .cloned()
            .collect();
        fingerprinted.sort();
        Planned::new(fingerprinted, FILES.iter().enumerate().map(|(i, f)| (f.to_string(), i)).collect())
    }

    fn render(
        &self,
        cx: &RenderCx<'_, Self>,
        fingerprinted: &Vec<String>,
        i: &usize,
    ) -> Result<Artifact, Diagnostic> {
        deps::record(Dep::Config);
        deps::record(Dep::Urls);
        let base = base_path(&cx.site.config.base_url);
        let text = if *i == 0 { netlify(&base, fingerprinted) } else { apache(&base) };
        Ok(Artifact::file(Kind::Text, text.into_bytes()))
    }
}

/// A fingerprinted file: `css/site.3f2a1b9c.css`.
pub fn is_fingerprinted(path: &str) -> bool {
    // Called on every output path of the site (serve plans again after each edit): no
    // allocation.
    let name = path.rsplit('/').next().unwrap_or(path);
    let Some((stem, _ext)) = name.rsplit_once('.') else { return false };
    let Some((_, h)) = stem.rsplit_once('.') else { return false };
    h.len() == 8 && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `_headers`, paths from the site's path on its host (`/vsa/`).
pub fn netlify(base: &str, fingerprinted: &[String]) -> String {
    let mut s = format!(
        "# Made by kitgen: HTTP headers for Netlify and Cloudflare Pages (see docs/deploy.md).\n\
         {base}*\n  Content-Security-Policy: {CSP}\n  Referrer-Policy: no-referrer\n  X-Content-Type-Options: nosniff\n  Permissions-Policy: {PERMISSIONS}\n  Cross-Origin-Opener-Policy: same-origin\n"
    );
    for f in fingerprinted {
        s.push_str(&format!("{base}{f}\n  Cache-Control: {IMMUTABLE}\n"));
    }
    s
}

/// `.htaccess` for Apache (mod_headers; the rest works without it).
pub fn apache(base: &str) -> String {
    format!(
        "# Made by kitgen: settings for Apache (see docs/deploy.md). Apache reads it where the folder has\n\
         # `AllowOverride FileInfo` (or All); the headers need mod_headers.\n\
         AddDefaultCharset utf-8\n\
         <Files \"atom.xml\">\n  ForceType \"application/atom+xml; charset=utf-8\"\n</Files>\n\
         ErrorDocument 404 {base}404.html\n\
         <IfModule mod_headers.c>\n\
         \x20 Header always set Content-Security-Policy \"{CSP}\"\n\
         \x20 Header always set Referrer-Policy \"no-referrer\"\n\
         \x20 Header always set X-Content-Type-Options \"nosniff\"\n\
         \x20 Header always set Permissions-Policy \"{PERMISSIONS}\"\n\
         \x20 Header always set Cross-Origin-Opener-Policy \"same-origin\"\n\
         \x20 <FilesMatch \"\\.[0-9a-f]{{8,}}\\.(css|js)$\">\n\
         \x20   Header set Cache-Control \"{IMMUTABLE}\"\n\
         \x20 </FilesMatch>\n\
         </IfModule>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::is_fingerprinted;

    #[test]
    fn fingerprinted_files_have_eight_hex_digits_before_their_extension() {
        assert!(is_fingerprinted("css/site.3f2a1b9c.css"));
        assert!(is_fingerprinted("js/a.b.0123abcd.js"));
        assert!(!is_fingerprinted("fr/index.html"));
        assert!(!is_fingerprinted("css/site.3f2a1b9.css"), "seven digits");
        assert!(!is_fingerprinted("css/site.3F2A1B9C.css"), "capitals");
        assert!(!is_fingerprinted("3f2a1b9c.css"), "no name before the digits");
        assert!(!is_fingerprinted("a.3f2a1b9c"), "no extension");
    }
}
