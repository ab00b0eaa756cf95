//! `kitgen import records`: runs the import, prints its problems, what it wrote and a summary.

use std::io::Write;

use crate::cli::ImportRecordsArgs;
use crate::import::{self, Action, Options};

/// Runs the import; 0 when every row was imported, 1 when one was not, 2 when nothing could be.
pub fn run(args: ImportRecordsArgs) -> i32 {
    let opts = Options { root: args.root, file: args.file, force: args.force, dry_run: args.dry_run };
    let report = match import::run(&opts) {
        Ok(r) => r,
        Err(d) => {
            crate::diag::print_then(&d, "nothing was imported");
            return 2;
        }
    };
    let outcome =
        if opts.dry_run { "the other rows would be imported" } else { "the other rows were imported" };
    crate::diag::print_then(&report.diagnostics, outcome);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for w in &report.written {
        let rows = w.rows.iter().map(usize::to_string).collect::<Vec<_>>().join(", ");
        let (verb, extra) = match w.action {
            Action::Created => (if opts.dry_run { "would create" } else { "created" }, String::new()),
            Action::Updated => (
                if opts.dry_run { "would update" } else { "updated" },
                format!(" ({})", w.changed.join(", ")),
            ),
            Action::Unchanged => ("unchanged", String::new()),
        };
        let _ = writeln!(
            out,
            "{verb:<12} {}{extra}  (row{} {rows})",
            w.path.display(),
            if w.rows.len() > 1 { "s" } else { "" }
        );
    }
    let intercommunal = if report.intercommunal > 0 {
        format!(" ({} intercommunal)", report.intercommunal)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "kitgen import: {} row{} read; records: {} {}, {} {}, {} unchanged; rows not imported: {} ambiguous, {} unmatched{intercommunal}, {} invalid; {} record{} kept (use --force){}",
        report.rows,
        if report.rows == 1 { "" } else { "s" },
        report.count(Action::Created),
        if opts.dry_run { "to create" } else { "created" },
        report.count(Action::Updated),
        if opts.dry_run { "to update" } else { "updated" },
        report.count(Action::Unchanged),
        report.ambiguous,
        report.unmatched,
        report.invalid,
        report.kept,
        if report.kept == 1 { "" } else { "s" },
        if opts.dry_run { "; dry run: nothing was written" } else { "" },
    );
    if report.incomplete() { 1 } else { 0 }
}
