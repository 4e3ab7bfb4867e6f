//! From files to a [`Program`]: read the policy, read the schema it names, parse both, check,
//! compile. Every text is read through a [`Files`] (the disk, or texts in memory); the CLI,
//! embedders and editors call this.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::check::{Checked, check};
use crate::diag::{Code, Diagnostic, Diagnostics, Severity};
use crate::files::{DiskFiles, FileError, Files, MemoryFiles};
use crate::lang::text;
use crate::program::Program;
use crate::schema::Schema;
use crate::source::{FileId, SourceFile};
use crate::symbols::{self, Symbols};
use crate::syntax::{self, ast::Item};

/// Why a policy could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The policy file itself could not be read (exit code 2: the tool could not run).
    Unreadable {
        /// The path as given.
        path: PathBuf,
        /// Why.
        reason: FileError,
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
    /// The policy's file, holding the other files read for it too, for diagnostics found
    /// later (the analysis): each lands in the file its span names.
    pub source: Arc<SourceFile>,
    /// True when the file is a `module`: it can be checked, not run.
    pub is_module: bool,
    /// Every file read, in the order read: the policy, its schema file (when it `use`s one),
    /// then each module. Each holds exactly the text read, for the run manifest's digests.
    pub files: Vec<(FileRole, Arc<SourceFile>)>,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Unreadable { path, reason } => {
                write!(f, "cannot read `{}`: {reason}", path.display())
            }
            LoadError::Invalid(diagnostics) => {
                let count = diagnostics.error_count();
                write!(
                    f,
                    "the policy has {count} error{}",
                    if count == 1 { "" } else { "s" }
                )?;
                if let Some(first) = diagnostics.iter().find(|d| d.severity() == Severity::Error) {
                    write!(f, "; the first: {} {}", first.code().id, first.message())?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for LoadError {}

impl Loaded {
    /// The policy's version: a SHA-256 (hex) over the SHA-256 of every file read for it, one
    /// a line, in the order read. The same texts give the same version wherever they were read
    /// from (disk, memory, a Spark executor), and a change to the schema or any module gives
    /// a new one. Outputs carry it so a decision can be traced to the exact policy.
    pub fn version(&self) -> String {
        use sha2::{Digest as _, Sha256};
        let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let mut lines = String::new();
        for (_, file) in &self.files {
            lines.push_str(&hex(&Sha256::digest(file.text().as_bytes())));
            lines.push('\n');
        }
        hex(&Sha256::digest(lines.as_bytes()))
    }
}

/// What a file read for a policy is to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileRole {
    /// The policy itself.
    Policy,
    /// The schema file it `use`s.
    Schema,
    /// A module it includes, directly or through another module.
    Module,
}

/// A policy, schema or module as an editor sees it: everything checking found and every name
/// it resolved, whether or not there are errors.
#[derive(Debug)]
pub struct Inspection {
    /// Every error and warning, in file and text order.
    pub diagnostics: Diagnostics,
    /// The checked program, when there are no errors (never for a schema file).
    pub program: Option<Program>,
    /// Every name resolved and declared, in the file inspected and in those it read.
    pub symbols: Symbols,
    /// The file inspected, holding the others read for it.
    pub source: Arc<SourceFile>,
    /// True when the file is a `module`.
    pub is_module: bool,
    /// Every file read, in the order read (see [`Loaded::files`]); spans name them by
    /// [`SourceFile::id`].
    pub files: Vec<(FileRole, Arc<SourceFile>)>,
}

/// A policy shipped in `policies/`, by file name, loaded for a test of another module.
#[cfg(test)]
pub(crate) fn shipped(name: &str) -> crate::program::Program {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("policies")
        .join(name);
    load_policy(&path).unwrap().program
}

/// Loads, checks and compiles the policy at `path` from the disk.
pub fn load_policy(path: &Path) -> Result<Loaded, LoadError> {
    load_policy_from(&DiskFiles, path)
}

/// Like [`load_policy`], for policy text already in memory; `path` names it and locates the
/// schema and modules, which are read from the disk.
pub fn load_policy_text(path: &Path, text: String) -> Result<Loaded, LoadError> {
    load_policy_from(&MemoryFiles::over_disk().with(path, text), path)
}

/// Inspects the policy or module at `path`, reading it, its schema and its modules from
/// `files`: what [`load_policy_from`] finds, kept whole even when there are errors, with the
/// names it resolved. Fails only when the file itself cannot be read.
pub fn inspect_policy(files: &dyn Files, path: &Path) -> Result<Inspection, LoadError> {
    let text = read(files, path)?;
    let main = SourceFile::new(path.display().to_string(), text);
    let (mut file, mut diagnostics) = syntax::parse(&main);
    let mut symbols = Symbols::default();
    let is_module = file.items.iter().any(|i| matches!(i, Item::Module { .. }))
        && !file.items.iter().any(|i| matches!(i, Item::Policy { .. }));
    let (schema, schema_path) = schema_for(
        files,
        &file.items,
        &main,
        path,
        &mut diagnostics,
        &mut symbols,
    );
    let modules = read_modules(
        files,
        path,
        &file.items,
        &main,
        schema_path.as_deref(),
        &mut diagnostics,
    );
    let mut read_files = vec![(FileRole::Policy, Arc::clone(&main))];
    if let Some(schema) = &schema
        && !Arc::ptr_eq(&schema.source, &main)
    {
        read_files.push((FileRole::Schema, Arc::clone(&schema.source)));
    }
    read_files.extend(
        modules
            .iter()
            .map(|m| (FileRole::Module, Arc::clone(&m.source))),
    );
    // The modules' statements join the policy's; their spans name their own files. The
    // policy's schema is the one checked: the modules' `use schema` was compared with it when
    // they were read.
    for module in &modules {
        diagnostics.extend(module.diagnostics.clone());
        file.items.extend(
            module
                .items
                .iter()
                .filter(|i| !matches!(i, Item::UseSchema { .. } | Item::Include { .. }))
                .cloned(),
        );
    }
    let source = SourceFile::with_others(
        &main,
        read_files
            .iter()
            .skip(1)
            .map(|(_, file)| Arc::clone(file))
            .collect(),
    );
    // A schema that was named but could not be had has been reported where it was named;
    // checking without it would only add "the policy names no schema".
    let schema_named = file
        .items
        .iter()
        .any(|i| matches!(i, Item::UseSchema { .. } | Item::Schema(_)));
    let program = if schema.is_none() && schema_named {
        None
    } else {
        let Checked {
            program,
            diagnostics: found,
            symbols: resolved,
        } = check(&file, &source, schema, is_module);
        diagnostics.extend(found);
        symbols.extend(resolved);
        program
    };
    diagnostics.sort();
    symbols.finish();
    Ok(Inspection {
        program: program.filter(|_| !diagnostics.has_errors()),
        diagnostics,
        symbols,
        source,
        is_module,
        files: read_files,
    })
}

/// Loads, checks and compiles the policy at `path`, reading it, its schema and its modules
/// from `files`.
pub fn load_policy_from(files: &dyn Files, path: &Path) -> Result<Loaded, LoadError> {
    let inspection = inspect_policy(files, path)?;
    match inspection.program {
        Some(program) => Ok(Loaded {
            program,
            warnings: inspection.diagnostics,
            source: inspection.source,
            is_module: inspection.is_module,
            files: inspection.files,
        }),
        None => Err(LoadError::Invalid(inspection.diagnostics)),
    }
}

/// Checks a schema file on its own (`arrears check loan-v1.schema`).
pub fn check_schema_file(path: &Path) -> Result<Diagnostics, LoadError> {
    check_schema_from(&DiskFiles, path)
}

/// Like [`check_schema_file`], reading from `files`.
pub fn check_schema_from(files: &dyn Files, path: &Path) -> Result<Diagnostics, LoadError> {
    inspect_schema(files, path).map(|inspection| inspection.diagnostics)
}

/// Inspects the schema file at `path`, read from `files`: its problems and its declarations.
pub fn inspect_schema(files: &dyn Files, path: &Path) -> Result<Inspection, LoadError> {
    let text = read(files, path)?;
    let source = SourceFile::new(path.display().to_string(), text);
    let (file, mut diagnostics) = syntax::parse(&source);
    let mut symbols = Symbols::default();
    let _ = schema_in(&file.items, &source, &mut diagnostics, true, &mut symbols);
    diagnostics.sort();
    symbols.finish();
    Ok(Inspection {
        diagnostics,
        program: None,
        symbols,
        files: vec![(FileRole::Schema, Arc::clone(&source))],
        source,
        is_module: false,
    })
}

fn read(files: &dyn Files, path: &Path) -> Result<String, LoadError> {
    files.read(path).map_err(|reason| LoadError::Unreadable {
        path: path.to_path_buf(),
        reason,
    })
}

/// A module read for a policy: its text (with its own [`FileId`]), statements and problems.
struct Module {
    source: Arc<SourceFile>,
    items: Vec<Item>,
    diagnostics: Diagnostics,
}

/// The ids of the files read for a policy: the policy, its schema file, then its modules.
const SCHEMA_FILE: usize = 1;
const FIRST_MODULE: usize = 2;

/// The modules `items` include, and those they include in turn, each once, in the order
/// first met. Paths are relative to the including file. A module must start with `module`
/// and may name only the policy's own schema file.
fn read_modules(
    files: &dyn Files,
    path: &Path,
    items: &[Item],
    source: &Arc<SourceFile>,
    schema_path: Option<&Path>,
    diagnostics: &mut Diagnostics,
) -> Vec<Module> {
    let canonical = |p: &Path| files.identity(p);
    let mut seen: Vec<PathBuf> = vec![canonical(path)];
    let mut modules = Vec::new();
    // (file that includes, its text, its items)
    let mut queue: Vec<(PathBuf, Arc<SourceFile>, Vec<Item>)> =
        vec![(path.to_path_buf(), Arc::clone(source), items.to_vec())];
    while !queue.is_empty() {
        let (from, from_source, from_items) = queue.remove(0);
        for item in &from_items {
            let Item::Include { path: included } = item else {
                continue;
            };
            let module_path = from.parent().unwrap_or(Path::new("")).join(&included.value);
            let problem = |message: crate::lang::Text, help: crate::lang::Text| {
                Diagnostic::error(Code::INCLUDE, message)
                    .in_file(&from_source)
                    .at(included.span)
                    .help(help)
            };
            let key = canonical(&module_path);
            if seen.contains(&key) {
                if key == canonical(path) {
                    diagnostics.push(problem(
                        text!("include-circle", path = &included.value),
                        text!("include-circle-help"),
                    ));
                }
                continue;
            }
            seen.push(key);
            let text = match files.read(&module_path) {
                Ok(text) => text,
                Err(error) => {
                    diagnostics.push(problem(
                        text!(
                            "include-unreadable",
                            path = module_path.display().to_string(),
                            error = error.to_string()
                        ),
                        text!("include-unreadable-help"),
                    ));
                    continue;
                }
            };
            let module = SourceFile::with_id(
                FileId::new(FIRST_MODULE + modules.len()),
                module_path.display().to_string(),
                text,
            );
            let (parsed, module_diagnostics) = syntax::parse(&module);
            let first = parsed
                .items
                .iter()
                .find(|i| !matches!(i, Item::Include { .. } | Item::UseSchema { .. }));
            if !matches!(first, Some(Item::Module { .. })) {
                let header_broken = syntax::split_statements(module.text())
                    .iter()
                    .find(|s| !matches!(s.keyword, "include" | "use"))
                    .is_some_and(|s| s.keyword == "module");
                if header_broken {
                    // It means to be a module; its `module` line does not parse. Say why
                    // there, rather than that it is no module.
                    diagnostics.extend(module_diagnostics);
                } else {
                    diagnostics.push(problem(
                        text!("include-not-module", path = &included.value),
                        text!("include-not-module-help"),
                    ));
                }
                continue;
            }
            for used in parsed.items.iter().filter_map(|i| match i {
                Item::UseSchema { path } => Some(path),
                _ => None,
            }) {
                let used_path = module_path
                    .parent()
                    .unwrap_or(Path::new(""))
                    .join(&used.value);
                if schema_path.is_some_and(|ours| canonical(ours) != canonical(&used_path)) {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::INCLUDE,
                            text!("module-other-schema", path = &used.value),
                        )
                        .in_file(&module)
                        .at(used.span)
                        .help(text!("module-other-schema-help")),
                    );
                }
            }
            if parsed.items.iter().any(|i| matches!(i, Item::Schema(_))) {
                diagnostics.push(problem(
                    text!("module-own-schema", path = &included.value),
                    text!("module-own-schema-help"),
                ));
                continue;
            }
            modules.push(Module {
                source: Arc::clone(&module),
                items: parsed.items.clone(),
                diagnostics: module_diagnostics,
            });
            queue.push((module_path, module, parsed.items));
        }
    }
    modules
}

/// The schema the policy uses: declared inline, or read from the file `use schema` names
/// (returned too, to compare with the schema its modules name).
fn schema_for(
    files: &dyn Files,
    items: &[Item],
    source: &Arc<SourceFile>,
    path: &Path,
    diagnostics: &mut Diagnostics,
    symbols: &mut Symbols,
) -> (Option<Schema>, Option<PathBuf>) {
    let schema = schema_and_path(files, items, source, path, diagnostics, symbols);
    let used = items.iter().find_map(|item| match item {
        Item::UseSchema { path: used } => {
            Some(path.parent().unwrap_or(Path::new("")).join(&used.value))
        }
        _ => None,
    });
    (schema, used)
}

fn schema_and_path(
    files: &dyn Files,
    items: &[Item],
    source: &Arc<SourceFile>,
    path: &Path,
    diagnostics: &mut Diagnostics,
    symbols: &mut Symbols,
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
        ([], true) => schema_in(items, source, diagnostics, false, symbols),
        ([], false) => None,
        ([used], false) => {
            let schema_path = path.parent().unwrap_or(Path::new("")).join(&used.value);
            let text = match files.read(&schema_path) {
                Ok(text) => text,
                Err(error) => {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::SCHEMA_FILE,
                            text!(
                                "schema-unreadable",
                                path = schema_path.display().to_string(),
                                error = error.to_string()
                            ),
                        )
                        .in_file(source)
                        .at(used.span)
                        .help(text!("schema-unreadable-help")),
                    );
                    return None;
                }
            };
            let schema_source = SourceFile::with_id(
                FileId::new(SCHEMA_FILE),
                schema_path.display().to_string(),
                text,
            );
            let (schema_file, schema_diagnostics) = syntax::parse(&schema_source);
            diagnostics.extend(schema_diagnostics);
            schema_in(
                &schema_file.items,
                &schema_source,
                diagnostics,
                true,
                symbols,
            )
        }
        (more, _) => {
            let mut diagnostic =
                Diagnostic::error(Code::SCHEMA, text!("schemas-many")).in_file(source);
            for used in more {
                diagnostic = diagnostic.at(used.span);
            }
            diagnostics.push(diagnostic.help(text!("schemas-many-help")));
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
    symbols: &mut Symbols,
) -> Option<Schema> {
    let mut found = None;
    for item in items {
        match item {
            Item::Schema(decl) if found.is_none() => {
                symbols.extend(symbols::of_schema(decl));
                let (schema, schema_diagnostics) = Schema::from_decl(decl, source);
                diagnostics.extend(schema_diagnostics);
                found = Some(schema);
            }
            Item::Schema(decl) => diagnostics.push(
                Diagnostic::error(Code::SCHEMA, text!("schema-second", name = &decl.name.name))
                    .in_file(source)
                    .at(decl.name.span)
                    .help(text!("schema-second-help")),
            ),
            Item::Policy { .. } => {}
            _ if only_schema => {
                diagnostics.push(
                    Diagnostic::error(Code::SCHEMA, text!("schema-file-only"))
                        .in_file(source)
                        .at(syntax::item_span(item))
                        .help(text!("schema-file-only-help")),
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
                    Diagnostic::error(Code::SCHEMA, text!("schema-file-empty"))
                        .in_file(source)
                        .at(crate::source::Span::new(0, 0).in_file(source.id()))
                        .help(text!("schema-file-empty-help")),
                );
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = "schema loans keyed by id\n  field id: text\n  field days_late: days\n";
    const POLICY: &str = "policy p \"p\"\nuse schema \"loans.schema\"\ninclude \"rules/guard.policy\"\n\
        actions call, visit\nkind contact: call, visit\n\
        decision treatment: first match, gives action\n  rule T1 when days_late > 30 days then visit\n  rule T2 otherwise then call\n";
    const MODULE: &str = "module shared \"shared\"\nuse schema \"../loans.schema\"\nkind contact\n\
        guard G1 \"too late\" when days_late > 900 days forbid contact\n";

    fn memory() -> MemoryFiles {
        MemoryFiles::new()
            .with("book/p.policy", POLICY)
            .with("book/loans.schema", SCHEMA)
            .with("book/rules/guard.policy", MODULE)
    }

    #[test]
    fn a_policy_its_schema_and_its_modules_load_from_memory_alone() {
        let loaded = load_policy_from(&memory(), Path::new("book/p.policy")).unwrap();
        let read: Vec<(FileRole, usize, &str)> = loaded
            .files
            .iter()
            .map(|(role, file)| (*role, file.id().index(), file.name()))
            .collect();
        assert_eq!(
            read,
            [
                (FileRole::Policy, 0, "book/p.policy"),
                (FileRole::Schema, 1, "book/loans.schema"),
                (FileRole::Module, 2, "book/rules/guard.policy"),
            ]
        );
        // Each definition's span names the file it is written in.
        let guard = loaded.program.guards.first().unwrap();
        assert_eq!(guard.named.span.file.index(), 2);
        let module = &loaded.files[2].1;
        assert_eq!(module.slice(guard.named.span), "G1");
        let rule = &loaded.program.decisions[0].rules[0];
        assert_eq!(rule.named.span.file.index(), 0);
        assert_eq!(loaded.files[0].1.slice(rule.named.span), "T1");
    }

    #[test]
    fn an_unsaved_module_is_checked_as_it_stands_and_its_problems_are_placed_in_it() {
        let mut files = memory();
        files.insert(
            "book/rules/guard.policy",
            MODULE.replace("days_late > 900 days", "days_lat > 900 days"),
        );
        let Err(LoadError::Invalid(diagnostics)) =
            load_policy_from(&files, Path::new("book/p.policy"))
        else {
            panic!("the misspelt field in the module is an error");
        };
        let problem = diagnostics.iter().next().unwrap();
        assert_eq!(problem.code().id, "E201");
        let source = problem.source().unwrap();
        assert_eq!(source.name(), "book/rules/guard.policy");
        let span = problem.primary_span().unwrap();
        assert_eq!(source.slice(span), "days_lat");
        assert_eq!(source.line_col(span.start).line, 4);
    }

    #[test]
    fn a_module_whose_module_line_does_not_parse_is_told_so_in_its_own_file() {
        // `guard` is a keyword, so it cannot name a module.
        let files = memory().with(
            "book/rules/guard.policy",
            MODULE.replace("module shared", "module guard"),
        );
        let Err(LoadError::Invalid(diagnostics)) =
            load_policy_from(&files, Path::new("book/p.policy"))
        else {
            panic!("the module line is broken");
        };
        let syntax = diagnostics
            .iter()
            .find(|d| d.code().id == "E101")
            .expect("the module line's syntax error");
        assert_eq!(syntax.source().unwrap().name(), "book/rules/guard.policy");
        assert!(
            !diagnostics
                .iter()
                .any(|d| d.message().contains("is not a module")),
            "{diagnostics:?}"
        );
    }

    #[test]
    fn every_node_of_the_resolved_program_knows_where_it_is_written() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/小微企业催收.policy");
        let loaded = load_policy(&path).unwrap();
        let program = &loaded.program;
        let mut nodes = 0;
        let mut check = |expr: &crate::program::ir::Expr| {
            fn walk(expr: &crate::program::ir::Expr, source: &SourceFile, nodes: &mut usize) {
                *nodes += 1;
                let file = source
                    .file(expr.span.file)
                    .expect("the span's file was read");
                assert!(
                    !file.slice(expr.span).trim().is_empty(),
                    "{expr:?} has no place"
                );
                expr.for_each_child(&mut |child| walk(child, source, nodes));
            }
            walk(expr, &loaded.source, &mut nodes);
        };
        for derived in &program.derived {
            check(&derived.expr);
        }
        for rule in program.decisions.iter().flat_map(|d| &d.rules) {
            if let Some(condition) = &rule.condition {
                check(condition);
            }
        }
        for guard in &program.guards {
            check(&guard.condition);
        }
        assert!(nodes > 500, "{nodes} nodes");
        // A comparison is placed at its own text, in the file it is written in: the module's
        // guards in the module.
        let guard = program.guards.first().unwrap();
        let module = loaded.source.file(guard.condition.span.file).unwrap();
        assert!(module.name().ends_with("guardrails.policy"));
        let retail =
            load_policy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/retail.policy"))
                .unwrap();
        let t14 = retail
            .program
            .decisions
            .iter()
            .flat_map(|d| &d.rules)
            .find(|r| r.named.name == "T14")
            .unwrap();
        let condition = t14.condition.as_ref().unwrap();
        assert_eq!(retail.source.slice(condition.span), "overdue > 30 days");
    }

    #[test]
    fn a_file_missing_from_memory_is_reported_where_it_is_named() {
        let files = MemoryFiles::new().with("book/p.policy", POLICY);
        let Err(LoadError::Invalid(diagnostics)) =
            load_policy_from(&files, Path::new("book/p.policy"))
        else {
            panic!("the schema is not there");
        };
        let codes: Vec<&str> = diagnostics.iter().map(|d| d.code().id).collect();
        assert!(codes.contains(&"E211"), "{codes:?}");
    }
}
