//! `arrears fmt`: the canonical layout, `--check`, and soundness over every policy in the repo.

use crate::support::{arrears, root, temp, write};

#[test]
fn a_messy_policy_gets_the_canonical_layout() {
    let dir = temp();
    let messy = std::fs::read_to_string(root().join("tests/golden/fmt/messy.policy")).unwrap();
    let schema = std::fs::read_to_string(root().join("policies/loan-v1.schema")).unwrap();
    std::fs::create_dir_all(dir.path().join("a/b/c")).unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    write(&dir.path().join("policies"), "loan-v1.schema", &schema);
    let path = write(&dir.path().join("a/b/c"), "messy.policy", &messy);
    let before = arrears(&["check", &path]);
    assert_eq!(before.code, 0, "{}", before.stderr);

    let check = arrears(&["fmt", "--check", &path]);
    assert_eq!(check.code, 1);
    assert!(
        check.stdout.contains("@@"),
        "a diff is printed: {}",
        check.stdout
    );
    insta::assert_snapshot!(
        "check_diff",
        check.stdout.replace(dir.path().to_str().unwrap(), "[tmp]")
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        messy,
        "--check changes nothing"
    );

    let format = arrears(&["fmt", &path]);
    assert_eq!(format.code, 0, "{}", format.stderr);
    let formatted = std::fs::read_to_string(&path).unwrap();
    insta::assert_snapshot!(formatted);
    assert_eq!(
        arrears(&["fmt", "--check", &path]).code,
        0,
        "formatting twice changes nothing"
    );
    assert_eq!(
        arrears(&["check", &path]).code,
        0,
        "the formatted policy still checks"
    );
}

#[test]
fn the_shipped_policies_are_formatted() {
    let outcome = arrears(&["fmt", "--check", "policies/"]);
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.stderr);
}

#[test]
fn every_policy_in_the_repository_formats_soundly_and_idempotently() {
    // Files with syntax errors are refused (exit 1, nothing written); every other file must
    // format, keep its meaning (checked inside the formatter) and be stable on a second pass.
    let dir = temp();
    let mut count = 0;
    for folder in ["policies", "tests/golden/check", "tests/golden/fmt"] {
        for entry in std::fs::read_dir(root().join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if !path
                .extension()
                .is_some_and(|e| e == "policy" || e == "schema")
            {
                continue;
            }
            count += 1;
            let copy = write(
                dir.path(),
                &format!("{count}.{}", path.extension().unwrap().to_string_lossy()),
                &std::fs::read_to_string(&path).unwrap(),
            );
            let first = arrears(&["fmt", &copy]);
            if first.code != 0 {
                assert!(
                    first.stderr.contains("E10"),
                    "{}: only syntax errors may stop the formatter\n{}",
                    path.display(),
                    first.stderr
                );
                continue;
            }
            let second = arrears(&["fmt", "--check", &copy]);
            assert_eq!(
                second.code,
                0,
                "{} is not stable:\n{}",
                path.display(),
                second.stdout
            );
        }
    }
    assert!(count >= 8);
}
