//! The HTTP side of `kitgen serve`: serves the output folder to the editor's browser and tells
//! open pages when to reload, swap a stylesheet or show the errors of a failed rebuild.
//!
//! The rest of serve (watching, rebuilding) owns a [`ServeState`] and calls
//! [`ServeState::rebuilt`] or [`ServeState::failed`] after each rebuild; [`serve`] runs the server
//! until a shutdown future completes. The server is meant for one person's machine, yet any web
//! page that person opens can send requests to it, so every request is checked: the `Host` header
//! against the bound names (DNS rebinding), the `Origin` of live-reload requests, the size of URLs
//! and headers, and the path, which is resolved segment by segment under the output folder and
//! refused if it leaves it or crosses a symbolic link.
//!
//! Submodules: `paths` turns a URL path into a file, `files` answers with it, `live` holds the
//! live-reload channel and the browser assets, `guard` the per-request checks and `server` the
//! connection loop (hyper, with its limits and timeouts).

mod files;
mod guard;
mod live;
mod paths;
mod server;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::routing::get;
use serde::Serialize;
use tokio::sync::broadcast;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::diag::Diagnostic;

pub use server::serve;

/// What the server knows about the site it serves, shared by every request.
pub struct ServeState {
    /// The folder served (a canonical path).
    pub output: PathBuf,
    /// `Host` header values accepted, e.g. `127.0.0.1:1111`, `localhost:1111`, `[::1]:1111`.
    /// Compared without regard to ASCII case; a request with any other host is refused, and so
    /// is every request when the list is empty.
    pub allowed_hosts: Vec<String>,
    /// The build status shown to browsers.
    status: Mutex<Status>,
    /// Changes pushed to every open page, each with the generation it brings the page to.
    changes: broadcast::Sender<(u64, Change)>,
    /// Tells apart two runs of the server, so a page reloads when it reconnects to a new one.
    boot: String,
}

/// The build status: which build it is and, after a failure, its diagnostics.
struct Status {
    /// Counts rebuilds (successful or not) since the server started.
    generation: u64,
    /// `{"errors":[…]}`, ready to send.
    errors_json: Arc<str>,
    /// Number of diagnostics in `errors_json`.
    error_count: usize,
}

/// A change pushed to open pages.
#[derive(Debug, Clone)]
enum Change {
    /// Reload the page.
    Reload,
    /// Only these stylesheets changed (URL paths from the output root).
    Css(Arc<[String]>),
    /// The last rebuild failed: fetch the errors and show them.
    Errors,
    /// A rebuild succeeded without changing anything the page shows: hide the overlay.
    Ok,
}

/// How many changes a slow page may fall behind before it is simply told to reload.
const CHANNEL_CAPACITY: usize = 64;

const NO_ERRORS: &str = r#"{"errors":[]}"#;

impl ServeState {
    /// The state of a server for `output` (a canonical path) answering to `allowed_hosts`.
    pub fn new(output: PathBuf, allowed_hosts: Vec<String>) -> Arc<ServeState> {
        let (changes, _) = broadcast::channel(CHANNEL_CAPACITY);
        Arc::new(ServeState {
            output,
            allowed_hosts,
            status: Mutex::new(Status { generation: 0, errors_json: Arc::from(NO_ERRORS), error_count: 0 }),
            changes,
            boot: boot_id(),
        })
    }

    /// The last rebuild succeeded: clears the error overlay and tells browsers to reload, or,
    /// when only stylesheets changed, `css_only` holds their URL paths from the output root
    /// (like `/css/site.1234abcd.css`) and pages swap them without reloading. An empty list
    /// means nothing a page shows changed: pages only hide the overlay.
    pub fn rebuilt(&self, css_only: Option<Vec<String>>) {
        let change = match css_only {
            None => Change::Reload,
            Some(paths) if paths.is_empty() => Change::Ok,
            Some(paths) => Change::Css(paths.into()),
        };
        let mut status = self.status();
        status.generation += 1;
        status.errors_json = Arc::from(NO_ERRORS);
        status.error_count = 0;
        // Sent under the lock, so a page connecting now sees either the old status and then
        // this change, or the new status alone. No receiver is not an error.
        let _ = self.changes.send((status.generation, change));
    }

    /// The last rebuild failed: the server keeps serving the last good files, and every open
    /// page shows these diagnostics in an overlay (pages opened later too, until a rebuild
    /// succeeds).
    pub fn failed(&self, diagnostics: Vec<Diagnostic>) {
        let json = errors_json(&diagnostics);
        let mut status = self.status();
        status.generation += 1;
        status.errors_json = Arc::from(json);
        status.error_count = diagnostics.len();
        let _ = self.changes.send((status.generation, Change::Errors));
    }

    fn status(&self) -> MutexGuard<'_, Status> {
        // The status is replaced whole under the lock, so it is consistent even after a panic.
        self.status.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `host` (a `Host` header or URL authority) is one of the allowed hosts.
    fn host_allowed(&self, host: &str) -> bool {
        self.allowed_hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }

    /// Whether `origin` (an `Origin` header) is `http://` followed by an allowed host.
    fn origin_allowed(&self, origin: &str) -> bool {
        origin.get(..7).is_some_and(|s| s.eq_ignore_ascii_case("http://")) && self.host_allowed(&origin[7..])
    }
}

/// `{"errors":[…]}` for the errors endpoint.
fn errors_json(diagnostics: &[Diagnostic]) -> String {
    #[derive(Serialize)]
    struct Errors<'a> {
        errors: &'a [Diagnostic],
    }
    serde_json::to_string(&Errors { errors: diagnostics }).unwrap_or_else(|_| {
        // Only a path that is not UTF-8 can fail to serialise: show it lossily rather than
        // hide the errors.
        let lossy: Vec<Diagnostic> = diagnostics
            .iter()
            .cloned()
            .map(|mut d| {
                d.path = d.path.map(|p| PathBuf::from(p.to_string_lossy().into_owned()));
                d
            })
            .collect();
        serde_json::to_string(&Errors { errors: &lossy }).unwrap_or_else(|_| NO_ERRORS.to_owned())
    })
}

/// A short id that differs between two runs of the server.
fn boot_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    blake3::hash(format!("{nanos}/{}", std::process::id()).as_bytes()).to_hex()[..12].to_owned()
}

/// The axum router: the live-reload endpoints under `/__kitgen/`, the output folder everywhere
/// else, behind the size limits and the `Host` check, with `Cache-Control: no-store` on every
/// response so editors always see the new bytes.
pub fn router(state: Arc<ServeState>) -> Router {
    Router::new()
        .route("/__kitgen/live-reload.js", get(live::script))
        .route("/__kitgen/overlay.css", get(live::overlay_css))
        .route("/__kitgen/events", get(live::events))
        .route("/__kitgen/errors", get(live::errors))
        .fallback(files::serve_file)
        .layer(middleware::from_fn_with_state(state.clone(), guard::check_host))
        .layer(middleware::from_fn(guard::check_sizes))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .with_state(state)
}
