//! The types the checker reasons about, and how to name them in a message.

use crate::lang::{Text, text};
use crate::program::Ty;
use crate::schema::Schema;
use crate::syntax::ast;

impl Ty {
    /// The type in words a risk officer uses, to be said in whichever language the message
    /// it stands in is.
    pub(crate) fn describe(&self, schema: &Schema, decisions: &[&ast::DecisionDecl]) -> Text {
        match self {
            Ty::Error => text!("type-value"),
            Ty::Bool => text!("type-yes-no"),
            Ty::Int => text!("type-whole-number"),
            Ty::Money => text!("type-money"),
            Ty::Days => text!("type-days"),
            Ty::Date => text!("type-date"),
            Ty::Time => text!("type-time"),
            Ty::Text => text!("type-text"),
            Ty::Enum(id) => match schema.enums.get(*id) {
                Some(values) if values.len() <= 6 => {
                    text!("type-choice-of", choices = values.join(", "))
                }
                _ => text!("type-choice"),
            },
            Ty::List(slot) => match schema.fields.get(*slot) {
                Some(field) => text!("type-list-of", field = &field.name),
                None => text!("type-list"),
            },
            Ty::Outcome(d) => match decisions.get(*d) {
                Some(decision) => text!("type-outcome-of", decision = &decision.name.name),
                None => text!("type-outcome"),
            },
            Ty::Nothing => text!("type-nothing"),
        }
    }

    /// True for types that `<`, `>` and friends can order.
    pub(crate) fn is_ordered(&self) -> bool {
        matches!(self, Ty::Int | Ty::Money | Ty::Days | Ty::Date | Ty::Time)
    }
}
