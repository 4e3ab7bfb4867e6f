//! The catalogue test: both languages parse, have the same messages, and each message takes
//! the same parameters in both; every message the code asks for exists, and every message
//! exists because the code asks for it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fluent_syntax::ast;

use super::{CHINESE, ENGLISH, Lang};

/// Each message of a catalogue, with the parameters it uses.
fn messages(name: &str, text: &str) -> BTreeMap<String, BTreeSet<String>> {
    let resource = match fluent_syntax::parser::parse(text) {
        Ok(resource) => resource,
        Err((_, errors)) => panic!("{name} does not parse: {errors:?}"),
    };
    let mut out = BTreeMap::new();
    for entry in resource.body {
        if let ast::Entry::Message(message) = entry {
            let mut parameters = BTreeSet::new();
            if let Some(pattern) = &message.value {
                pattern_parameters(pattern, &mut parameters);
            }
            let id = message.id.name.to_owned();
            assert!(
                out.insert(id.clone(), parameters).is_none(),
                "{name}: `{id}` twice"
            );
        }
    }
    out
}

fn pattern_parameters(pattern: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_parameters(expression, out);
        }
    }
}

fn expression_parameters(expression: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            inline_parameters(selector, out);
            for variant in variants {
                pattern_parameters(&variant.value, out);
            }
        }
        ast::Expression::Inline(inline) => inline_parameters(inline, out),
    }
}

fn inline_parameters(inline: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_owned());
        }
        ast::InlineExpression::Placeable { expression } => expression_parameters(expression, out),
        _ => {}
    }
}

#[test]
fn every_message_is_in_both_languages_with_the_same_parameters() {
    let english = messages("en.ftl", ENGLISH);
    let chinese = messages("zh.ftl", CHINESE);
    let only = |a: &BTreeMap<String, BTreeSet<String>>, b: &BTreeMap<String, BTreeSet<String>>| {
        a.keys()
            .filter(|k| !b.contains_key(*k))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        only(&english, &chinese),
        Vec::<String>::new(),
        "not in zh.ftl"
    );
    assert_eq!(
        only(&chinese, &english),
        Vec::<String>::new(),
        "not in en.ftl"
    );
    for (id, parameters) in &english {
        assert_eq!(
            Some(parameters),
            chinese.get(id),
            "`{id}` takes different parameters in the two languages"
        );
    }
}

/// Every `"message-id"` the code names after `tr!(lang, `, `text!(` or in a `.text(` call, outside this
/// module.
fn ids_in_code() -> BTreeMap<String, String> {
    let mut ids = BTreeMap::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable").flatten() {
            let path = entry.path();
            // The catalogue's own code names messages only as examples.
            if path.is_dir() && !path.ends_with("lang") {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source is text");
            for marker in ["tr!(", "text!(", ".text("] {
                for (at, _) in text.match_indices(marker) {
                    let Some(rest) = text.get(at + marker.len()..) else {
                        continue;
                    };
                    // `tr!(lang, "id"`, `text!("id"`, `.text("id"` (perhaps on the next line):
                    // the first string literal after the marker, with only a language or
                    // spaces before it.
                    let start = match rest.find('"') {
                        Some(start)
                            if rest.get(..start).is_some_and(|before| {
                                before.chars().all(|c| {
                                    c.is_whitespace() || c.is_alphanumeric() || "_,.&".contains(c)
                                })
                            }) =>
                        {
                            start + 1
                        }
                        _ => continue,
                    };
                    let Some(id) = rest
                        .get(start..)
                        .and_then(|r| r.find('"').and_then(|end| r.get(..end)))
                    else {
                        continue;
                    };
                    let id_like =
                        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
                    if id.chars().all(id_like) && !id.is_empty() {
                        ids.insert(id.to_owned(), path.display().to_string());
                    }
                }
            }
        }
    }
    ids
}

#[test]
fn the_code_asks_only_for_messages_the_catalogue_has_and_uses_them_all() {
    let english = messages("en.ftl", ENGLISH);
    let used = ids_in_code();
    let missing: Vec<String> = used
        .iter()
        .filter(|(id, _)| !english.contains_key(*id))
        .map(|(id, file)| format!("{id} ({file})"))
        .collect();
    assert_eq!(
        missing,
        Vec::<String>::new(),
        "asked for, not in the catalogue"
    );
    // Used: named as a string literal anywhere in the code (a grammar rule's description is
    // a message id in a table), this file aside.
    let mut code = String::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("lang/tests.rs")
            {
                code.push_str(&std::fs::read_to_string(&path).expect("source is text"));
            }
        }
    }
    let unused: Vec<&String> = english
        .keys()
        .filter(|id| !used.contains_key(*id) && !code.contains(&format!("\"{id}\"")))
        // The codes' pages are named by code (`code-e201-summary`), `diag` checks them; the
        // command line's help by command and argument (`help-run--as-of`), `cli` checks them.
        .filter(|id| !id.starts_with("code-") && !id.starts_with("help-"))
        .collect();
    assert_eq!(
        unused,
        Vec::<&String>::new(),
        "in the catalogue, never asked for"
    );
}

#[test]
fn parameters_and_plurals_are_filled_in() {
    let loans = |lang: Lang, count: u64| tr!(lang, "loans", count = count, shown = "1,000");
    assert_eq!(loans(Lang::En, 1), "1,000 loan");
    assert_eq!(loans(Lang::En, 1000), "1,000 loans");
    assert_eq!(loans(Lang::Zh, 1000), "1,000 笔");
    assert_eq!(
        tr!(Lang::Zh, "explain-is-missing", name = "最早未还日"),
        "最早未还日 缺失"
    );
    // No Unicode isolation marks around the parameters.
    assert!(!tr!(Lang::En, "explain-is-missing", name = "x").contains('\u{2068}'));
    assert_eq!(tr!(Lang::En, "list-separator"), ", ");
}

#[test]
fn languages_are_read_from_tags_as_the_environment_writes_them() {
    assert_eq!(Lang::from_tag("zh_CN.UTF-8"), Some(Lang::Zh));
    assert_eq!(Lang::from_tag("zh-Hans"), Some(Lang::Zh));
    assert_eq!(Lang::from_tag("en_GB.UTF-8"), Some(Lang::En));
    assert_eq!(Lang::from_tag("C.UTF-8"), None);
    assert_eq!(Lang::from_tag("POSIX"), None);
    assert_eq!(Lang::from_tag("fr_FR"), None);
}
