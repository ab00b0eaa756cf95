//! Functions and filters templates can call.
//!
//! - `t(key="nav.home", n=3, name="…")`: an interface string in the page's language, with its
//!   plural form and parameters;
//! - `asset(path="css/site.css")`: the fingerprinted URL of a static file (registered by the
//!   assets family, `family::assets`);
//! - `url(path="agir/kit-courrier.md")`: the URL of a page in the current language (or the
//!   default language's when it is not translated);
//! - `pages(section="actualites", limit=3)`: the sorted pages of a section, cached;
//! - filters `date(format="long"|"short"|"iso"|"year")` (also `2024` and `2024-05`), `number(decimals=0)`,
//!   `typo`, `urlencode` (share links) and `absolute` (a site-absolute URL with `base_url`).
//!
//! Each function records what it read (see [`crate::deps`]), and reads the language from the
//! template's `lang` variable, so templates never pass it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tera::{Kwargs, State, Tera, Value};

use super::context::link_value;
use crate::config::Typography;
use crate::deps::{self, Dep};
use crate::markdown::typography;
use crate::model::Site;
use crate::model::source::Date;

fn lang_of(site: &Site, state: &State) -> tera::TeraResult<usize> {
    let code: Option<String> = state.get("lang")?;
    let code = code.ok_or_else(|| tera::Error::message("the template has no `lang` variable"))?;
    site.config.lang_index(&code).ok_or_else(|| {
        tera::Error::message(format!("`lang` is `{code}`, which is not a configured language"))
    })
}

/// Registers kitgen's functions and filters on a Tera instance.
pub fn register(tera: &mut Tera, site: &Arc<Site>) {
    let s = site.clone();
    tera.register_function("t", move |kwargs: Kwargs, state: &State| -> tera::TeraResult<String> {
        let lang = lang_of(&s, state)?;
        let key: &str = kwargs.must_get("key")?;
        let n: Option<f64> = kwargs.get("n")?;
        let mut params = Vec::new();
        for (k, v) in kwargs.iter() {
            let k = k.as_str().unwrap_or_default();
            if k != "key" && k != "n" {
                params.push((k.to_string(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())));
            }
        }
        deps::record(Dep::I18n(lang));
        s.i18n.t(lang, key, n, &params).map_err(|e| tera::Error::message(e.to_string()))
    });

    let s = site.clone();
    tera.register_function("url", move |kwargs: Kwargs, state: &State| -> tera::TeraResult<String> {
        let lang = lang_of(&s, state)?;
        let path: &str = kwargs.must_get("path")?;
        let (path, anchor) = match path.split_once('#') {
            Some((p, a)) => (p, Some(a)),
            None => (path, None),
        };
        let lang = match kwargs.get::<&str>("lang")? {
            Some(code) => s
                .config
                .lang_index(code)
                .ok_or_else(|| tera::Error::message(format!("unknown language `{code}`")))?,
            None => lang,
        };
        let page = crate::model::find_link(&s, lang, path).ok_or_else(|| {
            tera::Error::message(format!(
                "url(path=\"{path}\"): no page content/{}/{path}",
                s.config.languages[lang].code
            ))
        })?;
        deps::record(Dep::Meta(page.lang, page.rel.clone()));
        Ok(match anchor {
            Some(a) => format!("{}#{a}", page.url),
            None => page.url.clone(),
        })
    });

    let s = site.clone();
    let cache: Arc<Mutex<HashMap<(usize, String), Value>>> = Arc::new(Mutex::new(HashMap::new()));
    tera.register_function("pages", move |kwargs: Kwargs, state: &State| -> tera::TeraResult<Value> {
        let lang = lang_of(&s, state)?;
        let section: &str = kwargs.must_get("section")?;
        let limit: Option<usize> = kwargs.get("limit")?;
        let rel = crate::model::section_rel_of(section);
        let Some(sec) = s.find(lang, &rel).or_else(|| s.find(s.config.default_language, &rel)) else {
            return Err(tera::Error::message(format!(
                "pages(section=\"{section}\"): no section content/{}/{rel}",
                s.config.languages[lang].code
            )));
        };
        deps::record(match limit {
            Some(n) => Dep::Top(sec.lang, sec.rel.clone(), n as u32),
            None => Dep::Children(sec.lang, sec.rel.clone()),
        });
        let key = (sec.id as usize, String::new());
        let all = {
            let mut c = cache.lock().unwrap_or_else(|e| e.into_inner());
            c.entry(key)
                .or_insert_with(|| {
                    Value::from(
                        sec.pages.iter().map(|&id| link_value(&s, s.page(id))).collect::<Vec<Value>>(),
                    )
                })
                .clone()
        };
        match (limit, all.as_array()) {
            (Some(n), Some(items)) if n < items.len() => Ok(Value::from(&items[..n])),
            _ => Ok(all),
        }
    });

    let s = site.clone();
    tera.register_filter(
        "date",
        move |value: &str, kwargs: Kwargs, state: &State| -> tera::TeraResult<String> {
            let lang = lang_of(&s, state)?;
            let format: Option<&str> = kwargs.get("format")?;
            deps::record(Dep::I18n(lang));
            let f = s.i18n.formats(lang);
            // Partial dates (`2024`, `2024-05`) of the commune records.
            if let Some(partial) = f.partial_date(value) {
                return Ok(partial);
            }
            let date = Date::parse(value).map_err(tera::Error::message)?;
            Ok(match format.unwrap_or("long") {
                "long" => f.date(&date.0, true),
                "short" => f.date(&date.0, false),
                "iso" => date.ymd(),
                "rfc3339" => date.rfc3339(),
                "year" => date.0.format("%Y").to_string(),
                other => {
                    return Err(tera::Error::message(format!(
                        "date format `{other}` is not one of long, short, iso, rfc3339, year"
                    )));
                }
            })
        },
    );

    let s = site.clone();
    tera.register_filter(
        "number",
        move |value: f64, kwargs: Kwargs, state: &State| -> tera::TeraResult<String> {
            let lang = lang_of(&s, state)?;
            let decimals: Option<usize> = kwargs.get("decimals")?;
            deps::record(Dep::I18n(lang));
            let f = s.i18n.formats(lang);
            Ok(match decimals {
                Some(d) if d > 0 => f.number(value, d),
                _ => f.int(value.round() as i64),
            })
        },
    );

    // For `mailto:` subjects and query strings: every byte but A–Z a–z 0–9 - . _ ~ is
    // percent-encoded (UTF-8), so the result is safe in an attribute as it is.
    tera.register_filter("urlencode", |value: &str, _: Kwargs, _: &State| -> String {
        const SET: &percent_encoding::AsciiSet =
            &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
        percent_encoding::utf8_percent_encode(value, SET).to_string()
    });

    // A site-absolute URL (`/downloads/x.png`) as an absolute one, for `og:image` and others
    // read on another host.
    let s = site.clone();
    tera.register_filter("absolute", move |value: &str, _: Kwargs, _: &State| -> String {
        if value.contains("://") { value.to_string() } else { s.config.absolute_url(value) }
    });

    let s = site.clone();
    tera.register_filter("typo", move |value: &str, _: Kwargs, state: &State| -> tera::TeraResult<String> {
        let lang = lang_of(&s, state)?;
        Ok(match s.config.languages[lang].typography {
            Typography::Fr => typography::french(value, &mut None),
            Typography::None => value.to_string(),
        })
    });
}
