//! The output index: what the last build wrote, so the next one can skip unchanged outputs.
//!
//! For every output it keeps a key (a hash of the rendered bytes before minification, with
//! kitgen's version) and the size and modification time of the file it wrote. When an output
//! renders to the same key and the file on disk still has that size and time, kitgen neither
//! minifies nor compares nor writes it. The index lives in the user's cache folder
//! (`$KITGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/kitgen`, else `~/.cache/kitgen`), never in the
//! published output; losing it only costs time.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

const HEADER: &str = concat!("kitgen-output-index 1 ", env!("CARGO_PKG_VERSION"));

/// The identity of an output's content before its final step (minification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key(pub [u8; 16]);

impl Key {
    /// The key of rendered bytes and the final step they will go through (0: none).
    pub fn of(bytes: &[u8], last_step: u8) -> Key {
        let mut h = blake3::Hasher::new();
        h.update(HEADER.as_bytes());
        h.update(&[last_step]);
        h.update(bytes);
        let mut k = [0u8; 16];
        k.copy_from_slice(&h.finalize().as_bytes()[..16]);
        Key(k)
    }

    fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn parse(s: &str) -> Option<Key> {
        if s.len() != 32 {
            return None;
        }
        let mut k = [0u8; 16];
        for (i, b) in k.iter_mut().enumerate() {
            *b = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Key(k))
    }
}

/// A file as the index remembers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Content key.
    pub key: Key,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime: u128,
}

/// Size and time of a file as the index records them.
pub fn stamp(meta: &std::fs::Metadata) -> (u64, u128) {
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    (meta.len(), mtime)
}

/// The index of one output folder.
#[derive(Debug, Default)]
pub struct OutputIndex {
    file: Option<PathBuf>,
    entries: HashMap<String, Entry>,
    /// The fingerprint of the inputs of the build that wrote every entry, when that build
    /// succeeded without a warning (see [`crate::load::fingerprint`]).
    inputs: Option<Key>,
}

/// The line that holds [`OutputIndex::inputs`] (a key is never `#`).
const INPUTS: &str = "#inputs\t";

/// kitgen's cache folder: `$KITGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/kitgen`, else
/// `~/.cache/kitgen`.
pub fn default_cache_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("KITGEN_CACHE_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("kitgen"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/kitgen"))
}

impl OutputIndex {
    /// The index of `out` kept in `cache_dir`, empty when there is none (or it is unreadable or
    /// from another version). Without a cache folder nothing is kept.
    pub fn load(out: &Path, cache_dir: Option<&Path>) -> OutputIndex {
        // The output folder may not exist yet (first build): name it by its parent's real path,
        // which is what canonicalising it will give once the writer has created it.
        let abs = std::fs::canonicalize(out).ok().or_else(|| {
            let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            Some(std::fs::canonicalize(parent).ok()?.join(out.file_name()?))
        });
        let file = abs.and_then(|abs| {
            let id = blake3::hash(abs.to_string_lossy().as_bytes()).to_hex();
            cache_dir.map(|d| d.join("outputs").join(format!("{}.idx", &id[..20])))
        });
        let mut entries = HashMap::new();
        let mut inputs = None;
        if let Some(text) = file.as_ref().and_then(|f| std::fs::read_to_string(f).ok()) {
            let mut lines = text.lines();
            if lines.next() == Some(HEADER) {
                for line in lines {
                    if let Some(k) = line.strip_prefix(INPUTS) {
                        inputs = Key::parse(k);
                        continue;
                    }
                    let mut parts = line.splitn(4, '\t');
                    let (Some(k), Some(size), Some(mtime), Some(rel)) =
                        (parts.next(), parts.next(), parts.next(), parts.next())
                    else {
                        continue;
                    };
                    if let (Some(key), Ok(size), Ok(mtime)) = (Key::parse(k), size.parse(), mtime.parse()) {
                        entries.insert(rel.to_string(), Entry { key, size, mtime });
                    }
                }
            }
        }
        OutputIndex { file, entries, inputs }
    }

    /// The fingerprint of the inputs the entries were built from, if the index knows it.
    pub fn inputs(&self) -> Option<Key> {
        self.inputs
    }

    /// Records (or forgets) the fingerprint of the inputs the entries were built from.
    pub fn set_inputs(&mut self, inputs: Option<Key>) {
        self.inputs = inputs;
    }

    /// Whether every file the index remembers is in the output folder as it was written (same
    /// size and modification time). Returns their total size.
    pub fn intact(&self, out: &Path) -> Option<u64> {
        let mut bytes = 0;
        for (rel, e) in &self.entries {
            let meta = std::fs::symlink_metadata(out.join(rel)).ok()?;
            if !meta.is_file() || stamp(&meta) != (e.size, e.mtime) {
                return None;
            }
            bytes += e.size;
        }
        Some(bytes)
    }

    /// The remembered entry of `rel` when its key is `key` and the file on disk is unchanged.
    pub fn fresh(&self, out: &Path, rel: &str, key: &Key) -> Option<Entry> {
        let e = self.entries.get(rel)?;
        if e.key != *key {
            return None;
        }
        let meta = std::fs::symlink_metadata(out.join(rel)).ok()?;
        (meta.is_file() && stamp(&meta) == (e.size, e.mtime)).then_some(*e)
    }

    /// Every output the index remembers.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// The key the index remembers for `rel`.
    pub fn key(&self, rel: &str) -> Option<Key> {
        self.entries.get(rel).map(|e| e.key)
    }

    /// Replaces every entry (after a build that rendered every output).
    pub fn replace(&mut self, entries: Vec<(String, Entry)>) {
        self.inputs = None;
        self.entries = entries.into_iter().collect();
    }

    /// Updates the entries of the outputs rendered again and forgets removed ones (after an
    /// incremental rebuild).
    pub fn merge(&mut self, entries: Vec<(String, Entry)>, removed: &[String]) {
        self.inputs = None;
        for r in removed {
            self.entries.remove(r);
        }
        self.entries.extend(entries);
    }

    /// Writes the index to the cache folder (best effort: it is a cache).
    pub fn save(&self) {
        let Some(file) = &self.file else { return };
        let mut entries: Vec<(&String, &Entry)> = self.entries.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        let mut text = String::with_capacity(entries.len() * 80 + 64);
        text.push_str(HEADER);
        text.push('\n');
        if let Some(k) = &self.inputs {
            text.push_str(INPUTS);
            text.push_str(&k.hex());
            text.push('\n');
        }
        for (rel, e) in &entries {
            text.push_str(&format!("{}\t{}\t{}\t{rel}\n", e.key.hex(), e.size, e.mtime));
        }
        let Some(dir) = file.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let tmp = file.with_extension(format!("tmp{}", std::process::id()));
        let ok = std::fs::File::create(&tmp).and_then(|mut f| f.write_all(text.as_bytes())).is_ok();
        if ok {
            let _ = std::fs::rename(&tmp, file);
        } else {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_depend_on_minification() {
        let k = Key::of(b"<p>x</p>", 1);
        assert_eq!(Key::parse(&k.hex()), Some(k));
        assert_ne!(k, Key::of(b"<p>x</p>", 0));
        assert_eq!(Key::parse("zz"), None);
    }
}
