//! A serve session: the site kept between rebuilds, and the rebuild that renders only the
//! outputs whose inputs changed.
//!
//! The first rebuild renders everything and records what each output read. Later ones reload
//! what changed (see [`crate::cache`]), rebuild the model, compute the version of every input
//! ever read, and follow the inputs whose version moved to the outputs that read them (a
//! reverse index), so the work is proportional to the change, not to the 70,000 outputs. New
//! outputs are rendered, vanished ones deleted. The result is byte for byte what a clean build
//! gives (a test checks it).

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::deps::Dep;
use crate::diag::Diagnostic;
use crate::family::{Cx, Families};
use crate::incremental::{self, Inputs, Interner};
use crate::pipeline::{self, BuildError, BuildOptions, Cache, Prepared, Rendered, SinkOutputs};
use crate::plan::{OutputRef, Plan, Wave};
use crate::render::Kind;
use crate::write::index::{Key, OutputIndex};
use crate::write::{CommitError, Keep, Publish, Removal, Sink, WriteStats, Writer};

/// What one rebuild did.
#[derive(Debug, Clone, Default)]
pub struct Rebuilt {
    /// Outputs rendered (the others were unchanged).
    pub rendered: usize,
    /// Outputs in the site.
    pub outputs: usize,
    /// Files written.
    pub written: Vec<String>,
    /// Files removed.
    pub removed: usize,
    /// Warnings.
    pub warnings: Vec<Diagnostic>,
    /// Seconds.
    pub seconds: f64,
    /// Time per stage.
    pub timings: Vec<(&'static str, f64)>,
    /// When the pages were published first (see [`Session::rebuild_then`]): the files written
    /// after them (the first wave's downloads and the second wave).
    pub after_pages: Option<Vec<String>>,
}

impl Rebuilt {
    /// The stylesheets written, when they are the only change (empty when nothing changed:
    /// open pages then stay as they are); `None` when pages must reload.
    pub fn css_only(&self) -> Option<Vec<String>> {
        if let Some(after) = &self.after_pages {
            // Open pages reloaded when the pages were published; what came after is downloads
            // and indexes, which no open page shows, unless a page was among it.
            return (!after.iter().any(|p| p.ends_with(".html"))).then(Vec::new);
        }
        (self.removed == 0 && self.written.iter().all(|p| p.ends_with(".css")))
            .then(|| self.written.iter().map(|p| format!("/{p}")).collect())
    }
}

/// An output of the last good build: what it read, and its fingerprint then.
struct Slot {
    path: String,
    deps: Vec<u32>,
    fingerprint: u64,
}

/// The state kept between rebuilds.
pub struct Session {
    opts: BuildOptions,
    families: Families,
    cache: Cache,
    interner: Interner,
    slots: Vec<Slot>,
    slot_of: FxHashMap<String, u32>,
    /// Dependency id → slots that read it (may hold stale entries, checked by fingerprint).
    readers: Vec<Vec<u32>>,
    versions: Vec<u64>,
    /// The census key ([`incremental::census_key`]) of `versions`.
    census_key: Option<u64>,
    /// The plan of the last good build.
    last: Option<Plan>,
    /// What is on disk in the output folder (loaded once, saved after the first build).
    index: Option<OutputIndex>,
}

/// Whether an output is a download that takes long to make (a PDF, an image, a ZIP).
fn is_download(path: &str) -> bool {
    matches!(Kind::of_path(path), Kind::Pdf | Kind::Png | Kind::Zip)
}

/// The version of a second-wave dependency: the content key of the output it read.
fn key_version(k: Key) -> u64 {
    u64::from_le_bytes(k.0[..8].try_into().unwrap_or([0; 8]))
}

impl Session {
    /// A session building `opts.root` into `opts.output` (serve mode).
    pub fn new(opts: BuildOptions) -> Session {
        Session::with_families(opts, Families::standard())
    }

    /// A session with another set of families.
    pub fn with_families(opts: BuildOptions, families: Families) -> Session {
        Session {
            opts,
            families,
            cache: Cache::default(),
            interner: Interner::default(),
            slots: Vec::new(),
            slot_of: FxHashMap::default(),
            readers: Vec::new(),
            versions: Vec::new(),
            census_key: None,
            last: None,
            index: None,
        }
    }

    /// The output folder.
    pub fn output(&self) -> &PathBuf {
        &self.opts.output
    }

    /// The outputs of `wave` to render: those that read an input whose version moved, and new
    /// ones. A family whose plan is the one of the last build (serve reused it) has no new
    /// outputs and is not scanned.
    fn changes(&self, plan: &Plan, versions: &[u64], wave: Wave) -> Vec<OutputRef> {
        let mut todo: FxHashSet<OutputRef> = FxHashSet::default();
        for (id, (&old, &new)) in self.versions.iter().zip(versions).enumerate() {
            if old != new {
                for &slot in &self.readers[id] {
                    let s = &self.slots[slot as usize];
                    if incremental::fingerprint(&s.deps, versions) != s.fingerprint
                        && let Some(o) = plan.find(&s.path).filter(|o| plan.family(o.family).wave == wave)
                    {
                        todo.insert(o);
                    }
                }
            }
        }
        for f in plan.families.iter().filter(|f| f.wave == wave) {
            let same = self
                .last
                .as_ref()
                .and_then(|l| l.families.get(f.family.0 as usize))
                .is_some_and(|old| Arc::ptr_eq(old, f));
            if same {
                continue;
            }
            for (i, p) in f.paths.iter().enumerate() {
                if !self.slot_of.contains_key(p) {
                    todo.insert(OutputRef { family: f.family, index: i as u32 });
                }
            }
        }
        let mut todo: Vec<OutputRef> = todo.into_iter().collect();
        todo.sort_by(|a, b| plan.path(*a).cmp(plan.path(*b)));
        todo
    }

    /// The outputs of the last build that this plan no longer has.
    fn vanished(&self, plan: &Plan) -> Vec<String> {
        let Some(last) = &self.last else { return Vec::new() };
        let mut removed: Vec<String> = last
            .families
            .iter()
            .filter(|old| plan.families.get(old.family.0 as usize).is_none_or(|f| !Arc::ptr_eq(old, f)))
            .flat_map(|old| old.paths.iter())
            .filter(|p| plan.find(p).is_none())
            .cloned()
            .collect();
        removed.sort();
        removed.dedup();
        removed
    }

    /// Rebuilds after `changed` files changed. `full` forgets everything first (the
    /// configuration changed). On error the previous output stays as it was.
    pub fn rebuild(&mut self, changed: &HashSet<PathBuf>, full: bool) -> Result<Rebuilt, BuildError> {
        self.rebuild_then(changed, full, &mut |_| {})
    }

    /// [`Session::rebuild`], publishing the pages before rendering the PDFs, images and ZIPs
    /// and the second wave's outputs (search index, offline copy, packs: they read the pages),
    /// and telling `pages_published` what it wrote, so an edited chapter is served without
    /// waiting for the brochure's PDF. The first build of a session publishes all at once.
    /// An error after the pages were published leaves them published and everything else as
    /// it was: the session remembers nothing of the rebuild, and the next one renders it
    /// again.
    pub fn rebuild_then(
        &mut self,
        changed: &HashSet<PathBuf>,
        full: bool,
        pages_published: &mut dyn FnMut(&Rebuilt),
    ) -> Result<Rebuilt, BuildError> {
        let start = Instant::now();
        if full {
            let index = self.index.take();
            let families = std::mem::take(&mut self.families);
            *self = Session::with_families(self.opts.clone(), families);
            self.index = index;
        }
        self.cache.invalidate(changed);
        let prepared = pipeline::prepare_with(&self.opts, &self.families, Some(&self.cache))?;
        let mut t = Instant::now();
        let mut lap = |name: &'static str, timings: &mut Vec<(&'static str, f64)>| {
            timings.push((name, t.elapsed().as_secs_f64()));
            t = Instant::now();
        };
        let mut diagnostics = Vec::new();
        let engine = pipeline::engine(&prepared, &self.families, &mut diagnostics);
        let Prepared { site, inputs, plan, render, diagnostics: mut diags, mut timings } = prepared;
        diags.append(&mut diagnostics);
        let mut diagnostics = diags;
        pipeline::fail_on(&mut diagnostics, self.opts.strict)?;
        lap("templates", &mut timings);

        let first = self.index.is_none();
        let index = self
            .index
            .take()
            .unwrap_or_else(|| OutputIndex::load(&self.opts.output, self.opts.cache_dir.as_deref()));
        let open = |index| {
            Writer::open(&self.opts.output, index, Publish::InPlace, Keep::default())
                .map_err(|e| BuildError::Io(format!("cannot write to {}: {e}", self.opts.output.display())))
        };
        let commit_error = |e: CommitError| {
            let msg = format!("cannot write to {}: {e}", self.opts.output.display());
            match e {
                CommitError::Partial(_) => BuildError::Partial(msg),
                _ => BuildError::Io(msg),
            }
        };
        let mut writer = open(index)?;
        let removed = self.vanished(&plan);
        lap("writer", &mut timings);
        let render_into = |writer: &Writer, todo: &[OutputRef]| {
            let cx = Cx {
                site: &site,
                engine: &engine,
                plan: &plan,
                families: &self.families,
                opts: &render,
                outputs: &SinkOutputs(writer),
            };
            let bar = pipeline::progress_bar(self.opts.progress && todo.len() > 2000, todo.len() as u64);
            let r = pipeline::render_all(&cx, todo, writer, &bar);
            bar.finish_and_clear();
            r
        };
        let todo_of = |wave: Wave, versions: &[u64]| -> Vec<OutputRef> {
            if self.slots.is_empty() {
                plan.wave(wave).map(|(o, _)| o).collect()
            } else {
                self.changes(&plan, versions, wave)
            }
        };

        // Commune pages read 100,000 census inputs: their versions stay while the census does.
        let census = incremental::census_key(&site);
        let census_same = self.census_key == Some(census);
        let mut versions = {
            let output_key = |p: &str| writer.key(p).map(key_version);
            let vinputs = Inputs {
                site: &site,
                templates: &inputs.templates,
                plan: &plan,
                families: &self.families,
                output_key: &output_key,
            };
            incremental::versions_since(
                &vinputs,
                self.interner.all(),
                census_same.then_some(&self.versions[..]),
            )
        };
        lap("versions", &mut timings);

        // Pages first; PDFs, images and ZIPs (Typst and resvg take far longer than a page)
        // after the pages are published, except in the first build of a session.
        let (mut todo, slow): (Vec<OutputRef>, Vec<OutputRef>) = todo_of(Wave::First, &versions)
            .into_iter()
            .partition(|&o| self.slots.is_empty() || !is_download(plan.path(o)));
        let mut rendered = Rendered::default();
        if !todo.is_empty() {
            rendered = render_into(&writer, &todo);
        }
        // The outputs the second wave reads may have changed: their versions are keys.
        let output_versions = |versions: &mut Vec<u64>, writer: &Writer| {
            for (v, d) in versions.iter_mut().zip(self.interner.all()) {
                if let Dep::Output(p) = d {
                    *v = writer.key(p).map(key_version).unwrap_or(0);
                }
            }
        };
        let mut early: Option<WriteStats> = None;
        if rendered.io_error.is_none() {
            output_versions(&mut versions, &writer);
            // Known now only if no download of the first wave is still to come.
            let second_now = slow.is_empty().then(|| todo_of(Wave::Second, &versions));
            let more = second_now.as_ref().is_none_or(|s| !s.is_empty());
            // (Errors in the diagnostics have already stopped the rebuild.)
            let publish_first =
                more && !self.slots.is_empty() && !todo.is_empty() && rendered.errors.is_empty();
            if publish_first {
                let (stats, index) =
                    writer.commit(Removal::Known(&removed), &|| false).map_err(commit_error)?;
                lap("render", &mut timings);
                pages_published(&Rebuilt {
                    rendered: todo.len(),
                    outputs: plan.len(),
                    written: stats.written_paths.clone(),
                    removed: stats.removed,
                    warnings: Vec::new(),
                    seconds: start.elapsed().as_secs_f64(),
                    timings: timings.clone(),
                    after_pages: None,
                });
                early = Some(stats);
                writer = open(index)?;
            }
            if !slow.is_empty() {
                rendered.extend(render_into(&writer, &slow));
                todo.extend(slow);
                output_versions(&mut versions, &writer);
            }
            if rendered.io_error.is_none() {
                let second = second_now.unwrap_or_else(|| todo_of(Wave::Second, &versions));
                if !second.is_empty() {
                    rendered.extend(render_into(&writer, &second));
                    todo.extend(second);
                }
            }
        }
        let rendered_outputs = todo;
        if let Some(msg) = rendered.io_error {
            self.index = Some(writer.abort());
            return Err(BuildError::Io(msg));
        }
        diagnostics.extend(rendered.errors);
        lap(if early.is_some() { "downloads" } else { "render" }, &mut timings);
        if let Err(e) = pipeline::fail_on(&mut diagnostics, self.opts.strict) {
            self.index = Some(writer.abort());
            return Err(e);
        }

        let (stats, index) = if self.slots.is_empty() {
            // The first build of a session scans the folder for leftovers of an earlier one.
            let produced: HashSet<&str> = plan.outputs().map(|(_, p)| p).collect();
            writer.commit(Removal::Scan(&produced), &|| false)
        } else if early.is_some() {
            writer.commit(Removal::Known(&[]), &|| false)
        } else {
            writer.commit(Removal::Known(&removed), &|| false)
        }
        .map_err(commit_error)?;
        if first {
            // Saved once: a later restart finds most files as this build left them.
            index.save();
        }
        let keys = |p: &str| index.key(p).map(key_version);
        // `remember` needs the families to version inputs it sees for the first time.
        let families = std::mem::take(&mut self.families);
        let vinputs = Inputs {
            site: &site,
            templates: &inputs.templates,
            plan: &plan,
            families: &families,
            output_key: &keys,
        };
        let paths: Vec<&str> = rendered_outputs.iter().map(|&o| plan.path(o)).collect();
        self.remember(&paths, rendered.deps, &removed, versions, &vinputs);
        self.census_key = Some(census);
        self.families = families;
        self.index = Some(index);
        lap("write", &mut timings);
        let n = rendered_outputs.len();
        let outputs = plan.len();
        self.last = Some(plan);
        lap("remember", &mut timings);
        let (mut written, mut removed_n, after_pages) = match early {
            Some(e) => (e.written_paths, e.removed, Some(stats.written_paths.clone())),
            None => (Vec::new(), 0, None),
        };
        written.extend(stats.written_paths);
        removed_n += stats.removed;
        Ok(Rebuilt {
            rendered: n,
            outputs,
            written,
            removed: removed_n,
            warnings: diagnostics,
            seconds: start.elapsed().as_secs_f64(),
            timings,
            after_pages,
        })
    }

    /// Records what each rendered output read, with the versions of now.
    fn remember(
        &mut self,
        rendered: &[&str],
        deps: Vec<Vec<Dep>>,
        removed: &[String],
        mut versions: Vec<u64>,
        inputs: &Inputs<'_>,
    ) {
        let ids: Vec<Vec<u32>> = deps.iter().map(|d| self.interner.intern(d)).collect();
        if versions.len() < self.interner.all().len() {
            versions.extend(incremental::versions(inputs, &self.interner.all()[versions.len()..]));
        }
        self.readers.resize(self.interner.all().len(), Vec::new());
        for p in removed {
            if let Some(slot) = self.slot_of.remove(p) {
                // The slot stays (readers may point at it) but reads nothing any more.
                self.slots[slot as usize].deps.clear();
                self.slots[slot as usize].fingerprint = 0;
            }
        }
        for (path, ids) in rendered.iter().zip(ids) {
            let fingerprint = incremental::fingerprint(&ids, &versions);
            let slot = match self.slot_of.get(*path) {
                Some(&s) => s,
                None => {
                    let s = self.slots.len() as u32;
                    self.slots.push(Slot { path: path.to_string(), deps: Vec::new(), fingerprint: 0 });
                    self.slot_of.insert(path.to_string(), s);
                    s
                }
            };
            for &id in &ids {
                let readers = &mut self.readers[id as usize];
                if readers.last() != Some(&slot) {
                    readers.push(slot);
                }
            }
            self.slots[slot as usize].deps = ids;
            self.slots[slot as usize].fingerprint = fingerprint;
        }
        self.versions = versions;
        // Entries for outputs rendered again pile up: rebuild the reverse index when half of
        // it is stale.
        let live: usize = self.slots.iter().map(|s| s.deps.len()).sum();
        let total: usize = self.readers.iter().map(Vec::len).sum();
        if total > 2 * live + 1024 {
            self.readers.iter_mut().for_each(Vec::clear);
            for (i, s) in self.slots.iter().enumerate() {
                for &id in &s.deps {
                    self.readers[id as usize].push(i as u32);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Rebuilt;

    #[test]
    fn what_open_pages_are_told() {
        let r = |written: &[&str], removed| Rebuilt {
            written: written.iter().map(|s| s.to_string()).collect(),
            removed,
            ..Rebuilt::default()
        };
        assert_eq!(r(&[], 0).css_only(), Some(vec![]), "nothing changed: no reload");
        assert_eq!(r(&["css/site.css"], 0).css_only(), Some(vec!["/css/site.css".to_string()]));
        assert_eq!(r(&["css/site.css", "fr/index.html"], 0).css_only(), None);
        assert_eq!(r(&[], 1).css_only(), None, "a removed page reloads");
    }
}
