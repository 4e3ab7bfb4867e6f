//! The loan schema: which fields a loan has, their types, which may be missing, and the
//! choices of each enumeration. Built from a `schema` block (usually `policies/loan-v1.schema`).

use std::sync::Arc;

use crate::diag::{Code, Diagnostic, Diagnostics};
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
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: FieldType,
    /// True when a loan may lack it.
    pub optional: bool,
    /// Where it is declared.
    pub span: Span,
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
    /// The choices of every enumeration, by id.
    pub enums: Vec<Vec<String>>,
    /// The file the schema was declared in.
    pub source: Arc<SourceFile>,
}

impl Schema {
    /// The slot of the field named `name`.
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// Builds a schema from its declaration, reporting every problem in it.
    pub(crate) fn from_decl(
        decl: &ast::SchemaDecl,
        source: &Arc<SourceFile>,
    ) -> (Option<Schema>, Diagnostics) {
        let mut diagnostics = Diagnostics::default();
        let mut enums = Vec::new();
        let fields = fields_of(
            &mut decl.fields.iter().map(|f| (&f.name, &f.ty)),
            &mut enums,
            source,
            &mut diagnostics,
        );
        if fields.is_empty() {
            diagnostics.push(
                Diagnostic::error(
                    Code::SCHEMA,
                    format!("schema `{}` declares no fields", decl.name.name),
                )
                .in_file(source)
                .at(decl.name.span)
                .help("add `field NAME: TYPE` lines under the schema"),
            );
            return (None, diagnostics);
        }
        let key = fields.iter().position(|f| f.name == decl.key.name);
        let Some(key) = key else {
            let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
            diagnostics.push(
                Diagnostic::error(
                    Code::SCHEMA,
                    format!("the key `{}` is not a field of the schema", decl.key.name),
                )
                .in_file(source)
                .at(decl.key.span)
                .maybe_help(
                    crate::diag::did_you_mean(&decl.key.name, names)
                        .map(|n| format!("did you mean `{n}`?")),
                ),
            );
            return (None, diagnostics);
        };
        if let Some(field) = fields.get(key)
            && (field.ty != FieldType::Text || field.optional)
        {
            diagnostics.push(
                Diagnostic::error(
                    Code::SCHEMA,
                    format!(
                        "the key `{}` must be a text field that is always present",
                        field.name
                    ),
                )
                .in_file(source)
                .at(field.span)
                .help("declare it as `text`, without `optional`"),
            );
            return (None, diagnostics);
        }
        let schema = Schema {
            name: decl.name.name.clone(),
            fields,
            key,
            enums,
            source: Arc::clone(source),
        };
        (Some(schema), diagnostics)
    }
}

fn fields_of<'a>(
    decls: &mut dyn Iterator<Item = (&'a ast::Ident, &'a ast::TypeExpr)>,
    enums: &mut Vec<Vec<String>>,
    source: &Arc<SourceFile>,
    diagnostics: &mut Diagnostics,
) -> Vec<Field> {
    let mut fields: Vec<Field> = Vec::new();
    for (name, ty) in decls {
        if let Some(first) = fields.iter().find(|f| f.name == name.name) {
            diagnostics.push(
                Diagnostic::error(
                    Code::DUPLICATE_NAME,
                    format!("field `{}` is declared twice", name.name),
                )
                .in_file(source)
                .label(name.span, "declared again here")
                .label(first.span, "first declared here"),
            );
            continue;
        }
        let field_type = match &ty.kind {
            TypeKind::Scalar(scalar) => match scalar {
                ScalarType::Text => FieldType::Text,
                ScalarType::Bool => FieldType::Bool,
                ScalarType::Integer => FieldType::Integer,
                ScalarType::Money => FieldType::Money,
                ScalarType::Date => FieldType::Date,
                ScalarType::Days => FieldType::Days,
            },
            TypeKind::Enum(values) => {
                let mut names: Vec<String> = Vec::new();
                for value in values {
                    if names.contains(&value.name) {
                        diagnostics.push(
                            Diagnostic::error(
                                Code::DUPLICATE_NAME,
                                format!("`{}` is listed twice", value.name),
                            )
                            .in_file(source)
                            .at(value.span),
                        );
                    } else {
                        names.push(value.name.clone());
                    }
                }
                enums.push(names);
                FieldType::Enum(enums.len() - 1)
            }
            TypeKind::List(record) => {
                let inner = fields_of(
                    &mut record.iter().map(|(n, t)| (n, t)),
                    enums,
                    source,
                    diagnostics,
                );
                if inner.iter().any(|f| matches!(f.ty, FieldType::List(_))) {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::SCHEMA,
                            "a list's records cannot hold lists themselves",
                        )
                        .in_file(source)
                        .at(ty.span),
                    );
                }
                FieldType::List(inner)
            }
        };
        if ty.optional && matches!(field_type, FieldType::List(_)) {
            diagnostics.push(
                Diagnostic::error(
                    Code::SCHEMA,
                    "a list cannot be `optional`: a missing list is an empty list",
                )
                .in_file(source)
                .at(ty.span)
                .help("remove `optional`"),
            );
        }
        fields.push(Field {
            name: name.name.clone(),
            ty: field_type,
            optional: ty.optional,
            span: name.span,
        });
    }
    fields
}
