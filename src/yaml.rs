//! All YAML parsing goes through this module.
//!
//! `serde_yaml` is deprecated upstream; keeping every call here means the crate can be swapped
//! for another parser by changing one file. The module also turns the parser's errors into
//! messages for people: the line and column, the offending key, a "did you mean" suggestion, and
//! both lines of a duplicate key. Duplicate keys, alias bombs and deep nesting are errors.

use serde::de::DeserializeOwned;

use crate::diag::suggest;

/// Marks errors raised by kitgen's own `Deserialize` impls, see [`custom`].
const CUSTOM: &str = "\u{1}kitgen:";

/// An error for a `Deserialize` impl (an invalid date, a bad code): the message is shown as it
/// is, placed at the value by its path in the document.
pub fn custom<E: serde::de::Error>(msg: impl std::fmt::Display) -> E {
    E::custom(format!("{CUSTOM}{msg}"))
}

/// A YAML problem, located in the parsed text (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// What is wrong.
    pub message: String,
    /// 1-based line in the parsed text.
    pub line: usize,
    /// 1-based column in the parsed text.
    pub col: usize,
    /// Characters to underline from `col`.
    pub width: usize,
    /// How to fix it.
    pub hint: Option<String>,
    /// Other places involved.
    pub notes: Vec<String>,
}

impl YamlError {
    /// The same error in a file where the parsed text starts after `by` lines (front matter):
    /// moves its line and the line numbers its notes end with.
    pub fn shifted(mut self, by: usize) -> YamlError {
        self.line += by;
        for note in &mut self.notes {
            if let Some((head, n)) = note.rsplit_once("line ")
                && let Ok(n) = n.parse::<usize>()
            {
                *note = format!("{head}line {}", n + by);
            }
        }
        self
    }
}

/// Parses `src` into `T`.
///
/// The text is first read as a generic document, which catches syntax errors, duplicate keys,
/// alias bombs and excessive nesting, then deserialised into `T` for type errors and unknown
/// keys, with their location.
pub fn parse<T: DeserializeOwned>(src: &str) -> Result<T, YamlError> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    if let Err(e) = serde_yaml::from_str::<serde_yaml::Value>(src) {
        return Err(convert(src, &e));
    }
    let de = serde_yaml::Deserializer::from_str(src);
    serde_path_to_error::deserialize::<_, T>(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let mut err = convert(src, &inner);
        // Errors raised by our own `Deserialize` impls (a bad date, say) carry no precise
        // position: find the value from its path instead.
        if let Some(msg) = err.message.strip_prefix(CUSTOM) {
            err.message =
                if path.contains(['.', '[']) { format!("{msg} (at `{path}`)") } else { msg.to_string() };
            if let Some((line, col, width)) = locate(src, &path) {
                err.line = line;
                err.col = col;
                err.width = width;
            }
        }
        err
    })
}

/// Whether `src` is well-formed YAML (whatever it holds): a syntax error or a duplicate key
/// makes it not. Front matter recovers from the other errors, not from these.
pub fn well_formed(src: &str) -> bool {
    serde_yaml::from_str::<serde_yaml::Value>(src.strip_prefix('\u{feff}').unwrap_or(src)).is_ok()
}

/// Writes `value` as block YAML, keys in the order the type declares them, leaving out null
/// values and empty lists and maps (what a person would not write). Used to write records.
pub fn to_string_compact<T: serde::Serialize>(value: &T) -> Result<String, String> {
    fn prune(v: serde_yaml::Value) -> Option<serde_yaml::Value> {
        use serde_yaml::Value;
        match v {
            Value::Null => None,
            Value::Mapping(m) => {
                let m: serde_yaml::Mapping =
                    m.into_iter().filter_map(|(k, v)| Some((k, prune(v)?))).collect();
                (!m.is_empty()).then_some(Value::Mapping(m))
            }
            Value::Sequence(s) => {
                let s: Vec<Value> = s.into_iter().filter_map(prune).collect();
                (!s.is_empty()).then_some(Value::Sequence(s))
            }
            v => Some(v),
        }
    }
    let v = serde_yaml::to_value(value).map_err(|e| e.to_string())?;
    match prune(v) {
        Some(v) => serde_yaml::to_string(&v).map_err(|e| e.to_string()),
        None => Ok(String::new()),
    }
}

/// Finds the value at a serde path such as `sources[2].date` in block-style YAML:
/// (line, column, width), all 1-based. Used to place errors found after parsing.
pub fn locate(src: &str, path: &str) -> Option<(usize, usize, usize)> {
    let lines: Vec<&str> = src.lines().collect();
    let mut start = 0usize; // first line of the current node
    let mut end = lines.len(); // end (exclusive) of the current node
    let mut min_indent = 0usize;
    let mut found = None;
    for seg in path.split('.') {
        let (key, indexes) = match seg.find('[') {
            Some(i) => (&seg[..i], &seg[i..]),
            None => (seg, ""),
        };
        if !key.is_empty() {
            let (i, indent) = (start..end).find_map(|i| {
                let l = lines[i];
                let t = l.trim_start();
                let indent = l.len() - t.len();
                let t = t.strip_prefix("- ").unwrap_or(t);
                let indent = if l.trim_start().starts_with("- ") { indent + 2 } else { indent };
                (indent >= min_indent
                    && [format!("{key}:"), format!("\"{key}\":"), format!("'{key}':")]
                        .iter()
                        .any(|k| t.starts_with(k.as_str())))
                .then_some((i, indent))
            })?;
            let colon = lines[i].find(':').unwrap_or(indent);
            let after = &lines[i][colon + 1..];
            let value_col = colon + 2 + (after.len() - after.trim_start().len());
            let width = after.trim().chars().count().max(1);
            found = Some((i + 1, value_col.min(lines[i].len().max(1)), width));
            start = i + 1;
            end = (start..end)
                .find(|&j| {
                    let l = lines[j];
                    !l.trim().is_empty() && l.len() - l.trim_start().len() <= indent
                })
                .unwrap_or(end);
            // the value may be inline (`key: value`)
            if lines[i].trim_end().len() > lines[i].find(':').unwrap_or(0) + 1 {
                start = i;
            }
            min_indent = indent + 1;
        }
        for idx in indexes.split(['[', ']']).filter(|s| !s.is_empty()) {
            let n: usize = idx.parse().ok()?;
            let items: Vec<usize> = (start..end)
                .filter(|&j| {
                    let l = lines[j];
                    let indent = l.len() - l.trim_start().len();
                    l.trim_start().starts_with("- ") && indent + 1 >= min_indent.saturating_sub(2)
                })
                .collect();
            let first_indent = items.first().map(|&j| lines[j].len() - lines[j].trim_start().len())?;
            let items: Vec<usize> = items
                .into_iter()
                .filter(|&j| lines[j].len() - lines[j].trim_start().len() == first_indent)
                .collect();
            let i = *items.get(n)?;
            let next = items.get(n + 1).copied().unwrap_or(end);
            found = Some((i + 1, first_indent + 3, lines[i].trim().len().saturating_sub(2).max(1)));
            start = i;
            end = next;
            min_indent = first_indent + 2;
        }
    }
    found
}

fn convert(src: &str, e: &serde_yaml::Error) -> YamlError {
    let (line, col) = e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
    // The parser writes its own positions into the text ("… at line 3 column 5, while parsing
    // a block mapping at line 2 column 1"), counted in the parsed block: a front matter's line
    // 3 is the file's line 4. The position is given apart, so the text drops them; where the
    // construct being read starts becomes a note, which callers shift like the line.
    let (raw, started) = strip_positions(&e.to_string());
    let (path, msg) = split_path(&raw);
    let mut err = YamlError {
        message: msg.to_string(),
        line,
        col,
        width: token_width(src, line, col),
        hint: None,
        notes: started
            .into_iter()
            .filter(|(_, l)| *l != line)
            .map(|(what, l)| format!("{what} starts on line {l}"))
            .collect(),
    };
    let at_key = |what: &str| -> String {
        match path {
            Some(p) => format!("{what} in `{p}`"),
            None => what.to_string(),
        }
    };
    if msg.starts_with(CUSTOM) {
        // placed by `parse` from the serde path
    } else if let Some(rest) = msg.strip_prefix("unknown field `") {
        let (name, expected) = split_name(rest);
        let allowed = backticked(expected);
        err.message = at_key(&format!("unknown key `{name}`"));
        err.width = name.chars().count();
        err.hint = Some(did_you_mean(name, &allowed, "keys"));
    } else if let Some(rest) = msg.strip_prefix("unknown variant `") {
        let (name, expected) = split_name(rest);
        let allowed = backticked(expected);
        err.message = match path {
            Some(p) => format!("invalid value `{name}` for `{p}`"),
            None => format!("invalid value `{name}`"),
        };
        err.width = name.chars().count();
        err.hint = Some(did_you_mean(name, &allowed, "values"));
    } else if let Some(rest) = msg.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        err.message = at_key(&format!("missing key `{name}`"));
        err.hint = Some(format!("add `{name}: …`"));
    } else if let Some(rest) =
        msg.strip_prefix("duplicate entry with key \"").or_else(|| msg.strip_prefix("duplicate field `"))
    {
        let name = rest.split(['"', '`']).next().unwrap_or(rest);
        err.message = at_key(&format!("duplicate key `{name}`"));
        let lines = key_lines(src, line, col, name);
        if let [first, second, ..] = lines[..] {
            err.line = second;
            err.col = col;
            err.width = name.chars().count();
            err.notes.push(format!("`{name}` is first set on line {first}"));
        }
        err.hint = Some("keep one of the two; YAML keys must be unique".into());
    } else if msg.contains("expected a boolean") {
        err.hint = Some("write `true` or `false` (yes/no/on/off are read as text)".into());
        err.message = at_key(&format!("not a boolean: {}", invalid_value(msg)));
    } else if msg.starts_with("invalid type:") {
        err.message = at_key(msg);
    } else if msg == "repetition limit exceeded" {
        err.message = "too many aliases: the document expands to a huge size".into();
        err.hint = Some("remove the `*alias` references that repeat anchors".into());
    } else if msg == "recursion limit exceeded" {
        err.message = "nesting is too deep".into();
        err.hint = Some("flatten the structure: at most 128 levels of lists and maps".into());
    } else if path.is_some() {
        err.message = at_key(msg);
    }
    err
}

/// Removes every " at line N column M" from a parser message. Returns the message and, for
/// each "while parsing X at line N …", the construct X and its line.
fn strip_positions(raw: &str) -> (String, Vec<(String, usize)>) {
    const AT: &str = " at line ";
    let mut out = String::with_capacity(raw.len());
    let mut started = Vec::new();
    let mut rest = raw;
    while let Some(i) = rest.find(AT) {
        let after = &rest[i + AT.len()..];
        let n_len = after.bytes().take_while(u8::is_ascii_digit).count();
        let Some(col) = after[n_len..].strip_prefix(" column ") else {
            out.push_str(&rest[..i + AT.len()]);
            rest = after;
            continue;
        };
        let c_len = col.bytes().take_while(u8::is_ascii_digit).count();
        if n_len == 0 || c_len == 0 {
            out.push_str(&rest[..i + AT.len()]);
            rest = after;
            continue;
        }
        let before = &rest[..i];
        out.push_str(before);
        // "…, while parsing a block mapping" + " at line 2 column 1"
        let line: usize = after[..n_len].parse().unwrap_or(0);
        if let Some(w) = before.rfind("while ")
            && let Some((_, what)) = before[w..].split_once(' ')
            && let Some((_, what)) = what.split_once(' ')
            && out.contains(", while ")
        {
            started.push((what.to_string(), line));
        }
        rest = &col[c_len..];
    }
    out.push_str(rest);
    (out, started)
}

/// serde_yaml prefixes messages with the path of the value, e.g. `sources[0].kind: …`.
fn split_path(raw: &str) -> (Option<&str>, &str) {
    if let Some((p, m)) = raw.split_once(": ") {
        let is_path = !p.is_empty()
            && !p.contains(' ')
            && p.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']'));
        if is_path {
            return (Some(p), m);
        }
    }
    (None, raw)
}

fn split_name(rest: &str) -> (&str, &str) {
    match rest.split_once('`') {
        Some((name, tail)) => (name, tail),
        None => (rest, ""),
    }
}

/// The words between backticks in serde's "expected one of `a`, `b`" lists.
fn backticked(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

fn did_you_mean(name: &str, allowed: &[&str], what: &str) -> String {
    match suggest(name, allowed.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None if allowed.is_empty() => format!("no {what} are allowed here"),
        None => format!("allowed {what}: {}", allowed.join(", ")),
    }
}

fn invalid_value(msg: &str) -> String {
    // `invalid type: string "no", expected a boolean`
    msg.split_once("string ")
        .and_then(|(_, t)| t.split_once(", expected"))
        .map(|(v, _)| v.to_string())
        .unwrap_or_else(|| msg.to_string())
}

/// Lines (1-based) at or after `from_line` where `key:` starts at column `col`.
fn key_lines(src: &str, from_line: usize, col: usize, key: &str) -> Vec<usize> {
    let quoted_d = format!("\"{key}\"");
    let quoted_s = format!("'{key}'");
    src.lines()
        .enumerate()
        .skip(from_line.saturating_sub(1))
        .filter_map(|(i, l)| {
            let rest = l.get(col.saturating_sub(1)..)?;
            let rest = rest.strip_prefix("- ").unwrap_or(rest);
            [key, quoted_d.as_str(), quoted_s.as_str()]
                .iter()
                .any(|k| rest.strip_prefix(k).is_some_and(|r| r.trim_start().starts_with(':')))
                .then_some(i + 1)
        })
        .collect()
}

/// Width of the token at (line, col): up to the next space, colon or comma.
fn token_width(src: &str, line: usize, col: usize) -> usize {
    src.lines()
        .nth(line.saturating_sub(1))
        .map(|l| {
            l.chars()
                .skip(col.saturating_sub(1))
                .take_while(|c| !matches!(c, ' ' | ':' | ',' | ']' | '}'))
                .count()
        })
        .unwrap_or(1)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Fm {
        title: Option<String>,
        draft: Option<bool>,
        extra: Option<BTreeMap<String, serde_json::Value>>,
        status: Option<Status>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "lowercase")]
    #[allow(dead_code)]
    enum Status {
        Deployed,
        Refused,
    }

    fn err(src: &str) -> YamlError {
        parse::<Fm>(src).unwrap_err()
    }

    #[test]
    fn unknown_key_suggests() {
        let e = err("title: a\ntitel: b\n");
        assert_eq!(e.message, "unknown key `titel`");
        assert_eq!((e.line, e.col, e.width), (2, 1, 5));
        assert_eq!(e.hint.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn duplicate_key_names_both_lines() {
        let e = err("title: a\ndraft: true\ntitle: b\n");
        assert_eq!(e.message, "duplicate key `title`");
        assert_eq!(e.line, 3);
        assert_eq!(e.notes, vec!["`title` is first set on line 1".to_string()]);
        let e = err("extra:\n  a: 1\n  b: 2\n  a: 3\n");
        assert_eq!(e.message, "duplicate key `a` in `extra`");
        assert_eq!(e.line, 4);
        assert_eq!(e.notes, vec!["`a` is first set on line 2".to_string()]);
    }

    #[test]
    fn yes_no_are_not_booleans() {
        let e = err("draft: no\n");
        assert_eq!(e.message, "not a boolean: \"no\" in `draft`");
        assert!(e.hint.unwrap().contains("`true` or `false`"));
    }

    #[test]
    fn invalid_variant_lists_values() {
        let e = err("status: deploy\n");
        assert_eq!(e.message, "invalid value `deploy` for `status`");
        assert_eq!(e.hint.as_deref(), Some("did you mean `deployed`?"));
        let e = err("status: zzz\n");
        assert_eq!(e.hint.as_deref(), Some("allowed values: deployed, refused"));
    }

    #[test]
    fn syntax_error_is_located() {
        let e = err("title: \"a\" x\n");
        assert_eq!(e.line, 1);
        assert!(e.message.contains("did not find expected key"), "{}", e.message);
    }

    #[test]
    fn messages_carry_no_position_of_their_own() {
        let e = err("title: a\ndraft: [true\nextra: 2\n");
        assert_eq!(e.line, 3);
        assert!(!e.message.contains("line"), "{}", e.message);
        assert_eq!(e.message, "did not find expected ',' or ']', while parsing a flow sequence");
        assert_eq!(e.notes, ["a flow sequence starts on line 2"]);
        assert_eq!(e.shifted(1).notes, ["a flow sequence starts on line 3"]);
        let (m, s) = strip_positions("x at line 3 column 5");
        assert_eq!((m.as_str(), s.len()), ("x", 0));
        let (m, _) = strip_positions("a value at line of sight");
        assert_eq!(m, "a value at line of sight");
    }

    #[test]
    fn alias_bomb_and_deep_nesting_fail_fast() {
        let mut bomb = String::from("a: &a [x,x]\n");
        let mut prev = 'a';
        for c in 'b'..='j' {
            bomb.push_str(&format!("{c}: &{c} [{}]\n", vec![format!("*{prev}"); 9].join(",")));
            prev = c;
        }
        let e = parse::<serde_json::Value>(&bomb).unwrap_err();
        assert!(e.message.contains("too many aliases"), "{}", e.message);
        let e = parse::<serde_json::Value>(&"[".repeat(10_000)).unwrap_err();
        assert_eq!(e.message, "nesting is too deep");
    }

    #[test]
    fn errors_from_custom_types_are_located_by_path() {
        #[derive(Debug)]
        struct Date;
        impl<'de> Deserialize<'de> for Date {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Err(custom(format!("invalid date `{s}`")))
            }
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Source {
            title: String,
            date: Option<Date>,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Record {
            name: String,
            sources: Vec<Source>,
        }
        let src = "name: x\nsources:\n  - title: a\n  - title: b\n    date: 2024-13-01\n";
        let e = parse::<Record>(src).unwrap_err();
        assert_eq!((e.line, e.col), (5, 11));
        assert_eq!(e.message, "invalid date `2024-13-01` (at `sources[1].date`)");
    }

    #[test]
    fn compact_output_leaves_out_empty_values() {
        #[derive(serde::Serialize)]
        struct R {
            insee: String,
            name: Option<String>,
            vendors: Vec<String>,
            since: String,
        }
        let r = R { insee: "01001".into(), name: None, vendors: vec![], since: "2024".into() };
        assert_eq!(to_string_compact(&r).unwrap(), "insee: '01001'\nsince: '2024'\n");
    }

    #[test]
    fn bom_is_ignored() {
        let v: Fm = parse("\u{feff}title: a\r\n").unwrap();
        assert_eq!(v.title.as_deref(), Some("a"));
    }
}
