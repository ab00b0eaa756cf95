//! `kitgen build`.

use std::time::Instant;

use crate::cli::BuildArgs;
use crate::config::Overrides;
use crate::pipeline::{self, BuildError, BuildOptions};
use crate::render::LinkPolicy;

/// Runs a build and prints its report; returns the exit code.
pub fn run(args: BuildArgs) -> i32 {
    let start = Instant::now();
    crate::interrupt::install();
    let root = args.site.root.clone();
    let output = args.output.clone().unwrap_or_else(|| root.join("public"));
    let opts = BuildOptions {
        root,
        output,
        overrides: Overrides { base_url: args.base_url, drafts: args.site.drafts, no_minify: args.no_minify },
        strict: args.strict,
        render: crate::render::RenderOptions {
            links: if args.offline { LinkPolicy::IndexHtml } else { LinkPolicy::Pretty },
            ..crate::render::RenderOptions::build(true)
        },
        progress: true,
        cache_dir: crate::write::index::default_cache_dir(),
    };
    match pipeline::build(&opts) {
        Ok(report) => {
            super::print_diagnostics(&report.diagnostics);
            let warnings = report.diagnostics.len();
            eprintln!(
                "kitgen: {} pages, {} files ({}), {} written, {} removed{}{} in {:.2} s",
                report.pages,
                report.files,
                human_bytes(report.bytes),
                report.written,
                report.removed,
                if warnings > 0 {
                    format!(", {warnings} warning{}", if warnings > 1 { "s" } else { "" })
                } else {
                    String::new()
                },
                if report.unchanged { " (nothing changed since the last build)" } else { "" },
                start.elapsed().as_secs_f64()
            );
            if !report.removed_paths.is_empty() {
                eprintln!("kitgen: removed, no longer produced: {}", list(&report.removed_paths, 10));
            }
            if crate::pipeline::timings_wanted() {
                for (stage, secs) in &report.timings {
                    eprintln!("  {stage:<10} {secs:.3} s");
                }
                print_work(&report.work);
            }
            0
        }
        Err(e) => {
            match &e {
                BuildError::Config(d) | BuildError::Input(d) => super::print_diagnostics(d),
                BuildError::Output(r) => eprintln!(
                    "error: {r}\n  = fix: choose an empty folder or one kitgen created (it holds a {} file) with --output",
                    crate::write::MARKER
                ),
                BuildError::Io(m) => {
                    eprintln!("error: {m}\n  = note: the previous output was left as it was")
                }
                BuildError::Partial(m) => eprintln!(
                    "error: {m}\n  = note: kitgen was replacing files one by one (it could not make a folder beside the output): some files are new, the others as they were; build again once the problem is fixed"
                ),
                BuildError::Interrupted(sig) => eprintln!(
                    "kitgen: interrupted by {}: nothing was published, the previous output was left as it was and temporary files were removed",
                    crate::interrupt::name(*sig)
                ),
            }
            e.exit_code()
        }
    }
}

/// `a, b, c and 12 more`.
fn list(items: &[String], max: usize) -> String {
    let shown = items.iter().take(max).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > max { format!("{shown} and {} more", items.len() - max) } else { shown }
}

/// `12.3 MB`.
pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 4] = ["B", "kB", "MB", "GB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 { format!("{b} B") } else { format!("{v:.1} {}", UNITS[u]) }
}

/// Where rendering spent its time (`KITGEN_TIMINGS=1`): thread time per family and kind of
/// output, then the PDF, PNG and ZIP work on a line of its own.
fn print_work(work: &[crate::pipeline::Work]) {
    use crate::render::Kind;
    eprintln!("  thread time per family and kind (summed over threads):");
    for w in work {
        eprintln!(
            "    {:<10} {:<5} {:>7} outputs {:>9.3} s",
            w.family,
            format!("{:?}", w.kind).to_lowercase(),
            w.outputs,
            w.seconds
        );
    }
    let of = |k: Kind| {
        work.iter().filter(|w| w.kind == k).fold((0, 0.0), |(n, s), w| (n + w.outputs, s + w.seconds))
    };
    let [(pn, ps), (gn, gs), (zn, zs)] = [of(Kind::Pdf), of(Kind::Png), of(Kind::Zip)];
    eprintln!(
        "  pdf/png/zip {:.3} s thread time: {pn} PDF {ps:.3} s, {gn} PNG {gs:.3} s, {zn} ZIP {zs:.3} s",
        ps + gs + zs
    );
}
