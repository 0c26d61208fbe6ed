//! Issue 12, "the circles … are gone": no module of a library crate depends, directly or through
//! other modules, on a module that depends on it. ARCHITECTURE.md states this as an invariant;
//! this test keeps it true.
//!
//! A module is a top-level file or folder of a crate's `src/`. It depends on another when its
//! code (not its tests or comments) names `crate::other` or an item `lib.rs` re-exports from
//! `other` (`crate::Item`, `use crate::{Item, …}`). The graph's strongly connected components
//! (Tarjan) are the circles.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each module's dependencies on the crate's other modules.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// The code of a file without its `#[cfg(test)]` tail and without comment lines.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The identifier at the start of `s`.
fn ident(s: &str) -> &str {
    let end = s.find(|c: char| !is_ident(c)).unwrap_or(s.len());
    &s[..end]
}

/// The first path segment of every item in the brace group `s` starts with (`{a::b, c}` → a, c),
/// nested groups skipped.
fn brace_heads(s: &str) -> Vec<&str> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut item_start = true;
    for (i, c) in s.char_indices() {
        match c {
            '{' => {
                depth += 1;
                item_start = depth == 1;
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => item_start = true,
            c if depth == 1 && item_start && is_ident(c) => {
                heads.push(ident(&s[i..]));
                item_start = false;
            }
            _ => {}
        }
    }
    heads
}

/// Every name the code reaches through `crate::`.
fn crate_names(code: &str) -> BTreeSet<&str> {
    let mut names = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if rest.starts_with('{') {
            names.extend(brace_heads(rest));
        } else {
            names.insert(ident(rest));
        }
    }
    names
}

/// Names `lib.rs` re-exports (`pub use module::{A, b::C}`), each with its module.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (i, _) in lib.match_indices("pub use ") {
        let rest = &lib[i + "pub use ".len()..];
        let module = ident(rest);
        let after = &rest[module.len()..];
        let Some(path) = after.strip_prefix("::") else {
            continue;
        };
        let statement = &path[..path.find(';').unwrap_or(path.len())];
        let names: Vec<&str> = if statement.starts_with('{') {
            statement
                .trim_matches(|c| c == '{' || c == '}')
                .split(',')
                .filter_map(|item| item.trim().rsplit("::").next())
                .collect()
        } else {
            statement.rsplit("::").next().into_iter().collect()
        };
        for n in names {
            let n = n.trim().trim_matches(|c| c == '{' || c == '}');
            if !n.is_empty() && n.chars().all(is_ident) {
                out.insert(n.to_string(), module.to_string());
            }
        }
    }
    out
}

/// The module graph of the crate whose `src/` is `src`.
fn module_graph(src: &Path) -> Graph {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap_or_default();
    let reexported = reexports(&code_of(&lib));
    let mut files = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("reads the source folder") {
            let path = entry.expect("lists the source folder").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let module_of = |path: &Path| -> String {
        let first = path.strip_prefix(src).unwrap().components().next().unwrap();
        let name = first.as_os_str().to_string_lossy();
        name.trim_end_matches(".rs").to_string()
    };
    let modules: BTreeSet<String> = files.iter().map(|p| module_of(p)).collect();
    let mut graph = Graph::new();
    for path in &files {
        let module = module_of(path);
        if module == "lib" || module == "main" {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(path).expect("reads a source file"));
        let deps = graph.entry(module.clone()).or_default();
        for name in crate_names(&code) {
            let target = reexported.get(name).map_or(name, String::as_str);
            if target != module && modules.contains(target) {
                deps.insert(target.to_string());
            }
        }
    }
    graph
}

/// The graph's circles: its strongly connected components of more than one module (Tarjan).
fn circles(graph: &Graph) -> Vec<Vec<String>> {
    struct Tarjan<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        out: Vec<Vec<String>>,
    }
    impl<'a> Tarjan<'a> {
        fn visit(&mut self, v: &'a str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).unwrap();
                    *lv = (*lv).min(lw);
                } else if self.stack.contains(&w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).unwrap();
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    component.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.out.push(component);
                }
            }
        }
    }
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.out
}

#[test]
fn no_library_module_depends_on_itself_through_others() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates");
    let mut found = Vec::new();
    let mut checked = 0;
    for entry in std::fs::read_dir(&crates).unwrap() {
        let src = entry.unwrap().path().join("src");
        if !src.join("lib.rs").exists() {
            continue;
        }
        let graph = module_graph(&src);
        checked += graph.len();
        for c in circles(&graph) {
            found.push(format!("{}: {}", src.display(), c.join(" ↔ ")));
        }
    }
    assert!(checked > 50, "only {checked} modules seen");
    assert!(found.is_empty(), "module circles:\n{}", found.join("\n"));
}

/// The detector finds circles where they are: direct, through a re-export, through a third
/// module and through a nested `use crate::{…}` group; and none in a chain.
#[test]
fn the_detector_sees_every_kind_of_circle() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    let write = |name: &str, text: &str| std::fs::write(src.join(name), text).unwrap();
    write(
        "lib.rs",
        "mod a; mod b; mod c; mod d; mod e; mod f;\npub use b::{Bee, nested::Deep};\npub use f::Eff;",
    );
    write("a.rs", "use crate::Bee;\n");
    write("b.rs", "pub struct Bee;\nfn x() { crate::a::go() }\n");
    write("c.rs", "use crate::{d::{One, Two}, Zed};\n");
    write(
        "d.rs",
        "// crate::c in a comment does not count\nuse crate::e::Ee;\n",
    );
    write(
        "e.rs",
        "use crate::Eff;\n#[cfg(test)]\nmod tests { use crate::d; }\n",
    );
    write("f.rs", "pub struct Eff;\nuse crate::c::Cee;\n");
    let found = circles(&module_graph(src));
    assert_eq!(
        found,
        vec![
            vec!["a".to_string(), "b".to_string()],
            vec!["c".into(), "d".into(), "e".into(), "f".into()]
        ]
    );
    // Break the long one: f no longer names c.
    write("f.rs", "pub struct Eff;\n");
    assert_eq!(circles(&module_graph(src)).len(), 1);
}
