//! The commune lookup: a split index the browser loads piece by piece.
//!
//! Names are normalised (accents and case dropped, `st`/`ste` read as `saint`/`sainte`) and
//! cut into shards by prefix, split further where a prefix holds too many communes, so a query
//! downloads one small file, never a 35,000-entry list. A commune is also filed under each
//! significant word of its name ("etienne" finds Saint-Étienne). Postal and INSEE codes go to
//! shards by their first two characters. `themes/default/static/js/lookup.js` reads them; it
//! normalises queries with the same rules as [`normalize`].

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use super::{Artifact, Family, Kind, PlanCx, Planned, RenderCx};
use crate::config::CommuneScope;
use crate::deps::{self, CensusDep, Dep};
use crate::diag::Diagnostic;
use crate::model::Site;
use crate::model::communes::CommuneData;

/// The commune lookup family.
pub struct Search;

impl Family for Search {
    type Job = usize;
    type State = SearchPlan;
    type Input = ();

    fn name(&self) -> &'static str {
        "search"
    }

    fn plan_key(&self, cx: &PlanCx<'_>) -> Option<u64> {
        let site = cx.site();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        if let Some(c) = &site.communes {
            (c.version, site.config.scopes.commune_pages).hash(&mut h);
            if site.config.scopes.commune_pages == CommuneScope::Recorded {
                c.records.keys().collect::<Vec<_>>().hash(&mut h);
            }
        }
        Some(h.finish())
    }

    fn plan(&self, cx: &PlanCx<'_>) -> Planned<usize, SearchPlan> {
        let search = SearchPlan::new(cx.site());
        let outputs = search.files.iter().enumerate().map(|(i, (p, _))| (p.clone(), i)).collect();
        Planned::new(search, outputs)
    }

    fn render(
        &self,
        cx: &RenderCx<'_, Self>,
        search: &SearchPlan,
        i: &usize,
    ) -> Result<Artifact, Diagnostic> {
        deps::record(Dep::Census(CensusDep::Communes));
        if cx.site.config.scopes.commune_pages == CommuneScope::Recorded {
            // only recorded communes are in the index
            deps::record(Dep::Census(CensusDep::Records));
        }
        let bytes = search.files.get(*i).map(|(_, s)| s.clone().into_bytes()).unwrap_or_default();
        Ok(Artifact::file(Kind::Json, bytes))
    }
}

/// Largest number of entries in a name shard before it is split by a longer prefix.
const SHARD_MAX: usize = 300;
/// Words that do not start a search key on their own.
const STOP: &[&str] = &[
    "saint", "sainte", "le", "la", "les", "de", "du", "des", "sur", "sous", "en", "et", "aux", "lez", "les",
    "l", "d",
];

/// `Saint-Étienne` → `saint etienne`; `St-Étienne` → `saint etienne`; `L'Haÿ-les-Roses` →
/// `l hay les roses`.
pub fn normalize(s: &str) -> String {
    let ascii = deunicode::deunicode(s).to_lowercase();
    let cleaned: String = ascii.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect();
    cleaned
        .split_whitespace()
        .map(|w| match w {
            "st" => "saint",
            "ste" => "sainte",
            w => w,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The shard file name of a key: spaces become `_`.
fn file_key(k: &str) -> String {
    k.replace(' ', "_")
}

/// The files of the lookup index, computed once per build.
#[derive(Debug, Default)]
pub struct SearchPlan {
    files: Vec<(String, String)>,
}

impl SearchPlan {
    /// Builds every shard (cheap: a few milliseconds for 35,000 communes).
    pub fn new(site: &Site) -> SearchPlan {
        let Some(data) = &site.communes else { return SearchPlan::default() };
        let mut files = Vec::new();
        let entries: Vec<String> = (0..data.communes.len()).map(|i| entry(data, i)).collect();
        let normalized: Vec<String> = data.communes.iter().map(|c| normalize(&c.nom)).collect();

        // Name keys: the whole name and each significant word.
        let mut keyed: Vec<(String, usize)> = Vec::new();
        for (i, n) in normalized.iter().enumerate() {
            if data.has_page(i) {
                keyed.push((n.clone(), i));
                let words: Vec<&str> = n.split(' ').collect();
                for (w, word) in words.iter().enumerate().skip(1) {
                    if word.len() >= 3 && !STOP.contains(word) {
                        keyed.push((words[w..].join(" "), i));
                    }
                }
            }
        }
        let mut shards: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        split(&keyed, 2, &mut shards);
        let mut names = Vec::new();
        for (key, mut ids) in shards {
            ids.sort_by(|a, b| {
                let pa = data.communes[*a].population.unwrap_or(0);
                let pb = data.communes[*b].population.unwrap_or(0);
                pb.cmp(&pa).then(a.cmp(b))
            });
            ids.dedup();
            names.push(key.clone());
            files.push((format!("search/n/{}.json", file_key(&key)), array(&entries, &ids)));
        }

        // Postal and INSEE codes by their first two characters.
        let mut digits: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, c) in data.communes.iter().enumerate() {
            if !data.has_page(i) {
                continue;
            }
            let mut keys: Vec<String> =
                c.codes_postaux.iter().filter_map(|p| p.get(..2)).map(str::to_lowercase).collect();
            keys.push(c.code.0[..2].to_lowercase());
            keys.sort();
            keys.dedup();
            for k in keys {
                digits.entry(k).or_default().push(i);
            }
        }
        let digit_keys: Vec<String> = digits.keys().cloned().collect();
        for (key, ids) in digits {
            files.push((format!("search/d/{key}.json"), array(&entries, &ids)));
        }
        let count = (0..data.communes.len()).filter(|&i| data.has_page(i)).count();
        let manifest = serde_json::json!({ "names": names, "digits": digit_keys, "count": count });
        files.push(("search/index.json".into(), manifest.to_string()));
        SearchPlan { files }
    }
}

/// Splits keys into shards by prefix, lengthening the prefix where a shard is too big.
fn split(keyed: &[(String, usize)], len: usize, out: &mut BTreeMap<String, Vec<usize>>) {
    let mut groups: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
    for (k, i) in keyed {
        let prefix: String = k.chars().take(len).collect();
        groups.entry(prefix).or_default().push((k.clone(), *i));
    }
    for (prefix, items) in groups {
        let all_shorter = items.iter().all(|(k, _)| k.chars().count() <= len);
        if items.len() > SHARD_MAX && !all_shorter && len < 12 {
            // Keys that end at this length stay in a shard of their own.
            let (done, longer): (Vec<_>, Vec<_>) =
                items.into_iter().partition(|(k, _)| k.chars().count() <= len);
            if !done.is_empty() {
                out.entry(prefix.clone()).or_default().extend(done.into_iter().map(|(_, i)| i));
            }
            split(&longer, len + 1, out);
        } else {
            out.entry(prefix).or_default().extend(items.into_iter().map(|(_, i)| i));
        }
    }
}

/// One commune: `[code, name, normalized name, "postal codes", département, slug, population]`.
fn entry(data: &CommuneData, i: usize) -> String {
    let c = &data.communes[i];
    serde_json::json!([
        c.code.0,
        c.nom,
        normalize(&c.nom),
        c.codes_postaux.join(" "),
        c.departement,
        data.slugs[i],
        c.population.unwrap_or(0)
    ])
    .to_string()
}

fn array(entries: &[String], ids: &[usize]) -> String {
    let mut s = String::with_capacity(ids.len() * 80);
    s.push('[');
    for (n, &i) in ids.iter().enumerate() {
        if n > 0 {
            s.push_str(",\n");
        }
        s.push_str(&entries[i]);
    }
    s.push_str("]\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        assert_eq!(normalize("Saint-Étienne"), "saint etienne");
        assert_eq!(normalize("st-étienne"), "saint etienne");
        assert_eq!(normalize("  SAINT   ETIENNE "), "saint etienne");
        assert_eq!(normalize("Ste-Colombe"), "sainte colombe");
        assert_eq!(normalize("L'Haÿ-les-Roses"), "l hay les roses");
        assert_eq!(normalize("Œuilly"), "oeuilly");
    }

    #[test]
    fn big_prefixes_are_split() {
        let keyed: Vec<(String, usize)> =
            (0..1000).map(|i| (format!("saint {i:04}"), i)).chain([("sa".to_string(), 5000)]).collect();
        let mut out = BTreeMap::new();
        split(&keyed, 2, &mut out);
        assert!(out.values().all(|v| v.len() <= SHARD_MAX), "{:?}", out.keys().collect::<Vec<_>>());
        assert_eq!(out.values().map(Vec::len).sum::<usize>(), 1001);
        assert!(out.contains_key("sa"));
    }
}
