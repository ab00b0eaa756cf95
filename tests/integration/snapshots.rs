//! Snapshot tests of the HTML and SVG that kitgen writes. A change to the output shows up as a
//! diff to review (`cargo insta review`, or read the `.snap.new` file beside the snapshot) and
//! to commit with the change that caused it.

use crate::util::TestSite;

/// The `n`-th inline `<svg>…</svg>` element of a page.
fn inline_svg(html: &str, n: usize) -> &str {
    let start = html.match_indices("<svg").nth(n).map(|(i, _)| i).expect("an inline svg");
    let end = html[start..].find("</svg>").expect("a closed svg") + start + "</svg>".len();
    &html[start..end]
}

fn built(fixture: &str) -> TestSite {
    let site = TestSite::fixture(fixture);
    // Unminified, so that a diff points at the line that changed.
    site.kitgen(&["build", "--no-minify"]).success();
    site
}

#[test]
fn chapter_page() {
    let site = built("minimal");
    insta::assert_snapshot!("chapter_fr", site.out("fr/chapitres/premier/index.html"));
    insta::assert_snapshot!("chapter_en_fallback", site.out("en/chapters/deux/index.html"));
}

#[test]
fn commune_page_chart_and_map() {
    let site = built("communes");
    insta::assert_snapshot!("commune_fr", site.out("fr/communes/13055-marseille/index.html"));
    let stats = site.out("fr/communes/statistiques/index.html");
    let chart = inline_svg(&stats, 0);
    roxmltree::Document::parse(chart).expect("the chart is well-formed XML");
    insta::assert_snapshot!("status_chart_svg", chart);
    insta::assert_snapshot!("france_map_svg", site.out("communes/france.svg"));
}
