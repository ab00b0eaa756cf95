//! Checks every request passes before it reaches a handler: sizes, then the `Host` header, and
//! for the live-reload endpoints the `Origin` header.
//!
//! A server on 127.0.0.1 is still reachable from every web page its user opens: a page can point
//! a host name it controls at 127.0.0.1 (DNS rebinding) and read the answers as its own, or open
//! the event stream from another origin. Checking `Host` against the names the server was bound
//! to stops the first (Hugo still accepts any `Host`, gohugoio/hugo#14869); checking `Origin`
//! stops the second (webpack-dev-server, CVE-2018-14732). Oversized URLs and headers get their
//! own status codes instead of costing memory; hyper enforces the hard limits before this.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ServeState;

/// Longest request target accepted (path and query), in bytes.
pub(super) const MAX_URI_BYTES: usize = 8 * 1024;

/// Most bytes of header names and values accepted in one request.
pub(super) const MAX_HEADER_BYTES: usize = 32 * 1024;

/// A short plain-text answer.
pub(super) fn text(status: StatusCode, message: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{message}\n")).into_response()
}

/// Refuses requests whose URL (414) or headers (431) are too long.
pub(super) async fn check_sizes(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let uri_len = uri.path_and_query().map_or(0, |p| p.as_str().len())
        + uri.authority().map_or(0, |a| a.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return text(StatusCode::URI_TOO_LONG, "kitgen serve: URL too long");
    }
    let header_len: usize =
        request.headers().iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum();
    if header_len > MAX_HEADER_BYTES {
        return text(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "kitgen serve: request headers too large");
    }
    next.run(request).await
}

/// Refuses (421) a request whose `Host` header, or authority in an absolute URL, is not one of
/// the allowed hosts; refuses (400) a request without exactly one `Host`.
pub(super) async fn check_host(
    State(state): State<Arc<ServeState>>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let host = match (hosts.next(), hosts.next()) {
        (Some(host), None) => host.to_str().unwrap_or(""),
        _ => return text(StatusCode::BAD_REQUEST, "kitgen serve: a request needs one Host header"),
    };
    let authority_ok = request.uri().authority().is_none_or(|a| state.host_allowed(a.as_str()));
    if !state.host_allowed(host) || !authority_ok {
        let hint = state.allowed_hosts.first().map(|h| format!("; open http://{h}/")).unwrap_or_default();
        return text(
            StatusCode::MISDIRECTED_REQUEST,
            &format!("kitgen serve: unknown host (DNS rebinding protection){hint}"),
        );
    }
    next.run(request).await
}

/// Whether a live-reload request may be answered: no `Origin` (same-origin `GET`s and
/// `EventSource`s may omit it) or exactly `http://` and an allowed host.
pub(super) fn origin_ok(state: &ServeState, headers: &HeaderMap) -> bool {
    let mut origins = headers.get_all(header::ORIGIN).iter();
    match (origins.next(), origins.next()) {
        (None, _) => true,
        (Some(origin), None) => origin.to_str().is_ok_and(|o| state.origin_allowed(o)),
        (Some(_), Some(_)) => false,
    }
}

/// The answer to a refused `Origin`.
pub(super) fn origin_refused() -> Response {
    text(StatusCode::FORBIDDEN, "kitgen serve: cross-origin request refused")
}
