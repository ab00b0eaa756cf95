//! Resolving `@/path.md` links between pages.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diag::suggest;
use crate::markdown::{LinkResolver, Resolved};

use super::PageId;

/// Resolves links of one page: first in its language, then in the default language (an honest
/// fallback: the reader gets the page, in the language it exists in).
pub(super) struct Resolver<'a> {
    pub(super) index: &'a HashMap<(usize, Arc<str>), PageId>,
    pub(super) urls: &'a [String],
    pub(super) rels: &'a [Arc<str>],
    pub(super) lang: usize,
    pub(super) lang_code: &'a str,
    pub(super) default: usize,
    pub(super) current: PageId,
}

/// `./a/b.md`, `/a/b.md` → `a/b.md`; `a/` or `a` (a folder) → `a/_index.md`; `` → `_index.md`.
pub(super) fn candidates(path: &str) -> Vec<String> {
    let p = path.trim().trim_start_matches("./").trim_start_matches('/');
    if p.is_empty() {
        return vec!["_index.md".into()];
    }
    if let Some(dir) = p.strip_suffix('/') {
        return vec![format!("{dir}/_index.md")];
    }
    if p.ends_with(".md") {
        return vec![p.to_string()];
    }
    vec![format!("{p}/_index.md"), format!("{p}.md")]
}

impl LinkResolver for Resolver<'_> {
    fn resolve(&self, path: &str) -> Result<Resolved, (String, String)> {
        let cands = candidates(path);
        for lang in [self.lang, self.default] {
            for c in &cands {
                if let Some(&id) = self.index.get(&(lang, Arc::from(c.as_str()))) {
                    return Ok(Resolved { url: self.urls[id as usize].clone(), target: id });
                }
            }
        }
        let hint = match suggest(&cands[0], self.rels.iter().map(|r| r.as_ref())) {
            Some(s) => format!("did you mean `@/{s}`?"),
            None => format!("the path is relative to content/{}/; check the file name", self.lang_code),
        };
        Err((format!("link to `@/{path}`: no such page"), hint))
    }

    fn current(&self) -> u32 {
        self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_paths() {
        assert_eq!(candidates("./brochure/02.md"), ["brochure/02.md"]);
        assert_eq!(candidates("brochure/"), ["brochure/_index.md"]);
        assert_eq!(candidates("brochure"), ["brochure/_index.md", "brochure.md"]);
        assert_eq!(candidates(""), ["_index.md"]);
    }
}
