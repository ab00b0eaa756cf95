// kitgen serve: live reload and the build-error overlay. Only `kitgen serve` adds this script
// to pages; a built site never loads it.
//
// Events from /__kitgen/events: `hello` on (re)connection, `reload`, `css` (a JSON list of the
// changed stylesheets' URL paths: swapped in place), `errors` (the rebuild failed: fetch
// /__kitgen/errors and show them), `ok` (nothing to reload: hide the overlay). Every event id is
// "<server run>.<build>": if a reconnection greets us with another id than the last we saw, we
// missed a change or the server restarted, so the page reloads.
//
// The overlay lives in a shadow root with its own stylesheet (/__kitgen/overlay.css), so the
// page's styles do not reach it, and is built with textContent only: diagnostics quote the
// user's files and must never be parsed as HTML. No inline styles: pages forbid them.
(() => {
  "use strict";

  const BASE = "/__kitgen/";
  const HASHED_CSS = /\.[0-9a-f]{8,}(\.css)$/i;

  let source = null;
  let lastId = null;
  let retryDelay = 500;
  let retryTimer = 0;

  // Overlay state: `epoch` changes on every show/hide, so a late fetch cannot bring back
  // errors a newer event already cleared.
  let host = null;
  let epoch = 0;
  let focusBefore = null;

  function parse(text) {
    try {
      return JSON.parse(text);
    } catch (_) {
      return null;
    }
  }

  function seen(event) {
    if (event.lastEventId) lastId = event.lastEventId;
  }

  function connect() {
    if (source || typeof EventSource !== "function") return;
    clearTimeout(retryTimer);
    source = new EventSource(BASE + "events");
    source.addEventListener("hello", (event) => {
      retryDelay = 500;
      if (lastId !== null && event.lastEventId !== lastId) {
        location.reload();
        return;
      }
      seen(event);
    });
    source.addEventListener("reload", () => location.reload());
    source.addEventListener("css", (event) => {
      seen(event);
      hideOverlay();
      const paths = parse(event.data);
      if (Array.isArray(paths)) swapStylesheets(paths);
    });
    source.addEventListener("errors", (event) => {
      seen(event);
      showErrors();
    });
    source.addEventListener("ok", (event) => {
      seen(event);
      hideOverlay();
    });
    source.addEventListener("error", () => {
      // The browser retries by itself while the state is CONNECTING; once CLOSED (the server
      // answered with something else than an event stream), it is up to us.
      if (source && source.readyState === EventSource.CLOSED) {
        source = null;
        retryTimer = setTimeout(connect, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 5000);
      }
    });
  }

  function disconnect() {
    clearTimeout(retryTimer);
    if (source) {
      source.close();
      source = null;
    }
  }

  // --- Stylesheets -----------------------------------------------------------------------

  // "/css/site.1234abcd.css" and "/css/site.5678ef90.css" name the same stylesheet.
  function unhashed(path) {
    return path.replace(HASHED_CSS, "$1");
  }

  function swapStylesheets(paths) {
    const wanted = new Map();
    for (const path of paths) {
      if (typeof path !== "string") continue;
      const url = new URL(path, location.origin);
      if (url.origin === location.origin) wanted.set(unhashed(url.pathname), url.pathname);
    }
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      if (link.hasAttribute("data-kitgen-replaced")) continue;
      let url;
      try {
        url = new URL(link.href, location.href);
      } catch (_) {
        continue;
      }
      if (url.origin !== location.origin) continue;
      const next = wanted.get(unhashed(url.pathname));
      if (!next) continue;
      // The new sheet goes in beside the old one, which leaves once the new one has loaded:
      // the page never shows unstyled.
      const copy = link.cloneNode(false);
      copy.removeAttribute("integrity");
      // Serve mode keeps stylesheet names stable: a query string makes the browser fetch again.
      copy.href = next + (next === url.pathname ? "?kitgen=" + Date.now() : "");
      link.setAttribute("data-kitgen-replaced", "");
      copy.addEventListener("load", () => link.remove(), { once: true });
      copy.addEventListener(
        "error",
        () => {
          copy.remove();
          link.removeAttribute("data-kitgen-replaced");
        },
        { once: true },
      );
      link.after(copy);
    }
  }

  // --- Error overlay ---------------------------------------------------------------------

  async function showErrors() {
    const mine = ++epoch;
    let data;
    try {
      const response = await fetch(BASE + "errors", { cache: "no-store" });
      if (!response.ok) return;
      data = await response.json();
    } catch (_) {
      return;
    }
    if (mine !== epoch) return;
    const errors = data && Array.isArray(data.errors) ? data.errors : [];
    if (errors.length === 0) {
      hideOverlay();
    } else {
      renderOverlay(errors);
    }
  }

  function hideOverlay() {
    epoch++;
    if (!host) return;
    host.remove();
    host = null;
    document.removeEventListener("keydown", onKey, true);
    if (focusBefore && typeof focusBefore.focus === "function" && document.contains(focusBefore)) {
      focusBefore.focus();
    }
    focusBefore = null;
  }

  function onKey(event) {
    if (!host) return;
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      hideOverlay();
    } else if (event.key === "Tab" && host.shadowRoot) {
      // Keep the keyboard in the dialog while it is open; its only control is the close button.
      event.preventDefault();
      const close = host.shadowRoot.querySelector(".close");
      if (close) close.focus();
    }
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function place(d) {
    if (!d.path) return "";
    let loc = String(d.path);
    if (d.line) {
      loc += ":" + d.line;
      if (d.col) loc += ":" + d.col;
    }
    return loc;
  }

  function snippet(d) {
    const s = d.snippet;
    if (!s || typeof s.text !== "string" || !d.line) return null;
    const num = String(d.line);
    const gutter = " ".repeat(num.length);
    const chars = Array.from(s.text);
    const start = Math.max(1, Number(s.col_start) || 1);
    // Keep tabs under tabs so the marks line up with the text.
    const pad = chars
      .slice(0, start - 1)
      .map((c) => (c === "\t" ? "\t" : " "))
      .join("");
    const marks = "^".repeat(Math.max(1, Number(s.width) || 1));
    const pre = el("pre", "snippet");
    pre.appendChild(el("code", null, `${num} | ${s.text}\n${gutter} | ${pad}${marks}`));
    return pre;
  }

  function diagnostic(d) {
    const warning = d.severity === "warning";
    const item = el("li", warning ? "diag warning" : "diag error");
    const head = el("p", "head");
    const loc = place(d);
    if (loc) {
      head.appendChild(el("span", "loc", loc));
      head.appendChild(document.createTextNode(" "));
    }
    const level = warning ? "warning" : "error";
    head.appendChild(el("span", "level", d.code ? `${level}[${d.code}]` : level));
    item.appendChild(head);
    item.appendChild(el("p", "message", d.message));
    const code = snippet(d);
    if (code) item.appendChild(code);
    if (d.hint) {
      const hint = el("p", "hint");
      hint.appendChild(el("span", "label", "fix: "));
      hint.appendChild(document.createTextNode(String(d.hint)));
      item.appendChild(hint);
    }
    if (Array.isArray(d.notes) && d.notes.length > 0) {
      const notes = el("ul", "notes");
      for (const note of d.notes) notes.appendChild(el("li", null, note));
      item.appendChild(notes);
    }
    return item;
  }

  function renderOverlay(errors) {
    const fresh = !host;
    if (fresh) {
      host = el("div");
      host.id = "kitgen-error-overlay";
      const shadow = host.attachShadow({ mode: "open" });
      const sheet = el("link");
      sheet.rel = "stylesheet";
      sheet.href = BASE + "overlay.css";
      shadow.appendChild(sheet);
      focusBefore = document.activeElement;
    }
    const root = host.shadowRoot;
    const hadFocus = root.activeElement !== null;
    const old = root.querySelector(".panel");
    if (old) old.remove();

    const panel = el("section", "panel");
    panel.setAttribute("role", "alertdialog");
    panel.setAttribute("aria-modal", "true");
    panel.setAttribute("aria-labelledby", "kitgen-title");
    panel.setAttribute("aria-describedby", "kitgen-note");
    panel.tabIndex = -1;

    const header = el("header", "bar");
    const count = errors.length;
    const title = el("h2", "title", `kitgen: the last rebuild failed (${count} ${count === 1 ? "problem" : "problems"})`);
    title.id = "kitgen-title";
    const close = el("button", "close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "Hide (Escape)");
    close.title = "Hide (Escape)";
    close.addEventListener("click", hideOverlay);
    header.appendChild(title);
    header.appendChild(close);
    panel.appendChild(header);

    const note = el(
      "p",
      "note",
      "This page shows the last good build. Fix the files below and save: this message goes away by itself. Escape hides it until the next error.",
    );
    note.id = "kitgen-note";
    panel.appendChild(note);

    const list = el("ol", "list");
    for (const d of errors) {
      if (d && typeof d === "object") list.appendChild(diagnostic(d));
    }
    panel.appendChild(list);
    root.appendChild(panel);

    if (fresh) {
      (document.body || document.documentElement).appendChild(host);
      document.addEventListener("keydown", onKey, true);
    }
    if (fresh || hadFocus) panel.focus({ preventScroll: true });
  }

  // --- Start -----------------------------------------------------------------------------

  // A page opened while the build is broken shows the errors at once.
  showErrors();
  if (document.visibilityState !== "hidden") connect();

  // Background tabs let go of their connection (browsers allow only six per host over
  // HTTP/1.1) and catch up when they come back: a changed id on `hello` reloads them.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") disconnect();
    else connect();
  });
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && document.visibilityState !== "hidden") connect();
  });
})();
