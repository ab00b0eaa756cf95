//! Plan: the list of every output of a build, as plain data.
//!
//! Each output family (see [`crate::family`]) plans its own outputs into a [`FamilyPlan`]:
//! their paths, which of them the sitemap lists, and the family's typed jobs and state, kept
//! here as an opaque value only that family reads. The plan does no I/O and renders nothing;
//! it knows paths, so collisions are found before anything is rendered and serve can tell
//! which outputs appeared or vanished.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::diag::Diagnostic;
use crate::slug::collision_key;

/// Index of a family in the registry, in registration order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FamilyId(pub u16);

/// When a family's outputs are rendered: the first wave renders from the model, the second
/// reads outputs of the first (a ZIP of PDFs, a search index over rendered pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Wave {
    /// Rendered from the model.
    First,
    /// Rendered after the first wave, from its outputs.
    Second,
}

/// One output of the plan: its family and its index there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OutputRef {
    /// Family.
    pub family: FamilyId,
    /// Index of the output in that family's plan.
    pub index: u32,
}

/// The outputs one family planned.
pub struct FamilyPlan {
    /// Its family.
    pub family: FamilyId,
    /// Its family's name.
    pub name: &'static str,
    /// When its outputs are rendered.
    pub wave: Wave,
    /// Output paths under the output folder, `/`-separated (`fr/brochure/index.html`).
    pub paths: Vec<String>,
    /// Position of each output by path.
    pub by_path: FxHashMap<String, u32>,
    /// Collision keys of the paths (see [`collision_key`]).
    pub keys: FxHashSet<String>,
    /// Outputs the sitemap lists, in order.
    pub sitemap: Vec<u32>,
    /// Problems found while planning (reported on every build that uses this plan).
    pub diagnostics: Vec<Diagnostic>,
    /// The family's typed jobs and state; only the family reads them.
    pub jobs: Box<dyn Any + Send + Sync>,
}

impl std::fmt::Debug for FamilyPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FamilyPlan").field("name", &self.name).field("outputs", &self.paths.len()).finish()
    }
}

impl FamilyPlan {
    /// A plan from its paths; two outputs of one family with the same path (or paths that a
    /// case-insensitive file system would merge) are an error naming both.
    pub fn new(
        family: FamilyId,
        name: &'static str,
        wave: Wave,
        paths: Vec<String>,
        sitemap: Vec<u32>,
        mut diagnostics: Vec<Diagnostic>,
        jobs: Box<dyn Any + Send + Sync>,
    ) -> FamilyPlan {
        let mut keys = FxHashSet::with_capacity_and_hasher(paths.len(), Default::default());
        let mut first: HashMap<String, usize> = HashMap::new();
        for (i, p) in paths.iter().enumerate() {
            let k = collision_key(p);
            if keys.contains(&k) {
                let j = first.get(&k).copied().unwrap_or(i);
                diagnostics.push(
                    Diagnostic::error(
                        "K213",
                        format!("two outputs are written to {p} ({name}: {})", paths[j]),
                    )
                    .hint("rename the file or change the slug"),
                );
            } else {
                first.insert(k.clone(), i);
                keys.insert(k);
            }
        }
        let by_path = paths.iter().enumerate().map(|(i, p)| (p.clone(), i as u32)).collect();
        FamilyPlan { family, name, wave, paths, by_path, keys, sitemap, diagnostics, jobs }
    }

    /// Number of outputs.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Whether it plans nothing.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

/// Pairs of outputs of different families written to the same path.
pub type Collisions = Vec<(OutputRef, OutputRef)>;

/// Every output of the build, family by family.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// One plan per registered family, in registration order.
    pub families: Vec<Arc<FamilyPlan>>,
}

impl Plan {
    /// Every output with its path, family by family.
    pub fn outputs(&self) -> impl Iterator<Item = (OutputRef, &str)> {
        self.families.iter().flat_map(|f| {
            f.paths
                .iter()
                .enumerate()
                .map(|(i, p)| (OutputRef { family: f.family, index: i as u32 }, p.as_str()))
        })
    }

    /// The outputs rendered in `wave`.
    pub fn wave(&self, wave: Wave) -> impl Iterator<Item = (OutputRef, &str)> {
        self.outputs().filter(move |(o, _)| self.family(o.family).wave == wave)
    }

    /// The plan of a family.
    pub fn family(&self, id: FamilyId) -> &FamilyPlan {
        &self.families[id.0 as usize]
    }

    /// The path of an output.
    pub fn path(&self, o: OutputRef) -> &str {
        &self.family(o.family).paths[o.index as usize]
    }

    /// The output written to `path`.
    pub fn find(&self, path: &str) -> Option<OutputRef> {
        self.families
            .iter()
            .find_map(|f| f.by_path.get(path).map(|&index| OutputRef { family: f.family, index }))
    }

    /// Number of outputs.
    pub fn len(&self) -> usize {
        self.families.iter().map(|f| f.len()).sum()
    }

    /// Whether there is no output at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of sitemap entries of every family.
    pub fn sitemap_len(&self) -> usize {
        self.families.iter().map(|f| f.sitemap.len()).sum()
    }

    /// The sitemap's entries, in order: each family's, in registration order.
    pub fn sitemap(&self) -> impl Iterator<Item = OutputRef> + '_ {
        self.families
            .iter()
            .flat_map(|f| f.sitemap.iter().map(|&index| OutputRef { family: f.family, index }))
    }

    /// Outputs of different families written to the same path (also on case-insensitive or
    /// normalising file systems): each pair once, the earlier family first.
    pub fn collisions(&self) -> Collisions {
        self.collisions_since(None)
    }

    /// [`Plan::collisions`], taking from `last` (an earlier plan and its collisions) what it
    /// found between two families whose plans are the same (serve reuses most plans, and
    /// looking 140,000 commune pages up again would cost milliseconds on every edit).
    pub fn collisions_since(&self, last: Option<&(Plan, Collisions)>) -> Collisions {
        let same = |i: usize| {
            last.is_some_and(|(p, _)| p.families.get(i).is_some_and(|f| Arc::ptr_eq(f, &self.families[i])))
        };
        let mut out = Vec::new();
        for (a, fa) in self.families.iter().enumerate() {
            for (b, fb) in self.families.iter().enumerate().skip(a + 1) {
                if let Some((_, found)) = last.filter(|_| same(a) && same(b)) {
                    let pair = |o: &OutputRef| o.family == fa.family || o.family == fb.family;
                    out.extend(found.iter().filter(|(x, y)| pair(x) && pair(y)).copied());
                    continue;
                }
                // Look the smaller family's keys up in the larger one's.
                let (small, large) = if fa.keys.len() <= fb.keys.len() { (fa, fb) } else { (fb, fa) };
                if !small.keys.iter().any(|k| large.keys.contains(k)) {
                    continue;
                }
                let large_by_key: FxHashMap<String, u32> =
                    large.paths.iter().enumerate().map(|(i, p)| (collision_key(p), i as u32)).collect();
                for (i, p) in small.paths.iter().enumerate() {
                    if let Some(&j) = large_by_key.get(&collision_key(p)) {
                        let s = OutputRef { family: small.family, index: i as u32 };
                        let l = OutputRef { family: large.family, index: j };
                        out.push(if s.family < l.family { (s, l) } else { (l, s) });
                    }
                }
            }
        }
        out.sort_by_key(|(a, b)| (a.family, a.index, b.family, b.index));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fam(id: u16, paths: &[&str]) -> Arc<FamilyPlan> {
        Arc::new(FamilyPlan::new(
            FamilyId(id),
            "test",
            Wave::First,
            paths.iter().map(|p| p.to_string()).collect(),
            Vec::new(),
            Vec::new(),
            Box::new(()),
        ))
    }

    #[test]
    fn collisions_across_families_and_within_one() {
        let plan = Plan {
            families: vec![fam(0, &["fr/index.html", "css/a.css"]), fam(1, &["x.txt", "FR/Index.html"])],
        };
        let c = plan.collisions();
        assert_eq!(c.len(), 1);
        assert_eq!(plan.path(c[0].0), "fr/index.html");
        assert_eq!(plan.path(c[0].1), "FR/Index.html");
        assert_eq!(plan.find("x.txt"), Some(OutputRef { family: FamilyId(1), index: 0 }));
        // Reused where both plans are the same, found again where one changed.
        let last = (plan.clone(), c.clone());
        assert_eq!(plan.collisions_since(Some(&last)), c);
        let changed = Plan { families: vec![plan.families[0].clone(), fam(1, &["x.txt", "css/A.css"])] };
        let c2 = changed.collisions_since(Some(&last));
        assert_eq!(c2.len(), 1);
        assert_eq!(changed.path(c2[0].1), "css/A.css");
        assert_eq!(plan.len(), 4);
        let dup = fam(2, &["a/b.html", "A/b.html"]);
        assert_eq!(dup.diagnostics.len(), 1);
        assert_eq!(dup.diagnostics[0].code, "K213");
    }
}
