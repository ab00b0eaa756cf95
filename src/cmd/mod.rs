//! One file per subcommand: options in, a pipeline call, a report out. No logic lives here.

pub mod build;
pub mod translations;

use std::io::Write;

use crate::diag::Diagnostic;

/// Prints diagnostics to stderr, errors last so they stay on screen.
pub fn print_diagnostics(diags: &[Diagnostic]) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    let (errors, warnings): (Vec<&Diagnostic>, Vec<&Diagnostic>) = diags.iter().partition(|d| d.is_error());
    for d in warnings.iter().chain(errors.iter()) {
        let _ = write!(err, "{d}");
    }
    if !errors.is_empty() {
        let _ = writeln!(
            err,
            "kitgen: {} error{}{}; nothing was written",
            errors.len(),
            if errors.len() > 1 { "s" } else { "" },
            if warnings.is_empty() {
                String::new()
            } else {
                format!(", {} warning{}", warnings.len(), if warnings.len() > 1 { "s" } else { "" })
            }
        );
    }
}
