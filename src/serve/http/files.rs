//! Answers a request for a file of the site: resolves the path safely (see `paths`), then lets
//! tower-http's `ServeFile` send the one file it was given, which brings `HEAD`, `Range` (206,
//! suffix ranges, 416) and streaming of large files.
//!
//! `ServeDir` is not used: it follows symbolic links out of the root (tower-http PR #658). The
//! content type comes from a table of the types a kitgen site holds, with `charset=utf-8` on
//! text, so a browser never has to guess. The build replaces files by renaming, and `ServeFile`
//! takes the length from the file it opened, so every answer is one whole version of a file.

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mime_guess::Mime;
use tower_http::services::ServeFile;

use super::ServeState;
use super::guard::text;
use super::paths::{self, Refusal, Target};

/// The content type of a file, from its extension.
pub(super) fn content_type(path: &std::path::Path) -> Mime {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let known = match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json; charset=utf-8",
        "geojson" => "application/geo+json; charset=utf-8",
        "webmanifest" => "application/manifest+json; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "rss" => "application/rss+xml; charset=utf-8",
        "atom" => "application/atom+xml; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "wasm" => "application/wasm",
        _ => "",
    };
    if let Ok(mime) = known.parse() {
        return mime;
    }
    let guess = mime_guess::from_path(path).first_or_octet_stream();
    if guess.type_() == mime_guess::mime::TEXT
        && guess.get_param(mime_guess::mime::CHARSET).is_none()
        && let Ok(with_charset) = format!("{guess}; charset=utf-8").parse()
    {
        return with_charset;
    }
    guess
}

/// Answers every request the live-reload routes do not take: a file of the output folder.
pub(super) async fn serve_file(State(state): State<Arc<ServeState>>, request: Request) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "kitgen serve: only GET and HEAD");
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let root = state.output.clone();
    let raw_path = request.uri().path().to_owned();
    let resolved = tokio::task::spawn_blocking(move || {
        let target = paths::resolve(&root, &raw_path);
        let not_found = match target {
            Err(Refusal::NotFound) => paths::not_found_page(&root),
            _ => None,
        };
        (target, not_found)
    })
    .await;
    let Ok((target, not_found_page)) = resolved else {
        return text(StatusCode::INTERNAL_SERVER_ERROR, "kitgen serve: internal error");
    };
    match target {
        Ok(Target::File(path)) => send(path, request).await,
        Ok(Target::Redirect(location)) => redirect(&location, request.uri().query()),
        Err(Refusal::BadRequest(why)) => text(StatusCode::BAD_REQUEST, &format!("kitgen serve: {why}")),
        Err(Refusal::NotFound) => not_found(not_found_page).await,
    }
}

/// Sends one file with `ServeFile` (`HEAD`, `Range`, streaming).
async fn send(path: PathBuf, mut request: Request) -> Response {
    let mime = content_type(&path);
    // Always the bytes on disk now: no 304 from validators a browser kept (with `no-store`
    // browsers should not send them, but a tool might).
    for name in [header::IF_NONE_MATCH, header::IF_MODIFIED_SINCE] {
        request.headers_mut().remove(name);
    }
    // A `Range` that is not `bytes=…` ranges is ignored (RFC 9110, 14.2): the whole file.
    if request.headers().get(header::RANGE).is_some_and(|v| !valid_range(v.as_bytes())) {
        request.headers_mut().remove(header::RANGE);
    }
    match ServeFile::new_with_mime(&path, &mime).try_call(request).await {
        // Removed between the lookup and the open (the build deletes files it no longer makes).
        Ok(response) if response.status() == StatusCode::NOT_FOUND => not_found(None).await,
        Ok(response) => response.map(Body::new),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => not_found(None).await,
        Err(_) => text(StatusCode::INTERNAL_SERVER_ERROR, "kitgen serve: cannot read the file"),
    }
}

/// Whether a `Range` header is well-formed: `bytes=` then ranges `a-b`, `a-` or `-n`.
fn valid_range(v: &[u8]) -> bool {
    let Some(rest) = std::str::from_utf8(v).ok().and_then(|s| s.trim().strip_prefix("bytes=")) else {
        return false;
    };
    !rest.is_empty()
        && rest.split(',').all(|r| {
            let Some((a, b)) = r.trim().split_once('-') else { return false };
            let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
            (!a.is_empty() || !b.is_empty()) && digits(a) && digits(b)
        })
}

/// A permanent redirect to a relative location, keeping the query.
fn redirect(location: &str, query: Option<&str>) -> Response {
    let location = match query {
        Some(q) => format!("{location}?{q}"),
        None => location.to_owned(),
    };
    match HeaderValue::from_str(&location) {
        Ok(value) => (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, value)]).into_response(),
        Err(_) => text(StatusCode::BAD_REQUEST, "kitgen serve: bad path"),
    }
}

/// 404, with the body of the site's `404.html` when there is one.
async fn not_found(page: Option<PathBuf>) -> Response {
    if let Some(page) = page
        && let Ok(body) = tokio::fs::read(&page).await
    {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))],
            body,
        )
            .into_response();
    }
    text(StatusCode::NOT_FOUND, "kitgen serve: not found")
}

#[cfg(test)]
mod tests {
    use super::valid_range;

    #[test]
    fn garbage_ranges_are_recognised() {
        for ok in ["bytes=0-99", "bytes=-100", "bytes=5-", "bytes=0-1, 4-5"] {
            assert!(valid_range(ok.as_bytes()), "{ok}");
        }
        for bad in ["", "bytes=", "bytes=-", "bytes=a-b", "items=0-1", "garbage", "bytes=0-1;x"] {
            assert!(!valid_range(bad.as_bytes()), "{bad}");
        }
    }
}
