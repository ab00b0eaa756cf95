//! Mobilisation kits: `kits/<id>/kit.yaml` and the documents it lists, `kits/<id>/<doc>.<lang>.md`.
//! Only reading and checking happen here; filling is the kits family's.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::load::files;
use crate::model::kit::{DocFront, DocSource, Kit, KitDoc, KitMeta};
use crate::yaml;

/// Reads every kit folder, sorted by weight then id.
pub fn load(config: &Config, diags: &mut Vec<Diagnostic>) -> Vec<Kit> {
    let dir = config.root.join("kits");
    let mut ids: Vec<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !files::is_ignored(n))
        .collect();
    ids.sort();
    let mut out: Vec<Kit> = ids.iter().filter_map(|id| load_one(config, id, diags)).collect();
    out.sort_by(|a, b| a.meta.weight.cmp(&b.meta.weight).then_with(|| a.id.cmp(&b.id)));
    out
}

/// A YAML error as a diagnostic located in its file.
fn yaml_error(
    code: &'static str,
    e: yaml::YamlError,
    display: &std::path::Path,
    text: &str,
    line_offset: usize,
) -> Diagnostic {
    let e = e.shifted(line_offset);
    let mut d = Diagnostic::error(code, e.message).at(display).located(text, e.line, e.col, e.width);
    d.notes = e.notes;
    if let Some(h) = e.hint {
        d = d.hint(h);
    }
    d
}

fn load_one(config: &Config, id: &str, diags: &mut Vec<Diagnostic>) -> Option<Kit> {
    let root = &config.root;
    let dir = root.join("kits").join(id);
    let display = crate::diag::rel_to(root, &dir);
    if crate::slug::slugify(id) != id {
        diags.push(
            Diagnostic::error("K821", format!("kit folder `{id}` is not a plain name")).at(&display).hint(
                format!("rename it `{}` (lower case letters, digits and dashes)", crate::slug::slugify(id)),
            ),
        );
        return None;
    }
    let found = files::walk(root, &dir, diags);
    if !found.iter().any(|f| f.rel == "kit.yaml") {
        diags.push(
            Diagnostic::error("K821", format!("kit folder kits/{id}/ has no kit.yaml"))
                .at(&display)
                .hint("a kit is a folder with kit.yaml (its title and documents) and one `<document>.<lang>.md` per document and language; see docs/kits.md"),
        );
        return None;
    }
    let mut version = std::collections::hash_map::DefaultHasher::new();
    let yaml_path = dir.join("kit.yaml");
    let yaml_display = crate::diag::rel_to(root, &yaml_path);
    let yaml_text = match super::read_text(root, &yaml_path, super::MAX_TEXT_FILE) {
        Ok(t) => t,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    yaml_text.hash(&mut version);
    let meta: KitMeta = match yaml::parse(&yaml_text) {
        Ok(m) => m,
        Err(e) => {
            diags.push(yaml_error("K821", e, &yaml_display, &yaml_text, 0));
            return None;
        }
    };
    let mut ok = true;
    let mut err = |key: &str, msg: String, hint: String| {
        let (l, c, w) = yaml::locate(&yaml_text, key).unwrap_or((1, 1, 1));
        diags.push(Diagnostic::error("K821", msg).at(&yaml_display).located(&yaml_text, l, c, w).hint(hint));
        ok = false;
    };
    let default = config.default_lang().code.clone();
    if !meta.title.contains_key(&default) {
        err(
            "title",
            format!("the kit has no title in `{default}`, the default language"),
            "add `title:` with one line per language code".into(),
        );
    }
    for code in meta.title.keys().chain(meta.description.keys()) {
        if config.lang_index(code).is_none() {
            err(
                "title",
                format!("`{code}` is not a configured language"),
                "use the codes of `languages` in kitgen.yaml".into(),
            );
        }
    }
    if meta.documents.is_empty() {
        err(
            "documents",
            "the kit lists no document".into(),
            "list its documents: `- { id: lettre, kind: letter }`".into(),
        );
    }
    let mut seen = std::collections::HashSet::new();
    for (i, d) in meta.documents.iter().enumerate() {
        if crate::slug::slugify(&d.id) != d.id {
            err(
                &format!("documents[{i}]"),
                format!("document id `{}` is not a plain name", d.id),
                format!(
                    "write `{}` and name its files `{}.<lang>.md`",
                    crate::slug::slugify(&d.id),
                    crate::slug::slugify(&d.id)
                ),
            );
        } else if !seen.insert(d.id.as_str()) {
            err(
                &format!("documents[{i}]"),
                format!("document `{}` is listed twice", d.id),
                "list each document once".into(),
            );
        }
    }
    if !ok {
        return None;
    }

    // The documents' files: `<doc>.<lang>.md`.
    let mut docs = Vec::with_capacity(meta.documents.len());
    for d in &meta.documents {
        let mut sources = BTreeMap::new();
        for (li, l) in config.languages.iter().enumerate() {
            let path = dir.join(format!("{}.{}.md", d.id, l.code));
            if !path.is_file() {
                continue;
            }
            let shown = crate::diag::rel_to(root, &path);
            let text = match super::read_text(root, &path, super::MAX_TEXT_FILE) {
                Ok(t) => t,
                Err(e) => {
                    diags.push(e);
                    continue;
                }
            };
            text.hash(&mut version);
            match document(&text, &shown) {
                Ok((front, body_start)) => {
                    sources.insert(li, DocSource { path: shown, text, body_start, front });
                }
                Err(e) => diags.extend(e),
            }
        }
        let def = config.lang_index(&default).unwrap_or(0);
        if !sources.contains_key(&def) {
            let path = crate::diag::rel_to(root, &dir.join(format!("{}.{default}.md", d.id)));
            if !diags.iter().any(|x| x.path.as_deref() == Some(path.as_path())) {
                diags.push(
                    Diagnostic::error(
                        "K822",
                        format!(
                            "document `{}` of kit `{id}` has no file in `{default}`, the default language",
                            d.id
                        ),
                    )
                    .at(&path)
                    .hint(format!("write kits/{id}/{}.{default}.md; other languages fall back to it", d.id)),
                );
            }
            continue;
        }
        docs.push(KitDoc { meta: d.clone(), sources });
    }
    // Files that no document or language claims.
    for f in &found {
        let Some(stem) = f.rel.strip_suffix(".md") else { continue };
        let known = stem.rsplit_once('.').is_some_and(|(doc, lang)| {
            meta.documents.iter().any(|d| d.id == doc) && config.lang_index(lang).is_some()
        });
        if !known && !f.rel.contains('/') {
            let hint = match stem.rsplit_once('.') {
                Some((doc, lang)) if meta.documents.iter().any(|d| d.id == doc) => {
                    format!(
                        "`{lang}` is not a configured language: add it to `languages` in kitgen.yaml, or remove the file"
                    )
                }
                Some((doc, _)) => format!(
                    "add `- {{ id: {doc}, kind: letter }}` to `documents` in kit.yaml, or remove the file"
                ),
                None => "name kit documents `<document>.<lang>.md`".to_string(),
            };
            diags.push(
                Diagnostic::warning("K822", format!("kits/{id}/{} is not used", f.rel))
                    .at(crate::diag::rel_to(root, &dir.join(&f.rel)))
                    .hint(hint),
            );
        }
    }
    if docs.len() != meta.documents.len() {
        return None;
    }
    Some(Kit { id: id.to_string(), dir: display, meta, docs, version: version.finish() })
}

/// Splits and checks a document's front matter.
fn document(text: &str, shown: &std::path::Path) -> Result<(DocFront, usize), Vec<Diagnostic>> {
    let display = shown.to_string_lossy();
    let (yaml_start, yaml_end, body_start) =
        super::frontmatter::delimit(text, &display).map_err(|d| vec![d])?;
    let line_offset = text[..yaml_start].matches('\n').count();
    let front: DocFront = yaml::parse(&text[yaml_start..yaml_end])
        .map_err(|e| vec![yaml_error("K822", e, shown, text, line_offset)])?;
    if front.title.trim().is_empty() {
        let (l, c, w) = yaml::locate(&text[yaml_start..yaml_end], "title").unwrap_or((1, 1, 1));
        return Err(vec![
            Diagnostic::error("K822", "title is empty")
                .at(shown)
                .located(text, l + line_offset, c, w)
                .hint("write the document's title: `title: \"…\"`"),
        ]);
    }
    Ok((front, body_start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_errors_are_located_in_the_file() {
        let e = document(
            "---\ntitle: \"Lettre\"\nsubjet: \"x\"\n---\nCorps\n",
            std::path::Path::new("kits/k/l.fr.md"),
        )
        .unwrap_err();
        assert_eq!(e[0].code, "K822");
        assert_eq!(e[0].line, Some(3), "{e:?}");
        assert!(e[0].message.contains("subjet"), "{}", e[0].message);
        let (front, start) =
            document("---\ntitle: \"Lettre\"\nrecipient: dpo\n---\nCorps\n", std::path::Path::new("k.md"))
                .unwrap();
        assert_eq!(front.recipient, crate::model::kit::Recipient::Dpo);
        assert_eq!(start, "---\ntitle: \"Lettre\"\nrecipient: dpo\n---\n".len());
    }
}
