// Commune lookup: progressive enhancement of the communes page. Without JavaScript the page
// lists every département; with it, a search box finds a commune by name or postal code. The
// index is split into small files (search/n/<prefix>.json, search/d/<digits>.json), loaded on
// demand from this site only. Queries are normalised like kitgen's `search::normalize`.
(function () {
  "use strict";
  var form = document.querySelector("form.lookup");
  // Opened from a folder (an offline copy), browsers refuse to fetch the index: keep the lists.
  if (!form || !window.fetch || location.protocol === "file:") { return; }
  var input = form.querySelector("input");
  var list = form.querySelector(".lookup-results");
  var root = form.getAttribute("data-search");
  var base = form.getAttribute("data-base");
  var manifest = null;
  var cache = {};
  var timer = null;

  form.hidden = false;
  var nojs = document.querySelector(".nojs");
  if (nojs) { nojs.hidden = true; }
  form.addEventListener("submit", function (e) { e.preventDefault(); search(); });
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 120); });

  function normalize(s) {
    s = s.toLowerCase().replace(/œ/g, "oe").replace(/æ/g, "ae").replace(/ß/g, "ss");
    s = s.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    s = s.replace(/[^a-z0-9]+/g, " ").trim();
    return s.split(" ").map(function (w) { return w === "st" ? "saint" : w === "ste" ? "sainte" : w; }).join(" ");
  }

  function load(path) {
    if (!cache[path]) {
      cache[path] = fetch(root + path).then(function (r) {
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      });
    }
    return cache[path];
  }

  function message(text) {
    list.textContent = "";
    var li = document.createElement("li");
    li.className = "lookup-message";
    li.textContent = text;
    list.appendChild(li);
  }

  function show(entries) {
    list.textContent = "";
    if (!entries.length) { message(form.getAttribute("data-empty")); return; }
    entries.slice(0, 25).forEach(function (e) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = base + e[5] + "/";
      a.textContent = e[1];
      li.appendChild(a);
      li.appendChild(document.createTextNode(" (" + e[4] + ")" + (e[3] ? " — " + e[3].split(" ").slice(0, 3).join(", ") + (e[3].split(" ").length > 3 ? "…" : "") : "")));
      list.appendChild(li);
    });
  }

  // lookup:rank-codes (tests/integration/communes.rs runs this function in node)
  // The communes a code query finds, best first: a postal code before an INSEE code ("13001"
  // is a postal code of Marseille and the INSEE code of Aix-en-Provence: Marseille comes
  // first), an exact code before a prefix, then the larger population. Entries are
  // [code, name, normalized name, "postal codes", département, slug, population].
  function rankCodes(shard, code) {
    var found = [];
    shard.forEach(function (e) {
      var postal = e[3] ? e[3].split(" ") : [];
      var insee = e[0].toLowerCase();
      var prefix = function (p) { return p.indexOf(code) === 0; };
      var rank = postal.indexOf(code) >= 0 ? 0 : insee === code ? 1 : postal.some(prefix) ? 2 : prefix(insee) ? 3 : -1;
      if (rank >= 0) { found.push([rank, e]); }
    });
    found.sort(function (a, b) {
      return a[0] - b[0] || b[1][6] - a[1][6] || (a[1][0] < b[1][0] ? -1 : a[1][0] > b[1][0] ? 1 : 0);
    });
    return found.map(function (x) { return x[1]; });
  }
  // lookup:end

  function search() {
    var raw = input.value.trim();
    var q = normalize(raw);
    if (q.length < 2) { message(form.getAttribute("data-more")); return; }
    var digits = /^[0-9]/.test(q) || /^2[ab][0-9]/.test(q);
    var done = function (entries) { if (normalize(input.value.trim()) === q) { show(entries); } };
    var fail = function () { message(form.getAttribute("data-error")); };
    if (digits) {
      var code = q.replace(/ /g, "");
      load("d/" + code.slice(0, 2) + ".json").then(function (shard) {
        done(rankCodes(shard, code));
      }, function () { done([]); });
      return;
    }
    var getManifest = manifest ? Promise.resolve(manifest) : load("index.json").then(function (m) { manifest = m; return m; });
    getManifest.then(function (m) {
      var best = null;
      m.names.forEach(function (k) {
        var key = k.replace(/_/g, " ");
        if (q.indexOf(key) === 0 && (!best || key.length > best.length)) { best = key; }
      });
      var keys = best ? [best] : m.names.map(function (k) { return k.replace(/_/g, " "); }).filter(function (k) { return k.indexOf(q) === 0; });
      if (!keys.length) { done([]); return; }
      if (keys.length > 8) { message(form.getAttribute("data-more")); return; }
      return Promise.all(keys.map(function (k) { return load("n/" + k.replace(/ /g, "_") + ".json"); })).then(function (shards) {
        var seen = {};
        var out = [];
        shards.forEach(function (s) {
          s.forEach(function (e) {
            var n = e[2];
            if (!seen[e[0]] && (n.indexOf(q) === 0 || n.indexOf(" " + q) >= 0)) { seen[e[0]] = true; out.push(e); }
          });
        });
        out.sort(function (a, b) {
          var ea = a[2] === q ? 0 : a[2].indexOf(q) === 0 ? 1 : 2;
          var eb = b[2] === q ? 0 : b[2].indexOf(q) === 0 ? 1 : 2;
          return ea - eb || b[6] - a[6];
        });
        done(out);
      });
    }).catch(fail);
  }
})();
