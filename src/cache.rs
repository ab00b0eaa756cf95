//! Caches that let `kitgen serve` rebuild from what changed instead of from scratch.
//!
//! A plain build uses none of this. In serve mode, files whose size and modification time did
//! not change (and that the watcher did not report) are not read or parsed again, the commune
//! reference indexes are kept, and Markdown is not rendered again when a page's text and the
//! targets of its links are the same.

use std::collections::HashMap;
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Size and modification time of a file.
pub type Stamp = (u64, u128);

/// The stamp of a file, if it exists.
pub fn stamp(path: &Path) -> Option<Stamp> {
    std::fs::metadata(path).ok().map(|m| crate::write::index::stamp(&m))
}

/// Parsed files by path, valid while their stamp stays the same.
#[derive(Debug)]
pub struct FileCache<T> {
    map: Mutex<HashMap<PathBuf, (Stamp, T)>>,
}

impl<T> Default for FileCache<T> {
    fn default() -> Self {
        FileCache { map: Mutex::new(HashMap::new()) }
    }
}

impl<T: Clone> FileCache<T> {
    /// The cached value of `path` when its stamp is `stamp`.
    pub fn get(&self, path: &Path, stamp: Stamp) -> Option<T> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(path).filter(|(s, _)| *s == stamp).map(|(_, v)| v.clone())
    }

    /// Remembers the value of `path`.
    pub fn put(&self, path: PathBuf, stamp: Stamp, value: T) {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).insert(path, (stamp, value));
    }

    /// The value of `path` at `stamp` in `cache`, else made by `make` and remembered there
    /// (without a cache or a stamp, made every time).
    pub fn get_or_make<E>(
        cache: Option<&Self>,
        path: &Path,
        stamp: Option<Stamp>,
        make: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        let (Some(c), Some(s)) = (cache, stamp) else { return make() };
        if let Some(v) = c.get(path, s) {
            return Ok(v);
        }
        let v = make()?;
        c.put(path.to_path_buf(), s, v.clone());
        Ok(v)
    }

    /// Forgets paths (reported changed by the watcher, whatever their stamp says).
    pub fn forget<'a>(&self, paths: impl IntoIterator<Item = &'a PathBuf>) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        for p in paths {
            map.remove(p);
        }
    }
}

/// A small memo: one value kept with the key it was computed for.
#[derive(Debug)]
pub struct Memo<K, V> {
    slot: Mutex<Option<(K, V)>>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo { slot: Mutex::new(None) }
    }
}

impl<K: PartialEq + Hash, V: Clone> Memo<K, V> {
    /// Forgets the value.
    pub fn clear(&self) {
        *self.slot.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The value for `key`, computed by `f` when the key changed.
    pub fn get_or(&self, key: K, f: impl FnOnce() -> V) -> V {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((k, v)) = slot.as_ref()
            && *k == key
        {
            return v.clone();
        }
        let v = f();
        *slot = Some((key, v.clone()));
        v
    }
}
