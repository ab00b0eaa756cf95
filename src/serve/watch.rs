//! Watching the site's inputs with notify, debounced into batches of changed paths.
//!
//! Only the inputs are watched (`kitgen.yaml`, `content/`, `data/`, `i18n/`, `posters/`,
//! `kits/`, `themes/`, `templates/`, `static/`), never the output or `target/`. Editors save in
//! many steps (temporary file, rename, several events) and `git checkout` touches hundreds of
//! files: events are debounced, then gathered until the tree has been quiet for a moment, so
//! such a burst gives one rebuild (or a few, for a long one). When the system's watch limit is
//! reached, kitgen says how to raise it and falls back to polling.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

use notify::{PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, FileIdMap, NoCache, new_debouncer_opt};

use crate::load::files::is_ignored;
use crate::write::SOURCE_DIRS;

/// Folders of the site tree that are inputs.
pub const INPUT_DIRS: &[&str] =
    &["content", "data", "i18n", "posters", "kits", "themes", "templates", "static"];

/// A batch of changes.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ChangeSet {
    /// Changed input files (or folders).
    pub paths: HashSet<PathBuf>,
    /// `kitgen.yaml` changed: rebuild everything.
    pub config: bool,
}

/// The debouncer in use; dropping it stops watching.
enum Any {
    Native(Debouncer<RecommendedWatcher, FileIdMap>),
    Poll(Debouncer<PollWatcher, NoCache>),
}

/// A running watcher.
pub struct Watch {
    debouncer: Any,
    rx: Receiver<DebounceEventResult>,
    root: PathBuf,
    /// Said once, when kitgen had to fall back to polling.
    pub polling: bool,
}

/// How long an event waits for the ones that follow it (an editor's temporary file, rename
/// and write come within a millisecond).
const DEBOUNCE: Duration = Duration::from_millis(4);
/// How long the tree must be quiet before a batch is handed over. Short, because an editor
/// waits for it on every save; a burst that straddles it gives a second rebuild, and a file
/// read half-written is read again when its last write is reported.
const QUIET: Duration = Duration::from_millis(6);

impl Watch {
    /// Watches the inputs of the site at `root` (canonical).
    pub fn start(root: &Path) -> notify::Result<Watch> {
        let (tx, rx) = mpsc::channel();
        let native = {
            let tx = tx.clone();
            new_debouncer_opt::<_, RecommendedWatcher, FileIdMap>(
                DEBOUNCE,
                None,
                move |r| {
                    let _ = tx.send(r);
                },
                FileIdMap::new(),
                notify::Config::default(),
            )
        };
        let (debouncer, polling) = match native
            .and_then(|mut d| watch_all(|p, m| d.watch(p, m), root).map(|_| d))
        {
            Ok(d) => (Any::Native(d), false),
            Err(e) if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) || is_enospc(&e) => {
                eprintln!(
                    "kitgen: the system's limit of watched folders is reached; polling for changes instead (slower).\n  = fix: raise the limit, e.g. `sudo sysctl fs.inotify.max_user_watches=524288` (add it to /etc/sysctl.conf to keep it)"
                );
                let config = notify::Config::default().with_poll_interval(Duration::from_millis(500));
                let mut d = new_debouncer_opt::<_, PollWatcher, NoCache>(
                    DEBOUNCE,
                    None,
                    move |r| {
                        let _ = tx.send(r);
                    },
                    NoCache,
                    config,
                )?;
                watch_all(|p, m| d.watch(p, m), root)?;
                (Any::Poll(d), true)
            }
            Err(e) => return Err(e),
        };
        Ok(Watch { debouncer, rx, root: root.to_path_buf(), polling })
    }

    /// Waits for the next batch of relevant changes (`None` when the watcher stopped).
    pub fn next_changes(&mut self) -> Option<ChangeSet> {
        loop {
            let first = self.rx.recv().ok()?;
            let mut set = ChangeSet::default();
            self.absorb(first, &mut set);
            loop {
                match self.rx.recv_timeout(QUIET) {
                    Ok(more) => self.absorb(more, &mut set),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return None,
                }
            }
            // An input folder created at the root (say `static/`) is watched from now on.
            let root = self.root.clone();
            for p in &set.paths {
                if p.parent() == Some(root.as_path()) && p.is_dir() {
                    self.watch_folder(p);
                }
            }
            if set.config || !set.paths.is_empty() {
                return Some(set);
            }
        }
    }

    fn watch_folder(&mut self, p: &Path) {
        let r = match &mut self.debouncer {
            Any::Native(d) => d.watch(p, RecursiveMode::Recursive),
            Any::Poll(d) => d.watch(p, RecursiveMode::Recursive),
        };
        if let Err(e) = r {
            eprintln!("kitgen: cannot watch {}: {e}; restart `kitgen serve` to see its changes", p.display());
        }
    }

    fn absorb(&self, r: DebounceEventResult, set: &mut ChangeSet) {
        match r {
            Ok(events) => {
                for e in events {
                    // Reading a file (kitgen itself does, while building) is not a change.
                    if matches!(e.event.kind, notify::EventKind::Access(_)) {
                        continue;
                    }
                    for p in &e.event.paths {
                        classify(&self.root, p, set);
                    }
                }
            }
            Err(errors) => {
                for e in errors {
                    eprintln!("kitgen: watching: {e}");
                }
            }
        }
    }
}

fn is_enospc(e: &notify::Error) -> bool {
    matches!(&e.kind, notify::ErrorKind::Io(io) if io.raw_os_error() == Some(28))
}

fn watch_all(
    mut watch: impl FnMut(&Path, RecursiveMode) -> notify::Result<()>,
    root: &Path,
) -> notify::Result<()> {
    // The root itself, not recursively: kitgen.yaml, and input folders created later.
    watch(root, RecursiveMode::NonRecursive)?;
    for d in INPUT_DIRS {
        let p = root.join(d);
        if p.is_dir() {
            watch(&p, RecursiveMode::Recursive)?;
        }
    }
    Ok(())
}

/// Sorts one changed path into the change set, ignoring what is not an input.
pub fn classify(root: &Path, path: &Path, set: &mut ChangeSet) {
    let Ok(rel) = path.strip_prefix(root) else { return };
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned());
    let Some(first) = parts.next() else { return };
    if first == crate::config::CONFIG_FILE {
        set.config = true;
        return;
    }
    if !INPUT_DIRS.contains(&first.as_str()) && !SOURCE_DIRS.contains(&first.as_str()) {
        return;
    }
    if !INPUT_DIRS.contains(&first.as_str()) {
        return;
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if is_ignored(&name) {
        return;
    }
    // A new input folder at the root needs a full rebuild to be watched and read.
    if rel.components().count() == 1 {
        set.config = true;
    }
    set.paths.insert(path.to_path_buf());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inputs_count() {
        let root = Path::new("/site");
        let mut set = ChangeSet::default();
        for p in [
            "/site/public/fr/index.html",
            "/site/target/x",
            "/site/.git/index",
            "/site/content/fr/.a.md.swp",
            "/site/content/fr/a.md~",
            "/elsewhere/x",
        ] {
            classify(root, Path::new(p), &mut set);
        }
        assert_eq!(set, ChangeSet::default());
        classify(root, Path::new("/site/content/fr/a.md"), &mut set);
        classify(root, Path::new("/site/kitgen.yaml"), &mut set);
        assert!(set.config);
        assert_eq!(set.paths, HashSet::from([PathBuf::from("/site/content/fr/a.md")]));
    }

    /// `git checkout` touching 1,000 files, then an editor's save (temporary file + rename):
    /// the rebuild loop sees them in one batch, or two when the first rebuild starts mid-burst.
    #[test]
    fn a_burst_of_saves_gives_one_or_two_batches() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("content/fr")).unwrap();
        let mut watch = Watch::start(&root).unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            while let Some(set) = watch.next_changes() {
                if tx.send(set).is_err() {
                    break;
                }
                // What serve does next: a rebuild, during which events queue up.
                std::thread::sleep(Duration::from_millis(300));
            }
        });
        for i in 0..1000 {
            std::fs::write(root.join(format!("content/fr/p{i}.md")), "---\ntitle: x\n---\n").unwrap();
        }
        let tmp = root.join("content/fr/.p0.md.swp");
        std::fs::write(&tmp, "---\ntitle: y\n---\n").unwrap();
        std::fs::rename(&tmp, root.join("content/fr/p0.md")).unwrap();

        let mut batches = vec![rx.recv_timeout(Duration::from_secs(10)).expect("a batch")];
        while let Ok(b) = rx.recv_timeout(Duration::from_millis(1500)) {
            batches.push(b);
        }
        assert!(batches.len() <= 2, "{} batches", batches.len());
        let seen: HashSet<&PathBuf> = batches.iter().flat_map(|b| &b.paths).collect();
        assert_eq!(seen.len(), 1000, "every file once, no temporary file");
        assert!(seen.contains(&root.join("content/fr/p0.md")));
    }
}
