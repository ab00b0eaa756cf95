//! The `kitgen` binary: parse the command line, run, exit with the right code.

use clap::Parser;

// Rendering 70,000 pages is allocation-heavy (templates, minifier, JSON); mimalloc cuts that
// cost noticeably compared with glibc's allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = kitgen::cli::Cli::parse();
    std::process::exit(kitgen::run(cli));
}
