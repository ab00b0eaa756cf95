//! `kitgen check`: a clean fixture passes; a fixture seeded with one problem of each kind gets
//! each reported with its file (and line, in a source file) and exit 1; JSON, ignores, strict.

use crate::util::TestSite;

/// The minimal site, checked clean: nothing is written.
#[test]
fn a_clean_site_passes_and_nothing_is_written() {
    let site = TestSite::fixture("minimal");
    let run = site.kitgen(&["check"]);
    run.success().stderr_has("kitgen check: ").stderr_has(" checked: 0 errors");
    assert!(!site.root().join("public").exists(), "check writes nothing");
}

/// One problem of each kind.
fn seeded() -> TestSite {
    let site = TestSite::fixture("minimal");
    let page = site.root().join("content/fr/chapitres/un.md");
    let text = std::fs::read_to_string(&page).unwrap();
    site.file(
        "content/fr/chapitres/un.md",
        format!("{text}\nPour la suite, [cliquez ici](@/chapitres/deux.md).\n"),
    );
    let template = std::fs::read_to_string(site.root().join("themes/default/templates/page.html")).unwrap();
    site.file(
        "themes/default/templates/page.html",
        template.replace(
            "{% include \"partials/toc.html\" %}",
            "{% include \"partials/toc.html\" %}<p><a href=\"../nulle-part/\">Plus loin</a> <a href=\"#absente\">Plus haut</a> <a href=\"https://tracker.example/\">Un traceur</a></p><img src=\"https://cdn.example/pixel.gif\"><h4>Trop bas</h4><label>Nom</label><input name=\"q\"><span id=\"double\"></span><span id=\"double\"></span>",
        ),
    );
    site.file("static/js/extra.js", "document.cookie = 'vu=1';\n");
    site.file("static/doc.pdf", "%PDF-1.4\n1 0 obj << /Author (jdoe) >> endobj\n%%EOF\n");
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend([0, 0, 0, 7]);
    png.extend(b"eXIfGPSInfo");
    png.extend([0; 4]);
    png.extend([0, 0, 0, 0]);
    png.extend(b"IEND");
    png.extend([0; 4]);
    site.file("static/photo.png", png);
    site.file(
        "static/vieux.html",
        "<!DOCTYPE html><html lang=\"fr\" dir=\"ltr\"><head><title>Vieux</title></head><body><h1>Vieux</h1><a href=\"fr/\">Accueil</a></body></html>",
    );
    site.file(
        "static/plan.xml",
        "<?xml version=\"1.0\"?><urlset><url><loc>https://example.org/test/fr/absente/</loc></url></urlset>",
    );
    site
}

#[test]
fn every_kind_of_problem_is_reported_with_its_place() {
    let site = seeded();
    let run = site.kitgen(&["check"]);
    run.failure(1);
    let e = &run.stderr;
    // What is written in a content file is placed at its line.
    assert!(e.contains("content/fr/chapitres/un.md:14:17: warning[K975]: the link text \"cliquez ici\" does not say where"), "{e}");
    for needle in [
        "error[K950]: the link `../nulle-part/` leads to nothing",
        "error[K951]: the link `#absente` names `#absente`",
        "error[K952]: the id `double` is used twice",
        "error[K960]: `<img src=\"https://cdn.example/pixel.gif\">` loads a resource from another host",
        "error[K962]: the link to `https://tracker.example/` has no `rel=\"noopener noreferrer\"`",
        "error[K963]: the script reads or sets cookies",
        "error[K964]: the image carries EXIF metadata with a GPS position",
        "error[K965]: the PDF carries `Author` metadata",
        "error[K973]: the image `https://cdn.example/pixel.gif` has no `alt` text",
        "error[K974]: the form control `<input name=\"q\">` has no label",
        "warning[K972]: `<h4>` follows `<h1>`",
        "warning[K953]: no page links to this one",
        "error[K954]: `fr/absente/` is listed but is not in the output",
        "warning[K981]: `content/fr/chapitres/deux.md` has no English translation",
    ] {
        assert!(e.contains(needle), "{needle:?} not in\n{e}");
    }
    // Outputs without a source file are named in the output folder; a template's finding on
    // several pages is one diagnostic with a count.
    assert!(e.contains("public/static/vieux.html") || e.contains("public/vieux.html"), "{e}");
    assert!(e.contains("more outputs made by the same template"), "{e}");
    assert!(e.contains("= fix: "), "every finding says how to fix it");
    assert!(!site.root().join("public").exists());
}

#[test]
fn json_report_ignores_and_strict() {
    let site = seeded();
    let run = site.kitgen(&["check", "--format", "json"]);
    run.failure(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["schema"], 1);
    assert_eq!(v["ok"], false);
    let codes: Vec<&str> =
        v["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"K950") && codes.contains(&"K953"), "{codes:?}");
    let broken = v["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "K950").unwrap();
    assert!(broken["path"].as_str().unwrap().starts_with("public/"), "{broken}");
    let vague = v["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "K975").unwrap();
    assert_eq!(vague["path"], "content/fr/chapitres/un.md");
    assert_eq!(vague["line"], 14);

    // A site with warnings only: passes, unless --strict; an ignore lets one pass.
    let site = TestSite::fixture("minimal");
    site.file(
        "static/vieux.html",
        "<!DOCTYPE html><html lang=\"fr\" dir=\"ltr\"><head><title>Vieux</title></head><body><h1>Vieux</h1></body></html>",
    );
    site.kitgen(&["check"]).success().stderr_has("warning[K953]");
    site.kitgen(&["check", "--strict"]).failure(1);
    let config = std::fs::read_to_string(site.root().join("kitgen.yaml")).unwrap();
    site.file(
        "kitgen.yaml",
        format!(
            "{config}check:\n  ignore:\n    - code: K953\n      path: \"vieux.html\"\n    - code: K981\n"
        ),
    );
    site.kitgen(&["check", "--strict"]).success().stderr_has("ignored by kitgen.yaml");
    // A bad glob is a configuration error at its place.
    site.file("kitgen.yaml", format!("{config}check:\n  ignore:\n    - path: \"fr/[\"\n"));
    site.kitgen(&["check"]).failure(2).stderr_has("kitgen.yaml:").stderr_has("check.ignore");
}

#[test]
fn old_records_are_listed_at_their_date() {
    let site = TestSite::fixture("communes");
    site.file(
        "data/records/01053-bourg.yaml",
        "insee: \"01053\"\nstatus: unknown\nlast_verified: 2020-01-15\n",
    );
    let run = site.kitgen(&["check"]);
    run.stderr_has(
        "data/records/01053-bourg.yaml:3:1: warning[K980]: the record was last verified on 2020-01-15",
    );
}

#[test]
fn a_site_that_does_not_build_is_not_checked() {
    let site = TestSite::fixture("minimal");
    site.file("content/fr/cassé.md", "---\ntitle: \"x\"\n---\n[x](@/nulle.md)\n");
    site.kitgen(&["check"]).failure(1).stderr_has("K301").stderr_has("not checked");
}
