//! Posters: `posters/<id>/poster.svg` (an SVG that is a Tera template) and `poster.yaml`,
//! with the images of the folder. Only reading and checking the YAML happen here.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::load::files;
use crate::model::poster::{Poster, PosterMeta};
use crate::yaml;

/// Largest image a poster folder may hold.
pub const MAX_IMAGE: u64 = 32 * 1024 * 1024;

/// Files of a poster folder that templates may use.
const IMAGES: &[&str] = &[".png", ".jpg", ".jpeg", ".webp", ".gif", ".svg"];

/// Reads every poster folder, sorted by id.
pub fn load(config: &Config, diags: &mut Vec<Diagnostic>) -> Vec<Poster> {
    let dir = config.root.join("posters");
    let mut ids: Vec<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !files::is_ignored(n))
        .collect();
    ids.sort();
    let mut out = Vec::new();
    for id in ids {
        if let Some(p) = load_one(config, &id, diags) {
            out.push(p);
        }
    }
    out
}

fn load_one(config: &Config, id: &str, diags: &mut Vec<Diagnostic>) -> Option<Poster> {
    let root = &config.root;
    let dir = root.join("posters").join(id);
    let display = crate::diag::rel_to(root, &dir);
    if !crate::slug::slugify(id).eq(id) {
        diags.push(
            Diagnostic::error("K801", format!("poster folder `{id}` is not a plain name")).at(&display).hint(
                format!("rename it `{}` (lower case letters, digits and dashes)", crate::slug::slugify(id)),
            ),
        );
        return None;
    }
    let found = files::walk(root, &dir, diags);
    let has = |name: &str| found.iter().any(|f| f.rel == name);
    if !has("poster.yaml") || !has("poster.svg") {
        let missing: Vec<&str> = ["poster.yaml", "poster.svg"].into_iter().filter(|n| !has(n)).collect();
        diags.push(
            Diagnostic::error("K801", format!("poster folder posters/{id}/ has no {}", missing.join(" and no ")))
                .at(&display)
                .hint("a poster is a folder with poster.svg (the drawing, a template) and poster.yaml (its titles and sizes); see docs/posters.md"),
        );
        return None;
    }
    let mut version = std::collections::hash_map::DefaultHasher::new();
    let yaml_path = dir.join("poster.yaml");
    let yaml_display = crate::diag::rel_to(root, &yaml_path);
    let yaml_text = match super::read_text(root, &yaml_path, super::MAX_TEXT_FILE) {
        Ok(t) => t,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    yaml_text.hash(&mut version);
    let meta: PosterMeta = match yaml::parse(&yaml_text) {
        Ok(m) => m,
        Err(e) => {
            let mut d = Diagnostic::error("K802", e.message)
                .at(&yaml_display)
                .located(&yaml_text, e.line, e.col, e.width);
            d.notes = e.notes;
            if let Some(h) = e.hint {
                d = d.hint(h);
            }
            diags.push(d);
            return None;
        }
    };
    let mut ok = true;
    let at = |key: &str| yaml::locate(&yaml_text, key).unwrap_or((1, 1, 1));
    let mut err = |key: &str, msg: String, hint: &str| {
        let (l, c, w) = at(key);
        diags.push(
            Diagnostic::error("K802", msg)
                .at(&yaml_display)
                .located(&yaml_text, l, c, w)
                .hint(hint.to_string()),
        );
        ok = false;
    };
    let default = &config.default_lang().code;
    if !meta.title.contains_key(default) {
        err(
            "title",
            format!("the poster has no title in `{default}`, the default language"),
            "add `title:` with one line per language code",
        );
    }
    if meta.sizes.is_empty() {
        err("sizes", "the poster has no paper size".into(), "list at least one of A5, A4, A3, A2, A1");
    }
    if !(0.0..=10.0).contains(&meta.bleed) {
        err(
            "bleed",
            format!("bleed of {} mm: use 0 to 10 mm (print shops ask for 3)", meta.bleed),
            "write `bleed: 3`",
        );
    }
    if meta.variants.is_empty() {
        err("variants", "the poster has no variant".into(), "list `generic`, `commune` or both");
    }
    for (i, f) in meta.fit.iter().enumerate() {
        if f.width <= 0.0
            || f.min_size <= 0.0
            || f.height.is_some_and(|h| h <= 0.0)
            || !(1..=4).contains(&f.lines)
        {
            err(
                &format!("fit[{i}]"),
                format!("fit `{}`: width, height and min_size must be positive, lines 1 to 4", f.id),
                "e.g. `{ id: commune, width: 180, min_size: 9, lines: 2 }`",
            );
        }
    }
    for code in meta.title.keys().chain(meta.description.keys()) {
        if config.lang_index(code).is_none() {
            err(
                "title",
                format!("`{code}` is not a configured language"),
                "use the codes of `languages` in kitgen.yaml",
            );
        }
    }
    let svg_path = dir.join("poster.svg");
    let svg = match super::read_text(root, &svg_path, super::MAX_TEXT_FILE) {
        Ok(t) => t,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    svg.hash(&mut version);
    let mut images = BTreeMap::new();
    for f in &found {
        if f.rel == "poster.svg"
            || f.rel == "poster.yaml"
            || !IMAGES.iter().any(|e| f.rel.to_ascii_lowercase().ends_with(e))
        {
            continue;
        }
        match super::read_bytes(root, &f.path, MAX_IMAGE) {
            Ok(b) => {
                f.rel.hash(&mut version);
                b.hash(&mut version);
                images.insert(f.rel.clone(), Arc::new(b));
            }
            Err(d) => diags.push(d),
        }
    }
    ok.then(|| Poster {
        id: id.to_string(),
        dir: display,
        svg_path: crate::diag::rel_to(root, &svg_path),
        svg,
        meta,
        files: images,
        version: version.finish(),
    })
}
