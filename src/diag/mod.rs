//! Diagnostics: the one error type users see.
//!
//! Every problem found in the inputs becomes a [`Diagnostic`] with a code, the file, line and
//! column where it is, a snippet of the source and a hint saying how to fix it. Stages collect
//! diagnostics into a [`Diagnostics`] list instead of stopping at the first one, so a build
//! reports every error at once.

use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

pub mod codes;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Does not fail the build unless `--strict`.
    Warning,
    /// Fails the build.
    Error,
}

/// One line of source shown under a diagnostic, with the columns to underline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// The line's text, without its line ending.
    pub text: String,
    /// First underlined column, 1-based, in characters.
    pub col_start: usize,
    /// Number of characters underlined (at least 1).
    pub width: usize,
}

/// Characters of a source line shown in a terminal: longer lines are cut around the column.
pub const SNIPPET_WINDOW: usize = 100;

impl Snippet {
    /// The line as printed, with the column and width of the underline in it: tabs become
    /// spaces, and a line longer than [`SNIPPET_WINDOW`] characters is cut to that many around
    /// the underlined column, with `…` where text was left out, so the caret stays on screen.
    pub fn window(&self) -> (String, usize, usize) {
        let chars: Vec<char> = self.text.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
        let len = chars.len();
        let s = self.col_start.saturating_sub(1).min(len);
        if len <= SNIPPET_WINDOW {
            return (chars.into_iter().collect(), self.col_start.max(1), self.width.max(1));
        }
        // Some context before the column, the rest after it.
        let start = s.saturating_sub(SNIPPET_WINDOW * 2 / 5).min(len - SNIPPET_WINDOW);
        let end = start + SNIPPET_WINDOW;
        let mut text = String::new();
        if start > 0 {
            text.push('…');
        }
        text.extend(&chars[start..end]);
        if end < len {
            text.push('…');
        }
        let col = s - start + 1 + usize::from(start > 0);
        let width = self.width.min(end.saturating_sub(s)).max(1);
        (text, col, width)
    }
}

/// A problem found in the inputs, with its place and a way to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code, e.g. `K201`; documented in `docs/errors.md`.
    pub code: &'static str,
    /// What is wrong, one sentence, no trailing period.
    pub message: String,
    /// File the problem is in, relative to the site root when possible.
    pub path: Option<PathBuf>,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column (in characters).
    pub col: Option<usize>,
    /// The source line, when known.
    pub snippet: Option<Snippet>,
    /// How to fix it.
    pub hint: Option<String>,
    /// Extra context: another place involved, the page being rendered, …
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A new error with a code and a message.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    /// A new warning with a code and a message.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        debug_assert!(codes::describe(code).is_some(), "diagnostic code {code} is not in diag::codes::CODES");
        Diagnostic {
            severity,
            code,
            message: message.into(),
            path: None,
            line: None,
            col: None,
            snippet: None,
            hint: None,
            notes: Vec::new(),
        }
    }

    /// Sets the file.
    pub fn at(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Sets line and column (1-based) without a snippet.
    pub fn line_col(mut self, line: usize, col: usize) -> Self {
        self.line = Some(line.max(1));
        self.col = Some(col.max(1));
        self
    }

    /// Sets line and column (1-based) and takes the snippet from `source`, the whole file text.
    pub fn located(mut self, source: &str, line: usize, col: usize, width: usize) -> Self {
        self = self.line_col(line, col);
        if let Some(text) = source.lines().nth(line.saturating_sub(1)) {
            let text = text.trim_end_matches('\r');
            self.snippet =
                Some(Snippet { text: text.to_string(), col_start: col.max(1), width: width.max(1) });
        }
        self
    }

    /// Places the diagnostic at a byte offset of `source` (the whole file text).
    pub fn at_offset(self, source: &str, offset: usize, len: usize) -> Self {
        let (line, col) = line_col_of(source, offset);
        let end = (offset + len).min(source.len());
        let width = source
            .get(offset.min(end)..end)
            .map(|s| s.lines().next().unwrap_or("").chars().count())
            .unwrap_or(1);
        self.located(source, line, col, width)
    }

    /// Sets the hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The `path:line:col` prefix, as far as it is known.
    pub fn location(&self) -> Option<String> {
        let path = self.path.as_ref()?;
        let mut s = path.display().to_string();
        if let Some(line) = self.line {
            let _ = write!(s, ":{line}");
            if let Some(col) = self.col {
                let _ = write!(s, ":{col}");
            }
        }
        Some(s)
    }

    /// Sort key: file, line, column, then message, so output order never depends on threads.
    fn sort_key(&self) -> impl Ord + '_ {
        (self.path.as_deref(), self.line, self.col, self.code, &self.message)
    }
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

/// Converts a byte offset into a 1-based (line, column in characters).
pub fn line_col_of(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let before = &source[..offset];
    let line = memchr::memchr_iter(b'\n', before.as_bytes()).count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if let Some(loc) = self.location() {
            write!(f, "{loc}: ")?;
        }
        writeln!(f, "{level}[{}]: {}", self.code, self.message)?;
        if let (Some(snippet), Some(line)) = (&self.snippet, self.line) {
            let num = line.to_string();
            let pad = " ".repeat(num.len());
            writeln!(f, "{pad} |")?;
            let (text, col_start, width) = snippet.window();
            writeln!(f, "{num} | {text}")?;
            let lead: String = " ".repeat(col_start.saturating_sub(1));
            writeln!(f, "{pad} | {lead}{}", "^".repeat(width))?;
        }
        for note in &self.notes {
            writeln!(f, "  = note: {note}")?;
        }
        if let Some(hint) = &self.hint {
            writeln!(f, "  = fix: {hint}")?;
        }
        Ok(())
    }
}

/// A thread-safe list of diagnostics, filled by every stage of a build.
#[derive(Debug, Default)]
pub struct Diagnostics {
    inner: Mutex<Vec<Diagnostic>>,
}

impl Diagnostics {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one diagnostic.
    pub fn push(&self, d: Diagnostic) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).push(d);
    }

    /// Adds many.
    pub fn extend(&self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).extend(ds);
    }

    /// Whether any error was collected.
    pub fn has_errors(&self) -> bool {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).iter().any(Diagnostic::is_error)
    }

    /// Takes the collected diagnostics out, sorted and without duplicates.
    pub fn take(&self) -> Vec<Diagnostic> {
        let mut v = std::mem::take(&mut *self.inner.lock().unwrap_or_else(|e| e.into_inner()));
        sort_dedup(&mut v);
        v
    }
}

/// Sorts diagnostics by place and removes exact duplicates.
pub fn sort_dedup(v: &mut Vec<Diagnostic>) {
    v.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    v.dedup();
}

/// Returns `path` relative to `root` when it is inside it, for display.
pub fn rel_to(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}

/// The closest candidate to `word`, for "did you mean" hints.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // A shared extension (`.md`, `.html`) says nothing about closeness.
    let stem = |s: &'a str| s.rsplit_once('.').filter(|(_, ext)| ext.len() <= 4).map(|(s, _)| s).unwrap_or(s);
    let word_stem = word.rsplit_once('.').filter(|(_, ext)| ext.len() <= 4).map(|(s, _)| s).unwrap_or(word);
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word_stem, stem(c)), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Prints the diagnostics of a build to stderr, errors last so they stay on screen, and says
/// that nothing was written when there are errors.
pub fn print(diags: &[Diagnostic]) {
    print_then(diags, "nothing was written");
}

/// Prints diagnostics to stderr, errors last, then a count of them followed by `outcome`
/// (what the command did because of the errors).
pub fn print_then(diags: &[Diagnostic], outcome: &str) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    let (errors, warnings): (Vec<&Diagnostic>, Vec<&Diagnostic>) = diags.iter().partition(|d| d.is_error());
    for d in warnings.iter().chain(errors.iter()) {
        let _ = write!(err, "{d}");
    }
    if !errors.is_empty() {
        let _ = writeln!(
            err,
            "kitgen: {} error{}{}; {outcome}",
            errors.len(),
            if errors.len() > 1 { "s" } else { "" },
            if warnings.is_empty() {
                String::new()
            } else {
                format!(", {} warning{}", warnings.len(), if warnings.len() > 1 { "s" } else { "" })
            }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_snippet_and_hint() {
        let src = "---\ntitel: x\n---\n";
        let d = Diagnostic::error("K202", "unknown front matter key `titel`")
            .at("content/fr/a.md")
            .located(src, 2, 1, 5)
            .hint("did you mean `title`?");
        assert_eq!(
            d.to_string(),
            "content/fr/a.md:2:1: error[K202]: unknown front matter key `titel`\n  |\n2 | titel: x\n  | ^^^^^\n  = fix: did you mean `title`?\n"
        );
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let snip = |text: &str, col, width| Snippet { text: text.into(), col_start: col, width };
        // short lines are shown whole
        assert_eq!(snip("a\tb", 3, 1).window(), ("a b".into(), 3, 1));
        let line = "é".repeat(300);
        // near the start: no leading ellipsis
        let (t, c, w) = snip(&line, 5, 2).window();
        assert_eq!((t.chars().count(), c, w), (101, 5, 2));
        assert!(t.ends_with('…') && !t.starts_with('…'));
        // in the middle: cut on both sides, the caret under the same character
        let line: String = (0..300).map(|i| if i == 200 { 'X' } else { '-' }).collect();
        let (t, c, w) = snip(&line, 201, 500).window();
        assert_eq!(t.chars().nth(c - 1), Some('X'));
        assert!(t.starts_with('…') && t.ends_with('…'));
        assert_eq!(c - 1 + w, t.chars().count() - 1, "the underline stops at the cut");
        // at the end: no trailing ellipsis
        let (t, c, _) = snip(&line, 300, 1).window();
        assert_eq!((t.chars().count(), c), (101, 101));
    }

    #[test]
    fn offsets_map_to_lines_and_char_columns() {
        let src = "ab\nçé x\n";
        assert_eq!(line_col_of(src, 0), (1, 1));
        assert_eq!(line_col_of(src, 3), (2, 1));
        // `x` is after two 2-byte characters and a space
        assert_eq!(line_col_of(src, 8), (2, 4));
    }

    #[test]
    fn suggests_close_words_only() {
        let keys = ["title", "date", "weight"];
        assert_eq!(suggest("titel", keys), Some("title"));
        assert_eq!(suggest("zzz", keys), None);
    }
}
