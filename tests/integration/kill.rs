//! A build killed at any moment (SIGKILL or SIGINT, in rendering or in writing) leaves the
//! output as the old tree or the new one, never a mix and never with temporary files in it, and
//! the next build needs no clean-up.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::util::TestSite;

/// Every file of the output but kitgen's marker.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| !e.file_type().is_dir() && e.file_name() != ".kitgen-output")
        .map(|e| {
            (e.path().strip_prefix(dir).unwrap().display().to_string(), std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// A site of a few hundred pages, in version A or B: B changes the title (every page), drops
/// a page and adds one.
fn write_version(site: &TestSite, b: bool) {
    let title = if b { "Version B" } else { "Version A" };
    site.file(
        "kitgen.yaml",
        format!("title: \"{title}\"\nbase_url: \"https://example.org/\"\ndefault_language: fr\nlanguages:\n  - code: fr\n    name: Français\n  - code: en\n    name: English\nminify: true\n"),
    );
    for lang in ["fr", "en"] {
        site.file(&format!("content/{lang}/_index.md"), "---\ntitle: Accueil\n---\nBienvenue.\n");
        site.file(&format!("content/{lang}/p/_index.md"), "---\ntitle: Pages\n---\n");
        for i in 0..150 {
            let text = format!(
                "---\ntitle: Page {i}\n---\n{}\n",
                "Un paragraphe de texte assez long pour être rendu. ".repeat(20)
            );
            site.file(&format!("content/{lang}/p/page-{i:03}.md"), text);
        }
        let (gone, new) = (format!("content/{lang}/p/page-007.md"), format!("content/{lang}/p/nouvelle.md"));
        if b {
            let _ = std::fs::remove_file(site.root().join(&gone));
            site.file(&new, "---\ntitle: Nouvelle\n---\nNouveau.\n");
        } else {
            let _ = std::fs::remove_file(site.root().join(&new));
        }
    }
}

fn build(site: &TestSite) {
    site.build().success();
}

#[cfg(unix)]
#[test]
fn a_killed_build_leaves_the_old_tree_or_the_new_one() {
    let site = TestSite::fixture("minimal");
    let public = site.root().join("public");
    write_version(&site, true);
    build(&site);
    let tree_b = tree(&public);
    write_version(&site, false);
    build(&site);
    let tree_a = tree(&public);
    assert_ne!(tree_a, tree_b);

    // How long a build from A to B takes, to spread the kills over it.
    write_version(&site, true);
    let t = Instant::now();
    build(&site);
    let full = t.elapsed();
    write_version(&site, false);
    build(&site);

    let points = 16;
    let mut outcomes = BTreeMap::new();
    for signal in ["KILL", "INT"] {
        for i in 0..points {
            assert_eq!(tree(&public), tree_a, "the output is A before each kill");
            write_version(&site, true);
            let at = full.mul_f64((i as f64 + 0.5) / points as f64);
            let mut child = Command::new(env!("CARGO_BIN_EXE_kitgen"))
                .args(["build", "--root", &site.root().display().to_string()])
                .env("KITGEN_CACHE_DIR", site.root().join(".kitgen-test-cache"))
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            std::thread::sleep(at);
            if signal == "KILL" {
                let _ = child.kill();
            } else {
                let _ = Command::new("kill").args(["-s", "INT", &child.id().to_string()]).status();
            }
            let status = child.wait().unwrap();
            let now = tree(&public);
            let which = if now == tree_a {
                "old"
            } else if now == tree_b {
                "new"
            } else {
                let extra: Vec<&String> =
                    now.keys().filter(|k| !tree_a.contains_key(*k) && !tree_b.contains_key(*k)).collect();
                panic!(
                    "SIG{signal} at {at:?}: the output is neither the old tree nor the new one (files of neither: {extra:?})"
                );
            };
            *outcomes.entry((signal, which)).or_insert(0) += 1;
            if signal == "INT" {
                use std::os::unix::process::ExitStatusExt;
                let code = status.code();
                // 130: stopped cleanly; 0: done before the signal; killed by it: before kitgen
                // had started (its handler is not installed yet), so nothing was done.
                let early = status.signal() == Some(2);
                assert!(code == Some(130) || code == Some(0) || early, "SIGINT at {at:?}: {status:?}");
                if early {
                    assert_eq!(which, "old", "killed before it started, yet published");
                }
                if code == Some(130) {
                    assert_eq!(which, "old", "an interrupted build publishes nothing");
                    let beside: Vec<String> = std::fs::read_dir(site.root())
                        .unwrap()
                        .flatten()
                        .map(|e| e.file_name().into_string().unwrap())
                        .filter(|n| n.contains("kitgen-next") || n.contains("kitgen-old"))
                        .collect();
                    assert!(beside.is_empty(), "SIGINT left {beside:?} beside the output");
                }
            }
            // The next build needs no clean-up.
            write_version(&site, false);
            build(&site);
        }
    }
    assert!(
        outcomes.get(&("KILL", "old")).copied().unwrap_or(0) > 0,
        "no kill landed before the end of the build (a build takes {full:?}): {outcomes:?}"
    );
    eprintln!("kill outcomes: {outcomes:?} (a full build takes {full:?})");
}

#[cfg(unix)]
#[test]
fn an_interrupted_first_build_leaves_nothing_in_the_way() {
    let site = TestSite::fixture("minimal");
    write_version(&site, false);
    let t = Instant::now();
    build(&site);
    let full = t.elapsed();
    let public = site.root().join("public");
    let done = tree(&public);
    for i in 0..6 {
        std::fs::remove_dir_all(&public).unwrap();
        let _ = std::fs::remove_dir_all(site.root().join(".public.kitgen-mirror"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_kitgen"))
            .args(["build", "--root", &site.root().display().to_string()])
            .env("KITGEN_CACHE_DIR", site.root().join(".kitgen-test-cache-first"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64((i as f64 + 0.5) / 6.0));
        let _ = child.kill();
        let _ = child.wait();
        // No output folder, or the whole output: never a folder later builds refuse.
        assert!(!public.exists() || tree(&public) == done, "a killed first build left part of an output");
        build(&site);
        assert_eq!(tree(&public), done);
    }
}
