//! The code keeps to the allowed imports `ARCHITECTURE.md` lists: each library module uses only
//! the modules listed for it, the list has no circle, every module is listed, and the command
//! line reaches the library only through its public API.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::root;

/// `module: allowed, ...` from the "Allowed imports" section of ARCHITECTURE.md.
fn allowed() -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let section = text
        .split("## Allowed imports")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("ARCHITECTURE.md has an \"Allowed imports\" section");
    section
        .lines()
        .filter_map(|line| line.strip_prefix("- `"))
        .map(|line| {
            let (module, rest) = line.split_once("`:").unwrap();
            let uses = rest
                .split(',')
                .map(|name| name.trim().trim_matches('`').to_owned())
                .filter(|name| !name.is_empty() && name != "—")
                .collect();
            (module.to_owned(), uses)
        })
        .collect()
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The library modules each file's non-test code names with `crate::`.
fn used_by(text: &str) -> BTreeSet<String> {
    // Unit tests sit at the end of a file; they may reach anywhere.
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut used = BTreeSet::new();
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        for (at, _) in line.match_indices("crate::") {
            let name: String = line[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            used.insert(name);
        }
    }
    used
}

#[test]
fn every_module_uses_only_what_architecture_md_allows() {
    let allowed = allowed();
    let src = root().join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut modules = BTreeSet::new();
    let mut strays = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap();
        let module = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        if module == "cli" || module == "main" {
            // The binary: the library only through `arrears::`.
            assert!(
                !text.contains("crate::") || module == "main",
                "{} reaches into the library with `crate::`",
                relative.display()
            );
            continue;
        }
        if module == "lib" {
            continue;
        }
        modules.insert(module.clone());
        let Some(may) = allowed.get(&module) else {
            strays.push(format!("`{module}` is not listed in ARCHITECTURE.md"));
            continue;
        };
        for used in used_by(&text) {
            if used != module && !may.contains(&used) {
                strays.push(format!(
                    "{} uses `{used}`, which `{module}` may not",
                    relative.display()
                ));
            }
        }
    }
    assert!(strays.is_empty(), "{strays:#?}");
    let listed: BTreeSet<String> = allowed.keys().cloned().collect();
    assert_eq!(listed, modules, "ARCHITECTURE.md lists exactly the modules");
}

#[test]
fn the_allowed_imports_have_no_circle() {
    let allowed = allowed();
    // Depth-first search for a back edge.
    fn visit(
        module: &str,
        allowed: &BTreeMap<String, BTreeSet<String>>,
        on_path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(module) {
            return;
        }
        assert!(
            !on_path.iter().any(|m| m == module),
            "a circle: {} → {module}",
            on_path.join(" → ")
        );
        on_path.push(module.to_owned());
        for next in allowed.get(module).into_iter().flatten() {
            assert!(
                allowed.contains_key(next),
                "`{next}` is not a listed module"
            );
            visit(next, allowed, on_path, done);
        }
        on_path.pop();
        done.insert(module.to_owned());
    }
    let mut done = BTreeSet::new();
    for module in allowed.keys() {
        visit(module, &allowed, &mut Vec::new(), &mut done);
    }
}
