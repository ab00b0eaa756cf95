//! Output families: one module per kind of output.
//!
//! A family plans its outputs from the model (paths and typed jobs), renders one of them into an
//! [`Artifact`] with the render engines, and versions the inputs of its own that it records.
//! Content pages, the site's own files (language chooser, 404, robots, sitemaps), static
//! assets, commune pages, the commune lookup index, the site search's index, the open-data
//! downloads, posters, kits, books, news feeds, sharing cards, the static hosts' header files
//! and the offline copies are families;
//! adding one is a new module implementing [`Family`] and one line in [`Families::standard`].
//! A family renders only its own job type, so a job nothing renders cannot be written.
//!
//! Families of the second [`Wave`] are rendered after the first and read its outputs through
//! [`RenderCx::output`], which records the dependency: serve renders them again exactly when
//! an output they read changed. See "Adding an output family" in `docs/architecture.md`.

pub mod assets;
pub mod book;
pub mod communes;
pub mod content;
pub mod downloads;
pub mod feeds;
pub mod fulltext;
pub mod hosting;
pub mod kits;
pub mod offline;
pub mod posters;
pub mod search;
pub mod share;
pub mod site;

use std::any::Any;
use std::fmt;
use std::hash::Hash;
use std::marker::PhantomData;
use std::sync::Arc;

use crate::deps::{self, Dep, Input};
use crate::diag::Diagnostic;
use crate::load::outlines::Outlines;
use crate::load::statics::StaticFiles;
use crate::load::templates::TemplateSet;
use crate::model::{Page, Site};
use crate::plan::{FamilyId, FamilyPlan, OutputRef, Plan, Wave};
use crate::render::fonts::Fonts;
use crate::render::tera::Engine;
pub use crate::render::{Artifact, Kind, Links, RenderOptions};

/// What families plan from: the model and the loaded inputs that are not part of it.
pub struct Inputs {
    /// The site.
    pub site: Arc<Site>,
    /// Templates.
    pub templates: Arc<TemplateSet>,
    /// Static files as read.
    pub statics: Arc<StaticFiles>,
    /// The census map's outlines (sites with commune data).
    pub outlines: Option<Arc<Outlines>>,
    /// The fonts posters and PDFs are drawn with.
    pub fonts: Arc<Fonts>,
}

/// A page a family may add to: a content page, or a page another family generates.
#[derive(Debug, Clone, Copy)]
pub enum PageRef<'a> {
    /// A page or section of `content/`.
    Content(&'a Page),
    /// A commune's page.
    Commune {
        /// Language.
        lang: usize,
        /// The commune, by index in the reference list.
        index: usize,
    },
}

/// What a family's planning sees.
pub struct PlanCx<'a> {
    /// The site and the loaded inputs.
    pub inputs: &'a Inputs,
    /// Render options (fingerprints change asset paths).
    pub opts: &'a RenderOptions,
    /// The plans of the families registered before this one.
    pub earlier: &'a [Arc<FamilyPlan>],
    /// This family's id (to record its own inputs from template functions).
    pub family: FamilyId,
}

impl PlanCx<'_> {
    /// The site.
    pub fn site(&self) -> &Site {
        &self.inputs.site
    }
}

/// A family's plan: its state, its outputs with their jobs, what the sitemap lists.
pub struct Planned<J, S> {
    /// What the family prepared from the model for rendering (a map projection, an index).
    pub state: S,
    /// Output paths with their jobs.
    pub outputs: Vec<(String, J)>,
    /// Indexes of the outputs the sitemap lists, in order.
    pub sitemap: Vec<u32>,
    /// Problems found while planning.
    pub diagnostics: Vec<Diagnostic>,
}

impl<J, S> Planned<J, S> {
    /// A plan with these outputs and nothing in the sitemap.
    pub fn new(state: S, outputs: Vec<(String, J)>) -> Planned<J, S> {
        Planned { state, outputs, sitemap: Vec::new(), diagnostics: Vec::new() }
    }
}

/// An entry of the sitemap: the page's URL in every language (`None` where it is not
/// published), its own language and its date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapEntry {
    /// Language of this entry.
    pub lang: usize,
    /// Site-absolute URL per configured language.
    pub urls: Vec<Option<String>>,
    /// `lastmod`, `YYYY-MM-DD`.
    pub lastmod: Option<String>,
}

/// Reads outputs already rendered (by the first wave).
pub trait Outputs: Sync {
    /// The bytes of an output, as written.
    fn read(&self, path: &str) -> Option<Vec<u8>>;
}

/// What rendering sees.
pub struct RenderCx<'a, F: ?Sized> {
    /// The site.
    pub site: &'a Site,
    /// The template engine.
    pub engine: &'a Engine,
    /// Every output.
    pub plan: &'a Plan,
    /// The registered families.
    pub families: &'a Families,
    /// Render options.
    pub opts: &'a RenderOptions,
    outputs: &'a dyn Outputs,
    family: FamilyId,
    _f: PhantomData<fn(&F)>,
}

impl<F: Family + ?Sized> RenderCx<'_, F> {
    /// Records that the output being rendered read one of this family's inputs.
    pub fn record(&self, input: F::Input) {
        if deps::recording_now() {
            deps::record(Dep::Family(self.family, Input::new(input)));
        }
    }

    /// The bytes of a first-wave output, recording that this output read it.
    pub fn output(&self, path: &str) -> Option<Vec<u8>> {
        deps::record(Dep::Output(Arc::from(path)));
        self.outputs.read(path)
    }

    /// This family's id.
    pub fn family(&self) -> FamilyId {
        self.family
    }
}

/// What versioning a family's inputs sees.
pub struct VersionCx<'a> {
    /// The site.
    pub site: &'a Site,
    /// Templates.
    pub templates: &'a TemplateSet,
}

/// One kind of output.
pub trait Family: Send + Sync + 'static {
    /// What one output is made from (a page id, a commune and a language, …).
    type Job: fmt::Debug + Send + Sync + 'static;
    /// What the family prepares once per plan and every render reads.
    type State: Send + Sync + 'static;
    /// The inputs of its own that it records (`()` for none): versioned by [`Family::version`].
    type Input: fmt::Debug + Clone + Eq + Hash + Ord + Send + Sync + 'static;

    /// Its name, for timings and messages.
    fn name(&self) -> &'static str;

    /// When its outputs are rendered.
    fn wave(&self) -> Wave {
        Wave::First
    }

    /// Where its outputs are rendered: rayon's pool, or plain threads for engines with a
    /// pool of their own (Typst) that must not run nested inside rayon's.
    fn executor(&self) -> Executor {
        Executor::Pool
    }

    /// In serve, a key of everything the plan depends on: an equal key reuses the last plan.
    /// `None` (the default) plans again on every rebuild.
    fn plan_key(&self, cx: &PlanCx<'_>) -> Option<u64> {
        let _ = cx;
        None
    }

    /// Prepares the state and lists the outputs, without I/O.
    fn plan(&self, cx: &PlanCx<'_>) -> Planned<Self::Job, Self::State>;

    /// Renders one output.
    fn render(
        &self,
        cx: &RenderCx<'_, Self>,
        state: &Self::State,
        job: &Self::Job,
    ) -> Result<Artifact, Diagnostic>;

    /// The version of one of its inputs (see [`RenderCx::record`]).
    fn version(&self, cx: &VersionCx<'_>, state: &Self::State, input: &Self::Input) -> u64 {
        let _ = (cx, state, input);
        0
    }

    /// The sitemap entry of one of its outputs listed in [`Planned::sitemap`].
    fn sitemap(&self, site: &Site, state: &Self::State, job: &Self::Job) -> Option<SitemapEntry> {
        let _ = (site, state, job);
        None
    }

    /// Says what an output is, for messages about it (a collision).
    fn describe(&self, site: &Site, state: &Self::State, job: &Self::Job) -> String {
        let _ = (site, state);
        format!("{} {job:?}", self.name())
    }

    /// Template functions that read the family's state (`asset()`), registered on the engine.
    fn template_functions(&self, state: &Arc<Self::State>, family: FamilyId, tera: &mut ::tera::Tera) {
        let _ = (state, family, tera);
    }

    /// Adds to the template context of a page (the communes section lists the census, a
    /// commune's page its posters).
    fn extend_page(
        &self,
        cx: &RenderCx<'_, Self>,
        state: &Self::State,
        page: PageRef<'_>,
        ctx: &mut ::tera::Context,
    ) {
        let _ = (cx, state, page, ctx);
    }
}

/// A family's jobs and state inside a [`FamilyPlan`].
struct Typed<F: Family> {
    jobs: Vec<F::Job>,
    state: Arc<F::State>,
}

/// Where a family's outputs are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Executor {
    /// Rayon's pool, with every other family.
    Pool,
    /// Plain threads pulling from a shared counter, after the pool's outputs.
    Threads,
}

/// What the registry needs of a family, without its types.
trait Erased: Send + Sync {
    fn name(&self) -> &'static str;
    fn executor(&self) -> Executor;
    fn plan_key(&self, cx: &PlanCx<'_>) -> Option<u64>;
    fn plan(&self, cx: &PlanCx<'_>) -> FamilyPlan;
    fn render(&self, cx: &Cx<'_>, plan: &FamilyPlan, index: usize) -> Result<Artifact, Diagnostic>;
    fn version(&self, cx: &VersionCx<'_>, plan: &FamilyPlan, input: &Input) -> u64;
    fn sitemap(&self, site: &Site, plan: &FamilyPlan, index: usize) -> Option<SitemapEntry>;
    fn describe(&self, site: &Site, plan: &FamilyPlan, index: usize) -> String;
    fn template_functions(&self, plan: &FamilyPlan, tera: &mut ::tera::Tera);
    fn extend_page(&self, cx: &Cx<'_>, plan: &FamilyPlan, page: PageRef<'_>, ctx: &mut ::tera::Context);
}

struct Entry<F>(F);

impl<F: Family> Entry<F> {
    fn typed<'p>(&self, plan: &'p FamilyPlan) -> &'p Typed<F> {
        plan.jobs.downcast_ref::<Typed<F>>().unwrap_or_else(|| {
            unreachable!("the plan of family `{}` holds another family's jobs", self.0.name())
        })
    }

    fn cx<'a>(&self, cx: &Cx<'a>, family: FamilyId) -> RenderCx<'a, F> {
        RenderCx {
            site: cx.site,
            engine: cx.engine,
            plan: cx.plan,
            families: cx.families,
            opts: cx.opts,
            outputs: cx.outputs,
            family,
            _f: PhantomData,
        }
    }
}

impl<F: Family> Erased for Entry<F> {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn executor(&self) -> Executor {
        self.0.executor()
    }
    fn plan_key(&self, cx: &PlanCx<'_>) -> Option<u64> {
        self.0.plan_key(cx)
    }
    fn plan(&self, cx: &PlanCx<'_>) -> FamilyPlan {
        let Planned { state, outputs, sitemap, diagnostics } = self.0.plan(cx);
        let (paths, jobs): (Vec<String>, Vec<F::Job>) = outputs.into_iter().unzip();
        let typed: Box<dyn Any + Send + Sync> = Box::new(Typed::<F> { jobs, state: Arc::new(state) });
        FamilyPlan::new(cx.family, self.0.name(), self.0.wave(), paths, sitemap, diagnostics, typed)
    }
    fn render(&self, cx: &Cx<'_>, plan: &FamilyPlan, index: usize) -> Result<Artifact, Diagnostic> {
        let t = self.typed(plan);
        self.0.render(&self.cx(cx, plan.family), &t.state, &t.jobs[index])
    }
    fn version(&self, cx: &VersionCx<'_>, plan: &FamilyPlan, input: &Input) -> u64 {
        match input.get::<F::Input>() {
            Some(i) => self.0.version(cx, &self.typed(plan).state, i),
            None => 0,
        }
    }
    fn sitemap(&self, site: &Site, plan: &FamilyPlan, index: usize) -> Option<SitemapEntry> {
        let t = self.typed(plan);
        self.0.sitemap(site, &t.state, &t.jobs[index])
    }
    fn describe(&self, site: &Site, plan: &FamilyPlan, index: usize) -> String {
        let t = self.typed(plan);
        self.0.describe(site, &t.state, &t.jobs[index])
    }
    fn template_functions(&self, plan: &FamilyPlan, tera: &mut ::tera::Tera) {
        self.0.template_functions(&self.typed(plan).state, plan.family, tera);
    }
    fn extend_page(&self, cx: &Cx<'_>, plan: &FamilyPlan, page: PageRef<'_>, ctx: &mut ::tera::Context) {
        self.0.extend_page(&self.cx(cx, plan.family), &self.typed(plan).state, page, ctx);
    }
}

/// What every render shares, whatever the family.
pub struct Cx<'a> {
    /// The site.
    pub site: &'a Site,
    /// The template engine.
    pub engine: &'a Engine,
    /// Every output.
    pub plan: &'a Plan,
    /// The registered families.
    pub families: &'a Families,
    /// Render options.
    pub opts: &'a RenderOptions,
    /// First-wave outputs, for the second wave.
    pub outputs: &'a dyn Outputs,
}

/// Given a family, its plan key and how to plan it, the plan to use (serve keeps the last one
/// while the key is the same).
pub type Reuse<'a> = dyn Fn(FamilyId, u64, &dyn Fn() -> FamilyPlan) -> Arc<FamilyPlan> + 'a;

/// The registered families, in order: planning follows it (a family sees the plans of those
/// before it), and so does the sitemap.
#[derive(Default)]
pub struct Families {
    list: Vec<Box<dyn Erased>>,
}

impl Families {
    /// Every family of kitgen.
    pub fn standard() -> Families {
        Families::default()
            .with(content::Content)
            .with(assets::Assets)
            .with(communes::Communes)
            .with(search::Search)
            .with(fulltext::FullText)
            .with(downloads::Downloads)
            .with(posters::Posters::default())
            .with(posters::packs::PosterPacks)
            .with(kits::Kits)
            .with(kits::packs::KitPacks)
            .with(book::Books)
            .with(feeds::Feeds)
            .with(share::Cards)
            .with(hosting::Hosting)
            .with(site::SiteFiles)
            .with(offline::Offline)
    }

    /// Adds a family after the others.
    pub fn with<F: Family>(mut self, family: F) -> Families {
        self.list.push(Box::new(Entry(family)));
        self
    }

    /// Number of families.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    fn get(&self, id: FamilyId) -> &dyn Erased {
        &*self.list[id.0 as usize]
    }

    /// The name of a family.
    pub fn name(&self, id: FamilyId) -> &'static str {
        self.get(id).name()
    }

    /// The names of every family, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.list.iter().map(|f| f.name()).collect()
    }

    /// Where a family's outputs are rendered.
    pub fn executor(&self, id: FamilyId) -> Executor {
        self.get(id).executor()
    }

    /// Plans every family in order. `reuse` gives, for a family and its plan key, the plan to
    /// reuse (serve) and is told about new ones.
    pub fn plan(&self, inputs: &Inputs, opts: &RenderOptions, reuse: &Reuse<'_>) -> Plan {
        let mut families: Vec<Arc<FamilyPlan>> = Vec::with_capacity(self.list.len());
        for (i, f) in self.list.iter().enumerate() {
            let id = FamilyId(i as u16);
            let cx = PlanCx { inputs, opts, earlier: &families, family: id };
            let plan = match f.plan_key(&cx) {
                Some(key) => reuse(id, key, &|| f.plan(&cx)),
                None => Arc::new(f.plan(&cx)),
            };
            families.push(plan);
        }
        Plan { families }
    }

    /// Renders one output.
    pub fn render(&self, cx: &Cx<'_>, out: OutputRef) -> Result<Artifact, Diagnostic> {
        self.get(out.family).render(cx, cx.plan.family(out.family), out.index as usize)
    }

    /// The version of a family's input.
    pub fn version(&self, cx: &VersionCx<'_>, plan: &Plan, family: FamilyId, input: &Input) -> u64 {
        if family.0 as usize >= self.list.len() {
            return 0;
        }
        self.get(family).version(cx, plan.family(family), input)
    }

    /// The sitemap entry of an output.
    pub fn sitemap(&self, site: &Site, plan: &Plan, out: OutputRef) -> Option<SitemapEntry> {
        self.get(out.family).sitemap(site, plan.family(out.family), out.index as usize)
    }

    /// Says what an output is.
    pub fn describe(&self, site: &Site, plan: &Plan, out: OutputRef) -> String {
        self.get(out.family).describe(site, plan.family(out.family), out.index as usize)
    }

    /// Registers every family's template functions.
    pub fn template_functions(&self, plan: &Plan, tera: &mut ::tera::Tera) {
        for (f, p) in self.list.iter().zip(&plan.families) {
            f.template_functions(p, tera);
        }
    }

    /// Lets every family add to a page's context.
    pub fn extend_page(&self, cx: &Cx<'_>, page: PageRef<'_>, ctx: &mut ::tera::Context) {
        for (f, p) in self.list.iter().zip(&cx.plan.families) {
            f.extend_page(cx, p, page, ctx);
        }
    }
}

impl<F: Family + ?Sized> RenderCx<'_, F> {
    /// The context every family's render shares, to call the registry (the sitemap lists the
    /// entries of every family, content pages let every family extend them).
    pub fn shared(&self) -> Cx<'_> {
        Cx {
            site: self.site,
            engine: self.engine,
            plan: self.plan,
            families: self.families,
            opts: self.opts,
            outputs: self.outputs,
        }
    }
}
