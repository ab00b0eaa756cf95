//! The diagnostic codes, defined once. `docs/errors.md` shows the same table, and a test
//! checks both that it does and that every code the sources use is in it.

/// Every diagnostic code with what it means; `docs/errors.md` shows this table (a test checks it).
pub const CODES: &[(&str, &str)] = &[
    ("K001", "a file cannot be read"),
    ("K002", "a file is over the size limit (8 MB for text, 64 MB for data)"),
    ("K003", "a file is not valid UTF-8 (the byte offset, line and column are given)"),
    ("K010", "a folder entry cannot be read"),
    ("K011", "a symbolic link is broken or loops"),
    ("K012", "a symbolic link leads out of the site tree (never followed), or a file is read through one"),
    ("K013", "a symbolic link to a folder (not followed)"),
    ("K014", "a file name is not valid UTF-8"),
    ("K100", "`kitgen.yaml` cannot be read, or is a link out of the site folder"),
    ("K101", "`kitgen.yaml` is not UTF-8"),
    ("K102", "`kitgen.yaml`: invalid YAML, unknown key, wrong type"),
    (
        "K103",
        "`kitgen.yaml`: invalid value (language code, default language, theme, highlight theme, more than 50 languages, an `output.keep` pattern, a user name or password in `base_url`)",
    ),
    ("K104", "`--base-url` is not an absolute http(s) URL, or holds a user name or password"),
    ("K201", "front matter missing or not closed"),
    ("K202", "front matter: invalid YAML, unknown or duplicate key, `draft: no`, invalid date"),
    ("K203", "front matter: invalid slug, empty title, invalid `translation_of`"),
    ("K204", "no `content/` folder"),
    ("K205", "a file directly in `content/`, outside a language folder"),
    ("K206", "`content/<lang>/` for a language that is not configured"),
    ("K207", "a configured language has no content folder (warning)"),
    ("K208", "a non-Markdown file in `content/` (warning)"),
    ("K209", "a NUL byte in a Markdown file, replaced by U+FFFD (warning)"),
    ("K210", "a folder without `_index.md` (warning)"),
    ("K211", "two pages have the same URL (also by case or Unicode normalisation)"),
    ("K212", "a file name gives an empty URL segment"),
    ("K213", "two outputs are written to the same path (a static file and a page)"),
    ("K301", "an internal link (`@/…`) to a page that does not exist"),
    ("K302", "a link with a forbidden scheme (`javascript:`, `data:`, …)"),
    ("K303", "a link written to a `.md` file without `@/`"),
    ("K304", "two headings with the same explicit id (warning)"),
    ("K305", "an image with a forbidden scheme"),
    ("K306", "an image loaded from another host (privacy)"),
    ("K307", "an image without alternative text (warning)"),
    ("K308", "a footnote reference without definition"),
    ("K309", "a footnote never referenced (warning)"),
    ("K310", "raw HTML removed by the sanitiser (warning)"),
    (
        "K311",
        "Markdown or raw HTML nested too deep (256 levels), or a page of more than 200,000 Markdown markers or 2 million elements (memory bound)",
    ),
    ("K312", "a link to a local file or URL of the site that nothing produces"),
    ("K313", "an internal link to an anchor that does not exist"),
    ("K314", "an image that does not exist in the site's static files"),
    ("K401", "a template does not compile (syntax, unknown filter or function, extends itself, …)"),
    ("K402", "a page asks for a template that does not exist"),
    ("K403", "a page uses a template that has errors"),
    ("K404", "a template fails while rendering a page (undefined variable, bad argument, …)"),
    ("K502", "the commune reference list is invalid (JSON/CSV syntax, ragged or `;` row, lost leading zero)"),
    ("K503", "a commune is listed twice in the reference list"),
    ("K504", "a commune or département refers to a département or region that is not listed"),
    ("K505", "the map outlines (`data/departements-fr.geojson`) cannot be read"),
    ("K506", "the map outlines file is missing: the map has no outlines (warning)"),
    ("K510", "a file in `data/records/` that is not YAML (warning)"),
    ("K511", "a record: invalid YAML, unknown key, invalid status, use case, date or URL"),
    ("K512", "a record's file name and `insee` disagree"),
    ("K513", "a `deployed` or `experiment` record without a source"),
    ("K514", "a source without `url` or `file`, or with both"),
    ("K515", "a source `file` outside `data/documents/` or missing"),
    ("K516", "notes in a language that is not configured"),
    ("K517", "a local group contact that is neither an e-mail address nor a URL"),
    ("K520", "a record for an INSEE code that no commune has (closest communes suggested)"),
    ("K521", "two records for the same commune"),
    ("K522", "a record's `name` differs from the reference list (warning)"),
    ("K525", "the site has commune data but no `content/<lang>/communes/_index.md`"),
    ("K530", "an open-data download cannot be written"),
    ("K540", "a stylesheet loads a file from another host (privacy)"),
    (
        "K541",
        "a static SVG runs scripts, loads from another host or is not well-formed (element and line given)",
    ),
    ("K542", "a stylesheet `url()` names a static file that does not exist"),
    (
        "K570",
        "`kitgen import`: the file cannot be read, is not a table (CSV, `.xlsx`, `.ods`), or is not UTF-8 (the row is named)",
    ),
    (
        "K571",
        "`kitgen import`: an unknown or repeated column header, or no commune column (the known headers are listed)",
    ),
    (
        "K572",
        "`kitgen import`: an invalid value in a row (INSEE code, status, use case, URL, date, number), or a record that would not pass validation",
    ),
    (
        "K573",
        "`kitgen import`: a commune name shared by several communes and no département to choose (candidates listed)",
    ),
    (
        "K574",
        "`kitgen import`: no commune matches the row (nearest names given), or the row is an intercommunal body",
    ),
    ("K575", "`kitgen import`: rows for the same commune give different statuses"),
    (
        "K576",
        "`kitgen import`: a record exists and would change: not overwritten without `--force` (or it exists and does not validate: never touched)",
    ),
    (
        "K577",
        "`kitgen import`: a `deployed` or `experiment` row without a source, imported as `unknown` with `status` uncertain (warning)",
    ),
    ("K578", "`kitgen import`: a row's name differs from the commune of its INSEE code (warning)"),
    ("K580", "`kitgen new`: the folder is not empty or cannot be written"),
    ("K601", "an i18n file is invalid"),
    ("K602", "a plural string lacks a form its language needs"),
    ("K603", "an i18n key that the default language does not have (warning)"),
    ("K604", "an i18n file for a language that is not configured (warning)"),
    ("K605", "interface strings missing in a language, shown in the default language (warning)"),
    (
        "K606",
        "an interface string that a generated page (statistics, map, commune pages) needs is missing in every language",
    ),
    ("K701", "an output cannot be written (exit 3; the previous output is left as it was)"),
    (
        "K702",
        "the output cannot be published at once (no folder can be made beside it): files are replaced one by one (warning)",
    ),
    ("K801", "a poster folder has no poster.yaml or no poster.svg, or a name that is not plain"),
    ("K802", "`poster.yaml`: invalid YAML, unknown key, wrong value (paper size, bleed, fit)"),
    (
        "K803",
        "a poster template cannot be compiled or filled (syntax, unknown variable; file, line and column given)",
    ),
    (
        "K804",
        "a poster's SVG runs scripts, loads from another host or a file outside its folder, or has entities (element and line given)",
    ),
    ("K805", "a text to fit names no `<text>` element with a font size"),
    ("K806", "a text cannot fit its box at a legible size: it is drawn smaller (warning)"),
    (
        "K807",
        "a font family that is not one of the site's fonts, or a web font where a TrueType font is needed (warning)",
    ),
    ("K808", "a filled poster cannot be drawn (too large, broken SVG)"),
    ("K809", "a poster pack cannot be made"),
    (
        "K821",
        "`kit.yaml`: invalid YAML, unknown key, no title in the default language, no document; a kit folder without `kit.yaml`; a kit page naming a kit that does not exist",
    ),
    (
        "K822",
        "a kit document: invalid front matter, missing in the default language, or a file no document uses (warning)",
    ),
    (
        "K823",
        "a kit document's template cannot be compiled or filled (syntax, unknown variable; file, line and column given)",
    ),
    ("K824", "a kit document's PDF cannot be made"),
    ("K825", "a letter or flyer does not fit one A4 page, even at 9 pt"),
    ("K826", "something a kit document's PDF cannot show (an image, raw HTML) is left out (warning)"),
    ("K827", "a kit ZIP cannot be made"),
    ("K831", "the book of a section cannot be made"),
    ("K841", "`extra.feed` of a section is not `true` or `false`"),
    ("K842", "a page of a feed section has no date: it is left out of the feed (warning)"),
    ("K843", "the sharing card of a language cannot be drawn"),
    ("K851", "the offline copy (ZIP) of a language cannot be made"),
    (
        "K950",
        "`kitgen check`: a link or resource inside the site leads to nothing, climbs above the site, or starts at the host's root",
    ),
    ("K951", "`kitgen check`: a link names an `#anchor` its target page does not have"),
    ("K952", "`kitgen check`: an id used twice in one page"),
    ("K953", "`kitgen check`: a page no other page links to (warning)"),
    ("K954", "`kitgen check`: a sitemap or feed lists a URL of the site that is not in the output"),
    ("K960", "`kitgen check`: a page, stylesheet, SVG or script loads something from another host (privacy)"),
    (
        "K961",
        "`kitgen check`: an inline script, style, event handler or `javascript:` URL (the Content-Security-Policy blocks it)",
    ),
    ("K962", "`kitgen check`: a link to another site without `rel=\"noopener noreferrer\"`"),
    ("K963", "`kitgen check`: a script reads or sets cookies"),
    ("K964", "`kitgen check`: an image carries EXIF metadata (and maybe a GPS position)"),
    ("K965", "`kitgen check`: a PDF carries author or producer metadata"),
    ("K970", "`kitgen check`: a page without `lang` or `dir` on `<html>`"),
    ("K971", "`kitgen check`: a page without exactly one `<h1>`"),
    ("K972", "`kitgen check`: a skipped heading level (warning)"),
    ("K973", "`kitgen check`: an image without `alt` text"),
    ("K974", "`kitgen check`: a form control without a label"),
    ("K975", "`kitgen check`: a link without text, or whose text says nothing (\"click here\") (warning)"),
    ("K976", "`kitgen check`: a page that cannot be read as HTML"),
    (
        "K980",
        "`kitgen check`: a record not verified for longer than `check.max_age_days`, or never (warning)",
    ),
    (
        "K981",
        "`kitgen check`: a page or interface string not translated, or translated from an older version (warning)",
    ),
    ("K900", "internal error: a bug in kitgen (please report it with the command and the site)"),
];

/// What a code means, `None` for an unknown code.
pub fn describe(code: &str) -> Option<&'static str> {
    CODES.iter().find(|(c, _)| *c == code).map(|(_, d)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_errors_md_shows_the_table() {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/errors.md")).unwrap();
        let rows: Vec<(String, String)> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("| K"))
            .filter_map(|l| l.strip_suffix(" |"))
            .filter_map(|l| l.split_once(" | "))
            .map(|(c, d)| (format!("K{c}"), d.to_string()))
            .collect();
        let codes: Vec<(String, String)> =
            CODES.iter().map(|(c, d)| (c.to_string(), d.to_string())).collect();
        assert_eq!(rows, codes, "docs/errors.md and diag::codes::CODES differ");
    }

    #[test]
    fn every_code_in_the_sources_is_defined() {
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut stack = vec![std::path::PathBuf::from(src)];
        let mut unknown = Vec::new();
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("diag/codes.rs") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    for (i, _) in text.match_indices("\"K") {
                        let code = &text[i + 1..(i + 5).min(text.len())];
                        let closed = text[i + 5..].starts_with('"');
                        if closed && code[1..].bytes().all(|b| b.is_ascii_digit()) && describe(code).is_none()
                        {
                            unknown.push(format!("{}: {code}", p.display()));
                        }
                    }
                }
            }
        }
        assert!(unknown.is_empty(), "codes used but not in diag::codes::CODES: {unknown:?}");
        let mut sorted: Vec<&str> = CODES.iter().map(|(c, _)| *c).collect();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), CODES.len(), "a code is defined twice");
    }
}
