//! The types the checker reasons about, and how to name them in a message.

use crate::program::Ty;
use crate::schema::Schema;
use crate::syntax::ast;

impl Ty {
    /// The type in words a risk officer uses.
    pub(crate) fn describe(&self, schema: &Schema, decisions: &[&ast::DecisionDecl]) -> String {
        match self {
            Ty::Error => "value".into(),
            Ty::Bool => "yes/no".into(),
            Ty::Int => "whole number".into(),
            Ty::Money => "money amount".into(),
            Ty::Days => "number of days".into(),
            Ty::Date => "date".into(),
            Ty::Time => "time of day".into(),
            Ty::Text => "text".into(),
            Ty::Enum(id) => match schema.enums.get(*id) {
                Some(values) if values.len() <= 6 => format!("choice ({})", values.join(", ")),
                _ => "choice".into(),
            },
            Ty::List(slot) => match schema.fields.get(*slot) {
                Some(field) => format!("list (`{}`)", field.name),
                None => "list".into(),
            },
            Ty::Outcome(d) => match decisions.get(*d) {
                Some(decision) => format!("outcome of `{}`", decision.name.name),
                None => "decision outcome".into(),
            },
            Ty::Nothing => "`nothing`".into(),
        }
    }

    /// True for types that `<`, `>` and friends can order.
    pub(crate) fn is_ordered(&self) -> bool {
        matches!(self, Ty::Int | Ty::Money | Ty::Days | Ty::Date | Ty::Time)
    }
}
