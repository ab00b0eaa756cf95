//! Publishing all at once, at the cost of the changes only.
//!
//! Beside the output folder `T` kitgen keeps a mirror `M` (`.<name>.kitgen-mirror`): the same
//! tree, every file a hard link to the same file of `T`, so it costs folder entries, not data.
//! A build writes its new and changed files into `M` (new files, never the shared ones),
//! removes there what `T` no longer needs, brings over the kept files, and then one
//! `renameat2(RENAME_EXCHANGE)` swaps `M` and `T`: readers see the old tree or the new one.
//! The old tree, now the mirror, gets the same changes (hard links to the new files), so both
//! are the same tree again. Each build touches as many files as it changed, and a build that
//! changes nothing touches nothing.
//!
//! Both folders hold kitgen's marker with a generation number; the mirror is trusted only when
//! its generation is the output's. Before a build changes the mirror it marks it dirty, so a
//! build killed at any moment leaves a mirror the next build does not trust: it deletes it
//! (its marker last) and makes it again from the output with hard links, once.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{MARKER, MARKER_TEXT, keep::Keep, remove_empty_parents};

/// The mirror beside an output folder.
#[derive(Debug)]
pub(super) struct Mirror {
    /// The output folder (symlinks resolved).
    pub(super) target: PathBuf,
    /// `.<name>.kitgen-mirror`.
    pub(super) path: PathBuf,
    /// `.<name>.kitgen-old`, used where the system cannot exchange two folders.
    old: PathBuf,
    /// The output's generation (0: none yet, or made by an older kitgen).
    pub(super) generation: u64,
    /// The mirror is the output's tree, to be trusted.
    valid: bool,
    /// The mirror was made ready for this build's changes.
    prepared: bool,
}

fn marker_text(generation: Option<u64>, kept: usize) -> String {
    match generation {
        Some(g) => format!("{MARKER_TEXT}generation: {g}\nkept: {kept}\n"),
        None => format!("{MARKER_TEXT}generation: dirty\n"),
    }
}

/// The generation a marker names, and its count of kept files.
fn read_marker(dir: &Path) -> Option<(Option<u64>, usize)> {
    let text = std::fs::read_to_string(dir.join(MARKER)).ok()?;
    let field = |name: &str| text.lines().find_map(|l| l.strip_prefix(name)).map(str::trim);
    let generation = field("generation:").and_then(|g| g.parse().ok());
    let kept = field("kept:").and_then(|k| k.parse().ok()).unwrap_or(usize::MAX);
    Some((generation, kept))
}

fn write_marker(dir: &Path, generation: Option<u64>, kept: usize) -> io::Result<()> {
    let tmp = dir.join(format!("{MARKER}.tmp"));
    std::fs::write(&tmp, marker_text(generation, kept))?;
    std::fs::rename(tmp, dir.join(MARKER))
}

/// Deletes a folder of kitgen's, its marker last: a kill in the middle leaves it marked, so the
/// next build still knows it may delete the rest.
pub(super) fn remove_tree(dir: &Path) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == MARKER {
            continue;
        }
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())?;
        } else {
            std::fs::remove_file(entry.path())?;
        }
    }
    match std::fs::remove_file(dir.join(MARKER)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    std::fs::remove_dir(dir)
}

/// Removes a folder beside the output that kitgen left (it holds kitgen's marker, or nothing).
fn remove_ours(dir: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
        Ok(m) if m.is_dir() && (dir.join(MARKER).is_file() || super::is_empty_dir(dir)) => remove_tree(dir),
        Ok(_) => Err(io::Error::other(format!(
            "{} is in the way and was not made by kitgen: move it elsewhere",
            dir.display()
        ))),
    }
}

/// Swaps two folders in one step (Linux `renameat2(RENAME_EXCHANGE)`).
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = (a, b);
        Err(io::Error::new(io::ErrorKind::Unsupported, "no atomic exchange here"))
    }
}

/// Whether two paths are the same file (hard links to one inode).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::symlink_metadata(a), std::fs::symlink_metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

/// Makes `to` the file `from` is: a hard link (a copy with the same modification time where
/// the file system has none), replacing what was at `to`.
fn link_over(from: &Path, to: &Path) -> io::Result<()> {
    if same_file(from, to) {
        return Ok(());
    }
    if let Some(parent) = to.parent() {
        make_dirs(parent)?;
    }
    if std::fs::symlink_metadata(to).is_ok_and(|m| m.is_dir()) {
        std::fs::remove_dir_all(to)?;
    }
    let tmp = temp_of(to);
    let _ = std::fs::remove_file(&tmp);
    link_or_copy(from, &tmp)?;
    std::fs::rename(&tmp, to)
}

fn link_or_copy(from: &Path, to: &Path) -> io::Result<()> {
    let meta = std::fs::symlink_metadata(from)?;
    #[cfg(unix)]
    if meta.file_type().is_symlink() {
        return std::os::unix::fs::symlink(std::fs::read_link(from)?, to);
    }
    if std::fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    std::fs::copy(from, to)?;
    let f = std::fs::File::options().write(true).open(to)?;
    f.set_modified(meta.modified()?)?;
    Ok(())
}

/// The temporary name a file is written under before it replaces `path`.
pub(super) fn temp_of(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".kitgen-tmp");
    path.with_file_name(name)
}

/// Creates `dir` and its parents, replacing files in the way (an output that became a folder).
/// Says whether `dir` was made by this call or another of the same build (so it holds only
/// what this build wrote there) rather than found: most calls of a cold build make one new
/// folder, in one system call.
pub(super) fn make_dirs(dir: &Path) -> io::Result<bool> {
    match std::fs::create_dir(dir) {
        Ok(()) => return Ok(true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => return Ok(false),
        // A parent is missing, or a file is in the way.
        Err(_) => {}
    }
    let mut cur = dir.to_path_buf();
    loop {
        if std::fs::symlink_metadata(&cur).is_ok_and(|m| !m.is_dir()) {
            std::fs::remove_file(&cur)?;
            break;
        }
        if !cur.pop() || cur.as_os_str().is_empty() {
            break;
        }
        if cur.is_dir() {
            break;
        }
    }
    std::fs::create_dir_all(dir)?;
    Ok(true)
}

impl Mirror {
    /// The mirror of the output folder `target` (symlinks resolved). Restores the old tree a
    /// killed fallback swap left beside, and says whether the mirror can be trusted.
    pub(super) fn open(target: &Path) -> io::Result<Mirror> {
        let parent = target.parent().ok_or_else(|| io::Error::other("the output folder has no parent"))?;
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::other("the output folder has no name"))?
            .to_string_lossy();
        let path = parent.join(format!(".{name}.kitgen-mirror"));
        let old = parent.join(format!(".{name}.kitgen-old"));
        // Killed between the renames of the fallback swap: the old tree is beside, put it back.
        if !target.exists() && old.join(MARKER).is_file() {
            std::fs::rename(&old, target)?;
        }
        remove_ours(&old)?;
        let ours = read_marker(target);
        let generation = ours.and_then(|(g, _)| g).unwrap_or(0);
        let mirror = read_marker(&path);
        let valid = target.is_dir()
            && ours.is_some_and(|(g, _)| g.is_some())
            && mirror.is_some_and(|(g, _)| g == ours.and_then(|(g, _)| g));
        if !valid && std::fs::symlink_metadata(&path).is_ok() {
            remove_ours(&path)?;
        }
        // The folder that holds the output must take one more folder: find out now.
        std::fs::create_dir_all(parent)?;
        if !valid {
            let probe = parent.join(format!(".{name}.kitgen-probe"));
            std::fs::create_dir(&probe)
                .or_else(|e| if e.kind() == io::ErrorKind::AlreadyExists { Ok(()) } else { Err(e) })?;
            std::fs::remove_dir(&probe)?;
        }
        Ok(Mirror { target: target.to_path_buf(), path, old, generation, valid, prepared: false })
    }

    /// Makes the mirror ready for this build's changes: marked dirty, and made again from the
    /// output (hard links) when it could not be trusted.
    pub(super) fn prepare(&mut self) -> io::Result<()> {
        if self.prepared {
            return Ok(());
        }
        if self.valid {
            write_marker(&self.path, None, 0)?;
        } else {
            remove_ours(&self.path)?;
            std::fs::create_dir(&self.path)?;
            // The marker first: whatever happens next, the folder is known to be kitgen's.
            write_marker(&self.path, None, 0)?;
            if self.target.is_dir() {
                self.copy_tree()?;
            }
        }
        self.prepared = true;
        Ok(())
    }

    /// The mirror made from the output: its folders, then hard links to its files.
    fn copy_tree(&self) -> io::Result<()> {
        let mut files = Vec::new();
        for entry in walkdir::WalkDir::new(&self.target).min_depth(1).follow_links(false).sort_by_file_name()
        {
            let entry = entry.map_err(io::Error::other)?;
            let rel = entry.path().strip_prefix(&self.target).map_err(io::Error::other)?.to_path_buf();
            if entry.file_type().is_dir() {
                std::fs::create_dir(self.path.join(&rel))?;
            } else if rel != Path::new(MARKER) {
                files.push(rel);
            }
        }
        files.par_iter().try_for_each(|rel| link_or_copy(&self.target.join(rel), &self.path.join(rel)))
    }

    /// The mirror's path of an output.
    pub(super) fn file(&self, rel: &str) -> PathBuf {
        self.path.join(rel)
    }

    /// Publishes: `removed` (files of the output the build no longer has) go from the mirror,
    /// the `kept` files of the output are brought over, the trees are swapped, and the new
    /// mirror gets the same changes. `written` are the outputs written into the mirror.
    pub(super) fn publish(
        mut self,
        written: &[String],
        removed: &[String],
        kept: &[String],
        keep: &Keep,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<(), super::CommitError> {
        self.prepare()?;
        for rel in removed {
            remove_file(&self.path, rel)?;
        }
        // Kept files the output has (a deploy repository moves on by itself) and no longer has.
        for rel in kept {
            link_over(&self.target.join(rel), &self.path.join(rel))?;
        }
        let had_kept = read_marker(&self.target).is_none_or(|(_, k)| k > 0);
        if had_kept || !kept.is_empty() {
            let in_output: BTreeSet<&str> = kept.iter().map(String::as_str).collect();
            for rel in kept_files(&self.path, keep)? {
                if !in_output.contains(rel.as_str()) {
                    remove_file(&self.path, &rel)?;
                }
            }
        }
        let next = self.generation + 1;
        write_marker(&self.path, Some(next), kept.len())?;
        if interrupted() {
            // The mirror says it is not the output: the next build makes it again.
            let _ = write_marker(&self.path, None, 0);
            return Err(super::CommitError::Interrupted);
        }
        if !self.target.exists() {
            std::fs::rename(&self.path, &self.target)?;
            return Ok(());
        }
        if exchange(&self.target, &self.path).is_err() {
            std::fs::rename(&self.target, &self.old)?;
            if let Err(e) = std::fs::rename(&self.path, &self.target) {
                let _ = std::fs::rename(&self.old, &self.target);
                return Err(e.into());
            }
            std::fs::rename(&self.old, &self.path)?;
        }
        // The old tree is the mirror now: the same changes make it the new tree again. If this
        // fails or is stopped, its generation says so and the next build makes it again.
        let _ = self.sync(written, removed, next, kept.len());
        Ok(())
    }

    fn sync(
        &mut self,
        written: &[String],
        removed: &[String],
        generation: u64,
        kept: usize,
    ) -> io::Result<()> {
        write_marker(&self.path, None, 0)?;
        for rel in removed {
            remove_file(&self.path, rel)?;
        }
        written.par_iter().try_for_each(|rel| link_over(&self.target.join(rel), &self.path.join(rel)))?;
        write_marker(&self.path, Some(generation), kept)
    }
}

/// The files under `root` that `keep` keeps.
pub(super) fn kept_files(root: &Path, keep: &Keep) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root).min_depth(1).follow_links(false).sort_by_file_name() {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_dir() {
            continue;
        }
        if let Some(rel) = entry.path().strip_prefix(root).ok().and_then(|r| r.to_str()) {
            let rel = rel.replace('\\', "/");
            if rel != MARKER && keep.keeps(&rel) {
                out.push(rel);
            }
        }
    }
    Ok(out)
}

fn remove_file(root: &Path, rel: &str) -> io::Result<()> {
    let path = root.join(rel);
    match std::fs::remove_file(&path) {
        Ok(()) => {
            remove_empty_parents(root, &path);
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn make_dirs_says_whether_it_made_the_folder_and_clears_files_in_the_way() {
        let t = tempfile::tempdir().unwrap();
        let deep = t.path().join("fr/communes/x");
        assert!(make_dirs(&deep).unwrap(), "parents missing: made");
        assert!(!make_dirs(&deep).unwrap(), "found");
        assert!(make_dirs(&t.path().join("fr/communes/y")).unwrap(), "made in one call");
        std::fs::write(t.path().join("fr/page"), "an output that became a folder").unwrap();
        let below = t.path().join("fr/page/sub");
        assert!(make_dirs(&below).unwrap());
        assert!(below.is_dir());
    }
}
