//! `kitgen serve`'s HTTP side: the server runs on a temporary output folder and is sent raw
//! requests over TCP, so no client tidies up the hostile paths before they reach it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use kitgen::diag::Diagnostic;
use kitgen::serve::http::{ServeState, router, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const ZIP_LEN: usize = 20 * 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(20);

/// A running server on a temporary site.
struct Server {
    addr: SocketAddr,
    /// The `Host` the server accepts, `127.0.0.1:<port>`.
    host: String,
    state: Arc<ServeState>,
    out: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

/// Deterministic bytes that do not compress.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut v = Vec::with_capacity(len + 8);
    v.extend_from_slice(b"PK\x03\x04");
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    v
}

fn write(root: &Path, rel: &str, bytes: impl AsRef<[u8]>) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

/// The output folder: pages, assets of every type, symlinks out of and inside the folder, and
/// a secret beside it.
fn make_site(root: &Path, with_zip: bool) -> PathBuf {
    let out = root.join("out");
    write(&out, "index.html", "<!doctype html><title>home</title>");
    write(&out, "404.html", "<!doctype html><title>Not found</title><p>custom 404</p>");
    write(&out, "page/index.html", "<!doctype html><title>page</title>");
    write(&out, "live/index.html", "<!doctype html><title>A</title>");
    write(&out, "css/site.1234abcd.css", "body{color:black}");
    write(&out, "js/app.5678abcd.js", "console.log(1)");
    write(&out, "data.json", "{}");
    write(&out, "sitemap.xml", "<urlset/>");
    write(&out, "robots.txt", "User-agent: *");
    write(&out, "logo.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>");
    write(&out, "doc.pdf", "%PDF-1.7");
    write(&out, "img.png", b"\x89PNG");
    write(&out, "photo.jpg", b"\xff\xd8\xff");
    write(&out, "photo.webp", "RIFF");
    write(&out, "fonts/sans.woff2", "wOF2");
    write(&out, "favicon.ico", b"\0\0\x01\0");
    write(&out, "small.zip", noise(1000));
    write(&out, "%2e%2e/etc/passwd", "a literal folder named %2e%2e is fine");
    if with_zip {
        write(&out, "kit.zip", noise(ZIP_LEN));
    }
    write(root, "outside/secret", "TOP SECRET");
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink(root.join("outside"), out.join("link-out")).unwrap();
        symlink(root.join("outside/secret"), out.join("secret.txt")).unwrap();
        symlink("page/index.html", out.join("link-in.html")).unwrap();
        symlink("page", out.join("link-dir")).unwrap();
    }
    out.canonicalize().unwrap()
}

async fn start(with_zip: bool) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let out = make_site(dir.path(), with_zip);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let port = addr.port();
    let host = format!("127.0.0.1:{port}");
    let state = ServeState::new(out.clone(), vec![host.clone(), format!("localhost:{port}")]);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, state.clone(), async move {
        let _ = stopped.await;
    }));
    Server { addr, host, state, out, stop: Some(stop), task, _dir: dir }
}

impl Server {
    /// Sends one raw request (`Connection: close`) and reads the whole answer.
    async fn send(&self, raw: impl AsRef<[u8]>) -> Response {
        exchange(self.addr, raw.as_ref()).await
    }

    async fn get(&self, target: &str) -> Response {
        self.send(request("GET", target, &self.host, &[])).await
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("serve() did not return after shutdown")
            .unwrap()
            .unwrap();
    }
}

/// A raw request with `Connection: close`.
fn request(method: &str, target: &str, host: &str, headers: &[(&str, &str)]) -> Vec<u8> {
    let extra: String = headers.iter().map(|(name, value)| format!("{name}: {value}\r\n")).collect();
    format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{extra}\r\n").into_bytes()
}

/// A parsed answer.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Where the head of an answer ends, if it is all in `buf`.
fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// Status and headers.
fn parse_head(head: &[u8]) -> (u16, Vec<(String, String)>) {
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("bad status line");
    let headers = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    (status, headers)
}

/// The body of a `Transfer-Encoding: chunked` answer.
fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = body.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(std::str::from_utf8(&body[..eol]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&body[eol + 2..eol + 2 + size]);
        body = &body[eol + 2 + size + 2..];
    }
    out
}

async fn exchange(addr: SocketAddr, raw: &[u8]) -> Response {
    tokio::time::timeout(TIMEOUT, async {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        // The server may answer and close before reading a huge request whole.
        let _ = stream.write_all(raw).await;
        let mut buf = Vec::new();
        let _ = stream.read_to_end(&mut buf).await;
        let end =
            head_end(&buf).unwrap_or_else(|| panic!("no answer head in {:?}", String::from_utf8_lossy(&buf)));
        let (status, headers) = parse_head(&buf[..end]);
        let mut response = Response { status, headers, body: buf[end..].to_vec() };
        if response.header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            response.body = dechunk(&response.body);
        }
        response
    })
    .await
    .expect("request timed out")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traversal_attempts_never_escape() {
    let server = start(false).await;
    for target in [
        "/../../etc/passwd",
        "/../outside/secret",
        "/page/../../outside/secret",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2e/outside/secret",
        "/%2e%2e%2foutside%2fsecret",
        "/..%2f..%2fetc%2fpasswd",
        "/..%5c..%5cetc%5cpasswd",
        "/..%5coutside%5csecret",
        "/c:/windows/win.ini",
        "/page/c:/windows/win.ini",
        "/C%3A%5Cwindows%5Cwin.ini",
        "/%00",
        "/index.html%00.txt",
        "//evil.example/",
        "//evil.example",
        "/%2f%2fevil.example/",
        "/page//",
        "/./index.html",
        "/%ff",
        "/link-out/secret",
        "/link-out/",
        "/link-out",
        "/secret.txt",
        "/nowhere/../../outside/secret",
    ] {
        let r = server.get(target).await;
        assert!(matches!(r.status, 400 | 404), "{target}: status {}", r.status);
        assert!(r.header("location").is_none(), "{target}: redirected to {:?}", r.header("location"));
        assert!(!r.text().contains("SECRET"), "{target}: leaked the secret");
        assert!(!r.text().contains("root:"), "{target}: leaked /etc/passwd");
    }
    // Decoded once: `%252e%252e` is the literal name `%2e%2e`, looked up like any other.
    let r = server.get("/%252e%252e/etc/passwd").await;
    assert_eq!(r.status, 200, "a literal %2e%2e folder is an ordinary name");
    assert_eq!(r.text(), "a literal folder named %2e%2e is fine");
    std::fs::remove_dir_all(server.out.join("%2e%2e")).unwrap();
    let r = server.get("/%252e%252e/etc/passwd").await;
    assert_eq!(r.status, 404);
    // A backslash or NUL sent raw, not encoded.
    for raw in [
        &b"GET /..\\..\\etc\\passwd HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n\r\n"[..],
        &b"GET /\0 HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n\r\n"[..],
    ] {
        let raw = String::from_utf8_lossy(raw).replace("HOST", &server.host);
        let r = server.send(&raw).await;
        assert!(matches!(r.status, 400 | 404), "raw {raw:?}: {}", r.status);
    }
    server.stop().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn symlinks_are_never_followed() {
    let server = start(false).await;
    assert_eq!(server.get("/page/").await.status, 200, "the link target itself is served");
    for target in ["/link-in.html", "/link-dir/", "/link-dir/index.html", "/link-dir", "/link-out/secret"] {
        let r = server.get(target).await;
        assert_eq!(r.status, 404, "{target}");
        assert!(r.header("location").is_none(), "{target}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folders_indexes_redirects_and_404() {
    let server = start(false).await;
    let r = server.get("/").await;
    assert_eq!((r.status, r.text().as_str()), (200, "<!doctype html><title>home</title>"));
    let r = server.get("/page/").await;
    assert_eq!((r.status, r.text().as_str()), (200, "<!doctype html><title>page</title>"));
    let r = server.get("/page/?utm=x").await;
    assert_eq!(r.status, 200, "the query is ignored");

    let r = server.get("/page").await;
    assert!(matches!(r.status, 301 | 308), "{}", r.status);
    assert_eq!(r.header("location"), Some("./page/"));
    let r = server.get("/css?x=1").await;
    assert_eq!(r.header("location"), Some("./css/?x=1"));

    let r = server.get("/missing/page/").await;
    assert_eq!(r.status, 404);
    assert!(r.text().contains("custom 404"), "{}", r.text());
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(server.get("/index.html/").await.status, 404, "a file is not a folder");
    assert_eq!(server.get("/css/").await.status, 404, "a folder without index.html");

    std::fs::remove_file(server.out.join("404.html")).unwrap();
    let r = server.get("/missing").await;
    assert_eq!(r.status, 404);
    assert!(r.text().contains("not found"));

    let r = server.send(request("POST", "/", &server.host, &[("Content-Length", "0")])).await;
    assert_eq!(r.status, 405);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_hosts_are_refused() {
    let server = start(false).await;
    for host in ["evil.example", "evil.example:80", "127.0.0.1", "127.0.0.1:1", "localhost"] {
        let r = server.send(request("GET", "/", host, &[])).await;
        assert!(matches!(r.status, 403 | 421), "Host {host}: {}", r.status);
        assert!(!r.text().contains("home"), "Host {host} got the page");
    }
    let port = server.addr.port();
    for host in [format!("localhost:{port}"), format!("LocalHost:{port}"), server.host.clone()] {
        assert_eq!(server.send(request("GET", "/", &host, &[])).await.status, 200, "Host {host}");
    }
    // An absolute URL naming another host, with an allowed Host header.
    let r = server.send(request("GET", "http://evil.example/", &server.host, &[])).await;
    assert!(matches!(r.status, 400 | 403 | 421), "{}", r.status);
    // No Host at all (HTTP/1.0), two Host headers.
    let r = server.send("GET / HTTP/1.0\r\n\r\n").await;
    assert!(matches!(r.status, 400 | 403 | 421), "{}", r.status);
    let two =
        format!("GET / HTTP/1.1\r\nHost: {}\r\nHost: evil.example\r\nConnection: close\r\n\r\n", server.host);
    assert!(matches!(server.send(two).await.status, 400 | 403 | 421));
    // The live-reload endpoints too.
    let r = server.send(request("GET", "/__kitgen/errors", "evil.example", &[])).await;
    assert!(matches!(r.status, 403 | 421));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_has_the_headers_of_get_and_no_body() {
    let server = start(false).await;
    for target in [
        "/",
        "/page/",
        "/css/site.1234abcd.css",
        "/small.zip",
        "/missing",
        "/page",
        "/__kitgen/live-reload.js",
    ] {
        let get = server.get(target).await;
        let head = server.send(request("HEAD", target, &server.host, &[])).await;
        assert_eq!(head.status, get.status, "{target}");
        assert!(head.body.is_empty(), "{target}: HEAD has a body");
        for name in ["content-type", "content-length", "cache-control", "location", "accept-ranges"] {
            assert_eq!(head.header(name), get.header(name), "{target}: {name}");
        }
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn range_requests() {
    let server = start(true).await;
    let zip = noise(ZIP_LEN);
    let get =
        |range: &'static str| server.send(request("GET", "/kit.zip", &server.host, &[("Range", range)]));

    let r = get("bytes=0-99").await;
    assert_eq!(r.status, 206);
    assert_eq!(r.header("content-range"), Some(format!("bytes 0-99/{ZIP_LEN}").as_str()));
    assert_eq!(r.body, zip[..100]);

    let r = get("bytes=-100").await;
    assert_eq!(r.status, 206);
    assert_eq!(
        r.header("content-range"),
        Some(format!("bytes {}-{}/{ZIP_LEN}", ZIP_LEN - 100, ZIP_LEN - 1).as_str())
    );
    assert_eq!(r.body, zip[ZIP_LEN - 100..]);

    let r = get("bytes=1000-").await;
    assert_eq!(r.status, 206);
    assert_eq!(r.body.len(), ZIP_LEN - 1000);
    assert!(r.body == zip[1000..]);

    let r = get("bytes=30000000-30000100").await;
    assert_eq!(r.status, 416);
    assert_eq!(r.header("content-range"), Some(format!("bytes */{ZIP_LEN}").as_str()));

    let r = get("bytes=0-1,5-6").await;
    assert!(matches!(r.status, 200 | 416), "multi-range: {}", r.status);

    // A header that is no range at all is ignored: the whole file (it was 416).
    for garbage in ["garbage", "bytes=a-b", "items=0-10", "bytes="] {
        let r = get(garbage).await;
        assert_eq!(r.status, 200, "Range: {garbage}");
        assert_eq!(r.body.len(), ZIP_LEN, "Range: {garbage}");
    }

    let r = server.send(request("HEAD", "/kit.zip", &server.host, &[("Range", "bytes=0-99")])).await;
    assert_eq!(r.status, 206);
    assert!(r.body.is_empty());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_types() {
    let server = start(false).await;
    for (target, expected) in [
        ("/", "text/html; charset=utf-8"),
        ("/page/", "text/html; charset=utf-8"),
        ("/css/site.1234abcd.css", "text/css; charset=utf-8"),
        ("/js/app.5678abcd.js", "text/javascript; charset=utf-8"),
        ("/data.json", "application/json; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/logo.svg", "image/svg+xml; charset=utf-8"),
        ("/doc.pdf", "application/pdf"),
        ("/small.zip", "application/zip"),
        ("/img.png", "image/png"),
        ("/photo.jpg", "image/jpeg"),
        ("/photo.webp", "image/webp"),
        ("/fonts/sans.woff2", "font/woff2"),
        ("/favicon.ico", "image/x-icon"),
        ("/__kitgen/live-reload.js", "text/javascript; charset=utf-8"),
        ("/__kitgen/overlay.css", "text/css; charset=utf-8"),
        ("/__kitgen/errors", "application/json; charset=utf-8"),
    ] {
        let r = server.get(target).await;
        assert_eq!(r.status, 200, "{target}");
        assert_eq!(r.header("content-type"), Some(expected), "{target}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{target}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_store_on_every_answer() {
    let server = start(false).await;
    for target in
        ["/", "/logo.svg", "/page", "/missing", "/%00", "/__kitgen/errors", "/__kitgen/live-reload.js"]
    {
        let r = server.get(target).await;
        assert_eq!(r.header("cache-control"), Some("no-store"), "{target} ({})", r.status);
    }
    let r = server.send(request("GET", "/", "evil.example", &[])).await;
    assert_eq!(r.header("cache-control"), Some("no-store"), "refused host");
    // Validators a client kept never turn into a 304.
    let r = server
        .send(request("GET", "/", &server.host, &[("If-Modified-Since", "Sun, 01 Jan 2090 00:00:00 GMT")]))
        .await;
    assert_eq!(r.status, 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_urls_and_huge_headers_are_refused() {
    let server = start(false).await;
    let long = format!("/{}", "a".repeat(100 * 1024));
    assert_eq!(server.get(&long).await.status, 414);
    assert_eq!(server.get(&format!("/{}", "a".repeat(10 * 1024))).await.status, 414);
    assert_eq!(server.get("/").await.status, 200, "alive after 414");

    let big = "b".repeat(64 * 1024);
    let r = server.send(request("GET", "/", &server.host, &[("X-Big", &big)])).await;
    assert_eq!(r.status, 431);
    assert_eq!(server.get("/").await.status, 200, "alive after 431");

    // Bigger than hyper's buffer: hyper itself answers 431 and closes the connection.
    let huge = "c".repeat(300 * 1024);
    let r = server.send(request("GET", "/", &server.host, &[("X-Huge", &huge)])).await;
    assert_eq!(r.status, 431);
    let many: Vec<(String, String)> = (0..200).map(|i| (format!("X-H{i}"), "v".to_owned())).collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    assert_eq!(server.send(request("GET", "/", &server.host, &many)).await.status, 431);
    assert_eq!(server.get("/").await.status, 200, "alive after hyper's 431");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sockets_do_not_block_new_requests() {
    let server = start(false).await;
    let mut idle = Vec::new();
    for i in 0..500 {
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        if i % 2 == 0 {
            // Half of them start a request and never finish it.
            s.write_all(b"GET / HTTP/1.1\r\nHost: ").await.unwrap();
        }
        idle.push(s);
    }
    let started = std::time::Instant::now();
    for _ in 0..5 {
        assert_eq!(server.get("/page/").await.status, 200);
    }
    assert!(started.elapsed() < Duration::from_secs(3), "slow with idle sockets: {:?}", started.elapsed());
    drop(idle);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_reload_assets() {
    let server = start(false).await;
    let js = server.get(kitgen::render::LIVE_RELOAD_PATH).await;
    assert_eq!(js.status, 200);
    let js = js.text();
    for needle in ["EventSource", "/__kitgen/", "\"events\"", "\"errors\"", "overlay.css", "textContent"] {
        assert!(js.contains(needle), "live-reload.js lacks {needle}");
    }
    assert!(!js.contains("innerHTML"), "diagnostics must never be parsed as HTML");
    let css = server.get("/__kitgen/overlay.css").await;
    assert_eq!(css.status, 200);
    assert!(css.text().contains(":host"));
    let errors = server.get("/__kitgen/errors").await;
    assert_eq!(errors.text(), r#"{"errors":[]}"#);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_reload_refuses_foreign_origins() {
    let server = start(false).await;
    for target in ["/__kitgen/events", "/__kitgen/errors"] {
        for origin in ["http://evil.example", "null", "https://127.0.0.1", "http://127.0.0.1:1"] {
            let r = server.send(request("GET", target, &server.host, &[("Origin", origin)])).await;
            assert_eq!(r.status, 403, "{target} from {origin}");
            assert!(!r.text().contains("hello"), "{target} from {origin}");
        }
    }
    let own = format!("http://{}", server.host);
    let r = server.send(request("GET", "/__kitgen/errors", &server.host, &[("Origin", &own)])).await;
    assert_eq!(r.status, 200);
    let mut events = EventStream::open(&server, Some(&own)).await;
    events.wait_for("event: hello").await;
    server.stop().await;
}

/// A connected event stream, read as raw bytes.
struct EventStream {
    stream: TcpStream,
    seen: Vec<u8>,
}

impl EventStream {
    async fn open(server: &Server, origin: Option<&str>) -> EventStream {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        let mut req = format!(
            "GET /__kitgen/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n",
            server.host
        );
        if let Some(origin) = origin {
            req.push_str(&format!("Origin: {origin}\r\n"));
        }
        req.push_str("\r\n");
        stream.write_all(req.as_bytes()).await.unwrap();
        let mut seen = Vec::new();
        let end = loop {
            if let Some(end) = head_end(&seen) {
                break end;
            }
            let mut buf = [0u8; 4096];
            let n =
                tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await.unwrap().unwrap();
            assert!(n > 0, "closed before the head");
            seen.extend_from_slice(&buf[..n]);
        };
        let (status, headers) = parse_head(&seen[..end]);
        assert_eq!(status, 200);
        assert!(
            headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("content-type") && v == "text/event-stream")
        );
        assert!(headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("cache-control") && v == "no-store"));
        seen.drain(..end);
        EventStream { stream, seen }
    }

    /// Reads until `needle` appears after what earlier calls consumed; returns the text read.
    async fn wait_for(&mut self, needle: &str) -> String {
        let found = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                let text = String::from_utf8_lossy(&self.seen).into_owned();
                if let Some(i) = text.find(needle) {
                    let end = i + needle.len();
                    // Keep the rest of the event (its data line) in what is returned.
                    let event_end = text[end..].find("\n\n").map_or(text.len(), |j| end + j);
                    self.seen.drain(..event_end);
                    return text[..event_end].to_owned();
                }
                let mut buf = [0u8; 4096];
                let n = self.stream.read(&mut buf).await.unwrap();
                assert!(n > 0, "event stream closed while waiting for {needle:?}");
                self.seen.extend_from_slice(&buf[..n]);
            }
        })
        .await;
        found.unwrap_or_else(|_| panic!("no {needle:?} in {:?}", String::from_utf8_lossy(&self.seen)))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_follow_rebuilds() {
    let server = start(false).await;
    let mut events = EventStream::open(&server, None).await;
    let hello = events.wait_for("event: hello").await;
    assert!(hello.contains(r#"data: {"errors":0}"#), "{hello}");

    server.state.rebuilt(None);
    events.wait_for("event: reload").await;

    server.state.rebuilt(Some(vec!["/css/site.90abcdef.css".into()]));
    let css = events.wait_for("event: css").await;
    assert!(css.contains(r#"data: ["/css/site.90abcdef.css"]"#), "{css}");

    let mut diagnostic = Diagnostic::error("K201", "unknown filter `shout` <script>");
    diagnostic.path = Some("templates/page.html".into());
    diagnostic.line = Some(12);
    diagnostic.col = Some(7);
    diagnostic.hint = Some("did you mean `upper`?".into());
    diagnostic.notes = vec!["while rendering content/fr/index.md".into()];
    server.state.failed(vec![diagnostic, Diagnostic::warning("K301", "second")]);
    events.wait_for("event: errors").await;
    let r = server.get("/__kitgen/errors").await;
    assert_eq!(r.status, 200);
    let json: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["message"], "unknown filter `shout` <script>");
    assert_eq!(errors[0]["path"], "templates/page.html");
    assert_eq!(errors[0]["line"], 12);
    assert_eq!(errors[0]["col"], 7);
    assert_eq!(errors[0]["hint"], "did you mean `upper`?");
    assert_eq!(errors[0]["notes"][0], "while rendering content/fr/index.md");
    assert_eq!(errors[1]["severity"], "warning");
    // Pages are still served while the build is broken.
    assert_eq!(server.get("/page/").await.status, 200);

    // A page opened now learns about the errors on connection.
    let mut late = EventStream::open(&server, None).await;
    let hello = late.wait_for("event: hello").await;
    assert!(hello.contains(r#"data: {"errors":2}"#), "{hello}");

    // A successful rebuild that changed nothing shown: `ok`, and the errors are gone.
    server.state.rebuilt(Some(Vec::new()));
    events.wait_for("event: ok").await;
    late.wait_for("event: ok").await;
    assert_eq!(server.get("/__kitgen/errors").await.text(), r#"{"errors":[]}"#);

    server.state.failed(vec![Diagnostic::error("K100", "broken")]);
    events.wait_for("event: errors").await;
    server.state.rebuilt(None);
    events.wait_for("event: reload").await;
    assert_eq!(server.get("/__kitgen/errors").await.text(), r#"{"errors":[]}"#);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_ids_change_with_every_build() {
    let server = start(false).await;
    let mut events = EventStream::open(&server, None).await;
    let id = |text: &str| text.lines().find_map(|l| l.strip_prefix("id: ")).map(str::to_owned).unwrap();
    let first = id(&events.wait_for("event: hello").await);
    server.state.rebuilt(Some(vec!["/css/a.12345678.css".into()]));
    let second = id(&events.wait_for("event: css").await);
    assert_ne!(first, second);
    // A page reconnecting now is greeted with the id of the last change it saw.
    let mut again = EventStream::open(&server, None).await;
    assert_eq!(id(&again.wait_for("event: hello").await), second);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_event_streams() {
    let server = start(false).await;
    let mut events = EventStream::open(&server, None).await;
    events.wait_for("event: hello").await;
    let addr = server.addr;
    server.stop().await;
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), events.stream.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the event stream stayed open after shutdown");
    assert!(TcpStream::connect(addr).await.is_err(), "still listening after shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn router_answers_without_a_socket() {
    use tower::ServiceExt;
    let dir = tempfile::tempdir().unwrap();
    let out = make_site(dir.path(), false);
    let state = ServeState::new(out, vec!["localhost:1111".into()]);
    let request = axum::http::Request::builder()
        .uri("/page/")
        .header("host", "localhost:1111")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = router(state).oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
}

/// Reads one answer, comparing its body with the `expected` versions as it streams in; returns
/// the status and the body length, or what went wrong.
async fn fetch_checked(addr: SocketAddr, raw: &[u8], expected: &[&[u8]]) -> Result<(u16, usize), String> {
    let mut stream = TcpStream::connect(addr).await.map_err(|e| format!("connect: {e}"))?;
    stream.write_all(raw).await.map_err(|e| format!("write: {e}"))?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut head = Vec::new();
    let (status, length, mut body) = loop {
        let n = stream.read(&mut buf).await.map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("closed before the head".into());
        }
        head.extend_from_slice(&buf[..n]);
        if let Some(end) = head_end(&head) {
            let (status, headers) = parse_head(&head[..end]);
            let length: usize = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse().ok())
                .ok_or("no content-length")?;
            break (status, length, head[end..].to_vec());
        }
    };
    // Small bodies are kept whole; big ones are compared as they come.
    let mut candidates: Vec<&[u8]> = expected.iter().copied().filter(|e| e.len() == length).collect();
    if candidates.is_empty() {
        return Err(format!("content-length {length} matches no version"));
    }
    let mut offset = 0;
    loop {
        candidates.retain(|c| c.get(offset..offset + body.len()) == Some(&body[..]));
        if candidates.is_empty() {
            return Err(format!("torn body at offset {offset}"));
        }
        offset += body.len();
        let n = stream.read(&mut buf).await.map_err(|e| format!("read body: {e}"))?;
        if n == 0 {
            break;
        }
        body = buf[..n].to_vec();
    }
    if offset != length {
        return Err(format!("body of {offset} bytes, content-length {length}"));
    }
    Ok((status, offset))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reads_while_files_are_replaced() {
    let server = Arc::new(start(true).await);
    let version_a = format!("<!doctype html><title>A</title>{}", "a".repeat(3000)).into_bytes();
    let version_b = format!("<!doctype html><title>B</title>{}", "b".repeat(5000)).into_bytes();
    let page = server.out.join("live/index.html");
    std::fs::write(&page, &version_a).unwrap();
    let zip = Arc::new(noise(ZIP_LEN));

    let stop = Arc::new(AtomicBool::new(false));
    let swaps = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (stop, swaps) = (stop.clone(), swaps.clone());
        let (a, b, page) = (version_a.clone(), version_b.clone(), page.clone());
        tokio::spawn(async move {
            let tmp = page.with_file_name(".index.html.tmp");
            let mut flip = false;
            while !stop.load(Ordering::Relaxed) {
                flip = !flip;
                tokio::fs::write(&tmp, if flip { &b } else { &a }).await.unwrap();
                tokio::fs::rename(&tmp, &page).await.unwrap();
                swaps.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };

    const TASKS: usize = 30;
    const PAGES_PER_TASK: usize = 10;
    const ZIPS_PER_TASK: usize = 3;
    let mut readers = Vec::new();
    for t in 0..TASKS {
        let (server, zip) = (server.clone(), zip.clone());
        let (a, b) = (version_a.clone(), version_b.clone());
        readers.push(tokio::spawn(async move {
            let page_req = request("GET", "/live/", &server.host, &[]);
            let zip_req = request("GET", "/kit.zip", &server.host, &[]);
            let mut errors = Vec::new();
            let mut seen = [0usize; 2];
            for i in 0..PAGES_PER_TASK + ZIPS_PER_TASK {
                // The big downloads spread among the page requests, at other times in each task.
                let step = (PAGES_PER_TASK + ZIPS_PER_TASK) / ZIPS_PER_TASK;
                let k = (i + t) % (PAGES_PER_TASK + ZIPS_PER_TASK);
                let is_zip = k.is_multiple_of(step) && k / step < ZIPS_PER_TASK;
                let result = if is_zip {
                    fetch_checked(server.addr, &zip_req, &[&zip]).await
                } else {
                    fetch_checked(server.addr, &page_req, &[&a, &b]).await
                };
                seen[usize::from(is_zip)] += 1;
                match result {
                    Ok((200, _)) => {}
                    Ok((status, _)) => errors.push(format!("status {status}")),
                    Err(e) => errors.push(e),
                }
            }
            (errors, seen)
        }));
    }
    let mut errors = Vec::new();
    let (mut pages, mut zips) = (0, 0);
    for reader in readers {
        let (e, seen) = tokio::time::timeout(Duration::from_secs(300), reader).await.unwrap().unwrap();
        errors.extend(e);
        pages += seen[0];
        zips += seen[1];
    }
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    assert!(errors.is_empty(), "{} errors, first: {:?}", errors.len(), &errors[..errors.len().min(5)]);
    assert_eq!((pages, zips), (TASKS * PAGES_PER_TASK, TASKS * ZIPS_PER_TASK));
    assert!(swaps.load(Ordering::Relaxed) > 5, "the page was hardly replaced");
    Arc::into_inner(server).expect("server still shared").stop().await;
}
