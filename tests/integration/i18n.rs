//! Languages: translations, fallbacks, the switcher, hreflang, formats, RTL and the report.

use crate::util::TestSite;

const THREE: &str = "title: \"Site de test\"\nbase_url: \"https://example.org/test/\"\ndefault_language: fr\nminify: false\nlanguages:\n  - code: fr\n    name: \"Français\"\n    typography: fr\n  - code: en\n    name: \"English\"\n  - code: es\n    name: \"Español\"\n    missing: MISSING\n";

fn three(missing: &str) -> TestSite {
    let site = TestSite::fixture("minimal");
    site.file("kitgen.yaml", THREE.replace("MISSING", missing));
    site.file("content/es/_index.md", "---\ntitle: \"Inicio\"\n---\nBienvenida.\n");
    site
}

#[test]
fn a_third_language_with_one_page_falls_back_with_a_notice() {
    let site = three("fallback");
    let run = site.build();
    run.success().stderr_has("interface strings missing in `es`, shown in `fr`");
    // the translated page is in Spanish
    let home = site.out("es/index.html");
    assert!(home.contains("<html lang=\"es\" dir=\"ltr\">") && home.contains("Inicio"));
    // untranslated pages are published at the Spanish URL, in French, with a notice
    let page = site.out("es/chapitres/premier/index.html");
    assert!(page.contains("<html lang=\"es\""), "{page}");
    assert!(page.contains("<article lang=\"fr\" dir=\"ltr\">"), "{page}");
    assert!(page.contains("class=\"notice\""), "{page}");
    assert!(page.contains("Premier chapitre"));
    // no hreflang for a copy; the real versions list each other
    assert!(!page.contains("hreflang=\"es\" href=\"https://example.org/test/es/"), "{page}");
    let fr = site.out("fr/chapitres/premier/index.html");
    assert!(
        fr.contains(
            "<link rel=\"alternate\" hreflang=\"en\" href=\"https://example.org/test/en/chapters/first/\">"
        ),
        "{fr}"
    );
    assert!(fr.contains("<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://example.org/test/fr/chapitres/premier/\">"));
    assert!(!fr.contains("hreflang=\"es\" href=\"https://"), "{fr}");
    // the switcher goes to the page in every language: a real translation, or the copy
    assert!(
        fr.contains("href=\"../../../es/chapitres/premier/\" hreflang=\"es\" lang=\"es\" title="),
        "{fr}"
    );
    assert!(
        fr.contains("href=\"../../../en/chapters/first/\" hreflang=\"en\" lang=\"en\">English</a>"),
        "{fr}"
    );
    // never a raw key on the page: strings fall back to French
    assert!(page.contains("Aller au contenu"), "{page}");
}

#[test]
fn omitted_translations_are_not_published_and_the_switcher_goes_home() {
    let site = three("omit");
    site.build().success();
    assert!(site.out_exists("es/index.html"));
    assert!(!site.out_exists("es/chapitres/premier/index.html"));
    let fr = site.out("fr/chapitres/premier/index.html");
    assert!(fr.contains("href=\"../../../es/\" hreflang=\"es\" lang=\"es\" title="), "{fr}");
    let sitemap = site.out("sitemap.xml");
    assert!(!sitemap.contains("/es/chapitres/"));
}

#[test]
fn dates_follow_the_language() {
    let site = TestSite::fixture("minimal");
    site.build().success();
    assert!(
        site.out("fr/chapitres/deux/index.html").contains("Publié le 28\u{A0}novembre 2026")
            || site.out("fr/chapitres/deux/index.html").contains("Publié le 28 novembre 2026")
    );
    // the English version is a copy of the French page (no translation): English interface
    let en = site.out("en/chapters/deux/index.html");
    assert!(en.contains("Published on 28 November 2026"), "{en}");
}

#[test]
fn right_to_left_languages_get_dir_rtl() {
    let site = TestSite::fixture("minimal");
    let cfg = std::fs::read_to_string(site.root().join("kitgen.yaml")).unwrap();
    site.file(
        "kitgen.yaml",
        cfg.replace("minify: false\n", "  - code: ar\n    name: \"العربية\"\nminify: false\n"),
    );
    site.file("content/ar/_index.md", "---\ntitle: \"الصفحة الرئيسية\"\n---\nمرحبا.\n");
    site.build().success();
    assert!(site.out("ar/index.html").contains("<html lang=\"ar\" dir=\"rtl\">"));
    let copy = site.out("ar/chapitres/premier/index.html");
    assert!(
        copy.contains("<html lang=\"ar\" dir=\"rtl\">") && copy.contains("<article lang=\"fr\" dir=\"ltr\">"),
        "{copy}"
    );
    let css = std::fs::read_dir(site.root().join("public/css"))
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("site."))
        .unwrap();
    let css = std::fs::read_to_string(css.path()).unwrap();
    assert!(
        css.contains("margin-inline") && css.contains("border-inline-start") && !css.contains("margin-left"),
        "logical properties only"
    );
}

#[test]
fn i18n_problems_are_located() {
    let site = three("fallback");
    site.file("i18n/es.yaml", "skip: \"Saltar al contenido\"\nnav:\n  labl: \"x\"\npage:\n  reading_time:\n    other: \"{n} minutos\"\n");
    site.file("i18n/de.yaml", "skip: \"x\"\n");
    let run = site.build();
    run.failure(1)
        .stderr_has("i18n/es.yaml:3:1: warning[K603]: unknown interface string `nav.labl`")
        .stderr_has("did you mean `nav.label`?")
        .stderr_has(
            "i18n/es.yaml:5:1: error[K602]: plural `page.reading_time` lacks the form one needed in `es`",
        )
        .stderr_has("i18n/de.yaml: warning[K604]");
}

#[test]
fn language_folders_must_be_configured() {
    let site = TestSite::fixture("minimal");
    site.file("content/de/_index.md", "---\ntitle: Start\n---\n");
    site.build().failure(1).stderr_has("content/de: error[K206]: content/de/ is not a configured language");
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(ok.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&ok.stderr));
}

#[test]
fn the_report_lists_missing_stale_and_untracked_translations() {
    let site = three("fallback");
    let root = site.root();
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "v1"]);
    // English translations record the version they were made from
    let json = site.kitgen(&["translations", "--format", "json", "--lang", "en"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let untracked = &v["languages"][0]["untracked"];
    let version_of = |path: &str| {
        untracked.as_array().unwrap().iter().find(|u| u["path"] == path).unwrap()["version"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let v_un = version_of("content/en/chapitres/un.md");
    let v_home = version_of("content/en/_index.md");
    site.file("content/en/chapitres/un.md", format!("---\ntitle: \"First chapter\"\nslug: first\nweight: 1\ntranslation_of: \"{v_un}\"\n---\n## The blocks {{#briques}}\n\nSee [the second](@/chapitres/deux.md#suite).\n"));
    assert_eq!(v_home.len(), 8);
    site.file("content/en/_index.md", "---\ntitle: \"Home\"\ntranslation_of: \"deadbeef\"\n---\nHello.\n");
    // the French source changes after the translation
    site.file("content/fr/chapitres/un.md", "---\ntitle: \"Premier chapitre\"\nweight: 1\nslug: premier\n---\n## Les briques {#briques}\n\nNouveau texte. Voir [le second](@/chapitres/deux.md#suite).\n");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "v2"]);
    let run = site.kitgen(&["translations"]);
    run.failure(1);
    let out = &run.stdout;
    assert!(
        out.contains(
            "en (English): 0 up to date, 1 missing, 2 stale, 1 untracked; 0 interface strings missing"
        ),
        "{out}"
    );
    assert!(out.contains("missing    content/en/chapitres/deux.md"), "{out}");
    assert!(
        out.contains(&format!(
            "stale      content/en/chapitres/un.md:5  translation_of {v_un} made from an older version"
        )),
        "{out}"
    );
    assert!(
        out.contains(
            "stale      content/en/_index.md:3  translation_of deadbeef matches no version of the source"
        ),
        "{out}"
    );
    assert!(out.contains("untracked  content/en/chapitres/_index.md"), "{out}");
    assert!(out.contains("es (Español): 0 up to date, 3 missing, 0 stale, 1 untracked; "), "{out}");
    assert!(out.contains("  string     date.long"), "{out}");
    // a clean language exits 0
    let json = site.kitgen(&["translations", "--format", "json", "--lang", "es"]);
    assert_eq!(json.code, 1);
    assert!(json.stdout.contains("\"missing_strings\""));
}
