//! The build pipeline: `load → model → plan → render → write`, each stage timed.
//!
//! A library function the CLI, `kitgen serve` and the tests call alike. Every stage collects
//! diagnostics; the build stops before writing anything if one is an error (or a warning with
//! `--strict`), so a failed build never touches the previous output.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::cache::{FileCache, Memo, Stamp};
use crate::config::{Config, Overrides};
use crate::deps::Dep;
use crate::diag::{self, Diagnostic, Severity};
use crate::i18n::I18n;
use crate::load;
use crate::load::content::SourcePage;
use crate::load::records::RecordFile;
use crate::model::communes::{CommuneBase, CommuneData};
use crate::model::{self, Site};
use crate::plan::{self, Generated, Output, Plan};
use crate::render::assets::Assets;
use crate::render::templates::TemplateSet;
use crate::render::{RenderOptions, Rendered, Renderer};
use crate::write::index::{Key, OutputIndex};
use crate::write::{self, Removal, Writer};

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
    /// Serve mode.
    pub serve: bool,
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
    /// Time per stage, in order.
    pub timings: Vec<(&'static str, f64)>,
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
    /// Reading or writing failed (exit 3).
    #[error("{0}")]
    Io(String),
}

impl BuildError {
    /// The process exit code for this failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            BuildError::Input(_) => 1,
            BuildError::Config(_) | BuildError::Output(_) => 2,
            BuildError::Io(_) => 3,
        }
    }
}

/// The loaded, resolved site with its templates and assets, ready to render.
pub struct Prepared {
    /// The site.
    pub site: Arc<Site>,
    /// Templates.
    pub templates: Arc<TemplateSet>,
    /// Static files.
    pub assets: Arc<Assets>,
    /// Every output.
    pub plan: Plan,
    /// Warnings so far.
    pub diagnostics: Vec<Diagnostic>,
    /// Time per stage.
    pub timings: Vec<(&'static str, f64)>,
}

/// Loads and resolves the site and plans its outputs. Problems are in `diagnostics`: the
/// caller decides when to stop, so template errors can be reported with content errors.
pub fn prepare(opts: &BuildOptions) -> Result<Prepared, BuildError> {
    prepare_with(opts, None)
}

/// [`prepare`], reusing what `cache` holds from a previous build (serve).
pub fn prepare_with(opts: &BuildOptions, cache: Option<&Cache>) -> Result<Prepared, BuildError> {
    let mut timings = Vec::new();
    let t = Instant::now();
    let config = Arc::new(Config::load(&opts.root, &opts.overrides).map_err(BuildError::Config)?);

    let mut diags = Vec::new();
    let (((sources, i18n), d1), ((templates, assets), d2)) = rayon::join(
        || {
            let mut d1 = Vec::new();
            let sources = load::content::load(&config, &mut d1, cache.map(|c| &c.content));
            let i18n = I18n::load(&config, &mut d1);
            ((sources, i18n), d1)
        },
        || {
            let mut d2 = Vec::new();
            let templates = TemplateSet::load(&config, &mut d2);
            let assets = Assets::load(&config, &mut d2, !opts.serve);
            let communes = load_communes(&config, &mut d2, cache);
            ((templates, (assets, communes)), d2)
        },
    );
    let (assets, communes) = assets;
    diags.extend(d1);
    diags.extend(d2);
    timings.push(("load", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let mut built =
        model::build(config.clone(), Arc::new(i18n), &sources, cache.map(|c| &c.markdown), &mut diags);
    drop(sources);
    if let Some((base, records)) = communes {
        let data = CommuneData::build(base, records, &mut diags);
        model::attach_communes(&mut built.site, data, &mut diags);
    }
    timings.push(("model", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let plan = plan::plan(&built.site, &assets, &templates, &mut diags, cache.map(|c| &c.plan));
    timings.push(("plan", t.elapsed().as_secs_f64()));

    Ok(Prepared {
        site: Arc::new(built.site),
        templates: Arc::new(templates),
        assets: Arc::new(assets),
        plan,
        diagnostics: diags,
        timings,
    })
}

/// The reference indexes and records, when the site has `data/communes-fr.json` (or `.csv`).
fn load_communes(
    config: &Config,
    diags: &mut Vec<Diagnostic>,
    cache: Option<&Cache>,
) -> Option<(Arc<CommuneBase>, Vec<RecordFile>)> {
    let paths = load::communes::Paths::find(&config.root)?;
    let codes: Vec<String> = config.languages.iter().map(|l| l.code.clone()).collect();
    let stamps: Vec<_> = [&paths.communes, &paths.departements, &paths.regions]
        .iter()
        .map(|p| crate::cache::stamp(p))
        .collect();
    let (base, records) = rayon::join(
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
    );
    diags.extend(base.1);
    diags.extend(records.1);
    Some((base.0, records.0))
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

/// Builds the site into the output folder.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let prepared = prepare(opts)?;
    let Prepared { site, templates, assets, plan, mut diagnostics, mut timings } = prepared;

    let t = Instant::now();
    let renderer = Renderer::new(
        site.clone(),
        templates,
        assets,
        &plan,
        RenderOptions { serve: opts.serve },
        &mut diagnostics,
    );
    fail_on(&mut diagnostics, opts.strict)?;
    timings.push(("templates", t.elapsed().as_secs_f64()));
    write::check_output_dir(&opts.root, &opts.output)?;

    let t = Instant::now();
    let writer = Writer::open(&opts.output, OutputIndex::load(&opts.output, opts.cache_dir.as_deref()))
        .map_err(|e| BuildError::Io(format!("cannot write to {}: {e}", opts.output.display())))?;
    let bar = progress_bar(opts.progress, plan.len() as u64);
    let all: Vec<&Output> = plan.outputs().collect();
    let (_, errors, io_error) = render_all(&renderer, &all, &writer, &bar);
    bar.finish_and_clear();
    timings.push(("render", t.elapsed().as_secs_f64()));
    if let Some(msg) = io_error {
        let _ = writer.abort();
        return Err(BuildError::Io(msg));
    }
    diagnostics.extend(errors);
    if let Err(e) = fail_on(&mut diagnostics, opts.strict) {
        let _ = writer.abort();
        return Err(e);
    }

    let t = Instant::now();
    let produced: HashSet<&str> = plan.outputs().map(|o| o.path.as_str()).collect();
    let (stats, index) = writer
        .commit(Removal::Scan(&produced))
        .map_err(|e| BuildError::Io(format!("cannot write to {}: {e}", opts.output.display())))?;
    index.save();
    timings.push(("write", t.elapsed().as_secs_f64()));

    let report = BuildReport {
        diagnostics,
        pages: plan.outputs().filter(|o| o.path.ends_with(".html")).count(),
        files: stats.files,
        bytes: stats.bytes,
        written: stats.written,
        removed: stats.removed,
        timings,
    };
    Ok(report)
}

/// Renders outputs in parallel and hands them to the writer, skipping the final
/// minification of outputs the writer already has. Returns what each output read, the errors,
/// and the first I/O error (which must abort the build).
pub fn render_all(
    renderer: &Renderer,
    outputs: &[&Output],
    writer: &Writer,
    bar: &indicatif::ProgressBar,
) -> (Vec<Vec<Dep>>, Vec<Diagnostic>, Option<String>) {
    let results: Vec<(Vec<Dep>, Result<(), Diagnostic>)> = outputs
        .par_iter()
        .map(|out| {
            let r = renderer.render(out);
            bar.inc(1);
            let res = match r.result {
                Ok(bytes) => {
                    let key = Key::of(&bytes, r.minify);
                    if writer.is_fresh(&out.path, &key) {
                        Ok(())
                    } else {
                        writer.put(&out.path, &Rendered::finish(bytes, r.minify), Some(key)).map_err(|e| {
                            Diagnostic::error("K701", format!("cannot write {}: {e}", out.path))
                                .hint("check free space and permissions of the output folder")
                        })
                    }
                }
                Err(d) => Err(d),
            };
            (r.deps, res)
        })
        .collect();
    let mut deps = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    let mut io_error = None;
    for (d, r) in results {
        deps.push(d);
        if let Err(e) = r {
            if e.code == "K701" {
                io_error.get_or_insert(e.message.clone());
            }
            errors.push(e);
        }
    }
    (deps, collapse_repeats(errors), io_error)
}

/// One template error repeated on 70,000 pages is one diagnostic with a count.
pub fn collapse_repeats(errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out: Vec<(Diagnostic, usize)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = Default::default();
    for e in errors {
        let key = format!("{}\0{}", e.location().unwrap_or_default(), e.message);
        match index.get(&key) {
            Some(&i) => out[i].1 += 1,
            None => {
                index.insert(key, out.len());
                out.push((e, 0));
            }
        }
    }
    out.into_iter()
        .map(|(d, n)| {
            if n > 0 {
                d.note(format!("and {n} more output{} with the same error", if n > 1 { "s" } else { "" }))
            } else {
                d
            }
        })
        .collect()
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
    /// The commune reference indexes, by the stamps of the reference files.
    pub communes: Memo<Vec<Option<Stamp>>, Arc<CommuneBase>>,
    /// Rendered Markdown.
    pub markdown: model::MdCache,
    /// Outputs generated from the commune data.
    pub plan: Memo<u64, Arc<Generated>>,
}

impl Cache {
    /// Forgets files the watcher reported.
    pub fn invalidate(&self, changed: &HashSet<PathBuf>) {
        self.content.forget(changed);
        self.records.forget(changed);
    }
}

/// Whether `KITGEN_TIMINGS` asks for the time of each stage (set, and not `0` or empty).
pub fn timings_wanted() -> bool {
    std::env::var_os("KITGEN_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0")
}
