//! Dependencies: which inputs each output read.
//!
//! Every output records the inputs it used while it was rendered: the page it shows, the
//! templates, the interface strings of its language, the census records it lists… Template
//! functions and families record what they look up, so nothing has to be declared by hand.
//! `kitgen serve` compares the versions of those inputs after a change and re-renders only the
//! outputs whose inputs changed (see [`crate::incremental`]).
//!
//! Keys are typed: the site's own inputs are variants of [`Dep`], the census's are
//! [`CensusDep`], a family's own inputs are its `Family::Input` type (wrapped in [`Input`] and
//! versioned by that family), and a second-wave output names the first-wave output it read.

use std::any::Any;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

pub use crate::model::communes::CensusDep;
use crate::plan::FamilyId;

/// One input an output can depend on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dep {
    /// The configuration (a change rebuilds everything).
    Config,
    /// A template and what it extends or includes.
    Template(Arc<str>),
    /// Interface strings of a language (and its fallback).
    I18n(usize),
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
    /// The list of every content page's URL and translations (sitemap, language chooser).
    Urls,
    /// The commune census: reference list, records, local groups.
    Census(CensusDep),
    /// An input a family defines and versions itself.
    Family(FamilyId, Input),
    /// Another output, by path: a second-wave output read it.
    Output(Arc<str>),
}

/// A family's own input, of that family's `Input` type.
#[derive(Clone)]
pub struct Input(Arc<dyn Key>);

impl Input {
    /// Wraps a family's input.
    pub fn new<K: Eq + Hash + Ord + fmt::Debug + Send + Sync + 'static>(key: K) -> Input {
        Input(Arc::new(key))
    }

    /// The family's input, when it is of type `K`.
    pub fn get<K: 'static>(&self) -> Option<&K> {
        self.0.as_any().downcast_ref()
    }
}

/// What [`Input`] needs of a key: comparison and hashing through a trait object.
trait Key: Send + Sync {
    fn as_any(&self) -> &dyn Any;
    fn eq_key(&self, other: &dyn Key) -> bool;
    fn cmp_key(&self, other: &dyn Key) -> Ordering;
    fn hash_key(&self, h: &mut dyn Hasher);
    fn fmt_key(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
    fn type_name(&self) -> &'static str;
}

impl<K: Eq + Hash + Ord + fmt::Debug + Send + Sync + 'static> Key for K {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn eq_key(&self, other: &dyn Key) -> bool {
        other.as_any().downcast_ref::<K>() == Some(self)
    }
    fn cmp_key(&self, other: &dyn Key) -> Ordering {
        match other.as_any().downcast_ref::<K>() {
            Some(o) => self.cmp(o),
            None => self.type_name().cmp(other.type_name()),
        }
    }
    fn hash_key(&self, mut h: &mut dyn Hasher) {
        self.hash(&mut h);
    }
    fn fmt_key(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
    fn type_name(&self) -> &'static str {
        std::any::type_name::<K>()
    }
}

impl PartialEq for Input {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_key(&*other.0)
    }
}
impl Eq for Input {}
impl PartialOrd for Input {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Input {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp_key(&*other.0)
    }
}
impl Hash for Input {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.type_name().hash(state);
        self.0.hash_key(state);
    }
}
impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt_key(f)
    }
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

/// Whether the output being rendered on this thread records what it reads (serve).
pub fn recording_now() -> bool {
    RECORDER.with(|r| r.borrow().is_some())
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

/// Values that many outputs of a build share (a kit's entry on every commune page), made once
/// by the first output that asks.
///
/// Only for builds: an output that records what it reads (serve) makes its value itself, so it
/// records its dependencies as before, and a plan that serve keeps across rebuilds never hands
/// out a value made from inputs that have changed since.
#[derive(Debug, Default)]
pub struct Shared<V> {
    slots: Vec<std::sync::OnceLock<V>>,
}

impl<V: Clone> Shared<V> {
    /// Room for `n` values, numbered from 0.
    pub fn new(n: usize) -> Self {
        Shared { slots: (0..n).map(|_| std::sync::OnceLock::new()).collect() }
    }

    /// Value `i`, made by `make` the first time (and every time while recording, or when `i` is
    /// out of range).
    pub fn get(&self, i: usize, make: impl FnOnce() -> V) -> V {
        match self.slots.get(i) {
            Some(slot) if !recording_now() => slot.get_or_init(make).clone(),
            _ => make(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_values_are_made_once_except_while_recording() {
        let shared = Shared::new(2);
        let made = std::cell::Cell::new(0);
        let make = || {
            made.set(made.get() + 1);
            record(Dep::Config);
            made.get()
        };
        assert_eq!((shared.get(0, make), shared.get(0, make), shared.get(1, make)), (1, 1, 2));
        assert_eq!(shared.get(7, make), 3, "out of range: made every time");
        // An output that records makes its own, and so records what the value reads.
        let (v, deps) = recording(|| shared.get(0, make));
        assert_eq!((v, deps), (4, vec![Dep::Config]));
    }

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

    #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
    enum A {
        X(u8),
    }
    #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
    struct B;

    #[test]
    fn family_inputs_compare_by_type_and_value() {
        let (a1, a2, b) = (Input::new(A::X(1)), Input::new(A::X(2)), Input::new(B));
        assert_eq!(a1, Input::new(A::X(1)));
        assert_ne!(a1, a2);
        assert_ne!(a1, b);
        assert!(a1 < a2);
        assert_eq!(a1.get::<A>(), Some(&A::X(1)));
        assert_eq!(a1.get::<B>(), None);
        let h = |i: &Input| {
            let mut s = std::collections::hash_map::DefaultHasher::new();
            i.hash(&mut s);
            s.finish()
        };
        assert_eq!(h(&a1), h(&Input::new(A::X(1))));
        let ((), deps) = recording(|| {
            record(Dep::Family(FamilyId(3), a2.clone()));
            record(Dep::Family(FamilyId(3), a1.clone()));
            record(Dep::Family(FamilyId(3), a2.clone()));
        });
        assert_eq!(deps, [Dep::Family(FamilyId(3), a1), Dep::Family(FamilyId(3), a2)]);
    }
}
