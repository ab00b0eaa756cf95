//! `kitgen serve` end to end: the real binary on a free port, edits on disk, answers over HTTP,
//! and a headless Chromium that must reload by itself.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::util::TestSite;

struct Server {
    child: Child,
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(site: &TestSite) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kitgen"))
            .args(["serve", "--port", "0", "--root"])
            .arg(site.root())
            .env("KITGEN_CACHE_DIR", site.root().join(".cache"))
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("start kitgen serve");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let l = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                    let port: u16 = rest.split('/').next().unwrap().parse().unwrap();
                    let _ = tx.send(port);
                }
                l.lock().unwrap().push(line);
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("serve did not start: {:?}", log.lock().unwrap()));
        Server { child, port, log }
    }

    fn get(&self, path: &str) -> (u16, String) {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let mut r = agent.get(&url).call().expect("request");
        let status = r.status().as_u16();
        (status, r.body_mut().read_to_string().unwrap_or_default())
    }

    /// Waits until `path` answers with a body for which `ok` holds.
    #[track_caller]
    fn wait_for(&self, path: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let (status, body) = self.get(path);
            if status == 200 && ok(&body) {
                return body;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!("{what}: {path} never changed; serve said:\n{}", self.log.lock().unwrap().join("\n"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn raw(&self, request: &str) -> String {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    }
}

#[test]
fn serve_shows_every_kind_of_edit_and_recovers_from_errors() {
    let site = TestSite::fixture("communes");
    let server = Server::start(&site);
    let (status, page) = server.get("/fr/chapitres/premier/");
    assert_eq!(status, 200);
    assert!(page.contains("/__kitgen/live-reload.js"), "serve pages load the live-reload script");

    site.file(
        "content/fr/chapitres/deux.md",
        "---\ntitle: \"Second chapitre\"\nweight: 2\n---\n## La suite {#suite}\n\nJeton-chapitre.\n",
    );
    server.wait_for("/fr/chapitres/deux/", "chapter", |b| b.contains("Jeton-chapitre"));

    let record = std::fs::read_to_string(site.root().join("data/records/13055-marseille.yaml")).unwrap();
    site.file("data/records/13055-marseille.yaml", record.replace("Note « test ».", "Jeton-fiche."));
    server.wait_for("/fr/communes/13055-marseille/", "record", |b| b.contains("Jeton-fiche"));

    site.file("i18n/fr.yaml", "footer:\n  made_with: \"Jeton-interface.\"\n");
    server.wait_for("/fr/chapitres/premier/", "interface string", |b| b.contains("Jeton-interface"));

    let footer = "themes/default/templates/partials/footer.html";
    site.file(footer, "<footer class=\"site-footer\"><p>Jeton-gabarit</p></footer>\n");
    server.wait_for("/fr/communes/13055-marseille/", "template", |b| b.contains("Jeton-gabarit"));

    // A broken template: the errors show up for the overlay, the last good pages stay online.
    site.file(footer, "<footer>{% if %}</footer>\n");
    server.wait_for("/__kitgen/errors", "errors", |b| b.contains("footer.html") && b.contains("\"line\""));
    assert!(server.get("/fr/chapitres/premier/").1.contains("Jeton-gabarit"));
    site.file(footer, "<footer class=\"site-footer\"><p>Réparé</p></footer>\n");
    server.wait_for("/__kitgen/errors", "fix", |b| b.contains("\"errors\":[]"));
    server.wait_for("/fr/chapitres/premier/", "after the fix", |b| b.contains("Réparé"));

    // A new input folder is read at once, and watched from then on.
    site.file("static/note.txt", "version 1");
    server.wait_for("/note.txt", "a new folder", |b| b.contains("version 1"));
    site.file("static/note.txt", "version 2");
    server.wait_for("/note.txt", "an edit in the new folder", |b| b.contains("version 2"));

    // Never anything outside the output.
    for path in ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%5c..%5cetc%5cpasswd", "/%00"] {
        let answer = server.raw(&format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            server.port
        ));
        let status: u16 = answer.split(' ').nth(1).unwrap_or("0").parse().unwrap_or(0);
        assert!(status == 400 || status == 404, "{path}: {answer}");
    }
}

/// A minimal WebDriver client for the browser test.
struct Driver {
    base: String,
    session: String,
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start() -> Option<Driver> {
        let (chromium, driver) = ("/usr/bin/chromium", "chromedriver");
        // chromedriver cannot pick its own port: take a free one and hand it over.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let child = std::path::Path::new(chromium).exists().then(|| {
            Command::new(driver)
                .arg(format!("--port={port}"))
                .arg("--log-level=OFF")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .ok()
        });
        let child = child.flatten();
        let Some(child) = child else {
            assert!(
                std::env::var_os("KITGEN_REQUIRE_BROWSER").is_none(),
                "KITGEN_REQUIRE_BROWSER is set but chromium or chromedriver is missing"
            );
            eprintln!(
                "skipping the browser test: chromium and chromedriver are not installed (.ci/run installs them)"
            );
            return None;
        };
        let base = format!("http://127.0.0.1:{port}");
        let start = Instant::now();
        while ureq::get(&format!("{base}/status")).call().is_err() {
            assert!(start.elapsed() < Duration::from_secs(20), "chromedriver did not answer on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        let caps = serde_json::json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
        }}}});
        let mut r = ureq::post(&format!("{base}/session")).send_json(&caps).expect("new session");
        let v: serde_json::Value = r.body_mut().read_json().unwrap();
        let session = v["value"]["sessionId"].as_str().expect("session id").to_string();
        Some(Driver { base, session, child })
    }

    fn post(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let mut r = ureq::post(&format!("{}/session/{}/{path}", self.base, self.session))
            .send_json(&body)
            .expect(path);
        r.body_mut().read_json::<serde_json::Value>().unwrap()["value"].clone()
    }

    fn script(&self, js: &str) -> serde_json::Value {
        self.post("execute/sync", serde_json::json!({"script": js, "args": []}))
    }
}

#[test]
fn the_browser_reloads_by_itself_after_an_edit() {
    let Some(driver) = Driver::start() else { return };
    let site = TestSite::fixture("minimal");
    let server = Server::start(&site);
    driver.post(
        "url",
        serde_json::json!({"url": format!("http://127.0.0.1:{}/fr/chapitres/premier/", server.port)}),
    );
    // A marker that only survives while the page is not reloaded.
    driver.script("window.kitgenMarker = 1; return 1;");
    let start = Instant::now();
    while driver.script("return document.readyState === 'complete' && !!window.EventSource").as_bool()
        != Some(true)
    {
        assert!(start.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    site.file("content/fr/chapitres/un.md", "---\ntitle: \"Premier chapitre\"\nweight: 1\nslug: premier\n---\n## Les briques {#briques}\n\nJeton-navigateur.\n");
    let start = Instant::now();
    loop {
        let v = driver.script("return [window.kitgenMarker === undefined, document.body.innerText.includes('Jeton-navigateur')];");
        if v == serde_json::json!([true, true]) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the page did not reload by itself: {v}; serve said:\n{}",
            server.log.lock().unwrap().join("\n")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_commune_lookup_works_in_a_browser() {
    let Some(driver) = Driver::start() else { return };
    let site = TestSite::fixture("communes");
    let server = Server::start(&site);
    driver.post("url", serde_json::json!({"url": format!("http://127.0.0.1:{}/fr/communes/", server.port)}));
    for (query, expected) in [
        ("saint etienne", "Saint-Étienne"),
        ("st-étienne", "Saint-Étienne"),
        ("42000", "Saint-Étienne"),
        ("aix", "Aix-en-Provence"),
        ("sainte colombe", "Sainte-Colombe"),
    ] {
        let js = format!(
            "var i = document.getElementById('lookup-q'); i.value = {}; i.dispatchEvent(new Event('input')); return 1;",
            serde_json::Value::from(query)
        );
        driver.script(&js);
        let start = Instant::now();
        loop {
            let links = driver.script(
                "return Array.from(document.querySelectorAll('#lookup-results a')).map(a => [a.textContent, new URL(a.href).pathname]);",
            );
            let found = links.as_array().into_iter().flatten().any(|l| {
                l[0] == expected
                    && l[1].as_str().is_some_and(|h| {
                        h.starts_with("/fr/communes/") && h.ends_with('/') && server.get(h).0 == 200
                    })
            });
            if found {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "{query}: no {expected} in {links}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    // The form replaced the no-JavaScript hint, and every request stayed on the site.
    assert_eq!(
        driver.script("return document.querySelector('form.lookup').hidden;"),
        serde_json::json!(false)
    );
    let hosts = driver.script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).host).filter(h => h !== location.host);",
    );
    assert_eq!(hosts, serde_json::json!([]), "requests to other hosts");
}

/// Empties the list `results`, types `query` into the input `#id` and waits until the list's
/// links hold one whose text starts with `expected`, returning its path.
fn type_and_find(
    driver: &Driver,
    server: &Server,
    id: &str,
    results: &str,
    query: &str,
    expected: &str,
) -> String {
    let js = format!(
        "document.querySelector({}).textContent = ''; var i = document.getElementById({}); i.value = {}; i.dispatchEvent(new Event('input')); return 1;",
        serde_json::Value::from(results),
        serde_json::Value::from(id),
        serde_json::Value::from(query)
    );
    driver.script(&js);
    let start = Instant::now();
    loop {
        let links = driver.script(&format!(
            "return Array.from(document.querySelectorAll({})).map(a => [a.textContent, new URL(a.href).pathname + new URL(a.href).hash]);",
            serde_json::Value::from(format!("{results} a"))
        ));
        let found = links
            .as_array()
            .into_iter()
            .flatten()
            .find(|l| l[0].as_str().is_some_and(|t| t.starts_with(expected)));
        if let Some(path) = found.and_then(|l| l[1].as_str()) {
            let page = path.split('#').next().unwrap_or(path);
            assert_eq!(server.get(page).0, 200, "{query}: {path} is not a page");
            return path.to_string();
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{query}: no {expected} in {links}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_site_search_finds_a_chapter_and_the_lookup_a_commune_typed_without_accents() {
    let Some(driver) = Driver::start() else { return };
    let site = crate::search::search_site();
    let server = Server::start(&site);
    let url = |p: &str| serde_json::json!({"url": format!("http://127.0.0.1:{}{p}", server.port)});
    driver.post("url", url("/fr/recherche/"));
    for (query, expected, path) in [
        ("biometrie", "Troisième chapitre — Les visages", "/fr/chapitres/troisieme/#visages"),
        ("reconnaissance faciale", "Troisième chapitre", "/fr/chapitres/troisieme/#visages"),
        ("cameras", "Troisième chapitre", "/fr/chapitres/troisieme/"),
    ] {
        assert_eq!(
            type_and_find(&driver, &server, "search-q", "#search-results", query, expected),
            path,
            "{query}"
        );
    }
    assert_eq!(
        driver.script("return [document.querySelector('form.site-search').hidden, document.querySelector('.search-nojs').hidden];"),
        serde_json::json!([false, true]),
        "the form replaced the no-JavaScript hint"
    );
    // The header's link leads to the search page; `?q=` searches at once.
    driver.post("url", url("/fr/chapitres/premier/"));
    let href = driver.script("return new URL(document.querySelector('a.search-link').href).pathname;");
    assert_eq!(href, "/fr/recherche/");
    driver.post("url", url("/fr/recherche/?q=biom%C3%A9trie"));
    let start = Instant::now();
    while driver.script(
        "return Array.from(document.querySelectorAll('#search-results a')).map(a => a.textContent).join();",
    ) != serde_json::json!("Troisième chapitre — Les visages")
    {
        assert!(start.elapsed() < Duration::from_secs(10), "?q= did not search");
        std::thread::sleep(Duration::from_millis(50));
    }
    let own = driver.script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).host).filter(h => h !== location.host);",
    );
    assert_eq!(own, serde_json::json!([]), "requests to other hosts");

    driver.post("url", url("/fr/communes/"));
    for (query, expected) in [("saint etienne", "Saint-Étienne"), ("SAINT-ETIENNE", "Saint-Étienne")] {
        let path = type_and_find(&driver, &server, "lookup-q", "#lookup-results", query, expected);
        assert!(path.starts_with("/fr/communes/42218-"), "{query}: {path}");
    }
    let hosts = driver.script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).host).filter(h => h !== location.host);",
    );
    assert_eq!(hosts, serde_json::json!([]), "requests to other hosts");
}
