//! Commune data: pages for every commune, records, indexes, lookup, statistics, map, downloads,
//! and every bad input of issue 4.

use crate::util::TestSite;

fn site() -> TestSite {
    TestSite::fixture("communes")
}

#[test]
fn every_commune_gets_a_page_in_every_language() {
    let s = site();
    s.build().success();
    for (fr, en) in [
        ("fr/communes/13055-marseille/index.html", "en/municipalities/13055-marseille/index.html"),
        ("fr/communes/2a004-ajaccio/index.html", "en/municipalities/2a004-ajaccio/index.html"),
        (
            "fr/communes/01001-l-abergement-clemenciat/index.html",
            "en/municipalities/01001-l-abergement-clemenciat/index.html",
        ),
    ] {
        assert!(s.out_exists(fr) && s.out_exists(en), "{fr}");
    }
    // homonyms get distinct URLs thanks to the INSEE code
    let colombes = std::fs::read_dir(s.root().join("public/fr/communes"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with("-sainte-colombe"))
        .count();
    assert!(colombes >= 10, "{colombes}");
    let m = s.out("fr/communes/13055-marseille/index.html");
    assert!(m.contains("<h1>Marseille</h1>"));
    assert!(m.contains("badge status-deployed"));
    assert!(m.contains("886\u{202F}040 habitants"), "population in French format");
    assert!(m.contains("Entreprise A"));
    // record text is escaped, external sources get rel
    assert!(m.contains("Réponse CADA &lt;Marseille&gt; &amp; co</a>"), "{m}");
    assert!(m.contains("href=\"https://example.org/cada\" rel=\"noopener noreferrer\""));
    assert!(m.contains("(à confirmer)"), "uncertain fields are flagged");
    assert!(
        m.contains("Note «\u{202F}test\u{202F}».<br>"),
        "notes get French typography and line breaks: {m}"
    );
    assert!(
        m.contains("Seconde ligne &lt;b onclick=x&gt;grasse&lt;/b&gt;."),
        "notes are text, not HTML: {m}"
    );
    assert!(m.contains("mars 2020"), "partial dates are written out");
    assert!(
        m.contains("hreflang=\"en\" href=\"https://example.org/test/en/municipalities/13055-marseille/\"")
    );
    // a commune without record: nothing known, nearest group in the département
    let aix = s.out("fr/communes/13001-aix-en-provence/index.html");
    assert!(aix.contains("La campagne n’a rien recensé à Aix-en-Provence"), "{aix}");
    assert!(aix.contains("Groupe le plus proche\u{A0}: Groupe Marseille, à Marseille (27 km)"), "{aix}");
    let en = s.out("en/municipalities/2a004-ajaccio/index.html");
    assert!(en.contains("badge status-refused") && en.contains("Refused"));
    // the actions block links to the action pages (a template block later features extend)
    assert!(m.contains("Agir pour la commune de Marseille"));
}

#[test]
fn departements_regions_statistics_map_and_downloads() {
    let s = site();
    s.build().success();
    let dep = s.out("fr/communes/departements/13-bouches-du-rhone/index.html");
    assert!(dep.contains("Aix-en-Provence") && dep.contains("href=\"../../13055-marseille/\""), "{dep}");
    assert!(s.out_exists("en/municipalities/departments/13-bouches-du-rhone/index.html"));
    assert!(s.out_exists("fr/communes/regions/93-provence-alpes-cote-d-azur/index.html"));
    let index = s.out("fr/communes/index.html");
    assert!(index.contains("Bouches-du-Rhône (13)") && index.contains("class=\"lookup\""), "{index}");
    let stats = s.out("fr/communes/statistiques/index.html");
    let svg_start = stats.find("<svg").unwrap();
    let svg_end = stats[svg_start..].find("</svg>").unwrap() + svg_start + 6;
    roxmltree::Document::parse(&stats[svg_start..svg_end]).expect("chart is well-formed XML");
    assert!(stats.contains("role=\"img\"") && stats.contains("<table>"));
    assert!(s.out_exists("fr/communes/carte/index.html") && s.out_exists("communes/france.svg"));
    roxmltree::Document::parse(&s.out("communes/france.svg")).expect("map is well-formed XML");
    let json: serde_json::Value = serde_json::from_str(&s.out("downloads/communes-vsa.json")).unwrap();
    assert_eq!(json["count"], 2);
    assert_eq!(json["communes"][0]["insee"], "13055");
    let csv = s.out("downloads/communes-vsa.csv");
    assert!(csv.starts_with("insee,name,departement") && csv.contains("2A004,Ajaccio"), "{csv}");
    let schema: serde_json::Value = serde_json::from_str(&s.out("downloads/record.schema.json")).unwrap();
    assert_eq!(schema["properties"]["status"]["enum"][3], "refused");
}

/// What `lookup.js` does: the longest shard key the query starts with, then a prefix match.
fn lookup(s: &TestSite, query: &str) -> Vec<String> {
    let q = kitgen::family::search::normalize(query);
    if q.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        let shard: serde_json::Value =
            serde_json::from_str(&s.out(&format!("search/d/{}.json", &q[..2]))).unwrap();
        return shard
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| {
                e[3].as_str().unwrap().split(' ').any(|p| p.starts_with(&q))
                    || e[0].as_str().unwrap().to_lowercase().starts_with(&q)
            })
            .map(|e| e[1].as_str().unwrap().to_string())
            .collect();
    }
    let index: serde_json::Value = serde_json::from_str(&s.out("search/index.json")).unwrap();
    let key = index["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().replace('_', " "))
        .filter(|k| q.starts_with(k.as_str()))
        .max_by_key(|k| k.len())
        .unwrap();
    let shard: serde_json::Value =
        serde_json::from_str(&s.out(&format!("search/n/{}.json", key.replace(' ', "_")))).unwrap();
    shard
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            let n = e[2].as_str().unwrap();
            n.starts_with(&q) || n.contains(&format!(" {q}"))
        })
        .map(|e| e[1].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_lookup_finds_communes_without_accents_or_by_postal_code() {
    let s = site();
    s.build().success();
    for q in ["saint etienne", "st-étienne", "SAINT-ETIENNE", "etienne", "42000"] {
        assert!(lookup(&s, q).contains(&"Saint-Étienne".to_string()), "{q}: {:?}", lookup(&s, q));
    }
    assert!(lookup(&s, "13001").contains(&"Marseille".to_string()));
    assert!(lookup(&s, "2a004").contains(&"Ajaccio".to_string()));
    assert!(lookup(&s, "sainte colombe").len() >= 10);
    // no file of the index holds every commune
    let biggest = walkdir::WalkDir::new(s.root().join("public/search"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.metadata().unwrap().len())
        .max()
        .unwrap();
    assert!(biggest < 64 * 1024, "{biggest}");
}

/// Runs `rankCodes` of the theme's `lookup.js` in node on a code shard of the build: the
/// communes a code query lists, in order. `None` when node is not installed (required in CI).
fn rank_codes_in_node(s: &TestSite, code: &str) -> Option<Vec<String>> {
    let js = std::fs::read_to_string(crate::util::repo().join("themes/default/static/js/lookup.js")).unwrap();
    let start = js.find("// lookup:rank-codes").expect("marker in lookup.js");
    let end = js.find("// lookup:end").expect("end marker in lookup.js");
    let shard = s.out(&format!("search/d/{}.json", &code[..2]));
    let script = format!(
        "{}\nconsole.log(JSON.stringify(rankCodes({shard}, {code:?}).map(function (e) {{ return e[1]; }})));",
        &js[start..end]
    );
    crate::util::node_json(&script)
}

#[test]
fn a_five_digit_query_lists_postal_codes_before_insee_codes() {
    let s = site();
    s.build().success();
    let Some(names) = rank_codes_in_node(&s, "13001") else { return };
    // 13001 is a postal code of Marseille and the INSEE code of Aix-en-Provence
    assert_eq!(names.first().map(String::as_str), Some("Marseille"), "{names:?}");
    let aix = names.iter().position(|n| n == "Aix-en-Provence").expect("the INSEE code still finds Aix");
    assert!(aix > 0, "{names:?}");
    // a prefix lists exact matches of either kind first
    let names = rank_codes_in_node(&s, "42000").unwrap();
    assert_eq!(names.first().map(String::as_str), Some("Saint-Étienne"), "{names:?}");
}

#[test]
fn a_commune_is_offered_the_nearest_group_beyond_its_departement_and_a_way_to_report() {
    let s = site();
    // Nanterre (92) has no group and none in its département; Paris (75) has one, 11 km away.
    let mut communes: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(s.root().join("data/communes-fr.json")).unwrap())
            .unwrap();
    communes.push(serde_json::json!({"code":"92050","nom":"Nanterre","departement":"92","region":"11","population":97783,"codesPostaux":["92000"],"typeLiaison":0,"lat":48.8962,"lon":2.2072}));
    let mut deps: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(s.root().join("data/departements-fr.json")).unwrap())
            .unwrap();
    deps.push(serde_json::json!({"code":"92","nom":"Hauts-de-Seine","region":"11","chefLieu":"92050","typeLiaison":4,"zone":"metro"}));
    s.file("data/communes-fr.json", one_a_line(communes)).file("data/departements-fr.json", one_a_line(deps))
        .file(
            "data/records/75056-paris.yaml",
            "insee: \"75056\"\nstatus: unknown\nlocal_group:\n  name: \"Groupe Paris\"\n  contact: \"https://example.org/paris\"\n  url: \"https://example.org/groupe\"\n",
        );
    let cfg = std::fs::read_to_string(s.root().join("kitgen.yaml")).unwrap();
    s.file("kitgen.yaml", format!("{cfg}contact_email: \"campagne@example.org\"\n"));
    s.build().success();
    let n = s.out("fr/communes/92050-nanterre/index.html");
    assert!(n.contains("Groupe le plus proche\u{A0}: Groupe Paris, à Paris (11 km)"), "{n}");
    assert!(
        n.contains("<a href=\"https://example.org/paris\" rel=\"noopener noreferrer\">"),
        "contact is a link: {n}"
    );
    // the campaign's address, and a report link with the commune's code and name in the subject
    assert!(n.contains("<a href=\"mailto:campagne@example.org\">campagne@example.org</a>"), "{n}");
    assert!(
        n.contains("href=\"mailto:campagne@example.org?subject=Nanterre%20%28INSEE%2092050%29%C2%A0%3A%20erreur%20ou%20fait%20nouveau\""),
        "{n}"
    );
    assert!(n.contains("Signaler une erreur ou un fait nouveau sur Nanterre"), "{n}");
    let en = s.out("en/municipalities/92050-nanterre/index.html");
    assert!(en.contains("Nearest group: Groupe Paris, in Paris (11 km away)"), "{en}");
    assert!(en.contains("subject=Nanterre%20%28INSEE%2092050%29%3A%20error%20or%20new%20fact"), "{en}");
    // Marseille's group is 660 km from Paris: too far to be offered beyond its département
    let aix = s.out("fr/communes/13001-aix-en-provence/index.html");
    assert!(aix.contains("Groupe Marseille"), "{aix}");
    let ajaccio = s.out("fr/communes/2a004-ajaccio/index.html");
    assert!(!ajaccio.contains("Groupe Marseille") && !ajaccio.contains("Groupe Paris"), "{ajaccio}");
}

/// A reference list in code order, one record a line.
fn one_a_line(mut v: Vec<serde_json::Value>) -> String {
    v.sort_by(|a, b| a["code"].as_str().cmp(&b["code"].as_str()));
    let lines: Vec<String> = v.iter().map(|r| r.to_string()).collect();
    format!("[\n{}\n]\n", lines.join(",\n"))
}

#[test]
fn recorded_scope_publishes_only_recorded_communes() {
    let s = site();
    let cfg = std::fs::read_to_string(s.root().join("kitgen.yaml")).unwrap();
    s.file("kitgen.yaml", format!("{cfg}scopes:\n  commune_pages: recorded\n"));
    s.build().success();
    assert!(s.out_exists("fr/communes/13055-marseille/index.html"));
    assert!(!s.out_exists("fr/communes/13001-aix-en-provence/index.html"));
    let dep = s.out("fr/communes/departements/13-bouches-du-rhone/index.html");
    assert!(dep.contains("<li>Aix-en-Provence</li>"), "listed without a link: {dep}");
}

#[test]
fn bad_records_and_reference_rows_are_all_reported() {
    let s = site();
    s.build().success();
    let before = s.snapshot("public");
    s.file("data/records/13056-marseille.yaml", "insee: \"13056\"\nname: \"Marseille\"\nstatus: unknown\n")
        .file("data/records/13103-x.yaml", "insee: \"13103\"\nstatus: deploy\n")
        .file("data/records/13001-aix.yaml", "insee: \"13001\"\nstatus: planned\nuse_cases: [facial-recognition]\n")
        .file("data/records/01001-a.yaml", "insee: 1001\nstatus: unknown\n")
        .file("data/records/13055-bis.yaml", "insee: \"13055\"\nstatus: unknown\n")
        .file("data/records/75056-paris.yaml", "insee: \"75056\"\nstatus: deployed\n")
        .file("data/records/01004-b.yaml", "insee: \"01004\"\nstatus: planned\nsince: 2024-13\nsources:\n  - title: x\n    kind: press\n    url: \"javascript:alert(1)\"\n");
    let run = s.build();
    run.failure(1)
        .stderr_has(
            "data/records/13056-marseille.yaml:1:8: error[K520]: no commune has the INSEE code `13056`",
        )
        .stderr_has("closest: 13055 Marseille (13)")
        .stderr_has("data/records/13103-x.yaml:2:9: error[K511]: invalid value `deploy` for `status`")
        .stderr_has("did you mean `deployed`?")
        .stderr_has("data/records/13001-aix.yaml:3:")
        .stderr_has("did you mean `face-recognition`?")
        .stderr_has("data/records/01001-a.yaml:1:")
        .stderr_has("INSEE code 1001 is written as a number")
        .stderr_has("error[K521]: commune 13055 (Marseille) has two records")
        .stderr_has(
            "data/records/75056-paris.yaml:2:9: error[K513]: status `deployed` needs at least one source",
        )
        .stderr_has("data/records/01004-b.yaml:3:8: error[K511]: invalid date `2024-13`")
        .stderr_has("; nothing was written");
    assert_eq!(before, s.snapshot("public"));
}

#[test]
fn bad_reference_lists_are_reported_with_their_row() {
    let s = site();
    s.remove("data/communes-fr.json");
    s.file("data/communes-fr.csv", "code;nom;departement;region;population;codesPostaux;typeLiaison;lat;lon\n13055;Marseille;13;93;886040;13001 13002;0;43.29;5.42\n1001;Lost;01;84;1;01400;5;46;5\n13001,Aix,13,93,1,13090,1,43,5\n");
    s.build().failure(1)
        .stderr_has("data/communes-fr.csv:3:1: error[K502]: row 3: INSEE code `1001` has 4 digits: it probably lost its leading zero")
        .stderr_has("data/communes-fr.csv:4:1: error[K502]: row 4 has 1 fields, the header has 9")
        .stderr_has("this row seems separated by `,`");
    // a valid `;` CSV export works
    s.file("data/communes-fr.csv", "code;nom;departement;region;population;codesPostaux;typeLiaison;lat;lon\n13055;Marseille;13;93;886040;13001 13002;0;43,29;5,42\n2A004;Ajaccio;2A;94;76320;20000;1;41.9;8.7\n");
    s.remove("data/records/13055-marseille.yaml");
    s.remove("data/records/2A004-ajaccio.yaml");
    s.build().success();
    assert!(s.out_exists("fr/communes/2a004-ajaccio/index.html"));
}

#[test]
fn a_language_that_omits_untranslated_pages_gets_no_commune_pages() {
    let s = site();
    let config = std::fs::read_to_string(s.root().join("kitgen.yaml")).unwrap();
    s.file(
        "kitgen.yaml",
        config.replace(
            "minify: false",
            "  - code: es\n    name: \"Español\"\n    missing: omit\nminify: false",
        ),
    );
    s.file("content/es/_index.md", "---\ntitle: \"Inicio\"\n---\nBienvenida.\n");
    s.build().success();
    assert!(s.out_exists("es/index.html"));
    assert!(!s.root().join("public/es/communes").exists());
    // the other languages do not lose theirs, and their switcher sends Spanish readers home
    let fr = s.out("fr/communes/13055-marseille/index.html");
    assert!(fr.contains("href=\"../../../es/\" hreflang=\"es\" lang=\"es\""), "{fr}");
    assert!(s.out_exists("en/municipalities/13055-marseille/index.html"));
    assert!(!s.out("sitemap.xml").contains("/es/communes/"));
}

#[test]
fn a_commune_without_coordinates_still_finds_its_departement_group() {
    let s = site();
    let path = s.root().join("data/communes-fr.json");
    let mut list: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for c in list.as_array_mut().unwrap() {
        if c["code"] == "13001" {
            let c = c.as_object_mut().unwrap();
            c.remove("lat");
            c.remove("lon");
        }
    }
    s.file("data/communes-fr.json", serde_json::to_string(&list).unwrap());
    s.build().success();
    let aix = s.out("fr/communes/13001-aix-en-provence/index.html");
    assert!(
        aix.contains("Un groupe agit dans le département\u{A0}: Groupe Marseille, à Marseille."),
        "{aix}"
    );
    assert!(!aix.contains("4294967295"));
}

#[test]
fn a_missing_interface_string_of_generated_pages_is_an_error_not_a_raw_key() {
    let s = site();
    for lang in ["fr", "en"] {
        let path = format!("themes/default/i18n/{lang}.yaml");
        let text = std::fs::read_to_string(s.root().join(&path)).unwrap();
        let kept: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with("points_desc:")).collect();
        s.file(&path, kept.join("\n") + "\n");
    }
    let run = s.build();
    run.failure(1).stderr_has("error[K606]").stderr_has("`communes.map.points_desc`");
    assert_eq!(run.stderr.matches("error[K606]").count(), 1, "reported once per string:\n{}", run.stderr);
}

/// Issue 18: the use-case bars have two colours, so the chart says which is which; a chart
/// with nothing to show is replaced by a sentence, not drawn empty.
#[test]
fn statistics_charts_have_a_legend_and_no_empty_chart() {
    let s = site();
    s.build().success();
    let stats = s.out("fr/communes/statistiques/index.html");
    let section = |id: &str| -> String {
        let start = stats.find(&format!("aria-labelledby=\"h-{id}\"")).unwrap();
        let end = stats[start..].find("</section>").unwrap() + start;
        stats[start..end].to_string()
    };
    let uses = section("use_cases");
    assert_eq!(uses.matches("class=\"legend-item\"").count(), 2, "{uses}");
    assert!(uses.contains("class=\"bar jo-law\"") && uses.contains("class=\"bar other\""), "{uses}");
    assert!(uses.contains("Autorisé à l’essai par la loi JO") && uses.contains("Hors du cadre de la loi JO"));
    assert!(!section("status").contains("legend-item"), "one colour per status: no legend needed");
    let vendors = section("vendors");
    assert!(vendors.contains("<svg") && vendors.contains("Entreprise A"), "{vendors}");
    assert!(!vendors.contains("chart-empty"));

    // Without any vendor in the records, the vendors chart says so in words.
    let record = std::fs::read_to_string(s.root().join("data/records/13055-marseille.yaml")).unwrap();
    s.file("data/records/13055-marseille.yaml", record.replace("vendors: [\"Entreprise A\"]\n", ""));
    s.build().success();
    let stats = s.out("fr/communes/statistiques/index.html");
    let start = stats.find("aria-labelledby=\"h-vendors\"").unwrap();
    let vendors = &stats[start..stats[start..].find("</section>").unwrap() + start];
    assert!(!vendors.contains("<svg") && !vendors.contains("<table"), "{vendors}");
    assert!(vendors.contains("class=\"chart-empty\">Aucune donnée recensée pour l’instant."), "{vendors}");
    let en = s.out("en/municipalities/statistics/index.html");
    assert!(en.contains("Nothing recorded yet."), "{en}");
}
