//! The build pipeline: `load → model → plan → render → write`, each stage timed.
//!
//! A library function the CLI, `kitgen serve` and the tests call alike. Every stage collects
//! diagnostics; the build stops before writing anything if one is an error (or a warning with
//! `--strict`), so a failed build never touches the previous output. Outputs go to a
//! [`Sink`]: the output folder for `kitgen build`, memory for tests and checks.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::cache::{FileCache, Memo, Stamp};
use crate::config::{Config, Overrides};
use crate::deps::{self, Dep};
use crate::diag::{self, Diagnostic, Severity};
use crate::family::{Cx, Executor, Families, Inputs, Outputs};
use crate::i18n::I18n;
use crate::load;
use crate::load::outlines::Outlines;
use crate::load::statics::StaticFile;
use crate::model::communes::{CommuneBase, CommuneData};
use crate::model::record::RecordFile;
use crate::model::source::SourcePage;
use crate::model::{self, Site};
use crate::plan::{Collisions, FamilyId, FamilyPlan, OutputRef, Plan, Wave};
use crate::render::fonts::Fonts;
use crate::render::html;
use crate::render::tera::Engine;
use crate::render::{Kind, RenderOptions};
use crate::write::index::{Key, OutputIndex};
use crate::write::{self, CommitError, Keep, MemorySink, Publish, Removal, Sink, Writer};

/// What to build and how.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Site root.
    pub root: PathBuf,
    /// Output folder.
    pub output: PathBuf,
    /// Command-line overrides of the configuration.
    pub overrides: Overrides,
    /// Warnings fail the build.
    pub strict: bool,
    /// How outputs are rendered. Its `minify` allows minification; the configuration (and
    /// `--no-minify`) decides.
    pub render: RenderOptions,
    /// Show a progress bar (on a terminal).
    pub progress: bool,
    /// Where the output index is kept (see [`crate::write::index`]); `None` keeps nothing.
    pub cache_dir: Option<PathBuf>,
}

/// A finished build.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    /// Warnings (and errors, for a failed build).
    pub diagnostics: Vec<Diagnostic>,
    /// Pages rendered.
    pub pages: usize,
    /// Files produced.
    pub files: usize,
    /// Bytes produced.
    pub bytes: u64,
    /// Files written (new or changed).
    pub written: usize,
    /// Stale files removed.
    pub removed: usize,
    /// The files removed, sorted.
    pub removed_paths: Vec<String>,
    /// Time per stage, in order.
    pub timings: Vec<(&'static str, f64)>,
    /// Where rendering spent its time, by family and kind of output.
    pub work: Vec<Work>,
    /// Nothing changed since the last build (same inputs, same kitgen, output intact): nothing
    /// was rendered or written.
    pub unchanged: bool,
}

/// The rendering time of one family's outputs of one kind (`KITGEN_TIMINGS=1`).
#[derive(Debug, Clone, PartialEq)]
pub struct Work {
    /// The family.
    pub family: &'static str,
    /// The kind of output.
    pub kind: Kind,
    /// How many outputs.
    pub outputs: usize,
    /// Thread time spent rendering, finishing and handing them to the sink, in seconds
    /// (summed over threads: on 2 cores it can reach twice the wall time).
    pub seconds: f64,
}

/// Outputs and thread time per (family, kind), gathered while rendering.
#[derive(Debug, Default)]
pub struct WorkTimes(HashMap<(FamilyId, Kind), (usize, f64)>);

impl WorkTimes {
    fn add(&mut self, family: FamilyId, kind: Kind, outputs: usize, seconds: f64) {
        let e = self.0.entry((family, kind)).or_default();
        e.0 += outputs;
        e.1 += seconds;
    }

    fn merge(&mut self, other: WorkTimes) {
        for ((f, kind), (n, secs)) in other.0 {
            self.add(f, kind, n, secs);
        }
    }

    /// The work per family and kind, longest first.
    pub fn report(&self, families: &Families) -> Vec<Work> {
        let mut v: Vec<Work> = self
            .0
            .iter()
            .map(|(&(f, kind), &(outputs, seconds))| Work {
                family: families.name(f),
                kind,
                outputs,
                seconds,
            })
            .collect();
        v.sort_by(|a, b| b.seconds.total_cmp(&a.seconds).then(a.family.cmp(b.family)));
        v
    }
}

/// Why a build failed; decides the exit code.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The configuration is invalid (exit 2).
    #[error("invalid configuration")]
    Config(Vec<Diagnostic>),
    /// The output folder was refused (exit 2).
    #[error("{0}")]
    Output(#[from] write::Refusal),
    /// Errors in the inputs (exit 1).
    #[error("the build failed")]
    Input(Vec<Diagnostic>),
    /// Reading or writing failed; the previous output is as it was (exit 3).
    #[error("{0}")]
    Io(String),
    /// Writing failed after part of the output was replaced (exit 3; only when kitgen could
    /// not publish by swapping folders).
    #[error("{0}")]
    Partial(String),
    /// Stopped by a signal; the previous output is as it was (exit 128 + the signal).
    #[error("interrupted by {}", crate::interrupt::name(*.0))]
    Interrupted(i32),
}

impl BuildError {
    /// The process exit code for this failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            BuildError::Input(_) => 1,
            BuildError::Config(_) | BuildError::Output(_) => 2,
            BuildError::Io(_) | BuildError::Partial(_) => 3,
            BuildError::Interrupted(sig) => crate::interrupt::exit_code(*sig),
        }
    }
}

/// The loaded, resolved site with its planned outputs, ready to render.
pub struct Prepared {
    /// The site.
    pub site: Arc<Site>,
    /// What the families planned from.
    pub inputs: Arc<Inputs>,
    /// Every output.
    pub plan: Plan,
    /// How outputs are rendered (minification as the configuration says).
    pub render: RenderOptions,
    /// Warnings so far.
    pub diagnostics: Vec<Diagnostic>,
    /// Time per stage.
    pub timings: Vec<(&'static str, f64)>,
}

/// Loads and resolves the site and plans its outputs. Problems are in `diagnostics`: the
/// caller decides when to stop, so template errors can be reported with content errors.
pub fn prepare(opts: &BuildOptions, families: &Families) -> Result<Prepared, BuildError> {
    prepare_with(opts, families, None)
}

/// [`prepare`], reusing what `cache` holds from a previous build (serve).
pub fn prepare_with(
    opts: &BuildOptions,
    families: &Families,
    cache: Option<&Cache>,
) -> Result<Prepared, BuildError> {
    let t = Instant::now();
    let config = Arc::new(Config::load(&opts.root, &opts.overrides).map_err(BuildError::Config)?);
    prepare_from(opts, families, cache, config, t)
}

/// [`prepare_with`] from a configuration already read (at `t`).
fn prepare_from(
    opts: &BuildOptions,
    families: &Families,
    cache: Option<&Cache>,
    config: Arc<Config>,
    t: Instant,
) -> Result<Prepared, BuildError> {
    let mut timings = Vec::new();
    let render = RenderOptions { minify: opts.render.minify && config.minify, ..opts.render };

    let mut diags = Vec::new();
    let (((sources, i18n), d1), ((templates, (statics, communes, (mut posters, kits), fonts)), d2)) =
        rayon::join(
            || {
                let mut d1 = Vec::new();
                let sources = load::content::load(&config, &mut d1, cache.map(|c| &c.content));
                let i18n = I18n::new(&config, &load::i18n::load(&config, &mut d1), &mut d1);
                ((sources, i18n), d1)
            },
            || {
                let mut d2 = Vec::new();
                let templates = load::templates::TemplateSet::load(&config, &mut d2);
                let statics = load::statics::load(&config, &mut d2, cache.map(|c| &c.statics));
                let communes = load_communes(&config, &mut d2, cache);
                let posters = (load::posters::load(&config, &mut d2), load::kits::load(&config, &mut d2));
                let font_files = load::fonts::load(&config, &mut d2, cache.map(|c| &c.font_files));
                let fonts = match cache {
                    Some(c) => c.fonts.get_or(font_files.version, || Arc::new(Fonts::new(&font_files))),
                    None => Arc::new(Fonts::new(&font_files)),
                };
                ((templates, (statics, communes, posters, fonts)), d2)
            },
        );
    diags.extend(d1);
    diags.extend(d2);
    timings.push(("load", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let mut built =
        model::build(config.clone(), Arc::new(i18n), &sources, cache.map(|c| &c.markdown), &mut diags);
    drop(sources);
    let mut outlines = None;
    if let Some((base, records, o)) = communes {
        let data = CommuneData::build(base, records, &mut diags);
        model::attach_communes(&mut built.site, data, &mut diags);
        diags.extend(o.diagnostics.iter().cloned());
        outlines = Some(o);
    }
    timings.push(("model", t.elapsed().as_secs_f64()));

    posters.sort_by(|a, b| a.meta.weight.cmp(&b.meta.weight).then_with(|| a.id.cmp(&b.id)));
    built.site.posters = posters;
    built.site.kits = kits;
    let t = Instant::now();
    let site = Arc::new(built.site);
    let inputs = Arc::new(Inputs {
        site: site.clone(),
        templates: Arc::new(templates),
        statics: Arc::new(statics),
        outlines,
        fonts,
    });
    let reuse = |id: FamilyId, key: u64, plan: &dyn Fn() -> FamilyPlan| match cache {
        Some(c) => {
            let mut plans = c.plans.lock().unwrap_or_else(|e| e.into_inner());
            match plans.get(&id) {
                Some((k, p)) if *k == key => p.clone(),
                _ => {
                    let p = Arc::new(plan());
                    plans.insert(id, (key, p.clone()));
                    p
                }
            }
        }
        None => Arc::new(plan()),
    };
    let plan = families.plan(&inputs, &render, &reuse);
    for f in &plan.families {
        diags.extend(f.diagnostics.iter().cloned());
    }
    let collisions = match cache {
        Some(c) => {
            let mut last = c.collisions.lock().unwrap_or_else(|e| e.into_inner());
            let found = plan.collisions_since(last.as_ref());
            *last = Some((plan.clone(), found.clone()));
            found
        }
        None => plan.collisions(),
    };
    for (a, b) in collisions {
        diags.push(
            Diagnostic::error(
                "K213",
                format!(
                    "two outputs are written to {}: {} and {}",
                    plan.path(b),
                    families.describe(&site, &plan, a),
                    families.describe(&site, &plan, b)
                ),
            )
            .hint("rename the static file or change the page's slug"),
        );
    }
    check_file_refs(&site, &plan, &mut diags);
    timings.push(("plan", t.elapsed().as_secs_f64()));

    Ok(Prepared { site, inputs, plan, render, diagnostics: diags, timings })
}

/// Links and images of the pages that name a local file no family produces.
fn check_file_refs(site: &Site, plan: &Plan, diags: &mut Vec<Diagnostic>) {
    for p in &site.pages {
        for f in &p.files {
            let found = model::file_target(&p.url, &f.url)
                .is_some_and(|t| plan.find(&t).is_some() || plan.find(&format!("{t}/index.html")).is_some());
            if !found {
                let mut d = f.missing.clone();
                if p.fallback_of.is_some() {
                    d = d.note(format!(
                        "on the `{}` page that shows this text ({})",
                        site.config.languages[p.lang].code, p.url
                    ));
                }
                diags.push(d);
            }
        }
    }
}

/// The reference indexes, records and map outlines, when the site has `data/communes-fr.json`
/// (or `.csv`).
fn load_communes(
    config: &Config,
    diags: &mut Vec<Diagnostic>,
    cache: Option<&Cache>,
) -> Option<(Arc<CommuneBase>, Vec<RecordFile>, Arc<Outlines>)> {
    let paths = load::communes::Paths::find(&config.root)?;
    let codes: Vec<String> = config.languages.iter().map(|l| l.code.clone()).collect();
    // The town halls too: a letter's address comes from them.
    let stamps: Vec<_> = [Some(&paths.communes), Some(&paths.departements), Some(&paths.regions)]
        .into_iter()
        .chain([paths.town_halls.as_ref()])
        .map(|p| p.and_then(|p| crate::cache::stamp(p)))
        .collect();
    let ((base, records), outlines) = rayon::join(
        || {
            rayon::join(
                || {
                    let mut d = Vec::new();
                    let load = |d: &mut Vec<Diagnostic>| {
                        Arc::new(CommuneBase::new(load::communes::load(&config.root, &paths, d)))
                    };
                    let base = match cache {
                        // Only a reference list without errors is kept: errors must be reported again.
                        Some(c) => {
                            let mut errors = Vec::new();
                            let base = c.communes.get_or(stamps, || load(&mut errors));
                            if !errors.is_empty() {
                                c.communes.clear();
                            }
                            d.extend(errors);
                            base
                        }
                        None => load(&mut d),
                    };
                    (base, d)
                },
                || {
                    let mut d = Vec::new();
                    let dir = config.root.join("data/records");
                    (load::records::load(&config.root, &dir, &codes, &mut d, cache.map(|c| &c.records)), d)
                },
            )
        },
        || load::outlines::load(&config.root, cache.map(|c| &c.outlines)),
    );
    diags.extend(base.1);
    diags.extend(records.1);
    Some((base.0, records.0, outlines))
}

pub(crate) fn fail_on(diags: &mut Vec<Diagnostic>, strict: bool) -> Result<(), BuildError> {
    diag::sort_dedup(diags);
    let failed =
        diags.iter().any(|d| d.severity == Severity::Error || (strict && d.severity == Severity::Warning));
    if failed {
        return Err(BuildError::Input(std::mem::take(diags)));
    }
    Ok(())
}

/// The template engine for a prepared site, with every family's template functions.
pub fn engine(prepared: &Prepared, families: &Families, diags: &mut Vec<Diagnostic>) -> Engine {
    Engine::new(
        prepared.site.clone(),
        prepared.inputs.templates.clone(),
        &|t| families.template_functions(&prepared.plan, t),
        prepared.render.live_reload,
        diags,
    )
}

/// Builds the site into the output folder.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    build_with(opts, &Families::standard())
}

/// [`build`] with another set of families.
pub fn build_with(opts: &BuildOptions, families: &Families) -> Result<BuildReport, BuildError> {
    // Nothing changed since the last build, which succeeded without a warning, and its output
    // is intact: there is nothing to render.
    let t = Instant::now();
    let config = Arc::new(Config::load(&opts.root, &opts.overrides).map_err(BuildError::Config)?);
    let fingerprint = load::fingerprint::of(&config, &(&opts.overrides, opts.render, families.names()));
    let index = OutputIndex::load(&opts.output, opts.cache_dir.as_deref());
    if let Some(mut report) = unchanged(opts, &index, &fingerprint) {
        report.timings.push(("unchanged", t.elapsed().as_secs_f64()));
        return Ok(report);
    }
    let prepared = prepare_from(opts, families, None, config, t)?;
    let t = Instant::now();
    let mut diagnostics = Vec::new();
    let engine = engine(&prepared, families, &mut diagnostics);
    let Prepared { site, plan, render, diagnostics: mut diags, mut timings, .. } = prepared;
    diags.append(&mut diagnostics);
    fail_on(&mut diags, opts.strict)?;
    timings.push(("templates", t.elapsed().as_secs_f64()));
    write::check_output_dir(&opts.root, &opts.output)?;

    let t = Instant::now();
    let keep = Keep::new(&site.config.output.keep).unwrap_or_default();
    let writer = Writer::open(&opts.output, index, Publish::Swap, keep)
        .map_err(|e| BuildError::Io(format!("cannot write to {}: {e}", opts.output.display())))?;
    if let Some(why) = writer.fallback() {
        diags.push(Diagnostic::warning("K702", why.to_string()).hint("give kitgen write access to the folder that holds the output folder, so it can publish every file at once"));
    }
    let bar = progress_bar(opts.progress, plan.len() as u64);
    let cx = Cx {
        site: &site,
        engine: &engine,
        plan: &plan,
        families,
        opts: &render,
        outputs: &SinkOutputs(&writer),
    };
    let rendered = render_waves(&cx, &writer, &bar);
    bar.finish_and_clear();
    timings.push(("render", t.elapsed().as_secs_f64()));
    if let Some(sig) = crate::interrupt::requested() {
        let _ = writer.abort();
        return Err(BuildError::Interrupted(sig));
    }
    if let Some(msg) = rendered.io_error {
        let _ = writer.abort();
        return Err(BuildError::Io(msg));
    }
    let work = rendered.work.report(families);
    diags.extend(rendered.errors);
    if let Err(e) = fail_on(&mut diags, opts.strict) {
        let _ = writer.abort();
        return Err(e);
    }

    let t = Instant::now();
    let produced: HashSet<&str> = plan.outputs().map(|(_, p)| p).collect();
    let interrupted = || crate::interrupt::requested().is_some();
    let (stats, index) = writer.commit(Removal::Scan(&produced), &interrupted).map_err(|e| match e {
        CommitError::Io(e) => BuildError::Io(format!("cannot write to {}: {e}", opts.output.display())),
        CommitError::Partial(e) => {
            BuildError::Partial(format!("cannot write to {}: {e}", opts.output.display()))
        }
        CommitError::Interrupted => BuildError::Interrupted(crate::interrupt::requested().unwrap_or(2)),
    })?;
    let mut index = index;
    // The next build may skip everything if nothing changes: only after a build that
    // reported nothing (warnings must be reported again) and whose inputs have settled.
    if diags.is_empty() && !fingerprint.recent {
        index.set_inputs(Some(Key(fingerprint.key)));
    }
    index.save();
    timings.push(("write", t.elapsed().as_secs_f64()));

    Ok(BuildReport {
        diagnostics: diags,
        pages: plan.outputs().filter(|(_, p)| p.ends_with(".html")).count(),
        files: stats.files,
        bytes: stats.bytes,
        written: stats.written,
        removed: stats.removed,
        removed_paths: stats.removed_paths,
        timings,
        work,
        unchanged: false,
    })
}

/// The report of a build that has nothing to do: the index holds the fingerprint of these
/// very inputs, and every output the last build wrote is still there, unchanged.
fn unchanged(
    opts: &BuildOptions,
    index: &OutputIndex,
    fingerprint: &load::fingerprint::Fingerprint,
) -> Option<BuildReport> {
    if fingerprint.recent || index.inputs() != Some(Key(fingerprint.key)) {
        return None;
    }
    let bytes = index.intact(&opts.output)?;
    Some(BuildReport {
        pages: index.paths().filter(|p| p.ends_with(".html")).count(),
        files: index.paths().count(),
        bytes,
        unchanged: true,
        ..BuildReport::default()
    })
}

/// Builds the whole site in memory: every output rendered, nothing written (tests).
pub fn build_in_memory(
    opts: &BuildOptions,
    families: &Families,
) -> Result<(BuildReport, MemorySink), BuildError> {
    let sink = MemorySink::new();
    let (report, _) = build_into(opts, families, &sink)?;
    Ok((report, sink))
}

/// Builds the whole site into `sink` (memory, or `kitgen check`'s analyser); nothing is
/// written to the output folder. Returns the report and the resolved site.
pub fn build_into(
    opts: &BuildOptions,
    families: &Families,
    sink: &dyn Sink,
) -> Result<(BuildReport, Arc<Site>), BuildError> {
    let prepared = prepare(opts, families)?;
    let t = Instant::now();
    let mut diagnostics = Vec::new();
    let engine = engine(&prepared, families, &mut diagnostics);
    let Prepared { site, plan, render, diagnostics: mut diags, mut timings, .. } = prepared;
    diags.append(&mut diagnostics);
    fail_on(&mut diags, opts.strict)?;
    timings.push(("templates", t.elapsed().as_secs_f64()));
    let t = Instant::now();
    let cx = Cx {
        site: &site,
        engine: &engine,
        plan: &plan,
        families,
        opts: &render,
        outputs: &SinkOutputs(sink),
    };
    let rendered = render_waves(&cx, sink, &indicatif::ProgressBar::hidden());
    timings.push(("render", t.elapsed().as_secs_f64()));
    if let Some(msg) = rendered.io_error {
        return Err(BuildError::Io(msg));
    }
    let work = rendered.work.report(families);
    diags.extend(rendered.errors);
    fail_on(&mut diags, opts.strict)?;
    let files = plan.outputs().count();
    let report = BuildReport {
        diagnostics: diags,
        pages: plan.outputs().filter(|(_, p)| p.ends_with(".html")).count(),
        files,
        bytes: 0,
        written: files,
        removed: 0,
        removed_paths: Vec::new(),
        timings,
        work,
        unchanged: false,
    };
    Ok((report, site))
}

/// The first-wave outputs a second-wave family reads, from the sink.
pub struct SinkOutputs<'a>(pub &'a dyn Sink);

impl Outputs for SinkOutputs<'_> {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        self.0.read(path)
    }
}

/// What rendering some outputs gave.
#[derive(Debug, Default)]
pub struct Rendered {
    /// What each output read (serve), in the order of the outputs.
    pub deps: Vec<Vec<Dep>>,
    /// Errors, one per distinct problem.
    pub errors: Vec<Diagnostic>,
    /// The first I/O error, which must abort the build.
    pub io_error: Option<String>,
    /// Thread time per family and kind of output.
    pub work: WorkTimes,
}

impl Rendered {
    /// Adds what another call of [`render_all`] rendered (its I/O error only if none yet).
    pub fn extend(&mut self, other: Rendered) {
        self.deps.extend(other.deps);
        self.errors.extend(other.errors);
        if self.io_error.is_none() {
            self.io_error = other.io_error;
        }
        self.work.merge(other.work);
    }
}

/// Renders every output: the first wave, then (from its outputs) the second.
fn render_waves(cx: &Cx<'_>, sink: &dyn Sink, bar: &indicatif::ProgressBar) -> Rendered {
    let mut all = Rendered::default();
    for wave in [Wave::First, Wave::Second] {
        let outputs: Vec<OutputRef> = cx.plan.wave(wave).map(|(o, _)| o).collect();
        if outputs.is_empty() {
            continue;
        }
        all.extend(render_all(cx, &outputs, sink, bar));
        if all.io_error.is_some() {
            break;
        }
    }
    all
}

/// Renders outputs in parallel and hands them to the sink, skipping the final minification of
/// outputs the sink already has.
pub fn render_all(
    cx: &Cx<'_>,
    outputs: &[OutputRef],
    sink: &dyn Sink,
    bar: &indicatif::ProgressBar,
) -> Rendered {
    let base_url = &cx.site.config.base_url;
    let clock = Mutex::new(WorkTimes::default());
    let one = |out: OutputRef| -> (Vec<Dep>, Result<(), Failure>) {
        if crate::interrupt::requested().is_some() {
            return (Vec::new(), Err(Failure::Interrupted));
        }
        let start = Instant::now();
        let mut kind = Kind::Other;
        let path = cx.plan.path(out);
        // Only serve rebuilds from what each output read: a build does not pay for recording.
        let (artifact, deps) = if cx.opts.record_deps {
            deps::recording(|| cx.families.render(cx, out))
        } else {
            (cx.families.render(cx, out), Vec::new())
        };
        bar.inc(1);
        let res = match artifact {
            Ok(a) => {
                kind = a.kind;
                let finished = html::finish(a, path, cx.opts, base_url);
                let key = Key::of(&finished.bytes, html::last_step(finished.minify));
                if sink.is_fresh(path, &key) {
                    Ok(())
                } else {
                    sink.put(path, &html::minified(finished), Some(key)).map_err(|e| {
                        Failure::Io(
                            Diagnostic::error("K701", format!("cannot write {path}: {e}"))
                                .hint("check free space and permissions of the output folder"),
                        )
                    })
                }
            }
            Err(d) => Err(Failure::Input(d)),
        };
        clock.lock().unwrap_or_else(|e| e.into_inner()).add(
            out.family,
            kind,
            1,
            start.elapsed().as_secs_f64(),
        );
        (deps, res)
    };
    // Most families render in rayon's pool; those with a pool of their own (Typst) on plain
    // threads afterwards. Results keep the order of `outputs`.
    let (pool, threads): (Vec<usize>, Vec<usize>) =
        (0..outputs.len()).partition(|&i| cx.families.executor(outputs[i].family) == Executor::Pool);
    type Outcome = (Vec<Dep>, Result<(), Failure>);
    let mut results: Vec<Option<Outcome>> = (0..outputs.len()).map(|_| None).collect();
    let done: Vec<(usize, Outcome)> = pool.par_iter().map(|&i| (i, one(outputs[i]))).collect();
    for (i, r) in done {
        results[i] = Some(r);
    }
    for (i, r) in on_threads(&threads, &|i| one(outputs[i])) {
        results[i] = Some(r);
    }
    let results: Vec<(Vec<Dep>, Result<(), Failure>)> =
        results.into_iter().map(|r| r.unwrap_or_else(|| (Vec::new(), Err(Failure::Interrupted)))).collect();
    let work = clock.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut rendered = Rendered { deps: Vec::with_capacity(results.len()), work, ..Rendered::default() };
    for (d, r) in results {
        rendered.deps.push(d);
        match r {
            Ok(()) => {}
            Err(Failure::Io(e)) => {
                rendered.io_error.get_or_insert(e.message.clone());
                rendered.errors.push(e);
            }
            Err(Failure::Input(e)) => rendered.errors.push(e),
            Err(Failure::Interrupted) => {}
        }
    }
    rendered.errors = diag::collapse_repeats(std::mem::take(&mut rendered.errors));
    rendered
}

/// Runs `f` on each index on plain threads (one per core, 64 MiB stacks) pulling from a
/// shared counter; the results come back with their index.
fn on_threads<R: Send>(items: &[usize], f: &(dyn Fn(usize) -> R + Sync)) -> Vec<(usize, R)> {
    if items.is_empty() {
        return Vec::new();
    }
    let n = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let out = std::sync::Mutex::new(Vec::with_capacity(items.len()));
    let work = || {
        let mut mine = Vec::new();
        loop {
            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(&i) = items.get(k) else { break };
            mine.push((i, f(i)));
        }
        out.lock().unwrap_or_else(|e| e.into_inner()).extend(mine);
    };
    std::thread::scope(|scope| {
        for _ in 0..n {
            if std::thread::Builder::new().stack_size(64 << 20).spawn_scoped(scope, work).is_err() {
                // No thread to be had: this one does the work.
                work();
            }
        }
    });
    out.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// Why an output was not produced.
enum Failure {
    /// A problem in the inputs.
    Input(Diagnostic),
    /// Writing failed: the build stops.
    Io(Diagnostic),
    /// A signal asked to stop: what is left is not rendered.
    Interrupted,
}

pub(crate) fn progress_bar(enabled: bool, len: u64) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !enabled || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} rendering {pos}/{len} [{bar:30}] {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Everything serve keeps between rebuilds.
#[derive(Default)]
pub struct Cache {
    /// Content pages.
    pub content: FileCache<Arc<SourcePage>>,
    /// Campaign records.
    pub records: FileCache<RecordFile>,
    /// Static files.
    pub statics: FileCache<StaticFile>,
    /// The commune reference indexes, by the stamps of the reference files.
    pub communes: Memo<Vec<Option<Stamp>>, Arc<CommuneBase>>,
    /// The map's outlines, by the stamp of their file.
    pub outlines: Memo<Option<Stamp>, Arc<Outlines>>,
    /// Font files.
    pub font_files: FileCache<Arc<Vec<u8>>>,
    /// The font database, by the version of the font files.
    pub fonts: Memo<u64, Arc<Fonts>>,
    /// Rendered Markdown.
    pub markdown: model::MdCache,
    /// The plans of families that give a plan key, with that key.
    pub plans: Mutex<FxHashMap<FamilyId, (u64, Arc<FamilyPlan>)>>,
    /// The last plan and the outputs of different families it wrote to the same path.
    pub collisions: Mutex<Option<(Plan, Collisions)>>,
}

impl Cache {
    /// Forgets files the watcher reported.
    pub fn invalidate(&self, changed: &HashSet<PathBuf>) {
        self.content.forget(changed);
        self.records.forget(changed);
        self.statics.forget(changed);
        self.font_files.forget(changed);
    }
}

/// Whether `KITGEN_TIMINGS` asks for the time of each stage (set, and not `0` or empty).
pub fn timings_wanted() -> bool {
    std::env::var_os("KITGEN_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0")
}
