//! GeoJSON input of the map: the département outlines, read into plain lon/lat rings.
//!
//! Only what the map needs is read (a FeatureCollection of Polygon and MultiPolygon features
//! with a `code` and a `nom`), and anything else is refused with a message that names the
//! feature and the ring, so a broken data file is found at build time, not on the drawn map.

use std::collections::BTreeMap;

use serde_json::Value;

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
mod tests {
    use super::*;

    #[test]
    fn parses_polygons_holes_and_multipolygons() {
        let d = parse_geojson(super::super::tests::FIXTURE).unwrap();
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
        let twice = super::super::tests::FIXTURE.replace("\"13\"", "\"75\"");
        assert!(err(&twice).contains("feature 2: département code `75` already used by feature 1"));
    }
}
