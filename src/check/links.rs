//! The checks across outputs: every internal link and `#anchor` resolves, sitemaps and feeds
//! name outputs that exist, and every page is linked from another one.

use std::collections::{BTreeMap, HashMap, HashSet};

use percent_encoding::percent_decode_str;

use super::Finding;
use super::scan::is_external;
use super::sink::Facts;

/// Schemes that name no file of the site.
const NOT_FILES: &[&str] = &["mailto:", "tel:", "sms:", "data:", "blob:", "about:", "geo:"];

/// Where a link written in `from` leads: the output path and the fragment, or why it cannot.
/// `base_path` is the path of `base_url` (`/campagne/`): links from the host's root must stay
/// under it (the 404 page needs them, since it is served at any depth).
pub fn resolve(from: &str, href: &str, base_path: &str) -> Result<(String, Option<String>), String> {
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (href, None),
    };
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    let fragment = fragment.map(|f| percent_decode_str(f).decode_utf8_lossy().into_owned());
    if decoded.is_empty() {
        return Ok((from.to_string(), fragment));
    }
    let (mut parts, rest): (Vec<&str>, &str) = if let Some(rest) = decoded.strip_prefix(base_path) {
        (Vec::new(), rest)
    } else if decoded.starts_with('/') {
        return Err(format!(
            "it starts at the host's root outside the site's path `{base_path}`, so it breaks when the site is served elsewhere"
        ));
    } else {
        let mut parts: Vec<&str> = from.split('/').collect();
        parts.pop();
        (parts, &decoded)
    };
    for seg in rest.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err("it climbs above the site's root folder".into());
                }
            }
            s => parts.push(s),
        }
    }
    let mut target = parts.join("/");
    if rest.is_empty() || rest.ends_with('/') || rest.ends_with("/.") || rest == "." || rest.ends_with("..") {
        if !target.is_empty() {
            target.push('/');
        }
        target.push_str("index.html");
    }
    Ok((target, fragment))
}

/// Runs the checks across outputs; findings by output path.
pub fn check(facts: &BTreeMap<String, Facts>, base_path: &str) -> Vec<(String, Finding)> {
    let mut out = Vec::new();
    let exists = |p: &str| facts.contains_key(p);
    let ids: HashMap<&str, HashSet<&str>> = facts
        .iter()
        .filter(|(_, f)| !f.ids.is_empty())
        .map(|(p, f)| (p.as_str(), f.ids.iter().map(String::as_str).collect()))
        .collect();
    let mut linked: HashSet<String> = HashSet::new();
    for (from, f) in facts {
        for link in &f.links {
            let href = link.href.trim();
            let lower = href.to_ascii_lowercase();
            if is_external(href) || NOT_FILES.iter().any(|s| lower.starts_with(s)) {
                continue;
            }
            if lower.starts_with("javascript:") {
                out.push((
                    from.clone(),
                    Finding::new(
                        "K961",
                        format!("`{href}`: a script in a URL, blocked by the Content-Security-Policy"),
                    )
                    .needle(href),
                ));
                continue;
            }
            let (mut target, fragment) = match resolve(from, href, base_path) {
                Ok(t) => t,
                Err(why) => {
                    out.push((
                        from.clone(),
                        Finding::new("K950", format!("the link `{href}` cannot work: {why}")).needle(href),
                    ));
                    continue;
                }
            };
            if !exists(&target) {
                let dir = format!("{target}/index.html");
                if exists(&dir) {
                    target = dir;
                } else {
                    out.push((
                        from.clone(),
                        Finding::new(
                            "K950",
                            format!("the link `{href}` leads to nothing (`{target}` is not in the output)"),
                        )
                        .needle(href),
                    ));
                    continue;
                }
            }
            if link.navigation && target != *from {
                linked.insert(target.clone());
            }
            if let Some(frag) = fragment.filter(|f| !f.is_empty())
                && target.ends_with(".html")
                && !ids.get(target.as_str()).is_some_and(|s| s.contains(frag.as_str()))
            {
                out.push((
                    from.clone(),
                    Finding::new(
                        "K951",
                        format!("the link `{href}` names `#{frag}`, which `{target}` does not have"),
                    )
                    .needle(href),
                ));
            }
        }
        for target in &f.absolute {
            let (path, _) = resolve("", target, base_path).unwrap_or_else(|_| (target.clone(), None));
            let found = exists(&path)
                || exists(&format!("{path}/index.html"))
                || (path.is_empty() && exists("index.html"));
            if !found {
                out.push((
                    from.clone(),
                    Finding::new("K954", format!("`{target}` is listed but is not in the output")),
                ));
            }
            linked.insert(path);
        }
    }
    let entry = |p: &str| {
        p == "index.html" || p == "404.html" || p.matches('/').count() == 1 && p.ends_with("/index.html")
    };
    for path in facts.keys().filter(|p| p.ends_with(".html")) {
        if !linked.contains(path) && !entry(path) {
            out.push((
                path.clone(),
                Finding::new("K953", "no page links to this one: readers cannot find it".into()),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_like_a_browser() {
        let resolve = |from, href| resolve(from, href, "/vsa/");
        assert_eq!(resolve("fr/a/index.html", "../b/").unwrap().0, "fr/b/index.html");
        assert_eq!(resolve("404.html", "/vsa/fr/").unwrap().0, "fr/index.html");
        assert_eq!(resolve("404.html", "/vsa/").unwrap().0, "index.html");
        assert_eq!(resolve("fr/a/index.html", "./").unwrap().0, "fr/a/index.html");
        assert_eq!(resolve("fr/a/index.html", "../../").unwrap().0, "index.html");
        assert_eq!(resolve("fr/a/index.html", "../../css/s.css?v=1").unwrap().0, "css/s.css");
        assert_eq!(resolve("fr/a/index.html", "#x").unwrap(), ("fr/a/index.html".into(), Some("x".into())));
        assert_eq!(
            resolve("fr/a/index.html", "../%C3%A9t%C3%A9/#d%C3%A9but").unwrap(),
            ("fr/été/index.html".into(), Some("début".into()))
        );
        assert!(resolve("fr/index.html", "../../x/").unwrap_err().contains("above"));
        assert!(resolve("fr/index.html", "/fr/x/").unwrap_err().contains("outside the site's path `/vsa/`"));
    }
}
