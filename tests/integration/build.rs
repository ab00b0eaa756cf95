//! `kitgen build`: the core pipeline, its outputs and every bad input of issue 2.

use crate::util::TestSite;

#[test]
fn builds_pages_in_every_language() {
    let site = TestSite::fixture("minimal");
    let run = site.build();
    run.success();
    assert!(run.stderr.starts_with("kitgen: "), "one-line summary: {}", run.stderr);
    for p in [
        "fr/index.html",
        "en/index.html",
        "fr/chapitres/premier/index.html",
        "en/chapters/first/index.html",
        "index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
    ] {
        assert!(site.out_exists(p), "{p} missing");
    }
    let page = site.out("fr/chapitres/premier/index.html");
    assert!(page.contains("<html lang=\"fr\" dir=\"ltr\">"));
    // internal link resolved, relative, with its anchor
    assert!(page.contains("href=\"../deux/#suite\""), "{page}");
    // French typography in text, never in code or attributes
    assert!(page.contains("Qu’est-ce que c’est\u{202F}?"), "{page}");
    assert!(page.contains("Les «\u{202F}briques\u{202F}»"));
    // assets are fingerprinted and linked relatively
    assert!(regex_like(&page, "href=\"../../../css/site.", ".css\""), "{page}");
    // code highlighted with classes
    assert!(page.contains("class=\"hl-"));
}

fn regex_like(hay: &str, start: &str, end: &str) -> bool {
    hay.find(start).is_some_and(|i| hay[i + start.len()..].find(end).is_some_and(|j| j == 8))
}

#[test]
fn pages_load_nothing_from_other_hosts() {
    let site = TestSite::fixture("minimal");
    site.build().success();
    for (path, bytes) in site.snapshot("public") {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        assert!(html.contains("Content-Security-Policy"), "{path}: no CSP");
        assert!(html.contains("<meta name=\"referrer\" content=\"no-referrer\">"), "{path}");
        for attr in ["src=\"http", "src=\"//", "href=\"//"] {
            assert!(!html.contains(attr), "{path} loads from another host: {attr}");
        }
        for link in html.match_indices("<link ") {
            let tag = &html[link.0..html[link.0..].find('>').unwrap() + link.0];
            if tag.contains("stylesheet") || tag.contains("icon") {
                assert!(!tag.contains("http"), "{path}: {tag}");
            }
        }
        // Scripts only from the site itself, never inline (the CSP says `script-src 'self'`);
        // the root's language chooser has one, and works without it.
        for (at, _) in html.match_indices("<script") {
            let tag = &html[at..html[at..].find("</script>").unwrap() + at];
            assert!(tag.contains(" src=\"") && tag.ends_with('>'), "{path}: inline script {tag}");
            assert!(!tag.contains("src=\"http") && !tag.contains("src=\"//"), "{path}: {tag}");
            assert!(path == "index.html", "{path}: a script where none is needed: {tag}");
        }
    }
}

#[test]
fn two_builds_are_byte_identical_and_unchanged_files_keep_their_time() {
    let site = TestSite::fixture("minimal");
    site.build().success();
    let first = site.snapshot("public");
    let page = site.root().join("public/fr/index.html");
    let mtime = std::fs::metadata(&page).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(30));
    let run = site.build();
    run.success().stderr_has(" 0 written, 0 removed");
    assert_eq!(first, site.snapshot("public"));
    assert_eq!(std::fs::metadata(&page).unwrap().modified().unwrap(), mtime);
}

/// Sets every file of the site but the output to `secs` seconds ago, as if edited long before.
fn age_inputs(site: &TestSite, secs: u64) {
    let then = std::time::SystemTime::now() - std::time::Duration::from_secs(secs);
    for e in walkdir::WalkDir::new(site.root()).into_iter().flatten() {
        let rel = e.path().strip_prefix(site.root()).unwrap();
        if e.file_type().is_file() && !rel.starts_with("public") && !rel.starts_with(".kitgen-test-cache") {
            std::fs::File::options().write(true).open(e.path()).unwrap().set_modified(then).unwrap();
        }
    }
}

/// The output without the marker (which counts builds).
fn outputs(site: &TestSite) -> Vec<(String, Vec<u8>)> {
    site.snapshot("public").into_iter().filter(|(p, _)| p != ".kitgen-output").collect()
}

#[test]
fn a_build_with_nothing_changed_renders_nothing_and_any_change_is_seen() {
    let site = TestSite::fixture("minimal");
    age_inputs(&site, 3600);
    site.build().success();
    let first = outputs(&site);
    let page = site.root().join("public/fr/index.html");
    let mtime = std::fs::metadata(&page).unwrap().modified().unwrap();
    site.build().success().stderr_has(" 0 written, 0 removed (nothing changed since the last build)");
    assert!(first == outputs(&site), "the output changed");
    assert_eq!(std::fs::metadata(&page).unwrap().modified().unwrap(), mtime);

    // An output removed by hand: the build renders again and puts it back.
    std::fs::remove_file(site.root().join("public/fr/chapitres/deux/index.html")).unwrap();
    let run = site.build();
    run.success();
    assert!(!run.stderr.contains("nothing changed"), "{}", run.stderr);
    assert!(first == outputs(&site), "the output changed");

    // An input edited, even of the same size, long enough ago that the clock moved.
    let un = site.root().join("content/fr/chapitres/un.md");
    let text = std::fs::read_to_string(&un).unwrap();
    site.file("content/fr/chapitres/un.md", text.replacen("Voir", "Lire", 1));
    age_inputs(&site, 1800);
    let run = site.build();
    run.success();
    assert!(!run.stderr.contains("nothing changed"), "{}", run.stderr);
    assert!(first != outputs(&site), "the edit is not in the output");

    // Just edited: never skipped, whatever the clock says.
    site.file("content/fr/chapitres/un.md", &text);
    site.build().success();
    let run = site.build();
    run.success();
    assert!(!run.stderr.contains("nothing changed"), "{}", run.stderr);
    assert!(first == outputs(&site), "the output changed");

    // Another option is another build.
    age_inputs(&site, 60);
    site.build().success();
    site.build().success().stderr_has("nothing changed");
    let run = site.kitgen(&["build", "--no-minify"]);
    run.success();
    assert!(!run.stderr.contains("nothing changed"), "{}", run.stderr);
}

#[test]
fn warnings_are_reported_by_every_build() {
    let site = TestSite::fixture("minimal");
    site.file(
        "content/fr/chapitres/trois.md",
        "---\ntitle: \"Trois\"\n---\nUn [lien](https://exemple.org/ \"x\") et [mort](@/nulle-part.md).\n",
    );
    age_inputs(&site, 3600);
    let first = site.build();
    let second = site.build();
    assert_eq!(first.code, second.code);
    assert!(!second.stderr.contains("nothing changed"), "{}", second.stderr);
    assert_eq!(
        first.stderr.lines().filter(|l| l.starts_with("warning") || l.starts_with("error")).count(),
        second.stderr.lines().filter(|l| l.starts_with("warning") || l.starts_with("error")).count()
    );
}

#[test]
fn removed_pages_disappear_from_the_output() {
    let site = TestSite::fixture("minimal");
    site.build().success();
    assert!(site.out_exists("fr/chapitres/deux/index.html"));
    site.file("content/fr/chapitres/un.md", "---\ntitle: \"Un\"\n---\nTexte.\n");
    site.remove("content/fr/chapitres/deux.md");
    site.file("content/en/chapitres/un.md", "---\ntitle: \"One\"\n---\nText.\n");
    site.build().success().stderr_has("removed");
    assert!(!site.out_exists("fr/chapitres/deux/index.html"));
    assert!(!site.out_exists("fr/chapitres/deux"));
}

#[test]
fn every_bad_input_is_reported_at_once_and_nothing_is_written() {
    let site = TestSite::fixture("minimal");
    site.build().success();
    let before = site.snapshot("public");
    site.file("content/fr/yaml.md", "---\ntitle: \"x\" y\n---\n")
        .file("content/fr/unknown.md", "---\ntitle: T\ntitel: U\n---\n")
        .file("content/fr/dup.md", "---\ntitle: T\nweight: 1\ntitle: U\n---\n")
        .file("content/fr/draft.md", "---\ntitle: T\ndraft: no\n---\n")
        .file("content/fr/notpl.md", "---\ntitle: T\ntemplate: nope.html\n---\n")
        .file(
            "content/fr/link.md",
            "---\ntitle: T\n---\nVoir [x](@/rien.md) et [y](@/chapitres/deux.md#absente).\n",
        )
        .file("content/fr/utf8.md", b"---\ntitle: T\n---\nabc \xff\xfe\n".as_slice())
        .file("content/fr/same-a.md", "---\ntitle: A\nslug: meme\n---\n")
        .file("content/fr/same-b.md", "---\ntitle: B\nslug: meme\n---\n")
        .file("content/fr/empty.md", "---\ntitle: T\nslug: \"!!!\"\n---\n")
        .file("content/fr/path.md", "---\ntitle: T\nslug: \"../../x\"\n---\n")
        .file("content/fr/date.md", "---\ntitle: T\ndate: 2026-02-30\n---\n")
        .file("templates/broken.html", "{% if %}")
        .file("templates/self.html", "{% extends \"self.html\" %}");
    #[cfg(unix)]
    {
        let outside = site.root().parent().unwrap().join(format!("secret-{}.md", std::process::id()));
        std::fs::write(&outside, "---\ntitle: secret\n---\n").unwrap();
        std::os::unix::fs::symlink(&outside, site.root().join("content/fr/leak.md")).unwrap();
    }
    let run = site.build();
    run.failure(1);
    let e = &run.stderr;
    for needle in [
        "content/fr/yaml.md:2:",
        "content/fr/unknown.md:3:1: error[K202]: unknown key `titel`",
        "did you mean `title`?",
        "content/fr/dup.md:4:1: error[K202]: duplicate key `title`",
        "`title` is first set on line 2",
        "content/fr/draft.md:3:8: error[K202]: not a boolean: \"no\" in `draft`",
        "write `true` or `false`",
        "content/fr/notpl.md:3:1: error[K402]: template `nope.html` not found",
        "content/fr/link.md:4:6: error[K301]: link to `@/rien.md`: no such page",
        "content/fr/link.md:4:24: error[K313]: anchor `#absente` does not exist in content/fr/chapitres/deux.md",
        "content/fr/utf8.md:4:5: error[K003]: invalid UTF-8",
        "error[K211]: two pages have the URL /fr/meme/: content/fr/same-a.md and content/fr/same-b.md",
        "content/fr/empty.md:3:7: error[K203]: slug `!!!` is empty once made URL-safe",
        "content/fr/path.md:3:7: error[K203]: slug `../../x` is a path, not a URL segment",
        "content/fr/date.md:3:7: error[K202]: invalid date `2026-02-30`: 2026-02 has no day 30",
        "templates/broken.html:1:",
        "templates/self.html:1:1: error[K401]: template `self.html` extends itself",
        "content/fr/leak.md: error[K012]: symbolic link leads out of the site tree",
        "; nothing was written",
    ] {
        run.stderr_has(needle);
    }
    assert_eq!(e.matches("error[").count(), 15, "{e}");
    assert_eq!(before, site.snapshot("public"), "a failed build must leave public/ untouched");
}

#[test]
fn url_collisions_by_case_and_normalisation_are_errors() {
    let site = TestSite::fixture("minimal");
    site.file("content/fr/a.md", "---\ntitle: A\nslug: cafe\u{301}\n---\n");
    let run = site.build();
    // a combining accent is not a valid slug character at all
    run.failure(1).stderr_has("is not URL-safe");
    let site = TestSite::fixture("minimal");
    site.file("content/fr/Page.md", "---\ntitle: A\nslug: page\n---\n")
        .file("content/fr/page.md", "---\ntitle: B\n---\n");
    site.build().failure(1).stderr_has("two pages have the URL /fr/page/");
}

#[test]
fn config_errors_exit_2_with_location() {
    let site = TestSite::fixture("minimal");
    site.file("kitgen.yaml", "title: T\nbase_url: https://example.org/\ndefault_language: fr\nlanguages:\n  - code: fr\n    name: F\n    typografy: fr\n");
    site.build()
        .failure(2)
        .stderr_has("kitgen.yaml:7:5: error[K102]: unknown key `typografy` in `languages[0]`")
        .stderr_has("did you mean `typography`?");
    let site = TestSite::fixture("minimal");
    site.remove("kitgen.yaml");
    site.build().failure(2).stderr_has("cannot read kitgen.yaml");
}

#[test]
fn refuses_to_write_where_it_must_not() {
    let site = TestSite::fixture("minimal");
    for out in [".", "..", "content", "content/fr"] {
        site.kitgen(&["build", "--output", out]).failure(2).stderr_has("refusing to write into");
    }
    site.file("elsewhere/notes.txt", "keep me");
    site.kitgen(&["build", "--output", "elsewhere"]).failure(2).stderr_has("was not created by kitgen");
    assert_eq!(std::fs::read_to_string(site.root().join("elsewhere/notes.txt")).unwrap(), "keep me");
    site.kitgen(&["build", "--output", "fresh"]).success();
    assert!(site.root().join("fresh/.kitgen-output").is_file());
}

#[test]
fn sitemap_robots_404_and_language_chooser() {
    let site = TestSite::fixture("minimal");
    site.build().success();
    let sitemap = site.out("sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/test/fr/chapitres/premier/</loc>"));
    assert!(sitemap.contains("hreflang=\"en\" href=\"https://example.org/test/en/chapters/first/\""));
    assert!(site.out("robots.txt").contains("Sitemap: https://example.org/test/sitemap.xml"));
    let root = site.out("index.html");
    // Issue 18: no blind redirect to the default language; every language offered in its own
    // words, a script only to put the browser's language first, and no cookie.
    assert!(!root.contains("http-equiv=\"refresh\""), "{root}");
    assert!(root.contains("href=\"fr/\"") && root.contains("href=\"en/\""), "{root}");
    assert!(root.contains("<li lang=\"en\" dir=\"ltr\" data-lang=\"en\">"), "{root}");
    assert!(
        root.contains("Enter the site in English") && root.contains("Entrer sur le site en français"),
        "{root}"
    );
    assert!(root.contains("<script src=\"js/root."), "{root}");
    assert!(!root.to_lowercase().contains("cookie"), "{root}");
    let nf = site.out("404.html");
    // served at any depth: absolute links
    assert!(nf.contains("href=\"/test/fr/\""), "{nf}");
    assert!(nf.contains("href=\"/test/css/site."), "{nf}");
}

#[test]
fn raw_html_is_sanitised_and_unsafe_links_rejected() {
    let site = TestSite::fixture("minimal");
    site.file("content/fr/html.md", "---\ntitle: \"\\\"><img src=x onerror=alert(1)>\"\n---\n<iframe src=\"https://evil.example\"></iframe>\n\n<p onclick=\"x()\">ok</p>\n");
    let run = site.build();
    run.success()
        .stderr_has("warning[K310]: raw HTML `<iframe>` is removed")
        .stderr_has("event handler `onclick`");
    let page = site.out("fr/html/index.html");
    assert!(!page.contains("<iframe") && !page.contains("onclick") && !page.contains("<img src=x"), "{page}");
    assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"), "title escaped: {page}");
    site.file("content/fr/js.md", "---\ntitle: T\n---\n[x](javascript:alert(1))\n");
    site.build()
        .failure(1)
        .stderr_has("content/fr/js.md:4:1: error[K302]: link with `javascript:` is not allowed");
}

/// Issue 18: top-level pages can join the main menu (the glossary, "about"), after the
/// sections; a section whose text lists its pages can leave out the list below it.
#[test]
fn top_level_pages_join_the_menu_and_a_section_can_omit_its_list() {
    let site = TestSite::fixture("minimal");
    site.file("content/fr/glossaire.md", "---\ntitle: \"Glossaire\"\nmenu: true\n---\nMots.\n");
    site.file("content/fr/mentions.md", "---\ntitle: \"Mentions\"\n---\nTexte.\n");
    site.build().success();
    let home = site.out("fr/index.html");
    let start = home.find("<nav class=\"menu\"").unwrap();
    let menu = &home[start..home[start..].find("</nav>").unwrap() + start];
    let (chapters, glossary) = (menu.find(">Chapitres<"), menu.find(">Glossaire<"));
    assert!(chapters.is_some() && glossary.is_some(), "{menu}");
    assert!(chapters < glossary, "sections first: {menu}");
    assert!(!menu.contains("Mentions"), "only pages that ask for it: {menu}");
    let section = site.out("fr/chapitres/index.html");
    assert!(section.contains("<ol class=\"list\">"), "{section}");

    let index = std::fs::read_to_string(site.root().join("content/fr/chapitres/_index.md")).unwrap();
    site.file("content/fr/chapitres/_index.md", index.replacen("---\n", "---\nextra:\n  list: false\n", 1));
    site.build().success();
    let section = site.out("fr/chapitres/index.html");
    assert!(!section.contains("<ol class=\"list\">"), "{section}");
}
