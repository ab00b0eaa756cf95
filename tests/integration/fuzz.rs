//! Fuzzing the parsers a contributor's file reaches: front matter, Markdown (with the
//! minifier after it), campaign records; and the offline copy's scanner of links, which must
//! write what lol_html writes wherever it does not give up. Random and structured inputs must
//! give a result or located diagnostics, never a panic, an abort or a hang. Each target runs
//! `KITGEN_FUZZ_CASES` cases (256 by default; CI runs many more, under a time limit).

use std::path::Path;

use kitgen::config::Typography;
use kitgen::markdown::{LinkResolver, MdInput, Resolved};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn runner() -> TestRunner {
    let cases = std::env::var("KITGEN_FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256);
    TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() })
}

/// Text made of the pieces a parser reacts to, so random inputs reach deep into it.
fn pieces(alphabet: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(alphabet), 0..max).prop_map(|v| v.concat())
}

const YAML: &[&str] = &[
    "---\n",
    "title: ",
    "\"T\"",
    "date: ",
    "2026-11-28",
    "2026-13-45",
    "weight: ",
    "-3",
    "slug: ",
    "../x",
    "draft: ",
    "no",
    "true",
    "extra:\n  ",
    "a: [1, {b: c}]",
    "&a x",
    "*a",
    "!!binary",
    "\n",
    "  ",
    "- ",
    ": ",
    "'",
    "\"",
    "#",
    "\u{feff}",
    "\0",
    "é",
    "titel: x",
    "summary: |\n  ",
    "translation_of: ABCD",
    "{",
    "}",
    "[",
    "]",
];
const MD: &[&str] = &[
    "# ",
    "## Titre {#id .c}",
    "\n",
    "\n\n",
    "> ",
    "- ",
    "1. ",
    "    ",
    "```rust\n",
    "```\n",
    "*",
    "_",
    "**",
    "`",
    "[",
    "]",
    "(",
    ")",
    "![alt](",
    "/img/a.png",
    "@/brochure/x.md#a",
    "https://example.org/",
    "javascript:alert(1)",
    "//evil.example/",
    "<div>",
    "</div>",
    "<script>x</script>",
    "<iframe src=x>",
    "[^1]",
    "[^1]: note",
    "|a|b|\n|-|-|\n",
    "« guillemets »",
    " : ",
    " ?",
    "&amp;",
    "&#0;",
    "\0",
    "\r\n",
    "mot",
    "\u{202f}",
    "<!--",
    "-->",
    "[x]: /y",
    "- [ ] tâche",
];
const RECORD: &[&str] = &[
    "insee: ",
    "\"13055\"",
    "13055",
    "1001",
    "\"2a004\"",
    "\nstatus: ",
    "deployed",
    "refused",
    "maybe",
    "\nvendors: ",
    "[Briefcam, SNEF]",
    "\nsources:\n  - title: T\n    kind: press\n    url: https://example.org/\n",
    "    file: ../x.pdf\n",
    "\nnotes:\n  fr: ",
    "x",
    "\nlocal_group:\n  name: G\n  contact: ",
    "a@b.org",
    "not an address",
    "\nuse_cases: [",
    "abnormal-behaviour",
    "]",
    "\nsince: ",
    "2019-06",
    "2019-13",
    "\nuncertain: [status]",
    "\ncameras: ",
    "-1",
    "99999999999",
    "\n&a\n",
    "*a",
    "{",
    "\n  ",
    ": ",
    "\0",
];

struct NoPages;

impl LinkResolver for NoPages {
    fn resolve(&self, path: &str) -> Result<Resolved, (String, String)> {
        if path.starts_with("brochure/") {
            Ok(Resolved { url: "/fr/brochure/x/".into(), target: 0 })
        } else {
            Err((format!("no page {path}"), "hint".into()))
        }
    }
    fn current(&self) -> u32 {
        0
    }
}

fn markdown(body: &str) {
    let file = format!("---\ntitle: T\n---\n{body}");
    let input = MdInput {
        file: &file,
        body_start: 16,
        path: Path::new("content/fr/x.md"),
        typography: Typography::Fr,
        highlight_theme: "InspiredGitHub",
    };
    let r = kitgen::markdown::render(&input, &NoPages);
    for d in &r.diagnostics {
        assert!(d.line.is_none_or(|l| l >= 1 && l <= file.lines().count() + 1), "{d:?}");
    }
    assert!(!r.html.contains('\0'), "a NUL reached the page");
    if r.diagnostics.iter().all(|d| d.code != "K311") {
        let page = format!(
            "<!DOCTYPE html><html lang=fr><head><title>t</title></head><body>{}</body></html>",
            r.html
        );
        let _ = kitgen::render::html::minify::html(page.as_bytes());
    }
}

#[test]
fn fuzz_front_matter() {
    runner()
        .run(&pieces(YAML, 40), |text| {
            for section in [false, true] {
                if let Err(ds) = kitgen::load::frontmatter::parse(&text, section, "content/fr/x.md") {
                    assert!(!ds.is_empty());
                    for d in ds {
                        assert!(d.line.is_some(), "unlocated: {d:?}");
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_markdown_to_minified_html() {
    runner()
        .run(&pieces(MD, 80), |body| {
            markdown(&body);
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_deep_nesting_never_overflows_the_stack() {
    // Run where the real build runs: a worker thread with kitgen's stack. The nesting is
    // refused long before that stack matters.
    let strategy =
        (0usize..20_000, proptest::sample::select(&[">", "> ", "- ", "<div>", "[", "*", "1. "][..]));
    let mut runner = TestRunner::new(Config { cases: 24, failure_persistence: None, ..Config::default() });
    runner
        .run(&strategy, |(n, piece)| {
            let body = piece.repeat(n) + "x";
            std::thread::Builder::new()
                .stack_size(8 << 20)
                .spawn(move || markdown(&body))
                .unwrap()
                .join()
                .expect("rendering panicked");
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_records() {
    let langs = vec!["fr".to_string(), "en".to_string()];
    runner()
        .run(&pieces(RECORD, 40), |text| {
            let r = kitgen::load::records::parse(
                Path::new("/nonexistent"),
                Path::new("data/records/13055-marseille.yaml"),
                "13055-marseille.yaml",
                &text,
                &langs,
            );
            if let Err(ds) = r {
                assert!(!ds.is_empty());
                for d in ds {
                    assert!(d.line.is_some(), "unlocated: {d:?}");
                }
            }
            Ok(())
        })
        .unwrap();
}

const HTML: &[&str] = &[
    "<a",
    "<img",
    "<video",
    "<form",
    "<link",
    " ",
    "\n",
    "href=",
    "src=",
    "srcset=",
    "poster=",
    "action=",
    "HREF=",
    "class=",
    "=",
    "\"",
    "'",
    ">",
    "/>",
    "/",
    "<",
    "</a>",
    "../a/",
    "../../css/site.css",
    "#t",
    "https://x.org/",
    "?q=1",
    ", ",
    " 2x",
    "&quot;",
    "&amp;",
    "é",
    "x",
    "<!--",
    "-->",
    "--!>",
    "<!doctype html>",
    "<![CDATA[",
    "]]>",
    "<?x>",
    "<script>",
    "</script>",
    "<style>",
    "</style>",
    "<title>",
    "</title>",
    "<textarea>",
    "</textarea>",
    "<svg>",
    "</svg>",
    "<math>",
    "<noscript>",
    "</noscript>",
    "<plaintext>",
    "<template>",
    "<p>",
    "</p>",
    "\0",
];

#[test]
fn fuzz_offline_links_the_scanner_reads_pages_as_lol_html_does() {
    use kitgen::family::offline::links;
    let inside = |p: &str| ["fr/a/index.html", "css/site.css", "fr/b/index.html"].contains(&p);
    let base = "https://example.org/vsa/";
    runner()
        .run(&pieces(HTML, 60), |page| {
            let parsed = links::rewrite_parsed(page.as_bytes(), "fr/b/index.html", &inside, base);
            if let Some(scanned) = links::rewrite_scanned(page.as_bytes(), "fr/b/index.html", &inside, base) {
                let parsed = parsed.expect("lol_html reads what the scanner reads");
                prop_assert_eq!(
                    String::from_utf8_lossy(&scanned),
                    String::from_utf8_lossy(&parsed),
                    "page: {:?}",
                    page
                );
            }
            Ok(())
        })
        .unwrap();
}
