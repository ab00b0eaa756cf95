//! Adding an output family from outside kitgen: a family that writes one text file per
//! language, and a second-wave family that bundles those files. Nothing but the two families
//! and their registration (`Families::standard().with(…)`) is written for them.

use std::collections::HashSet;
use std::path::PathBuf;

use kitgen::config::Overrides;
use kitgen::diag::Diagnostic;
use kitgen::family::{Artifact, Families, Family, Kind, PlanCx, Planned, RenderCx};
use kitgen::pipeline::{self, BuildOptions};
use kitgen::plan::Wave;
use kitgen::render::RenderOptions;
use kitgen::serve::session::Session;

use crate::util::TestSite;

/// `hello/<code>.txt` in every language: the home link's label in that language.
struct Hello;

impl Family for Hello {
    type Job = usize;
    type State = ();
    type Input = ();

    fn name(&self) -> &'static str {
        "hello"
    }

    fn plan(&self, cx: &PlanCx<'_>) -> Planned<usize, ()> {
        let langs = &cx.site().config.languages;
        Planned::new(
            (),
            langs.iter().enumerate().map(|(i, l)| (format!("hello/{}.txt", l.code), i)).collect(),
        )
    }

    fn render(&self, cx: &RenderCx<'_, Self>, _: &(), lang: &usize) -> Result<Artifact, Diagnostic> {
        let text = cx.engine.t(*lang, "nav.home")?;
        Ok(Artifact::file(Kind::Text, format!("{text}\n").into_bytes()))
    }
}

/// `hello/all.txt`: every language's file, read from the first wave's outputs.
struct Bundle;

impl Family for Bundle {
    type Job = ();
    type State = Vec<String>;
    type Input = ();

    fn name(&self) -> &'static str {
        "bundle"
    }

    fn wave(&self) -> Wave {
        Wave::Second
    }

    fn plan(&self, cx: &PlanCx<'_>) -> Planned<(), Vec<String>> {
        // The paths of the family planned before this one.
        let members =
            cx.earlier.iter().find(|f| f.name == "hello").map(|f| f.paths.clone()).unwrap_or_default();
        Planned::new(members, vec![("hello/all.txt".into(), ())])
    }

    fn render(&self, cx: &RenderCx<'_, Self>, members: &Vec<String>, _: &()) -> Result<Artifact, Diagnostic> {
        let mut out = Vec::new();
        for m in members {
            let bytes =
                cx.output(m).ok_or_else(|| Diagnostic::error("K900", format!("{m} was not rendered")))?;
            out.extend_from_slice(m.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(&bytes);
        }
        Ok(Artifact::file(Kind::Text, out))
    }
}

fn families() -> Families {
    Families::standard().with(Hello).with(Bundle)
}

fn opts(site: &TestSite, out: &str, render: RenderOptions) -> BuildOptions {
    BuildOptions {
        root: site.root().to_path_buf(),
        output: site.root().join(out),
        overrides: Overrides::default(),
        strict: false,
        render,
        progress: false,
        cache_dir: Some(site.root().join(".cache")),
    }
}

const FR: &str = "nav:\n  home: Accueil\n";
const EN: &str = "nav:\n  home: Home\n";

#[test]
fn a_family_and_a_second_wave_family_are_added_without_editing_kitgen() {
    let site = TestSite::fixture("minimal");
    site.file("i18n/fr.yaml", FR).file("i18n/en.yaml", EN);

    // In memory: nothing is written.
    let (report, sink) =
        pipeline::build_in_memory(&opts(&site, "mem", RenderOptions::build(true)), &families())
            .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(report.diagnostics.iter().all(|d| !d.is_error()));
    let files = sink.into_files();
    assert_eq!(String::from_utf8_lossy(&files["hello/fr.txt"]), "Accueil\n");
    assert_eq!(
        String::from_utf8_lossy(&files["hello/all.txt"]),
        "hello/fr.txt: Accueil\nhello/en.txt: Home\n"
    );
    assert!(files.contains_key("fr/index.html"), "the standard families still build");
    assert!(!site.root().join("mem").exists());

    // On disk, the same bytes.
    pipeline::build_with(&opts(&site, "public", RenderOptions::build(true)), &families()).unwrap();
    assert_eq!(site.out("hello/all.txt"), "hello/fr.txt: Accueil\nhello/en.txt: Home\n");
}

#[test]
fn serve_renders_the_second_wave_again_when_an_output_it_read_changed() {
    let site = TestSite::fixture("minimal");
    site.file("i18n/fr.yaml", FR).file("i18n/en.yaml", EN);
    let mut session =
        Session::with_families(opts(&site, "serve-out", RenderOptions::serve(false)), families());
    let first = session.rebuild(&HashSet::new(), true).unwrap();
    assert_eq!(first.rendered, first.outputs);
    let out = site.root().join("serve-out");
    let read = |p: &str| std::fs::read_to_string(out.join(p)).unwrap();
    assert_eq!(read("hello/all.txt"), "hello/fr.txt: Accueil\nhello/en.txt: Home\n");

    // An English string: hello/en.txt changes, so the bundle that read it is rendered again.
    site.file("i18n/en.yaml", "nav:\n  home: Start\n");
    let changed: HashSet<PathBuf> = [site.root().join("i18n/en.yaml")].into();
    let r = session.rebuild(&changed, false).unwrap();
    assert!(r.written.contains(&"hello/en.txt".to_string()), "{:?}", r.written);
    assert!(r.written.contains(&"hello/all.txt".to_string()), "{:?}", r.written);
    assert!(!r.written.contains(&"hello/fr.txt".to_string()));
    assert_eq!(read("hello/all.txt"), "hello/fr.txt: Accueil\nhello/en.txt: Start\n");

    // A chapter: neither family renders again.
    site.file("content/fr/chapitres/un.md", "---\ntitle: Un, encore\n---\nTexte changé.\n");
    let changed: HashSet<PathBuf> = [site.root().join("content/fr/chapitres/un.md")].into();
    let r = session.rebuild(&changed, false).unwrap();
    assert!(r.rendered > 0);
    assert!(r.written.iter().all(|p| !p.starts_with("hello/")), "{:?}", r.written);
}
