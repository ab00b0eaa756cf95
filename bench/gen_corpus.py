#!/usr/bin/env python3
"""Generate kitgen's benchmark corpus: one bilingual (fr/en) blog, in two layouts.

    python3 bench/gen_corpus.py N OUTDIR [--seed 42] [--force]

N is the number of pages PER LANGUAGE (2*N posts in total).  OUTDIR/hugo and
OUTDIR/kitgen receive the same titles, dates, weights and Markdown bodies; only
the front-matter placement, the links between pages and the templates differ.
OUTDIR/manifest.json describes the corpus (expected .html counts, probe page).

Python 3 standard library only.  Output is deterministic for a given (N, seed):
page i draws from its own random.Random seeded with (seed, i), so page i is the
same whatever N is (only the pages it links to depend on N).

This is an adaptation of the shared reference generator (../shared/bench/
gen_corpus.py in the campaign workspace).  The text generation is the same code,
so the Markdown has the same size and shape, and the Hugo layout is
byte-for-byte the shared generator's: Hugo's figures stay comparable with
../shared/bench/RESULTS.md.

Layouts
-------
hugo/    hugo.toml (fr at /, en under /en/), content/<lang>/posts/<slug>.md,
         layouts/{baseof,single,list}.html.  Links between pages are plain
         paths (/posts/<slug>/, /en/posts/<slug>/).  The "20 most recent" nav is
         .CurrentSection.RegularPages.ByDate.Reverse | first 20.
kitgen/  kitgen.yaml (every language under /<lang>/), content/<lang>/_index.md,
         content/<lang>/posts/_index.md (sort_by: date),
         content/<lang>/posts/<slug>.md, themes/bench/templates/*.html (Tera 2),
         themes/bench/i18n/<lang>.yaml (the strings of the root page and offline copy).
         Links between pages use kitgen's native form [text](@/posts/<slug>.md),
         which kitgen resolves and checks.  The nav is kitgen's cached
         pages(section="posts", limit=20).  Code is highlighted with
         base16-ocean.dark (syntect has no monokai; Hugo uses monokai) into
         classes plus css/highlight.css, where Hugo writes inline styles.
"""

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import sys

LANGS = ("fr", "en")
DEFAULT_LANG = "fr"
SITE_TITLE = {"fr": "Carnet de bord", "en": "Logbook"}
SECTION_TITLE = {"fr": "Articles", "en": "Posts"}
BASE_URL = "https://example.com"
NAV_SIZE = 20
BASE_DATE = dt.datetime(2015, 1, 1, 8, 0, 0)
STEP = dt.timedelta(hours=6)  # page i is dated in [BASE + i*STEP, BASE + (i+1)*STEP)
# Marks the target of a link between corpus pages in a generated body; the
# placeholder is replaced by each layout's own link form (resolve_links).
LINK_MARK = "\x00"

# --------------------------------------------------------------------------
# Parallel vocabulary: index k of every list is the same idea in fr and en, so
# the fr and en pages drawn with the same random numbers are translations.
# --------------------------------------------------------------------------
NOUNS = [
    ("le cache des pages", "the page cache"),
    ("la coloration syntaxique", "syntax highlighting"),
    ("le moteur de gabarits", "the template engine"),
    ("la génération incrémentale", "incremental generation"),
    ("le serveur de développement", "the development server"),
    ("la table des matières", "the table of contents"),
    ("le flux RSS", "the RSS feed"),
    ("la recherche plein texte", "full-text search"),
    ("le rendu Markdown", "Markdown rendering"),
    ("la gestion des traductions", "translation handling"),
    ("le plan du site", "the sitemap"),
    ("la compression des images", "image compression"),
    ("le système de thèmes", "the theme system"),
    ("la pagination", "pagination"),
    ("le fichier de configuration", "the configuration file"),
    ("la minification HTML", "HTML minification"),
    ("le graphe des dépendances", "the dependency graph"),
    ("la surveillance des fichiers", "file watching"),
    ("le tri des pages", "page sorting"),
    ("la validation des liens", "link checking"),
    ("le rendu parallèle", "parallel rendering"),
    ("la mise en cache HTTP", "HTTP caching"),
    ("le format YAML", "the YAML format"),
    ("la taxonomie des articles", "the article taxonomy"),
    ("le découpage en sections", "the section layout"),
    ("la journalisation", "logging"),
    ("le rechargement à chaud", "live reload"),
    ("la sortie HTML", "the HTML output"),
]
ADJS = [
    ("rapide", "fast"), ("fiable", "reliable"), ("simple", "simple"),
    ("lisible", "readable"), ("stable", "stable"), ("prévisible", "predictable"),
    ("robuste", "robust"), ("souple", "flexible"), ("économe", "frugal"),
    ("portable", "portable"), ("sobre", "lean"), ("modulaire", "modular"),
]
TOOLS = ["Rust", "Tera", "pulldown-cmark", "rayon", "serde", "Hugo", "Zola",
         "notify", "tokio", "comrak", "syntect", "giallo", "axum", "minijinja"]
TOPICS = [
    ("Comprendre {n}", "Understanding {n}"),
    ("Accélérer {n} avec {t}", "Speeding up {n} with {t}"),
    ("Retour d'expérience sur {n}", "Lessons learned from {n}"),
    ("Tester {n} sur un grand site", "Testing {n} on a large site"),
    ("Pourquoi {n} compte", "Why {n} matters"),
    ("Configurer {n} pas à pas", "Setting up {n} step by step"),
    ("Mesurer {n}", "Measuring {n}"),
    ("{N} et {t} : notes de travail", "{N} and {t}: working notes"),
    ("Migrer {n} vers {t}", "Migrating {n} to {t}"),
    ("Déboguer {n}", "Debugging {n}"),
]
SENTENCES = [
    ("{N1} rend {n2} plus {a1} qu'auparavant.", "{N1} makes {n2} more {a1} than before."),
    ("Avec {t}, {n1} devient {a1} et {a2}.", "With {t}, {n1} becomes {a1} and {a2}."),
    ("Il faut mesurer {n1} avant d'optimiser {n2}.", "You should measure {n1} before optimising {n2}."),
    ("Dans la pratique, {n1} et {n2} évoluent ensemble.", "In practice, {n1} and {n2} evolve together."),
    ("Nous avons constaté que {n1} réduit le temps de génération de {x} %.",
     "We found that {n1} cuts build time by {x}%."),
    ("Cette approche garde {n1} {a1} même avec {k} pages.",
     "This approach keeps {n1} {a1} even with {k} pages."),
    ("{T} gère {n1} sans configuration supplémentaire.", "{T} handles {n1} without extra configuration."),
    ("On peut remplacer {n1} par {n2} si le site reste {a1}.",
     "You can replace {n1} with {n2} if the site stays {a1}."),
    ("L'équipe a documenté {n1} dans le guide de contribution.",
     "The team documented {n1} in the contributing guide."),
    ("En revanche, {n1} demande plus d'attention lors des mises à jour.",
     "On the other hand, {n1} needs more care during upgrades."),
    ("Pour un petit site, {n1} reste un choix {a1}.", "For a small site, {n1} remains a {a1} choice."),
    ("Les tests montrent que {n1} passe à l'échelle sans difficulté.",
     "Tests show that {n1} scales without trouble."),
    ("Il est conseillé d'activer {n1} dès le début du projet.",
     "It is advisable to enable {n1} from the start of the project."),
    ("Sur {k} pages, {n1} a pris {x} millisecondes en moyenne.",
     "Across {k} pages, {n1} took {x} milliseconds on average."),
    ("Le choix de {t} pour {n1} s'est révélé {a1}.", "Choosing {t} for {n1} turned out to be {a1}."),
    ("Rien n'empêche de combiner {n1} avec {n2}.", "Nothing prevents combining {n1} with {n2}."),
]
HEADINGS = [
    ("Contexte", "Background"), ("Motivation", "Motivation"),
    ("Mise en œuvre", "Implementation"), ("Configuration", "Configuration"),
    ("Résultats", "Results"), ("Limites connues", "Known limitations"),
    ("Pour aller plus loin", "Going further"), ("Comparaison", "Comparison"),
    ("Étapes", "Steps"), ("Points clés", "Key points"), ("Mesures", "Measurements"),
]
STEPS = [
    ("Installer {t} et vérifier la version.", "Install {t} and check the version."),
    ("Activer {n1} dans la configuration.", "Enable {n1} in the configuration."),
    ("Lancer une première génération complète.", "Run a first full build."),
    ("Comparer la sortie avec la version précédente.", "Diff the output against the previous version."),
    ("Mesurer {n1} sur {k} pages.", "Measure {n1} on {k} pages."),
    ("Corriger les liens cassés signalés.", "Fix the broken links that were reported."),
    ("Publier le site et surveiller {n1}.", "Publish the site and keep an eye on {n1}."),
    ("Ajouter un test de non-régression pour {n1}.", "Add a regression test for {n1}."),
]
BULLETS = [
    ("{N1} : {a1} et {a2}", "{N1}: {a1} and {a2}"),
    ("{N1}, géré par {t}", "{N1}, handled by {t}"),
    ("{N1} (à activer explicitement)", "{N1} (opt-in)"),
    ("{N1} pour les sites de plus de {k} pages", "{N1} for sites over {k} pages"),
]
TABLE_HEAD = ("| Outil | Pages | Temps (ms) | Mémoire (Mo) |", "| Tool | Pages | Time (ms) | Memory (MB) |")
FOOTNOTES = [
    ("Mesuré sur une machine à {c} cœurs, cache du disque chaud.", "Measured on a {c}-core machine with a warm disk cache."),
    ("Voir la documentation de {t} pour les détails.", "See the {t} documentation for details."),
    ("Chiffre médian sur {c} exécutions.", "Median figure over {c} runs."),
]
CODE_COMMENTS = [
    ("// Charge la configuration puis rend chaque page", "// Load the configuration, then render every page"),
    ("# Réglages du site", "# Site settings"),
]
RUST_FNS = ["render_page", "load_section", "build_index", "collect_links", "write_output", "parse_front_matter"]
RUST_TYPES = ["Page", "Section", "SiteConfig", "Library", "Permalink", "Taxonomy"]


def cap(s):
    return s[:1].upper() + s[1:]


class Filler:
    """Draw random slots once, render in both languages."""

    def __init__(self, rng):
        self.rng = rng

    def slots(self):
        r = self.rng
        n1, n2 = r.sample(range(len(NOUNS)), 2)
        a1, a2 = r.sample(range(len(ADJS)), 2)
        return {"n1": n1, "n2": n2, "a1": a1, "a2": a2, "t": r.choice(TOOLS),
                "x": r.randint(3, 95), "k": r.choice([200, 500, 1000, 5000, 10000, 20000]),
                "c": r.choice([2, 4, 8, 16])}

    @staticmethod
    def fill(tpl, s, li, emph=None):
        n1, n2 = NOUNS[s["n1"]][li], NOUNS[s["n2"]][li]
        a1, a2 = ADJS[s["a1"]][li], ADJS[s["a2"]][li]
        if emph == "a":
            a1 = "*" + a1 + "*"
        elif emph == "n":
            n2 = "**" + n2 + "**"
        return tpl.format(n1=n1, n2=n2, N1=cap(n1), a1=a1, a2=a2, t=s["t"],
                          x=s["x"], k=s["k"], c=s["c"], n=n1, N=cap(n1), T=cap(s["t"]))


def page_title(seed, i):
    r = random.Random(f"title:{seed}:{i}")
    tpl = r.choice(TOPICS)
    n = r.randrange(len(NOUNS))
    t = r.choice(TOOLS)
    out = []
    for li in range(2):
        nn = NOUNS[n][li]
        out.append(tpl[li].format(n=nn, N=cap(nn), t=t))
    # keep titles unique-ish and realistic: add a part number
    out[0] += f" ({i + 1})"
    out[1] += f" ({i + 1})"
    return out  # [fr, en]


def page_slug(i):
    return f"post-{i:05d}"


def page_date(seed, i):
    r = random.Random(f"date:{seed}:{i}")
    return BASE_DATE + i * STEP + dt.timedelta(minutes=r.randrange(6 * 60 - 1))


def page_url(lang, slug):
    """Hugo's URL of a post: the default language at the root."""
    pre = "" if lang == DEFAULT_LANG else "/" + lang
    return f"{pre}/posts/{slug}/"


def kitgen_url(lang, slug):
    """kitgen's URL of a post: every language under /<lang>/."""
    return f"/{lang}/posts/{slug}/"



def page_bodies(seed, i, n_pages, titles):
    """Return [fr_markdown, en_markdown] for page i (same structure, translated).

    Links to other pages carry placeholders; see resolve_links()."""
    r = random.Random(f"body:{seed}:{i}")
    f = Filler(r)
    parts = [[], []]

    def emit(pair):
        for li in range(2):
            parts[li].append(pair[li])

    def link(li, j, s):
        # The target is a placeholder, filled per layout by resolve_links().
        return f"[{titles[j][li]}]({LINK_MARK}{j}{LINK_MARK})"

    def paragraph(n_sent, links=0, footnote=False):
        sents = []
        for _ in range(n_sent):
            tpl = r.choice(SENTENCES)
            s = f.slots()
            emph = r.choice([None, None, "a", "n"])
            sents.append((tpl, s, emph))
        link_targets = [r.randrange(n_pages) for _ in range(links)]
        link_pos = sorted(r.sample(range(n_sent), min(links, n_sent)))
        for li in range(2):
            out = []
            for k, (tpl, s, emph) in enumerate(sents):
                txt = Filler.fill(tpl[li], s, li, emph)
                if k in link_pos:
                    j = link_targets[link_pos.index(k)]
                    txt += (" Voir aussi " if li == 0 else " See also ") + link(li, j, s) + "."
                out.append(txt)
            p = " ".join(out)
            if footnote:
                p += "[^1]"
            parts[li].append(p + "\n")

    heads = r.sample(HEADINGS, 5)
    paragraph(4, links=1)
    emit(("## " + heads[0][0] + "\n", "## " + heads[0][1] + "\n"))
    paragraph(5, links=1, footnote=True)
    # bullet list
    items = []
    for _ in range(r.randint(4, 6)):
        items.append((r.choice(BULLETS), f.slots()))
    for li in range(2):
        parts[li].append("\n".join("- " + Filler.fill(tpl[li], s, li) for tpl, s in items) + "\n")
    paragraph(3)
    emit(("## " + heads[1][0] + "\n", "## " + heads[1][1] + "\n"))
    paragraph(4, links=1)
    # numbered list
    steps = r.sample(STEPS, r.randint(4, 6))
    sl = [f.slots() for _ in steps]
    for li in range(2):
        parts[li].append("\n".join(f"{k + 1}. " + Filler.fill(tpl[li], s, li)
                                   for k, (tpl, s) in enumerate(zip(steps, sl))) + "\n")
    # code block
    if r.random() < 0.5:
        fn, ty = r.choice(RUST_FNS), r.choice(RUST_TYPES)
        lim = r.randint(2, 64)
        code = [
            "```rust",
            "{comment}",
            "use std::collections::HashMap;",
            "",
            f"pub fn {fn}(pages: &[{ty}], cfg: &SiteConfig) -> Result<HashMap<String, String>, Error> {{",
            "    let mut out = HashMap::with_capacity(pages.len());",
            f"    for page in pages.iter().filter(|p| !p.draft).take({lim * 100}) {{",
            "        let html = cfg.markdown.render(&page.raw_content)?;",
            f"        let key = format!(\"{{}}/{{}}\", page.lang, page.slug);",
            "        out.insert(key, html);",
            "    }",
            f"    log::debug!(\"rendered {{}} pages with {lim} workers\", out.len());",
            "    Ok(out)",
            "}",
            "```",
        ]
        cm = CODE_COMMENTS[0]
    else:
        k = r.choice([500, 1000, 5000])
        code = [
            "```yaml",
            "{comment}",
            "title: \"Bench\"",
            "base_url: \"https://example.com\"",
            "default_language: fr",
            "languages: [fr, en]",
            "markdown:",
            f"  highlight_theme: {r.choice(['monokai', 'github-dark', 'nord', 'dracula'])}",
            f"  smart_punctuation: {r.choice(['true', 'false'])}",
            "build:",
            f"  max_pages: {k}",
            f"  workers: {r.choice([1, 2, 4, 8])}",
            "  minify: false",
            "```",
        ]
        cm = CODE_COMMENTS[1]
    for li in range(2):
        parts[li].append("\n".join(code).replace("{comment}", cm[li]) + "\n")
    emit(("### " + heads[2][0] + "\n", "### " + heads[2][1] + "\n"))
    paragraph(3)
    # table
    rows = []
    for tool in r.sample(TOOLS, 4):
        rows.append(f"| {tool} | {r.choice([1000, 2000, 10000, 20000])} | {r.randint(40, 9000)} | {r.randint(20, 900)} |")
    for li in range(2):
        parts[li].append(TABLE_HEAD[li] + "\n| --- | ---: | ---: | ---: |\n" + "\n".join(rows) + "\n")
    paragraph(3)
    emit(("## " + heads[3][0] + "\n", "## " + heads[3][1] + "\n"))
    paragraph(5, links=1)
    paragraph(3)
    emit(("## Conclusion\n", "## Conclusion\n"))
    paragraph(3, links=1)
    fn_tpl, fs = r.choice(FOOTNOTES), f.slots()
    for li in range(2):
        parts[li].append("[^1]: " + Filler.fill(fn_tpl[li], fs, li) + "\n")
    return ["\n".join(p) for p in parts]




_LINK_RE = re.compile(LINK_MARK + r"(\d+)" + LINK_MARK)


def resolve_links(body, lang, layout):
    """Replace the link placeholders of a body with the layout's link targets."""
    if layout == "hugo":
        return _LINK_RE.sub(lambda m: page_url(lang, page_slug(int(m.group(1)))), body)
    # kitgen: the source file, resolved to the page in the same language.
    return _LINK_RE.sub(lambda m: f"@/posts/{page_slug(int(m.group(1)))}.md", body)


def q(s):
    """Double-quoted string valid in both YAML and TOML."""
    return json.dumps(s, ensure_ascii=False)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def yaml_fm(title, date, weight):
    return f"---\ntitle: {q(title)}\ndate: {date.isoformat()}Z\nweight: {weight}\n---\n\n"


def section_intro(lang):
    return {"fr": "Tous les articles, du plus récent au plus ancien.\n",
            "en": "Every post, newest first.\n"}[lang]


def home_intro(lang):
    return {"fr": "Bienvenue sur ce carnet de bord technique.\n",
            "en": "Welcome to this technical logbook.\n"}[lang]


# ------------------------------------------------------------------ Hugo
# Identical to the shared generator's Hugo layout.
HUGO_BASE_URL = "https://example.com"

HUGO_CONFIG = f"""baseURL = "{HUGO_BASE_URL}/"
title = "{SITE_TITLE['fr']}"
defaultContentLanguage = "fr"
defaultContentLanguageInSubdir = false
disableKinds = ["taxonomy", "term", "RSS", "404"]
enableRobotsTXT = false

[languages.fr]
contentDir = "content/fr"
title = "{SITE_TITLE['fr']}"
weight = 1

[languages.en]
contentDir = "content/en"
title = "{SITE_TITLE['en']}"
weight = 2

[markup.highlight]
style = "monokai"
noClasses = true
"""

HUGO_BASEOF = """<!DOCTYPE html>
<html lang="{{ .Language.Lang }}">
<head>
<meta charset="utf-8">
<title>{{ .Title }} | {{ .Site.Title }}</title>
</head>
<body>
<header>
<a href="{{ .Site.Home.RelPermalink }}">{{ .Site.Title }}</a>
<nav class="lang">{{ range .Translations }}<a href="{{ .Permalink }}" hreflang="{{ .Language.Lang }}">{{ .Language.Lang }}</a>{{ end }}</nav>
</header>
<main>
{{ block "main" . }}{{ end }}
</main>
<aside>
<ul class="recent">
{{ range first 20 .CurrentSection.RegularPages.ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul>
</aside>
</body>
</html>
"""

HUGO_SINGLE = """{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006-01-02" }}</time>
{{ .Content }}
</article>
{{ end }}
"""

HUGO_LIST = """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
<ul class="pages">
{{ range .Pages.ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time></li>
{{ end }}</ul>
{{ end }}
"""

# ------------------------------------------------------------------ kitgen
KITGEN_CONFIG = """title: "Carnet de bord"
base_url: "https://example.org/"
default_language: fr
languages:
  - code: fr
    name: "Français"
  - code: en
    name: "English"
    title: "Logbook"
theme: bench
highlight_theme: "base16-ocean.dark"
"""

# The same page structure as the Hugo templates: a header with the site title and
# the links to the other translations, the main block, and on posts a nav of the
# 20 most recent posts.  Tera 2: `page` is not defined in 404.html and root.html,
# so base.html only reads the variables every template gets.
KITGEN_BASE = """<!DOCTYPE html>
<html lang="{{ lang }}" dir="{{ dir }}">
<head>
<meta charset="utf-8">
<title>{% block title %}{{ site.title }}{% endblock title %}</title>
<link rel="stylesheet" href="{{ asset(path='css/highlight.css') }}">
</head>
<body>
<header>
<a href="{{ site.home }}">{{ site.title }}</a>
<nav class="lang">{% block langs %}{% for l in site.languages %}{% if l.code != lang %}<a href="{{ l.url }}" hreflang="{{ l.code }}">{{ l.code }}</a>{% endif %}{% endfor %}{% endblock langs %}</nav>
</header>
<main>
{% block main %}{% endblock main %}
</main>
{% block aside %}{% endblock aside %}
</body>
</html>
"""

KITGEN_TRANSLATIONS = """{% block langs %}{% for t in page.translations %}{% if not t.current %}<a href="{{ t.url }}" hreflang="{{ t.code }}">{{ t.code }}</a>{% endif %}{% endfor %}{% endblock langs %}"""

KITGEN_PAGE = """{% extends "base.html" %}
{% block title %}{{ page.title }} | {{ site.title }}{% endblock title %}
""" + KITGEN_TRANSLATIONS + """
{% block main %}<article>
<h1>{{ page.title }}</h1>
<time datetime="{{ page.date | date(format="iso") }}">{{ page.date | date(format="iso") }}</time>
{{ page.content | safe }}
</article>
{% endblock main %}
{% block aside %}<aside>
<ul class="recent">
{% for p in pages(section="posts", limit=20) %}<li><a href="{{ p.url }}">{{ p.title }}</a></li>
{% endfor %}</ul>
</aside>
{% endblock aside %}
"""

KITGEN_SECTION = """{% extends "base.html" %}
{% block title %}{{ page.title }} | {{ site.title }}{% endblock title %}
""" + KITGEN_TRANSLATIONS + """
{% block main %}<h1>{{ page.title }}</h1>
{{ page.content | safe }}
<ul class="pages">
{% for p in page.pages %}<li><a href="{{ p.url }}">{{ p.title }}</a>{% if p.date %} <time>{{ p.date | date(format="iso") }}</time>{% endif %}</li>
{% endfor %}</ul>
{% for s in page.subsections %}<p><a href="{{ s.url }}">{{ s.title }}</a></p>
{% endfor %}{% endblock main %}
"""

# The home page is a section: same template.
KITGEN_INDEX = """{% extends "section.html" %}
"""

KITGEN_ROOT = """<!DOCTYPE html>
<html lang="{{ lang }}" dir="{{ dir }}">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0; url={{ target }}">
<title>{{ site.title }}</title>
</head>
<body>
<main>
<h1>{{ site.title }}</h1>
<ul>
{% for l in site.languages %}<li><a href="{{ l.url }}" hreflang="{{ l.code }}">{{ l.name }}</a></li>
{% endfor %}</ul>
</main>
</body>
</html>
"""

KITGEN_404 = """{% extends "base.html" %}
{% block title %}404 | {{ site.title }}{% endblock title %}
{% block main %}<h1>404</h1>
<p>Page not found.</p>
<ul>
{% for l in site.languages %}<li><a href="{{ l.url }}" hreflang="{{ l.code }}">{{ l.name }}</a></li>
{% endfor %}</ul>
{% endblock main %}
"""

KITGEN_TEMPLATES = {
    "base.html": KITGEN_BASE,
    "page.html": KITGEN_PAGE,
    "section.html": KITGEN_SECTION,
    "index.html": KITGEN_INDEX,
    "root.html": KITGEN_ROOT,
    "404.html": KITGEN_404,
}


def write_hugo_static(h):
    write(os.path.join(h, "hugo.toml"), HUGO_CONFIG)
    write(os.path.join(h, "layouts", "baseof.html"), HUGO_BASEOF)
    write(os.path.join(h, "layouts", "single.html"), HUGO_SINGLE)
    write(os.path.join(h, "layouts", "list.html"), HUGO_LIST)
    for lang in LANGS:
        write(os.path.join(h, "content", lang, "_index.md"),
              yaml_fm(SITE_TITLE[lang], BASE_DATE, 0) + home_intro(lang))
        write(os.path.join(h, "content", lang, "posts", "_index.md"),
              yaml_fm(SECTION_TITLE[lang], BASE_DATE, 0) + section_intro(lang))


# The interface strings of what kitgen writes beside the pages whatever the theme: the
# language chooser at / and the README of the offline copy.
KITGEN_I18N = {
    "fr": 'root:\n  tagline: "Un carnet de bord."\n  enter: "Entrer"\n  choose: "Choisir la langue"\n'
          'offline:\n  readme_file: "LISEZMOI.txt"\n  readme: "Copie hors ligne du site."\n',
    "en": 'root:\n  tagline: "A logbook."\n  enter: "Enter"\n  choose: "Choose a language"\n'
          'offline:\n  readme_file: "README.txt"\n  readme: "Offline copy of the site."\n',
}


def write_kitgen_static(k):
    write(os.path.join(k, "kitgen.yaml"), KITGEN_CONFIG)
    for lang, text in KITGEN_I18N.items():
        write(os.path.join(k, "themes", "bench", "i18n", f"{lang}.yaml"), text)
    td = os.path.join(k, "themes", "bench", "templates")
    for name, text in KITGEN_TEMPLATES.items():
        write(os.path.join(td, name), text)
    # Empty static folder (kitgen generates css/highlight.css itself).
    os.makedirs(os.path.join(k, "themes", "bench", "static"), exist_ok=True)
    for lang in LANGS:
        write(os.path.join(k, "content", lang, "_index.md"),
              f"---\ntitle: {q(SITE_TITLE[lang])}\n---\n\n" + home_intro(lang))
        write(os.path.join(k, "content", lang, "posts", "_index.md"),
              f"---\ntitle: {q(SECTION_TITLE[lang])}\nsort_by: date\n---\n\n" + section_intro(lang))


def generate(n, outdir, seed=42, force=False, quiet=False):
    """Write OUTDIR/hugo, OUTDIR/kitgen and OUTDIR/manifest.json; return the manifest."""
    for lay in ("hugo", "kitgen"):
        d = os.path.join(outdir, lay)
        if os.path.exists(d):
            if not force:
                raise FileExistsError(f"{d} exists (use --force)")
            shutil.rmtree(d)
    h = os.path.join(outdir, "hugo")
    k = os.path.join(outdir, "kitgen")
    write_hugo_static(h)
    write_kitgen_static(k)

    titles = [page_title(seed, i) for i in range(n)]
    dates = [page_date(seed, i) for i in range(n)]
    body_bytes = 0
    for i in range(n):
        slug = page_slug(i)
        bodies = page_bodies(seed, i, n, titles)
        for li, lang in enumerate(LANGS):
            fm = yaml_fm(titles[i][li], dates[i], i + 1)
            hugo_body = resolve_links(bodies[li], lang, "hugo")
            body_bytes += len(hugo_body.encode("utf-8"))
            write(os.path.join(h, "content", lang, "posts", slug + ".md"), fm + hugo_body)
            write(os.path.join(k, "content", lang, "posts", slug + ".md"),
                  fm + resolve_links(bodies[li], lang, "kitgen"))

    probe = page_slug(n // 2)
    manifest = {
        "pages_per_language": n,
        "languages": list(LANGS),
        "seed": seed,
        "mean_body_bytes": round(body_bytes / (2 * n)) if n else 0,
        # Hugo: 2N posts + per language 1 home + 1 section + the /fr/ -> / alias.
        # kitgen: 2N posts + 2 homes + 2 sections + the root language chooser + 404.html.
        "expected_html": {"hugo": 2 * n + 5, "kitgen": 2 * n + 6},
        "probe": {
            "hugo": {"file": f"content/fr/posts/{probe}.md", "url": page_url("fr", probe)},
            "kitgen": {"file": f"content/fr/posts/{probe}.md", "url": kitgen_url("fr", probe)},
        },
        "notes": {
            "highlight": "hugo: monokai, inline styles; kitgen: base16-ocean.dark, classes + css/highlight.css",
            "links": "hugo: plain paths /posts/<slug>/; kitgen: @/posts/<slug>.md",
        },
    }
    write(os.path.join(outdir, "manifest.json"), json.dumps(manifest, indent=1) + "\n")
    if not quiet:
        print(json.dumps({"n": n, "outdir": outdir, "mean_body_bytes": manifest["mean_body_bytes"]}))
    return manifest


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, help="pages per language")
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--force", action="store_true", help="replace existing hugo/ and kitgen/ folders")
    a = ap.parse_args(argv)
    if a.n < 1:
        ap.error("N must be at least 1")
    try:
        generate(a.n, a.outdir, a.seed, a.force)
    except FileExistsError as e:
        ap.error(str(e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
