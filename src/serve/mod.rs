//! `kitgen serve`: build, serve on localhost, watch, rebuild what changed, reload the browser.
//!
//! The site is built into a folder of kitgen's cache (never `public/`), served by [`http`],
//! and rebuilt by a [`session::Session`] on every batch of changes from [`watch`]. A failed
//! rebuild keeps the last good files online and shows its diagnostics in the browser and the
//! terminal; the next good rebuild clears them.

pub mod http;
pub mod session;
pub mod watch;

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use crate::diag::print as print_diagnostics;
use crate::pipeline::{BuildError, BuildOptions};
use http::ServeState;
use session::Session;

/// What `kitgen serve` needs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Build options (serve mode, output in the cache).
    pub build: BuildOptions,
    /// Address to listen on.
    pub bind: IpAddr,
    /// Port (0: any free port).
    pub port: u16,
    /// Open the browser.
    pub open: bool,
}

/// Where serve builds a site: a folder of kitgen's cache named after the site's path.
pub fn output_dir(root: &Path, cache_dir: Option<&Path>) -> PathBuf {
    let abs = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let id = blake3::hash(abs.to_string_lossy().as_bytes()).to_hex();
    let base = cache_dir.map(Path::to_path_buf).unwrap_or_else(std::env::temp_dir);
    base.join("serve").join(&id[..16])
}

/// The `Host` values a browser sends for this address.
fn allowed_hosts(bind: IpAddr, port: u16) -> Vec<String> {
    let mut v = vec![format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")];
    if !bind.is_loopback() && !bind.is_unspecified() {
        v.push(match bind {
            IpAddr::V4(a) => format!("{a}:{port}"),
            IpAddr::V6(a) => format!("[{a}]:{port}"),
        });
    }
    v
}

/// The line of a rebuild whose pages were published: the browser reloads now.
fn report_pages(r: &session::Rebuilt, state: &ServeState) {
    eprintln!(
        "kitgen: rebuilt {} of {} outputs in {:.0} ms ({} written, {} removed); now what reads them",
        r.rendered,
        r.outputs,
        r.seconds * 1000.0,
        r.written.len(),
        r.removed
    );
    state.rebuilt(r.css_only());
}

fn report(result: &Result<session::Rebuilt, BuildError>, state: &ServeState, first: bool) {
    match result {
        Ok(r) => {
            print_diagnostics(&r.warnings);
            match &r.after_pages {
                Some(after) => eprintln!(
                    "kitgen: then the outputs that read them, in {:.0} ms in all ({} written)",
                    r.seconds * 1000.0,
                    after.len()
                ),
                None => {
                    let what = if first { "built".to_string() } else { format!("rebuilt {} of", r.rendered) };
                    eprintln!(
                        "kitgen: {what} {} outputs in {:.0} ms ({} written, {} removed)",
                        r.outputs,
                        r.seconds * 1000.0,
                        r.written.len(),
                        r.removed
                    );
                }
            }
            if crate::pipeline::timings_wanted() {
                let t: Vec<String> =
                    r.timings.iter().map(|(n, s)| format!("{n} {:.0} ms", s * 1000.0)).collect();
                eprintln!("  {}", t.join(", "));
            }
            state.rebuilt(r.css_only());
        }
        Err(e) => {
            let diags = match e {
                BuildError::Config(d) | BuildError::Input(d) => d.clone(),
                other => vec![crate::diag::Diagnostic::error("K701", other.to_string())],
            };
            crate::diag::print_then(&diags, "the last good build is still served");
            eprintln!("kitgen: fix the errors and save: the page in the browser shows them too");
            state.failed(diags);
        }
    }
}

/// Runs `kitgen serve` until interrupted; returns the exit code.
pub fn run(opts: ServeOptions) -> i32 {
    let root = match std::fs::canonicalize(&opts.build.root) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot open the site folder {}: {e}", opts.build.root.display());
            return 2;
        }
    };
    if !opts.bind.is_loopback() {
        eprintln!(
            "kitgen: WARNING: listening on {} exposes your drafts to every machine that can reach this one. Use the default 127.0.0.1 unless you mean it.",
            opts.bind
        );
    }
    let mut build = opts.build.clone();
    build.root = root.clone();
    build.render = crate::render::RenderOptions::serve(true);
    let output = build.output.clone();
    if let Err(e) = std::fs::create_dir_all(&output) {
        eprintln!("error: cannot create {}: {e}", output.display());
        return 3;
    }
    let mut session = Session::new(build);

    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the server: {e}");
            return 3;
        }
    };
    let listener =
        match runtime.block_on(tokio::net::TcpListener::bind(SocketAddr::new(opts.bind, opts.port))) {
            Ok(l) => l,
            Err(e) => {
                eprintln!(
                    "error: cannot listen on {}:{}: {e}\n  = fix: choose another port with --port",
                    opts.bind, opts.port
                );
                return 2;
            }
        };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(opts.port);
    let canonical_out = std::fs::canonicalize(&output).unwrap_or(output.clone());
    let state = ServeState::new(canonical_out, allowed_hosts(opts.bind, port));

    // Watching starts before the first build: a file saved while it runs (or right after the
    // "serving" line) is rebuilt, not missed.
    let mut watch = match watch::Watch::start(&root) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot watch {}: {e}", root.display());
            return 3;
        }
    };
    let first = session.rebuild(&HashSet::new(), true);
    report(&first, &state, true);

    let server_state = state.clone();
    runtime.spawn(async move {
        let _ = http::serve(listener, server_state, std::future::pending()).await;
    });
    let url = format!(
        "http://{}:{port}/",
        if opts.bind.is_unspecified() { IpAddr::from([127, 0, 0, 1]) } else { opts.bind }
    );
    eprintln!(
        "kitgen: serving {} at {url} — saving a file updates the browser; Ctrl-C stops",
        root.display()
    );
    if opts.open {
        open_browser(&url);
    }

    while let Some(changes) = watch.next_changes() {
        let result = session.rebuild_then(&changes.paths, changes.config, &mut |r| report_pages(r, &state));
        report(&result, &state, false);
    }
    0
}

fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(cmd).arg(url).spawn().is_err() {
        eprintln!("kitgen: could not open a browser; visit {url}");
    }
}
