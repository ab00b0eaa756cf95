//! What pages show of the posters: the gallery section (a content page with the template
//! `posters/gallery.html`) lists the generic posters of its language; a commune's page lists
//! its own posters when it has some, else the generic ones.

use tera::Value;

use super::{Job, State, Variant, file_name, has_print, packs};
use crate::model::Site;

/// The template that makes a content section the posters' gallery.
pub const GALLERY: &str = "posters/gallery.html";

/// `posters` for a page of language `lang`, and of a commune when `commune` is given:
/// `{ items: [...], pack: url, commune: bool }`.
pub(super) fn value(site: &Site, state: &State, lang: usize, commune: Option<usize>) -> Value {
    let own = commune.filter(|&c| state.index.keys().any(|v| v.commune == Some(c) && v.lang == lang));
    match own {
        // Every page without posters of its own shows the same list.
        None => state.generic_lists.get(lang, || make(site, state, lang, None)),
        Some(_) => make(site, state, lang, own),
    }
}

fn make(site: &Site, state: &State, lang: usize, own: Option<usize>) -> Value {
    let code = &site.config.languages[lang].code;
    let def = &site.config.default_lang().code;
    let mut items = Vec::new();
    for (pi, p) in site.posters.iter().enumerate() {
        let Some(&i) = state.index.get(&Variant { poster: pi, lang, commune: own }) else { continue };
        let f = &state.filled[i];
        let url = |j: Job| format!("/{}{}", f.dir, file_name(&f.stem, &j));
        let i = i as u32;
        let sizes: Vec<serde_json::Value> = p
            .meta
            .sizes
            .iter()
            .map(|&s| {
                serde_json::json!({
                    "name": s.name(),
                    "mm": [s.mm().0, s.mm().1],
                    "pdf": url(Job::Pdf(i, s)),
                    "print": has_print(p).then(|| url(Job::PrintPdf(i, s))),
                })
            })
            .collect();
        items.push(serde_json::json!({
            "id": p.id,
            "title": p.title(code, def),
            "description": p.description(code, def),
            "thumb": url(Job::Thumb(i)),
            "preview": url(Job::Preview(i)),
            "svg": url(Job::Svg(i)),
            "sizes": sizes,
            "bleed_mm": p.meta.bleed,
            "crop_marks": p.meta.crop_marks,
        }));
    }
    let pack = (!items.is_empty()).then(|| format!("/{}", packs::pack_path(site, lang, own)));
    Value::from_serializable(&serde_json::json!({ "items": items, "pack": pack, "commune": own.is_some() }))
}
