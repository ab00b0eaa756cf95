//! Plural categories by the CLDR rules of each language.
//!
//! French puts 0 and 1 in `one`; English only 1; Arabic uses all six categories. An i18n entry
//! must give every category that whole numbers up to 1000 reach in its language, plus `other`;
//! rarer categories (French `many` for millions) fall back to `other`.

use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use unic_langid::LanguageIdentifier;

/// The six CLDR category names, in CLDR order.
pub const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// The plural rules of one language.
pub struct Plural {
    rules: Option<PluralRules>,
}

impl std::fmt::Debug for Plural {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plural").field("known", &self.rules.is_some()).finish()
    }
}

impl Plural {
    /// Rules for a language code; unknown languages only have `other`.
    pub fn new(code: &str) -> Plural {
        let create = |c: &str| {
            c.parse::<LanguageIdentifier>()
                .ok()
                .and_then(|id| PluralRules::create(id, PluralRuleType::CARDINAL).ok())
        };
        let rules = create(code).or_else(|| create(code.split('-').next().unwrap_or(code)));
        Plural { rules }
    }

    /// Whether CLDR knows this language.
    pub fn is_known(&self) -> bool {
        self.rules.is_some()
    }

    /// The category of a count: `"one"`, `"other"`, …
    pub fn select(&self, n: f64) -> &'static str {
        let Some(rules) = &self.rules else {
            return "other";
        };
        let cat = if n.fract() == 0.0 && n.abs() < 1e15 { rules.select(n as i64) } else { rules.select(n) };
        match cat {
            Ok(PluralCategory::ZERO) => "zero",
            Ok(PluralCategory::ONE) => "one",
            Ok(PluralCategory::TWO) => "two",
            Ok(PluralCategory::FEW) => "few",
            Ok(PluralCategory::MANY) => "many",
            _ => "other",
        }
    }

    /// Categories a translation must provide.
    pub fn required(&self) -> Vec<&'static str> {
        let mut found: Vec<&'static str> = (0..=1000).map(|n| self.select(n as f64)).collect();
        found.push("other");
        CATEGORIES.into_iter().filter(|c| found.contains(c)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_zero_and_one_are_singular() {
        let fr = Plural::new("fr");
        assert_eq!(fr.select(0.0), "one");
        assert_eq!(fr.select(1.0), "one");
        assert_eq!(fr.select(2.0), "other");
        assert_eq!(fr.select(1.5), "one");
        assert_eq!(fr.required(), ["one", "other"]);
    }

    #[test]
    fn english_zero_is_plural() {
        let en = Plural::new("en");
        assert_eq!(en.select(0.0), "other");
        assert_eq!(en.select(1.0), "one");
        assert_eq!(en.select(2.0), "other");
        assert_eq!(en.required(), ["one", "other"]);
    }

    #[test]
    fn arabic_needs_six_forms() {
        let ar = Plural::new("ar");
        assert_eq!(ar.required(), CATEGORIES);
        assert_eq!(ar.select(0.0), "zero");
        assert_eq!(ar.select(2.0), "two");
        assert_eq!(ar.select(3.0), "few");
        assert_eq!(ar.select(11.0), "many");
    }

    #[test]
    fn regional_codes_use_their_language() {
        assert!(Plural::new("pt-BR").is_known());
        assert!(!Plural::new("tlh").is_known());
        assert_eq!(Plural::new("tlh").select(1.0), "other");
    }
}
