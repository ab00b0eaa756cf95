//! The command line, with clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// kitgen builds the campaign's multilingual website, with a page per commune, from a site tree.
#[derive(Debug, Parser)]
#[command(
    name = "kitgen",
    version,
    about,
    long_about = "kitgen turns a site tree (kitgen.yaml, content/, data/, i18n/, themes/) into a static website in public/: pages in every language, a page per commune with its statistics, map and open data. The output works on any static host, under any sub-path, and calls no third party.",
    after_help = "Examples:\n  kitgen build                      build the site in this folder into public/\n  kitgen build --root ../site -o /tmp/out --base-url https://example.org/vsa/\n  kitgen serve                      preview on http://127.0.0.1:1111/ with live reload\n  kitgen translations --format json list missing and stale translations\n  kitgen new ../lyon --language fr   start a new campaign site\n  kitgen import records census.csv  turn a spreadsheet into data/records/*.yaml\n  kitgen completions bash           shell completions; `kitgen man` prints the man page\n  kitgen check --strict             check links, privacy and accessibility (for CI)\n\nExit status: 0 ok, 1 errors in the inputs, 2 usage or configuration error, 3 I/O or internal failure."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder.
    #[command(
        after_help = "Examples:\n  kitgen build\n  kitgen build --strict --output /srv/www/vsa\n  kitgen build --no-minify --drafts\n  kitgen build --base-url https://example.org/campagne/   publish at another address\n  kitgen build --offline -o /media/usb/vsa                 a copy to open from a folder (file://)\n\nSee docs/deploy.md for static hosts, rsync, sub-paths and offline copies."
    )]
    Build(BuildArgs),
    /// Build, serve on localhost, and rebuild what changed on every save.
    #[command(after_help = "Examples:\n  kitgen serve\n  kitgen serve --port 8080 --open")]
    Serve(ServeArgs),
    /// Report missing and stale translations per language.
    #[command(
        after_help = "Examples:\n  kitgen translations\n  kitgen translations --lang en --format json\n\nExit status: 0 when every language is complete and fresh, 1 otherwise (use it in CI)."
    )]
    Translations(TranslationsArgs),
    /// Build in memory (nothing written) and check links, anchors, sitemaps, privacy,
    /// accessibility, translations and the age of records.
    #[command(
        after_help = "Examples:\n  kitgen check\n  kitgen check --strict            fail on warnings too (for CI)\n  kitgen check --format json > findings.json\n\nExit status: 0 when nothing is wrong (warnings allowed unless --strict), 1 when something is, 2 usage or configuration error, 3 I/O failure.\nLet findings pass with `check: { ignore: [{ code: K953, path: \"fr/kits/**\" }] }` in kitgen.yaml."
    )]
    Check(CheckArgs),
    /// Create a new site, ready to build: config, a page per language, theme, a poster, a kit.
    #[command(
        after_help = "Examples:\n  kitgen new mon-site\n  kitgen new ../lyon --language fr --language en --title \"Technopolice Lyon\"\n  cd mon-site && kitgen serve\n\nThe folder must not exist or be empty. The site has no commune list: copy data/communes-fr.json, data/departements-fr.json and data/regions-fr.json from the campaign site to get a page per commune."
    )]
    New(NewArgs),
    /// Import data from a spreadsheet (CSV, .xlsx, .ods).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Print shell completions for bash, zsh, fish, elvish or PowerShell.
    #[command(
        after_help = "Examples:\n  kitgen completions bash > ~/.local/share/bash-completion/completions/kitgen\n  kitgen completions zsh > ~/.zfunc/_kitgen     (with `fpath+=~/.zfunc` before compinit)\n  kitgen completions fish > ~/.config/fish/completions/kitgen.fish"
    )]
    Completions(CompletionsArgs),
    /// Print the man page (roff), made from these help texts.
    #[command(
        after_help = "Examples:\n  kitgen man | man -l -\n  kitgen man > ~/.local/share/man/man1/kitgen.1"
    )]
    Man,
}

/// `kitgen import …`.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Turn a census kept in a spreadsheet into data/records/<insee>-<name>.yaml.
    #[command(
        long_about = "Turn a census kept in a spreadsheet into campaign records, data/records/<insee>-<name>.yaml, one per commune.\n\nColumns are found by their header, in French or English, without regard to case or accents: insee/code, commune/nom/name, département/dept, statut/status, fournisseur(s)/vendor(s), usages/use_cases, source(s) (URLs separated by | or line breaks), notes (or notes (en), notes_fr…), groupe local/local_group, date/since, caméras/cameras. Only a commune column (a name or an INSEE code) is needed. Rows are matched by INSEE code, else by name (and département when given); several rows about one commune are merged. Every record is checked as a build checks it before it is written.",
        after_help = "Examples:\n  kitgen import records recensement.csv --dry-run   see what would change\n  kitgen import records recensement.csv\n  kitgen import records recensement.xlsx --force    replace records that differ\n  kitgen import records census.ods --root ../site\n\nExit status: 0 when every row was imported, 1 when a row was not (ambiguous, unmatched, invalid, or a record kept without --force), 2 when the file or the site cannot be read."
    )]
    Records(ImportRecordsArgs),
}

/// `kitgen import records`.
#[derive(Debug, Args)]
pub struct ImportRecordsArgs {
    /// The spreadsheet: .csv (comma or semicolon, UTF-8), .xlsx or .ods (first sheet).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Site folder (with kitgen.yaml and data/communes-fr.json).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Replace existing records that would change.
    #[arg(long)]
    pub force: bool,
    /// Write nothing; report what would be created or changed.
    #[arg(long)]
    pub dry_run: bool,
}

/// `kitgen new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// Folder to create (it must not exist, or be empty).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// A language of the site, the first is the default; repeat for more [default: fr and en].
    #[arg(long = "language", value_name = "CODE")]
    pub languages: Vec<String>,
    /// The site's title.
    #[arg(long)]
    pub title: Option<String>,
}

/// `kitgen completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Options shared by commands that read a site.
#[derive(Debug, Args, Clone)]
pub struct SiteArgs {
    /// Site folder (with kitgen.yaml).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Publish pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

/// `kitgen build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Site options.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Output folder [default: public/ in the site folder].
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Absolute URL the site is published at (overrides kitgen.yaml).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Keep HTML, CSS and JS as written.
    #[arg(long)]
    pub no_minify: bool,
    /// Fail on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Write links that name `index.html`, so the output works opened from a folder (file://),
    /// e.g. on a USB stick.
    #[arg(long)]
    pub offline: bool,
}

/// `kitgen serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Site options.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Port to listen on.
    #[arg(long, short, default_value_t = 1111)]
    pub port: u16,
    /// Address to listen on; anything but loopback exposes your drafts to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Minify HTML, CSS and JS like `kitgen build` (off by default: readable pages, faster rebuilds).
    #[arg(long)]
    pub minify: bool,
}

/// Report format.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// A table for people.
    Table,
    /// JSON for tools.
    Json,
}

/// `kitgen check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Site options.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Absolute URL the site is published at (overrides kitgen.yaml).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Fail on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `kitgen translations`.
#[derive(Debug, Args)]
pub struct TranslationsArgs {
    /// Site options.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Only this language.
    #[arg(long, value_name = "CODE")]
    pub lang: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}
