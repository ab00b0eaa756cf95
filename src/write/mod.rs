//! Write: commit outputs to the output folder only when the whole build succeeded.
//!
//! Rendered files are compared with what is already there: an unchanged file keeps its bytes and
//! modification time (hosts sync only what changed); a changed file is written to a staging
//! folder inside the output folder. Only on [`Writer::commit`] are staged files renamed into
//! place (each replacement atomic) and files no longer produced removed. A failed build calls
//! [`Writer::abort`] and leaves the previous output untouched. The tree is never deleted and
//! recreated (that made each Zola and Hugo build slower on these disks).

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

pub mod index;
pub mod sink;

use index::{Entry, Key, OutputIndex};
pub use sink::{MemorySink, Sink};

/// The marker file saying kitgen owns a folder.
pub const MARKER: &str = ".kitgen-output";
const STAGING: &str = ".kitgen-staging";
const MARKER_TEXT: &str =
    "This folder is written by kitgen. Files that the last build did not produce are removed.\n";

/// Why an output folder was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refusal {
    /// The folder is the site, or contains it.
    #[error("refusing to write into {0}: it contains the site's sources")]
    ContainsSite(PathBuf),
    /// The folder is inside a source folder.
    #[error("refusing to write into {0}: it is inside the site's `{1}/` folder")]
    InsideSources(PathBuf, String),
    /// The folder is the home folder or the file system root.
    #[error("refusing to write into {0}")]
    Forbidden(PathBuf),
    /// The folder has files and no marker.
    #[error("refusing to write into {0}: it is not empty and was not created by kitgen (no {MARKER} file)")]
    NotOurs(PathBuf),
}

/// How a commit finds the files to remove.
#[derive(Debug, Clone, Copy)]
pub enum Removal<'a> {
    /// Every output of the build: anything else in the folder is removed.
    Scan(&'a HashSet<&'a str>),
    /// Exactly these files (serve knows what it dropped); the other outputs were not
    /// necessarily rendered again.
    Known(&'a [String]),
}

/// What a commit did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Files produced.
    pub files: usize,
    /// Bytes produced.
    pub bytes: u64,
    /// Files written because they were new or changed.
    pub written: usize,
    /// Stale files removed.
    pub removed: usize,
    /// The files written, sorted.
    pub written_paths: Vec<String>,
}

/// Writes one build's outputs.
pub struct Writer {
    out: PathBuf,
    staging: PathBuf,
    counter: AtomicU64,
    staged: Mutex<HashMap<String, (PathBuf, Option<Key>)>>,
    files: AtomicUsize,
    bytes: AtomicU64,
    index: OutputIndex,
    kept: Mutex<HashMap<String, Entry>>,
}

/// Source folders an output folder must not be inside.
pub const SOURCE_DIRS: &[&str] =
    &["content", "data", "i18n", "themes", "templates", "static", "posters", "kits", "src", "tests", ".git"];

/// Checks that `out` may be written for the site at `root`.
pub fn check_output_dir(root: &Path, out: &Path) -> Result<(), Refusal> {
    let root = absolute(root);
    let out_abs = absolute(out);
    if out_abs == root || root.starts_with(&out_abs) {
        return Err(Refusal::ContainsSite(out.to_path_buf()));
    }
    for d in SOURCE_DIRS {
        if out_abs.starts_with(root.join(d)) {
            return Err(Refusal::InsideSources(out.to_path_buf(), d.to_string()));
        }
    }
    let home = std::env::var_os("HOME").map(|h| absolute(Path::new(&h)));
    if out_abs.parent().is_none() || home.as_deref() == Some(out_abs.as_path()) {
        return Err(Refusal::Forbidden(out.to_path_buf()));
    }
    if out_abs.is_dir() && !out_abs.join(MARKER).is_file() {
        let non_empty = std::fs::read_dir(&out_abs).map(|mut r| r.next().is_some()).unwrap_or(false);
        if non_empty {
            return Err(Refusal::NotOurs(out.to_path_buf()));
        }
    }
    Ok(())
}

/// A normalised absolute path, resolving symlinks of the part that exists.
fn absolute(p: &Path) -> PathBuf {
    let p =
        if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(p) };
    let mut existing = p.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut base = std::fs::canonicalize(&existing).unwrap_or(existing);
    for name in rest.into_iter().rev() {
        if name == ".." {
            base.pop();
        } else if name != "." {
            base.push(name);
        }
    }
    base
}

fn valid_rel(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.starts_with('/')
        && !rel.contains('\\')
        && !rel.contains('\0')
        && rel.split('/').all(|s| !s.is_empty() && s != "." && s != "..")
}

impl Writer {
    /// Prepares writing into `out` (created if needed), with the index of what the last build
    /// wrote there (see [`index`]). Call [`check_output_dir`] first.
    pub fn open(out: &Path, index: OutputIndex) -> io::Result<Writer> {
        std::fs::create_dir_all(out)?;
        let staging = out.join(STAGING);
        if staging.exists() {
            std::fs::remove_dir_all(&staging)?;
        }
        std::fs::create_dir_all(&staging)?;
        Ok(Writer {
            out: out.to_path_buf(),
            staging,
            counter: AtomicU64::new(0),
            staged: Mutex::new(HashMap::new()),
            files: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            index,
            kept: Mutex::new(HashMap::new()),
        })
    }

    /// Moves staged files into place and removes files no longer produced; returns what it did
    /// and the updated index (for the caller to save or keep).
    ///
    /// `produced` lists every output of the build. With `removed` given (serve knows what it
    /// dropped and rendered only what changed), only those files are deleted and the index is
    /// updated; otherwise the folder is scanned and the index replaced.
    pub fn commit(mut self, removal: Removal<'_>) -> io::Result<(WriteStats, OutputIndex)> {
        let mut staged: Vec<(String, PathBuf, Option<Key>)> =
            std::mem::take(&mut *self.staged.lock().unwrap_or_else(|e| e.into_inner()))
                .into_iter()
                .map(|(rel, (tmp, key))| (rel, tmp, key))
                .collect();
        staged.sort_by(|a, b| a.0.cmp(&b.0));
        let written = staged.len();
        let mut entries: Vec<(String, Entry)> =
            std::mem::take(&mut *self.kept.lock().unwrap_or_else(|e| e.into_inner())).into_iter().collect();
        for (rel, tmp, key) in &staged {
            let dest = self.out.join(rel);
            if let Some(parent) = dest.parent() {
                make_dir(&self.out, parent)?;
            }
            if std::fs::symlink_metadata(&dest).is_ok_and(|m| m.is_dir()) {
                std::fs::remove_dir_all(&dest)?;
            }
            std::fs::rename(tmp, &dest)?;
            if let (Some(key), Ok(meta)) = (key, std::fs::symlink_metadata(&dest)) {
                let (size, mtime) = index::stamp(&meta);
                entries.push((rel.clone(), Entry { key: *key, size, mtime }));
            }
        }
        let mut n_removed = 0;
        match removal {
            Removal::Known(list) => {
                for rel in list {
                    if valid_rel(rel) && std::fs::remove_file(self.out.join(rel)).is_ok() {
                        n_removed += 1;
                        remove_empty_parents(&self.out, &self.out.join(rel));
                    }
                }
            }
            Removal::Scan(produced) => n_removed = self.remove_stale(produced)?,
        }
        std::fs::remove_dir_all(&self.staging).ok();
        match removal {
            Removal::Known(list) => self.index.merge(entries, list),
            Removal::Scan(_) => self.index.replace(entries),
        }
        let marker = self.out.join(MARKER);
        if std::fs::read_to_string(&marker).ok().as_deref() != Some(MARKER_TEXT) {
            std::fs::write(marker, MARKER_TEXT)?;
        }
        let stats = WriteStats {
            files: self.files.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            written,
            removed: n_removed,
            written_paths: {
                let mut v: Vec<String> = staged.into_iter().map(|(rel, _, _)| rel).collect();
                v.sort();
                v
            },
        };
        Ok((stats, self.index))
    }

    /// Drops everything staged; the output folder is as it was. Returns the index, unchanged.
    pub fn abort(self) -> OutputIndex {
        std::fs::remove_dir_all(&self.staging).ok();
        // A folder created by this build and left empty is removed too.
        if std::fs::read_dir(&self.out).is_ok_and(|mut r| r.next().is_none()) {
            std::fs::remove_dir(&self.out).ok();
        }
        self.index
    }

    fn remove_stale(&self, produced: &HashSet<&str>) -> io::Result<usize> {
        let mut removed = Vec::new();
        let walker = walkdir::WalkDir::new(&self.out)
            .min_depth(1)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| e.depth() != 1 || e.file_name() != STAGING);
        for entry in walker {
            let entry = entry.map_err(io::Error::other)?;
            if entry.file_type().is_dir() {
                continue;
            }
            let Some(rel) = entry.path().strip_prefix(&self.out).ok().and_then(|r| r.to_str()) else {
                continue;
            };
            if rel != MARKER && !produced.contains(rel) {
                removed.push(entry.path().to_path_buf());
            }
        }
        for path in &removed {
            std::fs::remove_file(path)?;
            remove_empty_parents(&self.out, path);
        }
        Ok(removed.len())
    }
}

impl Sink for Writer {
    fn is_fresh(&self, rel: &str, key: &Key) -> bool {
        let Some(entry) = self.index.fresh(&self.out, rel, key) else { return false };
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(entry.size, Ordering::Relaxed);
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).insert(rel.to_string(), entry);
        true
    }

    // Staged unless the file in place already has these bytes.
    fn put(&self, rel: &str, bytes: &[u8], key: Option<Key>) -> io::Result<()> {
        if !valid_rel(rel) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("invalid output path `{rel}`")));
        }
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        let dest = self.out.join(rel);
        if let Ok(meta) = std::fs::symlink_metadata(&dest) {
            if meta.is_file()
                && meta.len() == bytes.len() as u64
                && std::fs::read(&dest).is_ok_and(|old| old == bytes)
            {
                if let Some(key) = key {
                    let (size, mtime) = index::stamp(&meta);
                    self.kept
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(rel.to_string(), Entry { key, size, mtime });
                }
                return Ok(());
            }
        }
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let tmp = self.staging.join(n.to_string());
        std::fs::write(&tmp, bytes)?;
        self.staged.lock().unwrap_or_else(|e| e.into_inner()).insert(rel.to_string(), (tmp, key));
        Ok(())
    }

    fn read(&self, rel: &str) -> Option<Vec<u8>> {
        if !valid_rel(rel) {
            return None;
        }
        let staged = self.staged.lock().unwrap_or_else(|e| e.into_inner()).get(rel).map(|(p, _)| p.clone());
        std::fs::read(staged.unwrap_or_else(|| self.out.join(rel))).ok()
    }

    fn key(&self, rel: &str) -> Option<Key> {
        if let Some((_, k)) = self.staged.lock().unwrap_or_else(|e| e.into_inner()).get(rel) {
            return *k;
        }
        if let Some(e) = self.kept.lock().unwrap_or_else(|e| e.into_inner()).get(rel) {
            return Some(e.key);
        }
        self.index.key(rel)
    }
}

fn make_dir(out: &Path, dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    // A file where a folder is needed (an output that became a folder) is replaced.
    let mut cur = dir.to_path_buf();
    loop {
        if std::fs::symlink_metadata(&cur).is_ok_and(|m| !m.is_dir()) {
            std::fs::remove_file(&cur)?;
            break;
        }
        if cur == out || !cur.pop() {
            break;
        }
    }
    std::fs::create_dir_all(dir)
}

fn remove_empty_parents(out: &Path, file: &Path) {
    let mut cur = file.parent();
    while let Some(d) = cur {
        if d == out || std::fs::remove_dir(d).is_err() {
            break;
        }
        cur = d.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mtime(p: &Path) -> std::time::SystemTime {
        std::fs::metadata(p).unwrap().modified().unwrap()
    }

    #[test]
    fn unchanged_files_keep_their_mtime_and_stale_files_go() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let w = Writer::open(&out, OutputIndex::default()).unwrap();
        w.put("a/index.html", b"A", None).unwrap();
        w.put("b/index.html", b"B", None).unwrap();
        let produced: HashSet<&str> = ["a/index.html", "b/index.html"].into();
        let (s, _) = w.commit(Removal::Scan(&produced)).unwrap();
        assert_eq!((s.files, s.written, s.removed), (2, 2, 0));
        let before = mtime(&out.join("a/index.html"));
        std::thread::sleep(std::time::Duration::from_millis(20));

        let w = Writer::open(&out, OutputIndex::default()).unwrap();
        w.put("a/index.html", b"A", None).unwrap();
        w.put("c/index.html", b"C", None).unwrap();
        let produced: HashSet<&str> = ["a/index.html", "c/index.html"].into();
        let (s, _) = w.commit(Removal::Scan(&produced)).unwrap();
        assert_eq!((s.written, s.removed), (1, 1));
        assert_eq!(mtime(&out.join("a/index.html")), before);
        assert!(!out.join("b").exists());
        assert!(out.join(MARKER).is_file());
        assert!(!out.join(STAGING).exists());
    }

    #[test]
    fn abort_leaves_the_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let w = Writer::open(&out, OutputIndex::default()).unwrap();
        w.put("a.html", b"old", None).unwrap();
        w.commit(Removal::Scan(&["a.html"].into())).unwrap();
        let w = Writer::open(&out, OutputIndex::default()).unwrap();
        w.put("a.html", b"new", None).unwrap();
        let _ = w.abort();
        assert_eq!(std::fs::read(out.join("a.html")).unwrap(), b"old");
        assert!(!out.join(STAGING).exists());
    }

    #[test]
    fn refuses_dangerous_output_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::create_dir_all(dir.path().join("other")).unwrap();
        std::fs::write(dir.path().join("other/keep.txt"), "x").unwrap();
        assert!(matches!(check_output_dir(&root, &root), Err(Refusal::ContainsSite(_))));
        assert!(matches!(check_output_dir(&root, &root.join("..")), Err(Refusal::ContainsSite(_))));
        assert!(matches!(
            check_output_dir(&root, &root.join("content/out")),
            Err(Refusal::InsideSources(..))
        ));
        assert!(matches!(check_output_dir(&root, &dir.path().join("other")), Err(Refusal::NotOurs(_))));
        assert!(matches!(
            check_output_dir(&root, Path::new("/")),
            Err(Refusal::ContainsSite(_)) | Err(Refusal::Forbidden(_))
        ));
        assert_eq!(check_output_dir(&root, &root.join("public")), Ok(()));
    }

    #[test]
    fn rejects_paths_leaving_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let w = Writer::open(dir.path(), OutputIndex::default()).unwrap();
        for bad in ["../x", "/etc/x", "a/../../x", "", "a//b", "a\\b"] {
            assert!(w.put(bad, b"x", None).is_err(), "{bad}");
        }
    }
}
