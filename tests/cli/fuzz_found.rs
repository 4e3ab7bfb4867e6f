//! Replays every input that once broke arrears (`tests/fuzz-found/`) through the fuzz targets'
//! own code: none may panic.

use crate::support::root;

#[path = "../../fuzz/bodies.rs"]
mod bodies;

fn files(kind: &str) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(root().join("tests/fuzz-found").join(kind))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "tests/fuzz-found/{kind} has its reproducers"
    );
    files
}

#[test]
fn policies_that_once_broke_arrears_are_handled() {
    for file in files("policy") {
        let bytes = std::fs::read(&file).unwrap();
        if let Ok(text) = std::str::from_utf8(&bytes) {
            bodies::policy(text);
        }
    }
}

#[test]
fn portfolios_that_once_broke_arrears_are_handled() {
    for file in files("portfolio") {
        bodies::portfolio(&std::fs::read(&file).unwrap());
    }
}
