//! Poster packs, second wave: a ZIP per language with every generic poster (home and
//! print-shop PDFs of every size, and the SVG) and a README with printing and pasting advice,
//! and a ZIP per commune in scope with its own posters. Made from the posters' outputs, so a
//! pack is rendered again exactly when one of its files changed.

use super::{Job, Variant, communes_in_scope, file_name, files_of, has_print, variants};
use crate::diag::Diagnostic;
use crate::family::{Artifact, Family, Kind, PlanCx, Planned, RenderCx};
use crate::model::Site;
use crate::plan::Wave;
use crate::render::zip::{self, Entry, safe_name};

/// The poster packs family.
pub struct PosterPacks;

/// A pack: a language, and a commune or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pack {
    lang: usize,
    commune: Option<usize>,
    /// Its files: name inside the archive, output path.
    members: Vec<(String, String)>,
}

/// The output path of a pack: `downloads/<lang>/<name>[-<commune>].zip`, the name from the
/// interface strings (`posters.pack_file`: `affiches`, `posters`).
pub fn pack_path(site: &Site, lang: usize, commune: Option<usize>) -> String {
    let code = &site.config.languages[lang].code;
    let name = site
        .i18n
        .t(lang, "posters.pack_file", None, &[])
        .map(|s| crate::slug::slugify(&s))
        .unwrap_or_else(|_| "posters".into());
    let name = if name.is_empty() { "posters".to_string() } else { name };
    match (commune, site.communes.as_deref()) {
        (Some(i), Some(data)) => format!("downloads/{code}/{name}-{}.zip", data.slugs[i]),
        _ => format!("downloads/{code}/{name}.zip"),
    }
}

fn members(site: &Site, vs: &[&Variant]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for v in vs {
        let p = &site.posters[v.poster];
        let (dir, stem) = files_of(site, v);
        let mut jobs = vec![Job::Svg(0)];
        for &s in &p.meta.sizes {
            jobs.push(Job::Pdf(0, s));
            if has_print(p) {
                jobs.push(Job::PrintPdf(0, s));
            }
        }
        for j in jobs {
            let name = file_name(&stem, &j);
            out.push((format!("{}/{}", safe_name(&p.id), safe_name(&name)), format!("{dir}{name}")));
        }
    }
    out
}

impl Family for PosterPacks {
    type Job = Pack;
    type State = ();
    type Input = ();

    fn name(&self) -> &'static str {
        "poster packs"
    }

    fn wave(&self) -> Wave {
        Wave::Second
    }

    fn plan(&self, cx: &PlanCx<'_>) -> Planned<Pack, ()> {
        let site = cx.site();
        let all = variants(site);
        let mut outputs = Vec::new();
        for lang in 0..site.config.languages.len() {
            let generic: Vec<&Variant> =
                all.iter().filter(|v| v.lang == lang && v.commune.is_none()).collect();
            if !generic.is_empty() {
                outputs.push((
                    pack_path(site, lang, None),
                    Pack { lang, commune: None, members: members(site, &generic) },
                ));
            }
            for c in communes_in_scope(site) {
                let own: Vec<&Variant> =
                    all.iter().filter(|v| v.lang == lang && v.commune == Some(c)).collect();
                if !own.is_empty() {
                    outputs.push((
                        pack_path(site, lang, Some(c)),
                        Pack { lang, commune: Some(c), members: members(site, &own) },
                    ));
                }
            }
        }
        Planned::new((), outputs)
    }

    fn render(&self, cx: &RenderCx<'_, Self>, _: &(), pack: &Pack) -> Result<Artifact, Diagnostic> {
        let mut files = Vec::with_capacity(pack.members.len() + 1);
        for (name, path) in &pack.members {
            let bytes = cx.output(path).ok_or_else(|| {
                Diagnostic::error("K809", format!("the pack lacks {path}, which was not made"))
            })?;
            files.push((name.clone(), bytes));
        }
        let readme_name = cx.engine.t(pack.lang, "posters.pack.readme_file")?;
        let mut readme = cx.engine.t(pack.lang, "posters.pack.readme")?;
        if let (Some(i), Some(data)) = (pack.commune, cx.site.communes.as_deref()) {
            readme = format!(
                "{}\n\n{readme}",
                cx.engine.t_with(pack.lang, "posters.pack.for_commune", &[("name".into(), data.name(i))])?
            );
        }
        let readme = readme.replace('\n', "\r\n");
        let mut entries: Vec<Entry<'_>> =
            files.iter().map(|(n, b)| Entry { name: n.clone(), data: b }).collect();
        entries.push(Entry { name: safe_name(&readme_name), data: readme.as_bytes() });
        let bytes = zip::archive(&mut entries)
            .map_err(|e| Diagnostic::error("K809", format!("cannot make the pack: {e}")))?;
        Ok(Artifact::file(Kind::Zip, bytes))
    }
}
