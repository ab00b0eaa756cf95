//! Kit packs, second wave: a ZIP per kit and language with the PDFs of its documents, the
//! PDFs of the posters the kit names, and a README; generic, and per commune in scope. Made
//! from the first wave's outputs, so a pack is made again exactly when one of its files changed.

use super::{For, pdf_path, source};
use crate::diag::Diagnostic;
use crate::family::posters::{self, Variant};
use crate::family::{Artifact, Family, Kind, PlanCx, Planned, RenderCx};
use crate::model::Site;
use crate::model::kit::Kit;
use crate::plan::Wave;
use crate::render::zip::{self, Entry, safe_name};

/// The kit packs family.
pub struct KitPacks;

/// A pack: its kit, for whom, and its files (name inside the archive, output path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pack {
    kit: usize,
    to: For,
    members: Vec<(String, String)>,
}

/// The output path of a pack: `downloads/<lang>/kit-<id>[-<commune>].zip`.
pub fn zip_path(site: &Site, kit: &Kit, to: For) -> String {
    let code = &site.config.languages[to.lang].code;
    match (to.commune, site.communes.as_deref()) {
        (Some(i), Some(data)) => format!("downloads/{code}/kit-{}-{}.zip", kit.id, data.slugs[i]),
        _ => format!("downloads/{code}/kit-{}.zip", kit.id),
    }
}

/// The files of a pack.
fn members(site: &Site, k: usize, to: For) -> Vec<(String, String)> {
    let kit = &site.kits[k];
    let mut out = Vec::new();
    for d in &kit.docs {
        if source(site, d, to.lang).is_some() {
            let path = pdf_path(site, kit, &d.meta.id, to);
            let name = path.rsplit('/').next().unwrap_or(&path).to_string();
            out.push((safe_name(&name), path));
        }
    }
    // The kit's posters, the commune's own version where it has one, in A4.
    let all = posters::variants(site);
    for id in &kit.meta.posters {
        let Some(pi) = site.posters.iter().position(|p| &p.id == id) else { continue };
        let p = &site.posters[pi];
        let own = Variant { poster: pi, lang: to.lang, commune: to.commune };
        let generic = Variant { commune: None, ..own.clone() };
        let Some(v) = [own, generic].into_iter().find(|v| all.contains(v)) else { continue };
        let (dir, stem) = posters::files_of(site, &v);
        let Some(&size) = p.meta.sizes.first() else { continue };
        let name = posters::file_name(&stem, &posters::Job::Pdf(0, size));
        out.push((format!("{}/{}", safe_name(&p.id), safe_name(&name)), format!("{dir}{name}")));
    }
    out
}

impl Family for KitPacks {
    type Job = Pack;
    type State = ();
    type Input = ();

    fn name(&self) -> &'static str {
        "kit packs"
    }

    fn wave(&self) -> Wave {
        Wave::Second
    }

    fn plan(&self, cx: &PlanCx<'_>) -> Planned<Pack, ()> {
        let site = cx.site();
        let mut outputs = Vec::new();
        let scope = site.communes.as_deref().map(|d| d.in_scope(site.config.scopes.kits)).unwrap_or_default();
        for (k, kit) in site.kits.iter().enumerate() {
            for lang in 0..site.config.languages.len() {
                if !kit.docs.iter().any(|d| source(site, d, lang).is_some()) {
                    continue;
                }
                let mut whom = vec![For { lang, commune: None }];
                if site.commune_urls.as_ref().is_some_and(|u| u.has(lang)) {
                    whom.extend(scope.iter().map(|&i| For { lang, commune: Some(i) }));
                }
                for to in whom {
                    outputs
                        .push((zip_path(site, kit, to), Pack { kit: k, to, members: members(site, k, to) }));
                }
            }
        }
        Planned::new((), outputs)
    }

    fn render(&self, cx: &RenderCx<'_, Self>, _: &(), pack: &Pack) -> Result<Artifact, Diagnostic> {
        let site = cx.site;
        let kit = &site.kits[pack.kit];
        let lang = pack.to.lang;
        let mut files = Vec::with_capacity(pack.members.len() + 1);
        for (name, path) in &pack.members {
            let bytes = cx.output(path).ok_or_else(|| {
                Diagnostic::error("K827", format!("the kit pack lacks {path}, which was not made"))
            })?;
            files.push((name.clone(), bytes));
        }
        let readme = readme(cx, kit, pack)?.replace('\n', "\r\n");
        let mut entries: Vec<Entry<'_>> =
            files.iter().map(|(n, b)| Entry { name: n.clone(), data: b }).collect();
        let readme_name = cx.engine.t(lang, "kits.pack.readme_file")?;
        entries.push(Entry { name: safe_name(&readme_name), data: readme.as_bytes() });
        let bytes = zip::archive(&mut entries)
            .map_err(|e| Diagnostic::error("K827", format!("cannot make the kit pack: {e}")))?;
        Ok(Artifact::file(Kind::Zip, bytes))
    }
}

/// The README of a pack: what is in it, and how to send each letter.
fn readme(cx: &RenderCx<'_, KitPacks>, kit: &Kit, pack: &Pack) -> Result<String, Diagnostic> {
    let site = cx.site;
    let lang = pack.to.lang;
    let l = &site.config.languages[lang];
    let def = &site.config.default_lang().code;
    let mut out =
        format!("{}\n{}\n\n", kit.title(&l.code, def), "=".repeat(kit.title(&l.code, def).chars().count()));
    if let (Some(i), Some(data)) = (pack.to.commune, site.communes.as_deref()) {
        out.push_str(&cx.engine.t_with(lang, "kits.pack.for_commune", &[("name".into(), data.name(i))])?);
        out.push_str("\n\n");
    }
    let desc = kit.description(&l.code, def);
    if !desc.is_empty() {
        out.push_str(desc);
        out.push_str("\n\n");
    }
    out.push_str(&cx.engine.t(lang, "kits.pack.readme")?);
    out.push_str("\n\n");
    for d in &kit.docs {
        let Some((src, _)) = source(site, d, lang) else { continue };
        let path = pdf_path(site, kit, &d.meta.id, pack.to);
        let file = path.rsplit('/').next().unwrap_or(&path);
        out.push_str(&format!("* {file} — {}\n", src.front.title));
        if let Some(s) = &src.front.summary {
            out.push_str(&format!("  {s}\n"));
        }
        if let Some(a) = &src.front.advice {
            out.push_str(&format!("  {} {a}\n", cx.engine.t(lang, "kits.pack.how")?));
        }
        out.push('\n');
    }
    out.push_str(&cx.engine.t_with(
        lang,
        "kits.pack.more",
        &[("url".into(), site.config.absolute_url(&site.home_url(lang)))],
    )?);
    out.push('\n');
    Ok(out)
}
