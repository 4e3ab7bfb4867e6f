//! From files to a [`Program`]: read the policy, read the schema it names, parse both, check,
//! compile. The one place in the library that opens policy files; the CLI and embedders call it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::check::check;
use crate::compile::{Program, compile};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::schema::Schema;
use crate::source::SourceFile;
use crate::syntax::{self, ast::Item};

/// Why a policy could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The policy file itself could not be read (exit code 2: the tool could not run).
    Unreadable {
        /// The path as given.
        path: PathBuf,
        /// What the operating system said.
        reason: String,
    },
    /// The policy has errors; all of them, with any warnings.
    Invalid(Diagnostics),
}

/// A loaded policy and the warnings found on the way.
#[derive(Debug)]
pub struct Loaded {
    /// The program to evaluate loans with.
    pub program: Program,
    /// Warnings (never errors).
    pub warnings: Diagnostics,
    /// The policy's text, for diagnostics about it found later (the analysis).
    pub source: Arc<SourceFile>,
}

/// Loads, checks and compiles the policy at `path`.
pub fn load_policy(path: &Path) -> Result<Loaded, LoadError> {
    let text = read(path)?;
    load_policy_text(path, text)
}

/// Like [`load_policy`], for policy text already in memory; `path` names it and locates the
/// schema file named by `use schema`.
pub fn load_policy_text(path: &Path, text: String) -> Result<Loaded, LoadError> {
    let source = SourceFile::new(path.display().to_string(), text);
    let (file, mut diagnostics) = syntax::parse(&source);
    let schema = schema_for(&file.items, &source, path, &mut diagnostics);
    let (checked, check_diagnostics) = check(&file, &source, schema);
    diagnostics.extend(check_diagnostics);
    diagnostics.sort();
    match checked {
        Some(checked) if !diagnostics.has_errors() => Ok(Loaded {
            program: compile(checked),
            warnings: diagnostics,
            source,
        }),
        _ => Err(LoadError::Invalid(diagnostics)),
    }
}

/// Checks a schema file on its own (`arrears check loan-v1.schema`).
pub fn check_schema_file(path: &Path) -> Result<Diagnostics, LoadError> {
    let text = read(path)?;
    let source = SourceFile::new(path.display().to_string(), text);
    let (file, mut diagnostics) = syntax::parse(&source);
    let _ = schema_in(&file.items, &source, &mut diagnostics, true);
    diagnostics.sort();
    Ok(diagnostics)
}

fn read(path: &Path) -> Result<String, LoadError> {
    crate::source::read_text(path).map_err(|reason| LoadError::Unreadable {
        path: path.to_path_buf(),
        reason,
    })
}

/// The schema the policy uses: declared inline, or read from the file `use schema` names.
fn schema_for(
    items: &[Item],
    source: &Arc<SourceFile>,
    path: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<Schema> {
    let uses: Vec<_> = items
        .iter()
        .filter_map(|item| match item {
            Item::UseSchema { path } => Some(path),
            _ => None,
        })
        .collect();
    let inline = items.iter().any(|item| matches!(item, Item::Schema(_)));
    match (uses.as_slice(), inline) {
        ([], true) => schema_in(items, source, diagnostics, false),
        ([], false) => None,
        ([used], false) => {
            let schema_path = path.parent().unwrap_or(Path::new("")).join(&used.value);
            let text = match crate::source::read_text(&schema_path) {
                Ok(text) => text,
                Err(error) => {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::SCHEMA_FILE,
                            format!(
                                "cannot read the schema file `{}`: {error}",
                                schema_path.display()
                            ),
                        )
                        .in_file(source)
                        .at(used.span)
                        .help("the path is relative to the folder of the policy file"),
                    );
                    return None;
                }
            };
            let schema_source = SourceFile::new(schema_path.display().to_string(), text);
            let (schema_file, schema_diagnostics) = syntax::parse(&schema_source);
            diagnostics.extend(schema_diagnostics);
            schema_in(&schema_file.items, &schema_source, diagnostics, true)
        }
        (more, _) => {
            let mut diagnostic =
                Diagnostic::error(Code::SCHEMA, "the policy names more than one schema")
                    .in_file(source);
            for used in more {
                diagnostic = diagnostic.at(used.span);
            }
            diagnostics.push(diagnostic.help(
                "a policy reads exactly one loan schema: keep one `use schema` or `schema` block",
            ));
            None
        }
    }
}

/// The one `schema` block among `items`. With `only_schema`, anything else in the file is
/// reported: a schema file holds a schema and nothing more.
fn schema_in(
    items: &[Item],
    source: &Arc<SourceFile>,
    diagnostics: &mut Diagnostics,
    only_schema: bool,
) -> Option<Schema> {
    let mut found = None;
    for item in items {
        match item {
            Item::Schema(decl) if found.is_none() => {
                let (schema, schema_diagnostics) = Schema::from_decl(decl, source);
                diagnostics.extend(schema_diagnostics);
                found = Some(schema);
            }
            Item::Schema(decl) => diagnostics.push(
                Diagnostic::error(
                    Code::SCHEMA,
                    format!("a second schema, `{}`", decl.name.name),
                )
                .in_file(source)
                .at(decl.name.span)
                .help("one file declares one schema"),
            ),
            Item::Policy { .. } => {}
            _ if only_schema => {
                diagnostics.push(
                    Diagnostic::error(Code::SCHEMA, "a schema file holds only the schema")
                        .in_file(source)
                        .at(syntax::item_span(item))
                        .help("move rules, decisions and values into the policy file"),
                );
            }
            _ => {}
        }
    }
    match found {
        Some(schema) => schema,
        None => {
            if only_schema {
                diagnostics.push(
                    Diagnostic::error(Code::SCHEMA, "this schema file declares no schema")
                        .in_file(source)
                        .at(crate::source::Span::new(0, 0))
                        .help("start it with `schema NAME keyed by FIELD`"),
                );
            }
            None
        }
    }
}
