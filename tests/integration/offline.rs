//! The offline copy of each language as a ZIP (`family::offline`): what it holds, its links,
//! and the same bytes on every build.

use std::io::Read;
use std::path::Path;

use crate::util::TestSite;

const BASE: &str = "https://example.org/test/";

/// The communes fixture with the campaign's kit (so communes with a record get PDFs of their
/// own), a search page and an about page that links to the copy.
fn offline_site() -> TestSite {
    let site = TestSite::fixture("communes");
    let kits = crate::util::repo().join("kits");
    for e in walkdir::WalkDir::new(&kits).into_iter().flatten().filter(|e| e.file_type().is_file()) {
        let rel = e.path().strip_prefix(&kits).unwrap().to_str().unwrap().to_string();
        site.file(&format!("kits/{rel}"), std::fs::read(e.path()).unwrap());
    }
    site.file(
        "content/fr/recherche.md",
        "---\ntitle: \"Rechercher\"\nslug: recherche\ntemplate: \"search.html\"\n---\n",
    );
    site.file(
        "content/fr/a-propos.md",
        "---\ntitle: \"À propos\"\nslug: a-propos\nextra:\n  offline: true\n---\nLe site.\n",
    );
    site
}

fn entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).expect("a valid ZIP");
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            assert!(f.enclosed_name().is_some(), "{}", f.name().unwrap());
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().unwrap().to_string(), b)
        })
        .collect()
}

/// `href`/`src` values of a page (quoted or not).
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in [" href=", " src="] {
        for (i, _) in html.match_indices(attr) {
            let v = &html[i + attr.len()..];
            let value = match v.chars().next() {
                Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or(""),
                _ => v.split(|c: char| c.is_whitespace() || c == '>').next().unwrap_or(""),
            };
            out.push(value.to_string());
        }
    }
    out
}

/// `dir/../x/` → `x/`.
fn join(dir: &str, rel: &str) -> String {
    let mut segs: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                segs.pop();
            }
            p => segs.push(p),
        }
    }
    segs.join("/")
}

#[test]
fn the_offline_zip_of_a_language_links_inside_itself_or_to_the_published_site() {
    let site = offline_site();
    site.build().success();
    let zip = site.root().join("public/downloads/offline/site-de-test-fr.zip");
    let first = std::fs::read(&zip).unwrap_or_else(|e| panic!("{}: {e}", zip.display()));
    let files = entries(&zip);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let top = "site-de-test-fr/";
    assert!(names.iter().all(|n| n.starts_with(top)), "one top folder: {names:?}");
    for n in [
        "index.html",
        "fr/index.html",
        "fr/chapitres/premier/index.html",
        "fr/communes/index.html",
        "fr/communes/13055-marseille/index.html",
        "fr/a-propos/index.html",
        "LISEZMOI.txt",
        "fr/recherche/index.html",
        "search/pages-fr.json",
    ] {
        assert!(names.contains(&format!("{top}{n}").as_str()), "{n} not in {names:?}");
    }
    assert!(names.iter().any(|n| n.starts_with(&format!("{top}css/site.")) && n.ends_with(".css")));
    assert!(names.iter().any(|n| n.ends_with("-fr.pdf")), "the generic kit PDFs: {names:?}");
    // Not in it: other languages, communes without a record, a commune's own files, ZIPs, indexes.
    for (n, _) in &files {
        let rel = &n[top.len()..];
        assert!(!rel.starts_with("en/"), "{n}");
        assert!(!rel.contains("13001-aix-en-provence"), "no record, not in the copy: {n}");
        assert!(!(rel.contains("13055-marseille") && rel.ends_with(".pdf")), "a commune's own PDF: {n}");
        assert!(!rel.ends_with(".zip") && !rel.starts_with("search/n/"), "{n}");
    }
    // Every link of every page names a file of the copy or goes to the published site.
    let mut online = 0;
    for (n, bytes) in files.iter().filter(|(n, _)| n.ends_with(".html")) {
        let html = std::str::from_utf8(bytes).unwrap();
        let dir = n.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        for l in links(html) {
            if l.starts_with('#') || l.starts_with("mailto:") || l.starts_with("data:") {
                continue;
            }
            if l.starts_with(BASE) {
                online += 1;
                continue;
            }
            if l.contains("://") {
                continue; // a source, another site: as on the published site
            }
            let path = l.split(['#', '?']).next().unwrap();
            assert!(!path.ends_with('/') && !path.is_empty(), "{n}: a folder link: {l}");
            let target = join(dir, path);
            assert!(names.contains(&target.as_str()), "{n}: {l} leads to nothing in the copy ({target})");
        }
    }
    assert!(online > 0, "pages left out are linked on the published site");
    let marseille =
        &files.iter().find(|(n, _)| n.ends_with("fr/communes/13055-marseille/index.html")).unwrap().1;
    let marseille = std::str::from_utf8(marseille).unwrap();
    assert!(
        marseille.contains(&format!("{BASE}downloads/kits/fr/vsa/13055-marseille/")),
        "its PDFs are online"
    );
    // The about page links to the ZIP; English has its own.
    let about = site.out("fr/a-propos/index.html");
    assert!(about.contains(r#"href="../../downloads/offline/site-de-test-fr.zip""#), "{about}");
    assert!(site.out_exists("downloads/offline/site-de-test-en.zip"));
    // The same bytes from a second build from scratch, and from an offline build.
    std::fs::remove_dir_all(site.root().join("public")).unwrap();
    site.build().success();
    assert_eq!(first, std::fs::read(&zip).unwrap(), "the ZIP differs between two builds");
    site.kitgen(&["build", "--offline"]).success();
    assert_eq!(first, std::fs::read(&zip).unwrap(), "an offline build makes the same copy");
}
