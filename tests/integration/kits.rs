//! Mobilisation kits: letters filled per commune with the right French grammar and the town
//! hall's address, one A4 page each with embedded fonts; printable pages for every commune;
//! deterministic ZIPs; the brochure as a book; every bad input of the issue.

use std::io::Read;
use std::path::Path;

use crate::util::{TestSite, page_size, poppler, tool};

/// A commune of every INSEE article type (TNCC 0–8), with what a letter must say of it.
const TYPES: &[(&str, &str, u8, &str)] = &[
    ("13055", "Marseille", 0, "de Marseille"),
    ("84007", "Avignon", 1, "d’Avignon"),
    ("76351", "Le Havre", 2, "du Havre"),
    ("17300", "La Rochelle", 3, "de La Rochelle"),
    ("78440", "Les Mureaux", 4, "des Mureaux"),
    ("01001", "L'Abergement-Clémenciat", 5, "de L’Abergement-Clémenciat"),
    ("60030", "Aux Marais", 6, "des Marais"),
    ("66093", "Las Illas", 7, "de Las Illas"),
    ("66102", "Los Masos", 8, "de Los Masos"),
];

const LONG: &str = "Saint-Remy-en-Bouzemont-Saint-Genest-et-Isson";

/// The communes fixture with the campaign's kit, communes of every article type (each with a
/// record, so its PDFs are made), a 45-character name, and town halls for some.
fn kit_site() -> TestSite {
    let site = TestSite::fixture("communes");
    copy(&crate::util::repo().join("kits"), &site.root().join("kits"));
    let path = site.root().join("data/communes-fr.json");
    let mut list: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    list.retain(|c| !TYPES.iter().any(|t| c["code"] == t.0));
    for &(code, name, tncc, _) in TYPES {
        list.push(serde_json::json!({"code": code, "nom": name, "departement": "13", "region": "93", "population": 1000, "codesPostaux": ["13001"], "typeLiaison": tncc, "lat": 43.3, "lon": 5.4}));
    }
    list.push(serde_json::json!({"code": "89999", "nom": LONG, "departement": "13", "region": "93", "population": 10, "codesPostaux": ["89100"], "typeLiaison": 0, "lat": 47.7, "lon": 3.6}));
    list.sort_by(|a, b| a["code"].as_str().cmp(&b["code"].as_str()));
    std::fs::write(&path, serde_json::to_string(&list).unwrap()).unwrap();
    for &(code, _, _, _) in TYPES.iter().chain(&[("89999", LONG, 0, "")]) {
        if code != "13055" {
            site.file(&format!("data/records/{code}.yaml"), format!("insee: \"{code}\"\nstatus: unknown\n"));
        }
    }
    site.file(
        "data/mairies-fr.json",
        r#"[
{"code":"13055","adresse":["Quai du Port","13233 Marseille Cedex 20"],"email":"mairie@example.org","site":"https://example.org/"},
{"code":"76351","adresse":["1517 place de l'Hôtel de Ville","76600 Le Havre"]}
]
"#,
    );
    site
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// The text of a PDF, lines joined (hyphenation and line ends undone).
fn text(pdf: &Path) -> String {
    let t = tool("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    let mut out = String::new();
    for line in t.lines() {
        let l = line.trim();
        if let Some(stem) = l.strip_suffix('-').or_else(|| l.strip_suffix('\u{ad}')) {
            out.push_str(stem);
            out.push('\u{1}');
        } else {
            out.push_str(l);
            out.push(' ');
        }
    }
    // A break after a hyphen: a hyphenation point (drop it) or a real hyphen (keep it); both
    // spellings are tried by the caller through `has`.
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `text` holds `needle`, whatever hyphenated line break happens inside it.
fn has(text: &str, needle: &str) -> bool {
    let joined = text.replace('\u{1}', "");
    let hyphen = text.replace('\u{1}', "-");
    let nbsp = |s: &str| s.replace(['\u{a0}', '\u{202f}'], " ");
    // pdftotext itself drops a hyphen that ends a line ("Saint-" / "Genest" reads "SaintGenest").
    let bare = |s: &str| nbsp(s).replace(['-', '\u{1}'], "");
    [joined, hyphen].iter().any(|t| nbsp(t).contains(&nbsp(needle))) || bare(text).contains(&bare(needle))
}

fn slug(code: &str, name: &str) -> String {
    format!("{}-{}", code.to_lowercase(), kitgen::slug::slugify(name))
}

#[test]
fn letters_name_every_commune_with_its_article_on_one_a4_page_with_embedded_fonts() {
    if !poppler() {
        return;
    }
    let site = kit_site();
    site.build().success();
    let out = site.root().join("public");
    for &(code, name, _, de) in
        TYPES.iter().chain(&[("89999", LONG, 0, "de Saint-Remy-en-Bouzemont-Saint-Genest-et-Isson")])
    {
        let s = slug(code, name);
        for doc in ["lettre-conseil", "demande-cada", "acces-images", "tract"] {
            let pdf = out.join(format!("downloads/kits/fr/vsa/{s}/{doc}-{s}-fr.pdf"));
            assert!(pdf.is_file(), "{} missing", pdf.display());
            let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
            assert!(info.contains("Pages:           1\n"), "{doc} for {name} is not one page:\n{info}");
            let (w, h) = page_size(&pdf);
            assert!((w - 595.28).abs() < 0.5 && (h - 841.89).abs() < 0.5, "{doc} for {name}: {w} × {h} pt");
            let fonts = tool("pdffonts", &[pdf.to_str().unwrap()]);
            let rows: Vec<&str> = fonts.lines().skip(2).collect();
            assert!(
                !rows.is_empty() && rows.iter().all(|r| r.contains(" yes ")),
                "{doc}: fonts not embedded:\n{fonts}"
            );
            assert!(rows.iter().all(|r| r.contains("Inter")), "{doc}: only the site's fonts:\n{fonts}");
            let t = text(&pdf);
            if doc == "tract" {
                assert!(
                    has(&t, &format!("Agir dans la commune {de}")),
                    "{doc} for {name}: no “{de}” in\n{t}"
                );
            } else {
                assert!(
                    has(&t, &format!("la commune {de}")),
                    "{doc} for {name}: no “la commune {de}” in\n{t}"
                );
            }
            if doc == "lettre-conseil" {
                assert!(has(&t, &format!("Mairie {de}")), "the address names the town hall: {t}");
            }
        }
    }
    // The town hall's address from the directory, in the window; blank lines without one.
    let t = text(&out.join("downloads/kits/fr/vsa/76351-le-havre/lettre-conseil-76351-le-havre-fr.pdf"));
    assert!(has(&t, "1517 place de l’Hôtel de Ville") || has(&t, "1517 place de l'Hôtel de Ville"), "{t}");
    assert!(has(&t, "Madame la Maire, Monsieur le Maire"), "{t}");
    let t = text(&out.join("downloads/kits/fr/vsa/84007-avignon/lettre-conseil-84007-avignon-fr.pdf"));
    assert!(has(&t, "13001 AVIGNON"), "no directory address: the postal code and the name, {t}");
    // The generic letter: blanks for the name, no commune.
    let t = text(&out.join("downloads/kits/fr/vsa/lettre-conseil-fr.pdf"));
    // Blanks are drawn as rules, so no text stands where the commune's name goes.
    assert!(has(&t, "par lequel la commune de s’engage"), "{t}");
    // English letters and PDFs exist too, with their own text.
    let t = text(&out.join("downloads/kits/en/vsa/76351-le-havre/lettre-conseil-76351-le-havre-en.pdf"));
    assert!(has(&t, "Le Havre"), "{t}");
}

#[test]
fn printable_pages_exist_for_every_commune_and_the_commune_page_links_them() {
    let site = kit_site();
    site.build().success();
    // No content page declares the kit: the printable pages live under /<lang>/kits/<id>/.
    let page = site.out("fr/kits/vsa/76351-le-havre/index.html");
    assert!(page.contains("lang=\"fr\""), "a lang on the page");
    assert!(page.contains("la commune du Havre"), "{page}");
    assert!(page.contains("Mairie du Havre"), "{page}");
    assert!(page.contains("class=\"sheet letter\"") && page.contains("class=\"sheet flyer\""), "{page}");
    // A commune without a record still has its printable page, with no PDF of its own.
    let bourg = site.out("fr/kits/vsa/01053-bourg-en-bresse/index.html");
    assert!(bourg.contains("la commune de Bourg-en-Bresse"));
    assert!(!site.out_exists(
        "downloads/kits/fr/vsa/01053-bourg-en-bresse/lettre-conseil-01053-bourg-en-bresse-fr.pdf"
    ));
    // The generic page: blanks to write on.
    let generic = site.out("fr/kits/vsa/a-completer/index.html");
    assert!(generic.contains("<span class=\"blank blank-l\"></span>"), "{generic}");
    assert!(site.out_exists("en/kits/vsa/blank/index.html"));
    // The commune page: the kit's block with its printable page, PDFs, ZIP and the town hall.
    let commune = site.out("fr/communes/13055-marseille/index.html");
    for needle in [
        "kits/vsa/13055-marseille/",
        "lettre-conseil-13055-marseille-fr.pdf",
        "kit-vsa-13055-marseille.zip",
        "Quai du Port",
        "mailto:mairie@example.org",
        "Écrire au maire et au conseil municipal",
    ] {
        assert!(commune.contains(needle), "commune page lacks {needle}");
    }
    let bourg = site.out("fr/communes/01053-bourg-en-bresse/index.html");
    assert!(
        bourg.contains("kits/vsa/01053-bourg-en-bresse/") && !bourg.contains(".zip\" download>Tout le kit")
    );
    assert!(bourg.contains("ne donne pas d’adresse postale"), "{bourg}");
}

#[test]
fn a_town_hall_that_moves_moves_on_its_pages_in_serve() {
    use std::collections::HashSet;
    let site = kit_site();
    let (pool, mut session) = crate::util::serve_session(&site);
    pool.install(|| session.rebuild(&HashSet::new(), true)).unwrap();
    let page = "fr/kits/vsa/13055-marseille/index.html";
    assert!(site.out(page).contains("Quai du Port"));
    // The reference list is kept between rebuilds by the stamps of its files, the town
    // halls' among them.
    let rel = "data/mairies-fr.json";
    site.file(
        rel,
        std::fs::read_to_string(site.root().join(rel)).unwrap().replace("Quai du Port", "2 rue Neuve"),
    );
    pool.install(|| session.rebuild(&[site.root().join(rel)].into(), false)).unwrap();
    let moved = site.out(page);
    assert!(moved.contains("2 rue Neuve") && !moved.contains("Quai du Port"), "{moved}");
    assert!(site.out("fr/communes/13055-marseille/index.html").contains("2 rue Neuve"));
}

#[test]
fn a_content_page_with_the_kit_template_is_the_kits_page() {
    let site = kit_site();
    site.file(
        "content/fr/kit.md",
        "---\ntitle: \"Le kit\"\ntemplate: \"kits/kit.html\"\nextra:\n  kit: vsa\n---\n\nDu texte.\n",
    );
    site.build().success();
    let page = site.out("fr/kit/index.html");
    assert!(page.contains("href=\"a-completer/\""), "{page}");
    assert!(
        page.contains("downloads/kits/fr/vsa/lettre-conseil-fr.pdf") && page.contains("kit-vsa.zip"),
        "{page}"
    );
    assert!(page.contains("Comment l’envoyer"), "advice on the kit page");
    assert!(site.out_exists("fr/kit/13055-marseille/index.html"));
    // A kit page naming a kit that does not exist.
    site.file(
        "content/fr/kit.md",
        "---\ntitle: \"Le kit\"\ntemplate: \"kits/kit.html\"\nextra:\n  kit: vs\n---\n",
    );
    site.build().failure(1).stderr_has("K821").stderr_has("content/fr/kit.md").stderr_has("kit `vs`");
}

/// Reads every entry of a ZIP, checking its CRC.
fn entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().unwrap().to_string(), b)
        })
        .collect()
}

#[test]
fn kit_zips_hold_the_pdfs_the_posters_and_a_readme_and_are_the_same_across_builds() {
    let site = kit_site();
    // A poster the kit includes.
    site.file("posters/p/poster.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"210mm\" height=\"297mm\" viewBox=\"0 0 210 297\"><text x=\"20\" y=\"50\" font-size=\"20\">{% if commune %}{{ commune.name }}{% else %}VSA{% endif %}</text></svg>");
    site.file("posters/p/poster.yaml", "title:\n  fr: \"Affiche\"\nsizes: [A4]\n");
    let yaml = std::fs::read_to_string(site.root().join("kits/vsa/kit.yaml"))
        .unwrap()
        .replace("posters: []", "posters: [p]");
    site.file("kits/vsa/kit.yaml", yaml);
    site.build().success();
    let zip = site.root().join("public/downloads/fr/kit-vsa-76351-le-havre.zip");
    let first = std::fs::read(&zip).unwrap();
    let names: Vec<String> = entries(&zip).into_iter().map(|(n, _)| n).collect();
    for n in [
        "lettre-conseil-76351-le-havre-fr.pdf",
        "demande-cada-76351-le-havre-fr.pdf",
        "acces-images-76351-le-havre-fr.pdf",
        "tract-76351-le-havre-fr.pdf",
        "p/p-76351-le-havre-fr-A4.pdf",
        "LISEZMOI.txt",
    ] {
        assert!(names.iter().any(|x| x == n), "{n} not in {names:?}");
    }
    let readme = entries(&zip).into_iter().find(|(n, _)| n == "LISEZMOI.txt").unwrap().1;
    let readme = String::from_utf8(readme).unwrap();
    assert!(
        readme.replace(['\u{a0}', '\u{202f}'], " ").contains("Kit pour la commune : Le Havre"),
        "{readme}"
    );
    assert!(readme.contains("\r\n"), "the README reads well on every system");
    for (name, bytes) in entries(&zip) {
        if name.ends_with(".pdf") {
            assert!(bytes.starts_with(b"%PDF-"), "{name}");
        }
    }
    assert!(
        entries(&site.root().join("public/downloads/en/kit-vsa.zip")).iter().any(|(n, _)| n == "README.txt")
    );
    // A second build from scratch gives the same bytes, PDFs and ZIPs alike.
    std::fs::remove_dir_all(site.root().join("public")).unwrap();
    site.build().success();
    assert_eq!(first, std::fs::read(&zip).unwrap(), "the ZIP differs between two builds");
}

#[test]
fn the_brochure_is_a_book_with_a_table_of_contents_and_a_chapter_each() {
    let site = kit_site();
    site.file(
        "content/fr/chapitres/_index.md",
        "---\ntitle: \"La brochure\"\nsummary: \"Pour comprendre.\"\nextra:\n  book: true\n---\n\nLire les [chapitres](@/chapitres/deux.md#plus-loin).\n",
    );
    site.file("content/fr/chapitres/un.md", "---\ntitle: \"Premier chapitre\"\nweight: 1\n---\n\n## Une partie\n\nUn texte avec une note[^n] et un [lien](https://example.org/).\n\n[^n]: Le texte de la note.\n");
    site.file("content/fr/chapitres/deux.md", "---\ntitle: \"Second chapitre\"\nweight: 2\n---\n\n## Une partie\n\nEncore.\n\n## Plus loin\n\nFin.\n\n## Suite\n\nLa suite.\n");
    site.build().success();
    let page = site.out("fr/chapitres/un/index.html");
    assert!(page.contains("downloads/fr/chapitres.pdf"), "each chapter links to the book");
    assert!(site.out("fr/chapitres/index.html").contains("downloads/fr/chapitres.pdf"));
    if !poppler() {
        return;
    }
    let pdf = site.root().join("public/downloads/fr/chapitres.pdf");
    let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    let pages: usize = info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
    assert!(pages >= 4, "cover, contents, chapters: {pages} pages");
    let t = text(&pdf);
    assert!(has(&t, "Sommaire"), "{t}");
    for title in ["La brochure", "Premier chapitre", "Second chapitre", "Le texte de la note."] {
        assert!(t.matches(title).count() >= 1, "{title} not in the book: {t}");
    }
    // Chapters are in the contents (their titles appear there and as headings), and the PDF
    // has an outline (bookmarks) and internal links.
    assert!(t.matches("Premier chapitre").count() >= 2, "{t}");
    let bytes = std::fs::read(&pdf).unwrap();
    let raw = String::from_utf8_lossy(&bytes);
    assert!(raw.contains("/Outlines"), "bookmarks");
    // The running header repeats the chapter's title on its later pages: the chapter is long
    // enough only in real brochures; here the numbered pages are enough.
    let p3 = tool("pdftotext", &["-f", "3", "-l", "3", pdf.to_str().unwrap(), "-"]);
    assert!(p3.contains('1') || p3.contains('2'), "numbered pages: {p3}");
}

#[test]
fn an_unknown_placeholder_is_an_error_at_its_line() {
    let site = kit_site();
    let doc = std::fs::read_to_string(site.root().join("kits/vsa/lettre-conseil.fr.md")).unwrap();
    let doc = doc.replacen("{{ commune.de }}", "{{ commune.nme }}", 1);
    let line = doc.lines().position(|l| l.contains("commune.nme")).unwrap() + 1;
    site.file("kits/vsa/lettre-conseil.fr.md", &doc);
    site.build()
        .failure(1)
        .stderr_has("K823")
        .stderr_has(&format!("kits/vsa/lettre-conseil.fr.md:{line}:"))
        .stderr_has("nme");
}

#[test]
fn a_document_missing_in_a_language_falls_back_with_a_notice() {
    let site = kit_site();
    site.remove("kits/vsa/tract.en.md");
    site.build().success();
    let page = site.out("en/kits/vsa/13055-marseille/index.html");
    assert!(page.contains("not translated yet"), "a notice");
    assert!(page.contains("lang=\"fr\""), "the French text is marked as French");
    assert!(site.out_exists("downloads/kits/en/vsa/13055-marseille/tract-13055-marseille-en.pdf"));
    // A document with no file in the default language is an error naming the file to write.
    site.remove("kits/vsa/tract.fr.md");
    site.build().failure(1).stderr_has("K822").stderr_has("kits/vsa/tract.fr.md");
}

#[test]
fn what_a_pdf_cannot_show_is_left_out_with_a_warning() {
    let site = kit_site();
    let doc = std::fs::read_to_string(site.root().join("kits/vsa/tract.fr.md")).unwrap();
    site.file(
        "kits/vsa/tract.fr.md",
        format!("{doc}\n![Une caméra](/img/camera.png)\n\n<div class=\"x\">Bloc HTML</div>\n"),
    );
    site.file("static/img/camera.png", b"\x89PNG\r\n\x1a\n");
    let run = site.build();
    run.success().stderr_has("K826").stderr_has("kits/vsa/tract.fr.md");
    assert!(site.out_exists("downloads/kits/fr/vsa/tract-fr.pdf"));
}

#[test]
fn typst_markup_in_a_record_stays_text() {
    if !poppler() {
        return;
    }
    let site = kit_site();
    site.file(
        "data/records/76351.yaml",
        "insee: \"76351\"\nstatus: deployed\nvendors: [\"#set page(width: 1cm) $x$ @ref [evil] *b* \\\\ \\\" //c\"]\nsources:\n  - title: \"Article\"\n    kind: press\n    url: \"https://example.org/a\"\n",
    );
    site.build().success();
    let pdf =
        site.root().join("public/downloads/kits/fr/vsa/76351-le-havre/lettre-conseil-76351-le-havre-fr.pdf");
    let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    assert!(info.contains("Pages:           1\n") && info.contains("595.276 x 841.89"), "{info}");
    let t = text(&pdf);
    assert!(
        has(&t, "#set page(width: 1cm) $x$ @ref [evil] *b* \\ \" //c"),
        "the vendor's text as written: {t}"
    );
    let html = site.out("fr/kits/vsa/76351-le-havre/index.html");
    assert!(html.contains("#set page(width: 1cm) $x$ @ref [evil] *b*"), "and on the printable page");
}

#[test]
fn a_letter_that_cannot_fit_one_page_is_an_error() {
    let site = kit_site();
    let doc = std::fs::read_to_string(site.root().join("kits/vsa/acces-images.fr.md")).unwrap();
    let long = "Un paragraphe de plus pour que la lettre déborde de sa page. ".repeat(12);
    site.file("kits/vsa/acces-images.fr.md", format!("{doc}\n{}\n", vec![long; 8].join("\n\n")));
    site.build()
        .failure(1)
        .stderr_has("K825")
        .stderr_has("kits/vsa/acces-images.fr.md")
        .stderr_has("must fit one A4 page");
}

#[test]
fn kit_manifest_errors_are_located() {
    let site = kit_site();
    site.file(
        "kits/vsa/kit.yaml",
        "title:\n  fr: \"Kit\"\ndocuments:\n  - id: lettre-conseil\n    kind: lettre\n",
    );
    site.build().failure(1).stderr_has("K821").stderr_has("kits/vsa/kit.yaml:5:");
    site.file("kits/vsa/kit.yaml", "title:\n  fr: \"Kit\"\ndocuments:\n  - { id: lettre-conseil, kind: letter }\n  - { id: absente, kind: letter }\n");
    site.build().failure(1).stderr_has("K822").stderr_has("kits/vsa/absente.fr.md");
}
