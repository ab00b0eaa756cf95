//! `kitgen import records`, `kitgen new`, `kitgen completions` and `kitgen man`.

use std::io::Write;

use crate::util::{TestSite, kitgen_in};

/// The `communes` fixture (23 communes, 12 of them named Sainte-Colombe) with a census.
fn site_with(name: &str, content: impl AsRef<[u8]>) -> TestSite {
    let site = TestSite::fixture("communes");
    site.file(name, content);
    site
}

fn read(site: &TestSite, rel: &str) -> String {
    std::fs::read_to_string(site.root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn records(site: &TestSite) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(site.root().join("data/records"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

const MIXED: &str = "Commune,Département,Statut,Fournisseurs,Sources,Notes,notes (en),Usages\n\
Bourg-en-Bresse,,projet,Axis,,,,\n\
Sainte-Colombe,,refusé,,,,,\n\
Ste\u{a0}Colombe,Gironde,refusé,,https://example.org/sc,,,\n\
Saint-Etiene,,inconnu,,,,,\n\
Métropole Aix-Marseille-Provence,,déployé,,,,,\n\
 Bourg en Bres\u{ad}se ,01,,\"Hikvision, axis\",\"Délibération https://example.org/bourg\nhttps://example.org/b2\",\"Vote du\nconseil\",,counting\n\
Aix-en-Provence,,déployé,,,,,\n\
L'abergement clemenciat,,peut-être,,,,,\n\
Salon-de-Provence,13,déployé,,https://example.org/s,,,\n\
Salon de Provence,13,refusé,,,,,\n\
Paris,75,expérimentation,,https://example.org/p,Texte,Text,\n";

#[test]
fn import_mixed_rows_writes_valid_records_and_reports_the_rest() {
    let site = site_with("census.csv", MIXED);
    let before = records(&site);
    let run = site.kitgen(&["import", "records", "census.csv"]);
    run.failure(1);
    // Created records, named like the existing ones.
    let mut expected = before.clone();
    expected.extend(
        [
            "01053-bourg-en-bresse.yaml",
            "13001-aix-en-provence.yaml",
            "33390-sainte-colombe.yaml",
            "75056-paris.yaml",
        ]
        .map(String::from),
    );
    expected.sort();
    assert_eq!(records(&site), expected);
    assert_eq!(
        read(&site, "data/records/01053-bourg-en-bresse.yaml"),
        "insee: '01053'\nname: Bourg-en-Bresse\nstatus: planned\nvendors:\n- Axis\n- Hikvision\nuse_cases:\n- counting\nsources:\n- title: example.org/b2\n  kind: other\n  url: https://example.org/b2\n- title: Délibération\n  kind: other\n  url: https://example.org/bourg\nnotes:\n  fr: |-\n    Vote du\n    conseil\n"
    );
    // No status anywhere: unknown, marked uncertain. `deployed` without a source: the same.
    assert_eq!(
        read(&site, "data/records/13001-aix-en-provence.yaml"),
        "insee: '13001'\nname: Aix-en-Provence\nstatus: unknown\nuncertain:\n- status\n"
    );
    assert!(read(&site, "data/records/75056-paris.yaml").contains("status: experiment\n"));
    assert!(read(&site, "data/records/75056-paris.yaml").contains("notes:\n  en: Text\n  fr: Texte\n"));
    // The report.
    assert!(
        run.stdout.contains("kitgen import: 11 rows read; records: 4 created, 0 updated, 0 unchanged; rows not imported: 1 ambiguous, 2 unmatched (1 intercommunal), 3 invalid; 0 records kept (use --force)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("created      data/records/01053-bourg-en-bresse.yaml  (rows 2, 7)"),
        "{}",
        run.stdout
    );
    run.stderr_has("census.csv:3:1: error[K573]: row 3: 12 communes are named `Sainte-Colombe`: not imported")
        .stderr_has("= note: candidates: Sainte-Colombe (05135, 05), Sainte-Colombe (17319, 17),")
        .stderr_has("census.csv:5:1: error[K574]: row 5: no commune named `Saint-Etiene`: not imported")
        .stderr_has("= fix: nearest: Saint-Étienne (42218, 42)")
        .stderr_has("error[K574]: row 6: `Métropole Aix-Marseille-Provence` is an intercommunal body, not a commune: not imported")
        .stderr_has("census.csv:11:3: error[K572]: row 9: unknown status `peut-être`: not imported")
        .stderr_has("= fix: use one of: déployé (deployed), expérimentation (experiment), projet (planned), refusé (refused), inconnu (unknown)")
        .stderr_has("error[K575]: rows 10 and 11 are about Salon-de-Provence (13103) and give different status: `deployed` and `refused`: not imported")
        .stderr_has("warning[K577]: row 8: Aix-en-Provence is `deployed` without a source: imported as `unknown`, with `status` marked uncertain")
        .stderr_has("kitgen: 5 errors, 1 warning; the other rows were imported");
    // What was written passes the build.
    site.build().success();
    // Again: nothing changes.
    let again = site.kitgen(&["import", "records", "census.csv"]);
    assert!(again.stdout.contains("records: 0 created, 0 updated, 4 unchanged"), "{}", again.stdout);
}

#[test]
fn import_semicolons_bom_crlf_and_codes() {
    let csv =
        "\u{feff}Code INSEE;Nom;STATUT;Vendor(s)\r\n01053;Bourg;Refusé;\r\n2a004;Ajaccio;;\r\n1001;x;;\r\n";
    let site = site_with("c.csv", csv);
    let run = site.kitgen(&["import", "records", "c.csv"]);
    run.failure(1)
        .stderr_has("c.csv:2:2: warning[K578]: row 2: `Bourg` is not the name of 01053 (Bourg-en-Bresse): the code is used")
        .stderr_has("c.csv:3:1: error[K572]: row 3: INSEE code `2a004`: Corsican codes are written with a capital letter (`2A004`)")
        .stderr_has("c.csv:4:1: error[K572]: row 4: INSEE code `1001` has 4 digits");
    assert!(read(&site, "data/records/01053-bourg-en-bresse.yaml").contains("status: refused\n"));
}

#[test]
fn import_refuses_other_encodings_and_unknown_headers() {
    let site = site_with("latin1.csv", b"commune;statut\nMarseille;refus\xe9\n".as_slice());
    site.kitgen(&["import", "records", "latin1.csv"])
        .failure(2)
        .stderr_has("latin1.csv:2:2: error[K570]: latin1.csv is not UTF-8: row 2, column 2 has the byte 0xE9")
        .stderr_has("save it again as \"CSV UTF-8\"")
        .stderr_has("nothing was imported");
    site.file("h.csv", "commune,couleur,statuts,Notes (de)\nMarseille,rouge,refusé,x\n");
    site.kitgen(&["import", "records", "h.csv"])
        .failure(2)
        .stderr_has("h.csv:1:2: error[K571]: unknown column `couleur`")
        .stderr_has("= fix: known columns: insee, code, code insee, code commune, commune, nom, name,")
        .stderr_has("h.csv:1:4: error[K571]: unknown column `Notes (de)`")
        .stderr_has("notes (<lang>) with <lang> one of fr, en");
    site.file("n.csv", "statut\nrefusé\n");
    site.kitgen(&["import", "records", "n.csv"])
        .failure(2)
        .stderr_has("error[K571]: no commune column: the table needs `commune` (a name) or `insee` (a code)");
}

#[test]
fn import_dry_run_and_force() {
    let csv = "insee,statut,fournisseurs\n13055,refusé,Nouveau\n01004,projet,\n";
    let site = site_with("c.csv", csv);
    let marseille = read(&site, "data/records/13055-marseille.yaml");
    let run = site.kitgen(&["import", "records", "c.csv", "--dry-run"]);
    run.failure(1).stderr_has(
        "c.csv:2:1: error[K576]: row 2: data/records/13055-marseille.yaml exists and would change (status, vendors): not overwritten",
    );
    assert!(run.stdout.contains("would create data/records/01004-amberieu-en-bugey.yaml"), "{}", run.stdout);
    assert!(run.stdout.ends_with("dry run: nothing was written\n"), "{}", run.stdout);
    assert!(!site.root().join("data/records/01004-amberieu-en-bugey.yaml").exists());
    site.kitgen(&["import", "records", "c.csv"]).failure(1);
    assert_eq!(read(&site, "data/records/13055-marseille.yaml"), marseille, "overwritten without --force");
    let forced = site.kitgen(&["import", "records", "c.csv", "--force", "--dry-run"]);
    forced.success();
    assert!(
        forced.stdout.contains("would update data/records/13055-marseille.yaml (status, vendors)"),
        "{}",
        forced.stdout
    );
    assert_eq!(read(&site, "data/records/13055-marseille.yaml"), marseille);
    site.kitgen(&["import", "records", "c.csv", "--force"]).success();
    let updated = read(&site, "data/records/13055-marseille.yaml");
    // The spreadsheet's fields replace the record's; the others (and its sources) stay.
    assert!(updated.contains("status: refused\nvendors:\n- Nouveau\n"), "{updated}");
    assert!(updated.contains("url: https://example.org/cada"), "{updated}");
    assert!(updated.contains("local_group:\n  name: Groupe Marseille"), "{updated}");
    site.build().success();
}

/// A minimal `.xlsx` (inline strings, numbers for codes), written with the zip crate.
fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, cell) in row.iter().enumerate() {
            let at = format!("{}{}", (b'A' + c as u8) as char, r + 1);
            if !cell.is_empty() && cell.bytes().all(|b| b.is_ascii_digit()) {
                sheet.push_str(&format!(r#"<c r="{at}"><v>{cell}</v></c>"#));
            } else {
                sheet.push_str(&format!(r#"<c r="{at}" t="inlineStr"><is><t>{cell}</t></is></c>"#));
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let rels = "http://schemas.openxmlformats.org/package/2006/relationships";
    let files = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{rels}"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Recensement" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{rels}"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn import_an_xlsx_workbook() {
    let book = xlsx(&[
        &["Code", "Commune", "Statut", "Sources", "Caméras"],
        &["13103", "Salon-de-Provence", "Déployé", "https://example.org/salon", "42"],
        &["", "Sainte-Colombe", "", "", ""],
        &["1004", "", "", "", ""],
    ]);
    let site = site_with("recensement.xlsx", book);
    let run = site.kitgen(&["import", "records", "recensement.xlsx"]);
    run.failure(1)
        .stderr_has("recensement.xlsx:3:2: error[K573]: row 3: 12 communes are named `Sainte-Colombe`")
        .stderr_has("recensement.xlsx:4:1: error[K572]: row 4: INSEE code `1004` has 4 digits");
    assert_eq!(
        read(&site, "data/records/13103-salon-de-provence.yaml"),
        "insee: '13103'\nname: Salon-de-Provence\nstatus: deployed\ncameras: 42\nsources:\n- title: example.org/salon\n  kind: other\n  url: https://example.org/salon\n"
    );
    site.build().success();
}

#[test]
fn new_site_builds_strict_without_warnings_and_refuses_a_non_empty_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = kitgen_in(tmp.path(), &["new", "site", "--language", "fr", "--language", "en"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let site = tmp.path().join("site");
    for f in [
        "kitgen.yaml",
        "content/fr/_index.md",
        "content/en/_index.md",
        "themes/default/templates/base.html",
        "posters/affiche/poster.svg",
        "kits/kit/kit.yaml",
    ] {
        assert!(site.join(f).is_file(), "{f} missing");
    }
    assert!(!site.join("data/communes-fr.json").exists());
    let build = kitgen_in(&site, &["build", "--strict"]);
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert!(build.status.success(), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    for f in [
        "public/fr/index.html",
        "public/en/kit/index.html",
        "public/downloads/kits/fr/kit/tract-fr.pdf",
        "public/fr/affiches/index.html",
    ] {
        assert!(site.join(f).is_file(), "{f} not built");
    }
    let again = kitgen_in(tmp.path(), &["new", "site"]);
    assert_eq!(again.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("error[K580]: site is not empty: kitgen new writes only into a new or empty folder"),
        "{stderr}"
    );
    // Another language than the theme's: English strings to translate, still strict-clean.
    let de = kitgen_in(tmp.path(), &["new", "de", "--language", "de"]);
    assert!(de.status.success());
    let build = kitgen_in(&tmp.path().join("de"), &["build", "--strict"]);
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
}

#[test]
fn completions_and_man_page_list_the_subcommands() {
    let tmp = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let out = kitgen_in(tmp.path(), &["completions", shell]);
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        for sub in ["build", "serve", "import", "new", "completions"] {
            assert!(text.contains(sub), "{shell} completions lack {sub}");
        }
    }
    let out = kitgen_in(tmp.path(), &["man"]);
    assert!(out.status.success());
    let man = String::from_utf8_lossy(&out.stdout);
    assert!(man.starts_with(".ie") || man.contains(".TH kitgen"), "{}", &man[..200.min(man.len())]);
    for sub in ["KITGEN BUILD", "KITGEN IMPORT", "KITGEN NEW", "kitgen import records recensement.csv"] {
        assert!(man.contains(sub), "man page lacks {sub}");
    }
    let help = kitgen_in(tmp.path(), &["import", "records", "--help"]);
    assert!(
        String::from_utf8_lossy(&help.stdout)
            .contains("Examples:\n  kitgen import records recensement.csv --dry-run")
    );
}

#[test]
fn import_finds_records_in_sub_folders_and_leaves_invalid_ones_alone() {
    let site = site_with("c.csv", "insee,statut\n01004,refusé\n01001,refusé\n");
    site.file(
        "data/records/ain/01004-amberieu.yaml",
        "insee: \"01004\"\nname: Ambérieu-en-Bugey\nstatus: refused\n",
    );
    site.file("data/records/01001-x.yaml", "insee: \"01001\"\nstatus: deploy\n");
    let run = site.kitgen(&["import", "records", "c.csv"]);
    run.failure(1)
        .stderr_has(
            "c.csv:3:1: error[K576]: row 3: data/records/01001-x.yaml exists but is invalid: not imported",
        )
        .stderr_has("data/records/01001-x.yaml:2:9: error[K511]: invalid value `deploy` for `status`");
    assert!(
        run.stdout.contains("unchanged    data/records/ain/01004-amberieu.yaml  (row 2)"),
        "{}",
        run.stdout
    );
    assert_eq!(records(&site), ["01001-x.yaml", "13055-marseille.yaml", "2A004-ajaccio.yaml", "ain"]);
}
