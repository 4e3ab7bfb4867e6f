//! The policy as written: statements and expressions with their spans, no meaning attached.
//!
//! Nothing here knows about pest (lowering ends at `lower.rs`) or about types and names
//! (that is `check`'s job).

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;

use crate::source::Span;

/// A name as written, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A quoted text, unescaped, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// The text without quotes, escapes resolved.
    pub value: String,
    /// Where it is written, quotes included.
    pub span: Span,
}

/// A whole file: its statements in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyFile {
    /// The statements, in file order.
    pub items: Vec<Item>,
}

/// One top-level statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `policy NAME "label"`
    Policy { name: Ident, label: Option<Text> },
    /// `module NAME "label"`: the file is a module for policies to include.
    Module { name: Ident, label: Option<Text> },
    /// `include "path"`
    Include { path: Text },
    /// `use schema "path"`
    UseSchema { path: Text },
    /// `schema NAME keyed by FIELD` and its `field` lines.
    Schema(SchemaDecl),
    /// `let NAME = EXPR`, or `deadline NAME = EXPR`.
    Let(LetDecl),
    /// `actions a, b "label", c`
    Actions(Vec<ActionDecl>),
    /// `kind NAME: member, member`
    Kind(KindDecl),
    /// `decision NAME: first match, gives ...` and its rules.
    Decision(DecisionDecl),
    /// `guard NAME when EXPR forbid a, b`
    Guard(GuardDecl),
}

/// A loan schema.
#[derive(Clone, Debug, PartialEq)]
pub struct SchemaDecl {
    pub name: Ident,
    pub label: Option<Text>,
    /// The field that identifies a loan.
    pub key: Ident,
    pub fields: Vec<FieldDecl>,
}

/// One field of a schema.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub name: Ident,
    /// `(其他名称)`: another name for the field.
    pub alias: Option<Ident>,
    pub ty: TypeExpr,
    pub label: Option<Text>,
}

/// A field's type as written.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    /// `optional`: the value may be missing.
    pub optional: bool,
    pub kind: TypeKind,
    pub span: Span,
}

/// The shape of a type.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    /// `text`, `bool`, `integer`, `money`, `date`, `days`.
    Scalar(ScalarType),
    /// `one of a, b (乙), c`
    Enum(Vec<Choice>),
    /// `list of { name: type, ... }` (the fields have no labels).
    List(Vec<FieldDecl>),
}

/// One choice of an enumeration, and another name for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub name: Ident,
    pub alias: Option<Ident>,
}

/// The built-in scalar types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarType {
    Text,
    Bool,
    Integer,
    Money,
    Date,
    Days,
    Time,
}

/// `let NAME "label" = EXPR`
#[derive(Clone, Debug, PartialEq)]
pub struct LetDecl {
    pub name: Ident,
    pub label: Option<Text>,
    pub value: Expr,
    /// Declared with `deadline`: a date that runs list per loan.
    pub deadline: bool,
}

/// One declared action.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionDecl {
    pub name: Ident,
    pub label: Option<Text>,
}

/// `kind NAME "label": member, ...` — members are actions or other kinds.
#[derive(Clone, Debug, PartialEq)]
pub struct KindDecl {
    pub name: Ident,
    pub label: Option<Text>,
    pub members: Vec<Ident>,
    /// Declared without members: the policy including the module fills it in.
    pub open: bool,
}

/// How a decision combines the rules that match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HitPolicy {
    /// The first matching rule decides.
    First,
    /// Every matching rule adds its outcome, in rule order.
    Collect,
    /// At most one rule matches any loan; evaluated like `First`, checked by the analysis.
    Unique,
}

impl HitPolicy {
    /// True when one rule decides (`first match`, `unique match`); false for `every match`.
    pub fn one_rule_decides(self) -> bool {
        matches!(self, HitPolicy::First | HitPolicy::Unique)
    }
}

/// What a decision's rules give.
#[derive(Clone, Debug, PartialEq)]
pub enum Gives {
    /// Actions declared with `actions`.
    Actions,
    /// One of these values (a classification, for instance).
    Values(Vec<Ident>),
}

/// A decision and its rules.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionDecl {
    pub name: Ident,
    pub label: Option<Text>,
    pub hit: HitPolicy,
    pub gives: Gives,
    pub rules: Vec<RuleDecl>,
    /// The header line (`decision ... gives ...`).
    pub span: Span,
}

/// `rule NAME "label" when EXPR then OUTCOME` (or `otherwise then OUTCOME`).
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDecl {
    pub name: Ident,
    pub label: Option<Text>,
    /// `None` for `otherwise`.
    pub condition: Option<Expr>,
    pub outcome: Outcome,
    pub span: Span,
}

/// What a rule gives.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// `nothing`: the rule decides that nothing is done.
    Nothing(Span),
    /// An action or value.
    Name(Ident),
    /// `A if CONDITION else B`
    If {
        then: Box<Outcome>,
        condition: Expr,
        otherwise: Box<Outcome>,
    },
}

/// `guard NAME "reason" when EXPR forbid a, b`
#[derive(Clone, Debug, PartialEq)]
pub struct GuardDecl {
    pub name: Ident,
    pub label: Option<Text>,
    /// `per "..."`: the regulation or rule the guard implements.
    pub basis: Option<Text>,
    pub condition: Expr,
    /// Actions or kinds.
    pub forbids: Vec<Ident>,
    pub span: Span,
}

/// An expression and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
        }
    }
}

/// The forms of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Integer(i64),
    Decimal(Decimal),
    /// `30 days`
    Days(i64),
    Date(NaiveDate),
    Time(NaiveTime),
    Text(String),
    Bool(bool),
    /// `nothing`, compared with a decision's outcome.
    Nothing,
    /// `missing`: no value, as the `else` of an `if`.
    Missing,
    /// A bare name: a field, derived value, decision, enum value, action or `as_of`.
    Name(Ident),
    /// `list.field`
    Member {
        base: Ident,
        field: Ident,
    },
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary {
        op: BinOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `x is present` (`present: true`) or `x is missing`.
    Is {
        value: Box<Expr>,
        present: bool,
    },
    /// `x in [a, b]` or `x not in [a, b]`.
    In {
        value: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    If {
        condition: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    /// `count(promises where not kept)`, `bucket("name", loan_id)`.
    Call {
        function: Ident,
        first: Box<Expr>,
        filter: Option<Box<Expr>>,
        rest: Vec<Expr>,
    },
}
