//! Issue 17: the user guide, `content/<lang>/documentation/` of the default site. Its
//! troubleshooting page must explain every diagnostic code kitgen can emit, in both
//! languages, and the site must build and pass `kitgen check --strict` with the guide.

use std::collections::BTreeSet;
use std::path::Path;

use crate::util::{TestSite, repo};

/// The guide's languages and the file of each one's troubleshooting page.
const TROUBLESHOOTING: [(&str, &str); 2] =
    [("fr", "content/fr/documentation/depannage.md"), ("en", "content/en/documentation/depannage.md")];

/// Every code written as a string literal (`"K301"`) in `src/`: what kitgen emits, plus the
/// table of `diag::codes` (which also holds K900, the internal error).
fn codes_in_sources() -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    let mut stack = vec![repo().join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                codes.extend(literal_codes(&std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    codes
}

/// The `"Kddd"` literals of a source file.
fn literal_codes(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(5))
        .filter(|&i| b[i] == b'"' && b[i + 1] == b'K' && b[i + 5] == b'"')
        .filter(|&i| b[i + 2..i + 5].iter().all(u8::is_ascii_digit))
        .map(|i| text[i + 1..i + 5].to_string())
        .collect()
}

/// The codes a troubleshooting page documents: its `### Kddd — … {#kddd}` headings.
fn documented(page: &str) -> Vec<String> {
    page.lines()
        .filter_map(|l| l.strip_prefix("### K"))
        .filter(|rest| rest.len() >= 3 && rest.as_bytes()[..3].iter().all(u8::is_ascii_digit))
        .map(|rest| format!("K{}", &rest[..3]))
        .collect()
}

#[test]
fn guide_troubleshooting_explains_every_code_in_both_languages() {
    let codes = codes_in_sources();
    assert!(codes.len() > 100, "only {} codes found in src/: is the scan broken?", codes.len());
    assert!(codes.contains("K201") && codes.contains("K981") && codes.contains("K900"));
    for (lang, file) in TROUBLESHOOTING {
        let page = std::fs::read_to_string(repo().join(file)).unwrap();
        let listed = documented(&page);
        let set: BTreeSet<String> = listed.iter().cloned().collect();
        assert_eq!(set.len(), listed.len(), "{file}: a code has two entries");
        let missing: Vec<&String> = codes.difference(&set).collect();
        assert!(missing.is_empty(), "{file} ({lang}) does not explain {missing:?}");
        let invented: Vec<&String> = set.difference(&codes).collect();
        assert!(invented.is_empty(), "{file} ({lang}) explains codes kitgen never emits: {invented:?}");
        for code in &codes {
            // Each entry can be linked to (`depannage.md#k301`) and shows a message as kitgen
            // prints it, `error[K301]: …` or `warning[K301]: …`.
            let anchor = format!("{{#{}}}", code.to_lowercase());
            assert!(page.contains(&anchor), "{file}: the entry of {code} has no `{anchor}` id");
            let example =
                page.contains(&format!("error[{code}]: ")) || page.contains(&format!("warning[{code}]: "));
            assert!(example, "{file}: the entry of {code} has no example message");
        }
    }
}

/// The pages of one language's guide, by file name.
fn guide_files(lang: &str) -> BTreeSet<String> {
    let dir = repo().join("content").join(lang).join("documentation");
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

#[test]
fn guide_is_written_in_both_languages() {
    let fr = guide_files("fr");
    assert!(fr.contains("_index.md") && fr.contains("depannage.md") && fr.len() >= 12, "{fr:?}");
    assert_eq!(fr, guide_files("en"), "the French and English guides have different pages");
}

#[test]
fn guide_builds_and_checks_strict_in_the_default_site() {
    let site = TestSite::campaign_without_communes();
    // `check` is a build in memory that also verifies links, anchors, orphans (K953) and
    // translations (K981): the guide must leave it clean.
    site.kitgen(&["check", "--strict"]).success();
    site.kitgen(&["build", "--strict"]).success();
    for page in [
        "fr/documentation/index.html",
        "fr/documentation/demarrer/index.html",
        "fr/documentation/depannage/index.html",
        "en/documentation/index.html",
        "en/documentation/getting-started/index.html",
        "en/documentation/troubleshooting/index.html",
    ] {
        assert!(site.out_exists(page), "{page} was not built");
    }
    // The section is in the main menu of every page, and the troubleshooting entries can be
    // linked to by code.
    for (home, label) in [("fr/index.html", ">Documentation<"), ("en/index.html", ">Documentation<")] {
        let html = site.out(home);
        assert!(html.contains("documentation/") && html.contains(label), "{home} has no link to the guide");
    }
    let fr = site.out("fr/documentation/depannage/index.html");
    assert!(fr.contains("id=k301") || fr.contains("id=\"k301\""), "no #k301 anchor in the French page");
    assert!(!Path::new(&site.root().join("public/fr/documentation/depannage.md")).exists());
}
