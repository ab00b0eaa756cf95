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

use crate::diag::Diagnostic;
use crate::incremental::{self, Inputs, Interner};
use crate::pipeline::Cache;
use crate::pipeline::{self, BuildError, BuildOptions, Prepared};
use crate::plan::{Generated, Output, Plan};
use crate::render::{RenderOptions, Renderer};
use crate::write::index::OutputIndex;
use crate::write::{Removal, Writer};

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
}

impl Rebuilt {
    /// The stylesheets written, when they are the only change (empty when nothing changed:
    /// open pages then stay as they are); `None` when pages must reload.
    pub fn css_only(&self) -> Option<Vec<String>> {
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
    cache: Cache,
    interner: Interner,
    slots: Vec<Slot>,
    slot_of: FxHashMap<String, u32>,
    /// Dependency id → slots that read it (may hold stale entries, checked by fingerprint).
    readers: Vec<Vec<u32>>,
    versions: Vec<u64>,
    /// Paths of the content's own outputs, and the generated outputs, of the last good build.
    own: FxHashSet<String>,
    generated: Option<Arc<Generated>>,
    /// What is on disk in the output folder (loaded once, saved after the first build).
    index: Option<OutputIndex>,
}

impl Session {
    /// A session building `opts.root` into `opts.output` (serve mode).
    pub fn new(opts: BuildOptions) -> Session {
        Session {
            opts,
            cache: Cache::default(),
            interner: Interner::default(),
            slots: Vec::new(),
            slot_of: FxHashMap::default(),
            readers: Vec::new(),
            versions: Vec::new(),
            own: FxHashSet::default(),
            generated: None,
            index: None,
        }
    }

    /// The output folder.
    pub fn output(&self) -> &PathBuf {
        &self.opts.output
    }

    /// Which outputs to render, and which paths vanished.
    fn changes<'p>(&self, plan: &'p Plan, versions: &[u64]) -> (Vec<&'p Output>, Vec<String>) {
        let same_generated = self.generated.as_ref().is_some_and(|g| Arc::ptr_eq(g, &plan.generated));
        let own_now: FxHashMap<&str, &'p Output> = plan.own.iter().map(|o| (o.path.as_str(), o)).collect();
        let lookup = |path: &str| -> Option<&'p Output> {
            own_now
                .get(path)
                .copied()
                .or_else(|| plan.generated.by_path.get(path).map(|&i| &plan.generated.outputs[i]))
        };
        let mut todo: FxHashSet<&'p str> = FxHashSet::default();
        // Outputs that read an input whose version moved.
        for (id, (&old, &new)) in self.versions.iter().zip(versions).enumerate() {
            if old != new {
                for &slot in &self.readers[id] {
                    let s = &self.slots[slot as usize];
                    if incremental::fingerprint(&s.deps, versions) != s.fingerprint {
                        if let Some(o) = lookup(&s.path) {
                            todo.insert(&o.path);
                        }
                    }
                }
            }
        }
        // New outputs.
        let mut new_paths: Vec<&'p Output> =
            plan.own.iter().filter(|o| !self.slot_of.contains_key(&o.path)).collect();
        if !same_generated {
            new_paths.extend(plan.generated.outputs.iter().filter(|o| !self.slot_of.contains_key(&o.path)));
        }
        for o in new_paths {
            todo.insert(&o.path);
        }
        // Vanished outputs.
        let mut removed: Vec<String> = self
            .own
            .iter()
            .filter(|p| !own_now.contains_key(p.as_str()) && !plan.generated.by_path.contains_key(*p))
            .cloned()
            .collect();
        if let (false, Some(old)) = (same_generated, &self.generated) {
            removed.extend(
                old.outputs
                    .iter()
                    .filter(|o| {
                        !plan.generated.by_path.contains_key(&o.path)
                            && !own_now.contains_key(o.path.as_str())
                    })
                    .map(|o| o.path.clone()),
            );
        }
        removed.sort();
        let mut todo: Vec<&'p Output> = todo.into_iter().filter_map(lookup).collect();
        todo.sort_by(|a, b| a.path.cmp(&b.path));
        (todo, removed)
    }

    /// Rebuilds after `changed` files changed. `full` forgets everything first (the
    /// configuration changed). On error the previous output stays as it was.
    pub fn rebuild(&mut self, changed: &HashSet<PathBuf>, full: bool) -> Result<Rebuilt, BuildError> {
        let start = Instant::now();
        if full {
            let index = self.index.take();
            *self = Session::new(self.opts.clone());
            self.index = index;
        }
        self.cache.invalidate(changed);
        let Prepared { site, templates, assets, plan, mut diagnostics, mut timings } =
            pipeline::prepare_with(&self.opts, Some(&self.cache))?;
        let mut t = Instant::now();
        let mut lap = |name: &'static str, timings: &mut Vec<(&'static str, f64)>| {
            timings.push((name, t.elapsed().as_secs_f64()));
            t = Instant::now();
        };
        let renderer = Renderer::new(
            site.clone(),
            templates.clone(),
            assets.clone(),
            &plan,
            RenderOptions { serve: true },
            &mut diagnostics,
        );
        pipeline::fail_on(&mut diagnostics, self.opts.strict)?;
        lap("templates", &mut timings);

        let inputs = Inputs { site: &site, templates: &templates, assets: &assets };
        let versions = incremental::versions(&inputs, self.interner.all());
        lap("versions", &mut timings);
        let (todo, removed) = if self.slots.is_empty() {
            (plan.outputs().collect(), Vec::new())
        } else {
            self.changes(&plan, &versions)
        };
        lap("compare", &mut timings);

        let first = self.index.is_none();
        let index = self
            .index
            .take()
            .unwrap_or_else(|| OutputIndex::load(&self.opts.output, self.opts.cache_dir.as_deref()));
        let writer = Writer::open(&self.opts.output, index)
            .map_err(|e| BuildError::Io(format!("cannot write to {}: {e}", self.opts.output.display())))?;
        let bar = pipeline::progress_bar(self.opts.progress && todo.len() > 2000, todo.len() as u64);
        let (deps, errors, io_error) = pipeline::render_all(&renderer, &todo, &writer, &bar);
        bar.finish_and_clear();
        if let Some(msg) = io_error {
            self.index = Some(writer.abort());
            return Err(BuildError::Io(msg));
        }
        diagnostics.extend(errors);
        lap("render", &mut timings);
        if let Err(e) = pipeline::fail_on(&mut diagnostics, self.opts.strict) {
            self.index = Some(writer.abort());
            return Err(e);
        }

        let (stats, index) = if self.slots.is_empty() {
            // The first build of a session scans the folder for leftovers of an earlier one.
            let produced: HashSet<&str> = plan.outputs().map(|o| o.path.as_str()).collect();
            writer.commit(Removal::Scan(&produced))
        } else {
            writer.commit(Removal::Known(&removed))
        }
        .map_err(|e| BuildError::Io(format!("cannot write to {}: {e}", self.opts.output.display())))?;
        if first {
            // Saved once: a later restart finds most files as this build left them.
            index.save();
        }
        self.index = Some(index);
        lap("write", &mut timings);

        self.remember(&todo, deps, &removed, versions, &inputs);
        self.own = plan.own.iter().map(|o| o.path.clone()).collect();
        self.generated = Some(plan.generated.clone());
        lap("remember", &mut timings);
        Ok(Rebuilt {
            rendered: todo.len(),
            outputs: plan.len(),
            written: stats.written_paths,
            removed: stats.removed,
            warnings: diagnostics,
            seconds: start.elapsed().as_secs_f64(),
            timings,
        })
    }

    /// Records what each rendered output read, with the versions of now.
    fn remember(
        &mut self,
        rendered: &[&Output],
        deps: Vec<Vec<crate::deps::Dep>>,
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
        for (out, ids) in rendered.iter().zip(ids) {
            let fingerprint = incremental::fingerprint(&ids, &versions);
            let slot = match self.slot_of.get(&out.path) {
                Some(&s) => s,
                None => {
                    let s = self.slots.len() as u32;
                    self.slots.push(Slot { path: out.path.clone(), deps: Vec::new(), fingerprint: 0 });
                    self.slot_of.insert(out.path.clone(), s);
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
