//! Files of the output folder that kitgen did not make and must never remove: a deploy
//! repository (`.git/`), a static host's domain file (`CNAME`), `.well-known/` (ACME
//! challenges, security.txt), and whatever `output.keep` in kitgen.yaml names.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// Kept whatever the configuration says.
pub const DEFAULT_KEEP: &[&str] = &[".git", "CNAME", ".well-known"];

/// Which paths of the output folder are kept.
#[derive(Debug, Clone)]
pub struct Keep {
    set: GlobSet,
}

impl Default for Keep {
    fn default() -> Self {
        Keep::new(&[]).unwrap_or(Keep { set: GlobSet::empty() })
    }
}

impl Keep {
    /// The default rules plus `patterns`: globs over paths relative to the output folder
    /// (`/`-separated); a pattern naming a folder keeps everything below it.
    pub fn new(patterns: &[String]) -> Result<Keep, String> {
        let mut b = GlobSetBuilder::new();
        for p in DEFAULT_KEEP.iter().map(|s| s.to_string()).chain(patterns.iter().cloned()) {
            let p = p.trim_matches('/');
            for g in [p.to_string(), format!("{p}/**")] {
                let glob = GlobBuilder::new(&g).literal_separator(true).build();
                b.add(glob.map_err(|e| format!("`{p}` is not a valid pattern: {e}"))?);
            }
        }
        Ok(Keep { set: b.build().map_err(|e| e.to_string())? })
    }

    /// Whether `rel` (a path under the output folder) is kept.
    pub fn keeps(&self, rel: &str) -> bool {
        self.set.is_match(rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_patterns() {
        let k = Keep::new(&["uploads/**/*.jpg".into(), "google*.html".into()]).unwrap();
        for yes in [
            ".git/config",
            ".git/objects/ab/cd",
            "CNAME",
            ".well-known/security.txt",
            "uploads/a/b.jpg",
            "google123.html",
        ] {
            assert!(k.keeps(yes), "{yes}");
        }
        for no in ["fr/index.html", "cname", "x/CNAME.txt", "uploads/a.png", ".github/x", "googlex/y.html"] {
            assert!(!k.keeps(no), "{no}");
        }
        assert!(Keep::new(&["a[".into()]).is_err());
    }
}
