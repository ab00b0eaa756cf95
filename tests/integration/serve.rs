//! `kitgen serve`: incremental rebuilds give exactly the bytes of a clean build.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use kitgen::config::Overrides;
use kitgen::pipeline::{self, BuildOptions};
use kitgen::serve::session::Session;

use crate::util::TestSite;

fn opts(root: &Path, out: PathBuf, cache: PathBuf) -> BuildOptions {
    BuildOptions {
        root: root.to_path_buf(),
        output: out,
        overrides: Overrides::default(),
        strict: false,
        render: kitgen::render::RenderOptions::serve(true),
        progress: false,
        cache_dir: Some(cache),
    }
}

/// Every file of a folder but kitgen's marker, with its bytes.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.file_name() != ".kitgen-output")
        .map(|e| {
            (e.path().strip_prefix(dir).unwrap().display().to_string(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    v.sort();
    v
}

#[track_caller]
fn same_as_clean(site: &TestSite, session: &Session, step: &str) {
    let clean = site.root().join(".clean-out");
    let _ = std::fs::remove_dir_all(&clean);
    pipeline::build(&opts(site.root(), clean.clone(), site.root().join(".cache-clean")))
        .unwrap_or_else(|e| panic!("{step}: clean build failed: {e:?}"));
    let (a, b) = (tree(session.output()), tree(&clean));
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "{step}: not the same files");
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{step}: {name} differs from a clean build");
    }
    std::fs::remove_dir_all(&clean).unwrap();
}

fn edit(
    site: &TestSite,
    session: &mut Session,
    rel: &str,
    content: Option<&str>,
    step: &str,
) -> kitgen::serve::session::Rebuilt {
    match content {
        Some(c) => {
            site.file(rel, c);
        }
        None => {
            site.remove(rel);
        }
    }
    let changed: HashSet<PathBuf> = [site.root().join(rel)].into();
    let r = session.rebuild(&changed, rel == "kitgen.yaml").unwrap_or_else(|e| panic!("{step}: {e:?}"));
    same_as_clean(site, session, step);
    r
}

#[test]
fn incremental_rebuilds_equal_clean_builds() {
    let site = TestSite::fixture("communes");
    let out = site.root().join(".serve-out");
    let mut session = Session::new(opts(site.root(), out, site.root().join(".cache-serve")));
    let first = session.rebuild(&HashSet::new(), true).unwrap();
    assert_eq!(first.rendered, first.outputs);
    same_as_clean(&site, &session, "first build");

    let r = edit(
        &site,
        &mut session,
        "content/fr/chapitres/deux.md",
        Some(
            "---\ntitle: \"Second chapitre\"\nweight: 2\ndate: 2026-11-28\n---\n## La suite {#suite}\n\nTexte modifié[^1].\n\n[^1]: Une source, 2023.\n",
        ),
        "chapter body",
    );
    // the page, its copy in English, and the pages showing its summary (section, neighbours)
    assert!(r.rendered <= 6, "a body edit re-renders what shows it: {}", r.rendered);
    edit(
        &site,
        &mut session,
        "content/fr/chapitres/deux.md",
        Some(
            "---\ntitle: \"Deuxième chapitre\"\nweight: 2\ndate: 2026-11-28\n---\n## La suite {#suite}\n\nTexte.\n",
        ),
        "chapter title",
    );
    edit(
        &site,
        &mut session,
        "content/fr/chapitres/trois.md",
        Some("---\ntitle: \"Trois\"\nweight: 3\n---\nVoir [un](@/chapitres/un.md#briques).\n"),
        "new page",
    );
    edit(
        &site,
        &mut session,
        "content/en/chapitres/un.md",
        Some(
            "---\ntitle: \"First\"\nweight: 1\nslug: first-renamed\n---\n## The blocks {#briques}\n\nSee [the second](@/chapitres/deux.md#suite).\n",
        ),
        "slug change",
    );
    edit(&site, &mut session, "content/fr/chapitres/trois.md", None, "page removed");
    let r = edit(
        &site,
        &mut session,
        "data/records/2A004-ajaccio.yaml",
        Some(
            "insee: \"2A004\"\nstatus: planned\nsources:\n  - title: \"Délibération\"\n    kind: council-deliberation\n    url: \"https://example.org/d\"\n",
        ),
        "record status",
    );
    assert!(
        r.rendered < r.outputs / 4,
        "a record edit re-renders what shows it: {} of {}",
        r.rendered,
        r.outputs
    );
    edit(
        &site,
        &mut session,
        "data/records/13001-aix.yaml",
        Some("insee: \"13001\"\nstatus: unknown\nlocal_group:\n  name: \"Groupe Aix\"\n"),
        "new record with a local group",
    );
    let marseille = std::fs::read_to_string(site.root().join("data/records/13055-marseille.yaml")).unwrap();
    edit(
        &site,
        &mut session,
        "data/records/13055-marseille.yaml",
        Some(
            &marseille
                .replace("Groupe Marseille", "Collectif marseillais")
                .replace("uncertain: [cameras]", "uncertain: [cameras, local_group]"),
        ),
        "a group's name, shown on the nearest communes' pages",
    );
    let r = edit(
        &site,
        &mut session,
        "data/records/13055-marseille.yaml",
        Some(
            &marseille
                .replace("Groupe Marseille", "Collectif marseillais")
                .replace("cameras: 1500", "cameras: 1600"),
        ),
        "a record's own fact",
    );
    assert!(r.rendered <= 16, "only what shows Marseille's cameras: {} outputs", r.rendered);
    edit(
        &site,
        &mut session,
        "i18n/fr.yaml",
        Some("footer:\n  made_with: \"Fabriqué autrement.\"\n"),
        "interface string",
    );
    edit(
        &site,
        &mut session,
        "themes/default/templates/partials/footer.html",
        Some("<footer class=\"site-footer\"><p>{{ t(key=\"footer.made_with\") }}</p></footer>\n"),
        "template",
    );
    let r = edit(
        &site,
        &mut session,
        "themes/default/static/css/site.css",
        Some("body { color: #111; }\n"),
        "stylesheet",
    );
    assert_eq!(r.css_only(), Some(vec!["/css/site.css".to_string()]), "{:?}", r.written);
    // A search page: its index appears and every French page's header links to it.
    edit(
        &site,
        &mut session,
        "content/fr/recherche.md",
        Some("---\ntitle: \"Rechercher\"\ntemplate: \"search.html\"\n---\n"),
        "a search page",
    );
    let r = edit(
        &site,
        &mut session,
        "content/fr/chapitres/un.md",
        Some("---\ntitle: \"Premier chapitre\"\nweight: 1\nslug: premier\n---\nMot-cherché.\n"),
        "a page the search indexes",
    );
    assert!(r.rendered <= 8, "the page, what shows it and the index: {}", r.rendered);
    edit(
        &site,
        &mut session,
        "kitgen.yaml",
        Some(
            &std::fs::read_to_string(site.root().join("kitgen.yaml"))
                .unwrap()
                .replace("Site de test", "Autre titre"),
        ),
        "config",
    );
}

#[test]
fn a_failed_rebuild_keeps_the_last_good_output() {
    let site = TestSite::fixture("minimal");
    let out = site.root().join(".serve-out");
    let mut session = Session::new(opts(site.root(), out.clone(), site.root().join(".cache-serve")));
    session.rebuild(&HashSet::new(), true).unwrap();
    let before = tree(&out);
    site.file("content/fr/chapitres/un.md", "---\ntitle: T\ntitel: x\n---\n");
    let err = session.rebuild(&[site.root().join("content/fr/chapitres/un.md")].into(), false).unwrap_err();
    assert!(format!("{err:?}").contains("unknown key `titel`"));
    assert_eq!(before, tree(&out));
    site.file(
        "content/fr/chapitres/un.md",
        "---\ntitle: \"Premier chapitre\"\nweight: 1\nslug: premier\n---\nRéparé.\n",
    );
    session.rebuild(&[site.root().join("content/fr/chapitres/un.md")].into(), false).unwrap();
    same_as_clean(&site, &session, "after the fix");
}

#[test]
fn an_edited_chapter_is_published_before_the_book_that_includes_it() {
    let site = TestSite::fixture("communes");
    site.file(
        "content/fr/chapitres/_index.md",
        "---\ntitle: \"Chapitres\"\nsort_by: weight\nextra:\n  book: true\n---\nLes chapitres.\n",
    );
    let out = site.root().join(".serve-out");
    let mut session = Session::new(opts(site.root(), out.clone(), site.root().join(".cache-serve")));
    let first = session
        .rebuild_then(&HashSet::new(), true, &mut |_| panic!("the first build publishes once"))
        .unwrap();
    assert!(first.after_pages.is_none());
    let book = out.join("downloads/fr/chapitres.pdf");
    let old_book = std::fs::read(&book).expect("the section is a book");

    site.file(
        "content/fr/chapitres/un.md",
        "---\ntitle: \"Premier chapitre\"\nweight: 1\n---\n\nUn texte revu.\n",
    );
    let changed: HashSet<PathBuf> = [site.root().join("content/fr/chapitres/un.md")].into();
    let mut published = Vec::new();
    let r = session
        .rebuild_then(&changed, false, &mut |pages| {
            // The page is on disk, the book not yet made again.
            let page = std::fs::read_to_string(out.join("fr/chapitres/un/index.html")).unwrap();
            assert!(page.contains("Un texte revu."), "the page is published first");
            assert_eq!(std::fs::read(&book).unwrap(), old_book, "the book comes after the pages");
            published = pages.written.clone();
        })
        .unwrap();
    assert!(published.iter().any(|p| p == "fr/chapitres/un/index.html"), "{published:?}");
    assert!(!published.iter().any(|p| p.ends_with(".pdf")), "{published:?}");
    let after = r.after_pages.clone().expect("the book came after the pages");
    assert!(after.iter().any(|p| p == "downloads/fr/chapitres.pdf"), "{after:?}");
    assert_ne!(std::fs::read(&book).unwrap(), old_book, "the book was made again");
    // The open page reloaded when the pages were published: no second reload for the PDF.
    assert_eq!(r.css_only(), Some(Vec::new()));
    assert!(r.written.len() >= published.len() + after.len());
    same_as_clean(&site, &session, "after a chapter edit published in two steps");
}
