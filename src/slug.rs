//! Slugs: URL segments and heading ids made from text.
//!
//! Accents are transliterated (`Défense` → `defense`), everything else that is not a letter or
//! a digit becomes a hyphen. Two different texts can give the same slug (`Saint-Rémy`,
//! `Saint-Remy`): callers check collisions, and commune URLs carry the INSEE code.

use unicode_normalization::UnicodeNormalization;

/// `Qu'est-ce que la VSA ?` → `qu-est-ce-que-la-vsa`. May return an empty string.
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut out = String::with_capacity(ascii.len());
    let mut dash = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else if c == '_' && !out.is_empty() {
            if dash {
                out.push('-');
                dash = false;
            }
            out.push('_');
        } else {
            dash = true;
        }
    }
    out
}

/// Whether `s` can be used as one URL segment as it is: what [`slugify`] would keep unchanged.
pub fn is_valid_segment(s: &str) -> bool {
    !s.is_empty() && slugify(s) == s
}

/// A key to detect URLs that collide on case-insensitive or normalising file systems.
pub fn collision_key(path: &str) -> String {
    if path.is_ascii() {
        return path.to_ascii_lowercase();
    }
    path.nfc().flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Qu'est-ce que la VSA ?"), "qu-est-ce-que-la-vsa");
        assert_eq!(slugify("L'Haÿ-les-Roses"), "l-hay-les-roses");
        assert_eq!(slugify("  Saint-Étienne  "), "saint-etienne");
        assert_eq!(slugify("!!!"), "");
        assert_eq!(slugify("../../x"), "x");
        assert_eq!(slugify("snake_case"), "snake_case");
        assert_eq!(slugify("Œuvre"), "oeuvre");
    }

    #[test]
    fn segments() {
        assert!(is_valid_segment("13055-marseille"));
        assert!(!is_valid_segment("../x"));
        assert!(!is_valid_segment("Marseille"));
        assert!(!is_valid_segment(""));
    }

    #[test]
    fn collisions_fold_case_and_normalisation() {
        assert_eq!(collision_key("Cafe\u{301}"), collision_key("café"));
        assert_eq!(collision_key("/fr/A/"), collision_key("/fr/a/"));
    }
}
