#!/usr/bin/env python3
"""Writes a census CSV of N rows (default 500) drawn from data/communes-fr.json, to time
`kitgen import records` against the full commune list:

    python3 bench/import_csv.py 500 > /tmp/census.csv
    cp -r . /tmp/site && cd /tmp/site            # a copy: the import writes data/records/
    for i in 1 2 3 4 5; do /usr/bin/time -f %e kitgen import records /tmp/census.csv --dry-run >/dev/null; done

Rows mix INSEE codes and names (with stray spaces, capitals, `St`/`Ste`), some unmatched and
ambiguous names, and several rows for the same commune."""
import json, random, sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
communes = json.load(open("data/communes-fr.json", encoding="utf-8"))
rng = random.Random(17)
statuses = ["déployé", "expérimentation", "projet", "refusé", "inconnu", ""]
vendors = ["Briefcam", "SNEF", "Axis", "Hikvision", "Two-i", "XXII"]
print("insee;commune;département;statut;fournisseurs;sources;notes")
for i in range(n):
    c = rng.choice(communes)
    name = c["nom"]
    code = c["code"] if i % 2 == 0 else ""
    if i % 7 == 0:
        name = name.upper().replace("SAINT-", "ST ").replace("SAINTE-", "STE ")
    if i % 31 == 0:
        name = name[:-1] + "x"  # a typo: unmatched, nearest names
    dep = c["departement"] if i % 3 else ""
    st = rng.choice(statuses)
    src = f"https://example.org/{c['code']}" if st in ("déployé", "expérimentation") or i % 4 == 0 else ""
    v = ", ".join(rng.sample(vendors, rng.randint(0, 2)))
    print(f'{code};" {name} ";{dep};{st};"{v}";{src};"Ligne {i}"')
