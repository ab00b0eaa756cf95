//! French typography.
//!
//! Applied to text only: never to code, URLs or HTML attributes, because the Markdown renderer
//! calls it on text events and the templates on plain strings. Rules (Imprimerie nationale):
//! a narrow no-break space (U+202F) before `; ! ?` and inside « », a no-break space (U+00A0)
//! before `:`, and the typographic apostrophe `’`. Straight double quotes, already turned into
//! “ ” by smart punctuation, become « ». Applying the rules twice changes nothing.

use serde::{Deserialize, Serialize};

/// Typographic rules applied to a language's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Typography {
    /// Smart quotes and dashes only.
    #[default]
    None,
    /// French rules: no-break spaces before `: ; ! ?` and inside « », typographic apostrophes.
    Fr,
}

/// Narrow no-break space.
pub const NNBSP: char = '\u{202F}';
/// No-break space.
pub const NBSP: char = '\u{00A0}';

/// Applies French rules to `text`. `prev` is the last character of the text before it in the
/// same block (across emphasis or links), and is updated.
pub fn french(text: &str, prev: &mut Option<char>) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let last = |out: &String, prev: &Option<char>| out.chars().next_back().or(*prev);
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '\'' | '‘' => out.push('’'),
            '«' | '“' => {
                out.push('«');
                out.push(NNBSP);
                if matches!(next, Some(' ' | NBSP | NNBSP)) {
                    i += 1;
                }
            }
            '»' | '”' => {
                while out.ends_with([' ', NBSP]) {
                    out.pop();
                }
                if !out.ends_with(NNBSP) {
                    out.push(NNBSP);
                }
                out.push('»');
            }
            ';' | '!' | '?' | ':' => {
                let space = if c == ':' { NBSP } else { NNBSP };
                if out.ends_with([' ', NBSP, NNBSP]) {
                    out.pop();
                    out.push(space);
                } else if prev_is_word(last(&out, prev))
                    && next.is_none_or(|n| n.is_whitespace() || matches!(n, ')' | ',' | '.'))
                    && !(c == ':' && next.is_none())
                {
                    out.push(space);
                }
                out.push(c);
            }
            _ => out.push(c),
        }
        i += 1;
    }
    if let Some(c) = out.chars().next_back() {
        *prev = Some(c);
    }
    out
}

fn prev_is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || matches!(c, '»' | ')' | '’' | '…'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fr(s: &str) -> String {
        french(s, &mut None)
    }

    #[test]
    fn spaces_before_high_punctuation() {
        assert_eq!(
            fr("Quoi ? Non ! Oui ; bon : voilà"),
            "Quoi\u{202F}? Non\u{202F}! Oui\u{202F}; bon\u{A0}: voilà"
        );
        assert_eq!(fr("Quoi? Non!"), "Quoi\u{202F}? Non\u{202F}!");
        assert_eq!(fr("Hein ?!"), "Hein\u{202F}?!");
    }

    #[test]
    fn guillemets() {
        assert_eq!(fr("« comportements anormaux »"), "«\u{202F}comportements anormaux\u{202F}»");
        assert_eq!(fr("“VSA”"), "«\u{202F}VSA\u{202F}»");
    }

    #[test]
    fn apostrophes() {
        assert_eq!(fr("l'espace d'abord"), "l’espace d’abord");
    }

    #[test]
    fn leaves_times_urls_and_ratios_alone() {
        assert_eq!(fr("à 12:30"), "à 12:30");
        assert_eq!(fr("https://technopolice.fr/?a=1"), "https://technopolice.fr/?a=1");
        assert_eq!(fr("ratio 1:2"), "ratio 1:2");
    }

    #[test]
    fn idempotent() {
        let once = fr("« Quoi ? » dit-il : l'heure !");
        assert_eq!(fr(&once), once);
    }

    #[test]
    fn carries_previous_character_across_events() {
        let mut prev = None;
        let a = french("le ", &mut prev);
        let b = french("mot", &mut prev);
        let c = french("!", &mut prev);
        assert_eq!(format!("{a}{b}{c}"), "le mot\u{202F}!");
    }
}
