//! Dependencies: which inputs each output read.
//!
//! Every output records the inputs it used while it was rendered: the page it shows, the
//! templates, the interface strings of its language, the sections it lists… Template functions
//! record what they look up, so nothing has to be declared by hand. `kitgen serve` compares the
//! versions of those inputs after a change and re-renders only the outputs whose inputs changed.

use std::cell::RefCell;
use std::sync::Arc;

/// One input an output can depend on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dep {
    /// The configuration (a change rebuilds everything).
    Config,
    /// A template and what it extends or includes.
    Template(Arc<str>),
    /// Interface strings of a language (and its fallback).
    I18n(usize),
    /// A static file or fingerprinted asset, by output path.
    Asset(Arc<str>),
    /// A page's body and metadata: (language, rel).
    Page(usize, Arc<str>),
    /// A page's title, URL, date and summary, as other pages show them.
    Meta(usize, Arc<str>),
    /// The sorted list of a section's pages: (language, rel of `_index.md`).
    Children(usize, Arc<str>),
    /// The first `n` pages of a section: (language, rel of `_index.md`, n).
    Top(usize, Arc<str>, u32),
    /// Which pages come before and after a page in its section: (language, rel).
    Neighbours(usize, Arc<str>),
    /// Which languages a page exists in: rel.
    Translations(Arc<str>),
    /// A language's menu.
    Menu(usize),
    /// The list of every page URL and its translations (sitemap, language chooser).
    Urls,
    /// A data file (commune reference list, departements, …), by path.
    Data(Arc<str>),
    /// One campaign record, by INSEE code.
    Record(Arc<str>),
    /// Every campaign record (statistics, maps, indexes).
    Records,
    /// The records of a département's communes (codes and statuses), by département code.
    DepRecords(Arc<str>),
    /// The local groups of a département (the nearest group of a commune), by code.
    LocalGroups(Arc<str>),
}

thread_local! {
    static RECORDER: RefCell<Option<Vec<Dep>>> = const { RefCell::new(None) };
}

/// Records that the output being rendered on this thread read `dep`.
pub fn record(dep: Dep) {
    RECORDER.with(|r| {
        if let Some(v) = r.borrow_mut().as_mut() {
            v.push(dep);
        }
    });
}

/// Runs `f`, returning its result and the dependencies it recorded, sorted and unique.
pub fn recording<R>(f: impl FnOnce() -> R) -> (R, Vec<Dep>) {
    let previous = RECORDER.with(|r| r.borrow_mut().replace(Vec::new()));
    let result = f();
    let mut deps = RECORDER.with(|r| std::mem::replace(&mut *r.borrow_mut(), previous)).unwrap_or_default();
    deps.sort();
    deps.dedup();
    (result, deps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_only_inside_recording() {
        record(Dep::Config);
        let ((), deps) = recording(|| {
            record(Dep::Menu(1));
            record(Dep::Config);
            record(Dep::Menu(1));
        });
        assert_eq!(deps, [Dep::Config, Dep::Menu(1)]);
        let ((), deps) = recording(|| {});
        assert!(deps.is_empty());
    }
}
