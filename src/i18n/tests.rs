use super::*;
use crate::config::{Config, Overrides};

/// A configuration with three languages, and the interface-strings files `files` (paths from
/// the site root, as `load` reads them).
fn site(files: &[(&str, &str)]) -> ((tempfile::TempDir, Sources), Config) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("themes/default/templates")).unwrap();
    let cfg = "title: T\nbase_url: https://example.org/\ndefault_language: fr\nlanguages:\n  - code: fr\n    name: Français\n    typography: fr\n  - code: en\n    name: English\n  - code: ar\n    name: العربية\n";
    let config = Config::parse(dir.path(), cfg, &Overrides::default()).unwrap();
    let file = |p: String| {
        files
            .iter()
            .find(|(f, _)| *f == p)
            .map(|(f, t)| SourceFile { path: f.into(), text: Some(t.to_string()) })
    };
    let sources = Sources {
        langs: config
            .languages
            .iter()
            .map(|l| {
                [format!("themes/default/i18n/{}.yaml", l.code), format!("i18n/{}.yaml", l.code)]
                    .into_iter()
                    .filter_map(file)
                    .collect()
            })
            .collect(),
        site_files: files.iter().filter_map(|(f, _)| f.strip_prefix("i18n/")).map(String::from).collect(),
    };
    ((dir, sources), config)
}

const FR: &str = "nav:\n  home: Accueil\ncommunes:\n  count:\n    one: \"{n} commune\"\n    other: \"{n} communes\"\nnotice: \"Attention : {what} !\"\nnumber:\n  group: \"\u{202F}\"\n  decimal: \",\"\n";
const EN: &str = "nav:\n  home: Home\ncommunes:\n  count:\n    one: \"{n} municipality\"\n    other: \"{n} municipalities\"\nnumber:\n  group: \",\"\n";

#[test]
fn plurals_follow_each_language() {
    let ((_d, sources), config) = site(&[("i18n/fr.yaml", FR), ("i18n/en.yaml", EN)]);
    let mut diags = Vec::new();
    let i = I18n::new(&config, &sources, &mut diags);
    assert_eq!(i.t(0, "communes.count", Some(0.0), &[]).unwrap(), "0 commune");
    assert_eq!(i.t(0, "communes.count", Some(1.0), &[]).unwrap(), "1 commune");
    assert_eq!(i.t(0, "communes.count", Some(35000.0), &[]).unwrap(), "35\u{202F}000 communes");
    assert_eq!(i.t(1, "communes.count", Some(0.0), &[]).unwrap(), "0 municipalities");
    assert_eq!(i.t(1, "communes.count", Some(1.0), &[]).unwrap(), "1 municipality");
    assert_eq!(i.t(1, "communes.count", Some(35000.0), &[]).unwrap(), "35,000 municipalities");
}

#[test]
fn french_strings_get_typography_and_params() {
    let ((_d, sources), config) = site(&[("i18n/fr.yaml", FR)]);
    let i = I18n::new(&config, &sources, &mut Vec::new());
    let s = i.t(0, "notice", None, &[("what".into(), "VSA".into())]).unwrap();
    assert_eq!(s, "Attention\u{A0}: VSA\u{202F}!");
}

#[test]
fn missing_strings_fall_back_to_the_default_language_and_are_reported() {
    let ((_d, sources), config) = site(&[("i18n/fr.yaml", FR), ("i18n/en.yaml", EN)]);
    let mut diags = Vec::new();
    let i = I18n::new(&config, &sources, &mut diags);
    assert_eq!(
        i.t(1, "notice", None, &[("what".into(), "x".into())]).unwrap(),
        "Attention\u{A0}: x\u{202F}!"
    );
    assert_eq!(i.missing_keys(1), ["notice", "number.decimal"]);
    let k605: Vec<_> = diags.iter().filter(|d| d.code == "K605").map(|d| d.message.as_str()).collect();
    assert_eq!(k605[0], "2 interface strings missing in `en`, shown in `fr`: notice, number.decimal");
    assert!(matches!(i.t(1, "nope", None, &[]), Err(Missing::Unknown(_))));
}

#[test]
fn plural_forms_required_by_the_language_are_checked() {
    let ar = "communes:\n  count:\n    one: \"x\"\n    other: \"y\"\n";
    let ((_d, sources), config) = site(&[("i18n/fr.yaml", FR), ("i18n/ar.yaml", ar)]);
    let mut diags = Vec::new();
    I18n::new(&config, &sources, &mut diags);
    let d = diags.iter().find(|d| d.code == "K602").expect("K602");
    assert_eq!(d.message, "plural `communes.count` lacks the forms zero, two, few, many needed in `ar`");
    assert_eq!(d.path.as_deref(), Some(std::path::Path::new("i18n/ar.yaml")));
    assert_eq!(d.line, Some(2));
}

#[test]
fn unknown_keys_and_languages_are_reported() {
    let en = format!("{EN}nav:\n  hom: x\n");
    let ((_d, sources), config) = site(&[
        ("i18n/fr.yaml", FR),
        ("i18n/en.yaml", &en.replace("nav:\n  home: Home\n", "")),
        ("i18n/de.yaml", "a: b\n"),
    ]);
    let mut diags = Vec::new();
    I18n::new(&config, &sources, &mut diags);
    let d = diags.iter().find(|d| d.code == "K603").expect("K603");
    assert_eq!(d.message, "unknown interface string `nav.hom`: the default language does not have it");
    assert_eq!(d.hint.as_deref(), Some("did you mean `nav.home`?"));
    assert!(diags.iter().any(|d| d.code == "K604"));
}

#[test]
fn key_lines_follow_nesting() {
    let text = "a:\n  b: 1\nc:\n  bb: 0\n  \"b\": 2\n'd':\n  'e': 3\n";
    let lines = indented_lines(text);
    assert_eq!(key_line(&lines, "a.b"), 2);
    assert_eq!(key_line(&lines, "c.b"), 5);
    assert_eq!(key_line(&lines, "d.e"), 7);
}
