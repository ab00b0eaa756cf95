//! Charts: accessible bar charts as inline SVG, drawn at build time.
//!
//! The census statistics (communes by status, use cases, vendors, départements) are shown as
//! horizontal bar charts without JavaScript or a chart library: [`bar_chart`] writes a small
//! SVG with a title and a description wired to `aria-labelledby`, each value written as text
//! next to its bar, and classes (never `style` attributes, which the site's CSP forbids) for
//! the stylesheet. Output is deterministic, so unchanged pages keep their bytes.

use std::fmt::Write as _;

use crate::render::xml_escape;

/// Width of every chart, in SVG units. The SVG also says it in pixels (`width`), so a chart is
/// drawn at its own size on a desktop and only shrinks to fit a narrower screen: on a 390 px
/// phone (358 px for the chart) its 16-unit text is still 14 px high.
pub const CHART_WIDTH: f64 = 400.0;
/// Labels longer than this many characters are cut, with "…" as the last one.
pub const LABEL_MAX_CHARS: usize = 44;

/// Left edge of the labels and of the bars: each label sits on its own line above its bar, so
/// the bars get the whole width and a long label does not squeeze them.
const BAR_X: f64 = 0.0;
/// Width of the longest bar: what is left after room for the value text.
const BAR_MAX: f64 = CHART_WIDTH - BAR_X - 64.0;
/// Height of a row (label line, then bar), height of a bar, and space above and below.
const ROW_H: f64 = 46.0;
const BAR_H: f64 = 16.0;
const PAD: f64 = 4.0;
/// Font size of the labels, values and legend (it sets how long a label may be).
const FONT_SIZE: &str = "16";
/// From the top of a row to the baseline of its label, and to the top of its bar.
const LABEL_BASELINE: f64 = 16.0;
const BAR_TOP: f64 = 23.0;
/// From the top of the bar to the baseline of the value written after it.
const VALUE_BASELINE: f64 = 13.5;
/// Height of a legend line, size of its swatch.
const LEGEND_H: f64 = 26.0;
const SWATCH: f64 = 16.0;

/// One bar of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// What the bar counts, written above it.
    pub label: String,
    /// Its value: the longest bar has the largest one.
    pub value: u64,
    /// Extra class of the bar's `<rect>` (after `bar`), e.g. `status-deployed`.
    pub class: Option<String>,
}

/// What a bar colour means, for a chart whose bars do not all mean the same thing.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendItem {
    /// The class its bars carry (the swatch gets `bar` and the same class).
    pub class: String,
    /// What it means.
    pub label: String,
}

/// A horizontal bar chart as inline SVG: `<svg role="img" aria-labelledby="{id}-title {id}-desc" viewBox=… width=… height=…>` with `<title id>` and `<desc id>`, an optional legend (one swatch and text per line, above the bars), then one row per bar: its label on a line of its own, a `<rect>` whose width is proportional to the value (max bar = full width; all zeros → no bars but labels still shown), and the value written after it (formatted by `fmt`, e.g. "35 000" in French). Height grows with the number of bars and legend lines; width fixed. Long labels are truncated with "…" (the full label stays in a `<title>` inside the row group). Classes only, no inline styles. Deterministic output.
///
/// Classes: `chart` on the root, `legend-item` on each legend line, `bar-row` on each row
/// group, `bar-label`, `bar` (plus the bar's own class) and `bar-value`. A zero value draws no
/// `<rect>`; a value too small to show is drawn half a unit wide. The font size is a
/// presentation attribute (the layout depends on it); CSS may still restyle it. As an image,
/// the chart is read out by its title and description only: `desc` should sum up the data, or
/// the page should give the numbers in a table too. A chart with no bars should not be shown
/// at all: say in words that there is nothing yet.
pub fn bar_chart(
    id: &str,
    title: &str,
    desc: &str,
    bars: &[Bar],
    legend: &[LegendItem],
    fmt: &dyn Fn(u64) -> String,
) -> String {
    let id = xml_escape(id);
    let legend_h = if legend.is_empty() { 0.0 } else { LEGEND_H * legend.len() as f64 + 8.0 };
    let height = 2.0 * PAD + legend_h + ROW_H * bars.len() as f64;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let mut s = String::with_capacity(400 + bars.len() * 300);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" \
         height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-size=\"{FONT_SIZE}\">\n\
         <title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>\n",
        xml_escape(title),
        xml_escape(desc),
        w = num(CHART_WIDTH),
        h = num(height),
    );
    for (i, item) in legend.iter().enumerate() {
        let top = PAD + LEGEND_H * i as f64;
        let _ = writeln!(
            s,
            "<g class=\"legend-item\"><rect class=\"bar {}\" x=\"0\" y=\"{}\" width=\"{SWATCH}\" height=\"{SWATCH}\"/>\
             <text x=\"{}\" y=\"{}\">{}</text></g>",
            xml_escape(item.class.trim()),
            num(top + 3.0),
            num(SWATCH + 8.0),
            num(top + 3.0 + VALUE_BASELINE),
            xml_escape(&truncate(&item.label, LABEL_MAX_CHARS)),
        );
    }
    for (i, bar) in bars.iter().enumerate() {
        let top = PAD + legend_h + ROW_H * i as f64;
        let _ = write!(
            s,
            "<g class=\"bar-row\"><title>{}</title><text class=\"bar-label\" x=\"{}\" y=\"{}\">{}</text>",
            xml_escape(&bar.label),
            num(BAR_X),
            num(top + LABEL_BASELINE),
            xml_escape(&truncate(&bar.label, LABEL_MAX_CHARS)),
        );
        let width = bar_width(bar.value, max);
        if width > 0.0 {
            let class = match &bar.class {
                Some(c) if !c.trim().is_empty() => format!("bar {}", xml_escape(c.trim())),
                _ => "bar".to_string(),
            };
            let _ = write!(
                s,
                "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                num(BAR_X),
                num(top + BAR_TOP),
                num(width),
                num(BAR_H),
            );
        }
        let _ = writeln!(
            s,
            "<text class=\"bar-value\" x=\"{}\" y=\"{}\">{}</text></g>",
            num(BAR_X + width + 6.0),
            num(top + BAR_TOP + VALUE_BASELINE),
            xml_escape(&fmt(bar.value)),
        );
    }
    s.push_str("</svg>\n");
    s
}

/// Width of a bar: proportional to its value, the largest one `BAR_MAX`; 0 for zero, at least
/// half a unit otherwise so a small value still shows.
fn bar_width(value: u64, max: u64) -> f64 {
    if value == 0 || max == 0 {
        return 0.0;
    }
    (BAR_MAX * value as f64 / max as f64).max(0.5)
}

/// Cuts `s` to at most `max` characters, the last one being "…" when it is cut.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

/// Formats a length to one decimal, deterministically: `12.25` → `12.3`, `4.0` → `4`, never `-0`.
fn num(v: f64) -> String {
    let t = (v * 10.0).round() as i64;
    let sign = if t < 0 { "-" } else { "" };
    let a = t.unsigned_abs();
    match a % 10 {
        0 => format!("{sign}{}", a / 10),
        f => format!("{sign}{}.{f}", a / 10),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn french(n: u64) -> String {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push('\u{202f}');
            }
            out.push(c);
        }
        out
    }

    fn bar(label: &str, value: u64, class: Option<&str>) -> Bar {
        Bar { label: label.into(), value, class: class.map(str::to_string) }
    }

    fn parse(s: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(s).unwrap_or_else(|e| panic!("invalid SVG: {e}\n{s}"))
    }

    fn widths(doc: &roxmltree::Document) -> Vec<f64> {
        doc.descendants()
            .filter(|n| n.has_tag_name("rect"))
            .map(|n| n.attribute("width").unwrap().parse().unwrap())
            .collect()
    }

    fn texts<'a>(doc: &'a roxmltree::Document, class: &str) -> Vec<&'a str> {
        doc.descendants()
            .filter(|n| n.attribute("class") == Some(class))
            .map(|n| n.text().unwrap_or(""))
            .collect()
    }

    #[test]
    fn bar_widths_are_proportional_and_values_are_written() {
        let bars = [
            bar("Déployé", 35_000, Some("status-deployed")),
            bar("Expérimentation", 17_500, Some("status-experiment")),
            bar("Prévu", 7_000, None),
            bar("Refusé", 0, Some("status-refused")),
        ];
        let svg = bar_chart("chart-status", "Statuts", "Communes par statut.", &bars, &[], &french);
        let doc = parse(&svg);
        let w = widths(&doc);
        assert_eq!(w.len(), 3, "no rect for a zero value");
        assert_eq!(w[0], BAR_MAX, "the largest bar is full width");
        assert!((w[1] - BAR_MAX / 2.0).abs() <= 0.05, "{w:?}");
        assert!((w[2] - BAR_MAX / 5.0).abs() <= 0.05, "{w:?}");
        assert_eq!(texts(&doc, "bar-value"), ["35\u{202f}000", "17\u{202f}500", "7\u{202f}000", "0"]);
        assert_eq!(texts(&doc, "bar-label"), ["Déployé", "Expérimentation", "Prévu", "Refusé"]);
        let classes: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .map(|n| n.attribute("class").unwrap())
            .collect();
        assert_eq!(classes, ["bar status-deployed", "bar status-experiment", "bar"]);
        // Every bar starts at the same x, and every value is right of its bar.
        let xs: Vec<&str> =
            doc.descendants().filter(|n| n.has_tag_name("rect")).map(|n| n.attribute("x").unwrap()).collect();
        assert!(xs.iter().all(|x| *x == num(BAR_X)));
        let value_x: Vec<f64> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("bar-value"))
            .map(|n| n.attribute("x").unwrap().parse().unwrap())
            .collect();
        assert!(value_x[0] > BAR_X + BAR_MAX && value_x[0] < CHART_WIDTH);
        assert!(value_x[3] > BAR_X && value_x[3] < value_x[2]);
    }

    #[test]
    fn all_zeros_draw_no_bars_but_keep_labels() {
        let bars = [bar("A", 0, None), bar("B", 0, Some("x"))];
        let svg = bar_chart("z", "Zéro", "Rien.", &bars, &[], &|n| n.to_string());
        let doc = parse(&svg);
        assert!(widths(&doc).is_empty());
        assert_eq!(texts(&doc, "bar-label"), ["A", "B"]);
        assert_eq!(texts(&doc, "bar-value"), ["0", "0"]);
        let empty = bar_chart("e", "Vide", "Aucune donnée.", &[], &[], &|n| n.to_string());
        parse(&empty);
    }

    #[test]
    fn tiny_values_still_show() {
        let svg =
            bar_chart("t", "T", "D", &[bar("big", 1_000_000, None), bar("small", 1, None)], &[], &|n| {
                n.to_string()
            });
        let w = widths(&parse(&svg));
        assert_eq!(w, [BAR_MAX, 0.5]);
    }

    #[test]
    fn title_and_desc_ids_match_aria_labelledby() {
        let svg = bar_chart(
            "chart-vendors",
            "Fournisseurs",
            "Communes par fournisseur.",
            &[bar("X", 1, None)],
            &[],
            &|n| n.to_string(),
        );
        let doc = parse(&svg);
        let root = doc.root_element();
        assert_eq!(root.tag_name().namespace(), Some("http://www.w3.org/2000/svg"));
        assert_eq!(root.attribute("role"), Some("img"));
        let ids: Vec<&str> = root.attribute("aria-labelledby").unwrap().split(' ').collect();
        assert_eq!(ids, ["chart-vendors-title", "chart-vendors-desc"]);
        let by_id = |id: &str| doc.descendants().find(|n| n.attribute("id") == Some(id)).unwrap();
        assert_eq!(by_id(ids[0]).tag_name().name(), "title");
        assert_eq!(by_id(ids[0]).text(), Some("Fournisseurs"));
        assert_eq!(by_id(ids[1]).tag_name().name(), "desc");
        assert_eq!(by_id(ids[1]).text(), Some("Communes par fournisseur."));
        // The root's title is its first child, as SVG wants for an accessible name.
        assert_eq!(root.first_element_child().unwrap().tag_name().name(), "title");
    }

    #[test]
    fn text_is_escaped_and_round_trips() {
        let labels = ["Saint-Étienne & <Loire>", "\"quotes\" 'single'"];
        let bars: Vec<Bar> = labels.iter().map(|l| bar(l, 3, Some("a&b\"c"))).collect();
        let svg = bar_chart("c&\"", "Saint-Étienne & <Loire>", "\"quotes\" 'single'", &bars, &[], &|n| {
            format!("<{n}> & co")
        });
        let doc = parse(&svg);
        assert_eq!(texts(&doc, "bar-label"), labels);
        assert_eq!(texts(&doc, "bar-value"), ["<3> & co", "<3> & co"]);
        let title = doc.descendants().find(|n| n.attribute("id") == Some("c&\"-title")).unwrap();
        assert_eq!(title.text(), Some("Saint-Étienne & <Loire>"));
        let desc = doc.descendants().find(|n| n.attribute("id") == Some("c&\"-desc")).unwrap();
        assert_eq!(desc.text(), Some("\"quotes\" 'single'"));
        let rect = doc.descendants().find(|n| n.has_tag_name("rect")).unwrap();
        assert_eq!(rect.attribute("class"), Some("bar a&b\"c"));
    }

    #[test]
    fn long_labels_are_truncated_with_the_full_label_in_a_title() {
        let long = "Vidéosurveillance algorithmique des transports en commun";
        let svg =
            bar_chart("l", "T", "D", &[bar(long, 5, None), bar("Court", 2, None)], &[], &|n| n.to_string());
        let doc = parse(&svg);
        let shown = texts(&doc, "bar-label");
        assert_eq!(shown[0].chars().count(), LABEL_MAX_CHARS);
        assert!(shown[0].ends_with('…') && long.starts_with(shown[0].trim_end_matches('…')));
        assert_eq!(shown[0], "Vidéosurveillance algorithmique des transpo…");
        assert_eq!(shown[1], "Court");
        let row_titles: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("bar-row"))
            .map(|g| g.first_element_child().unwrap())
            .inspect(|t| assert_eq!(t.tag_name().name(), "title"))
            .map(|t| t.text().unwrap())
            .collect();
        assert_eq!(row_titles, [long, "Court"]);
        // A label of exactly the maximum length is kept whole; a space before the cut goes.
        let exact = "a".repeat(LABEL_MAX_CHARS);
        assert_eq!(truncate(&exact, LABEL_MAX_CHARS), exact);
        assert_eq!(truncate("abcd efgh", 6), "abcd…");
    }

    #[test]
    fn height_grows_with_bars_width_is_fixed_no_style_and_deterministic() {
        let make = |n: usize| {
            let bars: Vec<Bar> = (0..n).map(|i| bar(&format!("Ligne {i}"), i as u64 * 7, None)).collect();
            bar_chart("h", "Hauteur", "Desc", &bars, &[], &french)
        };
        let view_box = |s: &str| parse(s).root_element().attribute("viewBox").unwrap().to_string();
        let (one, ten) = (make(1), make(10));
        let dims = |v: String| -> Vec<f64> { v.split(' ').map(|x| x.parse().unwrap()).collect() };
        let (d1, d10) = (dims(view_box(&one)), dims(view_box(&ten)));
        assert_eq!(d1[2], CHART_WIDTH);
        assert_eq!(d10[2], CHART_WIDTH);
        assert!(d10[3] > d1[3]);
        assert_eq!(d10[3] - d1[3], 9.0 * ROW_H);
        for s in [&one, &ten] {
            assert!(!s.contains("style"), "{s}");
            assert!(!s.contains("-0\"") && !s.contains(".0\""), "{s}");
        }
        assert_eq!(ten, make(10));
    }

    #[test]
    fn a_legend_names_each_bar_colour_above_the_bars() {
        let legend = [
            LegendItem { class: "jo-law".into(), label: "Autorisé par la loi JO".into() },
            LegendItem { class: "other".into(), label: "Hors loi JO".into() },
        ];
        let bars = [bar("Foule", 3, Some("jo-law")), bar("Visage", 1, Some("other"))];
        let with = bar_chart("u", "Usages", "D", &bars, &legend, &french);
        let without = bar_chart("u", "Usages", "D", &bars, &[], &french);
        let doc = parse(&with);
        let items: Vec<roxmltree::Node> =
            doc.descendants().filter(|n| n.attribute("class") == Some("legend-item")).collect();
        assert_eq!(items.len(), 2);
        let swatch =
            |g: &roxmltree::Node| g.first_element_child().unwrap().attribute("class").unwrap().to_string();
        let text = |g: &roxmltree::Node| g.last_element_child().unwrap().text().unwrap().to_string();
        assert_eq!(items.iter().map(swatch).collect::<Vec<_>>(), ["bar jo-law", "bar other"]);
        assert_eq!(items.iter().map(text).collect::<Vec<_>>(), ["Autorisé par la loi JO", "Hors loi JO"]);
        // The legend sits above the first row, and makes the chart taller by its lines.
        let first_label_y: f64 = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("bar-label"))
            .and_then(|n| n.attribute("y"))
            .unwrap()
            .parse()
            .unwrap();
        let legend_bottom: f64 =
            items[1].last_element_child().unwrap().attribute("y").unwrap().parse().unwrap();
        assert!(first_label_y > legend_bottom + 10.0, "{first_label_y} vs {legend_bottom}");
        let height =
            |s: &str| -> f64 { parse(s).root_element().attribute("height").unwrap().parse().unwrap() };
        assert_eq!(height(&with) - height(&without), 2.0 * LEGEND_H + 8.0);
    }

    #[test]
    fn the_chart_is_drawn_at_its_own_size_with_readable_text() {
        let svg = bar_chart("s", "T", "D", &[bar("A", 1, None)], &[], &french);
        let doc = parse(&svg);
        let root = doc.root_element();
        assert_eq!(root.attribute("width"), Some(num(CHART_WIDTH).as_str()));
        let vb: Vec<f64> =
            root.attribute("viewBox").unwrap().split(' ').map(|x| x.parse().unwrap()).collect();
        assert_eq!(root.attribute("height").unwrap().parse::<f64>().unwrap(), vb[3]);
        // Shrunk to a 390 px phone's 358 px, the text stays at least 14 px high.
        let font: f64 = root.attribute("font-size").unwrap().parse().unwrap();
        assert!(font * 358.0 / CHART_WIDTH >= 14.0, "{font}");
        // Label above the bar: the bar starts at the left edge, below the label's baseline.
        let label_y: f64 = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("bar-label"))
            .unwrap()
            .attribute("y")
            .unwrap()
            .parse()
            .unwrap();
        let rect = doc.descendants().find(|n| n.has_tag_name("rect")).unwrap();
        assert_eq!(rect.attribute("x"), Some("0"));
        assert!(rect.attribute("y").unwrap().parse::<f64>().unwrap() > label_y);
    }
}
