//! One file per subcommand: options in, a pipeline call, a report out. No logic lives here.

pub mod build;
pub mod check;
pub mod completions;
pub mod import;
pub mod new;
pub mod serve;
pub mod translations;

/// Prints diagnostics to stderr (see [`crate::diag::print`]).
pub use crate::diag::print as print_diagnostics;
