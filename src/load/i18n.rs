//! Interface strings: `themes/<theme>/i18n/<lang>.yaml`, then the site's `i18n/<lang>.yaml`.
//!
//! Only reading happens here; [`crate::i18n::I18n::new`] parses and checks what was read.

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::i18n::{SourceFile, Sources};

/// Reads the interface-strings files of every configured language.
pub fn load(config: &Config, diags: &mut Vec<Diagnostic>) -> Sources {
    let mut langs = Vec::new();
    for lang in &config.languages {
        let mut files = Vec::new();
        for dir in [config.theme_dir().join("i18n"), config.root.join("i18n")] {
            let path = dir.join(format!("{}.yaml", lang.code));
            if !path.is_file() {
                continue;
            }
            let text = match super::read_text(&config.root, &path, super::MAX_TEXT_FILE) {
                Ok(t) => Some(t),
                Err(d) => {
                    diags.push(d);
                    None
                }
            };
            files.push(SourceFile { path: crate::diag::rel_to(&config.root, &path), text });
        }
        langs.push(files);
    }
    let mut site_files: Vec<String> = std::fs::read_dir(config.root.join("i18n"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    site_files.sort();
    Sources { langs, site_files }
}
