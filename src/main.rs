//! The `kitgen` binary: parse the command line, run, exit with the right code.

use clap::Parser;

// Rendering 70,000 pages is allocation-heavy (templates, minifier, JSON); mimalloc cuts that
// cost noticeably compared with glibc's allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Stack of every thread that parses or renders (the default 2 MiB of worker threads is what
/// input nesting ran out of): nesting is capped well below what this holds.
const STACK: usize = 64 * 1024 * 1024;

fn main() {
    // Before anything else, so a Ctrl-C at once still stops a build cleanly; `serve` keeps the
    // default (Ctrl-C ends it).
    if std::env::args_os().nth(1).is_some_and(|a| a == "build") {
        kitgen::interrupt::install();
    }
    let cli = kitgen::cli::Cli::parse();
    let _ = rayon::ThreadPoolBuilder::new().stack_size(STACK).build_global();
    let code = std::thread::Builder::new()
        .name("kitgen".into())
        .stack_size(STACK)
        .spawn(move || kitgen::run(cli))
        .and_then(|t| t.join().map_err(|_| std::io::Error::other("kitgen stopped on an internal error")));
    match code {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(3);
        }
    }
}
