//! `kitgen translations`: the translation report.

use std::io::Write;

use crate::cli::{Format, TranslationsArgs};
use crate::config::Overrides;
use crate::pipeline::{self, BuildError, BuildOptions};
use crate::translations::{self, LanguageReport};

/// Prints the report; returns 0 when every language is complete and fresh, 1 otherwise.
pub fn run(args: TranslationsArgs) -> i32 {
    let opts = BuildOptions {
        root: args.site.root.clone(),
        output: args.site.root.join("public"),
        overrides: Overrides { drafts: args.site.drafts, ..Overrides::default() },
        strict: false,
        render: crate::render::RenderOptions::build(true),
        progress: false,
        cache_dir: None,
    };
    let prepared = match pipeline::prepare(&opts, &crate::family::Families::standard()) {
        Ok(p) => p,
        Err(e) => {
            if let BuildError::Config(d) | BuildError::Input(d) = &e {
                crate::diag::print_then(d, "no report");
            }
            return e.exit_code();
        }
    };
    if prepared.diagnostics.iter().any(|d| d.is_error()) {
        crate::diag::print_then(&prepared.diagnostics, "no report");
        return 1;
    }
    let site = &prepared.site;
    let only = match &args.lang {
        Some(code) => match site.config.lang_index(code) {
            Some(i) => Some(i),
            None => {
                eprintln!("error: `{code}` is not a configured language");
                return 2;
            }
        },
        None => None,
    };
    let reports = translations::report(site, only, &translations::git_history);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let _ = match args.format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "languages": reports })).unwrap_or_default()
        ),
        Format::Table => write!(out, "{}", table(&reports, &site.config.default_lang().code)),
    };
    if reports.iter().all(LanguageReport::is_complete) { 0 } else { 1 }
}

/// The human-readable report.
pub fn table(reports: &[LanguageReport], default: &str) -> String {
    let mut s = String::new();
    if reports.is_empty() {
        s.push_str(&format!(
            "Nothing to report: {default} is the default language, the one others are translated from.\n"
        ));
    }
    for r in reports {
        s.push_str(&format!(
            "{} ({}): {} up to date, {} missing, {} stale, {} untracked; {} interface string{} missing\n",
            r.code,
            r.name,
            r.up_to_date,
            r.missing.len(),
            r.stale.len(),
            r.untracked.len(),
            r.missing_strings.len(),
            if r.missing_strings.len() == 1 { "" } else { "s" }
        ));
        for m in &r.missing {
            s.push_str(&format!(
                "  missing    {:<52} from {} (translation_of: {})\n",
                m.path, m.source, m.version
            ));
        }
        for st in &r.stale {
            let why =
                if st.known { "made from an older version" } else { "matches no version of the source" };
            s.push_str(&format!(
                "  stale      {}:{}  translation_of {} {why}; {} is now {}\n",
                st.path, st.line, st.translated_from, st.source, st.version
            ));
        }
        for u in &r.untracked {
            s.push_str(&format!(
                "  untracked  {:<52} add `translation_of: {}` ({})\n",
                u.path, u.version, u.source
            ));
        }
        for k in &r.missing_strings {
            s.push_str(&format!("  string     {k}\n"));
        }
    }
    s
}
