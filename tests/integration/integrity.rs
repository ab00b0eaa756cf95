//! Output integrity and hostile inputs (issue 12): each defect the audit reproduced, now
//! refused with a located error or handled, never a crash.

use crate::util::TestSite;

const PAGE: &str = "---\ntitle: P\n---\n";

#[test]
fn deep_nesting_is_a_located_error_not_a_stack_overflow() {
    for (name, body) in [
        ("quotes", "> ".repeat(5000) + "x\n"),
        ("divs", "<div>".repeat(20_000) + "x" + &"</div>".repeat(20_000) + "\n"),
    ] {
        let site = TestSite::fixture("minimal");
        site.file("content/fr/chapitres/deep.md", format!("{PAGE}\nAvant.\n\n{body}"));
        for args in [&["build"][..], &["build", "--no-minify"][..]] {
            let run = site.kitgen(args);
            run.failure(1).stderr_has("error[K311]").stderr_has("content/fr/chapitres/deep.md");
            assert!(!run.stderr.contains("overflow"), "{name}: {}", run.stderr);
        }
    }
}

#[test]
fn millions_of_brackets_are_bounded() {
    let site = TestSite::fixture("minimal");
    site.file("content/fr/chapitres/b.md", format!("{PAGE}\n{}\n", "[".repeat(3_000_000)));
    // Refused before the parser builds its tree (it took 776 MB, then 1 GB).
    site.build().failure(1).stderr_has("error[K311]").stderr_has("3000000 Markdown markers");
}

#[cfg(unix)]
#[test]
fn a_symlinked_output_folder_is_written_through_and_stays_a_symlink() {
    let site = TestSite::fixture("minimal");
    let real = site.root().join("www/vsa");
    std::fs::create_dir_all(&real).unwrap();
    std::os::unix::fs::symlink(&real, site.root().join("public")).unwrap();
    site.build().success();
    site.file("content/fr/chapitres/un.md", format!("{PAGE}\nChangé.\n"));
    site.build().success();
    let public = site.root().join("public");
    assert!(std::fs::symlink_metadata(&public).unwrap().file_type().is_symlink());
    assert!(real.join("fr/index.html").is_file());
    assert!(site.out("fr/chapitres/un/index.html").contains("Changé"));
    let mut beside: Vec<String> = std::fs::read_dir(site.root().join("www"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    beside.sort();
    assert_eq!(beside, [".vsa.kitgen-mirror", "vsa"], "only the mirror beside the output");
    // `-o` naming the link works the same.
    let out = site.root().join("public").display().to_string();
    site.kitgen(&["build", "-o", &out]).success();
    assert!(std::fs::symlink_metadata(&public).unwrap().file_type().is_symlink());
}

#[test]
fn kept_files_survive_and_removed_files_are_listed() {
    let site = TestSite::fixture("minimal");
    let yaml = std::fs::read_to_string(site.root().join("kitgen.yaml")).unwrap();
    site.file("kitgen.yaml", format!("{yaml}output:\n  keep:\n    - \"google*.html\"\n"));
    site.build().success();
    for (rel, text) in [
        ("public/.git/HEAD", "ref: refs/heads/main"),
        ("public/CNAME", "vsa.example.org"),
        ("public/.well-known/security.txt", "Contact: mailto:x@example.org"),
        ("public/google123.html", "google-site-verification"),
        ("public/notes-a-moi.txt", "mine"),
    ] {
        site.file(rel, text);
    }
    let run = site.build();
    run.success().stderr_has("removed, no longer produced: notes-a-moi.txt");
    for rel in [".git/HEAD", "CNAME", ".well-known/security.txt", "google123.html", "fr/index.html"] {
        assert!(site.out_exists(rel), "{rel} was removed");
    }
    assert!(!site.out_exists("notes-a-moi.txt"));
}

#[test]
fn a_bad_keep_pattern_is_a_located_config_error() {
    let site = TestSite::fixture("minimal");
    let yaml = std::fs::read_to_string(site.root().join("kitgen.yaml")).unwrap();
    site.file("kitgen.yaml", format!("{yaml}output:\n  keep: [\"a[\"]\n"));
    site.build().failure(2).stderr_has("error[K103]").stderr_has("output.keep");
}

#[test]
fn spreadsheet_formulas_in_records_are_neutralised() {
    let site = TestSite::fixture("communes");
    let path = site.root().join("data/records/13055-marseille.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let evil = text.replacen("vendors: [", "vendors: ['=HYPERLINK(\"https://evil.example/\",\"Voir\")', ", 1);
    assert_ne!(text, evil, "the fixture record has vendors");
    std::fs::write(&path, evil).unwrap();
    site.build().success();
    let csv = site.out("downloads/communes-vsa.csv");
    assert!(csv.contains("'=HYPERLINK("), "{csv}");
    for line in csv.lines() {
        for cell in line.split(',') {
            let c = cell.trim_start_matches('"');
            assert!(
                !c.starts_with('=') && !c.starts_with('@') && !c.starts_with('+'),
                "formula cell: {cell}"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn no_input_is_read_through_a_symlink_out_of_the_site() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.yaml");
    std::fs::write(&secret, "nav:\n  home: MARQUEUR-EXTERIEUR\n").unwrap();
    // Interface strings.
    let site = TestSite::fixture("minimal");
    std::fs::create_dir_all(site.root().join("i18n")).unwrap();
    std::os::unix::fs::symlink(&secret, site.root().join("i18n/fr.yaml")).unwrap();
    site.build().failure(1).stderr_has("error[K012]").stderr_has("i18n/fr.yaml");
    assert!(!site.out_exists("fr/index.html"));
    // The configuration.
    let site = TestSite::fixture("minimal");
    let cfg = outside.path().join("kitgen.yaml");
    std::fs::rename(site.root().join("kitgen.yaml"), &cfg).unwrap();
    std::os::unix::fs::symlink(&cfg, site.root().join("kitgen.yaml")).unwrap();
    site.build().failure(2).stderr_has("error[K100]").stderr_has("leads out of the site folder");
    // Data files and the map outlines.
    for data in ["data/departements-fr.geojson", "data/communes-fr.json"] {
        let site = TestSite::fixture("communes");
        let moved = outside.path().join(data.replace('/', "-"));
        std::fs::rename(site.root().join(data), &moved).unwrap();
        std::os::unix::fs::symlink(&moved, site.root().join(data)).unwrap();
        site.build().failure(1).stderr_has("error[K012]").stderr_has(data);
    }
}

#[test]
fn the_data_cap_holds_for_the_map_outlines() {
    let site = TestSite::fixture("communes");
    let f =
        std::fs::File::options().write(true).open(site.root().join("data/departements-fr.geojson")).unwrap();
    f.set_len(65 * 1024 * 1024).unwrap();
    site.build().failure(1).stderr_has("error[K002]").stderr_has("departements-fr.geojson");
}

#[test]
fn missing_images_files_and_css_targets_are_errors_with_their_line() {
    let site = TestSite::fixture("minimal");
    site.file(
        "content/fr/chapitres/liens.md",
        format!("{PAGE}\nUne image : ![un plan](/img/plan.png)\n\nUn [document](/documents/absent.pdf).\n\nUne [page](/fr/chapitres/premier/) et une [autre](../deux/).\n"),
    );
    site.file("static/css/extra.css", "a{}\n.x{background:url(../img/fond.png)}\n");
    let run = site.build();
    run.failure(1)
        .stderr_has("content/fr/chapitres/liens.md:5:")
        .stderr_has("error[K314]: image `/img/plan.png` does not exist")
        .stderr_has("content/fr/chapitres/liens.md:7:")
        .stderr_has("error[K312]: link to `/documents/absent.pdf`")
        .stderr_has("static/css/extra.css:2:")
        .stderr_has("error[K542]");
    assert!(
        !run.stderr.contains("/fr/chapitres/premier/`"),
        "a link to a page is not missing: {}",
        run.stderr
    );
    // Put the files there: the build passes.
    site.file("static/img/plan.png", b"\x89PNG")
        .file("static/img/fond.png", b"\x89PNG")
        .file("static/documents/absent.pdf", b"%PDF");
    site.build().success();
}

#[test]
fn static_svgs_that_run_scripts_are_refused() {
    let site = TestSite::fixture("minimal");
    site.file(
        "static/img/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\">\n<rect onload=\"alert(1)\"/>\n<script>alert(2)</script>\n<image href=\"https://tracker.example/p.gif\"/>\n</svg>\n",
    );
    let run = site.build();
    run.failure(1)
        .stderr_has("static/img/logo.svg:2:")
        .stderr_has("event handler `onload`")
        .stderr_has("static/img/logo.svg:3:")
        .stderr_has("<script> is not allowed")
        .stderr_has("static/img/logo.svg:4:");
    site.file(
        "static/img/logo.svg",
        "<!DOCTYPE svg [<!ENTITY x \"y\">]><svg xmlns=\"http://www.w3.org/2000/svg\">&x;</svg>",
    );
    site.build().failure(1).stderr_has("error[K541]").stderr_has("DOCTYPE");
}

#[test]
fn smaller_defects() {
    // A NUL byte never reaches a page.
    let site = TestSite::fixture("minimal");
    site.file("content/fr/chapitres/nul.md", format!("{PAGE}\nAvant\0après.\n"));
    site.build().success().stderr_has("warning[K209]");
    let page = site.out("fr/chapitres/nul/index.html");
    assert!(!page.contains('\0') && page.contains("Avant\u{FFFD}après"), "{page}");

    // Protocol-relative links are external.
    site.file("content/fr/chapitres/nul.md", format!("{PAGE}\nVoir [ailleurs](//evil.example/x).\n"));
    site.build().success();
    assert!(site.out("fr/chapitres/nul/index.html").contains("rel=\"noopener noreferrer\""));

    // Credentials in the base URL are never published.
    site.kitgen(&["build", "--base-url", "https://user:secret@example.org/"])
        .failure(2)
        .stderr_has("user name or password");
    let yaml = std::fs::read_to_string(site.root().join("kitgen.yaml")).unwrap();
    let with = regex_replace_base(&yaml, "https://user:secret@example.org/vsa/");
    site.file("kitgen.yaml", &with);
    site.build().failure(2).stderr_has("error[K103]").stderr_has("user name or password");
    assert!(!site.out("sitemap.xml").contains("secret"));

    // Thousands of languages are refused before anything is built.
    let mut many =
        String::from("title: T\nbase_url: https://example.org/\ndefault_language: fr\nlanguages:\n");
    for i in 0..60 {
        many.push_str(&format!(
            "  - code: {}\n    name: L{i}\n",
            if i == 0 { "fr".to_string() } else { format!("x-l{i}") }
        ));
    }
    site.file("kitgen.yaml", many);
    site.build().failure(2).stderr_has("60 languages are configured; kitgen builds at most 50");
}

fn regex_replace_base(yaml: &str, url: &str) -> String {
    yaml.lines()
        .map(|l| if l.starts_with("base_url:") { format!("base_url: \"{url}\"") } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn csv_rows_with_crlf_endings_are_numbered_right() {
    let site = TestSite::fixture("communes");
    let json = site.root().join("data/communes-fr.json");
    std::fs::remove_file(&json).unwrap();
    site.file(
        "data/communes-fr.csv",
        "code,nom,departement,region,population,codesPostaux,typeLiaison,lat,lon\r\n13055,Marseille,13,93,870000,13001,0,43.29,5.37\r\n\"75056\",\"Paris\",75,11,2100000,75001,0,48.85,2.35\r\n92050,Nanterre,92,11,96000,92000,0\r\n",
    );
    site.build().failure(1).stderr_has("data/communes-fr.csv:4:").stderr_has("row 4 has 7 fields");
}

#[test]
fn template_errors_point_at_their_cause() {
    // An unclosed `{% if %}` is reported where it opens, not at the `endblock` Tera stops at.
    let site = TestSite::fixture("minimal");
    site.file(
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<p>\n{% if page.summary %}\n{{ page.summary }}\n{% endblock content %}\n",
    );
    site.build()
        .failure(1)
        .stderr_has("templates/page.html:4:1: error[K401]: `{% if %}` is not closed")
        .stderr_has("line 6");
    // A component that calls itself without end: located at its definition.
    site.file(
        "templates/page.html",
        "{% component again(n) %}{{<again n={n}/>}}{% endcomponent again %}\n<!DOCTYPE html><html lang=\"{{ lang }}\"><body>{{<again n={1}/>}}</body></html>\n",
    );
    site.build().failure(1).stderr_has("templates/page.html:1:").stderr_has("recursion depth for components");
}
