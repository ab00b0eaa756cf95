//! Finds the commune a row is about: by INSEE code, else by normalised name (and département
//! when the row gives one). The indexes are built once over the ~35,000 communes; the nearest
//! names of an unmatched row are looked for among names sharing its first letter only.

use std::collections::HashMap;

use crate::model::census::{Commune, Departement, Insee};

/// `Saint-Étienne`, `ST ETIENNE`, `st-étienne` → `saint etienne`; `L'Haÿ-les-Roses` →
/// `hay les roses`; `Les Mureaux` → `mureaux`; `Ste-Colombe` → `sainte colombe`.
pub fn normalise(name: &str) -> String {
    let ascii = deunicode::deunicode(name).to_lowercase();
    let mut words: Vec<&str> =
        ascii.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if words.len() > 1 && matches!(words[0], "le" | "la" | "les" | "l") {
        words.remove(0);
    } else if words.len() > 1
        && name.trim_end().ends_with(')')
        && matches!(words[words.len() - 1], "le" | "la" | "les" | "l")
    {
        // INSEE's old style: `Havre (Le)`
        words.pop();
    }
    let words: Vec<&str> = words
        .into_iter()
        .map(|w| match w {
            "st" => "saint",
            "ste" => "sainte",
            "sts" => "saints",
            "stes" => "saintes",
            w => w,
        })
        .collect();
    words.join(" ")
}

/// Words that name an intercommunal body rather than a commune.
const BODIES: &[&str] = &[
    "metropole",
    "communaute",
    "agglomeration",
    "agglo",
    "intercommunalite",
    "epci",
    "syndicat",
    "territoire",
    "eurometropole",
];

/// Whether a name (that matched no commune) looks like an intercommunal body.
pub fn is_intercommunal(name: &str) -> bool {
    let n = normalise(name);
    let words: Vec<&str> = n.split(' ').collect();
    words.iter().any(|w| BODIES.contains(w)) || matches!(words.first(), Some(&("cc" | "ca" | "cu" | "cda")))
}

/// What a row matched.
#[derive(Debug, Clone, PartialEq)]
pub enum Match {
    /// One commune (its index in the reference list).
    One(usize),
    /// Several communes share the name: their indexes.
    Ambiguous(Vec<usize>),
    /// Nothing; the nearest names (indexes), best first.
    None(Vec<usize>),
    /// An INSEE code no commune has.
    UnknownCode,
    /// An intercommunal body.
    Intercommunal,
}

/// The reference list, indexed.
pub struct Index<'a> {
    /// The communes.
    pub communes: &'a [Commune],
    departements: &'a [Departement],
    by_code: HashMap<&'a str, usize>,
    by_name: HashMap<String, Vec<usize>>,
    /// Distinct normalised names by first character, for nearest names.
    by_initial: HashMap<char, Vec<(String, usize)>>,
}

impl<'a> Index<'a> {
    /// Indexes the communes once.
    pub fn new(communes: &'a [Commune], departements: &'a [Departement]) -> Index<'a> {
        let mut by_code = HashMap::with_capacity(communes.len());
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::with_capacity(communes.len());
        for (i, c) in communes.iter().enumerate() {
            by_code.insert(c.code.0.as_str(), i);
            by_name.entry(normalise(&c.nom)).or_default().push(i);
        }
        let mut by_initial: HashMap<char, Vec<(String, usize)>> = HashMap::new();
        for (n, v) in &by_name {
            if let Some(ch) = n.chars().next() {
                by_initial.entry(ch).or_default().push((n.clone(), v[0]));
            }
        }
        for v in by_initial.values_mut() {
            v.sort();
        }
        Index { communes, departements, by_code, by_name, by_initial }
    }

    /// The commune with this code.
    pub fn by_code(&self, code: &Insee) -> Option<usize> {
        self.by_code.get(code.0.as_str()).copied()
    }

    /// The département code a cell means: `13`, `1` (→ `01`), `2a`, or a name (`Gironde`).
    pub fn departement(&self, v: &str) -> Option<String> {
        let v = v.trim();
        let up = v.to_uppercase();
        let code =
            if up.len() == 1 && up.chars().all(|c| c.is_ascii_digit()) { format!("0{up}") } else { up };
        let looks_like_code =
            (2..=3).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric());
        if self.departements.iter().any(|d| d.code == code)
            || (self.departements.is_empty() && looks_like_code)
        {
            return Some(code);
        }
        let n = normalise(v);
        self.departements.iter().find(|d| normalise(&d.nom) == n).map(|d| d.code.clone())
    }

    /// Matches a name, within a département when given.
    pub fn by_name(&self, name: &str, departement: Option<&str>) -> Match {
        let n = normalise(name);
        let found: Vec<usize> = self.by_name.get(&n).cloned().unwrap_or_default();
        let found: Vec<usize> = match departement {
            Some(d) => found.into_iter().filter(|&i| self.communes[i].departement == d).collect(),
            None => found,
        };
        match found.len() {
            1 => Match::One(found[0]),
            0 if is_intercommunal(name) => Match::Intercommunal,
            0 => Match::None(self.nearest(&n, departement)),
            _ => Match::Ambiguous(found),
        }
    }

    /// Up to three names close to `n` (edit distance), among names with the same first letter.
    fn nearest(&self, n: &str, departement: Option<&str>) -> Vec<usize> {
        // The same name elsewhere (wrong département) is the nearest of all.
        if let Some(v) = self.by_name.get(n)
            && departement.is_some()
        {
            return v.iter().copied().take(5).collect();
        }
        let Some(first) = n.chars().next() else { return Vec::new() };
        let max = (n.chars().count() / 3).clamp(1, 4);
        let mut scored: Vec<(usize, &str, usize)> = self
            .by_initial
            .get(&first)
            .into_iter()
            .flatten()
            .filter(|(c, _)| c.len().abs_diff(n.len()) <= max)
            .map(|(c, i)| (strsim::levenshtein(n, c), c.as_str(), *i))
            .filter(|(d, _, _)| *d <= max)
            .collect();
        scored.sort();
        scored.into_iter().take(3).map(|(_, _, i)| i).collect()
    }

    /// `Sainte-Colombe (05135, 05)` for messages.
    pub fn describe(&self, i: usize) -> String {
        let c = &self.communes[i];
        format!("{} ({}, {})", c.nom, c.code.0, c.departement)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised() {
        assert_eq!(normalise("Saint-Étienne"), "saint etienne");
        assert_eq!(normalise("ST ETIENNE"), "saint etienne");
        assert_eq!(normalise("St.-Étienne"), "saint etienne");
        assert_eq!(normalise("Ste Colombe"), "sainte colombe");
        assert_eq!(normalise("L'Haÿ-les-Roses"), "hay les roses");
        assert_eq!(normalise("L’Haÿ les Roses"), "hay les roses");
        assert_eq!(normalise("Le Havre"), "havre");
        assert_eq!(normalise("Havre (Le)"), "havre");
        assert_eq!(normalise("Les Mureaux"), "mureaux");
        assert_eq!(normalise("La"), "la");
        assert_eq!(normalise("AIX EN PROVENCE"), normalise("Aix-en-Provence"));
        assert_eq!(normalise("Ambérieu-en-Bugey"), "amberieu en bugey");
    }

    #[test]
    fn intercommunal_bodies() {
        assert!(is_intercommunal("Métropole Aix-Marseille-Provence"));
        assert!(is_intercommunal("Communauté d'agglomération du Pays Basque"));
        assert!(is_intercommunal("CA Grand Paris Sud"));
        assert!(!is_intercommunal("Marseille"));
    }
}
