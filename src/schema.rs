//! The loan schema: which fields a loan has, their types, which may be missing, and the
//! choices of each enumeration. Built from a `schema` block (usually `policies/loan-v1.schema`).

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::lang::text;
use crate::source::{SourceFile, Span};
use crate::syntax::ast::{self, ScalarType, TypeKind};

/// The type of a field's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// Any text.
    Text,
    /// `true` or `false`.
    Bool,
    /// A whole number.
    Integer,
    /// An exact decimal amount.
    Money,
    /// A calendar date.
    Date,
    /// A number of calendar days.
    Days,
    /// A time of day (`22:00`).
    Time,
    /// One of a fixed list of values; the index into [`Schema::enums`].
    Enum(usize),
    /// A list of records with these fields.
    List(Vec<Field>),
}

impl FieldType {
    /// The type in the policy language's own words.
    pub fn describe(&self, schema: &Schema) -> String {
        match self {
            FieldType::Text => "text".into(),
            FieldType::Bool => "yes/no (bool)".into(),
            FieldType::Integer => "whole number".into(),
            FieldType::Money => "money".into(),
            FieldType::Date => "date".into(),
            FieldType::Days => "number of days".into(),
            FieldType::Time => "time of day".into(),
            FieldType::Enum(id) => match schema.enums.get(*id) {
                Some(values) => format!("one of {}", values.join(", ")),
                None => "one of a list".into(),
            },
            FieldType::List(_) => "list".into(),
        }
    }
}

/// One field of a loan, or of a record in a list field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// Its name: the key portfolios use.
    pub name: String,
    /// Another name policies may use for it (`operating_status (经营状况)`).
    pub alias: Option<String>,
    /// Its type.
    pub ty: FieldType,
    /// True when a loan may lack it.
    pub optional: bool,
    /// Where it is declared.
    pub span: Span,
}

impl Field {
    /// True when `name` is the field's name or its other name.
    pub fn is_named(&self, name: &str) -> bool {
        self.name == name || self.alias.as_deref() == Some(name)
    }
}

/// Some of a schema's fields, by slot: those a run's policy reads (see
/// [`crate::Program::fields_read`]), which a reader told to keep only them builds values for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSet {
    slots: Vec<bool>,
}

impl FieldSet {
    /// No field of a schema of `width` fields.
    pub(crate) fn none(width: usize) -> FieldSet {
        FieldSet {
            slots: vec![false; width],
        }
    }

    pub(crate) fn insert(&mut self, slot: usize) {
        if let Some(place) = self.slots.get_mut(slot) {
            *place = true;
        }
    }

    /// Whether the field at `slot` is in the set.
    pub fn contains(&self, slot: usize) -> bool {
        self.slots.get(slot).copied().unwrap_or(false)
    }
}

/// A loan schema.
#[derive(Clone, Debug)]
pub struct Schema {
    /// The schema's name.
    pub name: String,
    /// The fields of a loan, in declaration order; a field's index is its slot.
    pub fields: Vec<Field>,
    /// The slot of the key field (`loan_id`).
    pub key: usize,
    /// The slot of the field that says whose loan it is (`borrowers by borrower_id`): loans
    /// with the same value are one borrower's. A loan without a value is a borrower of its own.
    pub borrower: Option<usize>,
    /// The choices of every enumeration, by id: the names portfolios use.
    pub enums: Vec<Vec<String>>,
    /// Each choice's other name, if it has one, by enumeration id and choice.
    pub choice_aliases: Vec<Vec<Option<String>>>,
    /// The file the schema was declared in.
    pub source: Arc<SourceFile>,
    /// Each field's name and other name, to its slot, made with `fields`: a book whose
    /// columns or keys come in an order of its own looks every one of them up by name, and a
    /// scan of the fields for each cost a third more per loan (keys in reverse order).
    slots: FxHashMap<String, usize>,
}

impl Schema {
    /// The slot of the field named `name`.
    /// The key field's name (`loan_id`), as records and reports print it.
    pub fn key_name(&self) -> &str {
        self.fields
            .get(self.key)
            .map_or("loan_id", |f| f.name.as_str())
    }

    /// Accepts the field's other name too.
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.slots.get(name).copied()
    }

    /// The index of the choice of enumeration `id` that `name` names, by its name or its other
    /// name.
    pub fn choice(&self, id: usize, name: &str) -> Option<usize> {
        let names = self.enums.get(id)?;
        names.iter().position(|n| n == name).or_else(|| {
            self.choice_aliases
                .get(id)?
                .iter()
                .position(|a| a.as_deref() == Some(name))
        })
    }

    /// Every name a choice of enumeration `id` can be given by, for suggestions.
    pub fn choice_names(&self, id: usize) -> Vec<String> {
        let names = self.enums.get(id).cloned().unwrap_or_default();
        let aliases = self.choice_aliases.get(id).cloned().unwrap_or_default();
        names
            .into_iter()
            .chain(aliases.into_iter().flatten())
            .collect()
    }

    /// Builds a schema from its declaration, reporting every problem in it.
    pub(crate) fn from_decl(
        decl: &ast::SchemaDecl,
        source: &Arc<SourceFile>,
    ) -> (Option<Schema>, Diagnostics) {
        let mut diagnostics = Diagnostics::default();
        let mut enums = Enums::default();
        let fields = fields_of(
            &mut decl.fields.iter(),
            &mut enums,
            source,
            &mut diagnostics,
        );
        if fields.is_empty() {
            diagnostics.push(
                Diagnostic::error(
                    Code::SCHEMA,
                    text!("schema-no-fields", name = &decl.name.name),
                )
                .in_file(source)
                .at(decl.name.span)
                .help(text!("schema-no-fields-help")),
            );
            return (None, diagnostics);
        }
        let key = fields.iter().position(|f| f.is_named(&decl.key.name));
        let Some(key) = key else {
            let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
            diagnostics.push(
                Diagnostic::error(
                    Code::SCHEMA,
                    text!("schema-key-unknown", key = &decl.key.name),
                )
                .in_file(source)
                .at(decl.key.span)
                .maybe_help(
                    crate::diag::did_you_mean(&decl.key.name, names)
                        .map(|n| text!("did-you-mean", name = n)),
                ),
            );
            return (None, diagnostics);
        };
        if let Some(field) = fields.get(key)
            && (field.ty != FieldType::Text || field.optional)
        {
            diagnostics.push(
                Diagnostic::error(Code::SCHEMA, text!("schema-key-text", key = &field.name))
                    .in_file(source)
                    .at(field.span)
                    .help(text!("schema-key-text-help")),
            );
            return (None, diagnostics);
        }
        let mut borrower = None;
        if let Some(name) = &decl.borrower {
            let Some(slot) = fields.iter().position(|f| f.is_named(&name.name)) else {
                let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                diagnostics.push(
                    Diagnostic::error(
                        Code::SCHEMA,
                        text!("schema-borrower-unknown", field = &name.name),
                    )
                    .in_file(source)
                    .at(name.span)
                    .maybe_help(
                        crate::diag::did_you_mean(&name.name, names)
                            .map(|n| text!("did-you-mean", name = n)),
                    ),
                );
                return (None, diagnostics);
            };
            if let Some(field) = fields.get(slot)
                && field.ty != FieldType::Text
            {
                diagnostics.push(
                    Diagnostic::error(
                        Code::SCHEMA,
                        text!("schema-borrower-text", field = &field.name),
                    )
                    .in_file(source)
                    .at(field.span)
                    .help(text!("schema-borrower-text-help")),
                );
                return (None, diagnostics);
            }
            borrower = Some(slot);
        }
        let schema = Schema {
            name: decl.name.name.clone(),
            key,
            borrower,
            enums: enums.names,
            choice_aliases: enums.aliases,
            source: Arc::clone(source),
            slots: slots_by_name(&fields),
            fields,
        };
        (Some(schema), diagnostics)
    }
}

/// Each field's names to its slot; where two fields shared a name, the first would keep it,
/// as a scan of the fields in order finds it (the schema refuses such a clash).
fn slots_by_name(fields: &[Field]) -> FxHashMap<String, usize> {
    let mut slots = FxHashMap::default();
    for (slot, field) in fields.iter().enumerate() {
        for name in std::iter::once(&field.name).chain(&field.alias) {
            slots.entry(name.clone()).or_insert(slot);
        }
    }
    slots
}

/// The enumerations met while building a schema: choice names and their other names.
#[derive(Default)]
struct Enums {
    names: Vec<Vec<String>>,
    aliases: Vec<Vec<Option<String>>>,
}

fn fields_of(
    decls: &mut dyn Iterator<Item = &ast::FieldDecl>,
    enums: &mut Enums,
    source: &Arc<SourceFile>,
    diagnostics: &mut Diagnostics,
) -> Vec<Field> {
    let mut fields: Vec<Field> = Vec::new();
    for decl in decls {
        let (name, ty) = (&decl.name, &decl.ty);
        let clash = std::iter::once(name)
            .chain(decl.alias.as_ref())
            .find_map(|n| {
                fields
                    .iter()
                    .find(|f| f.is_named(&n.name))
                    .map(|first| (n, first))
            });
        if let Some((again, first)) = clash {
            diagnostics.push(
                Diagnostic::error(
                    Code::DUPLICATE_NAME,
                    text!("field-twice", name = &again.name),
                )
                .in_file(source)
                .label(again.span, text!("duplicate-again-here"))
                .label(first.span, text!("duplicate-first-here"))
                .help(text!("field-twice-help")),
            );
            continue;
        }
        if let Some(alias) = &decl.alias
            && alias.name == name.name
        {
            diagnostics.push(
                Diagnostic::error(Code::DUPLICATE_NAME, text!("own-alias", name = &alias.name))
                    .in_file(source)
                    .at(alias.span)
                    .help(text!("own-alias-help")),
            );
        }
        let field_type = match &ty.kind {
            TypeKind::Scalar(scalar) => match scalar {
                ScalarType::Text => FieldType::Text,
                ScalarType::Bool => FieldType::Bool,
                ScalarType::Integer => FieldType::Integer,
                ScalarType::Money => FieldType::Money,
                ScalarType::Date => FieldType::Date,
                ScalarType::Days => FieldType::Days,
                ScalarType::Time => FieldType::Time,
            },
            TypeKind::Enum(choices) => {
                let mut names: Vec<String> = Vec::new();
                let mut aliases: Vec<Option<String>> = Vec::new();
                for choice in choices {
                    let taken = |n: &str| {
                        names.iter().any(|m| m == n) || aliases.iter().flatten().any(|m| m == n)
                    };
                    let again = std::iter::once(&choice.name)
                        .chain(choice.alias.as_ref())
                        .find(|n| taken(&n.name));
                    if let Some(again) = again {
                        diagnostics.push(
                            Diagnostic::error(
                                Code::DUPLICATE_NAME,
                                text!("listed-twice", name = &again.name),
                            )
                            .in_file(source)
                            .at(again.span),
                        );
                    } else {
                        names.push(choice.name.name.clone());
                        aliases.push(choice.alias.as_ref().map(|a| a.name.clone()));
                    }
                }
                enums.names.push(names);
                enums.aliases.push(aliases);
                FieldType::Enum(enums.names.len() - 1)
            }
            TypeKind::List(record) => {
                let inner = fields_of(&mut record.iter(), enums, source, diagnostics);
                if inner.iter().any(|f| matches!(f.ty, FieldType::List(_))) {
                    diagnostics.push(
                        Diagnostic::error(Code::SCHEMA, text!("nested-list"))
                            .in_file(source)
                            .at(ty.span),
                    );
                }
                FieldType::List(inner)
            }
        };
        if ty.optional && matches!(field_type, FieldType::List(_)) {
            diagnostics.push(
                Diagnostic::error(Code::SCHEMA, text!("optional-list"))
                    .in_file(source)
                    .at(ty.span)
                    .help(text!("optional-list-help")),
            );
        }
        fields.push(Field {
            name: name.name.clone(),
            alias: decl.alias.as_ref().map(|a| a.name.clone()),
            ty: field_type,
            optional: ty.optional,
            span: name.span,
        });
    }
    fields
}

#[cfg(test)]
mod tests {
    use crate::input::testing::RETAIL;

    #[test]
    fn every_field_is_found_by_its_name_and_its_other_name_and_nothing_else_is() {
        let schema = &*RETAIL;
        for (slot, field) in schema.fields.iter().enumerate() {
            assert_eq!(schema.slot(&field.name), Some(slot), "{}", field.name);
            if let Some(alias) = &field.alias {
                assert_eq!(schema.slot(alias), Some(slot), "{alias}");
            }
        }
        assert!(schema.fields.iter().any(|f| f.alias.is_some()));
        for name in ["", "loan", "LOAN_ID", "loan_id ", "贷款"] {
            assert_eq!(schema.slot(name), None, "{name:?}");
        }
    }
}
