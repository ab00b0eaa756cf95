//! Map: the outline of France as SVG, projected at build time.
//!
//! The commune census pages show where the campaign has records on a map of France. The site
//! calls no third party (no tiles, no map library, no JavaScript), so the map is drawn here: the
//! département outlines of `data/departements-fr.geojson` (WGS84 lon/lat) are projected in
//! Lambert-93 for metropolitan France, and each of the five overseas départements gets its own
//! inset with a local projection. [`FranceMap::outline_svg`] writes the outlines once as a
//! standalone SVG file; [`FranceMap::points_svg`] writes a small overlay with one link per
//! commune, meant to be stacked over it in a page. Output is deterministic (fixed rounding,
//! sorted by code) and carries classes, never `style` attributes, for the site's CSP.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::load::outlines::GeoDepartement;
use crate::render::xml_escape;

mod geometry;

pub use geometry::{Rect, lambert93};

use geometry::{Fit, Topology, bbox, num, path_data, simplify_ring, tenths, too_close};

/// Width and height of the map's viewBox, in SVG units.
pub const MAP_SIZE: f64 = 1000.0;

/// Margin around metropolitan France, in SVG units.
const MARGIN: f64 = 10.0;

/// The overseas départements drawn in insets, in the order of their boxes (top to bottom).
pub const INSET_CODES: [&str; 5] = ["971", "972", "973", "974", "976"];

/// Inset column: left edge, width, top of the first box, box height and gap between boxes.
/// They sit in the Bay of Biscay, clear of the coast (a test checks it on the real outlines).
const INSET_X: f64 = 8.0;
const INSET_W: f64 = 174.0;
const INSET_TOP: f64 = 426.0;
const INSET_H: f64 = 107.0;
const INSET_GAP: f64 = 7.0;
/// Room for the label at the top of an inset, and padding around its drawing.
const INSET_LABEL_H: f64 = 16.0;
const INSET_PAD: f64 = 4.0;

/// Douglas–Peucker tolerance of the outlines, in SVG units (0.6 units is under half a pixel
/// on a 700-pixel map; the data has about a point per unit, and this keeps 60 % of them).
const TOLERANCE: f64 = 0.6;
/// Points closer than this to the previous kept point of a ring are dropped (tenths of a unit).
const MIN_STEP_TENTHS: i64 = 5;

/// Radius of a point of the overlay, in SVG units: 4.5 px on a 390 px phone (the map is 1,000
/// units across about 358 px), 8 px on a desktop, with a white ring to stand out of the outlines.
const POINT_RADIUS: f64 = 13.0;
/// Points closer than this (centre to centre) are moved apart, so neighbours such as Paris and
/// Nanterre (10 km, about 10 units) stay two dots; a thin line joins a moved dot to its place.
const POINT_SPACING: f64 = 2.0 * POINT_RADIUS + 3.0;
/// A dot moved further than this from its place gets a leader line.
const LEADER_MIN: f64 = 3.0;

/// Ids of the outline's title and description (the file is a document of its own).
const OUTLINE_IDS: (&str, &str) = ("map-title", "map-desc");
/// Ids of the overlay's title and description (the overlay is inlined in a page).
const POINTS_IDS: (&str, &str) = ("map-points-title", "map-points-desc");

/// A point to draw on the map (a commune with a campaign record).
#[derive(Debug, Clone, PartialEq)]
pub struct MapPoint {
    /// INSEE commune code, the sort key.
    pub code: String,
    /// Code of its département: chooses metropolitan France or an inset.
    pub departement: String,
    /// Longitude, degrees.
    pub lon: f64,
    /// Latitude, degrees.
    pub lat: f64,
    /// CSS class of the circle, e.g. `status-deployed`.
    pub class: String,
    /// Text of the circle's tooltip and accessible name.
    pub label: String,
    /// Link target (relative or root-absolute URL).
    pub href: String,
}

/// Where a département is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Zone {
    Metro,
    Inset(usize),
}

/// The inset of one overseas département.
#[derive(Debug, Clone)]
struct Inset {
    code: String,
    name: String,
    frame: Rect,
    /// cos of the mean latitude: the local equirectangular projection is (lon·k, lat).
    k: f64,
    fit: Fit,
}

/// One projected outline, ready to write.
#[derive(Debug, Clone)]
struct Outline {
    code: String,
    name: String,
    d: String,
}

/// The map's frame: metropolitan France in Lambert-93 plus insets for the five overseas départements (971 Guadeloupe, 972 Martinique, 973 Guyane, 974 La Réunion, 976 Mayotte), each with its own projection and box.
///
/// Metropolitan France (with Corsica) fills the width of the square viewBox, top-aligned; the
/// insets form a column in the Bay of Biscay, bottom left. Other codes (the Pacific and other
/// overseas collectivities, `975`, `977`, `98x`) are not drawn.
#[derive(Debug, Clone)]
pub struct FranceMap {
    view_box: String,
    metro: Option<Fit>,
    insets: Vec<Inset>,
    zones: BTreeMap<String, Zone>,
    outlines: Vec<Outline>,
}

/// Where a département code goes: `Some(Some(i))` inset `i`, `Some(None)` metropolitan
/// France, `None` not drawn.
fn zone_of(code: &str) -> Option<Option<usize>> {
    if let Some(i) = INSET_CODES.iter().position(|c| *c == code) {
        Some(Some(i))
    } else if code.starts_with("97") || code.starts_with("98") {
        None
    } else {
        Some(None)
    }
}

/// The box of inset `i` (0 = 971 … 4 = 976).
fn inset_frame(i: usize) -> Rect {
    Rect { x: INSET_X, y: INSET_TOP + i as f64 * (INSET_H + INSET_GAP), w: INSET_W, h: INSET_H }
}

impl FranceMap {
    /// Computes the layout (fit to a fixed viewBox, e.g. 0 0 1000 1000) and projects the outlines.
    pub fn new(depts: &[GeoDepartement]) -> FranceMap {
        let mut zones = BTreeMap::new();
        let metro_depts: Vec<&GeoDepartement> =
            depts.iter().filter(|d| zone_of(&d.code) == Some(None)).collect();
        // Without outlines, metropolitan France's own extent (with Corsica), so that the
        // recorded communes can still be placed.
        let extent: Vec<(f64, f64)> = if metro_depts.is_empty() {
            vec![(-5.2, 48.5), (8.3, 49.1), (9.6, 41.3), (-1.8, 43.3), (2.6, 51.1)]
        } else {
            metro_depts.iter().flat_map(|d| d.points()).collect()
        };
        let metro = bbox(extent.into_iter().map(|(lon, lat)| lambert93(lon, lat))).map(|b| {
            let room = Rect { x: MARGIN, y: MARGIN, w: MAP_SIZE - 2.0 * MARGIN, h: MAP_SIZE - 2.0 * MARGIN };
            Fit::new(b, room, (1.0, 0.0))
        });
        for d in &metro_depts {
            zones.insert(d.code.clone(), Zone::Metro);
        }
        let mut insets = Vec::new();
        for (i, code) in INSET_CODES.iter().enumerate() {
            let Some(d) = depts.iter().find(|d| d.code == *code) else {
                continue;
            };
            let Some((_, lat0, _, lat1)) = bbox(d.points()) else {
                continue;
            };
            let k = ((lat0 + lat1) / 2.0).to_radians().cos();
            let Some(b) = bbox(d.points().map(|(lon, lat)| (lon * k, lat))) else {
                continue;
            };
            let frame = inset_frame(i);
            let room = Rect {
                x: frame.x + INSET_PAD,
                y: frame.y + INSET_LABEL_H + INSET_PAD,
                w: frame.w - 2.0 * INSET_PAD,
                h: frame.h - INSET_LABEL_H - 2.0 * INSET_PAD,
            };
            zones.insert(d.code.clone(), Zone::Inset(insets.len()));
            insets.push(Inset {
                code: d.code.clone(),
                name: d.name.clone(),
                frame,
                k,
                fit: Fit::new(b, room, (0.5, 0.5)),
            });
        }
        let mut map = FranceMap {
            view_box: format!("0 0 {} {}", num(MAP_SIZE), num(MAP_SIZE)),
            metro,
            insets,
            zones,
            outlines: Vec::new(),
        };
        let drawn: Vec<&GeoDepartement> = depts.iter().filter(|d| map.zones.contains_key(&d.code)).collect();
        let topo = Topology::new(&drawn);
        let mut outlines: Vec<Outline> = drawn
            .iter()
            .filter_map(|d| {
                let zone = *map.zones.get(&d.code)?;
                let rings = d
                    .polygons
                    .iter()
                    .flatten()
                    .map(|ring| map.ring_tenths(zone, ring, &topo))
                    .filter(|r| r.len() >= 3);
                let path = path_data(rings);
                (!path.is_empty()).then(|| Outline { code: d.code.clone(), name: d.name.clone(), d: path })
            })
            .collect();
        outlines.sort_by(|a, b| a.code.cmp(&b.code));
        map.outlines = outlines;
        map
    }

    /// The viewBox shared by the outline and the overlay, e.g. `"0 0 1000 1000"`.
    pub fn view_box(&self) -> &str {
        &self.view_box
    }

    /// The box of the inset of an overseas département (`971`…`976`), if it is drawn.
    pub fn inset_box(&self, departement: &str) -> Option<Rect> {
        self.insets.iter().find(|i| i.code == departement).map(|i| i.frame)
    }

    fn project_zone(&self, zone: Zone, lon: f64, lat: f64) -> Option<(f64, f64)> {
        match zone {
            Zone::Metro => {
                let (x, y) = lambert93(lon, lat);
                Some(self.metro?.apply(x, y))
            }
            Zone::Inset(i) => {
                let inset = &self.insets[i];
                Some(inset.fit.apply(lon * inset.k, lat))
            }
        }
    }

    /// Projects a point of a département into SVG coordinates (None if the département is not drawn, e.g. Pacific collectivities 98x, or coordinates are not finite).
    ///
    /// Also `None` when the point falls outside its frame (the viewBox for metropolitan France,
    /// the inset's box for an overseas département): its coordinates are then wrong for it.
    pub fn project(&self, departement: &str, lon: f64, lat: f64) -> Option<(f64, f64)> {
        if !lon.is_finite() || !lat.is_finite() {
            return None;
        }
        let zone = match self.zones.get(departement) {
            Some(z) => *z,
            // No outlines at all: metropolitan communes still go on the map.
            None if self.zones.is_empty() && zone_of(departement) == Some(None) => Zone::Metro,
            None => return None,
        };
        let (x, y) = self.project_zone(zone, lon, lat)?;
        let frame = match zone {
            Zone::Metro => Rect { x: 0.0, y: 0.0, w: MAP_SIZE, h: MAP_SIZE },
            Zone::Inset(i) => self.insets[i].frame,
        };
        (x.is_finite() && y.is_finite() && frame.contains(x, y)).then_some((x, y))
    }

    /// A ring projected and simplified, in integer tenths of a unit, without the closing point
    /// and without points closer than half a unit to the previous kept one. Empty if a point
    /// cannot be projected.
    fn ring_tenths(&self, zone: Zone, ring: &[(f64, f64)], topo: &Topology) -> Vec<(i64, i64)> {
        let open = match ring {
            [first, .., last] if first == last => &ring[..ring.len() - 1],
            _ => ring,
        };
        let xy: Option<Vec<(f64, f64)>> = open
            .iter()
            .map(|&(lon, lat)| {
                self.project_zone(zone, lon, lat).filter(|p| p.0.is_finite() && p.1.is_finite())
            })
            .collect();
        let Some(xy) = xy else { return Vec::new() };
        let mut out: Vec<(i64, i64)> = Vec::with_capacity(open.len());
        for i in simplify_ring(open, &xy, topo, TOLERANCE) {
            let p = (tenths(xy[i].0), tenths(xy[i].1));
            if !out.last().is_some_and(|&q| too_close(p, q, MIN_STEP_TENTHS)) {
                out.push(p);
            }
        }
        while out.len() > 1 && too_close(out[0], out[out.len() - 1], MIN_STEP_TENTHS) {
            out.pop();
        }
        out
    }

    /// The outlines: a standalone SVG document (`<svg xmlns=… viewBox=… role="img" aria-labelledby=…>` with `<title>` and `<desc>`), one `<path>` per département with `class="dep"` and `data-code`, inset frames drawn as rectangles with a small label text. Coordinates rounded to 1 decimal, points closer than ~0.5 units to the previous one dropped, so the file stays well under 150 KB.
    ///
    /// Outlines are also simplified (Douglas–Peucker, 0.6 units, alike on both sides of a
    /// shared border): the data has about a point per unit, which would weigh 180 KB.
    ///
    /// Groups carry presentation attributes (fill, stroke, font size) as defaults, so the file
    /// looks right alone (e.g. through `<img>`, where the site's CSS does not apply); any CSS
    /// rule on `.dep`, `.inset` or `.inset-label` overrides them. Ids: `map-title`, `map-desc`.
    pub fn outline_svg(&self, title: &str, desc: &str) -> String {
        let mut s = String::with_capacity(160_000);
        open_svg(&mut s, &self.view_box, "img", OUTLINE_IDS, title, desc);
        s.push_str(
            "<g class=\"deps\" fill=\"#e9e6df\" stroke=\"#6f6f6f\" stroke-width=\"0.6\" \
             stroke-linejoin=\"round\" fill-rule=\"evenodd\">\n",
        );
        for o in &self.outlines {
            let _ = writeln!(
                s,
                "<path class=\"dep\" data-code=\"{}\" d=\"{}\"><title>{} ({})</title></path>",
                xml_escape(&o.code),
                o.d,
                xml_escape(&o.name),
                xml_escape(&o.code)
            );
        }
        s.push_str("</g>\n");
        if !self.insets.is_empty() {
            s.push_str("<g class=\"insets\" fill=\"none\" stroke=\"#9a9a9a\" stroke-width=\"0.8\">\n");
            for i in &self.insets {
                let f = i.frame;
                let _ = writeln!(
                    s,
                    "<rect class=\"inset\" data-code=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                    xml_escape(&i.code),
                    num(f.x),
                    num(f.y),
                    num(f.w),
                    num(f.h)
                );
            }
            s.push_str("</g>\n<g class=\"inset-labels\" fill=\"#444\" stroke=\"none\" font-family=\"sans-serif\" font-size=\"12\">\n");
            for i in &self.insets {
                let f = i.frame;
                let _ = writeln!(
                    s,
                    "<text class=\"inset-label\" x=\"{}\" y=\"{}\">{}</text>",
                    num(f.x + 5.0),
                    num(f.y + 13.0),
                    xml_escape(&i.name)
                );
            }
            s.push_str("</g>\n");
        }
        s.push_str("</svg>\n");
        s
    }

    /// An overlay with the same viewBox: one `<a href="…"><circle class="…" …><title>label</title></circle></a>` per point (sorted by code for determinism), with title/desc; no outlines. Meant to be stacked over the outline (used inline in an HTML page), so it must be small.
    ///
    /// The root is `role="group"` labelled by its title and desc, not `role="img"`: an image
    /// hides its content from assistive technology, so its links would be focusable yet unnamed. Points that cannot be projected
    /// are left out. Ids: `map-points-title`, `map-points-desc` (one overlay per page).
    pub fn points_svg(&self, points: &[MapPoint], title: &str, desc: &str) -> String {
        let mut sorted: Vec<&MapPoint> = points.iter().collect();
        sorted.sort_by(|a, b| {
            (&a.code, &a.departement, &a.label, &a.href, &a.class).cmp(&(
                &b.code,
                &b.departement,
                &b.label,
                &b.href,
                &b.class,
            ))
        });
        let placed: Vec<(&MapPoint, (f64, f64))> = sorted
            .into_iter()
            .filter_map(|p| Some((p, self.project(&p.departement, p.lon, p.lat)?)))
            .collect();
        let at: Vec<(f64, f64)> = placed.iter().map(|(_, xy)| *xy).collect();
        let moved = spread(&at, POINT_SPACING);
        let mut s = String::with_capacity(200 + points.len() * 160);
        open_svg(&mut s, &self.view_box, "group", POINTS_IDS, title, desc);
        for ((p, (x0, y0)), (x, y)) in placed.iter().zip(moved) {
            let leader = if (x - x0).hypot(y - y0) > LEADER_MIN {
                format!(
                    "<line class=\"leader\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
                    num(*x0),
                    num(*y0),
                    num(x),
                    num(y)
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                s,
                "<a href=\"{}\">{leader}<circle class=\"{}\" cx=\"{}\" cy=\"{}\" r=\"{}\"><title>{}</title></circle></a>",
                xml_escape(&p.href),
                xml_escape(&p.class),
                num(x),
                num(y),
                num(POINT_RADIUS),
                xml_escape(&p.label)
            );
        }
        s.push_str("</svg>\n");
        s
    }
}

/// Moves points apart until no two are closer than `min` (or a fixed number of rounds has
/// passed), each pair pushed away from each other along the line between them, half each.
/// Deterministic: the order is the input's, and two points at the same place part along an
/// angle that depends on their indices. Points already far enough apart do not move.
fn spread(points: &[(f64, f64)], min: f64) -> Vec<(f64, f64)> {
    let mut p = points.to_vec();
    for _ in 0..200 {
        let mut overlap = false;
        for i in 0..p.len() {
            for j in i + 1..p.len() {
                let (dx, dy) = (p[j].0 - p[i].0, p[j].1 - p[i].1);
                let d = dx.hypot(dy);
                if d >= min - 1e-6 {
                    continue;
                }
                overlap = true;
                let (ux, uy) = if d < 1e-9 {
                    let a = (i * 7 + j * 13) as f64;
                    (a.cos(), a.sin())
                } else {
                    (dx / d, dy / d)
                };
                let push = (min - d) / 2.0 + 0.01;
                p[i] = (p[i].0 - ux * push, p[i].1 - uy * push);
                p[j] = (p[j].0 + ux * push, p[j].1 + uy * push);
            }
        }
        if !overlap {
            break;
        }
    }
    p
}

/// Writes the root element with its title and description.
fn open_svg(s: &mut String, view_box: &str, role: &str, ids: (&str, &str), title: &str, desc: &str) {
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{view_box}\" role=\"{role}\" \
         aria-labelledby=\"{t} {d}\">\n<title id=\"{t}\">{}</title>\n<desc id=\"{d}\">{}</desc>\n",
        xml_escape(title),
        xml_escape(desc),
        t = ids.0,
        d = ids.1,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::outlines::parse_geojson;

    fn fixture() -> Vec<GeoDepartement> {
        parse_geojson(crate::load::outlines::tests::FIXTURE).unwrap()
    }

    /// The real outlines, if the data file is there (in the project or in the shared folder).
    fn real() -> Option<Vec<GeoDepartement>> {
        let candidates = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/data/departements-fr.geojson"),
            "/work/shared/data/departements-fr.geojson",
        ];
        let text = candidates.iter().find_map(|p| std::fs::read_to_string(p).ok())?;
        Some(parse_geojson(&text).expect("the real GeoJSON parses"))
    }

    fn parse_svg(s: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(s).unwrap_or_else(|e| panic!("invalid SVG: {e}\n{s}"))
    }

    fn points(n: usize) -> Vec<MapPoint> {
        let classes =
            ["status-deployed", "status-experiment", "status-planned", "status-refused", "status-unknown"];
        (0..n)
            .map(|i| MapPoint {
                code: format!("{:05}", 1000 + i * 97),
                departement: "75".into(),
                lon: 2.05 + (i % 20) as f64 * 0.03,
                lat: 48.55 + (i / 20) as f64 * 0.03,
                class: classes[i % 5].into(),
                label: format!("Commune numéro {i} — expérimentation en cours"),
                href: format!("../communes/{:05}/", 1000 + i * 97),
            })
            .collect()
    }

    fn check_projection(map: &FranceMap) {
        let paris = map.project("75", 2.3522, 48.8566).unwrap();
        let marseille = map.project("13", 5.3698, 43.2965).unwrap();
        let strasbourg = map.project("67", 7.7521, 48.5734).unwrap();
        assert!(paris.1 < marseille.1, "Paris {paris:?} north of Marseille {marseille:?}");
        assert!(paris.0 < strasbourg.0, "Paris {paris:?} west of Strasbourg {strasbourg:?}");
        let ajaccio = map.project("2A", 8.7369, 41.9192).unwrap();
        assert!(ajaccio.0 > marseille.0 && ajaccio.1 > marseille.1);
        let st_denis = map.project("974", 55.4481, -20.8789).unwrap();
        let inset = map.inset_box("974").unwrap();
        assert!(inset.contains(st_denis.0, st_denis.1), "{st_denis:?} in {inset:?}");
        // Saint-Denis is in the north of the island: upper half of the inset.
        assert!(st_denis.1 < inset.y + inset.h / 2.0);
        assert_eq!(map.project("987", -149.57, -17.53), None);
        assert_eq!(map.project("75", f64::NAN, 48.8), None);
        assert_eq!(map.project("75", 2.35, f64::INFINITY), None);
        assert_eq!(map.project("ZZ", 2.35, 48.8), None);
        // A point of La Réunion said to be in Paris lands outside the frame.
        assert_eq!(map.project("974", 2.35, 48.85), None);
    }

    #[test]
    fn without_outlines_metropolitan_points_are_still_placed() {
        let map = FranceMap::new(&[]);
        let paris = map.project("75", 2.35, 48.86).expect("Paris is placed");
        let marseille = map.project("13", 5.37, 43.30).expect("Marseille is placed");
        let ajaccio = map.project("2A", 8.74, 41.93).expect("Ajaccio is placed");
        assert!(paris.1 < marseille.1 && marseille.0 < ajaccio.0, "{paris:?} {marseille:?} {ajaccio:?}");
        assert_eq!(map.project("974", 55.45, -20.9), None, "no inset without outlines");
    }

    #[test]
    fn projection_sanity_on_the_fixture() {
        let map = FranceMap::new(&fixture());
        assert_eq!(map.view_box(), "0 0 1000 1000");
        check_projection(&map);
        assert_eq!(map.inset_box("973"), None, "not in the fixture, not drawn");
        assert_eq!(map.project("973", -52.33, 4.93), None);
    }

    #[test]
    fn projection_sanity_on_the_real_outlines() {
        let Some(depts) = real() else { return };
        assert_eq!(depts.len(), 101);
        let map = FranceMap::new(&depts);
        check_projection(&map);
        for code in INSET_CODES {
            assert!(map.inset_box(code).is_some(), "{code}");
        }
        // Cayenne and Mamoudzou inside their insets.
        let cayenne = map.project("973", -52.3260, 4.9224).unwrap();
        assert!(map.inset_box("973").unwrap().contains(cayenne.0, cayenne.1));
        assert!(map.project("976", 45.2279, -12.7806).is_some());
    }

    #[test]
    fn insets_do_not_cover_metropolitan_france() {
        let Some(depts) = real() else { return };
        let map = FranceMap::new(&depts);
        let frames: Vec<Rect> = INSET_CODES.iter().map(|c| map.inset_box(c).unwrap()).collect();
        for d in depts.iter().filter(|d| zone_of(&d.code) == Some(None)) {
            for (lon, lat) in d.points() {
                let (x, y) = map.project(&d.code, lon, lat).unwrap();
                assert!((0.0..=MAP_SIZE).contains(&x) && (0.0..=MAP_SIZE).contains(&y));
                for f in &frames {
                    let grown = f.inset(-3.0);
                    assert!(!grown.contains(x, y), "{} ({lon}, {lat}) under {f:?}", d.code);
                }
            }
        }
        // And the insets do not overlap each other and stay in the viewBox.
        for w in frames.windows(2) {
            assert!(w[0].y + w[0].h < w[1].y);
        }
        let last = frames[4];
        assert!(last.y + last.h <= MAP_SIZE && last.x >= 0.0);
    }

    fn check_outline(svg: &str, depts: &[GeoDepartement]) {
        let doc = parse_svg(svg);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.tag_name().namespace(), Some("http://www.w3.org/2000/svg"));
        assert_eq!(root.attribute("role"), Some("img"));
        assert_eq!(root.attribute("viewBox"), Some("0 0 1000 1000"));
        assert_eq!(root.attribute("aria-labelledby"), Some("map-title map-desc"));
        let by_id = |id: &str| doc.descendants().find(|n| n.attribute("id") == Some(id)).unwrap();
        assert_eq!(by_id("map-title").tag_name().name(), "title");
        assert_eq!(by_id("map-desc").tag_name().name(), "desc");
        let drawn: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("path"))
            .map(|n| {
                assert_eq!(n.attribute("class"), Some("dep"));
                n.attribute("data-code").unwrap()
            })
            .collect();
        let mut expected: Vec<&str> =
            depts.iter().map(|d| d.code.as_str()).filter(|c| zone_of(c).is_some()).collect();
        expected.sort();
        assert_eq!(drawn, expected);
        for n in doc.descendants() {
            assert!(n.attribute("style").is_none());
            assert!(!n.has_tag_name("script") && !n.has_tag_name("image"));
        }
        assert!(!svg.contains("-0 ") && !svg.contains("\"-0\"") && !svg.contains(".0\""));
    }

    #[test]
    fn outline_of_the_fixture_is_valid_and_escaped() {
        let depts = fixture();
        let map = FranceMap::new(&depts);
        let title = "Saint-Étienne & <Loire>";
        let desc = "\"quotes\" 'single'";
        let svg = map.outline_svg(title, desc);
        check_outline(&svg, &depts);
        let doc = parse_svg(&svg);
        let text = |id: &str| {
            doc.descendants()
                .find(|n| n.attribute("id") == Some(id))
                .and_then(|n| n.text())
                .unwrap()
                .to_string()
        };
        assert_eq!(text("map-title"), title);
        assert_eq!(text("map-desc"), desc);
        let path_title = doc
            .descendants()
            .find(|n| n.attribute("data-code") == Some("75"))
            .and_then(|n| n.first_element_child())
            .and_then(|n| n.text())
            .unwrap();
        assert_eq!(path_title, "Saint-Étienne & <Loire> (75)");
        let labels: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("inset-label"))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(labels, ["\"quotes\" 'single'", "Mayotte"]);
        // The hole is kept: the 75 path has two subpaths.
        let d = doc
            .descendants()
            .find(|n| n.attribute("data-code") == Some("75"))
            .and_then(|n| n.attribute("d"))
            .unwrap();
        assert_eq!(d.matches('M').count(), 2);
        assert_eq!(d.matches('z').count(), 2);
        assert_eq!(svg, map.outline_svg(title, desc), "deterministic");
    }

    #[test]
    fn outline_of_the_real_file_is_valid_and_small() {
        let Some(depts) = real() else { return };
        let map = FranceMap::new(&depts);
        let svg = map.outline_svg("Carte des départements", "La France métropolitaine et les DROM.");
        check_outline(&svg, &depts);
        assert!(svg.len() < 150_000, "outline is {} bytes", svg.len());
        assert_eq!(
            svg,
            FranceMap::new(&depts)
                .outline_svg("Carte des départements", "La France métropolitaine et les DROM.")
        );
        if let Ok(path) = std::env::var("KITGEN_MAP_PREVIEW") {
            let pts: Vec<MapPoint> = [
                ("75056", "75", 2.3522, 48.8566, "status-deployed"),
                ("13055", "13", 5.3698, 43.2965, "status-experiment"),
                ("67482", "67", 7.7521, 48.5734, "status-planned"),
                ("29019", "29", -4.4861, 48.3904, "status-refused"),
                ("2A004", "2A", 8.7369, 41.9192, "status-unknown"),
                ("97411", "974", 55.4481, -20.8789, "status-deployed"),
                ("97302", "973", -52.3260, 4.9224, "status-deployed"),
                ("97105", "971", -61.7250, 15.9958, "status-deployed"),
                ("97209", "972", -61.0588, 14.6161, "status-deployed"),
                ("97611", "976", 45.2279, -12.7806, "status-deployed"),
            ]
            .iter()
            .map(|&(code, dep, lon, lat, class)| MapPoint {
                code: code.into(),
                departement: dep.into(),
                lon,
                lat,
                class: class.into(),
                label: code.into(),
                href: format!("#{code}"),
            })
            .collect();
            let overlay = map.points_svg(&pts, "Points", "Preview");
            let inner =
                overlay.split_once("</desc>\n").map(|(_, rest)| rest.trim_end_matches("</svg>\n")).unwrap();
            let combined = svg.replace("</svg>\n", &format!("<g fill=\"#c00\">{inner}</g></svg>\n"));
            std::fs::write(path, combined).unwrap();
        }
    }

    #[test]
    fn points_overlay_is_valid_escaped_sorted_and_small() {
        let map = FranceMap::new(&fixture());
        let mut pts = points(300);
        pts[7].label = "Saint-Étienne & <Loire>".into();
        pts[8].label = "\"quotes\" 'single'".into();
        pts[9].href = format!("{}?a&b=\"1\"'<>", pts[9].href);
        pts.push(MapPoint {
            code: "98714".into(),
            departement: "987".into(),
            lon: -149.57,
            lat: -17.53,
            class: "status-unknown".into(),
            label: "Papeete".into(),
            href: "../communes/98714/".into(),
        });
        pts.push(MapPoint {
            code: "97411".into(),
            departement: "974".into(),
            lon: 55.4481,
            lat: -20.8789,
            class: "status-deployed".into(),
            label: "Saint-Denis".into(),
            href: "../communes/97411/".into(),
        });
        let svg = map.points_svg(&pts, "Communes & records", "\"quotes\" 'single'");
        // 300 dots in one département all move apart, each with a leader line (about 70 bytes).
        assert!(svg.len() < 80_000, "overlay is {} bytes", svg.len());
        let doc = parse_svg(&svg);
        let root = doc.root_element();
        assert_eq!(root.attribute("viewBox"), Some(map.view_box()));
        assert_eq!(root.attribute("role"), Some("group"), "links inside must stay reachable");
        assert_eq!(root.attribute("aria-labelledby"), Some("map-points-title map-points-desc"));
        let title = doc.descendants().find(|n| n.attribute("id") == Some("map-points-title")).unwrap();
        assert_eq!(title.text(), Some("Communes & records"));
        assert!(doc.descendants().all(|n| !n.has_tag_name("path")));
        let links: Vec<roxmltree::Node> = doc.descendants().filter(|n| n.has_tag_name("a")).collect();
        assert_eq!(links.len(), 301, "the 987 point is left out");
        let codes: Vec<&str> = links.iter().map(|a| a.attribute("href").unwrap()).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(codes, sorted, "sorted by code (hrefs follow codes here)");
        let circle_text = |i: usize| {
            let c = pts[i].href.as_str();
            let a = links.iter().find(|a| a.attribute("href") == Some(c)).unwrap();
            let circle = a.children().find(|n| n.has_tag_name("circle")).unwrap();
            assert_eq!(circle.tag_name().name(), "circle");
            assert_eq!(circle.attribute("class"), Some(pts[i].class.as_str()));
            circle.first_element_child().unwrap().text().unwrap().to_string()
        };
        assert_eq!(circle_text(7), "Saint-Étienne & <Loire>");
        assert_eq!(circle_text(8), "\"quotes\" 'single'");
        assert_eq!(circle_text(9), pts[9].label);
        assert!(!svg.contains("style="));
        let mut shuffled = pts.clone();
        shuffled.reverse();
        assert_eq!(svg, map.points_svg(&shuffled, "Communes & records", "\"quotes\" 'single'"));
    }

    #[test]
    fn close_points_are_moved_apart_with_a_leader_line() {
        let Some(depts) = real() else { return };
        let map = FranceMap::new(&depts);
        let point = |code: &str, dep: &str, lon: f64, lat: f64| MapPoint {
            code: code.into(),
            departement: dep.into(),
            lon,
            lat,
            class: "status-experiment".into(),
            label: code.into(),
            href: format!("../{code}/"),
        };
        // Paris and Nanterre are about 10 km apart; Marseille is far from both.
        let pts = [
            point("75056", "75", 2.3522, 48.8566),
            point("92050", "92", 2.2069, 48.8924),
            point("13055", "13", 5.3698, 43.2965),
        ];
        let svg = map.points_svg(&pts, "T", "D");
        let doc = parse_svg(&svg);
        let circles: Vec<(f64, f64, f64)> = doc
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .map(|c| {
                let f = |a: &str| c.attribute(a).unwrap().parse::<f64>().unwrap();
                (f("cx"), f("cy"), f("r"))
            })
            .collect();
        assert_eq!(circles.len(), 3);
        for (i, a) in circles.iter().enumerate() {
            assert!(a.2 >= 10.0, "a dot is big enough to see on a phone: r = {}", a.2);
            for b in &circles[i + 1..] {
                let d = (a.0 - b.0).hypot(a.1 - b.1);
                assert!(d >= a.2 + b.2, "dots overlap: {a:?} {b:?}");
            }
        }
        // Paris and Nanterre moved, each with a line back to where it is; Marseille did not.
        let leaders = doc.descendants().filter(|n| n.has_tag_name("line")).count();
        assert_eq!(leaders, 2, "{svg}");
        let (mx, my) = map.project("13", 5.3698, 43.2965).unwrap();
        assert!((circles[0].0 - mx).abs() < 0.1 && (circles[0].1 - my).abs() < 0.1);
        assert_eq!(svg, map.points_svg(&pts, "T", "D"), "deterministic");
    }

    #[test]
    fn spread_leaves_distant_points_and_parts_identical_ones() {
        let far = [(0.0, 0.0), (100.0, 0.0)];
        assert_eq!(spread(&far, 25.0), far.to_vec());
        let same = spread(&[(50.0, 50.0), (50.0, 50.0), (50.0, 50.0)], 25.0);
        for i in 0..3 {
            for j in i + 1..3 {
                let d = (same[i].0 - same[j].0).hypot(same[i].1 - same[j].1);
                assert!(d >= 24.9, "{same:?}");
            }
        }
    }

    #[test]
    fn points_overlay_of_300_real_points_is_small() {
        let Some(depts) = real() else { return };
        let map = FranceMap::new(&depts);
        let mut pts = points(300);
        for p in &mut pts {
            p.label = format!("{} — 12 345 habitants, déploiement en cours", p.code);
        }
        let svg = map.points_svg(&pts, "Communes", "300 communes");
        parse_svg(&svg);
        assert_eq!(svg.matches("<circle").count(), 300);
        // 300 dots in one département all move apart, each with a leader line (about 70 bytes).
        assert!(svg.len() < 80_000, "overlay is {} bytes", svg.len());
    }
}
