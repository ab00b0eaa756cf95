//! Templates: Tera sources from `themes/<theme>/templates/`, overridden file by file by the
//! site's `templates/`. Compiling them is the template engine's job (`render::tera`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::load::files;

/// A template file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSource {
    /// Name templates use: path under `templates/`, e.g. `partials/nav.html`.
    pub name: String,
    /// File, from the site root.
    pub path: PathBuf,
    /// Text.
    pub text: String,
}

/// Every template, by name.
#[derive(Debug, Clone, Default)]
pub struct TemplateSet {
    /// By name.
    pub by_name: BTreeMap<String, TemplateSource>,
}

impl TemplateSet {
    /// Reads the theme's templates, then the site's overrides.
    pub fn load(config: &Config, diags: &mut Vec<Diagnostic>) -> TemplateSet {
        let mut by_name = BTreeMap::new();
        for dir in [config.theme_dir().join("templates"), config.root.join("templates")] {
            for found in files::walk(&config.root, &dir, diags) {
                match crate::load::read_text(&config.root, &found.path, crate::load::MAX_TEXT_FILE) {
                    Ok(text) => {
                        by_name.insert(
                            found.rel.clone(),
                            TemplateSource {
                                name: found.rel,
                                path: crate::diag::rel_to(&config.root, &found.path),
                                text,
                            },
                        );
                    }
                    Err(d) => diags.push(d),
                }
            }
        }
        TemplateSet { by_name }
    }

    /// Whether a template exists.
    pub fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// A hint naming the closest existing template.
    pub fn did_you_mean(&self, name: &str) -> String {
        match crate::diag::suggest(name, self.by_name.keys().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "templates live in themes/<theme>/templates/ and templates/".into(),
        }
    }

    /// For each template, a hash of its text and of every template it extends or includes;
    /// templates defining components count for all.
    pub fn versions(&self) -> HashMap<Arc<str>, u64> {
        use std::hash::{Hash, Hasher};
        let refs: HashMap<&str, Vec<String>> =
            self.by_name.iter().map(|(n, t)| (n.as_str(), references(&t.text))).collect();
        let mut shared = std::collections::hash_map::DefaultHasher::new();
        for t in self.by_name.values().filter(|t| t.text.contains("{% component ")) {
            t.name.hash(&mut shared);
            t.text.hash(&mut shared);
        }
        let shared = shared.finish();
        let mut out = HashMap::new();
        for name in self.by_name.keys() {
            let mut seen = BTreeSet::new();
            let mut stack = vec![name.clone()];
            let mut h = std::collections::hash_map::DefaultHasher::new();
            shared.hash(&mut h);
            while let Some(n) = stack.pop() {
                if !seen.insert(n.clone()) {
                    continue;
                }
                if let Some(t) = self.by_name.get(&n) {
                    n.hash(&mut h);
                    t.text.hash(&mut h);
                }
                if let Some(r) = refs.get(n.as_str()) {
                    stack.extend(r.iter().cloned());
                }
            }
            out.insert(Arc::from(name.as_str()), h.finish());
        }
        out
    }
}

/// Names in `{% extends "x" %}` and `{% include "x" %}`.
fn references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for kw in ["extends", "include"] {
        let mut rest = text;
        while let Some(i) = rest.find(kw) {
            rest = &rest[i + kw.len()..];
            let t = rest.trim_start();
            if let Some(q) = t.chars().next().filter(|c| *c == '"' || *c == '\'')
                && let Some(end) = t[1..].find(q)
            {
                out.push(t[1..1 + end].to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(files: &[(&str, &str)]) -> TemplateSet {
        TemplateSet {
            by_name: files
                .iter()
                .map(|(n, t)| {
                    (
                        n.to_string(),
                        TemplateSource {
                            name: n.to_string(),
                            path: format!("themes/default/templates/{n}").into(),
                            text: t.to_string(),
                        },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn versions_follow_extends() {
        let a = set(&[("base.html", "A"), ("page.html", "{% extends \"base.html\" %}"), ("other.html", "x")]);
        let b = set(&[("base.html", "B"), ("page.html", "{% extends \"base.html\" %}"), ("other.html", "x")]);
        let (va, vb) = (a.versions(), b.versions());
        assert_ne!(va["page.html"], vb["page.html"]);
        assert_eq!(va["other.html"], vb["other.html"]);
    }
}
