//! `kitgen check`.

use std::io::Write;
use std::time::Instant;

use crate::check::{self, CheckOptions};
use crate::cli::{CheckArgs, Format};
use crate::config::Overrides;
use crate::pipeline::{BuildError, BuildOptions};

/// The version of the JSON report's schema (see docs/check.md).
const SCHEMA: u32 = 1;

/// Checks the site and prints the findings; returns the exit code.
pub fn run(args: CheckArgs) -> i32 {
    let start = Instant::now();
    crate::interrupt::install();
    let opts = BuildOptions {
        root: args.site.root.clone(),
        output: args.site.root.join("public"),
        // What minification changes is whitespace: checking the unminified pages is faster.
        overrides: Overrides { base_url: args.base_url, drafts: args.site.drafts, no_minify: true },
        strict: false,
        render: crate::render::RenderOptions::build(false),
        progress: false,
        cache_dir: None,
    };
    let report = match check::run(&opts, &crate::family::Families::standard(), &CheckOptions::default()) {
        Ok(r) => r,
        Err(e) => {
            match &e {
                BuildError::Config(d) | BuildError::Input(d) => {
                    crate::diag::print_then(d, "the site does not build, so it was not checked")
                }
                other => eprintln!("error: {other}"),
            }
            return e.exit_code();
        }
    };
    let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = report.diagnostics.len() - errors;
    let failed = errors > 0 || (args.strict && warnings > 0);
    match args.format {
        Format::Json => {
            let json = serde_json::json!({
                "schema": SCHEMA,
                "pages": report.pages,
                "files": report.files,
                "errors": errors,
                "warnings": warnings,
                "ignored": report.ignored,
                "ok": !failed,
                "diagnostics": report.diagnostics,
            });
            let _ = writeln!(
                std::io::stdout().lock(),
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
        }
        Format::Table => {
            // Sorted by file: the findings of one file stay together.
            let mut err = std::io::stderr().lock();
            for d in &report.diagnostics {
                let _ = write!(err, "{d}");
            }
            let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
            eprintln!(
                "kitgen check: {} and {} checked: {}, {}{} in {:.2} s",
                plural(report.pages, "page"),
                plural(report.files, "file"),
                plural(errors, "error"),
                plural(warnings, "warning"),
                if report.ignored > 0 {
                    format!(" ({} ignored by kitgen.yaml)", report.ignored)
                } else {
                    String::new()
                },
                start.elapsed().as_secs_f64()
            );
            if !failed && warnings > 0 {
                eprintln!("kitgen check: warnings do not fail the check; --strict makes them");
            }
        }
    }
    i32::from(failed)
}
