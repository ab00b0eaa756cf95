//! Full-text search (`family::fulltext`): the index of each language's pages, its search
//! page with a site map for readers without JavaScript, and the ranking script run in node.
//! The browser test is in `serve_e2e.rs`.

use crate::util::TestSite;

/// The communes fixture with a search page per language and a chapter about biometrics.
pub fn search_site() -> TestSite {
    let site = TestSite::fixture("communes");
    site.file(
        "content/fr/recherche.md",
        "---\ntitle: \"Rechercher\"\nslug: recherche\ntemplate: \"search.html\"\n---\nChercher dans le site.\n",
    )
    .file(
        "content/en/recherche.md",
        "---\ntitle: \"Search\"\nslug: search\ntemplate: \"search.html\"\n---\nSearch the site.\n",
    )
    .file(
        "content/fr/chapitres/trois.md",
        "---\ntitle: \"Troisième chapitre\"\nweight: 3\nslug: troisieme\nsummary: \"Ce que les caméras voient.\"\n---\n\
         Un paragraphe d’introduction, qui suit le second.\n\n## Les visages {#visages}\n\n\
         La **biométrie** et la reconnaissance faciale des passants, l’identification des foules.\n\n\
         ## Les réseaux {#reseaux}\n\nDes réseaux de caméras, et <https://example.net/> en lien.\n",
    );
    site
}

fn index(site: &TestSite, lang: &str) -> serde_json::Value {
    serde_json::from_str(&site.out(&format!("search/pages-{lang}.json"))).expect("the index is JSON")
}

/// The page of the index with this URL.
fn page<'a>(ix: &'a serde_json::Value, url: &str) -> &'a serde_json::Value {
    ix["pages"].as_array().unwrap().iter().find(|p| p[1] == url).unwrap_or_else(|| panic!("no {url} in {ix}"))
}

fn all_tokens(p: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> =
        [&p[4], &p[5]].iter().flat_map(|s| s.as_str().unwrap().split(' ')).map(String::from).collect();
    for s in p[6].as_array().unwrap() {
        v.extend(
            s[2].as_str().unwrap().split(' ').chain(s[3].as_str().unwrap().split(' ')).map(String::from),
        );
    }
    v
}

#[test]
fn the_index_finds_a_chapter_by_a_word_of_its_body_without_accents() {
    let site = search_site();
    site.build().success();
    let ix = index(&site, "fr");
    let chapter = page(&ix, "fr/chapitres/troisieme/");
    assert_eq!(chapter[0], "Troisième chapitre");
    assert_eq!(chapter[2], "Chapitres", "the section");
    assert_eq!(chapter[3], "Ce que les caméras voient.", "the summary is the snippet");
    let tokens = all_tokens(chapter);
    for t in ["biometrie", "reconnaissance", "faciale", "passant", "identification", "camera", "reseau"] {
        assert!(tokens.iter().any(|x| x == t), "{t} not in {tokens:?}");
    }
    for t in ["l", "la", "des", "biométrie", "Biometrie", "cameras"] {
        assert!(!tokens.iter().any(|x| x == t), "{t} is in {tokens:?}");
    }
    // The parts: the matching heading is known, with its own snippet.
    let part = chapter[6].as_array().unwrap().iter().find(|s| s[0] == "visages").unwrap();
    assert_eq!(part[1], "Les visages");
    assert!(part[4].as_str().unwrap().starts_with("La biométrie et la reconnaissance faciale"), "{part}");
    // The search page itself is not indexed; English has its own index.
    assert!(!ix["pages"].as_array().unwrap().iter().any(|p| p[1] == "fr/recherche/"));
    let en = index(&site, "en");
    assert!(
        en["pages"].as_array().unwrap().iter().any(|p| p[1].as_str().unwrap().starts_with("en/chapters/")),
        "{en}"
    );
    // No external URL in the index or the script (the text's own link is not a resource).
    let raw = site.out("search/pages-fr.json");
    assert!(!raw.contains("example.net") && !raw.contains("://"), "no address, even written out: {raw}");
    let js = std::fs::read_to_string(crate::util::repo().join("themes/default/static/js/search.js")).unwrap();
    assert!(!js.contains("://"), "search.js names no other site");
}

#[test]
fn the_search_page_links_its_index_relatively_and_lists_the_site_without_javascript() {
    let site = search_site();
    site.build().success();
    let html = site.out("fr/recherche/index.html");
    assert!(html.contains(r#"data-search="../../search/pages-fr.json""#), "{html}");
    assert!(html.contains(r#"data-base="../../""#), "{html}");
    assert!(
        html.contains("<form class=\"site-search\" role=\"search\" hidden"),
        "the form waits for the script"
    );
    // The site map: sections with their pages, and the commune index.
    assert!(html.contains(r#"<a href="../chapitres/troisieme/">Troisième chapitre</a>"#), "{html}");
    assert!(html.contains(r#"<a href="../communes/">"#), "{html}");
    assert!(html.contains("js/search."), "the script is fingerprinted like the others");
    // Every page's header links to the search page of its language.
    let chapter = site.out("fr/chapitres/premier/index.html");
    assert!(
        chapter.contains(r#"<a class="search-link" href="../../recherche/">Rechercher</a>"#),
        "{chapter}"
    );
    assert!(site.out("en/index.html").contains(r#"href="search/">Search</a>"#));
    // Offline, the script's index stays a file and the site map's links name index.html.
    site.kitgen(&["build", "--offline"]).success();
    let html = site.out("fr/recherche/index.html");
    assert!(html.contains(r#"data-search="../../search/pages-fr.json""#), "{html}");
    assert!(html.contains(r#"<a href="../chapitres/troisieme/index.html">"#), "{html}");
}

#[test]
fn a_site_without_a_search_page_has_no_index_and_no_link() {
    let site = TestSite::fixture("communes");
    site.build().success();
    assert!(!site.out_exists("search/pages-fr.json"));
    assert!(!site.out("fr/index.html").contains("search-link"));
}

#[test]
fn the_index_is_the_same_across_builds() {
    let site = search_site();
    site.build().success();
    let first = (site.out("search/pages-fr.json"), site.out("search/pages-en.json"));
    std::fs::remove_dir_all(site.root().join("public")).unwrap();
    site.build().success();
    assert_eq!(first, (site.out("search/pages-fr.json"), site.out("search/pages-en.json")));
}

/// Runs the ranking of the theme's `search.js` in node on a built index: the titles (with the
/// heading of the part that matched) a query lists, in order. `None` when node is missing
/// (required in CI).
fn rank_in_node(site: &TestSite, lang: &str, query: &str) -> Option<Vec<String>> {
    let js = std::fs::read_to_string(crate::util::repo().join("themes/default/static/js/search.js")).unwrap();
    let norm_start = js.find("  function normalize").expect("normalize in search.js");
    let norm_end = js[norm_start..].find("\n  }\n").expect("end of normalize") + norm_start + 4;
    let start = js.find("// search:rank").expect("marker in search.js");
    let end = js.find("// search:end").expect("end marker in search.js");
    let ix = site.out(&format!("search/pages-{lang}.json"));
    let script = format!(
        "{}\n{}\nvar ix = {ix};\nvar stop = {{}}; ix.stop.forEach(function (w) {{ stop[w] = true; }});\n\
         console.log(JSON.stringify(rank(ix.pages, tokens({query:?}, stop)).map(function (f) {{ return f[2][0] + (f[3] ? ' > ' + f[3][1] : ''); }})));",
        &js[norm_start..norm_end],
        &js[start..end]
    );
    crate::util::node_json(&script)
}

#[test]
fn the_script_ranks_title_matches_first_and_matches_the_last_word_as_a_prefix() {
    let site = search_site();
    site.build().success();
    let Some(found) = rank_in_node(&site, "fr", "Reconnaissance faciale") else { return };
    assert_eq!(found, ["Troisième chapitre > Les visages"]);
    assert_eq!(rank_in_node(&site, "fr", "biometrie").unwrap(), ["Troisième chapitre > Les visages"]);
    assert_eq!(
        rank_in_node(&site, "fr", "l’identif").unwrap(),
        ["Troisième chapitre > Les visages"],
        "prefix"
    );
    assert_eq!(
        rank_in_node(&site, "fr", "identif reconnaissance").unwrap(),
        Vec::<String>::new(),
        "only the last word is a prefix"
    );
    assert_eq!(rank_in_node(&site, "fr", "CAMÉRAS réseau").unwrap(), ["Troisième chapitre > Les réseaux"]);
    // A title match comes before a body match.
    let found = rank_in_node(&site, "fr", "second").unwrap();
    assert_eq!(found.first().map(String::as_str), Some("Second chapitre"), "{found:?}");
    assert!(found.iter().any(|t| t == "Troisième chapitre"), "{found:?}");
}
