//! Diagnostics that must stay precise when the input is broken in one place (issue 18): a page
//! with a front-matter error stays known to links and checked; YAML positions agree with the
//! location printed; long lines are cut around the column.

use crate::util::TestSite;

#[test]
fn a_front_matter_typo_reports_itself_and_the_page_s_other_errors_only() {
    let site = TestSite::fixture("minimal");
    site.file(
        "content/fr/chapitres/trois.md",
        "---\ntitle: Trois\nwieght: 3\nslug: \"Mauvais Slug\"\n---\nVoir [rien](@/rien.md).\n",
    )
    .file("content/fr/renvoi.md", "---\ntitle: Renvoi\n---\nLire [trois](@/chapitres/trois.md).\n")
    .file("content/fr/autre.md", "---\ntitle: Autre\n---\nEt [encore](@/chapitres/trois.md#x).\n");
    let run = site.build();
    run.failure(1);
    let e = &run.stderr;
    for needle in [
        "content/fr/chapitres/trois.md:3:1: error[K202]: unknown key `wieght`\n  |\n3 | wieght: 3\n  | ^^^^^^\n  = fix: did you mean `weight`?\n",
        "content/fr/chapitres/trois.md:4:7: error[K203]: slug `Mauvais Slug` is not URL-safe",
        "content/fr/chapitres/trois.md:6:6: error[K301]: link to `@/rien.md`: no such page",
        // the page is known: a link to one of its anchors is checked against it
        "content/fr/autre.md:4:4: error[K313]: anchor `#x` does not exist in content/fr/chapitres/trois.md",
    ] {
        run.stderr_has(needle);
    }
    assert!(!e.contains("renvoi.md"), "a link to the page with the typo is fine:\n{e}");
    assert_eq!(e.matches("error[").count(), 4, "{e}");
}

#[test]
fn every_bad_key_of_a_front_matter_is_reported_and_a_missing_title_too() {
    let site = TestSite::fixture("minimal");
    site.file("content/fr/a.md", "---\ntitel: A\ndraft: no\nweight: 1\nweight: 2\n---\n")
        .file("content/fr/b.md", "---\ntitle: B\n---\n[a](@/a.md)\n");
    let run = site.build();
    run.failure(1);
    for needle in [
        "content/fr/a.md:2:1: error[K202]: unknown key `titel`",
        "content/fr/a.md:3:8: error[K202]: not a boolean: \"no\" in `draft`",
        "content/fr/a.md:5:1: error[K202]: duplicate key `weight`",
        "= note: `weight` is first set on line 4",
        "content/fr/a.md:2:1: error[K202]: missing key `title`",
    ] {
        run.stderr_has(needle);
    }
    assert_eq!(run.stderr.matches("error[").count(), 4, "{}", run.stderr);
}

#[test]
fn a_yaml_syntax_error_gives_one_position_the_file_s() {
    let site = TestSite::fixture("minimal");
    site.file("content/fr/a.md", "---\ntitle: A\nextra: [1, 2\nweight: 1\n---\n");
    let run = site.build();
    run.failure(1).stderr_has(
        "content/fr/a.md:4:7: error[K202]: did not find expected ',' or ']', while parsing a flow sequence\n  |\n4 | weight: 1\n  |       ^\n  = note: a flow sequence starts on line 3\n",
    );
    assert!(!run.stderr.contains("column"), "no position of the parser's own:\n{}", run.stderr);
}

#[test]
fn a_long_line_is_cut_around_the_column() {
    let site = TestSite::fixture("minimal");
    let line = format!("{} [x](@/rien.md) {}", "mot ".repeat(80).trim_end(), "fin ".repeat(60).trim_end());
    site.file("content/fr/a.md", format!("---\ntitle: A\n---\n{line}\n"));
    let run = site.build();
    run.failure(1).stderr_has(
        "content/fr/a.md:4:321: error[K301]: link to `@/rien.md`: no such page\n  |\n4 | …mot mot mot mot mot mot mot mot mot mot [x](@/rien.md) fin fin fin fin fin fin fin fin fin fin fin f…\n  |                                          ^^^^^^^^^^^^^^\n",
    );
}
