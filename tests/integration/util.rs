//! Test harness: a site in a temporary folder, built by the real `kitgen` binary.

// Helpers shared by the feature modules; not every module uses every one.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (the default campaign site).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A site tree in a temporary folder.
pub struct TestSite {
    pub dir: tempfile::TempDir,
}

/// The result of running kitgen.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn success(&self) -> &Self {
        assert_eq!(self.code, 0, "kitgen failed:\n{}", self.stderr);
        self
    }

    #[track_caller]
    pub fn failure(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "expected exit {code}, got {}:\n{}", self.code, self.stderr);
        self
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(self.stderr.contains(needle), "stderr lacks {needle:?}:\n{}", self.stderr);
        self
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

impl TestSite {
    /// A copy of `tests/integration/fixtures/<name>` with the repository's default theme.
    pub fn fixture(name: &str) -> TestSite {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&repo().join("tests/integration/fixtures").join(name), dir.path());
        copy_dir(&repo().join("themes/default"), &dir.path().join("themes/default"));
        TestSite { dir }
    }

    /// A copy of the repository's own site (content, i18n, theme, data), without `public/`.
    pub fn campaign() -> TestSite {
        let dir = tempfile::tempdir().unwrap();
        for d in ["content", "i18n", "themes", "data", "static", "templates"] {
            let src = repo().join(d);
            if src.is_dir() {
                copy_dir(&src, &dir.path().join(d));
            }
        }
        std::fs::copy(repo().join("kitgen.yaml"), dir.path().join("kitgen.yaml")).unwrap();
        TestSite { dir }
    }

    /// The repository's site without `data/`: every page, poster and kit of the campaign in
    /// both languages, but no commune pages, so that a debug build takes seconds, not minutes.
    pub fn campaign_without_communes() -> TestSite {
        let dir = tempfile::tempdir().unwrap();
        for d in ["content", "i18n", "themes", "static", "templates", "posters", "kits", "fonts"] {
            let src = repo().join(d);
            if src.is_dir() {
                copy_dir(&src, &dir.path().join(d));
            }
        }
        std::fs::copy(repo().join("kitgen.yaml"), dir.path().join("kitgen.yaml")).unwrap();
        TestSite { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating folders).
    pub fn file(&self, rel: &str, content: impl AsRef<[u8]>) -> &Self {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
        self
    }

    pub fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.root().join(rel)).unwrap();
        self
    }

    /// Runs `kitgen <args>` with `--root` set to the site.
    pub fn kitgen(&self, args: &[&str]) -> Run {
        let out = kitgen_in(self.root(), args);
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr)
                .replace(&self.root().display().to_string(), "[ROOT]"),
        }
    }

    pub fn build(&self) -> Run {
        self.kitgen(&["build"])
    }

    /// A file of the output.
    #[track_caller]
    pub fn out(&self, rel: &str) -> String {
        let p = self.root().join("public").join(rel);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
    }

    pub fn out_exists(&self, rel: &str) -> bool {
        self.root().join("public").join(rel).exists()
    }

    /// Every output file with its bytes, sorted.
    pub fn snapshot(&self, dir: &str) -> Vec<(String, Vec<u8>)> {
        let base = self.root().join(dir);
        let mut v: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(&base)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path().strip_prefix(&base).unwrap().display().to_string(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    }
}

/// Runs the kitgen binary in `dir`.
pub fn kitgen_in(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kitgen"));
    let mut args: Vec<&str> = args.to_vec();
    let root = dir.display().to_string();
    if matches!(args.first(), Some(&"build") | Some(&"translations") | Some(&"serve"))
        && !args.contains(&"--root")
    {
        args.insert(1, "--root");
        args.insert(2, &root);
    }
    // The output index is a cache in the user's folder: keep each test's own.
    cmd.args(&args)
        .current_dir(dir)
        .env_remove("KITGEN_TIMINGS")
        .env("KITGEN_CACHE_DIR", dir.join(".kitgen-test-cache"));
    cmd.output().expect("run kitgen")
}

/// Runs a poppler tool and returns what it printed.
pub fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed for this test (poppler-utils): {e}"));
    assert!(out.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether poppler's tools are installed (required in CI).
pub fn poppler() -> bool {
    let ok = Command::new("pdfinfo").arg("-v").output().is_ok();
    if !ok && std::env::var_os("KITGEN_REQUIRE_BROWSER").is_some() {
        panic!("poppler-utils (pdfinfo, pdftotext, pdftoppm) are required in CI");
    }
    ok
}

/// `(width, height)` in points of the first page, from `pdfinfo`.
pub fn page_size(pdf: &Path) -> (f64, f64) {
    let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    let line = info.lines().find(|l| l.starts_with("Page size:")).unwrap();
    let nums: Vec<f64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    (nums[0], nums[1])
}

/// Runs a script in node and parses what it printed as JSON; `None` when node is missing,
/// except in CI (`KITGEN_REQUIRE_BROWSER`), where it must be there.
#[track_caller]
pub fn node_json<T: serde::de::DeserializeOwned>(script: &str) -> Option<T> {
    let out = match std::process::Command::new("node").arg("-e").arg(script).output() {
        Ok(o) => o,
        Err(_) if std::env::var_os("KITGEN_REQUIRE_BROWSER").is_none() => return None,
        Err(e) => panic!("node is required in CI: {e}"),
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// What serve builds `site` with, into `output` (a folder of the site), with the cache in
/// `.cache/`.
pub fn serve_options(site: &TestSite, output: &str) -> kitgen::pipeline::BuildOptions {
    kitgen::pipeline::BuildOptions {
        root: site.root().to_path_buf(),
        output: site.root().join(output),
        overrides: kitgen::config::Overrides::default(),
        strict: false,
        render: kitgen::render::RenderOptions::serve(false),
        progress: false,
        cache_dir: Some(site.root().join(".cache")),
    }
}

/// A serve session on `site` (output `public/`), and a pool with kitgen's stack to run its
/// rebuilds in: the test threads' default is too small for drawing the real posters in a
/// debug build.
pub fn serve_session(site: &TestSite) -> (rayon::ThreadPool, kitgen::serve::session::Session) {
    let pool = rayon::ThreadPoolBuilder::new().stack_size(64 << 20).build().unwrap();
    (pool, kitgen::serve::session::Session::new(serve_options(site, "public")))
}
