//! What a kit document is filled with, for a language and a commune or none: the template
//! context of its body, and the blocks around it (sender, addressee, place and date).

use tera::{Context, Value};

use super::fill;
use crate::family::communes::context;
use crate::model::Site;
use crate::model::communes::CommuneData;
use crate::model::kit::{Kit, Recipient};
use crate::render::typst::markup::blank_marker;

/// Who a document is filled for: a language, and a commune or none (the generic version).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct For {
    /// Language.
    pub lang: usize,
    /// The commune, by index in the reference list.
    pub commune: Option<usize>,
}

/// An interface string, with parameters; the key itself if it is missing (reported by `check`).
pub(super) fn t(site: &Site, lang: usize, key: &str, params: &[(&str, String)]) -> String {
    let params: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    site.i18n.t(lang, key, None, &params).unwrap_or_else(|_| key.to_string())
}

/// The context of a document's body.
pub(super) fn context(site: &Site, kit: &Kit, f: For) -> Context {
    let l = &site.config.languages[f.lang];
    let def = &site.config.default_lang().code;
    let mut ctx = Context::new();
    ctx.insert("lang", &l.code);
    ctx.insert_value(
        "site",
        Value::from_serializable(&serde_json::json!({
            "title": l.title,
            "base_url": site.config.base_url,
            "url": site.config.absolute_url(&site.home_url(f.lang)),
        })),
    );
    ctx.insert_value(
        "kit",
        Value::from_serializable(&serde_json::json!({"id": kit.id, "title": kit.title(&l.code, def)})),
    );
    match (f.commune, site.communes.as_deref(), site.commune_urls.as_ref()) {
        (Some(i), Some(data), Some(urls)) => {
            ctx.insert("commune", &context::commune(data, urls, f.lang, i));
            match data.records.get(&i) {
                Some(r) => ctx.insert("record", &context::record(site, data, f.lang, i, r)),
                None => ctx.insert("record", &()),
            }
            match context::group(data, urls, f.lang, i) {
                Some(g) => ctx.insert("local_group", &g),
                None => ctx.insert("local_group", &()),
            }
            match context::town_hall(data, i) {
                Some(h) => ctx.insert("town_hall", &h),
                None => ctx.insert("town_hall", &()),
            }
        }
        _ => {
            let name = blank_marker(24);
            ctx.insert_value(
                "commune",
                Value::from_serializable(&serde_json::json!({
                    "code": blank_marker(6),
                    "name": name,
                    "de": format!("de {name}"),
                    "slug": "",
                    "url": "",
                    "population": null,
                    "postal_codes": [],
                    "departement": null,
                    "region": null,
                })),
            );
            ctx.insert("record", &());
            ctx.insert("local_group", &());
            ctx.insert("town_hall", &());
        }
    }
    ctx
}

/// The lines of the addressee's block: who, the town hall, its address (blank lines where
/// the directory has none).
pub(super) fn recipient(site: &Site, data: Option<&CommuneData>, f: For, to: Recipient) -> Vec<String> {
    let who = match to {
        Recipient::None => return Vec::new(),
        Recipient::Mairie => t(site, f.lang, "kits.address.mayor", &[]),
        Recipient::Dpo => t(site, f.lang, "kits.address.dpo", &[]),
    };
    let mut lines = vec![who];
    match (f.commune, data) {
        (Some(i), Some(data)) => {
            lines.push(t(
                site,
                f.lang,
                "kits.address.town_hall",
                &[("de", data.de(i)), ("name", data.name(i))],
            ));
            let address =
                data.town_halls.get(i).and_then(|h| h.as_ref()).map(|h| &h.adresse).filter(|a| !a.is_empty());
            match address {
                Some(a) => lines.extend(a.iter().cloned()),
                None => {
                    lines.push(blank_marker(34));
                    let c = &data.communes[i];
                    let postal = c.codes_postaux.first().cloned().unwrap_or_else(|| blank_marker(6));
                    lines.push(format!("{postal} {}", data.name(i).to_uppercase()));
                }
            }
        }
        _ => {
            let name = blank_marker(24);
            lines.push(t(
                site,
                f.lang,
                "kits.address.town_hall",
                &[("de", format!("de {name}")), ("name", name)],
            ));
            lines.push(blank_marker(34));
            lines.push(blank_marker(34));
        }
    }
    lines
}

/// The sender's block: labelled blanks.
pub(super) fn sender(site: &Site, lang: usize) -> Vec<String> {
    vec![
        format!("{} {}", t(site, lang, "kits.sender.name", &[]), blank_marker(22)),
        format!("{} {}", t(site, lang, "kits.sender.address", &[]), blank_marker(24)),
        blank_marker(30),
        format!("{} {}", t(site, lang, "kits.sender.email", &[]), blank_marker(22)),
    ]
}

/// "À ____, le ____": the place and date are written by hand, when the letter is sent.
pub(super) fn place_date(site: &Site, lang: usize) -> String {
    t(site, lang, "kits.place_date", &[("place", blank_marker(18)), ("date", blank_marker(16))])
}

/// A line with blanks, as HTML (escaped, blanks as spans).
pub(super) fn html_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    fill::html_blanks(&mut out);
    out
}
