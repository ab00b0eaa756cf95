//! The census map's outlines: `data/departements-fr.geojson`, read into plain lon/lat rings.
//!
//! Only what the map needs is read (a FeatureCollection of Polygon and MultiPolygon features
//! with a `code` and a `nom`), and anything else is refused with a message that names the
//! feature and the ring, so a broken data file is found at build time, not on the drawn map.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use crate::cache::{Memo, Stamp};
use crate::diag::Diagnostic;

/// The outlines drawn on the census map, from the site root.
pub const MAP_FILE: &str = "data/departements-fr.geojson";

/// The outlines as loaded, with a version that changes with the file.
#[derive(Debug, Clone, Default)]
pub struct Outlines {
    /// The départements (empty when the file is missing or broken).
    pub departements: Vec<GeoDepartement>,
    /// Changes when the file does.
    pub version: u64,
    /// Problems found reading it (reported by every build that uses these outlines).
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the outlines of a site with commune data. A missing file is a warning (the map then
/// places metropolitan communes without outlines), a broken one an error. With a `cache`
/// (serve), the file is parsed again only when its stamp changes.
pub fn load(root: &Path, cache: Option<&Memo<Option<Stamp>, Arc<Outlines>>>) -> Arc<Outlines> {
    let path = root.join(MAP_FILE);
    let stamp = crate::cache::stamp(&path);
    let read = || {
        let version = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            stamp.hash(&mut h);
            h.finish()
        };
        let mut diagnostics = Vec::new();
        let departements = match super::read_text(root, &path, super::communes::MAX_DATA_FILE) {
            Ok(text) => parse_geojson(&text).unwrap_or_else(|e| {
                diagnostics.push(
                    Diagnostic::error("K505", format!("the map outlines cannot be read: {e}"))
                        .at(MAP_FILE)
                        .hint("restore the file from the campaign's data, or remove it to draw no outline"),
                );
                Vec::new()
            }),
            Err(d) if path.exists() => {
                diagnostics.push(d);
                Vec::new()
            }
            Err(_) => {
                diagnostics.push(
                    Diagnostic::warning("K506", format!("no map outlines: {MAP_FILE} is missing"))
                        .at(MAP_FILE)
                        .hint("copy departements-fr.geojson from the campaign's data (see data/README.md); until then the map shows the recorded communes of metropolitan France without département outlines"),
                );
                Vec::new()
            }
        };
        Arc::new(Outlines { departements, version, diagnostics })
    };
    match cache {
        Some(c) => c.get_or(stamp, read),
        None => read(),
    }
}

/// One département outline, in lon/lat. polygons → rings (first = outer, rest = holes) → points.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoDepartement {
    /// INSEE code: `01`, `2A`, `974`.
    pub code: String,
    /// Name: `Ain`, `La Réunion`.
    pub name: String,
    /// Polygons; each is a list of rings (outer first, then holes) of (lon, lat) points.
    pub polygons: Vec<Vec<Vec<(f64, f64)>>>,
}

impl GeoDepartement {
    /// Every point of every ring.
    pub fn points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.polygons.iter().flatten().flatten().copied()
    }
}

/// Parses the GeoJSON FeatureCollection (serde_json is already a dependency). Error message says what is wrong.
///
/// Each feature needs `properties.code` (a string), `properties.nom` (or `name`) and a
/// `Polygon` or `MultiPolygon` geometry whose rings have at least 4 [lon, lat] positions.
/// Codes must be unique.
pub fn parse_geojson(text: &str) -> Result<Vec<GeoDepartement>, String> {
    let root: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    if root.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err("the top level is not a GeoJSON FeatureCollection".into());
    }
    let features = root
        .get("features")
        .and_then(Value::as_array)
        .ok_or("the FeatureCollection has no `features` array")?;
    let mut out = Vec::with_capacity(features.len());
    let mut seen = BTreeMap::new();
    for (i, f) in features.iter().enumerate() {
        let dep = parse_feature(f).map_err(|e| format!("feature {}: {e}", i + 1))?;
        if let Some(first) = seen.insert(dep.code.clone(), i + 1) {
            return Err(format!(
                "feature {}: département code `{}` already used by feature {first}",
                i + 1,
                dep.code
            ));
        }
        out.push(dep);
    }
    Ok(out)
}

fn parse_feature(f: &Value) -> Result<GeoDepartement, String> {
    let props = f.get("properties").and_then(Value::as_object).ok_or("no `properties` object")?;
    let code = match props.get("code") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::String(_)) => return Err("`properties.code` is empty".into()),
        Some(v) => return Err(format!("`properties.code` must be a string, not {v}")),
        None => return Err("no `properties.code`".into()),
    };
    let name = props
        .get("nom")
        .or_else(|| props.get("name"))
        .and_then(Value::as_str)
        .ok_or_else(|| format!("`{code}`: no `properties.nom` string"))?
        .to_string();
    let geom = f.get("geometry").filter(|g| !g.is_null()).ok_or_else(|| format!("`{code}`: no geometry"))?;
    let kind = geom.get("type").and_then(Value::as_str).unwrap_or("");
    let coords =
        geom.get("coordinates").ok_or_else(|| format!("`{code}`: the geometry has no `coordinates`"))?;
    let polygons = match kind {
        "Polygon" => vec![parse_polygon(coords).map_err(|e| format!("`{code}`: {e}"))?],
        "MultiPolygon" => coords
            .as_array()
            .ok_or_else(|| format!("`{code}`: MultiPolygon coordinates are not an array"))?
            .iter()
            .enumerate()
            .map(|(i, p)| parse_polygon(p).map_err(|e| format!("`{code}`: polygon {}: {e}", i + 1)))
            .collect::<Result<Vec<_>, _>>()?,
        other => {
            return Err(format!("`{code}`: geometry type `{other}` is not Polygon or MultiPolygon"));
        }
    };
    Ok(GeoDepartement { code, name, polygons })
}

fn parse_polygon(v: &Value) -> Result<Vec<Vec<(f64, f64)>>, String> {
    let rings = v.as_array().ok_or("polygon coordinates are not an array")?;
    if rings.is_empty() {
        return Err("polygon without rings".into());
    }
    rings
        .iter()
        .enumerate()
        .map(|(r, ring)| {
            let pts = ring.as_array().ok_or_else(|| format!("ring {} is not an array", r + 1))?;
            if pts.len() < 4 {
                return Err(format!(
                    "ring {} has {} positions, a closed ring needs at least 4",
                    r + 1,
                    pts.len()
                ));
            }
            pts.iter()
                .enumerate()
                .map(|(k, p)| {
                    parse_position(p).ok_or_else(|| {
                        format!("ring {}, position {}: {p} is not [lon, lat] in degrees", r + 1, k + 1)
                    })
                })
                .collect()
        })
        .collect()
}

fn parse_position(p: &Value) -> Option<(f64, f64)> {
    let a = p.as_array()?;
    if a.len() < 2 {
        return None;
    }
    let (lon, lat) = (a[0].as_f64()?, a[1].as_f64()?);
    ((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)).then_some((lon, lat))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A tiny collection: a square around Paris with a hole, Corsica, La Réunion, Mayotte as a
    /// MultiPolygon, and a Pacific collectivity that is not drawn.
    pub(crate) const FIXTURE: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"code":"75","nom":"Saint-Étienne & <Loire>"},
       "geometry":{"type":"Polygon","coordinates":[
         [[2.0,48.5],[2.7,48.5],[2.7,49.1],[2.0,49.1],[2.0,48.5]],
         [[2.3,48.8],[2.4,48.8],[2.4,48.9],[2.3,48.9],[2.3,48.8]]]}},
      {"type":"Feature","properties":{"code":"13","nom":"Bouches-du-Rhône"},
       "geometry":{"type":"Polygon","coordinates":[
         [[4.2,43.2],[5.8,43.2],[5.8,43.9],[4.2,43.9],[4.2,43.2]]]}},
      {"type":"Feature","properties":{"code":"67","nom":"Bas-Rhin"},
       "geometry":{"type":"Polygon","coordinates":[
         [[7.0,48.1],[8.2,48.1],[8.2,49.1],[7.0,49.1],[7.0,48.1]]]}},
      {"type":"Feature","properties":{"code":"2A","nom":"Corse-du-Sud"},
       "geometry":{"type":"Polygon","coordinates":[
         [[8.5,41.4],[9.4,41.4],[9.4,42.3],[8.5,42.3],[8.5,41.4]]]}},
      {"type":"Feature","properties":{"code":"974","nom":"\"quotes\" 'single'"},
       "geometry":{"type":"Polygon","coordinates":[
         [[55.2,-21.4],[55.9,-21.4],[55.9,-20.8],[55.2,-20.8],[55.2,-21.4]]]}},
      {"type":"Feature","properties":{"code":"976","nom":"Mayotte"},
       "geometry":{"type":"MultiPolygon","coordinates":[
         [[[45.0,-13.0],[45.2,-13.0],[45.2,-12.7],[45.0,-12.7],[45.0,-13.0]]],
         [[[45.25,-12.85],[45.3,-12.85],[45.3,-12.75],[45.25,-12.75],[45.25,-12.85]]]]}},
      {"type":"Feature","properties":{"code":"987","nom":"Polynésie française"},
       "geometry":{"type":"Polygon","coordinates":[
         [[-149.6,-17.8],[-149.2,-17.8],[-149.2,-17.5],[-149.6,-17.5],[-149.6,-17.8]]]}}
    ]}"#;

    #[test]
    fn parses_polygons_holes_and_multipolygons() {
        let d = parse_geojson(FIXTURE).unwrap();
        assert_eq!(d.len(), 7);
        assert_eq!(d[0].code, "75");
        assert_eq!(d[0].name, "Saint-Étienne & <Loire>");
        assert_eq!(d[0].polygons.len(), 1);
        assert_eq!(d[0].polygons[0].len(), 2, "outer ring and one hole");
        assert_eq!(d[5].polygons.len(), 2);
        assert_eq!(d[5].polygons[1][0][0], (45.25, -12.85));
        assert_eq!(d[5].points().count(), 10);
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let err = |t: &str| parse_geojson(t).unwrap_err();
        assert!(err("{").contains("not valid JSON"));
        assert!(err(r#"{"type":"Feature"}"#).contains("FeatureCollection"));
        assert!(err(r#"{"type":"FeatureCollection"}"#).contains("no `features` array"));
        let feature = |props: &str, geom: &str| {
            format!(
                r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{props},"geometry":{geom}}}]}}"#
            )
        };
        let square = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#;
        let ain = r#"{"code":"01","nom":"Ain"}"#;
        assert!(err(&feature(r#"{"nom":"X"}"#, square)).contains("no `properties.code`"));
        assert!(err(&feature(r#"{"code":1,"nom":"X"}"#, square)).contains("must be a string"));
        assert!(err(&feature(r#"{"code":"01"}"#, square)).contains("`01`: no `properties.nom`"));
        assert!(err(&feature(ain, "null")).contains("feature 1: `01`: no geometry"));
        let e = err(&feature(ain, r#"{"type":"Point","coordinates":[0,0]}"#));
        assert!(e.contains("feature 1: `01`: geometry type `Point`"), "{e}");
        let e = err(&feature(ain, r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#));
        assert!(e.contains("ring 1 has 3 positions"), "{e}");
        let e = err(&feature(ain, r#"{"type":"Polygon","coordinates":[[[0,0],[1,"a"],[1,1],[0,0]]]}"#));
        assert!(e.contains("ring 1, position 2"), "{e}");
        let e = err(&feature(
            ain,
            r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[0,0],[1,95],[1,1],[0,0]]]]}"#,
        ));
        assert!(e.contains("polygon 2: ring 1, position 2"), "{e}");
        let twice = FIXTURE.replace("\"13\"", "\"75\"");
        assert!(err(&twice).contains("feature 2: département code `75` already used by feature 1"));
    }
}
