//! `kitgen serve`.

use crate::cli::ServeArgs;
use crate::config::Overrides;
use crate::pipeline::BuildOptions;
use crate::serve::{self, ServeOptions};

/// Runs the live preview; returns the exit code.
pub fn run(args: ServeArgs) -> i32 {
    let bind = match args.bind.parse() {
        Ok(b) => b,
        Err(_) if args.bind == "localhost" => std::net::IpAddr::from([127, 0, 0, 1]),
        Err(_) => {
            eprintln!(
                "error: --bind {} is not an IP address\n  = fix: use 127.0.0.1 (the default) or ::1",
                args.bind
            );
            return 2;
        }
    };
    let cache_dir = crate::write::index::default_cache_dir();
    let output = serve::output_dir(&args.site.root, cache_dir.as_deref());
    let build = BuildOptions {
        root: args.site.root.clone(),
        output,
        // Readable HTML and faster rebuilds; `--minify` shows exactly what `build` writes.
        overrides: Overrides { drafts: args.site.drafts, no_minify: !args.minify, ..Overrides::default() },
        strict: false,
        render: crate::render::RenderOptions::serve(true),
        progress: true,
        cache_dir,
    };
    serve::run(ServeOptions { build, bind, port: args.port, open: args.open })
}
