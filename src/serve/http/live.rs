//! The live-reload channel: the script and stylesheet pages load in serve mode, the
//! server-sent event stream that tells them what changed, and the errors of a failed rebuild.
//!
//! Server-sent events rather than a WebSocket: the channel only goes from server to page, it is a
//! plain same-origin `GET` (so the pages' `connect-src 'self'` allows it), and `EventSource`
//! reconnects by itself. Every event carries an id, `<server run>.<build generation>`; a page
//! that reconnects and is greeted with another id than the last it saw has missed something (or
//! the server restarted) and reloads. The script and stylesheet are files, not inline code,
//! because pages forbid inline scripts and styles in their Content-Security-Policy.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use super::guard::{origin_ok, origin_refused};
use super::{Change, ServeState};

/// The script every page loads in serve mode (`crate::render::LIVE_RELOAD_PATH`).
const SCRIPT: &str = include_str!("../assets/live-reload.js");

/// The stylesheet of the error overlay, linked by the script.
const OVERLAY_CSS: &str = include_str!("../assets/overlay.css");

/// How often an idle event stream sends a comment, so proxies and browsers keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// How long a page waits before reconnecting after the stream broke.
const RETRY: Duration = Duration::from_secs(1);

/// `GET /__kitgen/live-reload.js`.
pub(super) async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT).into_response()
}

/// `GET /__kitgen/overlay.css`.
pub(super) async fn overlay_css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], OVERLAY_CSS).into_response()
}

/// `GET /__kitgen/errors`: `{"errors":[…]}`, the diagnostics of the last rebuild if it failed.
pub(super) async fn errors(State(state): State<Arc<ServeState>>, headers: HeaderMap) -> Response {
    if !origin_ok(&state, &headers) {
        return origin_refused();
    }
    let json = state.status().errors_json.clone();
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], json.to_string())
        .into_response()
}

/// `GET /__kitgen/events`: the event stream. It opens with `hello`, then sends `reload`, `css`
/// (data: a JSON list of stylesheet URL paths), `errors` or `ok` after each rebuild.
pub(super) async fn events(State(state): State<Arc<ServeState>>, headers: HeaderMap) -> Response {
    if !origin_ok(&state, &headers) {
        return origin_refused();
    }
    // Subscribed under the status lock: no change falls between the greeting and the stream.
    let (receiver, hello) = {
        let status = state.status();
        let hello = Event::default()
            .event("hello")
            .id(event_id(&state, status.generation))
            .retry(RETRY)
            .data(format!(r#"{{"errors":{}}}"#, status.error_count));
        (state.changes.subscribe(), hello)
    };
    let changes = stream::unfold((receiver, state), |(mut receiver, state)| async move {
        let event = match receiver.recv().await {
            Ok((generation, change)) => change_event(&state, generation, &change),
            // Fell too far behind: whatever it missed, a reload catches up.
            Err(RecvError::Lagged(_)) => {
                let generation = state.status().generation;
                Event::default().event("reload").id(event_id(&state, generation)).data("{}")
            }
            Err(RecvError::Closed) => return None,
        };
        Some((Ok::<_, Infallible>(event), (receiver, state)))
    });
    let stream: std::pin::Pin<Box<dyn Stream<Item = Result<Event, Infallible>> + Send>> =
        Box::pin(stream::once(async move { Ok(hello) }).chain(changes));
    Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)).into_response()
}

/// The id of an event: the server run and the build generation it brings the page to.
fn event_id(state: &ServeState, generation: u64) -> String {
    format!("{}.{generation}", state.boot)
}

/// The event telling pages about one change.
fn change_event(state: &ServeState, generation: u64, change: &Change) -> Event {
    let event = Event::default().id(event_id(state, generation));
    match change {
        Change::Reload => event.event("reload").data("{}"),
        Change::Ok => event.event("ok").data("{}"),
        Change::Errors => event.event("errors").data("{}"),
        Change::Css(paths) => {
            event.event("css").data(serde_json::to_string(&**paths).unwrap_or_else(|_| "[]".into()))
        }
    }
}
