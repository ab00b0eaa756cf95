//! The `kitgen` binary: parse the command line, run, exit with the right code.

use clap::Parser;

fn main() {
    let cli = kitgen::cli::Cli::parse();
    std::process::exit(kitgen::run(cli));
}
