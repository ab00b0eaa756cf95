//! `kitgen new`: writes a minimal site (see `scaffold`) and says what to do next.

use crate::cli::NewArgs;
use crate::scaffold::{self, NewSite};

/// Creates the site; 0 on success, 1 when the folder is not empty, 2 for a bad language code.
pub fn run(args: NewArgs) -> i32 {
    let mut languages =
        if args.languages.is_empty() { vec!["fr".to_string(), "en".to_string()] } else { args.languages };
    let mut seen = std::collections::HashSet::new();
    languages.retain(|l| seen.insert(l.clone()));
    if let Some(bad) = languages.iter().find(|l| {
        let ok = (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase());
        !ok
    }) {
        eprintln!(
            "error: `{bad}` is not a language code: write a two- or three-letter code in lower case (fr, en, de, …)"
        );
        return 2;
    }
    let site = NewSite { dir: args.dir.clone(), languages, title: args.title };
    match scaffold::create(&site) {
        Ok(n) => {
            let d = args.dir.display();
            println!(
                "kitgen: created {d} ({n} files)\n\nNext:\n  cd {d}\n  kitgen serve            preview with live reload\n  kitgen build --strict   build into public/\n\nTo get a page per commune, copy data/communes-fr.json, data/departements-fr.json and data/regions-fr.json from the campaign site, then add records with `kitgen import records FILE`."
            );
            0
        }
        Err(d) => {
            crate::diag::print_then(&[d], "nothing was written");
            1
        }
    }
}
