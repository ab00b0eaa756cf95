#!/usr/bin/env python3
"""Screenshots of the campaign site as readers meet it, on a phone and on a desktop.

Builds the site (or takes an already built output folder), serves it on 127.0.0.1, and takes
full-page screenshots in headless Chromium of the pages a reader meets first: the language
chooser, the home page, a brochure chapter, a commune page, the statistics, the map and a kit
page, at 390 px and 1,440 px wide. Look at every image before calling a theme change done.

    scripts/screenshots.py                       # build a small copy of the site, then shoot
    scripts/screenshots.py --public public/      # shoot an existing build
    scripts/screenshots.py --out /tmp/shots --width 390 --width 1440

The small copy is the repository's site with `scopes: commune_pages: recorded`, built with the
debug binary into a temporary folder: the same theme and pages, without the 70,000 commune
pages that only differ by their data (a build of it takes seconds, not minutes).

Full-page screenshots go through chromedriver (the W3C WebDriver protocol over HTTP, with the
standard library only) when it is installed; otherwise `chromium --screenshot` takes the first
`--height` pixels of each page. Nothing here contacts another host.
"""

import argparse
import base64
import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (name, path): the pages the issue asks for, plus the root chooser and the English home.
PAGES = [
    ("root", ""),
    ("home", "fr/"),
    ("home-en", "en/"),
    ("chapter", "fr/brochure/trois-opacites/"),
    ("brochure", "fr/brochure/"),
    ("commune", "fr/communes/13055-marseille/"),
    ("stats", "fr/communes/statistiques/"),
    ("map", "fr/communes/carte/"),
    ("kit", "fr/agir/kit-courrier/"),
    ("communes", "fr/communes/"),
    ("posters", "fr/agir/affiches/"),
    ("news", "fr/actualites/"),
    ("search", "fr/recherche/?q=biometrie"),
    ("guide", "fr/documentation/"),
    ("about", "fr/a-propos/"),
    ("kitprint", "fr/agir/kit-courrier/13055-marseille/"),
]


def build_small_copy(work):
    """Copies the site with commune pages for recorded communes only, and builds it."""
    site = os.path.join(work, "site")
    os.makedirs(site)
    for d in ["content", "data", "posters", "kits", "themes", "i18n", "static", "templates"]:
        src = os.path.join(ROOT, d)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(site, d))
    with open(os.path.join(ROOT, "kitgen.yaml"), encoding="utf-8") as f:
        config = f.read().replace("commune_pages: all", "commune_pages: recorded")
    with open(os.path.join(site, "kitgen.yaml"), "w", encoding="utf-8") as f:
        f.write(config)
    out = os.path.join(work, "public")
    subprocess.run(["cargo", "build", "--quiet"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "debug", "kitgen")
    subprocess.run([binary, "build", "--root", site, "--output", out], check=True)
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(folder):
    """Serves `folder` on 127.0.0.1 in a thread; returns the base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


class Driver:
    """Just enough of WebDriver for screenshots: a session, a window size, a URL, a PNG."""

    def __init__(self, chromium, chromedriver):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [chromedriver, f"--port={self.port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                self._call("GET", "/status")
                break
            except OSError:
                time.sleep(0.1)
        caps = {
            "capabilities": {
                "alwaysMatch": {
                    "goog:chromeOptions": {
                        "binary": chromium,
                        "args": ["--headless=new", "--hide-scrollbars", "--no-sandbox", "--disable-gpu",
                                 "--force-device-scale-factor=1"],
                    }
                }
            }
        }
        self.session = self._call("POST", "/session", caps)["sessionId"]

    def _call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read().decode()).get("value") if method != "GET" or path != "/status" else None

    def s(self, method, path, body=None):
        return self._call(method, f"/session/{self.session}{path}", body)

    def shoot(self, url, width, out):
        self.s("POST", "/window/rect", {"width": width, "height": 900})
        self.s("POST", "/url", {"url": url})
        # The inner width must be the target width (the window's frame takes some pixels).
        inner = self.s("POST", "/execute/sync", {"script": "return window.innerWidth", "args": []})
        self.s("POST", "/window/rect", {"width": width + (width - inner), "height": 900})
        height = self.s("POST", "/execute/sync", {
            "script": "return Math.ceil(document.documentElement.scrollHeight)", "args": []})
        self.s("POST", "/window/rect", {"width": width + (width - inner), "height": min(height, 16000) + 90})
        inner_h = self.s("POST", "/execute/sync", {"script": "return window.innerHeight", "args": []})
        if inner_h < height:
            self.s("POST", "/window/rect", {"width": width + (width - inner),
                                            "height": min(height, 16000) + 90 + (height - inner_h)})
        time.sleep(0.2)
        png = base64.b64decode(self.s("GET", "/screenshot"))
        with open(out, "wb") as f:
            f.write(png)

    def quit(self):
        try:
            self._call("DELETE", f"/session/{self.session}")
        finally:
            self.proc.terminate()
            self.proc.wait()


def shoot_plain(chromium, url, width, height, out):
    subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={width},{height}", f"--screenshot={out}", url],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--public", help="an already built output folder (default: build a small copy)")
    ap.add_argument("--out", default="/tmp/kitgen-screenshots", help="folder for the PNG files")
    ap.add_argument("--width", type=int, action="append", help="viewport widths (default 390 and 1440)")
    ap.add_argument("--height", type=int, default=3000, help="height without chromedriver")
    ap.add_argument("--page", action="append", help="only these page names (" +
                    ", ".join(n for n, _ in PAGES) + ")")
    args = ap.parse_args()
    widths = args.width or [390, 1440]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not chromium:
        sys.exit("screenshots: no chromium found (Debian: apt-get install chromium chromium-driver)")
    chromedriver = shutil.which("chromedriver")

    work = tempfile.mkdtemp(prefix="kitgen-shots-")
    try:
        public = os.path.abspath(args.public) if args.public else build_small_copy(work)
        server, base = serve(public)
        os.makedirs(args.out, exist_ok=True)
        driver = Driver(chromium, chromedriver) if chromedriver else None
        try:
            for name, path in PAGES:
                if args.page and name not in args.page:
                    continue
                for w in widths:
                    out = os.path.join(args.out, f"{name}-{w}.png")
                    if driver:
                        driver.shoot(base + path, w, out)
                    else:
                        shoot_plain(chromium, base + path, w, args.height, out)
                    print(out)
        finally:
            if driver:
                driver.quit()
            server.shutdown()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
