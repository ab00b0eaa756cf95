//! Sinks: where rendered outputs go. The output folder ([`super::Writer`]) or memory
//! ([`MemorySink`], for tests and `kitgen check`).

use std::collections::BTreeMap;
use std::io;
use std::sync::Mutex;

use super::index::Key;

/// Receives a build's outputs, in any order, from several threads.
pub trait Sink: Sync {
    /// Whether the output at `rel` is already there as the last build wrote it for `key`; when
    /// it is, it counts as produced and nothing else is needed (no minification, no write).
    fn is_fresh(&self, rel: &str, key: &Key) -> bool;

    /// Takes one output. `key` (see [`Key::of`]) lets the next build skip it while it stays
    /// the same.
    fn put(&self, rel: &str, bytes: &[u8], key: Option<Key>) -> io::Result<()>;

    /// The bytes of an output of this build (for the outputs made from other outputs).
    fn read(&self, rel: &str) -> Option<Vec<u8>>;

    /// The content key of an output of this build, else of the last one.
    fn key(&self, rel: &str) -> Option<Key>;
}

/// An output's bytes and key.
type Stored = (Vec<u8>, Option<Key>);

/// Outputs kept in memory.
#[derive(Debug, Default)]
pub struct MemorySink {
    files: Mutex<BTreeMap<String, Stored>>,
}

impl MemorySink {
    /// An empty sink.
    pub fn new() -> MemorySink {
        MemorySink::default()
    }

    /// Every output, sorted by path.
    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .into_iter()
            .map(|(k, (b, _))| (k, b))
            .collect()
    }

    /// Number of outputs.
    pub fn len(&self) -> usize {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Sink for MemorySink {
    fn is_fresh(&self, _: &str, _: &Key) -> bool {
        false
    }

    fn put(&self, rel: &str, bytes: &[u8], key: Option<Key>) -> io::Result<()> {
        if !super::valid_rel(rel) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("invalid output path `{rel}`")));
        }
        self.files.lock().unwrap_or_else(|e| e.into_inner()).insert(rel.to_string(), (bytes.to_vec(), key));
        Ok(())
    }

    fn read(&self, rel: &str) -> Option<Vec<u8>> {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).get(rel).map(|(b, _)| b.clone())
    }

    fn key(&self, rel: &str) -> Option<Key> {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).get(rel).and_then(|(_, k)| *k)
    }
}
