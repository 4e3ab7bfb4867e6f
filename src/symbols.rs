//! What each name in a policy stands for, and where: the index an editor answers "go to
//! definition", "find references", "rename" and "hover" from.
//!
//! The checker records every name it resolves (a field read, a value, a decision compared with
//! one of its outcomes, an action after `then`, a kind after `forbid`) as it resolves it, so the
//! index says what the checker understood, not what a second reading guesses: `loss` in
//! `operating_status = loss` is the enumeration's choice, in `classification = loss` the
//! decision's outcome. The schema's declarations are recorded from the schema file as written.
//! The index is built whether or not the policy has errors: an editor needs it most then.

use std::collections::BTreeMap;

use crate::lang::Text;
use crate::source::{FileId, Span};
use crate::syntax::ast;

/// What a name stands for. Names are those of the declaration (a field's first name even where
/// the policy writes its other name), so one symbol is the same across the files of a policy.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Symbol {
    /// A field of the loan.
    Field(String),
    /// A field of the records of a list field (`promises.kept`).
    RecordField {
        /// The list field.
        list: String,
        /// The record's field.
        field: String,
    },
    /// One choice of an enumeration field (`operating_status`'s `loss`).
    Choice {
        /// The field whose choice it is (for a record's field, `list.field`).
        field: String,
        /// The choice.
        choice: String,
    },
    /// A derived value (`let`) or deadline.
    Value(String),
    /// A decision.
    Decision(String),
    /// One of the values a decision gives (`gives one of normal, loss`).
    Outcome {
        /// The decision.
        decision: String,
        /// The value.
        outcome: String,
    },
    /// A rule of a decision (a table's row is one too).
    Rule(String),
    /// A guard.
    Guard(String),
    /// An action.
    Action(String),
    /// A kind of actions.
    Kind(String),
}

impl Symbol {
    /// The name as declared.
    pub fn name(&self) -> &str {
        match self {
            Symbol::Field(name)
            | Symbol::Value(name)
            | Symbol::Decision(name)
            | Symbol::Rule(name)
            | Symbol::Guard(name)
            | Symbol::Action(name)
            | Symbol::Kind(name) => name,
            Symbol::RecordField { field, .. } => field,
            Symbol::Choice { choice, .. } => choice,
            Symbol::Outcome { outcome, .. } => outcome,
        }
    }

    /// True for names the data itself uses (fields, their records' fields, enumeration
    /// choices): portfolios spell them, so renaming one in the policy alone would break every
    /// book read with it.
    pub fn named_by_data(&self) -> bool {
        matches!(
            self,
            Symbol::Field(_) | Symbol::RecordField { .. } | Symbol::Choice { .. }
        )
    }
}

/// One place a name is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// What it stands for.
    pub symbol: Symbol,
    /// The name as written (its file and bytes).
    pub span: Span,
    /// True where the name is declared, false where it is used.
    pub definition: bool,
}

/// A declaration: where it is, what it says about itself.
#[derive(Clone, Debug)]
pub struct Declaration {
    /// What it declares.
    pub symbol: Symbol,
    /// Its name as written.
    pub name: Span,
    /// The whole declaration (a rule with its condition and outcome, a decision's header line,
    /// a field's line).
    pub whole: Span,
    /// Its label (a rule's, a guard's reason, a field's description), if written.
    pub label: Option<String>,
    /// A guard's basis (`per "..."`).
    pub basis: Option<String>,
    /// The other name (a field's or choice's Chinese or English one).
    pub alias: Option<String>,
    /// What kind of value it holds (a field's type, a derived value's), said in words.
    pub type_text: Option<Text>,
    /// The declaration it sits in: a rule's decision, an outcome's decision, a choice's field.
    pub container: Option<Symbol>,
}

impl Declaration {
    /// A declaration of `symbol` named at `name`, the whole of it at `whole`.
    pub(crate) fn new(symbol: Symbol, name: Span, whole: Span) -> Declaration {
        Declaration {
            symbol,
            name,
            whole,
            label: None,
            basis: None,
            alias: None,
            type_text: None,
            container: None,
        }
    }

    pub(crate) fn label(mut self, label: Option<&ast::Text>) -> Declaration {
        self.label = label.map(|l| l.value.clone());
        self
    }

    pub(crate) fn container(mut self, container: Symbol) -> Declaration {
        self.container = Some(container);
        self
    }
}

/// Every name of a policy (and of the schema and modules it reads), resolved.
#[derive(Clone, Debug, Default)]
pub struct Symbols {
    occurrences: Vec<Occurrence>,
    declarations: BTreeMap<Symbol, Declaration>,
}

impl Symbols {
    /// Records a use of `symbol` at `span`.
    pub(crate) fn used(&mut self, symbol: Symbol, span: Span) {
        self.occurrences.push(Occurrence {
            symbol,
            span,
            definition: false,
        });
    }

    /// Records a declaration; the first of a name stands (a second one is an error the checker
    /// reports), but every one is an occurrence.
    pub(crate) fn declared(&mut self, declaration: Declaration) {
        self.occurrences.push(Occurrence {
            symbol: declaration.symbol.clone(),
            span: declaration.name,
            definition: true,
        });
        self.declarations
            .entry(declaration.symbol.clone())
            .or_insert(declaration);
    }

    /// Sets what kind of value a declared symbol holds.
    pub(crate) fn set_type(&mut self, symbol: &Symbol, type_text: Text) {
        if let Some(declaration) = self.declarations.get_mut(symbol) {
            declaration.type_text = Some(type_text);
        }
    }

    /// Adds another index's names (a schema's to a policy's).
    pub(crate) fn extend(&mut self, other: Symbols) {
        self.occurrences.extend(other.occurrences);
        for (symbol, declaration) in other.declarations {
            self.declarations.entry(symbol).or_insert(declaration);
        }
    }

    /// Puts occurrences in file and text order, each place once (a table's shared condition
    /// is checked once per row, but written once).
    pub(crate) fn finish(&mut self) {
        self.occurrences.sort_by(|a, b| {
            (a.span.file, a.span.start, a.span.end, &a.symbol).cmp(&(
                b.span.file,
                b.span.start,
                b.span.end,
                &b.symbol,
            ))
        });
        self.occurrences
            .dedup_by(|a, b| a.span == b.span && a.symbol == b.symbol);
    }

    /// Every occurrence, in file and text order.
    pub fn occurrences(&self) -> &[Occurrence] {
        &self.occurrences
    }

    /// The occurrence whose name covers byte `offset` of file `file` (its end counts, so a
    /// cursor just after a name finds it).
    pub fn at(&self, file: FileId, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .find(|o| o.span.file == file && o.span.start <= offset && offset < o.span.end)
            .or_else(|| {
                self.occurrences
                    .iter()
                    .find(|o| o.span.file == file && o.span.end == offset)
            })
    }

    /// Where `symbol` is declared, and what the declaration says.
    pub fn declaration(&self, symbol: &Symbol) -> Option<&Declaration> {
        self.declarations.get(symbol)
    }

    /// Every declaration, by symbol.
    pub fn declarations(&self) -> impl Iterator<Item = &Declaration> {
        self.declarations.values()
    }

    /// Every place `symbol` is written, its declarations included.
    pub fn references<'s>(&'s self, symbol: &'s Symbol) -> impl Iterator<Item = &'s Occurrence> {
        self.occurrences.iter().filter(move |o| o.symbol == *symbol)
    }
}

/// The declarations of a schema as written: its fields (with their records' fields) and the
/// choices of each enumeration.
pub(crate) fn of_schema(decl: &ast::SchemaDecl) -> Symbols {
    let mut symbols = Symbols::default();
    for field in &decl.fields {
        field_declarations(&mut symbols, field, None);
    }
    symbols.used(Symbol::Field(decl.key.name.clone()), decl.key.span);
    symbols.finish();
    symbols
}

fn field_declarations(symbols: &mut Symbols, field: &ast::FieldDecl, list: Option<&str>) {
    let symbol = match list {
        Some(list) => Symbol::RecordField {
            list: list.to_owned(),
            field: field.name.name.clone(),
        },
        None => Symbol::Field(field.name.name.clone()),
    };
    let mut declaration = Declaration::new(
        symbol.clone(),
        field.name.span,
        field.name.span.to(field.ty.span),
    )
    .label(field.label.as_ref());
    declaration.alias = field.alias.as_ref().map(|a| a.name.clone());
    if let Some(list) = list {
        declaration.container = Some(Symbol::Field(list.to_owned()));
    }
    symbols.declared(declaration);
    if let Some(alias) = &field.alias {
        symbols.used(symbol.clone(), alias.span);
    }
    let owner = match list {
        Some(list) => format!("{list}.{}", field.name.name),
        None => field.name.name.clone(),
    };
    match &field.ty.kind {
        ast::TypeKind::Enum(choices) => {
            for choice in choices {
                let symbol = Symbol::Choice {
                    field: owner.clone(),
                    choice: choice.name.name.clone(),
                };
                let mut declaration =
                    Declaration::new(symbol.clone(), choice.name.span, choice.name.span)
                        .container(Symbol::Field(owner.clone()));
                declaration.alias = choice.alias.as_ref().map(|a| a.name.clone());
                symbols.declared(declaration);
                if let Some(alias) = &choice.alias {
                    symbols.used(symbol, alias.span);
                }
            }
        }
        ast::TypeKind::List(records) if list.is_none() => {
            for record in records {
                field_declarations(symbols, record, Some(&field.name.name));
            }
        }
        ast::TypeKind::Scalar(_) | ast::TypeKind::List(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::files::MemoryFiles;
    use crate::load::inspect_policy;

    const SCHEMA: &str = "schema loans keyed by id\n  field id: text\n  field days_late: days\n  \
        field status (经营状况): one of normal (正常), loss\n  \
        field promises: list of { due_on: date, kept: bool }\n";
    const POLICY: &str = "policy p\nuse schema \"loans.schema\"\n\
        let late \"days late\" = days_late + 1 days\n\
        let broken = count(promises where not kept)\n\
        actions call \"phone call\", visit\nkind contact: call, visit\n\
        decision class: first match, gives one of ok, bad\n  rule K1 when 经营状况 = 正常 then ok\n  rule K2 otherwise then bad\n\
        decision treatment: first match, gives action\n  rule T1 when class = bad and late > 30 days then visit\n  rule T2 when broken > 1 then call\n  rule T3 otherwise then nothing\n\
        guard G \"too late\" per \"rule 7\" when status = loss forbid contact\n";

    fn inspected(policy: &str) -> (crate::load::Inspection, String) {
        let files = MemoryFiles::new()
            .with(Path::new("loans.schema"), SCHEMA.to_owned())
            .with(Path::new("p.policy"), policy.to_owned());
        let inspection = inspect_policy(&files, Path::new("p.policy")).expect("readable");
        (inspection, policy.to_owned())
    }

    /// The symbol of the `nth` (from 0) place `needle` is written in the policy.
    fn symbol_at(
        inspection: &crate::load::Inspection,
        text: &str,
        needle: &str,
        nth: usize,
    ) -> Option<Symbol> {
        let offset = text.match_indices(needle).nth(nth)?.0;
        inspection
            .symbols
            .at(inspection.source.id(), offset)
            .map(|o| o.symbol.clone())
    }

    #[test]
    fn each_name_is_what_the_checker_resolved_it_to() {
        let (inspection, text) = inspected(POLICY);
        assert!(inspection.program.is_some(), "{:?}", inspection.diagnostics);
        let choice = |field: &str, choice: &str| Symbol::Choice {
            field: field.to_owned(),
            choice: choice.to_owned(),
        };
        assert_eq!(
            symbol_at(&inspection, &text, "经营状况", 0),
            Some(Symbol::Field("status".into()))
        );
        assert_eq!(
            symbol_at(&inspection, &text, "正常", 0),
            Some(choice("status", "normal"))
        );
        assert_eq!(
            symbol_at(&inspection, &text, "loss", 0),
            Some(choice("status", "loss"))
        );
        assert_eq!(
            symbol_at(&inspection, &text, "bad", 1),
            Some(Symbol::Outcome {
                decision: "class".into(),
                outcome: "bad".into()
            })
        );
        assert_eq!(
            symbol_at(&inspection, &text, "kept", 0),
            Some(Symbol::RecordField {
                list: "promises".into(),
                field: "kept".into()
            })
        );
        assert_eq!(
            symbol_at(&inspection, &text, "late >", 0),
            Some(Symbol::Value("late".into()))
        );
        assert_eq!(
            symbol_at(&inspection, &text, "contact\n", 0),
            Some(Symbol::Kind("contact".into()))
        );
        assert_eq!(
            symbol_at(&inspection, &text, "visit\n", 1),
            Some(Symbol::Action("visit".into()))
        );
        // Every use and the declaration of `late`; the declaration says its type and label.
        let late = Symbol::Value("late".into());
        assert_eq!(inspection.symbols.references(&late).count(), 2);
        let declaration = inspection.symbols.declaration(&late).expect("declared");
        assert_eq!(declaration.label.as_deref(), Some("days late"));
        assert!(declaration.type_text.is_some());
        // A field is declared in the schema file, with its other name.
        let status = inspection
            .symbols
            .declaration(&Symbol::Field("status".into()))
            .expect("field");
        assert_ne!(status.name.file, inspection.source.id());
        assert_eq!(status.alias.as_deref(), Some("经营状况"));
        let guard = inspection
            .symbols
            .declaration(&Symbol::Guard("G".into()))
            .expect("guard");
        assert_eq!(guard.basis.as_deref(), Some("rule 7"));
    }

    #[test]
    fn a_policy_with_errors_still_has_its_names() {
        let broken = POLICY.replace("then visit", "then vist");
        let (inspection, text) = inspected(&broken);
        assert!(inspection.program.is_none());
        assert!(inspection.diagnostics.has_errors());
        assert_eq!(
            symbol_at(&inspection, &text, "late >", 0),
            Some(Symbol::Value("late".into()))
        );
        assert_eq!(symbol_at(&inspection, &text, "vist", 0), None);
    }
}
