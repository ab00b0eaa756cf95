// Full-text search of the site's pages: progressive enhancement of the search page. Without
// JavaScript the page shows a site map; with it, a search box ranks the pages of this language
// from one index file (search/pages-<lang>.json, made by kitgen's `fulltext` family), loaded
// from this site only. Every word must be found (the last one may be the start of a word);
// title matches come first. Words are cut like kitgen's `fulltext::text::tokens`: accents and
// case dropped, one-letter words (the elisions l’, d’) and the index's stop words skipped, a
// final plural -s or -x removed from words longer than three letters.
(function () {
  "use strict";
  var form = document.querySelector("form.site-search");
  // Opened from a folder (an offline copy), browsers refuse to fetch the index: keep the map.
  if (!form || !window.fetch || location.protocol === "file:") { return; }
  var input = form.querySelector("input");
  var list = form.querySelector(".search-results");
  var status = form.querySelector(".search-status");
  var base = form.getAttribute("data-base");
  var index = null;
  var timer = null;

  form.hidden = false;
  var nojs = document.querySelector(".search-nojs");
  if (nojs) { nojs.hidden = true; }
  form.addEventListener("submit", function (e) { e.preventDefault(); search(); });
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 120); });

  function normalize(s) {
    s = s.toLowerCase().replace(/œ/g, "oe").replace(/æ/g, "ae").replace(/ß/g, "ss");
    s = s.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    s = s.replace(/[^a-z0-9]+/g, " ").trim();
    return s.split(" ").map(function (w) { return w === "st" ? "saint" : w === "ste" ? "sainte" : w; }).join(" ");
  }

  // search:rank (tests/integration/search.rs runs these functions in node)
  function tokens(s, stop) {
    return normalize(s).split(" ").filter(function (w) { return w.length >= 2 && !stop[w]; }).map(function (w) {
      return w.length > 3 && /[sx]$/.test(w) ? w.slice(0, -1) : w;
    });
  }

  function words(s) { return s ? s.split(" ") : []; }

  // How a term matches a list of words: 2 a whole word, 1 the start of one (last term only), 0 not.
  function match(term, list, last) {
    var prefix = 0;
    for (var i = 0; i < list.length; i++) {
      if (list[i] === term) { return 2; }
      if (last && list[i].indexOf(term) === 0) { prefix = 1; }
    }
    return prefix;
  }

  // The pages where every term is found, best first: [score, page, part or null]. A page is
  // [title, url, section, snippet, title words, intro words, parts]; a part is
  // [id, heading, heading words, words, snippet].
  function rank(pages, terms) {
    var found = [];
    pages.forEach(function (p, order) {
      var title = words(p[4]);
      var all = title.concat(words(p[5]));
      var parts = p[6].map(function (s) { return [words(s[2]), words(s[2]).concat(words(s[3]))]; });
      parts.forEach(function (s) { all = all.concat(s[1]); });
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        var last = i === terms.length - 1;
        var m = match(terms[i], all, last);
        if (!m) { return; }
        score += m + 10 * match(terms[i], title, last);
      }
      // The part that holds most of the terms, when the title and introduction do not.
      var best = null, bestScore = 0;
      var top = title.concat(words(p[5]));
      if (!terms.every(function (t, i) { return match(t, top, i === terms.length - 1); })) {
        parts.forEach(function (s, k) {
          var n = 0;
          terms.forEach(function (t, i) {
            var last = i === terms.length - 1;
            n += 3 * match(t, s[0], last) + match(t, s[1], last);
          });
          if (n > bestScore) { bestScore = n; best = k; }
        });
        score += bestScore / 10;
      }
      found.push([score, order, p, best === null ? null : p[6][best]]);
    });
    found.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    return found;
  }
  // search:end

  function say(text) { status.textContent = text; }

  function show(found) {
    list.textContent = "";
    if (!found.length) { say(form.getAttribute("data-empty")); return; }
    var n = found.length;
    say(form.getAttribute(n === 1 ? "data-found-one" : "data-found-other").replace("{n}", n));
    found.slice(0, 30).forEach(function (f) {
      var p = f[2], part = f[3];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = base + p[1] + (part ? "#" + part[0] : "");
      a.textContent = p[0] + (part && part[1] ? " — " + part[1] : "");
      var h = document.createElement("h2");
      h.appendChild(a);
      li.appendChild(h);
      if (p[2]) {
        var s = document.createElement("p");
        s.className = "search-section";
        s.textContent = p[2];
        li.appendChild(s);
      }
      var text = part ? part[4] : p[3];
      if (text) {
        var x = document.createElement("p");
        x.textContent = text;
        li.appendChild(x);
      }
      list.appendChild(li);
    });
  }

  function load() {
    if (!index) {
      index = fetch(form.getAttribute("data-search")).then(function (r) {
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      }).then(function (ix) {
        var stop = {};
        ix.stop.forEach(function (w) { stop[w] = true; });
        ix.stopSet = stop;
        return ix;
      });
    }
    return index;
  }

  function search() {
    var q = input.value;
    load().then(function (ix) {
      var terms = tokens(q, ix.stopSet);
      if (input.value !== q) { return; }
      if (!terms.length) { list.textContent = ""; say(q.trim() ? form.getAttribute("data-more") : ""); return; }
      show(rank(ix.pages, terms));
    }, function () { say(form.getAttribute("data-error")); index = null; });
  }

  // A link to this page with ?q=… searches at once.
  var q = new URLSearchParams(location.search).get("q");
  if (q) { input.value = q; search(); }
})();
