//! `kitgen new`: the files of a minimal site that builds at once, with `--strict`.
//!
//! The default theme is embedded in the binary (`include_dir`), so a new site does not depend
//! on a copy of this repository; so are one poster of the campaign's triptych and its flyer,
//! as a one-document kit. The site has no commune list: the loader treats a missing
//! `data/communes-fr.json` as "no commune pages", and the import needs the list anyway.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::diag::Diagnostic;

/// The default theme, as in `themes/default/`.
static THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

const POSTER_SVG: &str = include_str!("../posters/1-regard/poster.svg");
const POSTER_YAML: &str = include_str!("../posters/1-regard/poster.yaml");
const FLYER_FR: &str = include_str!("../kits/vsa/tract.fr.md");
const FLYER_EN: &str = include_str!("../kits/vsa/tract.en.md");

/// The names of a few languages, for `kitgen.yaml`; other codes are named by their code.
const NAMES: &[(&str, &str)] = &[
    ("fr", "Français"),
    ("en", "English"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
    ("pt", "Português"),
    ("ca", "Català"),
    ("eu", "Euskara"),
    ("br", "Brezhoneg"),
    ("oc", "Occitan"),
];

/// Texts of the new site per language: French, or English for every other language.
struct Texts {
    title: &'static str,
    home: &'static str,
    kit_title: &'static str,
    kit_page: &'static str,
    posters_title: &'static str,
    posters_page: &'static str,
    poster_title: &'static str,
    poster_strings: &'static str,
}

const FR: Texts = Texts {
    title: "Notre campagne contre la VSA",
    home: "Bienvenue. Ce site a été créé par `kitgen new` : écrivez vos pages dans `content/fr/`, vos affiches dans `posters/`, vos kits dans `kits/`, puis lancez `kitgen serve` pour les voir.\n\n- [Le kit de mobilisation](@/kit.md)\n- [Les affiches](@/affiches.md)\n",
    kit_title: "Le kit de mobilisation",
    kit_page: "Un tract à imprimer et à distribuer, en version à compléter.\n",
    posters_title: "Les affiches",
    posters_page: "Une affiche à imprimer et à coller.\n",
    poster_title: "Et si cette caméra vous analysait ?",
    poster_strings: "posters:\n  triptych:\n    campaign: \"Contre la VSA\"\n    part: \"{n}/3\"\n    more: \"En savoir plus :\"\n  1-regard:\n    headline_1: \"Et si cette\"\n    headline_2: \"caméra vous\"\n    headline_3: \"analysait ?\"\n    line_1: \"Des logiciels scrutent déjà les caméras de rue :\"\n    line_2: \"c’est la vidéosurveillance algorithmique, la VSA.\"\n",
};

const EN: Texts = Texts {
    title: "Our campaign against VSA",
    home: "Welcome. This site was made by `kitgen new`: write your pages in `content/<lang>/`, your posters in `posters/`, your kits in `kits/`, then run `kitgen serve` to see them.\n\n- [The mobilisation kit](@/kit.md)\n- [The posters](@/affiches.md)\n",
    kit_title: "The mobilisation kit",
    kit_page: "A flyer to print and hand out, with blanks to fill.\n",
    posters_title: "The posters",
    posters_page: "A poster to print and paste.\n",
    poster_title: "What if this camera judged you?",
    poster_strings: "posters:\n  triptych:\n    campaign: \"Against VSA\"\n    part: \"{n}/3\"\n    more: \"Find out more:\"\n  1-regard:\n    headline_1: \"What if\"\n    headline_2: \"this camera\"\n    headline_3: \"judged you?\"\n    line_1: \"Software already scans street cameras:\"\n    line_2: \"this is algorithmic video surveillance, VSA.\"\n",
};

fn texts(lang: &str) -> &'static Texts {
    if lang == "fr" { &FR } else { &EN }
}

/// What `new` needs to know.
#[derive(Debug, Clone)]
pub struct NewSite {
    /// The folder to create.
    pub dir: PathBuf,
    /// Language codes, the default first.
    pub languages: Vec<String>,
    /// Site title (else a generic one in the default language).
    pub title: Option<String>,
}

/// The files of the new site: (path relative to the site, bytes), sorted.
pub fn files(site: &NewSite) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut add = |p: &str, b: &[u8]| out.push((PathBuf::from(p), b.to_vec()));
    let default = site.languages[0].as_str();
    let title = site.title.clone().unwrap_or_else(|| texts(default).title.to_string());
    let mut config = format!(
        "# kitgen site configuration (reference: https://… docs/configuration.md in kitgen's repository)\ntitle: {}\n# Where the site will be published; links are relative, so it also works elsewhere.\nbase_url: \"https://example.org/\"\ndefault_language: {default}\nlanguages:\n",
        quote(&title)
    );
    for l in &site.languages {
        let name = NAMES.iter().find(|(c, _)| c == l).map_or(l.as_str(), |(_, n)| n);
        config.push_str(&format!("  - code: {l}\n    name: {}\n", quote(name)));
        if l == "fr" {
            config.push_str("    typography: fr\n");
        }
        if l != default {
            config.push_str(&format!("    title: {}\n", quote(texts(l).title)));
        }
    }
    config.push_str("theme: default\nminify: true\n");
    add("kitgen.yaml", config.as_bytes());
    let mut kit = String::from("title:\n");
    for l in &site.languages {
        kit.push_str(&format!("  {l}: {}\n", quote(texts(l).kit_title)));
    }
    kit.push_str("documents:\n  - id: tract\n    kind: flyer\nposters: [affiche]\n");
    add("kits/kit/kit.yaml", kit.as_bytes());
    add("posters/affiche/poster.svg", POSTER_SVG.as_bytes());
    let mut poster = String::from(
        "# A poster: poster.svg is a Tera template, its texts are in i18n/<lang>.yaml (posters.*).\ntitle:\n",
    );
    for l in &site.languages {
        poster.push_str(&format!("  {l}: {}\n", quote(texts(l).poster_title)));
    }
    poster.push_str(POSTER_YAML.find("\nweight:").map_or("", |i| &POSTER_YAML[i + 1..]));
    add("posters/affiche/poster.yaml", poster.as_bytes());
    for l in &site.languages {
        let t = texts(l);
        let home_title = if *l == default { title.clone() } else { t.title.to_string() };
        add(
            &format!("content/{l}/_index.md"),
            format!("---\ntitle: {}\n---\n\n{}", quote(&home_title), t.home).as_bytes(),
        );
        add(
            &format!("content/{l}/kit.md"),
            format!(
                "---\ntitle: {}\ntemplate: \"kits/kit.html\"\nextra:\n  kit: kit\n---\n\n{}",
                quote(t.kit_title),
                t.kit_page
            )
            .as_bytes(),
        );
        add(
            &format!("content/{l}/affiches.md"),
            format!(
                "---\ntitle: {}\ntemplate: \"posters/gallery.html\"\n---\n\n{}",
                quote(t.posters_title),
                t.posters_page
            )
            .as_bytes(),
        );
        let mut strings = format!(
            "# Interface strings of the site, over the theme's (themes/default/i18n/).\n{}",
            t.poster_strings
        );
        if !["fr", "en"].contains(&l.as_str()) {
            // The theme speaks French and English: start from English, to translate.
            let theme_en =
                THEME.get_file("i18n/en.yaml").map(|f| f.contents_utf8().unwrap_or("")).unwrap_or("");
            // Its `posters:` map gets the poster's strings (a key may appear once).
            let ours = t.poster_strings.strip_prefix("posters:\n").unwrap_or(t.poster_strings);
            let merged = match theme_en.find("\nposters:\n") {
                Some(i) => format!(
                    "{}{ours}{}",
                    &theme_en[..i + "\nposters:\n".len()],
                    &theme_en[i + "\nposters:\n".len()..]
                ),
                None => format!("{theme_en}\n{}", t.poster_strings),
            };
            strings = format!(
                "# The theme has no strings in `{l}`: these are its English ones, to translate.\n{merged}"
            );
        }
        add(&format!("i18n/{l}.yaml"), strings.as_bytes());
        let flyer = if *l == "fr" { FLYER_FR } else { FLYER_EN };
        if ["fr", "en"].contains(&l.as_str()) || *l == default {
            add(&format!("kits/kit/tract.{l}.md"), flyer.as_bytes());
        }
    }
    theme_files(&THEME, &mut out);
    out.sort();
    out
}

fn theme_files(dir: &Dir<'static>, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    for f in dir.files() {
        out.push((Path::new("themes/default").join(f.path()), f.contents().to_vec()));
    }
    for d in dir.dirs() {
        theme_files(d, out);
    }
}

/// A YAML double-quoted string.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Writes the new site; refuses a folder that exists and is not empty.
pub fn create(site: &NewSite) -> Result<usize, Diagnostic> {
    let dir = &site.dir;
    let err = |m: String| Diagnostic::error("K580", m).at(dir);
    if dir.exists() {
        let mut entries =
            std::fs::read_dir(dir).map_err(|e| err(format!("cannot read {}: {e}", dir.display())))?;
        if entries.next().is_some() {
            return Err(err(format!(
                "{} is not empty: kitgen new writes only into a new or empty folder",
                dir.display()
            ))
            .hint("choose another folder name, e.g. `kitgen new my-site`"));
        }
    }
    let files = files(site);
    for (rel, bytes) in &files {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| err(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&p, bytes).map_err(|e| err(format!("cannot write {}: {e}", p.display())))?;
    }
    Ok(files.len())
}
