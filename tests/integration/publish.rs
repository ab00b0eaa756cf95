//! Publishing (issue 16): Atom feeds, sharing metadata and cards, header files for static
//! hosts, and an output whose every link resolves, served at a sub-path or opened from disk
//! after `--offline`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::util::TestSite;

const BASE: &str = "https://example.org/campagne/";

/// The values of `attr="…"` in an HTML text (the output quotes every attribute unminified).
fn attrs<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let start = i + needle.len();
            html[start..].find('"').map(|end| &html[start..start + end])
        })
        .collect()
}

fn html_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.into_path())
        .collect();
    v.sort();
    v
}

/// Follows every internal `href`/`src` of every page from the page's folder, as a browser does
/// from `file://` (`offline`: a link must name a file) or from a web server at any sub-path
/// (a folder URL is served by its `index.html`). Returns the problems.
fn crawl(out: &Path, offline: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let mut reached = BTreeSet::new();
    for page in html_files(out) {
        let html = std::fs::read_to_string(&page).unwrap();
        let rel_page = page.strip_prefix(out).unwrap().display().to_string();
        for url in attrs(&html, "href").into_iter().chain(attrs(&html, "src")) {
            if url.starts_with("https://") || url.starts_with("mailto:") || url.starts_with('#') {
                continue;
            }
            if url.starts_with("http:") || url.starts_with("//") {
                problems.push(format!("{rel_page}: link to another host: {url}"));
                continue;
            }
            let path = url.split(['#', '?']).next().unwrap();
            let target = if let Some(site_path) = path.strip_prefix("/campagne/") {
                // The 404 page, served at any depth, links from the site's path.
                assert!(rel_page == "404.html" && !offline, "{rel_page}: root-absolute link {url}");
                out.join(site_path)
            } else if path.starts_with('/') {
                problems.push(format!("{rel_page}: root-absolute link {url} breaks under a sub-path"));
                continue;
            } else {
                page.parent().unwrap().join(path)
            };
            let file = if target.is_dir() {
                if offline {
                    problems.push(format!(
                        "{rel_page}: {url} names a folder: a browser shows a listing from file://"
                    ));
                    continue;
                }
                target.join("index.html")
            } else {
                target
            };
            if !file.is_file() {
                problems.push(format!("{rel_page}: {url} leads to nothing"));
            } else {
                reached.insert(std::fs::canonicalize(&file).unwrap());
            }
        }
    }
    // Every page is reachable from another one (the root chooser is the entry).
    for page in html_files(out) {
        let rel = page.strip_prefix(out).unwrap().display().to_string();
        if rel != "index.html"
            && rel != "404.html"
            && !reached.contains(&std::fs::canonicalize(&page).unwrap())
        {
            problems.push(format!("no page links to {rel}"));
        }
    }
    problems
}

#[test]
fn publish_feeds_are_valid_atom_with_absolute_urls() {
    let site = TestSite::fixture("publish");
    site.build().success();
    let xml = site.out("fr/actualites/atom.xml");
    let doc = roxmltree::Document::parse(&xml).expect("the feed is well-formed XML");
    let feed = doc.root_element();
    const ATOM: &str = "http://www.w3.org/2005/Atom";
    assert_eq!((feed.tag_name().namespace(), feed.tag_name().name()), (Some(ATOM), "feed"));
    assert_eq!(child(feed, "id").text(), Some("https://example.org/campagne/fr/actualites/"));
    assert_eq!(child(feed, "updated").text(), Some("2026-11-15T08:30:00Z"), "the newest entry's date");
    assert!(child(child(feed, "author"), "name").text().is_some());
    let self_link = feed
        .children()
        .find(|c| c.tag_name().name() == "link" && c.attribute("rel") == Some("self"))
        .unwrap();
    assert_eq!(self_link.attribute("href"), Some("https://example.org/campagne/fr/actualites/atom.xml"));

    let entries: Vec<_> = feed.children().filter(|c| c.tag_name().name() == "entry").collect();
    assert_eq!(entries.len(), 2);
    let ids: Vec<&str> = entries.iter().map(|e| child(*e, "id").text().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "https://example.org/campagne/fr/actualites/second/",
            "https://example.org/campagne/fr/actualites/lancement/"
        ],
        "newest first, ids are absolute URLs"
    );
    for e in &entries {
        chrono_like(child(*e, "updated").text().unwrap());
        let alt = e.children().find(|c| c.tag_name().name() == "link").unwrap();
        assert_eq!(alt.attribute("rel"), Some("alternate"));
        assert!(alt.attribute("href").unwrap().starts_with(BASE));
        let content = child(*e, "content");
        assert_eq!(content.attribute("type"), Some("html"));
        // The HTML, once unescaped by the XML parser, links only to absolute URLs.
        let html = content.text().unwrap();
        for href in attrs(html, "href") {
            assert!(href.starts_with(BASE), "relative link {href} in a feed entry");
        }
    }
    let first = child(entries[1], "content").text().unwrap();
    assert!(first.contains("href=\"https://example.org/campagne/fr/guide/#etapes\""), "{first}");
    assert!(first.contains("href=\"https://example.org/campagne/fr/actualites/lancement/#fn-a\""), "{first}");
    assert_eq!(child(entries[1], "title").text().map(|t| t.contains("& suite")), Some(true));

    // The English feed has the English news only.
    let en = site.out("en/news/atom.xml");
    roxmltree::Document::parse(&en).unwrap();
    assert_eq!(en.matches("<entry>").count(), 1, "{en}");
    // Feeds are files, not pages: the sitemap lists pages only.
    assert!(!site.out("sitemap.xml").contains("atom.xml"));
}

/// The child element `name` of `n`.
fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> roxmltree::Node<'a, 'i> {
    n.children().find(|c| c.tag_name().name() == name).unwrap_or_else(|| panic!("no <{name}>"))
}

/// `2026-11-15T08:30:00Z`.
fn chrono_like(s: &str) {
    let b = s.as_bytes();
    assert!(s.len() == 20 && b[4] == b'-' && b[10] == b'T' && s.ends_with('Z'), "not an RFC 3339 date: {s}");
}

#[test]
fn publish_outputs_are_deterministic() {
    let site = TestSite::fixture("publish");
    site.build().success();
    site.kitgen(&["build", "-o", "again"]).success();
    let a = site.snapshot("public");
    let b = site.snapshot("again");
    assert_eq!(a.len(), b.len());
    for ((pa, ba), (pb, bb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{pa} differs between two builds");
    }
    assert!(a.iter().any(|(p, _)| p == "fr/actualites/atom.xml"));
    assert!(a.iter().any(|(p, _)| p == "share/card-fr.png"));
}

#[test]
fn publish_pages_have_sharing_meta_and_announce_feeds() {
    let site = TestSite::fixture("publish");
    site.build().success();
    let page = site.out("en/guide/index.html");
    for needle in [
        "<meta property=\"og:title\" content=\"The guide\">",
        "<meta property=\"og:description\" content=\"How to act, step by step.\">",
        "<meta property=\"og:url\" content=\"https://example.org/campagne/en/guide/\">",
        "<meta property=\"og:type\" content=\"website\">",
        "<meta property=\"og:locale\" content=\"en_GB\">",
        "<meta property=\"og:locale:alternate\" content=\"fr_FR\">",
        "<meta property=\"og:image\" content=\"https://example.org/campagne/share/card-en.png\">",
        "<meta name=\"twitter:card\" content=\"summary_large_image\">",
        "<meta name=\"fediverse:creator\" content=\"@campagne@mamot.example\">",
        "<link rel=\"canonical\" href=\"https://example.org/campagne/en/guide/\">",
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"News · Test site\" href=\"../news/atom.xml\">",
    ] {
        assert!(page.contains(needle), "lacks {needle}:\n{page}");
    }
    // Every page of the language announces the feed, the home and the 404 page too.
    assert!(site.out("fr/index.html").contains("href=\"actualites/atom.xml\""));
    assert!(site.out("404.html").contains("application/atom+xml"));
    let article = site.out("fr/actualites/lancement/index.html");
    assert!(article.contains("<meta property=\"og:type\" content=\"article\">"));
    assert!(article.contains("<meta property=\"article:published_time\" content=\"2026-10-01T00:00:00Z\">"));

    // Share links: e-mail and the address to copy; no script, no other host.
    assert!(article.contains("href=\"mailto:?subject=Premier%20article"), "{article}");
    assert!(article.contains("<input id=\"share-url\" type=\"url\" value=\"https://example.org/campagne/fr/actualites/lancement/\" readonly>"));
    for html in [&page, &article] {
        for src in attrs(html, "src") {
            assert!(!src.contains("://"), "loads {src} from another host");
        }
        assert!(!html.contains("utm_"), "tracking parameter");
    }

    // The card: a 1200 × 630 PNG.
    let png = std::fs::read(site.root().join("public/share/card-en.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((w, h), (1200, 630));
}

#[test]
fn publish_header_files_for_static_hosts() {
    let site = TestSite::fixture("publish");
    site.build().success();
    let headers = site.out("_headers");
    assert!(headers.starts_with("# Made by kitgen"));
    assert!(headers.contains("/campagne/*\n  Content-Security-Policy: default-src 'none';"), "{headers}");
    assert!(headers.contains("Referrer-Policy: no-referrer"));
    assert!(headers.contains("X-Content-Type-Options: nosniff"));
    assert!(headers.contains("Permissions-Policy: "));
    let css =
        headers.lines().find(|l| l.starts_with("/campagne/css/site.")).expect("the stylesheet is cached");
    assert!(site.out_exists(css.trim_start_matches("/campagne/")), "{css}");
    let htaccess = site.out(".htaccess");
    assert!(htaccess.contains("Header always set Content-Security-Policy"));
    assert!(htaccess.contains("ErrorDocument 404 /campagne/404.html"));
    // The pages' own policy is the same, bar what only a header can say.
    let meta = site.out("fr/index.html");
    let csp = meta
        .split("http-equiv=\"Content-Security-Policy\" content=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(
        headers.contains(&format!("{csp}; frame-ancestors 'none'")),
        "the header's CSP differs from the page's"
    );
    assert!(meta.contains("<meta name=\"referrer\" content=\"no-referrer\">"));
    // A second build keeps them, untouched.
    site.build().success();
    assert!(site.out_exists(".htaccess"));
}

#[test]
fn publish_every_link_resolves_under_a_sub_path() {
    let site = TestSite::fixture("publish");
    site.build().success();
    let problems = crawl(&site.root().join("public"), false);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn publish_offline_links_name_index_html() {
    let site = TestSite::fixture("publish");
    site.kitgen(&["build", "--offline", "-o", "usb"]).success();
    let out = site.root().join("usb");
    let problems = crawl(&out, true);
    assert!(problems.is_empty(), "{problems:#?}");
    let root = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(root.contains("href=\"fr/index.html\""), "the chooser names the file:\n{root}");
    let page = std::fs::read_to_string(out.join("fr/actualites/lancement/index.html")).unwrap();
    assert!(page.contains("href=\"../../guide/index.html#etapes\""), "{page}");
    // Absolute URLs (canonical, feeds) are still those of the published site.
    assert!(
        page.contains(
            "<link rel=\"canonical\" href=\"https://example.org/campagne/fr/actualites/lancement/\">"
        )
    );
}

#[test]
fn publish_feed_problems_are_reported() {
    let site = TestSite::fixture("publish");
    site.file("content/fr/actualites/sans-date.md", "---\ntitle: \"Sans date\"\n---\n\nTexte.\n");
    site.build().success().stderr_has("K842").stderr_has("content/fr/actualites/sans-date.md");
    assert!(!site.out("fr/actualites/atom.xml").contains("Sans date"));
    site.file(
        "content/en/actualites/_index.md",
        "---\ntitle: \"News\"\nslug: \"news\"\nextra:\n  feed: \"yes\"\n---\n",
    );
    site.build().failure(1).stderr_has("K841").stderr_has("not `true` or `false`");
}

#[test]
fn publish_commune_pages_share_their_poster() {
    // The communes fixture with a poster: Marseille has a record, so posters of its own.
    let site = TestSite::fixture("communes");
    site.file(
        "posters/p/poster.svg",
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297"><rect width="210" height="297" fill="#111"/><text x="20" y="80" font-family="Inter" font-size="20" fill="#fff">{% if commune %}{{ commune.name }}{% endif %}</text></svg>"##,
    );
    site.file("posters/p/poster.yaml", "title:\n  fr: \"Affiche\"\n  en: \"Poster\"\nsizes: [A4]\n");
    site.build().success();
    let page = site.out("fr/communes/13055-marseille/index.html");
    let image = page
        .split("<meta property=\"og:image\" content=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("an og:image");
    let path = image.strip_prefix("https://example.org/test/").expect("an absolute URL of the site");
    assert!(path.contains("13055-marseille") && path.ends_with(".png"), "the commune's own poster: {image}");
    assert!(site.out_exists(path), "{path} is not in the output");
    assert!(page.contains("<meta property=\"og:image:alt\" content=\"Affiche\">"), "{page}");
    // A page without posters shows the card (the home page previews the triptych).
    assert!(
        site.out("fr/chapitres/premier/index.html")
            .contains("content=\"https://example.org/test/share/card-fr.png\"")
    );
}

#[test]
#[ignore = "a measurement: cargo test --test integration publish_cost -- --ignored --nocapture"]
fn publish_cost_of_feeds_cards_and_headers() {
    use kitgen::config::Overrides;
    use kitgen::family::{Families, assets::Assets, feeds::Feeds, hosting::Hosting, share::Cards};
    use kitgen::pipeline::{BuildOptions, build_in_memory};
    let root = crate::util::repo();
    let opts = BuildOptions {
        root: root.clone(),
        output: root.join("public"),
        overrides: Overrides::default(),
        strict: false,
        render: kitgen::render::RenderOptions::build(true),
        progress: false,
        cache_dir: None,
    };
    for (name, families) in [
        ("assets alone", Families::default().with(Assets)),
        ("assets + feeds", Families::default().with(Assets).with(Feeds)),
        ("assets + cards", Families::default().with(Assets).with(Cards)),
        ("assets + hosting", Families::default().with(Assets).with(Hosting)),
    ] {
        let (report, sink) = build_in_memory(&opts, &families).unwrap();
        let render = report.timings.iter().find(|(s, _)| *s == "render").unwrap().1;
        eprintln!("{name}: {} outputs rendered in {:.3} s", sink.len(), render);
    }
}
