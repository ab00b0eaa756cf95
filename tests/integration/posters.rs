//! Posters: filled per language and commune, rendered to SVG, PNG and PDF (checked with
//! poppler's tools), bundled in deterministic ZIPs, and every bad input of the issue refused.

use crate::util::{TestSite, copy_dir, page_size, poppler, repo, tool};

const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297">
  <rect x="-5" y="-5" width="220" height="307" fill="#111"/>
  <text x="105" y="80" font-family="Inter" font-weight="900" font-size="24" fill="#ffd400" text-anchor="middle">{{ t(key="posters.test.headline") }}</text>
  <text id="commune" x="105" y="150" font-family="Inter" font-weight="800" font-size="30" fill="#fff" text-anchor="middle">{% if commune %}{{ commune.name }}{% else %}__________{% endif %}</text>
  <text x="105" y="200" font-family="Inter" font-size="8" fill="#fff" text-anchor="middle">{% if local_group %}{{ local_group.name }} · {{ local_group.contact }}{% endif %}</text>
  {{ qr(x=150, y=230, size=45) | safe }}
</svg>
"##;

const YAML: &str = "title:\n  fr: \"Affiche de test\"\n  en: \"Test poster\"\nsizes: [A4, A3]\ncrop_marks: true\nfit:\n  - { id: commune, width: 190, min_size: 9, lines: 2 }\n";

const LONG: &str = "Saint-Remy-en-Bouzemont-Saint-Genest-et-Isson";

/// The communes fixture with one poster, a commune of 45 characters and one of 1, both with
/// records, and a local group whose name needs escaping.
fn poster_site() -> TestSite {
    let site = TestSite::fixture("communes");
    site.file("posters/test/poster.svg", SVG).file("posters/test/poster.yaml", YAML);
    site.file("i18n/fr.yaml", "posters:\n  test:\n    headline: \"On vous regarde\"\n");
    site.file("i18n/en.yaml", "posters:\n  test:\n    headline: \"Watched\"\n");
    let path = site.root().join("data/communes-fr.json");
    let mut list: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for (code, name) in [("89998", "Y"), ("89999", LONG)] {
        list.push(serde_json::json!({"code": code, "nom": name, "departement": "89", "region": "27", "population": 100, "codesPostaux": ["89100"], "typeLiaison": 0, "lat": 47.7, "lon": 3.6}));
    }
    list.sort_by(|a, b| a["code"].as_str().cmp(&b["code"].as_str()));
    std::fs::write(&path, serde_json::to_string(&list).unwrap()).unwrap();
    site.file("data/records/89999-saint-remy.yaml", "insee: \"89999\"\nstatus: unknown\n");
    site.file(
        "data/records/89998-y.yaml",
        "insee: \"89998\"\nstatus: unknown\nlocal_group:\n  name: \"Groupe <Y> & \\\"co\\\" l'été\"\n  contact: \"y@example.org\"\n",
    );
    site
}

fn mm(pt: f64) -> f64 {
    pt * 25.4 / 72.0
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

#[test]
fn posters_build_for_every_language_and_commune_in_scope() {
    let site = poster_site();
    let run = site.build();
    run.success();
    let out = site.root().join("public");
    for lang in ["fr", "en"] {
        for (dir, stem) in [
            (format!("downloads/posters/{lang}/test/"), format!("test-{lang}")),
            (
                format!("downloads/posters/{lang}/test/13055-marseille/"),
                format!("test-13055-marseille-{lang}"),
            ),
            (
                format!("downloads/posters/{lang}/test/89999-saint-remy-en-bouzemont-saint-genest-et-isson/"),
                format!("test-89999-saint-remy-en-bouzemont-saint-genest-et-isson-{lang}"),
            ),
        ] {
            for suffix in
                [".svg", ".png", "-thumb.png", "-A4.pdf", "-A3.pdf", "-A4-print.pdf", "-A3-print.pdf"]
            {
                let p = format!("{dir}{stem}{suffix}");
                assert!(out.join(&p).is_file(), "{p} missing");
            }
        }
        assert!(
            out.join(format!("downloads/{lang}/{}.zip", if lang == "fr" { "affiches" } else { "posters" }))
                .is_file()
        );
    }
    // The filled SVG is well-formed, its texts drawn as paths (it prints the same anywhere).
    let svg = site.out("downloads/posters/fr/test/89998-y/test-89998-y-fr.svg");
    roxmltree::Document::parse(&svg).expect("the filled SVG is well-formed");
    assert!(!svg.contains("<text"), "texts are paths");
    // The gallery lists nothing (no gallery section); a commune page lists its posters.
    let page = site.out("fr/communes/13055-marseille/index.html");
    assert!(
        page.contains("test-13055-marseille-fr-thumb.png") && page.contains("affiches-13055-marseille.zip"),
        "{page}"
    );
    // Issue 18: the home page of each language previews the generic posters (the triptych).
    for (lang, zip) in [("fr", "affiches.zip"), ("en", "posters.zip")] {
        let home = site.out(&format!("{lang}/index.html"));
        let start = home.find("<section class=\"triptych\"").unwrap_or_else(|| panic!("{home}"));
        let triptych = &home[start..home[start..].find("</section>").unwrap() + start];
        assert!(triptych.contains(&format!("posters/{lang}/test/test-{lang}-thumb.png")), "{triptych}");
        assert!(triptych.contains(zip) && triptych.contains(" alt=\""), "{triptych}");
    }
}

#[test]
fn pdfs_have_the_right_pages_text_and_fonts_and_match_their_pngs() {
    if !poppler() {
        return;
    }
    let site = poster_site();
    site.build().success();
    let out = site.root().join("public");
    let dir = out.join("downloads/posters/fr/test/89999-saint-remy-en-bouzemont-saint-genest-et-isson");
    let stem = "test-89999-saint-remy-en-bouzemont-saint-genest-et-isson-fr";
    // Home printing: the trimmed page. Print shop: 3 mm of bleed and 10 mm for crop marks.
    let (w, h) = page_size(&dir.join(format!("{stem}-A4.pdf")));
    assert!((mm(w) - 210.0).abs() < 0.2 && (mm(h) - 297.0).abs() < 0.2, "A4: {w} × {h} pt");
    let (w, h) = page_size(&dir.join(format!("{stem}-A3-print.pdf")));
    assert!(
        (mm(w) - (297.0 + 6.0 + 20.0)).abs() < 0.2 && (mm(h) - (420.0 + 6.0 + 20.0)).abs() < 0.2,
        "A3 print: {w} × {h} pt"
    );
    let boxes = tool("pdfinfo", &["-box", dir.join(format!("{stem}-A3-print.pdf")).to_str().unwrap()]);
    let trim: Vec<f64> = boxes
        .lines()
        .find(|l| l.starts_with("TrimBox"))
        .unwrap()
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    assert!((mm(trim[2] - trim[0]) - 297.0).abs() < 0.2, "{boxes}");
    // The commune's name is text, fonts are embedded, no author or producer from the machine.
    for pdf in [format!("{stem}-A4.pdf"), format!("{stem}-A3-print.pdf")] {
        let path = dir.join(&pdf);
        let text = tool("pdftotext", &[path.to_str().unwrap(), "-"]);
        assert!(squash(&text).contains(&squash(LONG)), "{pdf}: {text}");
        let fonts = tool("pdffonts", &[path.to_str().unwrap()]);
        assert!(
            fonts.lines().skip(2).all(|l| l.split_whitespace().rev().nth(4) == Some("yes")),
            "{pdf}: {fonts}"
        );
        let info = tool("pdfinfo", &[path.to_str().unwrap()]);
        assert!(
            !info.contains("Author:") && !info.contains("Producer:") && !info.contains("CreationDate:"),
            "{info}"
        );
    }
    // The PNG preview is not blank and is the PDF, drawn the same.
    let png = std::fs::read(dir.join(format!("{stem}.png"))).unwrap();
    let preview = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let prefix = tmp.path().join("page");
    tool(
        "pdftoppm",
        &[
            "-png",
            "-singlefile",
            "-scale-to-x",
            &preview.width().to_string(),
            "-scale-to-y",
            &preview.height().to_string(),
            dir.join(format!("{stem}-A4.pdf")).to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let drawn =
        resvg::tiny_skia::Pixmap::decode_png(&std::fs::read(tmp.path().join("page.png")).unwrap()).unwrap();
    assert_eq!((drawn.width(), drawn.height()), (preview.width(), preview.height()));
    let (a, b) = (preview.data(), drawn.data());
    let distinct: std::collections::HashSet<&[u8]> = a.chunks(4).collect();
    assert!(distinct.len() > 10, "the preview is blank");
    let diff: u64 = a.iter().zip(b).map(|(x, y)| (*x as i32 - *y as i32).unsigned_abs() as u64).sum();
    let mean = diff as f64 / a.len() as f64;
    assert!(mean < 6.0, "the PNG and the PDF differ: mean difference {mean} per channel");
}

#[test]
fn packs_are_sound_zips_identical_across_builds() {
    let site = poster_site();
    site.build().success();
    let first = std::fs::read(site.root().join("public/downloads/fr/affiches-13055-marseille.zip")).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(first.clone())).unwrap();
    let mut names = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        assert!(f.enclosed_name().is_some(), "unsafe name in the pack");
        names.push(f.name().unwrap().to_string());
        let mut bytes = Vec::new();
        std::io::copy(&mut f, &mut bytes).unwrap();
    }
    assert!(names.contains(&"LISEZMOI.txt".to_string()), "{names:?}");
    assert!(names.contains(&"test/test-13055-marseille-fr-A3-print.pdf".to_string()), "{names:?}");
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "entries are sorted");
    // A fresh build elsewhere gives the same bytes.
    let other = site.root().join("again");
    site.kitgen(&["build", "-o", other.to_str().unwrap()]).success();
    assert_eq!(std::fs::read(other.join("downloads/fr/affiches-13055-marseille.zip")).unwrap(), first);
    assert_eq!(
        std::fs::read(other.join("downloads/posters/fr/test/test-fr-A4.pdf")).unwrap(),
        std::fs::read(site.root().join("public/downloads/posters/fr/test/test-fr-A4.pdf")).unwrap(),
        "PDFs are deterministic"
    );
}

#[test]
fn bad_posters_are_refused_with_their_line() {
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            "malformed",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 210 297\">\n<g>\n</svg>\n",
            YAML,
            &["posters/test/poster.svg:3:1: error[K804]", "not well-formed"],
        ),
        (
            "unknown placeholder",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 210 297\">\n<text id=\"commune\" font-size=\"9\">{{ nobody.name }}</text></svg>\n",
            YAML,
            &["posters/test/poster.svg:2:", "error[K803]"],
        ),
        (
            "script",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 210 297\">\n<text id=\"commune\" font-size=\"9\">x</text>\n<script>alert(1)</script></svg>\n",
            YAML,
            &["posters/test/poster.svg:3:", "<script> is not allowed"],
        ),
        (
            "external image",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 210 297\">\n<text id=\"commune\" font-size=\"9\">x</text>\n<image href=\"https://tracker.example/p.png\" width=\"1\" height=\"1\"/></svg>\n",
            YAML,
            &["posters/test/poster.svg:3:", "another host"],
        ),
        (
            "local file out of the folder",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 210 297\">\n<text id=\"commune\" font-size=\"9\">x</text>\n<image href=\"../../data/communes-fr.json\" width=\"1\" height=\"1\"/></svg>\n",
            YAML,
            &["posters/test/poster.svg:3:", "may not use"],
        ),
        (
            "billion laughs",
            "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n<svg xmlns=\"http://www.w3.org/2000/svg\">&b;</svg>\n",
            YAML,
            &["posters/test/poster.svg:", "DOCTYPE"],
        ),
        (
            "huge drawing",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1000000000 1000000000\" width=\"1000000000\" height=\"1000000000\">\n<text id=\"commune\" font-size=\"9\">x</text></svg>\n",
            YAML,
            &["error[K808]", "larger than"],
        ),
        (
            "unknown paper size",
            SVG,
            "title:\n  fr: T\nsizes: [A4, B5]\n",
            &["posters/test/poster.yaml:3:", "error[K802]", "B5"],
        ),
        (
            "missing fit element",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 210 297\"><text font-size=\"9\">x</text></svg>\n",
            YAML,
            &["posters/test/poster.yaml", "error[K805]", "no element has id=\"commune\""],
        ),
    ];
    for (what, svg, yaml, expect) in cases {
        let site = poster_site();
        site.file("posters/test/poster.svg", svg).file("posters/test/poster.yaml", yaml);
        let run = site.build();
        assert_eq!(run.code, 1, "{what}: expected a failure:\n{}", run.stderr);
        for e in *expect {
            assert!(run.stderr.contains(e), "{what}: stderr lacks {e:?}:\n{}", run.stderr);
        }
        assert!(!run.stderr.contains("panicked"), "{what}: {}", run.stderr);
    }
    // A folder without its YAML.
    let site = poster_site();
    site.remove("posters/test/poster.yaml");
    site.build().failure(1).stderr_has("error[K801]").stderr_has("posters/test/ has no poster.yaml");
    // A missing font is a warning, and the text is still drawn.
    let site = poster_site();
    site.file(
        "posters/test/poster.svg",
        SVG.replace(
            "font-family=\"Inter\" font-weight=\"900\"",
            "font-family=\"Comic Sans\" font-weight=\"900\"",
        ),
    );
    site.build().success().stderr_has("warning[K807]").stderr_has("Comic Sans");
}

#[test]
fn a_long_name_is_wrapped_and_a_name_that_cannot_fit_warns() {
    let site = poster_site();
    site.build().success();
    // Narrow the box: 45 characters cannot fit at a legible size on two lines.
    site.file("posters/test/poster.yaml", YAML.replace("width: 190, min_size: 9", "width: 40, min_size: 9"));
    let run = site.build();
    run.success().stderr_has("warning[K806]").stderr_has(LONG.split('-').next().unwrap());
}

#[test]
fn serve_redraws_only_the_edited_poster_and_its_packs() {
    use std::collections::HashSet;
    let site = poster_site();
    site.file(
        "content/fr/affiches.md",
        "---\ntitle: Affiches\ntemplate: posters/gallery.html\n---\nLes affiches.\n",
    );
    let mut session = kitgen::serve::session::Session::new(crate::util::serve_options(&site, "serve-out"));
    session.rebuild(&HashSet::new(), true).unwrap();
    let gallery = std::fs::read_to_string(site.root().join("serve-out/fr/affiches/index.html")).unwrap();
    assert!(gallery.contains("test-fr-thumb.png") && gallery.contains("Affiche de test"), "{gallery}");
    // The drawing changes: its files and the packs holding them, nothing else.
    site.file("posters/test/poster.svg", SVG.replace("fill=\"#111\"", "fill=\"#222\""));
    let changed: HashSet<std::path::PathBuf> = [site.root().join("posters/test/poster.svg")].into();
    let r = session.rebuild(&changed, false).unwrap();
    assert!(!r.written.is_empty());
    for p in &r.written {
        assert!(
            p.starts_with("downloads/posters/") || p.ends_with(".zip"),
            "{p} was written for a poster edit: {:?}",
            r.written
        );
    }
    assert!(
        r.written.iter().any(|p| p.ends_with("affiches.zip")),
        "the pack follows its files: {:?}",
        r.written
    );
    // The title changes: the gallery too.
    site.file("posters/test/poster.yaml", YAML.replace("Affiche de test", "Affiche renommée"));
    let changed: HashSet<std::path::PathBuf> = [site.root().join("posters/test/poster.yaml")].into();
    let r = session.rebuild(&changed, false).unwrap();
    assert!(r.written.contains(&"fr/affiches/index.html".to_string()), "{:?}", r.written);
}

/// The communes fixture with the repository's own triptych (`posters/` and `i18n/`), and a
/// record of every status: Marseille `deployed` and Ajaccio `refused` (the fixture's), the
/// 45-character commune `refused`, two more `experiment` and `planned`, and one `refused` whose
/// status is `uncertain`.
fn triptych_site() -> TestSite {
    let site = TestSite::fixture("communes");
    copy_dir(&repo().join("posters"), &site.root().join("posters"));
    copy_dir(&repo().join("i18n"), &site.root().join("i18n"));
    let path = site.root().join("data/communes-fr.json");
    let mut list: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for (code, name) in [("89995", "Pré"), ("89996", "Vau"), ("89997", "Ury"), ("89999", LONG)] {
        list.push(serde_json::json!({"code": code, "nom": name, "departement": "89", "region": "27", "population": 100, "codesPostaux": ["89100"], "typeLiaison": 0, "lat": 47.7, "lon": 3.6}));
    }
    list.sort_by(|a, b| a["code"].as_str().cmp(&b["code"].as_str()));
    std::fs::write(&path, serde_json::to_string(&list).unwrap()).unwrap();
    let sources = "sources:\n  - title: \"Délibération\"\n    kind: council-deliberation\n    url: \"https://example.org/d\"\n";
    for (code, status) in [
        ("89995", "planned"),
        ("89996", "experiment"),
        ("89997", "refused\nuncertain: [status]"),
        ("89999", "refused"),
    ] {
        site.file(
            &format!("data/records/{code}.yaml"),
            format!("insee: \"{code}\"\nstatus: {status}\n{sources}"),
        );
    }
    site
}

/// The text of poster 3's A4 PDF for a commune (`""`: the generic version), its words separated
/// by single spaces (no-break spaces and line breaks too).
fn poster_3_text(site: &TestSite, lang: &str, slug: &str) -> String {
    let dir = site.root().join(format!("public/downloads/posters/{lang}/3-agir"));
    let pdf = if slug.is_empty() {
        dir.join(format!("3-agir-{lang}-A4.pdf"))
    } else {
        dir.join(format!("{slug}/3-agir-{slug}-{lang}-A4.pdf"))
    };
    tool("pdftotext", &[pdf.to_str().unwrap(), "-"]).split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn posters_3_thanks_a_commune_that_refused_and_asks_the_others_to_vote() {
    if !poppler() {
        return;
    }
    let site = triptych_site();
    let run = site.build();
    run.success();
    // Every text fits its box, the 45-character name included.
    assert!(!run.stderr.contains("K806"), "{}", run.stderr);
    let long = "89999-saint-remy-en-bouzemont-saint-genest-et-isson";
    // (lang, refused headline and ending, generic headline and call, deployed, experiment)
    let cases = [
        (
            "fr",
            [
                "Votre commune a dit non à la VSA. Merci au conseil municipal",
                "Veillons à ce qu’il tienne parole.",
            ],
            ["peut dire non", "Demandons au conseil municipal"],
            ["de Marseille d’y mettre fin.", "de Vau de s’y opposer.", "de Pré de voter contre."],
        ),
        (
            "en",
            ["Your town said no to VSA. Thank you to the council of", "Let’s hold it to its word."],
            ["can say no", "Let’s ask the council of"],
            ["Marseille to put an end to it.", "Vau to oppose it.", "Pré to vote against it."],
        ),
    ];
    for (lang, refused, generic, asks) in cases {
        // A commune that refused VSA is thanked, and not asked to say no.
        for slug in ["2a004-ajaccio", long] {
            let text = poster_3_text(&site, lang, slug);
            for r in refused {
                assert!(text.contains(r), "{lang} {slug}: lacks {r:?}: {text}");
            }
            for g in generic {
                assert!(!text.contains(g), "{lang} {slug}: still has {g:?}: {text}");
            }
        }
        let text = poster_3_text(&site, lang, long);
        assert!(squash(&text).contains(&squash(LONG)), "{lang}: {text}");
        // The others keep the call, ending as fits what is known there.
        for (slug, ask) in [("13055-marseille", asks[0]), ("89996-vau", asks[1]), ("89995-pre", asks[2])] {
            let text = poster_3_text(&site, lang, slug);
            for g in generic {
                assert!(text.contains(g), "{lang} {slug}: lacks {g:?}: {text}");
            }
            assert!(text.contains(ask), "{lang} {slug}: lacks {ask:?}: {text}");
            assert!(!text.contains(refused[1]), "{lang} {slug}: {text}");
        }
        // A refusal the record doubts, and the generic version, get the plain call.
        for slug in ["89997-ury", ""] {
            let text = poster_3_text(&site, lang, slug);
            assert!(text.contains(generic[0]) && !text.contains(refused[1]), "{lang} {slug}: {text}");
        }
    }
}

#[test]
fn posters_of_a_commune_follow_its_record_in_serve() {
    use std::collections::HashSet;
    if !poppler() {
        return;
    }
    let site = triptych_site();
    let (pool, mut session) = crate::util::serve_session(&site);
    pool.install(|| session.rebuild(&HashSet::new(), true)).unwrap();
    assert!(poster_3_text(&site, "fr", "89995-pre").contains("peut dire non"));
    // The council of Pré votes against: its poster 3 thanks it.
    let rel = "data/records/89995.yaml";
    let record = std::fs::read_to_string(site.root().join(rel)).unwrap();
    site.file(rel, record.replace("status: planned", "status: refused"));
    let r = pool.install(|| session.rebuild(&[site.root().join(rel)].into(), false)).unwrap();
    let pdf = "downloads/posters/fr/3-agir/89995-pre/3-agir-89995-pre-fr-A4.pdf";
    assert!(r.written.iter().any(|p| p == pdf), "{:?}", r.written);
    let text = poster_3_text(&site, "fr", "89995-pre");
    assert!(text.contains("a dit non") && !text.contains("peut dire non"), "{text}");
}
