//! From a URL path to a file under the output folder, or a refusal.
//!
//! Dev servers keep being broken by path tricks: `..`, its encodings, backslashes, drive letters,
//! symbolic links out of the root (see "Dev-server path traversal" in RELIABILITY.md). Deny-lists
//! of bad strings lose; this module resolves then contains instead. The path is percent-decoded
//! exactly once, segment by segment; a segment that is not a plain file name on this platform is
//! refused; the file is then looked up one component at a time from the output folder with
//! `symlink_metadata`, so the walk can neither climb out of the folder nor follow a link.
//!
//! What remains is a race with a local process that replaces a checked folder by a symbolic
//! link between the check and the open. Only a program already able to write into the output
//! folder can do that, and such a program can read the user's files anyway.

use std::fs::FileType;
use std::path::{Component, Path, PathBuf};

use percent_encoding::percent_decode_str;

/// Where a URL path leads.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Target {
    /// A regular file to send.
    File(PathBuf),
    /// A folder asked for without its trailing slash: redirect to this relative `Location`
    /// (`./name/`, never a URL that could name another host).
    Redirect(String),
}

/// Why a URL path is refused.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    /// The path can never name a file of the site (`..`, NUL, backslash, drive letter, `//`…).
    BadRequest(&'static str),
    /// The path is well formed but leads to nothing servable (missing, symlink, special file).
    NotFound,
}

/// A URL path split into decoded segments.
#[derive(Debug, PartialEq, Eq)]
struct Segments {
    /// Decoded, checked file names, from the root down.
    names: Vec<String>,
    /// The last raw (still encoded) segment, for the redirect of a folder without its slash.
    last_raw: String,
    /// Whether the path ends with `/`.
    trailing_slash: bool,
}

/// Splits and decodes the path of a request (`uri.path()`), checking every segment.
fn parse(raw: &str) -> Result<Segments, Refusal> {
    let rest = raw.strip_prefix('/').ok_or(Refusal::BadRequest("the path must start with /"))?;
    let mut segments = Segments { names: Vec::new(), last_raw: String::new(), trailing_slash: true };
    if rest.is_empty() {
        return Ok(segments);
    }
    let (rest, trailing_slash) = match rest.strip_suffix('/') {
        Some(r) => (r, true),
        None => (rest, false),
    };
    segments.trailing_slash = trailing_slash;
    for piece in rest.split('/') {
        // Decoded once: `%252e` becomes the literal name `%2e`, never `.`.
        let name = percent_decode_str(piece)
            .decode_utf8()
            .map_err(|_| Refusal::BadRequest("the path is not UTF-8"))?;
        check_name(&name)?;
        segments.names.push(name.into_owned());
        segments.last_raw = piece.to_owned();
    }
    Ok(segments)
}

/// Refuses a decoded segment unless it is a plain file name on this platform.
fn check_name(name: &str) -> Result<(), Refusal> {
    let bad = |why| Err(Refusal::BadRequest(why));
    if name.is_empty() {
        return bad("empty path segment");
    }
    if name == "." || name == ".." {
        return bad("dot segment");
    }
    if name.contains('\0') {
        return bad("NUL in path");
    }
    if name.contains(['/', '\\']) {
        return bad("backslash or encoded slash in path");
    }
    if name.chars().any(char::is_control) {
        return bad("control character in path");
    }
    // Drive letters (`c:`), alternate data streams (`a::$DATA`), URL schemes: kitgen never
    // writes a file whose name has a colon.
    if name.contains(':') {
        return bad("colon in path");
    }
    if cfg!(windows) && is_windows_special(name) {
        return bad("reserved file name");
    }
    // Whatever the checks above missed on some platform: the name must be one normal component.
    let mut components = Path::new(name).components();
    match (components.next(), components.next()) {
        (Some(Component::Normal(c)), None) if c == name => Ok(()),
        _ => bad("not a plain file name"),
    }
}

/// Names Windows treats as devices (`CON`, `nul.txt`, `COM1`) or silently trims (`a.`, `a `).
fn is_windows_special(name: &str) -> bool {
    if name.ends_with(['.', ' ']) {
        return true;
    }
    let stem = name.split('.').next().unwrap_or(name).trim_end().to_ascii_uppercase();
    let numbered = |prefix: &str| {
        stem.strip_prefix(prefix).is_some_and(|n| {
            matches!(n, "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³")
        })
    };
    matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$")
        || numbered("COM")
        || numbered("LPT")
}

/// The kind of an entry, never following a symbolic link; `None` when missing or unreadable.
fn kind(path: &Path) -> Option<FileType> {
    std::fs::symlink_metadata(path).ok().map(|m| m.file_type())
}

/// Resolves the path of a request under `root` (blocking: call it off the async threads).
///
/// `/` and `/x/` lead to `x/index.html`; a folder without its trailing slash to a redirect;
/// a symbolic link anywhere on the way, a missing entry or anything but a regular file to
/// [`Refusal::NotFound`].
pub(super) fn resolve(root: &Path, raw_path: &str) -> Result<Target, Refusal> {
    let segments = parse(raw_path)?;
    let mut path = root.to_path_buf();
    let count = segments.names.len();
    for (i, name) in segments.names.iter().enumerate() {
        path.push(name);
        let Some(kind) = kind(&path) else { return Err(Refusal::NotFound) };
        let last = i + 1 == count;
        if kind.is_symlink() || (!last && !kind.is_dir()) {
            return Err(Refusal::NotFound);
        }
        if last && kind.is_file() {
            return if segments.trailing_slash { Err(Refusal::NotFound) } else { Ok(Target::File(path)) };
        }
        if last && kind.is_dir() && !segments.trailing_slash {
            // Relative to the folder's own URL: `./name/` stays on this host, whatever the name.
            return Ok(Target::Redirect(format!("./{}/", segments.last_raw)));
        }
        if last && !kind.is_dir() {
            // FIFOs, sockets, devices: opening some of them blocks forever.
            return Err(Refusal::NotFound);
        }
    }
    path.push("index.html");
    match kind(&path) {
        Some(k) if k.is_file() => Ok(Target::File(path)),
        _ => Err(Refusal::NotFound),
    }
}

/// The site's own `404.html`, when it is a regular file at the root of the output.
pub(super) fn not_found_page(root: &Path) -> Option<PathBuf> {
    let path = root.join("404.html");
    kind(&path).is_some_and(|k| k.is_file()).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(raw: &str) -> Vec<String> {
        parse(raw).unwrap().names
    }

    fn refused(raw: &str) -> bool {
        matches!(parse(raw), Err(Refusal::BadRequest(_)))
    }

    #[test]
    fn plain_paths() {
        assert_eq!(names("/"), Vec::<String>::new());
        assert_eq!(names("/fr/brochure/"), ["fr", "brochure"]);
        assert_eq!(names("/css/site.1234abcd.css"), ["css", "site.1234abcd.css"]);
        assert_eq!(names("/caf%C3%A9/"), ["café"]);
        assert!(parse("/a/").unwrap().trailing_slash);
        assert!(!parse("/a").unwrap().trailing_slash);
    }

    #[test]
    fn decoded_once() {
        assert_eq!(names("/%252e%252e/etc/passwd"), ["%2e%2e", "etc", "passwd"]);
        assert_eq!(names("/%25%32%65"), ["%2e"]);
    }

    #[test]
    fn traversal_refused() {
        for raw in [
            "/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/%2E%2e/x",
            "/a/./b",
            "/a/%2e/b",
            "/..%5c..%5cetc%5cpasswd",
            "/a\\b",
            "/c:/windows/win.ini",
            "/C%3A/windows/win.ini",
            "/a/file::$DATA",
            "/%00",
            "/a%00.html",
            "//evil.example/",
            "/a//b",
            "/a%2fb",
            "/%ff",
            "*",
            "",
        ] {
            assert!(refused(raw), "{raw:?} should be refused");
        }
    }

    #[test]
    fn windows_names() {
        assert!(is_windows_special("CON"));
        assert!(is_windows_special("nul.txt"));
        assert!(is_windows_special("com1"));
        assert!(is_windows_special("a."));
        assert!(!is_windows_special("console.css"));
        assert!(!is_windows_special("index.html"));
    }

    #[test]
    fn redirect_is_relative() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("page")).unwrap();
        assert_eq!(resolve(dir.path(), "/page"), Ok(Target::Redirect("./page/".into())));
        assert_eq!(resolve(dir.path(), "/page/"), Err(Refusal::NotFound));
    }
}
