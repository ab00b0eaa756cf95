//! Write: commit outputs to the output folder only when the whole build succeeded, and
//! publish them all at once.
//!
//! Rendered files are compared with what is already there: an unchanged file keeps its bytes and
//! modification time (hosts sync only what changed). `kitgen build` publishes by swapping the
//! output folder with a mirror of it kept beside it ([`Publish::Swap`], see [`mirror`]): a reader
//! of the folder (a web server, an `rsync` beside it) sees the old output or the new one, never a
//! mix, and a kill at any moment leaves one of them. A symlinked output folder stays a symlink:
//! the swap happens at the folder it points to. Files kitgen did not make but must keep (a
//! deploy repository, `CNAME`, see [`keep`]) are never removed; other files no build produces
//! are, and are listed. `kitgen serve` writes its private folder file by file
//! ([`Publish::InPlace`]). A build that changes nothing touches nothing.

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

mod guard;
pub mod index;
pub mod keep;
mod mirror;
pub mod sink;

use guard::absolute;
pub use guard::{SOURCE_DIRS, check_output_dir};
use index::{Entry, Key, OutputIndex};
pub use keep::Keep;
use mirror::Mirror;
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
    /// Every output of the build: anything else in the folder is removed (but kept files).
    Scan(&'a HashSet<&'a str>),
    /// Exactly these files (serve knows what it dropped); the other outputs were not
    /// necessarily rendered again.
    Known(&'a [String]),
}

/// How the outputs reach the output folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publish {
    /// A new tree beside the folder, swapped in at once (`kitgen build`).
    Swap,
    /// File by file, each replacement atomic (serve's private folder; the fallback where no
    /// sibling folder can be made).
    InPlace,
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
    /// The files removed, sorted.
    pub removed_paths: Vec<String>,
}

/// Why a commit did not publish.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// Reading or writing failed; the previous output is as it was.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// Writing failed while files were replaced one by one: part of the output is new.
    #[error("{0} (the output folder may be partly updated)")]
    Partial(io::Error),
    /// Stopped by a signal before publishing; the previous output is as it was.
    #[error("interrupted")]
    Interrupted,
}

/// Writes one build's outputs.
pub struct Writer {
    /// The real folder: `out` with its symlinks resolved (it may not exist yet).
    target: PathBuf,
    publish: Publish,
    /// Swap: the mirror the new files are written into.
    mirror: Option<Mutex<Mirror>>,
    /// In place: the staging folder inside the output.
    staging: PathBuf,
    counter: AtomicU64,
    /// Files written this build: output path → the file holding the bytes, and their key.
    written: Mutex<HashMap<String, (PathBuf, Option<Key>)>>,
    files: AtomicUsize,
    bytes: AtomicU64,
    index: OutputIndex,
    /// Outputs whose file in place already has their bytes (with their index entry when they
    /// have a key).
    kept: Mutex<HashMap<String, Option<Entry>>>,
    keep: Keep,
    /// Why the writer publishes in place though a swap was asked.
    fallback: Option<String>,
}

pub(crate) fn valid_rel(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.starts_with('/')
        && !rel.contains('\\')
        && !rel.contains('\0')
        && rel.split('/').all(|s| !s.is_empty() && s != "." && s != "..")
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut r| r.next().is_none())
}

impl Writer {
    /// Prepares writing into `out` (created if needed) with the index of what the last build
    /// wrote there (see [`index`]) and the files to keep. Call [`check_output_dir`] first.
    pub fn open(out: &Path, index: OutputIndex, publish: Publish, keep: Keep) -> io::Result<Writer> {
        let target = absolute(out);
        let mut writer = Writer {
            target: target.clone(),
            publish,
            mirror: None,
            staging: target.join(STAGING),
            counter: AtomicU64::new(0),
            written: Mutex::new(HashMap::new()),
            files: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            index,
            kept: Mutex::new(HashMap::new()),
            keep,
            fallback: None,
        };
        if publish == Publish::Swap {
            match Mirror::open(&target) {
                Ok(m) => {
                    // What an older kitgen's staging may have left inside the output.
                    if writer.staging.is_dir() {
                        std::fs::remove_dir_all(&writer.staging).ok();
                    }
                    writer.mirror = Some(Mutex::new(m));
                    return Ok(writer);
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
                    ) =>
                {
                    writer.fallback = Some(format!(
                        "cannot create a folder beside {} ({e}): files are replaced one by one, so a reader may see old and new pages together for a moment",
                        out.display()
                    ));
                    writer.publish = Publish::InPlace;
                }
                Err(e) => return Err(e),
            }
        }
        std::fs::create_dir_all(&target)?;
        if writer.staging.exists() {
            std::fs::remove_dir_all(&writer.staging)?;
        }
        std::fs::create_dir_all(&writer.staging)?;
        Ok(writer)
    }

    /// Why the writer publishes file by file though a swap was asked, if it does.
    pub fn fallback(&self) -> Option<&str> {
        self.fallback.as_deref()
    }

    fn keep_entry(&self, rel: &str, entry: Option<Entry>) {
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).insert(rel.to_string(), entry);
    }

    /// Moves the outputs into place and removes files no longer produced; returns what it did
    /// and the updated index (for the caller to save or keep). `interrupted` is asked before
    /// the output changes: a signal then abandons the commit.
    pub fn commit(
        self,
        removal: Removal<'_>,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<(WriteStats, OutputIndex), CommitError> {
        match (self.publish, removal) {
            (Publish::Swap, Removal::Scan(produced)) => self.commit_swap(produced, interrupted),
            _ => self.commit_in_place(removal),
        }
    }

    fn take_written(&self) -> Vec<(String, PathBuf, Option<Key>)> {
        let mut v: Vec<(String, PathBuf, Option<Key>)> =
            std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()))
                .into_iter()
                .map(|(rel, (tmp, key))| (rel, tmp, key))
                .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    fn stats(&self, written: &[(String, PathBuf, Option<Key>)], removed: Vec<String>) -> WriteStats {
        WriteStats {
            files: self.files.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            written: written.len(),
            removed: removed.len(),
            written_paths: written.iter().map(|(r, _, _)| r.clone()).collect(),
            removed_paths: removed,
        }
    }

    /// The files of the output the build does not produce: kept ones, and the rest (removed).
    fn old_files(&self, produced: &HashSet<&str>) -> io::Result<(Vec<String>, Vec<String>)> {
        let (mut kept, mut removed) = (Vec::new(), Vec::new());
        if !self.target.is_dir() {
            return Ok((kept, removed));
        }
        for entry in walkdir::WalkDir::new(&self.target).min_depth(1).follow_links(false).sort_by_file_name()
        {
            let entry = entry.map_err(io::Error::other)?;
            if entry.file_type().is_dir() {
                continue;
            }
            let Some(rel) = entry.path().strip_prefix(&self.target).ok().and_then(|r| r.to_str()) else {
                continue;
            };
            let rel = rel.replace('\\', "/");
            if rel == MARKER || produced.contains(rel.as_str()) {
                continue;
            }
            if self.keep.keeps(&rel) {
                kept.push(rel);
            } else {
                removed.push(rel);
            }
        }
        Ok((kept, removed))
    }

    fn commit_swap(
        mut self,
        produced: &HashSet<&str>,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<(WriteStats, OutputIndex), CommitError> {
        let written = self.take_written();
        let kept_outputs = std::mem::take(&mut *self.kept.lock().unwrap_or_else(|e| e.into_inner()));
        let mut entries: Vec<(String, Entry)> =
            kept_outputs.into_iter().filter_map(|(r, e)| Some((r, e?))).collect();
        let (kept, removed) = self.old_files(produced)?;
        let Some(mirror) = self.mirror.take() else { return Err(io::Error::other("no mirror").into()) };
        let mirror = mirror.into_inner().unwrap_or_else(|e| e.into_inner());
        let has_marker = self.target.join(MARKER).is_file();
        if written.is_empty() && removed.is_empty() && has_marker {
            // Nothing changes: the output (and its mirror) stay as they are.
            let stats = self.stats(&written, removed);
            self.index.replace(entries);
            return Ok((stats, self.index));
        }
        for (rel, file, key) in &written {
            if let (Some(key), Ok(meta)) = (key, std::fs::symlink_metadata(file)) {
                let (size, mtime) = index::stamp(&meta);
                entries.push((rel.clone(), Entry { key: *key, size, mtime }));
            }
        }
        let rels: Vec<String> = written.iter().map(|(r, _, _)| r.clone()).collect();
        mirror.publish(&rels, &removed, &kept, &self.keep, interrupted)?;
        let stats = self.stats(&written, removed);
        self.index.replace(entries);
        Ok((stats, self.index))
    }

    fn commit_in_place(self, removal: Removal<'_>) -> Result<(WriteStats, OutputIndex), CommitError> {
        let written = self.take_written();
        let mut entries: Vec<(String, Entry)> =
            std::mem::take(&mut *self.kept.lock().unwrap_or_else(|e| e.into_inner()))
                .into_iter()
                .filter_map(|(r, e)| Some((r, e?)))
                .collect();
        let mut moved = 0;
        let partial = |moved: usize, e: io::Error| {
            if moved == 0 { CommitError::Io(e) } else { CommitError::Partial(e) }
        };
        for (rel, tmp, key) in &written {
            let dest = self.target.join(rel);
            let step = || -> io::Result<()> {
                if let Some(parent) = dest.parent() {
                    make_dir(&self.target, parent)?;
                }
                if std::fs::symlink_metadata(&dest).is_ok_and(|m| m.is_dir()) {
                    std::fs::remove_dir_all(&dest)?;
                }
                std::fs::rename(tmp, &dest)
            };
            step().map_err(|e| partial(moved, e))?;
            moved += 1;
            if let (Some(key), Ok(meta)) = (key, std::fs::symlink_metadata(&dest)) {
                let (size, mtime) = index::stamp(&meta);
                entries.push((rel.clone(), Entry { key: *key, size, mtime }));
            }
        }
        let removed = match removal {
            Removal::Known(list) => {
                let mut done = Vec::new();
                for rel in list {
                    if valid_rel(rel) && std::fs::remove_file(self.target.join(rel)).is_ok() {
                        remove_empty_parents(&self.target, &self.target.join(rel));
                        done.push(rel.clone());
                    }
                }
                done
            }
            Removal::Scan(produced) => self.remove_stale(produced).map_err(|e| partial(moved + 1, e))?,
        };
        std::fs::remove_dir_all(&self.staging).ok();
        let marker = self.target.join(MARKER);
        if std::fs::read_to_string(&marker).ok().as_deref() != Some(MARKER_TEXT) {
            std::fs::write(marker, MARKER_TEXT).map_err(|e| partial(moved + 1, e))?;
        }
        let stats = self.stats(&written, removed);
        let mut index = self.index;
        match removal {
            Removal::Known(list) => index.merge(entries, list),
            Removal::Scan(_) => index.replace(entries),
        }
        Ok((stats, index))
    }

    /// Drops everything written; the output folder is as it was. Returns the index, unchanged.
    /// (A mirror this build changed stays marked dirty: the next build makes it again.)
    pub fn abort(self) -> OutputIndex {
        if self.publish == Publish::InPlace {
            std::fs::remove_dir_all(&self.staging).ok();
            // A folder created by this build and left empty is removed too.
            if is_empty_dir(&self.target) {
                std::fs::remove_dir(&self.target).ok();
            }
        }
        self.index
    }

    fn remove_stale(&self, produced: &HashSet<&str>) -> io::Result<Vec<String>> {
        let (_, removed) = self.old_files(produced)?;
        for rel in &removed {
            let path = self.target.join(rel);
            std::fs::remove_file(&path)?;
            remove_empty_parents(&self.target, &path);
        }
        Ok(removed)
    }
}

impl Sink for Writer {
    fn is_fresh(&self, rel: &str, key: &Key) -> bool {
        let Some(entry) = self.index.fresh(&self.target, rel, key) else { return false };
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(entry.size, Ordering::Relaxed);
        self.keep_entry(rel, Some(entry));
        true
    }

    // Written unless the file in place already has these bytes.
    fn put(&self, rel: &str, bytes: &[u8], key: Option<Key>) -> io::Result<()> {
        if !valid_rel(rel) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("invalid output path `{rel}`")));
        }
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        let dest = self.target.join(rel);
        if let Ok(meta) = std::fs::symlink_metadata(&dest)
            && meta.is_file()
            && meta.len() == bytes.len() as u64
            && std::fs::read(&dest).is_ok_and(|old| old == bytes)
        {
            let (size, mtime) = index::stamp(&meta);
            self.keep_entry(rel, key.map(|key| Entry { key, size, mtime }));
            return Ok(());
        }
        let file = match &self.mirror {
            Some(m) => {
                let file = {
                    let mut m = m.lock().unwrap_or_else(|e| e.into_inner());
                    m.prepare()?;
                    m.file(rel)
                };
                let fresh = match file.parent() {
                    Some(parent) => mirror::make_dirs(parent)?,
                    None => false,
                };
                if fresh {
                    // A folder this build made holds no file of the output.
                    std::fs::write(&file, bytes)?;
                } else {
                    // The mirror's files are the output's too (hard links): write a new file.
                    if std::fs::symlink_metadata(&file).is_ok_and(|m| m.is_dir()) {
                        std::fs::remove_dir_all(&file)?;
                    }
                    let tmp = mirror::temp_of(&file);
                    std::fs::write(&tmp, bytes)?;
                    std::fs::rename(&tmp, &file)?;
                }
                file
            }
            None => {
                let file = self.staging.join(self.counter.fetch_add(1, Ordering::Relaxed).to_string());
                std::fs::write(&file, bytes)?;
                file
            }
        };
        self.written.lock().unwrap_or_else(|e| e.into_inner()).insert(rel.to_string(), (file, key));
        Ok(())
    }

    fn read(&self, rel: &str) -> Option<Vec<u8>> {
        if !valid_rel(rel) {
            return None;
        }
        let written = self.written.lock().unwrap_or_else(|e| e.into_inner()).get(rel).map(|(p, _)| p.clone());
        std::fs::read(written.unwrap_or_else(|| self.target.join(rel))).ok()
    }

    fn key(&self, rel: &str) -> Option<Key> {
        if let Some((_, k)) = self.written.lock().unwrap_or_else(|e| e.into_inner()).get(rel) {
            return *k;
        }
        if let Some(e) = self.kept.lock().unwrap_or_else(|e| e.into_inner()).get(rel) {
            return e.map(|e| e.key);
        }
        self.index.key(rel)
    }
}

fn make_dir(out: &Path, dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    // A file where a folder is needed (an output that became a folder) is replaced; the walk
    // stops at the output folder, which is never removed (it may be a symlink).
    let mut cur = dir.to_path_buf();
    while cur != out && cur.starts_with(out) {
        if std::fs::symlink_metadata(&cur).is_ok_and(|m| !m.is_dir()) {
            std::fs::remove_file(&cur)?;
            break;
        }
        if !cur.pop() {
            break;
        }
    }
    std::fs::create_dir_all(dir)
}

pub(crate) fn remove_empty_parents(out: &Path, file: &Path) {
    let mut cur = file.parent();
    while let Some(d) = cur {
        if d == out || !d.starts_with(out) || std::fs::remove_dir(d).is_err() {
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
        let w = Writer::open(&out, OutputIndex::default(), Publish::Swap, Keep::default()).unwrap();
        w.put("a/index.html", b"A", None).unwrap();
        w.put("b/index.html", b"B", None).unwrap();
        let produced: HashSet<&str> = ["a/index.html", "b/index.html"].into();
        let (s, _) = w.commit(Removal::Scan(&produced), &|| false).unwrap();
        assert_eq!((s.files, s.written, s.removed), (2, 2, 0));
        let before = mtime(&out.join("a/index.html"));
        std::thread::sleep(std::time::Duration::from_millis(20));

        let w = Writer::open(&out, OutputIndex::default(), Publish::Swap, Keep::default()).unwrap();
        w.put("a/index.html", b"A", None).unwrap();
        w.put("c/index.html", b"C", None).unwrap();
        let produced: HashSet<&str> = ["a/index.html", "c/index.html"].into();
        let (s, _) = w.commit(Removal::Scan(&produced), &|| false).unwrap();
        assert_eq!((s.written, s.removed), (1, 1));
        assert_eq!(mtime(&out.join("a/index.html")), before);
        assert!(!out.join("b").exists());
        assert!(out.join(MARKER).is_file());
        assert!(!out.join(STAGING).exists());
        // The mirror beside is the same tree, in hard links.
        let mirror = dir.path().join(".public.kitgen-mirror");
        assert_eq!(std::fs::read(mirror.join("a/index.html")).unwrap(), b"A");
        assert!(!mirror.join("b").exists());
    }

    fn build(out: &Path, files: &[(&str, &str)], keep: &Keep) -> WriteStats {
        let w = Writer::open(out, OutputIndex::default(), Publish::Swap, keep.clone()).unwrap();
        for (rel, text) in files {
            w.put(rel, text.as_bytes(), None).unwrap();
        }
        let produced: HashSet<&str> = files.iter().map(|(r, _)| *r).collect();
        w.commit(Removal::Scan(&produced), &|| false).unwrap().0
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_output_folder_stays_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("www/vsa");
        std::fs::create_dir_all(&real).unwrap();
        let link = dir.path().join("public");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        build(&link, &[("a.html", "A")], &Keep::default());
        build(&link, &[("a.html", "A2"), ("b/c.html", "C")], &Keep::default());
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(real.join("a.html")).unwrap(), "A2");
        assert_eq!(std::fs::read_to_string(link.join("b/c.html")).unwrap(), "C");
        let mut beside: Vec<_> =
            std::fs::read_dir(dir.path().join("www")).unwrap().flatten().map(|e| e.file_name()).collect();
        beside.sort();
        assert_eq!(beside, [".vsa.kitgen-mirror", "vsa"], "only the mirror beside the real folder");
    }

    #[test]
    fn kept_files_stay_and_removed_files_are_listed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        build(&out, &[("a.html", "A"), ("old.html", "O")], &Keep::default());
        for (rel, text) in [
            (".git/HEAD", "ref"),
            ("CNAME", "vsa.example"),
            (".well-known/security.txt", "x"),
            ("mine.txt", "m"),
            ("uploads/p.jpg", "j"),
        ] {
            std::fs::create_dir_all(out.join(rel).parent().unwrap()).unwrap();
            std::fs::write(out.join(rel), text).unwrap();
        }
        let keep = Keep::new(&["uploads".into()]).unwrap();
        let s = build(&out, &[("a.html", "A")], &keep);
        assert_eq!(s.removed_paths, ["mine.txt", "old.html"]);
        for rel in [".git/HEAD", "CNAME", ".well-known/security.txt", "uploads/p.jpg", "a.html"] {
            assert!(out.join(rel).is_file(), "{rel} was removed");
        }
        assert!(!out.join("old.html").exists() && !out.join("mine.txt").exists());
    }

    #[test]
    fn a_build_that_changes_nothing_touches_nothing_and_leftovers_are_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        build(&out, &[("a/b.html", "A")], &Keep::default());
        let before = mtime(&out);
        std::thread::sleep(std::time::Duration::from_millis(20));
        let s = build(&out, &[("a/b.html", "A")], &Keep::default());
        assert_eq!((s.written, s.removed), (0, 0));
        assert_eq!(mtime(&out), before, "the folder was not swapped");
        // The first build with a change makes the mirror.
        build(&out, &[("a/b.html", "A0")], &Keep::default());
        build(&out, &[("a/b.html", "A")], &Keep::default());
        let mirror = dir.path().join(".public.kitgen-mirror");
        assert!(mirror.join(MARKER).is_file());
        // A mirror a killed build left dirty is not trusted: it is made again.
        std::fs::write(mirror.join(MARKER), "dirty").unwrap();
        std::fs::write(mirror.join("a/b.html.kitgen-tmp"), "half").unwrap();
        std::fs::remove_file(mirror.join("a/b.html")).unwrap();
        std::fs::write(mirror.join("a/b.html"), "stale").unwrap();
        let s = build(&out, &[("a/b.html", "A"), ("c.html", "C")], &Keep::default());
        assert_eq!((s.written, s.removed), (1, 0));
        assert_eq!(
            std::fs::read_to_string(out.join("a/b.html")).unwrap(),
            "A",
            "the stale mirror was published"
        );
        assert!(!out.join("a/b.html.kitgen-tmp").exists());
        assert_eq!(std::fs::read_to_string(mirror.join("a/b.html")).unwrap(), "A");
        // Something else of that name is never deleted.
        std::fs::remove_dir_all(&mirror).unwrap();
        std::fs::create_dir_all(mirror.join("y")).unwrap();
        std::fs::write(mirror.join("y/z"), "z").unwrap();
        assert!(Writer::open(&out, OutputIndex::default(), Publish::Swap, Keep::default()).is_err());
    }

    #[test]
    fn the_old_tree_is_put_back_when_a_fallback_swap_was_killed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        build(&out, &[("a.html", "A")], &Keep::default());
        // Killed between the two renames: the output is missing, the old tree is beside it.
        std::fs::rename(&out, dir.path().join(".public.kitgen-old")).unwrap();
        let w = Writer::open(&out, OutputIndex::default(), Publish::Swap, Keep::default()).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "A");
        let _ = w.abort();
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "A");
    }

    #[test]
    fn abort_leaves_the_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let w = Writer::open(&out, OutputIndex::default(), Publish::Swap, Keep::default()).unwrap();
        w.put("a.html", b"old", None).unwrap();
        w.commit(Removal::Scan(&["a.html"].into()), &|| false).unwrap();
        let w = Writer::open(&out, OutputIndex::default(), Publish::Swap, Keep::default()).unwrap();
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
        let w = Writer::open(&dir.path().join("o"), OutputIndex::default(), Publish::Swap, Keep::default())
            .unwrap();
        for bad in ["../x", "/etc/x", "a/../../x", "", "a//b", "a\\b"] {
            assert!(w.put(bad, b"x", None).is_err(), "{bad}");
        }
    }
}
