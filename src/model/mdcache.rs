//! Rendered Markdown kept between serve rebuilds.
//!
//! A page's body depends on its text, its language's typography, the highlight theme, and the
//! URLs its `@/` links resolve to. The cache records every link resolution made while
//! rendering; the body is reused only when the text is the same and every link still resolves
//! to the same page at the same URL. Page ids change between rebuilds, so the ids stored in the
//! rendered body (links, anchors to check) are mapped to the new ones.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::PageId;
use crate::markdown::{LinkResolver, Rendered, Resolved};

type Resolution = Result<(String, PageId, usize, Arc<str>), (String, String)>;

struct Entry {
    text_hash: u64,
    content_lang: usize,
    theme: String,
    self_id: PageId,
    calls: Vec<(String, Resolution)>,
    rendered: Rendered,
}

/// (language, path under `content/<lang>/`).
type Key = (usize, Arc<str>);

/// The cache, by [`Key`].
#[derive(Default)]
pub struct MdCache {
    map: Mutex<HashMap<Key, Arc<Entry>>>,
}

impl std::fmt::Debug for MdCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MdCache")
    }
}

/// A resolver that remembers what it answered.
pub(super) struct Recording<'a> {
    pub(super) inner: &'a dyn LinkResolver,
    pub(super) keys: &'a [(usize, Arc<str>)],
    pub(super) calls: RefCell<Vec<(String, Resolution)>>,
}

impl Recording<'_> {
    fn resolution(&self, r: Result<Resolved, (String, String)>) -> Resolution {
        r.map(|ok| {
            let (lang, rel) = self.keys[ok.target as usize].clone();
            (ok.url, ok.target, lang, rel)
        })
    }
}

impl LinkResolver for Recording<'_> {
    fn resolve(&self, path: &str) -> Result<Resolved, (String, String)> {
        let r = self.inner.resolve(path);
        let rec = self.resolution(r.clone());
        self.calls.borrow_mut().push((path.to_string(), rec));
        r
    }

    fn current(&self) -> u32 {
        self.inner.current()
    }
}

/// What identifies a page's Markdown input.
pub(super) struct Input<'a> {
    pub(super) key: (usize, Arc<str>),
    pub(super) text_hash: u64,
    pub(super) content_lang: usize,
    pub(super) theme: &'a str,
}

impl MdCache {
    /// The cached body, with page ids remapped, when still valid.
    pub(super) fn lookup(&self, input: &Input<'_>, resolver: &Recording<'_>) -> Option<Rendered> {
        // Held only to take the entry: checking it runs in parallel with the other pages.
        let e = self.map.lock().unwrap_or_else(|e| e.into_inner()).get(&input.key)?.clone();
        if e.text_hash != input.text_hash || e.content_lang != input.content_lang || e.theme != input.theme {
            return None;
        }
        let mut ids: rustc_hash::FxHashMap<PageId, PageId> = Default::default();
        ids.insert(e.self_id, resolver.current());
        for (path, old) in &e.calls {
            let new = resolver.resolution(resolver.inner.resolve(path));
            match (old, &new) {
                (Ok((u1, id1, l1, r1)), Ok((u2, id2, l2, r2))) if u1 == u2 && l1 == l2 && r1 == r2 => {
                    ids.insert(*id1, *id2);
                }
                (Err(a), Err(b)) if a == b => {}
                _ => return None,
            }
        }
        let mut r = e.rendered.clone();
        for l in &mut r.links {
            *l = *ids.get(l)?;
        }
        for a in &mut r.anchors {
            a.target = *ids.get(&a.target)?;
        }
        Some(r)
    }

    /// Remembers a body and the resolutions made to render it.
    pub(super) fn store(
        &self,
        input: Input<'_>,
        self_id: PageId,
        calls: Vec<(String, Resolution)>,
        rendered: &Rendered,
    ) {
        let e = Entry {
            text_hash: input.text_hash,
            content_lang: input.content_lang,
            theme: input.theme.to_string(),
            self_id,
            calls,
            rendered: rendered.clone(),
        };
        self.map.lock().unwrap_or_else(|e| e.into_inner()).insert(input.key, Arc::new(e));
    }
}
