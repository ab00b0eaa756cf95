//! The start tags of a page and the spans of their attributes, for rewriting links without a
//! full HTML parser. The offline copy packs every page of a language, and reading each one
//! again with lol_html cost as much as deflating it; this scanner follows the tokenizer states
//! of the HTML standard that minified pages use (text, start and end tags with quoted or
//! unquoted attribute values, comments, doctype, raw text elements) and gives up on anything
//! else, so the caller falls back to lol_html:
//!
//! - a raw text element (`script`, `style`, `title`, `textarea`, …) whose content holds a `<`
//!   other than its end tag: there, the tokens depend on the tree (foreign content, script
//!   escapes), which a scanner does not know; without one, both readings give the same tokens;
//! - CDATA sections, `<plaintext>`, a self-closing raw text element, a tag or comment cut by the end of the
//!   page, quotes in a doctype.

use memchr::{memchr, memchr2, memmem};

/// Elements whose content is not read as tags (in HTML content).
const RAW_TEXT: &[&[u8]] =
    &[b"script", b"style", b"title", b"textarea", b"xmp", b"iframe", b"noembed", b"noframes", b"noscript"];

/// One attribute of a start tag, as spans of the page.
#[derive(Debug, Clone, Copy)]
pub(super) struct Attr {
    /// From the name's first byte to the value's last (its closing quote included).
    pub raw: (usize, usize),
    /// The name.
    pub name: (usize, usize),
    /// The value, without quotes (empty for an attribute without one).
    pub value: (usize, usize),
}

/// A start tag.
#[derive(Debug, Default)]
pub(super) struct Tag {
    /// From `<` to `>` included.
    pub span: (usize, usize),
    /// The name, as written.
    pub name: (usize, usize),
    /// Its attributes, in order.
    pub attrs: Vec<Attr>,
    /// Whether it ends with `/>`.
    pub self_closing: bool,
}

/// Why the scanner gave up (the caller reads the page with a full parser instead).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct GiveUp;

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0C' | b'\r')
}

/// Calls `on_tag` for every start tag of `html`, in order. The same `Tag` is reused.
pub(super) fn each_start_tag(
    html: &[u8],
    mut on_tag: impl FnMut(&Tag) -> Result<(), GiveUp>,
) -> Result<(), GiveUp> {
    let mut tag = Tag::default();
    let mut i = 0;
    while let Some(lt) = memchr(b'<', &html[i..]) {
        let lt = i + lt;
        let next = html.get(lt + 1).copied();
        i = match next {
            Some(b) if b.is_ascii_alphabetic() => {
                let end = start_tag(html, lt, &mut tag)?;
                on_tag(&tag)?;
                let name = &html[tag.name.0..tag.name.1];
                if name.eq_ignore_ascii_case(b"plaintext") {
                    return Err(GiveUp);
                }
                match RAW_TEXT.iter().find(|r| r.eq_ignore_ascii_case(name)) {
                    // `<script/>` is raw text in HTML and empty in SVG.
                    Some(_) if tag.self_closing => return Err(GiveUp),
                    Some(raw) => raw_text_end(html, end, raw)?,
                    None => end,
                }
            }
            Some(b'/') => match html.get(lt + 2) {
                Some(b) if b.is_ascii_alphabetic() => start_tag(html, lt + 1, &mut tag)?,
                Some(b'>') => lt + 3,
                Some(_) => bogus_comment(html, lt + 2)?,
                None => return Err(GiveUp),
            },
            Some(b'!') => {
                let rest = &html[lt + 2..];
                if rest.starts_with(b"--") {
                    comment(html, lt + 4)?
                } else if rest.starts_with(b"[") {
                    return Err(GiveUp);
                } else {
                    bogus_comment(html, lt + 2)?
                }
            }
            Some(b'?') => bogus_comment(html, lt + 1)?,
            _ => lt + 1,
        };
    }
    Ok(())
}

/// Reads the tag whose name starts after `html[lt]` (`<`, or the `/` of an end tag) into
/// `tag`; returns the offset after its `>`.
fn start_tag(html: &[u8], lt: usize, tag: &mut Tag) -> Result<usize, GiveUp> {
    let n = html.len();
    let mut i = lt + 1;
    let name_start = i;
    while i < n && !is_space(html[i]) && html[i] != b'/' && html[i] != b'>' {
        i += 1;
    }
    tag.name = (name_start, i);
    tag.attrs.clear();
    tag.self_closing = false;
    loop {
        // Before an attribute's name.
        while i < n && is_space(html[i]) {
            i += 1;
        }
        match html.get(i) {
            None => return Err(GiveUp),
            Some(b'>') => break,
            Some(b'/') => {
                if html.get(i + 1) == Some(&b'>') {
                    tag.self_closing = true;
                    i += 1;
                    break;
                }
                i += 1;
                continue;
            }
            Some(_) => {}
        }
        // The name: its first byte may be `=`.
        let start = i;
        i += 1;
        while i < n && !is_space(html[i]) && !matches!(html[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let name = (start, i);
        let mut j = i;
        while j < n && is_space(html[j]) {
            j += 1;
        }
        if html.get(j) != Some(&b'=') {
            tag.attrs.push(Attr { raw: name, name, value: (i, i) });
            continue;
        }
        j += 1;
        while j < n && is_space(html[j]) {
            j += 1;
        }
        let (value, end) = match html.get(j) {
            None => return Err(GiveUp),
            // `name=>`: an empty value, and the tag ends.
            Some(b'>') => ((j, j), j),
            Some(&q @ (b'"' | b'\'')) => {
                let close = j + 1 + memchr(q, &html[j + 1..]).ok_or(GiveUp)?;
                ((j + 1, close), close + 1)
            }
            Some(_) => {
                let mut k = j;
                while k < n && !is_space(html[k]) && html[k] != b'>' {
                    k += 1;
                }
                ((j, k), k)
            }
        };
        tag.attrs.push(Attr { raw: (start, end), name, value });
        i = end;
    }
    tag.span = (lt, i + 1);
    Ok(i + 1)
}

/// The offset after the end tag of raw text element `name` whose content starts at `from`.
fn raw_text_end(html: &[u8], from: usize, name: &[u8]) -> Result<usize, GiveUp> {
    let lt = from + memchr(b'<', &html[from..]).ok_or(GiveUp)?;
    let rest = &html[lt..];
    let closes = rest.len() > name.len() + 2
        && rest[1] == b'/'
        && rest[2..2 + name.len()].eq_ignore_ascii_case(name)
        && matches!(rest[2 + name.len()], b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\x0C' | b'\r');
    if !closes {
        return Err(GiveUp);
    }
    // The end tag itself (attributes in an end tag are read and dropped).
    start_tag(html, lt + 1, &mut Tag::default())
}

/// The offset after a comment whose text starts at `from` (after `<!--`).
fn comment(html: &[u8], from: usize) -> Result<usize, GiveUp> {
    let rest = &html[from..];
    // `<!-->` and `<!--->` end at once.
    if rest.starts_with(b">") {
        return Ok(from + 1);
    }
    if rest.starts_with(b"->") {
        return Ok(from + 2);
    }
    // `--!>` also ends a comment: give up on a comment that holds one rather than read it.
    let end = memmem::find(rest, b"-->").ok_or(GiveUp)?;
    if memmem::find(&rest[..end], b"--!>").is_some() {
        return Err(GiveUp);
    }
    Ok(from + end + 3)
}

/// The offset after the `>` that ends a doctype or bogus comment starting at `from`.
fn bogus_comment(html: &[u8], from: usize) -> Result<usize, GiveUp> {
    // A doctype's quoted identifiers may hold `>` in theory: a scanner gives up on quotes.
    let gt = from + memchr(b'>', &html[from..]).ok_or(GiveUp)?;
    if memchr2(b'"', b'\'', &html[from..gt]).is_some() {
        return Err(GiveUp);
    }
    Ok(gt + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(html: &str) -> Result<Vec<String>, GiveUp> {
        let mut out = Vec::new();
        let s = |r: (usize, usize)| &html[r.0..r.1];
        each_start_tag(html.as_bytes(), |t| {
            let attrs: Vec<String> =
                t.attrs.iter().map(|a| format!("{}={}|{}", s(a.name), s(a.value), s(a.raw))).collect();
            out.push(format!("{}[{}]{}", s(t.name), attrs.join(" "), if t.self_closing { "/" } else { "" }));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn quoted_unquoted_and_bare_attributes() {
        assert_eq!(
            tags(r#"<!doctype html><html lang=fr><a href=../a/ class="x y" hidden data-x='1>2'>t</a><br/>"#)
                .unwrap(),
            [
                "html[lang=fr|lang=fr]",
                "a[href=../a/|href=../a/ class=x y|class=\"x y\" hidden=|hidden data-x=1>2|data-x='1>2']",
                "br[]/",
            ]
        );
        assert_eq!(tags("<img src = x alt=>").unwrap(), ["img[src=x|src = x alt=|alt=]"]);
    }

    #[test]
    fn text_comments_and_raw_text_are_not_tags() {
        assert_eq!(
            tags("a < b <!-- <a href=x> --> <style>p{}</style><script>x=1</script ><p>").unwrap(),
            ["style[]", "script[]", "p[]"]
        );
        assert_eq!(
            tags("<title>a&amp;b</title><svg><title>t</title></svg>").unwrap(),
            ["title[]", "svg[]", "title[]"]
        );
    }

    #[test]
    fn what_a_scanner_cannot_tell_gives_up() {
        for page in [
            "<script>if(a<b)x()</script>",
            "<script><!--<script>x</script>--></script>",
            "<svg><style><a href=x></a></style></svg>",
            "<svg><![CDATA[<a href=x>]]></svg>",
            "<a href=x",
            "<a href=\"x>",
            "<!-- a --!> <a href=x> -->",
            "<!DOCTYPE html PUBLIC \"a>b\">",
            "<script/><a href=x>",
            "<plaintext><a href=x>",
        ] {
            assert_eq!(tags(page), Err(GiveUp), "{page}");
        }
    }
}
