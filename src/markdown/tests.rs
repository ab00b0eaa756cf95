use std::path::Path;

use super::*;

struct Pages;

impl LinkResolver for Pages {
    fn resolve(&self, path: &str) -> Result<Resolved, (String, String)> {
        match path {
            "brochure/02-briques.md" => Ok(Resolved { url: "/fr/brochure/briques/".into(), target: 2 }),
            _ => Err((format!("link to `@/{path}`: no such page"), "check the path".into())),
        }
    }
    fn current(&self) -> u32 {
        1
    }
}

fn md(body: &str, typography: Typography) -> Rendered {
    let file = format!("---\ntitle: T\n---\n{body}");
    let input = MdInput {
        file: &file,
        body_start: 16,
        path: Path::new("content/fr/a.md"),
        typography,
        highlight_theme: "InspiredGitHub",
    };
    render(&input, &Pages)
}

#[test]
fn headings_get_unique_ids_anchors_and_toc() {
    let r = md("## Les briques\n\n### Détection\n\n## Les briques\n\n## Autre {#mon-id}\n", Typography::None);
    assert!(
        r.html.contains("<h2 id=\"les-briques\">Les briques<a class=\"anchor\" href=\"#les-briques\""),
        "{}",
        r.html
    );
    assert!(r.html.contains("<h2 id=\"les-briques-1\">"));
    assert!(r.html.contains("<h2 id=\"mon-id\">"));
    assert_eq!(*r.ids, ["les-briques", "detection", "les-briques-1", "mon-id"]);
    assert_eq!(r.toc.len(), 3);
    assert_eq!(r.toc[0].children[0].title, "Détection");
}

#[test]
fn internal_links_resolve_and_record_anchors() {
    let r = md("Voir [le chapitre](@/brochure/02-briques.md#cibles).\n", Typography::None);
    assert!(r.html.contains("<a href=\"/fr/brochure/briques/#cibles\">le chapitre</a>"), "{}", r.html);
    assert_eq!(r.anchors.len(), 1);
    assert_eq!(r.anchors[0].anchor, "cibles");
    assert_eq!(r.links, [2]);
}

#[test]
fn link_to_nothing_is_an_error_with_line_and_column() {
    let r = md("a\n\nvoir [x](@/nope.md)\n", Typography::None);
    let d = &r.diagnostics[0];
    assert_eq!(d.code, "K301");
    assert_eq!((d.line, d.col), (Some(6), Some(6)));
    assert_eq!(d.message, "link to `@/nope.md`: no such page");
}

#[test]
fn unsafe_schemes_are_rejected() {
    for dest in ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "vbscript:x"] {
        let r = md(&format!("[x]({dest})\n"), Typography::None);
        assert_eq!(r.diagnostics.len(), 1, "{dest}");
        assert_eq!(r.diagnostics[0].code, "K302");
        assert!(!r.html.contains(dest), "{}", r.html);
    }
    let r = md("[x](https://technopolice.fr) [m](mailto:contact@technopolice.fr)\n", Typography::None);
    assert!(r.diagnostics.is_empty());
    assert!(r.html.contains("<a href=\"https://technopolice.fr\" rel=\"noopener noreferrer\">x</a>"));
}

#[test]
fn off_site_images_are_errors_and_missing_alt_warns() {
    let r = md("![](https://cdn.example/x.png)\n", Typography::None);
    let codes: Vec<_> = r.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["K306", "K307"]);
}

#[test]
fn french_typography_spares_code_and_urls() {
    let r = md("Quoi ? « Oui » : l'`a ? b` [lien](https://x.fr/?q=1) !\n\n```\nx ? y\n```\n", Typography::Fr);
    assert!(r.html.contains("Quoi\u{202F}? «\u{202F}Oui\u{202F}»\u{A0}: l’<code>a ? b</code>"), "{}", r.html);
    assert!(r.html.contains("href=\"https://x.fr/?q=1\""));
    assert!(r.html.contains("</a>\u{202F}!"), "{}", r.html);
    assert!(r.html.contains("x ? y"));
}

#[test]
fn smart_double_quotes_become_guillemets_in_french() {
    let r = md("Il dit \"non\".\n", Typography::Fr);
    assert!(r.html.contains("«\u{202F}non\u{202F}»"), "{}", r.html);
    let r = md("He said \"no\" and it's over.\n", Typography::None);
    assert!(r.html.contains("“no”") && r.html.contains("it’s"), "{}", r.html);
}

#[test]
fn footnotes_are_numbered_endnotes_with_backlinks() {
    let r = md("Un fait[^src] et un autre[^b].\n\n[^b]: Second.\n[^src]: Source, 2023.\n", Typography::None);
    let first = r.html.find("id=\"fn-src\"").unwrap();
    let second = r.html.find("id=\"fn-b\"").unwrap();
    assert!(first < second, "{}", r.html);
    assert!(r.html.contains(
        "<sup class=\"fnref\" id=\"fnref-src\"><a href=\"#fn-src\" role=\"doc-noteref\">1</a></sup>"
    ));
    assert!(
        r.html.contains("<a href=\"#fnref-src\" class=\"fn-back\" role=\"doc-backlink\">↩</a></p>"),
        "{}",
        r.html
    );
    let r = md("Rien[^x].\n", Typography::None);
    assert!(r.diagnostics.is_empty() || r.diagnostics[0].code == "K308");
}

#[test]
fn code_is_highlighted_with_classes() {
    let r = md("```rust\nfn main() {}\n```\n", Typography::None);
    assert!(
        r.html.contains(
            "<pre class=\"code\" data-lang=\"rust\"><code class=\"language-rust\"><span class=\"hl-"
        ),
        "{}",
        r.html
    );
}

#[test]
fn raw_html_is_sanitised_with_a_warning() {
    let r = md(
        "<iframe src=\"https://evil.example\"></iframe>\n\nTexte <script>alert(1)</script> ok.\n",
        Typography::None,
    );
    assert!(!r.html.contains("iframe") && !r.html.contains("script"), "{}", r.html);
    assert!(r.html.contains("ok."));
    assert_eq!(r.diagnostics.iter().filter(|d| d.code == "K310").count(), 2);
}

#[test]
fn tables_use_classes_for_alignment() {
    let r = md("| a | b |\n|:--|--:|\n| 1 | 2 |\n", Typography::None);
    assert!(r.html.contains("<th class=\"al\">a</th>") && !r.html.contains("style="), "{}", r.html);
}

#[test]
fn excerpt_and_word_count() {
    let r = md("## Titre\n\nPremier paragraphe *ici*.\n\nSecond.\n", Typography::None);
    assert_eq!(r.excerpt, "Premier paragraphe ici.");
    assert_eq!(r.words, 5);
}

#[test]
fn task_lists_and_strikethrough() {
    let r = md("- [x] fait\n- [ ] ~~pas~~ fait\n", Typography::None);
    assert!(r.html.contains("type=\"checkbox\"") && r.html.contains("<del>pas</del>"), "{}", r.html);
}

#[test]
fn table_alignment_becomes_classes_in_one_pass() {
    let three = |h: &str| {
        h.replace(" style=\"text-align: left\"", " class=\"al\"")
            .replace(" style=\"text-align: center\"", " class=\"ac\"")
            .replace(" style=\"text-align: right\"", " class=\"ar\"")
    };
    for html in [
        "<table><tr><th style=\"text-align: left\">a</th><th style=\"text-align: center\">b</th><th style=\"text-align: right\">c</th></tr></table>",
        "<p>no table</p>",
        "<td style=\"text-align: justify\">x</td><td style=\"text-align: left\">é</td>",
        " style=\"text-align: ",
    ] {
        assert_eq!(super::table_alignment_classes(html.to_string()), three(html), "{html}");
    }
}
