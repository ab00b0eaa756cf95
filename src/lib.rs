//! kitgen: the static-site generator of the campaign against algorithmic video surveillance.
//!
//! One command turns a site tree (Markdown chapters, commune data, interface strings and a Tera
//! theme) into a multilingual static website with a page per commune. The pipeline is
//! `load → model → plan → render → write`; each kind of output is a family (`family`). See
//! `docs/architecture.md`.

pub mod cache;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod deps;
pub mod diag;
pub mod family;
pub mod i18n;
pub mod import;
pub mod incremental;
pub mod interrupt;
pub mod load;
pub mod markdown;
pub mod model;
pub mod pipeline;
pub mod plan;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod slug;
pub mod translations;
pub mod write;
pub mod yaml;

/// Runs a parsed command line; returns the process exit code.
pub fn run(cli: cli::Cli) -> i32 {
    match cli.command {
        cli::Command::Build(args) => cmd::build::run(args),
        cli::Command::Serve(args) => cmd::serve::run(args),
        cli::Command::Translations(args) => cmd::translations::run(args),
        cli::Command::Check(args) => cmd::check::run(args),
        cli::Command::New(args) => cmd::new::run(args),
        cli::Command::Import(cli::ImportCommand::Records(args)) => cmd::import::run(args),
        cli::Command::Completions(args) => cmd::completions::completions(args),
        cli::Command::Man => cmd::completions::man(),
    }
}
