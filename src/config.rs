//! `kitgen.yaml`: the site configuration.
//!
//! Read in two steps, as Zola and ripgrep do: [`RawConfig`] mirrors the file with
//! `deny_unknown_fields`, then [`Config::load`] validates it into a resolved [`Config`] (languages
//! checked, base URL normalised, theme found). Every problem is a diagnostic with the line.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, suggest};
use crate::yaml;

/// The name of the configuration file at the site root.
pub const CONFIG_FILE: &str = "kitgen.yaml";

/// Text direction of a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dir {
    /// Left to right.
    Ltr,
    /// Right to left (Arabic, Hebrew, …).
    Rtl,
}

/// Typographic rules of a language (defined with the Markdown renderer that applies them).
pub use crate::markdown::typography::Typography;

/// What to publish when a page has no translation in a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Missing {
    /// Publish the default language's text at the translated URL, with a notice.
    #[default]
    Fallback,
    /// Publish nothing; links and the language switcher point elsewhere.
    Omit,
}

/// Which communes get a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CommuneScope {
    /// Every commune of the reference list.
    #[default]
    All,
    /// Only communes with a campaign record.
    Recorded,
}

/// The most languages a site may have: every page links to its translations, so the output
/// grows with the square of their number.
pub const MAX_LANGUAGES: usize = 50;

/// The output folder.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct OutputConfig {
    /// Files of the output folder kitgen did not make and must keep (globs; `.git`, `CNAME` and
    /// `.well-known` always are).
    pub keep: Vec<String>,
}

/// What `kitgen check` verifies and what it lets pass.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckConfig {
    /// Records whose `last_verified` is older than this many days are listed (warning).
    pub max_age_days: u32,
    /// Findings to let pass: a code, an output path glob, or both.
    pub ignore: Vec<IgnoreRule>,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig { max_age_days: 365, ignore: Vec::new() }
    }
}

/// One finding `kitgen check` lets pass.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreRule {
    /// The diagnostic code (`K962`), or every code.
    #[serde(default)]
    pub code: Option<String>,
    /// A glob over the file the finding is in (`fr/communes/**`, `content/en/**`), or every file.
    #[serde(default)]
    pub path: Option<String>,
}

/// How much of the heavy outputs the build produces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Scopes {
    /// Communes that get a page (`all` or `recorded`).
    pub commune_pages: CommuneScope,
    /// Communes that get their own posters and poster pack (`none`, `recorded`, `all`).
    pub posters: DownloadScope,
    /// Communes that get their own kit PDFs and kit ZIP (`none`, `recorded`, `all`).
    pub kits: DownloadScope,
}

/// Which communes get heavy downloads of their own (PDFs, ZIPs); the others get the generic
/// ones, with blanks to fill by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DownloadScope {
    /// None: generic downloads only.
    None,
    /// Communes with a campaign record.
    #[default]
    Recorded,
    /// Every commune (tens of thousands of PDFs: hours of build).
    All,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLanguage {
    code: String,
    name: String,
    #[serde(default)]
    dir: Option<Dir>,
    #[serde(default)]
    typography: Typography,
    #[serde(default)]
    missing: Missing,
    #[serde(default)]
    title: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    base_url: String,
    default_language: String,
    languages: Vec<RawLanguage>,
    #[serde(default = "default_theme")]
    theme: String,
    #[serde(default = "default_true")]
    minify: bool,
    #[serde(default = "default_highlight")]
    highlight_theme: String,
    #[serde(default)]
    scopes: Scopes,
    #[serde(default)]
    output: OutputConfig,
    #[serde(default)]
    check: CheckConfig,
    contact_email: Option<String>,
    fediverse_creator: Option<String>,
}

fn default_theme() -> String {
    "default".into()
}
fn default_true() -> bool {
    true
}
fn default_highlight() -> String {
    "InspiredGitHub".into()
}

/// One language of the site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Language {
    /// BCP 47 code, e.g. `fr`, `en`, `ar`.
    pub code: String,
    /// The language's name in itself, e.g. `Français`.
    pub name: String,
    /// Text direction.
    pub dir: Dir,
    /// Typographic rules.
    pub typography: Typography,
    /// What to do with untranslated pages.
    pub missing: Missing,
    /// Site title in this language.
    pub title: String,
}

/// The validated configuration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Config {
    /// Site root (the folder holding `kitgen.yaml`).
    pub root: PathBuf,
    /// Site title in the default language.
    pub title: String,
    /// Absolute URL of the site, ending with `/`.
    pub base_url: String,
    /// Index of the default language in `languages`.
    pub default_language: usize,
    /// Languages, in the order of the file.
    pub languages: Vec<Language>,
    /// Theme name: `themes/<theme>/`.
    pub theme: String,
    /// Minify HTML, CSS and JS.
    pub minify: bool,
    /// syntect theme for code highlighting.
    pub highlight_theme: String,
    /// Heavy output scopes.
    pub scopes: Scopes,
    /// The output folder's settings.
    pub output: OutputConfig,
    /// What `kitgen check` verifies.
    pub check: CheckConfig,
    /// The campaign's fediverse account (`@name@instance.example`), announced on every page
    /// as `fediverse:creator` so Mastodon credits it under shared links.
    pub fediverse_creator: Option<String>,
    /// Publish drafts.
    pub drafts: bool,
    /// The campaign's e-mail address (`contact_email`): where pages ask readers to send
    /// documents and corrections (`mailto:` links; nothing is sent by the site itself).
    pub contact_email: Option<String>,
}

/// Settings given on the command line that override the file.
#[derive(Debug, Clone, Default, Hash)]
pub struct Overrides {
    /// `--base-url`.
    pub base_url: Option<String>,
    /// `--drafts`.
    pub drafts: bool,
    /// `--no-minify`.
    pub no_minify: bool,
}

/// Languages written right to left, used when `dir` is not given.
const RTL: &[&str] = &["ar", "he", "fa", "ur", "yi", "ps", "dv", "ckb", "sd", "ug"];

impl Config {
    /// Reads and validates `root/kitgen.yaml`. Errors are returned all together.
    pub fn load(root: &Path, overrides: &Overrides) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        if let (Ok(real), Ok(real_root)) = (std::fs::canonicalize(&path), std::fs::canonicalize(root))
            && !real.starts_with(&real_root)
        {
            return Err(vec![
                Diagnostic::error(
                    "K100",
                    format!("{CONFIG_FILE} leads out of the site folder, to {}", real.display()),
                )
                .at(CONFIG_FILE)
                .hint("copy the file into the site instead: kitgen never reads outside the site folder"),
            ]);
        }
        let src = match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(e) => {
                    let off = e.utf8_error().valid_up_to();
                    return Err(vec![
                        Diagnostic::error("K101", format!("{CONFIG_FILE} is not valid UTF-8 (byte {off})"))
                            .at(CONFIG_FILE)
                            .hint("save the file as UTF-8"),
                    ]);
                }
            },
            Err(e) => {
                return Err(vec![
                    Diagnostic::error("K100", format!("cannot read {CONFIG_FILE}: {e}"))
                        .at(CONFIG_FILE)
                        .hint(format!(
                            "run kitgen in the site folder, or pass --root DIR; {} has no {CONFIG_FILE}",
                            root.display()
                        )),
                ]);
            }
        };
        Self::parse(root, &src, overrides)
    }

    /// Validates configuration text (the file's content).
    pub fn parse(root: &Path, src: &str, overrides: &Overrides) -> Result<Config, Vec<Diagnostic>> {
        let raw: RawConfig = yaml::parse(src).map_err(|e| {
            let mut d =
                Diagnostic::error("K102", e.message).at(CONFIG_FILE).located(src, e.line, e.col, e.width);
            d.notes = e.notes;
            if let Some(h) = e.hint {
                d = d.hint(h);
            }
            vec![d]
        })?;
        let mut errors = Vec::new();
        let err_nth = |key: &str, needle: &str, nth: usize, msg: String| {
            let (line, col, width) = find_value(src, key, needle, nth);
            Diagnostic::error("K103", msg).at(CONFIG_FILE).located(src, line, col, width)
        };
        let err_at = |key: &str, needle: &str, msg: String| err_nth(key, needle, 0, msg);

        let mut languages = Vec::new();
        for (n, lang) in raw.languages.iter().enumerate() {
            if lang.code.parse::<unic_langid::LanguageIdentifier>().is_err()
                || lang.code.is_empty()
                || !lang.code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                errors.push(
                    err_at("code", &lang.code, format!("`{}` is not a language code", lang.code))
                        .hint("use a BCP 47 code such as `fr`, `en`, `es`, `ar` or `pt-BR`"),
                );
                continue;
            }
            if languages.iter().any(|l: &Language| l.code == lang.code) {
                errors.push(
                    // at the second entry, the one to remove
                    err_nth(
                        "code",
                        &lang.code,
                        raw.languages[..n].iter().filter(|l| l.code == lang.code).count(),
                        format!("language `{}` is listed twice", lang.code),
                    )
                    .hint("remove one of the two entries"),
                );
                continue;
            }
            let primary = lang.code.split('-').next().unwrap_or("");
            languages.push(Language {
                code: lang.code.clone(),
                name: lang.name.clone(),
                dir: lang.dir.unwrap_or(if RTL.contains(&primary) { Dir::Rtl } else { Dir::Ltr }),
                typography: lang.typography,
                missing: lang.missing,
                title: lang.title.clone().unwrap_or_else(|| raw.title.clone()),
            });
        }
        if raw.languages.len() > MAX_LANGUAGES {
            errors.push(
                err_at("languages", "", format!("{} languages are configured; kitgen builds at most {MAX_LANGUAGES}", raw.languages.len()))
                    .hint("every page links to each of its translations: remove the languages the campaign does not publish yet"),
            );
        }
        for pattern in &raw.output.keep {
            if let Err(e) = crate::write::Keep::new(std::slice::from_ref(pattern)) {
                let mut d = Diagnostic::error("K103", format!("output.keep: {e}")).at(CONFIG_FILE);
                if let Some(off) = src.find(pattern.as_str()) {
                    d = d.at_offset(src, off, pattern.len());
                }
                errors.push(d.hint("write a glob such as `uploads/**` or `google*.html`"));
            }
        }
        for rule in &raw.check.ignore {
            if let Some(pattern) = &rule.path
                && let Err(e) = globset::Glob::new(pattern)
            {
                let mut d = Diagnostic::error("K103", format!("check.ignore: {e}")).at(CONFIG_FILE);
                if let Some(off) = src.find(pattern.as_str()) {
                    d = d.at_offset(src, off, pattern.len());
                }
                errors.push(d.hint("write a glob such as `fr/communes/**`"));
            }
            if rule.code.is_none() && rule.path.is_none() {
                errors.push(
                    Diagnostic::error("K103", "check.ignore: an entry needs a `code`, a `path`, or both")
                        .at(CONFIG_FILE)
                        .hint("for example `- { code: K953, path: \"fr/kits/**\" }`"),
                );
            }
        }
        if raw.languages.is_empty() {
            errors.push(
                err_at("languages", "", "no languages are configured".into())
                    .hint("add at least one entry: `- code: fr` with `name: Français`"),
            );
        }
        let default_language = languages.iter().position(|l| l.code == raw.default_language);
        if default_language.is_none() && !languages.is_empty() {
            let codes: Vec<&str> = languages.iter().map(|l| l.code.as_str()).collect();
            let hint = match suggest(&raw.default_language, codes.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("use one of: {}", codes.join(", ")),
            };
            errors.push(
                err_at(
                    "default_language",
                    &raw.default_language,
                    format!("default language `{}` is not in `languages`", raw.default_language),
                )
                .hint(hint),
            );
        }

        let base_url = overrides.base_url.clone().unwrap_or(raw.base_url.clone());
        let has_credentials =
            base_url.split_once("://").is_some_and(|(_, r)| r.split('/').next().unwrap_or("").contains('@'));
        let base_url = match normalise_base_url(&base_url) {
            Some(u) => u,
            None if has_credentials => {
                let msg = format!(
                    "base URL `{base_url}` holds a user name or password, which every page and the sitemap would publish"
                );
                let d = if overrides.base_url.is_some() {
                    Diagnostic::error("K104", msg)
                } else {
                    err_at("base_url", &raw.base_url, msg)
                };
                errors.push(d.hint("write the public address without `user:password@`; protect a preview with the web server's own access control"));
                String::new()
            }
            None => {
                let d = if overrides.base_url.is_some() {
                    Diagnostic::error(
                        "K104",
                        format!("--base-url `{base_url}` is not an absolute http(s) URL"),
                    )
                } else {
                    err_at(
                        "base_url",
                        &raw.base_url,
                        format!("base_url `{}` is not an absolute http(s) URL", raw.base_url),
                    )
                };
                errors.push(d.hint(
                    "write the address where the site will be published, e.g. `https://example.org/campagne/`; pages link to each other with relative URLs, so the site also works elsewhere",
                ));
                String::new()
            }
        };

        let theme_dir = root.join("themes").join(&raw.theme);
        if !theme_dir.join("templates").is_dir() {
            let installed = installed_themes(root);
            let hint = match suggest(&raw.theme, installed.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None if installed.is_empty() => {
                    "create themes/<name>/templates/ or use `theme: default`".into()
                }
                None => format!("installed themes: {}", installed.join(", ")),
            };
            errors.push(
                err_at(
                    "theme",
                    &raw.theme,
                    format!("theme `{}` not found (no themes/{}/templates/)", raw.theme, raw.theme),
                )
                .hint(hint),
            );
        }

        if !crate::markdown::highlight::theme_exists(&raw.highlight_theme) {
            let names = crate::markdown::highlight::theme_names();
            let hint = match suggest(&raw.highlight_theme, names.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("available: {}", names.join(", ")),
            };
            errors.push(
                err_at(
                    "highlight_theme",
                    &raw.highlight_theme,
                    format!("unknown highlight theme `{}`", raw.highlight_theme),
                )
                .hint(hint),
            );
        }

        if let Some(e) = &raw.contact_email
            && !is_email(e)
        {
            errors.push(
                err_at("contact_email", e, format!("contact_email `{e}` is not an e-mail address"))
                    .hint("write one address, e.g. `contact_email: contact@example.org`"),
            );
        }

        if let Some(account) = &raw.fediverse_creator
            && !is_fediverse_account(account)
        {
            errors.push(
                err_at("fediverse_creator", account, format!("`{account}` is not a fediverse account"))
                    .hint("write the account as Mastodon shows it: `@name@instance.example`"),
            );
        }

        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Config {
            root: root.to_path_buf(),
            title: raw.title,
            base_url,
            default_language: default_language.unwrap_or(0),
            languages,
            theme: raw.theme,
            minify: raw.minify && !overrides.no_minify,
            highlight_theme: raw.highlight_theme,
            scopes: raw.scopes,
            output: raw.output,
            check: raw.check,
            fediverse_creator: raw.fediverse_creator,
            drafts: overrides.drafts,
            contact_email: raw.contact_email,
        })
    }

    /// The default language.
    pub fn default_lang(&self) -> &Language {
        &self.languages[self.default_language]
    }

    /// Index of a language code.
    pub fn lang_index(&self, code: &str) -> Option<usize> {
        self.languages.iter().position(|l| l.code == code)
    }

    /// `themes/<theme>/`.
    pub fn theme_dir(&self) -> PathBuf {
        self.root.join("themes").join(&self.theme)
    }

    /// The absolute URL of a site path such as `/fr/brochure/`.
    pub fn absolute_url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path.trim_start_matches('/'))
    }
}

fn installed_themes(root: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root.join("themes"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("templates").is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    v.sort();
    v
}

/// `@name@instance.example`: a user name and a host name, nothing that could break out of an
/// attribute.
fn is_fediverse_account(s: &str) -> bool {
    let Some((user, host)) = s.strip_prefix('@').and_then(|r| r.split_once('@')) else { return false };
    let ok = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.');
    !user.is_empty()
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && user.chars().all(ok)
        && host.chars().all(ok)
}

/// `https://example.org/kit` → `https://example.org/kit/`; `None` unless absolute http(s).
/// One plain e-mail address: `local@domain.tld`, nothing a `mailto:` link would misread.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "@.-_+".contains(c))
}

fn normalise_base_url(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split('/').next().unwrap_or("");
    // `https://user:password@host/` would be published in the sitemap and every link.
    if host.is_empty() || host.contains('@') || url.contains(['?', '#', ' ', '"', '<', '>']) {
        return None;
    }
    let mut u = url.to_string();
    if !u.ends_with('/') {
        u.push('/');
    }
    Some(u)
}

/// (line, col, width) of the `nth` (from 0) `key: needle` in `src` (any value when `needle`
/// is empty), for errors found after parsing. The underline covers the value, or the key.
fn find_value(src: &str, key: &str, needle: &str, nth: usize) -> (usize, usize, usize) {
    let prefix = format!("{key}:");
    let mut seen = 0;
    for (i, line) in src.lines().enumerate() {
        let t = line.trim_start().trim_start_matches("- ");
        let Some(value) = t.strip_prefix(&prefix) else { continue };
        let value = value.split(" #").next().unwrap_or("").trim().trim_matches(['"', '\'']);
        if !needle.is_empty() && value != needle {
            continue;
        }
        if seen < nth {
            seen += 1;
            continue;
        }
        return if needle.is_empty() {
            (i + 1, line.len() - line.trim_start().len() + 1, key.chars().count())
        } else {
            let at = line.find(&format!("{key}:")).map_or(0, |k| k + key.len() + 1);
            let col = line[..at + line[at..].find(needle).unwrap_or(0)].chars().count() + 1;
            (i + 1, col, needle.chars().count().max(1))
        };
    }
    (1, 1, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<Config, Vec<Diagnostic>> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes/default/templates")).unwrap();
        Config::parse(dir.path(), src, &Overrides::default())
    }

    const OK: &str = "title: T\nbase_url: https://example.org/kit\ndefault_language: fr\nlanguages:\n  - code: fr\n    name: Français\n    typography: fr\n  - code: ar\n    name: العربية\n";

    #[test]
    fn valid_config_resolves() {
        let c = parse(OK).unwrap();
        assert_eq!(c.base_url, "https://example.org/kit/");
        assert_eq!(c.languages[1].dir, Dir::Rtl);
        assert_eq!(c.languages[0].typography, Typography::Fr);
        assert_eq!(c.default_lang().code, "fr");
        assert!(c.minify);
    }

    #[test]
    fn contact_email_is_one_address() {
        let c = parse(&format!("{OK}contact_email: contact@example.org\n")).unwrap();
        assert_eq!(c.contact_email.as_deref(), Some("contact@example.org"));
        assert_eq!(parse(OK).unwrap().contact_email, None);
        for bad in ["contact", "a@b", "a@example.org?cc=x@y.org", "a b@example.org"] {
            let errs = parse(&format!("{OK}contact_email: \"{bad}\"\n")).unwrap_err();
            assert_eq!(errs[0].message, format!("contact_email `{bad}` is not an e-mail address"));
            assert_eq!(errs[0].line, Some(10));
        }
    }

    #[test]
    fn unknown_key_is_located_with_suggestion() {
        let errs = parse(&OK.replace("title: T", "titel: T")).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].message, "unknown key `titel`");
        assert_eq!(errs[0].line, Some(1));
        assert_eq!(errs[0].hint.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn semantic_errors_are_all_reported() {
        let src = OK
            .replace("default_language: fr", "default_language: fre")
            .replace("https://example.org/kit", "example.org");
        let errs = parse(&src).unwrap_err();
        let msgs: Vec<_> = errs.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "default language `fre` is not in `languages`",
                "base_url `example.org` is not an absolute http(s) URL"
            ]
        );
        assert_eq!(errs[0].line, Some(3));
        assert_eq!(errs[0].hint.as_deref(), Some("did you mean `fr`?"));
    }

    #[test]
    fn fediverse_creator_is_an_account() {
        let c = parse(&format!("{OK}fediverse_creator: \"@vsa@mamot.fr\"\n")).unwrap();
        assert_eq!(c.fediverse_creator.as_deref(), Some("@vsa@mamot.fr"));
        let errs = parse(&format!("{OK}fediverse_creator: \"https://mamot.fr/@vsa\"\n")).unwrap_err();
        assert!(errs[0].message.contains("not a fediverse account"), "{errs:?}");
        assert_eq!(errs[0].line, Some(10));
    }

    #[test]
    fn bad_language_code_and_duplicates() {
        let src = format!("{OK}  - code: fr\n    name: again\n  - code: \"x y\"\n    name: bad\n");
        let errs = parse(&src).unwrap_err();
        assert_eq!(errs.len(), 2);
        assert!(errs[0].message.contains("listed twice"));
        assert_eq!((errs[0].line, errs[0].col), (Some(10), Some(11)), "at the second `fr`");
        assert!(errs[1].message.contains("not a language code"));
    }
}
