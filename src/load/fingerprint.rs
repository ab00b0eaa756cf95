//! The fingerprint of everything a build reads: every file of the site's input folders (by
//! path, size and modification time), the theme, the kitgen binary and the build's options.
//!
//! When it equals the fingerprint the last successful build saved with its output index, and
//! every output is still on disk as that build left it, nothing can have changed: the build
//! renders nothing (see [`crate::pipeline::build_with`]). Like `make` and Cargo, it trusts
//! modification times; a file changed so soon after the previous change that the clock has not
//! moved could hide, so a fingerprint is only kept when every input is older than
//! [`SETTLED`].

use std::hash::Hash;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::config::{CONFIG_FILE, Config};

/// How old every input must be for the fingerprint to be worth keeping.
pub const SETTLED: Duration = Duration::from_secs(2);

/// Folders of the site root a build reads (the theme is added from the configuration).
const INPUTS: &[&str] = &["content", "data", "i18n", "templates", "static", "fonts", "posters", "kits"];

/// A build's inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    /// The hash.
    pub key: [u8; 16],
    /// Whether an input changed so recently that the fingerprint must not be kept.
    pub recent: bool,
}

/// The fingerprint of the site of `config` built with `options` (anything hashable that
/// changes the output: overrides, render options, the families' names).
pub fn of(config: &Config, options: &impl Hash) -> Fingerprint {
    let mut h = Hasher(blake3::Hasher::new());
    let now = SystemTime::now();
    let mut newest = UNIX_EPOCH;
    env!("CARGO_PKG_VERSION").hash(&mut h);
    // A rebuilt kitgen may render differently: its own file is an input.
    if let Some(meta) = std::env::current_exe().ok().and_then(|p| std::fs::metadata(p).ok()) {
        (meta.len(), mtime(&meta)).hash(&mut h);
    }
    std::env::var("SOURCE_DATE_EPOCH").ok().hash(&mut h);
    options.hash(&mut h);
    // A folder counts by its name: its entries are listed, and its own time changes with them.
    let mut file = |rel: &str, meta: &std::fs::Metadata| {
        if meta.is_dir() {
            (rel, true).hash(&mut h);
            return;
        }
        newest = newest.max(meta.modified().unwrap_or(UNIX_EPOCH));
        (rel, false, meta.len(), mtime(meta)).hash(&mut h);
    };
    let root = &config.root;
    if let Ok(meta) = std::fs::metadata(root.join(CONFIG_FILE)) {
        file(CONFIG_FILE, &meta);
    }
    let theme = config.theme_dir();
    let dirs = INPUTS.iter().map(|d| root.join(d)).chain([theme]);
    for dir in dirs {
        if !dir.exists() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&dir).follow_links(true).sort_by_file_name() {
            // An unreadable entry: the build reports it; never trust a fingerprint then.
            let Ok(e) = entry else { return untrusted() };
            let Ok(meta) = e.metadata() else { return untrusted() };
            let rel = e.path().strip_prefix(root).unwrap_or(e.path());
            file(&rel.to_string_lossy(), &meta);
        }
    }
    let recent = now.duration_since(newest).map_or(true, |age| age < SETTLED);
    let mut key = [0u8; 16];
    key.copy_from_slice(&h.0.finalize().as_bytes()[..16]);
    Fingerprint { key, recent }
}

fn untrusted() -> Fingerprint {
    Fingerprint { key: [0; 16], recent: true }
}

fn mtime(meta: &std::fs::Metadata) -> u128 {
    meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos())
}

/// [`std::hash::Hasher`] over blake3, so the fingerprint is the same in every process.
struct Hasher(blake3::Hasher);

impl std::hash::Hasher for Hasher {
    fn finish(&self) -> u64 {
        let b = self.0.finalize();
        u64::from_le_bytes(b.as_bytes()[..8].try_into().unwrap_or_default())
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}
