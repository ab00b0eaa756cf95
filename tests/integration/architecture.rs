//! The shape of the code: which top-level module imports which, read from every `crate::`
//! path in `src/` (in `use` lines and in code). No module may import one that imports it back,
//! render engines import no plan or family type, and `docs/architecture.md` shows the table
//! as it is.

use std::collections::{BTreeMap, BTreeSet};

use crate::util::repo;

/// Top-level module → the top-level modules it names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = repo().join("src");
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src).into_iter().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&src).unwrap();
        let module = match rel.components().next().unwrap().as_os_str().to_str().unwrap() {
            m if m.ends_with(".rs") => m.trim_end_matches(".rs").to_string(),
            m => m.to_string(),
        };
        if module == "main" || module == "lib" {
            continue;
        }
        let text = code_only(&std::fs::read_to_string(path).unwrap());
        let deps = g.entry(module.clone()).or_default();
        for name in crate_refs(&text) {
            if name != module {
                deps.insert(name);
            }
        }
    }
    g
}

/// The text without comments (`//` lines and trailing ` // …`), which may name modules freely.
fn code_only(text: &str) -> String {
    text.lines()
        .map(|l| if l.trim_start().starts_with("//") { "" } else { l.split(" // ").next().unwrap_or(l) })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Module names after `crate::`, including each name of a `use crate::{a, b::c}` group.
fn crate_refs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        // `kitgen::crate::` never occurs; skip identifiers that merely end in "crate".
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            let mut at_start = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => {
                        at_start = true;
                        continue;
                    }
                    _ => {}
                }
                if depth == 1 && at_start {
                    if c.is_alphanumeric() || c == '_' {
                        item.push(c);
                    } else if !item.is_empty() {
                        out.push(std::mem::take(&mut item));
                        at_start = false;
                    }
                }
            }
            if !item.is_empty() {
                out.push(item);
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

/// Every cycle, as the modules of a strongly connected component (Tarjan's algorithm).
fn cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        let n = t.index.len();
        t.index.insert(v, n);
        t.low.insert(v, n);
        t.stack.push(v);
        t.on.insert(v);
        for w in t.g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !t.g.contains_key(w) {
                continue;
            }
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in g.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn crate_references_are_read_from_use_groups_and_paths() {
    let refs = crate_refs(
        "use crate::{diag::Diagnostic, model::{Site, Page}};\nfn f() { crate::slug::x(); }\nuse crate::yaml;\n// notcrate::x",
    );
    assert_eq!(refs, ["diag", "model", "slug", "yaml"]);
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let g = graph();
    let c = cycles(&g);
    assert!(c.is_empty(), "import cycles between modules: {c:?}\n{g:#?}");
}

#[test]
fn render_engines_know_no_plan_or_job() {
    let g = graph();
    let render = &g["render"];
    for forbidden in ["plan", "family", "pipeline", "serve", "incremental", "write"] {
        assert!(!render.contains(forbidden), "render imports {forbidden}: {render:?}");
    }
    // The plan is plain data below render.
    for forbidden in ["render", "family", "load", "pipeline"] {
        assert!(!g["plan"].contains(forbidden), "plan imports {forbidden}");
    }
    // The model is below load and render.
    for forbidden in ["load", "render", "family", "plan", "pipeline", "deps"] {
        assert!(!g["model"].contains(forbidden), "model imports {forbidden}");
    }
}

/// The import table of `docs/architecture.md`, between the markers.
#[test]
fn the_architecture_doc_shows_the_imports_as_they_are() {
    let g = graph();
    let mut table = String::from("| module | imports |\n| --- | --- |\n");
    for (m, deps) in &g {
        let list = if deps.is_empty() {
            "nothing from the crate".to_string()
        } else {
            deps.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", ")
        };
        table.push_str(&format!("| `{m}` | {list} |\n"));
    }
    let doc = std::fs::read_to_string(repo().join("docs/architecture.md")).unwrap();
    let start = "<!-- imports: begin -->\n";
    let end = "<!-- imports: end -->";
    let (Some(a), Some(b)) = (doc.find(start), doc.find(end)) else {
        panic!(
            "docs/architecture.md has no import table between {start:?} and {end:?}; it should be:\n{table}"
        )
    };
    let shown = &doc[a + start.len()..b];
    assert_eq!(shown, table, "docs/architecture.md shows another import table; the code has:\n{table}");
}
