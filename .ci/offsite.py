#!/usr/bin/env python3
"""Second line of the privacy check: no HTML page in the output loads anything from another host.

`kitgen check --strict` already parses every page; this script is an independent check that does
not share kitgen's code. A plain grep cannot tell an attribute from text that shows one (the
troubleshooting guide prints an example message with `<script src="https://…">` in a code block),
so the grep only picks candidate files and this script parses them with Python's own HTML parser,
looking at real attributes of real elements.

Usage: offsite.py FILE... ; prints each off-site resource as FILE: <tag attr="url"> and exits 1
when it found any.
"""

import sys
from html.parser import HTMLParser

# Attributes through which a page loads something without the reader asking for it.
LOADING = {"src", "srcset", "poster", "data"}
# <link rel=…> values that make the browser fetch the href.
FETCHING_RELS = {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "manifest", "apple-touch-icon"}


def off_site(url: str) -> bool:
    url = url.strip().lower()
    return url.startswith(("http://", "https://", "//"))


class Finder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = [(k, v or "") for k, v in attrs]
        for key, value in attrs:
            if key in LOADING:
                urls = [part.split()[0] for part in value.split(",") if part.strip()] if key == "srcset" else [value]
                self.found += [f'<{tag} {key}="{u}">' for u in urls if off_site(u)]
        if tag == "link":
            rels = set(dict(attrs).get("rel", "").lower().split())
            href = dict(attrs).get("href", "")
            if rels & FETCHING_RELS and off_site(href):
                self.found.append(f'<link rel="{" ".join(sorted(rels))}" href="{href}">')

    handle_startendtag = handle_starttag


def main(paths):
    bad = 0
    for path in paths:
        finder = Finder()
        with open(path, encoding="utf-8") as f:
            finder.feed(f.read())
        finder.close()
        for item in finder.found:
            print(f"{path}: {item}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
