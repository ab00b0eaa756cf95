#!/usr/bin/env python3
"""Turns ../shared/data/census-leads.csv (vendors' client lists and press reports) into a CSV for
`kitgen import records`, with honest statuses and notes in French and English.

A lead is a claim, not a verified deployment: every record says `unknown`, with `status` marked
uncertain (kitgen does that for a row without a status), the vendor, the source, and a note that
says where the claim comes from and how to check it (a CADA request).

    python3 scripts/census-leads.py ../shared/data/census-leads.csv > /tmp/leads.csv
    kitgen import records /tmp/leads.csv
"""
import csv
import sys

KNOWN = {"75056"}  # communes the census already holds: merged by hand (see the commit)


def origin(url, vendor):
    if "vizzia.com" in url:
        return (f"l'éditeur {vendor} la cite parmi ses références clients",
                f"the vendor {vendor} lists it among its client references")
    if "ugap.fr" in url:
        return (f"un document de l'UGAP, la centrale d'achat public, sur l'offre de {vendor} la cite",
                f"a document of UGAP, the public purchasing agency, about the offer of {vendor} names it")
    if "assemblee-nationale.fr" in url:
        return (f"un rapport d'information de l'Assemblée nationale (2025) mentionne l'usage du logiciel {vendor}",
                f"an information report of the Assemblée nationale (2025) mentions its use of software by {vendor}")
    if "mamot.fr/@LaQuadrature" in url:
        return (f"La Quadrature du Net a signalé l'achat du logiciel {vendor} (message public sur Mastodon)",
                f"La Quadrature du Net reported the purchase of software by {vendor} (public post on Mastodon)")
    if "leparisien.fr" in url:
        return (f"Le Parisien a rapporté en avril 2021 l'installation d'un logiciel {vendor} d'analyse des comportements",
                f"Le Parisien reported in April 2021 the installation of a {vendor} behaviour-analysis software")
    if "mediapart.fr" in url:
        return (f"Mediapart a révélé en juillet 2024 l'achat d'un logiciel de surveillance algorithmique ({vendor})",
                f"Mediapart revealed in July 2024 the purchase of algorithmic surveillance software ({vendor})")
    return (f"une source publique cite {vendor}", f"a public source names {vendor}")


def main(path):
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["insee", "commune", "departement", "vendors", "sources", "notes (fr)", "notes (en)"])
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["insee"] in KNOWN:
                continue
            vendors = row["vendors"].split("|")
            urls = row["sources"].split("|")
            fr, en = [], []
            for url in urls:
                v = next((v for v in vendors if v.lower() in url.lower()), vendors[0])
                o = origin(url, v)
                if o[0] not in fr:
                    fr.append(o[0])
                    en.append(o[1])
            note_fr = ("Piste à vérifier : " + " ; ".join(fr) + ". C'est une affirmation, pas un déploiement "
                       "constaté : une demande de documents (CADA) à la mairie permet de savoir ce qui est "
                       "installé et utilisé.")
            note_en = ("Lead to check: " + "; ".join(en) + ". This is a claim, not an observed deployment: a "
                       "request for documents (CADA) to the town hall can establish what is installed and used.")
            out.writerow([row["insee"], row["commune"], row["departement"], row["vendors"], row["sources"], note_fr, note_en])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/census-leads.csv")
