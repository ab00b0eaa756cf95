//! Geometry of the map: projections, fitting, simplification and compact path data.
//!
//! The outlines come at about one point per kilometre, more than a 1000-unit map can show, and
//! a page must stay light. Rings are simplified with Douglas–Peucker between fixed anchors (the
//! points where the set of départements sharing a border changes), so the two sides of a shared
//! border are simplified alike and no gap opens between neighbours. Coordinates are written in
//! whole tenths of a unit, relative after the first point, so the output is small and the same
//! on every machine.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::LazyLock;

use crate::load::outlines::GeoDepartement;

/// Lambert-93 (EPSG:2154): Lambert conformal conic on GRS80, standard parallels 44° and 49°,
/// latitude of origin 46.5°, central meridian 3°, false easting 700 000 m, northing 6 600 000 m.
struct Lambert93 {
    e: f64,
    n: f64,
    a_f: f64,
    rho0: f64,
}

impl Lambert93 {
    /// Isometric-latitude term t(φ) of the conic.
    fn t(e: f64, phi: f64) -> f64 {
        (std::f64::consts::FRAC_PI_4 - phi / 2.0).tan()
            / ((1.0 - e * phi.sin()) / (1.0 + e * phi.sin())).powf(e / 2.0)
    }
}

static LAMBERT93: LazyLock<Lambert93> = LazyLock::new(|| {
    let a = 6_378_137.0_f64;
    let f = 1.0 / 298.257_222_101_f64;
    let e = (2.0 * f - f * f).sqrt();
    let m = |phi: f64| phi.cos() / (1.0 - (e * phi.sin()).powi(2)).sqrt();
    let t = |phi: f64| Lambert93::t(e, phi);
    let (p1, p2, p0) = (44f64.to_radians(), 49f64.to_radians(), 46.5f64.to_radians());
    let n = (m(p1).ln() - m(p2).ln()) / (t(p1).ln() - t(p2).ln());
    let a_f = a * m(p1) / (n * t(p1).powf(n));
    Lambert93 { e, n, a_f, rho0: a_f * t(p0).powf(n) }
});

/// Projects WGS84 (lon, lat) in degrees to Lambert-93 (x, y) in metres (EPSG:2154).
pub fn lambert93(lon: f64, lat: f64) -> (f64, f64) {
    let l = &*LAMBERT93;
    let rho = l.a_f * Lambert93::t(l.e, lat.to_radians()).powf(l.n);
    let theta = l.n * (lon - 3.0).to_radians();
    (700_000.0 + rho * theta.sin(), 6_600_000.0 + l.rho0 - rho * theta.cos())
}

/// An axis-aligned box in SVG units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// Whether (x, y) is inside the box or on its edge.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x && x <= self.x + self.w && y >= self.y && y <= self.y + self.h
    }

    /// The box shrunk by `d` on every side (grown if `d` is negative).
    pub fn inset(&self, d: f64) -> Rect {
        Rect { x: self.x + d, y: self.y + d, w: self.w - 2.0 * d, h: self.h - 2.0 * d }
    }
}

/// Bounding box (min x, min y, max x, max y) of points, or `None` if there are none.
pub(super) fn bbox(points: impl Iterator<Item = (f64, f64)>) -> Option<(f64, f64, f64, f64)> {
    points.fold(None, |b, (x, y)| {
        Some(match b {
            None => (x, y, x, y),
            Some((a, c, d, e)) => (a.min(x), c.min(y), d.max(x), e.max(y)),
        })
    })
}

/// Scales and flips projected coordinates (y up) into an SVG box (y down), keeping the aspect.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fit {
    min_x: f64,
    max_y: f64,
    left: f64,
    top: f64,
    scale: f64,
}

impl Fit {
    /// Fits the bounding box `b` = (min x, min y, max x, max y) into `r`; `align` places the
    /// drawing in the leftover room (0 = left/top, 0.5 = centre, 1 = right/bottom).
    pub(super) fn new(b: (f64, f64, f64, f64), r: Rect, align: (f64, f64)) -> Fit {
        let (dx, dy) = (b.2 - b.0, b.3 - b.1);
        let sx = if dx > 0.0 { r.w / dx } else { f64::INFINITY };
        let sy = if dy > 0.0 { r.h / dy } else { f64::INFINITY };
        let scale = match sx.min(sy) {
            s if s.is_finite() => s,
            _ => 1.0,
        };
        Fit {
            min_x: b.0,
            max_y: b.3,
            left: r.x + (r.w - dx * scale) * align.0,
            top: r.y + (r.h - dy * scale) * align.1,
            scale,
        }
    }

    pub(super) fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        (self.left + (x - self.min_x) * self.scale, self.top + (self.max_y - y) * self.scale)
    }
}

/// Which départements use each vertex (by exact coordinates), to find shared borders.
pub(super) struct Topology {
    owners: HashMap<(u64, u64), Vec<u32>>,
}

fn key(p: (f64, f64)) -> (u64, u64) {
    (p.0.to_bits(), p.1.to_bits())
}

impl Topology {
    pub(super) fn new(depts: &[&GeoDepartement]) -> Topology {
        let mut owners: HashMap<(u64, u64), Vec<u32>> = HashMap::new();
        for (i, d) in depts.iter().enumerate() {
            for p in d.points() {
                let o = owners.entry(key(p)).or_default();
                if o.last() != Some(&(i as u32)) && !o.contains(&(i as u32)) {
                    o.push(i as u32);
                    o.sort_unstable();
                }
            }
        }
        Topology { owners }
    }

    fn owners(&self, p: (f64, f64)) -> &[u32] {
        self.owners.get(&key(p)).map_or(&[], Vec::as_slice)
    }
}

/// Lexicographic order of points, total (for deterministic choices).
fn lex(a: (f64, f64), b: (f64, f64)) -> Ordering {
    a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1))
}

/// Distance from `p` to the segment `a`–`b`.
fn seg_dist(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    ((p.0 - a.0 - t * dx).powi(2) + (p.1 - a.1 - t * dy).powi(2)).sqrt()
}

/// Simplifies an open ring (no closing point): `lonlat` are its points as read (for the
/// topology), `xy` the same points projected. Returns the indices kept, in order.
///
/// Anchors (always kept) are the points where the owners change or that three départements
/// share; a ring without any (an island, an enclave) is anchored at its lowest point and the
/// point farthest from it. Between anchors, Douglas–Peucker keeps what deviates by more than
/// `tol` units; ties go to the lowest point, so both sides of a border keep the same points.
pub(super) fn simplify_ring(
    lonlat: &[(f64, f64)],
    xy: &[(f64, f64)],
    topo: &Topology,
    tol: f64,
) -> Vec<usize> {
    let n = lonlat.len();
    if n < 4 {
        return (0..n).collect();
    }
    let owners: Vec<&[u32]> = lonlat.iter().map(|&p| topo.owners(p)).collect();
    let mut anchors: Vec<usize> = (0..n)
        .filter(|&i| {
            let o = owners[i];
            o.len() >= 3 || o != owners[(i + n - 1) % n] || o != owners[(i + 1) % n]
        })
        .collect();
    if anchors.is_empty() {
        let i0 = (0..n).min_by(|&a, &b| lex(lonlat[a], lonlat[b])).unwrap_or(0);
        let d = |i: usize| (xy[i].0 - xy[i0].0).powi(2) + (xy[i].1 - xy[i0].1).powi(2);
        let i1 = (0..n).max_by(|&a, &b| d(a).total_cmp(&d(b)).then(lex(lonlat[b], lonlat[a]))).unwrap_or(0);
        anchors = vec![i0.min(i1), i0.max(i1)];
        anchors.dedup();
    }
    let mut keep = vec![false; n];
    for (k, &a) in anchors.iter().enumerate() {
        keep[a] = true;
        let next = anchors[(k + 1) % anchors.len()];
        let b = if next > a { next } else { next + n };
        let mut stack = vec![(a, b)];
        while let Some((i, j)) = stack.pop() {
            let (pa, pb) = (xy[i % n], xy[j % n]);
            let mut best: Option<(f64, usize)> = None;
            for m in i + 1..j {
                let d = seg_dist(xy[m % n], pa, pb);
                let better = match best {
                    None => true,
                    Some((bd, bm)) => d > bd || (d == bd && lex(lonlat[m % n], lonlat[bm % n]).is_lt()),
                };
                if better {
                    best = Some((d, m));
                }
            }
            if let Some((_, m)) = best.filter(|&(d, _)| d > tol) {
                keep[m % n] = true;
                stack.push((i, m));
                stack.push((m, j));
            }
        }
    }
    (0..n).filter(|&i| keep[i]).collect()
}

/// A coordinate in integer tenths of a unit.
pub(super) fn tenths(v: f64) -> i64 {
    (v * 10.0).round() as i64
}

/// Formats integer tenths: `1234` → `123.4`, `-10` → `-1`, `0` → `0` (never `-0`).
pub(super) fn fmt_tenths(t: i64) -> String {
    let sign = if t < 0 { "-" } else { "" };
    let a = t.unsigned_abs();
    match a % 10 {
        0 => format!("{sign}{}", a / 10),
        f => format!("{sign}{}.{f}", a / 10),
    }
}

/// Formats a coordinate to one decimal, deterministically, without a trailing `.0`.
pub(super) fn num(v: f64) -> String {
    fmt_tenths(tenths(v))
}

/// Whether two points in tenths are closer than `min` tenths.
pub(super) fn too_close(p: (i64, i64), q: (i64, i64), min: i64) -> bool {
    let (dx, dy) = (p.0 - q.0, p.1 - q.1);
    dx * dx + dy * dy < min * min
}

/// Path data for rings in tenths (3 points or more each): an absolute move, relative lines,
/// closed; numbers separated by a space unless a minus sign separates them.
pub(super) fn path_data(rings: impl Iterator<Item = Vec<(i64, i64)>>) -> String {
    let mut d = String::new();
    for ring in rings {
        let Some(&(x0, y0)) = ring.first() else {
            continue;
        };
        d.push('M');
        d.push_str(&fmt_tenths(x0));
        push_num(&mut d, y0);
        d.push('l');
        let mut prev = (x0, y0);
        for (k, &(x, y)) in ring[1..].iter().enumerate() {
            let dx = fmt_tenths(x - prev.0);
            if k > 0 && !dx.starts_with('-') {
                d.push(' ');
            }
            d.push_str(&dx);
            push_num(&mut d, y - prev.1);
            prev = (x, y);
        }
        d.push('z');
    }
    d
}

/// Appends a number, with a space before it unless its minus sign separates it.
fn push_num(d: &mut String, t: i64) {
    let n = fmt_tenths(t);
    if !n.starts_with('-') {
        d.push(' ');
    }
    d.push_str(&n);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambert93_matches_reference_points() {
        // The projection's origin, exactly.
        let (x, y) = lambert93(3.0, 46.5);
        assert!((x - 700_000.0).abs() < 1e-6 && (y - 6_600_000.0).abs() < 1e-6);
        // Paris, Notre-Dame: E 652 469, N 6 862 035 (IGN's converter, to the metre).
        let (x, y) = lambert93(2.3522, 48.8566);
        assert!((x - 652_469.0).abs() < 2.0, "{x}");
        assert!((y - 6_862_035.0).abs() < 2.0, "{y}");
        // West is left, north is up.
        assert!(lambert93(-4.0, 48.0).0 < lambert93(7.0, 48.0).0);
        assert!(lambert93(3.0, 43.0).1 < lambert93(3.0, 50.0).1);
    }

    #[test]
    fn numbers_have_no_negative_zero_nor_trailing_zero() {
        assert_eq!(fmt_tenths(0), "0");
        assert_eq!(fmt_tenths(1234), "123.4");
        assert_eq!(fmt_tenths(-10), "-1");
        assert_eq!(fmt_tenths(-3), "-0.3");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(12.26), "12.3");
        assert_eq!(num(1000.0), "1000");
    }

    #[test]
    fn path_data_is_relative_and_compact() {
        let ring = vec![(100, 200), (150, 200), (150, 150), (95, 180)];
        assert_eq!(path_data([ring].into_iter()), "M10 20l5 0 0-5-5.5 3z");
        assert_eq!(path_data(std::iter::empty()), "");
    }

    #[test]
    fn fit_keeps_aspect_and_flips() {
        let r = Rect { x: 10.0, y: 20.0, w: 100.0, h: 50.0 };
        let f = Fit::new((0.0, 0.0, 10.0, 10.0), r, (0.5, 0.5));
        assert_eq!(f.apply(0.0, 10.0), (35.0, 20.0), "top left, centred");
        assert_eq!(f.apply(10.0, 0.0), (85.0, 70.0), "bottom right");
        let point = Fit::new((3.0, 3.0, 3.0, 3.0), r, (0.5, 0.5));
        assert_eq!(point.apply(3.0, 3.0), (60.0, 45.0));
        assert!(r.contains(10.0, 70.0) && !r.contains(9.9, 30.0));
        assert_eq!(r.inset(-2.0), Rect { x: 8.0, y: 18.0, w: 104.0, h: 54.0 });
    }

    fn square(x0: f64, y0: f64, side: f64, wiggles: usize) -> Vec<(f64, f64)> {
        // A square whose bottom side has tiny wiggles, counter-clockwise, open.
        let mut r = vec![(x0, y0)];
        for k in 1..wiggles {
            let x = x0 + side * k as f64 / wiggles as f64;
            r.push((x, y0 + if k % 2 == 0 { 0.01 } else { -0.01 }));
        }
        r.extend([(x0 + side, y0), (x0 + side, y0 + side), (x0, y0 + side)]);
        r
    }

    #[test]
    fn simplification_drops_wiggles_and_keeps_corners() {
        let ring = square(0.0, 0.0, 10.0, 10);
        let dept = GeoDepartement { code: "01".into(), name: "A".into(), polygons: vec![vec![ring.clone()]] };
        let topo = Topology::new(&[&dept]);
        let kept = simplify_ring(&ring, &ring, &topo, 0.5);
        assert_eq!(kept.len(), 4, "{kept:?}");
        let kept = simplify_ring(&ring, &ring, &topo, 0.001);
        assert_eq!(kept.len(), ring.len());
    }

    #[test]
    fn shared_borders_are_simplified_alike_on_both_sides() {
        // Two squares sharing their wiggly side: A above it (counter-clockwise), B below,
        // traversing the shared side the other way.
        let a = square(0.0, 0.0, 10.0, 20);
        let shared: Vec<(f64, f64)> = a[..=20].to_vec();
        let mut b: Vec<(f64, f64)> = shared.iter().rev().copied().collect();
        b.extend([(0.0, -10.0), (10.0, -10.0)]);
        let depts = [
            GeoDepartement { code: "A".into(), name: "A".into(), polygons: vec![vec![a.clone()]] },
            GeoDepartement { code: "B".into(), name: "B".into(), polygons: vec![vec![b.clone()]] },
        ];
        let topo = Topology::new(&depts.iter().collect::<Vec<_>>());
        for tol in [0.005, 0.011, 0.5] {
            let ka: Vec<(f64, f64)> = simplify_ring(&a, &a, &topo, tol)
                .iter()
                .map(|&i| a[i])
                .filter(|p| shared.contains(p))
                .collect();
            let mut kb: Vec<(f64, f64)> = simplify_ring(&b, &b, &topo, tol)
                .iter()
                .map(|&i| b[i])
                .filter(|p| shared.contains(p))
                .collect();
            kb.sort_by(|p, q| lex(*p, *q));
            let mut ka_sorted = ka.clone();
            ka_sorted.sort_by(|p, q| lex(*p, *q));
            assert_eq!(ka_sorted, kb, "tolerance {tol}");
        }
    }
}
