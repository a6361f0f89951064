//! The house's directions (README "Layout"): which layer of src/ may use
//! which, read from the code's paths; no module circle; the command line is
//! the binary's alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each layer and the layers it may use besides itself.
const ALLOWED: &[(&str, &[&str])] = &[
    ("os", &[]),
    ("engine", &[]),
    ("input", &["engine", "folder", "os"]),
    ("folder", &["engine", "os"]),
    ("render", &["engine", "folder"]),
    ("store", &["folder", "os"]),
    ("mail", &["engine", "folder", "render", "os"]),
    (
        "app",
        &["engine", "input", "folder", "render", "store", "mail", "os"],
    ),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every .rs file under `dir`.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: src/input/sheet/mod.rs is input::sheet.
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// The code of a file without comments (doc links name paths too, but do
/// not make an arrow).
fn code(file: &Path) -> String {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|l| match l.trim_start().starts_with("//") {
            true => "",
            false => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths after `prefix` (`crate::`, `plan::`), each as its segments.
fn paths(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (i, _) in code.match_indices(prefix) {
        let before = code[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut rest = &code[i + prefix.len()..];
        let mut segs = Vec::new();
        loop {
            let id: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if id.is_empty() {
                break;
            }
            rest = &rest[id.len()..];
            segs.push(id);
            match rest.strip_prefix("::") {
                Some(r) => rest = r,
                None => break,
            }
        }
        out.push(segs);
    }
    out
}

/// The library's modules and, for each, the modules its code names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut all = Vec::new();
    files(&src(), &mut all);
    let lib: Vec<PathBuf> = all
        .into_iter()
        .filter(|f| !f.ends_with("main.rs") && !f.starts_with(src().join("cli")))
        .collect();
    let modules: BTreeSet<String> = lib.iter().map(|f| module_of(f)).collect();
    let mut edges = BTreeMap::new();
    for f in &lib {
        let me = module_of(f);
        let mut to = BTreeSet::new();
        for segs in paths(&code(f), "crate::") {
            let target = (1..=segs.len())
                .rev()
                .map(|n| segs[..n].join("::"))
                .find(|m| modules.contains(m));
            if let Some(t) = target.filter(|t| *t != me) {
                to.insert(t);
            }
        }
        edges.insert(me, to);
    }
    edges
}

fn layer(module: &str) -> &str {
    module.split("::").next().unwrap()
}

#[test]
fn every_arrow_follows_the_directions() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let graph = graph();
    assert!(graph.len() > 40, "only {} modules found", graph.len());
    let mut wrong = Vec::new();
    for (from, tos) in &graph {
        let Some(may) = allowed.get(layer(from)) else {
            assert!(from == "lib", "{from}: not in a layer of the house");
            continue;
        };
        for to in tos {
            if layer(to) != layer(from) && !may.contains(&layer(to)) {
                wrong.push(format!("{from} → {to}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "arrows against the directions:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_module_circle() {
    let graph = graph();
    // Depth-first search; a module met again on the current path closes a circle.
    fn visit<'a>(
        m: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<String> {
        if let Some(i) = path.iter().position(|p| *p == m) {
            return Some(format!("{} → {m}", path[i..].join(" → ")));
        }
        if !done.insert(m) {
            return None;
        }
        path.push(m);
        for to in graph.get(m).into_iter().flatten() {
            if let Some(circle) = visit(to, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        let found = visit(m, &graph, &mut Vec::new(), &mut done);
        assert!(found.is_none(), "a circle: {}", found.unwrap());
    }
}

#[test]
fn the_command_line_is_the_binarys_and_uses_the_application_only() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    assert!(!lib.contains("mod cli"), "lib.rs exports cli");
    let mut cli = Vec::new();
    files(&src().join("cli"), &mut cli);
    assert!(cli.len() >= 5, "only {} cli files", cli.len());
    for f in &cli {
        for segs in paths(&code(f), "plan::") {
            let first = segs.first().map(String::as_str).unwrap_or("");
            assert_eq!(
                first,
                "app",
                "{}: uses plan::{}",
                f.display(),
                segs.join("::")
            );
        }
    }
    let main = code(&src().join("main.rs"));
    assert!(
        paths(&main, "plan::").is_empty(),
        "main.rs reaches past cli"
    );
}

#[test]
fn the_paths_are_read_as_written() {
    let segs = paths(
        "use crate::input::sheet::{self, x};\nlet a = crate::engine::diag::thousands(1);",
        "crate::",
    );
    assert_eq!(segs[0], ["input", "sheet"]);
    assert_eq!(segs[1], ["engine", "diag", "thousands"]);
    assert!(paths("xcrate::a", "crate::").is_empty());
}
