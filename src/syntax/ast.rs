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
    Policy {
        /// Its name.
        name: Ident,
        /// Its human label, if written.
        label: Option<Text>,
    },
    /// `module NAME "label"`: the file is a module for policies to include.
    Module {
        /// Its name.
        name: Ident,
        /// Its human label, if written.
        label: Option<Text>,
    },
    /// `include "path"`
    Include {
        /// The path, relative to the file that names it.
        path: Text,
    },
    /// `use schema "path"`
    UseSchema {
        /// The path, relative to the file that names it.
        path: Text,
    },
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
    /// `capacity ACTION_OR_KIND: N per GROUP per day priority by ... else ACTION`
    Capacity(CapacityDecl),
}

/// A loan schema.
#[derive(Clone, Debug, PartialEq)]
pub struct SchemaDecl {
    /// Its name.
    pub name: Ident,
    /// Its human label, if written.
    pub label: Option<Text>,
    /// The field that identifies a loan.
    pub key: Ident,
    /// The field that identifies a loan's borrower (`borrowers by borrower_id`), if declared.
    pub borrower: Option<Ident>,
    /// Its fields, in order.
    pub fields: Vec<FieldDecl>,
}

/// One field of a schema.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    /// Its name.
    pub name: Ident,
    /// `(其他名称)`: another name for the field.
    pub alias: Option<Ident>,
    /// Its type.
    pub ty: TypeExpr,
    /// Its human label, if written.
    pub label: Option<Text>,
}

/// A field's type as written.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    /// `optional`: the value may be missing.
    pub optional: bool,
    /// What kind of thing it is.
    pub kind: TypeKind,
    /// Where it is written.
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
    /// Its name.
    pub name: Ident,
    /// Its other name, in brackets.
    pub alias: Option<Ident>,
}

/// The built-in scalar types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarType {
    /// `text`
    Text,
    /// `bool`
    Bool,
    /// `integer`
    Integer,
    /// `money`
    Money,
    /// `date`
    Date,
    /// `days`
    Days,
    /// `time`
    Time,
}

/// `let NAME "label" = EXPR`
#[derive(Clone, Debug, PartialEq)]
pub struct LetDecl {
    /// Its name.
    pub name: Ident,
    /// Its human label, if written.
    pub label: Option<Text>,
    /// Its value.
    pub value: Expr,
    /// Declared with `deadline`: a date that runs list per loan.
    pub deadline: bool,
}

/// One declared action.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionDecl {
    /// Its name.
    pub name: Ident,
    /// Its human label, if written.
    pub label: Option<Text>,
}

/// `kind NAME "label": member, ...` — members are actions or other kinds.
#[derive(Clone, Debug, PartialEq)]
pub struct KindDecl {
    /// Its name.
    pub name: Ident,
    /// Its human label, if written.
    pub label: Option<Text>,
    /// The actions and kinds it holds.
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
    /// Its name.
    pub name: Ident,
    /// Its human label, if written.
    pub label: Option<Text>,
    /// How its rules combine.
    pub hit: HitPolicy,
    /// Made once per borrower (`per borrower`) rather than once per loan.
    pub per_borrower: bool,
    /// What its rules give.
    pub gives: Gives,
    /// Its rules, in order; a table's rows are rules too (see [`RuleDecl::cells`]).
    pub rules: Vec<RuleDecl>,
    /// The header line (`decision ... gives ...`).
    pub span: Span,
    /// Its table, when its rules are written as one.
    pub table: Option<TableDecl>,
}

/// A decision's rules written as a table: a `table` line, a heading row naming the columns,
/// and a row a rule.
///
/// ```text
/// table when 小微逾期 and 逾期天数 > 28天
/// | 格 | 经营状况 | 还款意愿   | 有保证人 | 策略     |
/// | M1 | 正常经营 | 愿意, 犹豫 | -        | 电话催收 |
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TableDecl {
    /// The condition every row shares (`table when ...`).
    pub common: Option<Expr>,
    /// What each input column tests: a field, a value, any expression.
    pub columns: Vec<Expr>,
    /// Every cell of the heading row, as written (the first heads the row names, the last the
    /// outcomes).
    pub heading: Vec<Span>,
    /// The `table` line.
    pub span: Span,
}

/// `rule NAME "label" when EXPR then OUTCOME` (or `otherwise then OUTCOME`).
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDecl {
    /// Its name.
    pub name: Ident,
    /// Its human label, if written.
    pub label: Option<Text>,
    /// `None` for `otherwise`.
    pub condition: Option<Expr>,
    /// What it gives when its condition holds.
    pub outcome: Outcome,
    /// Where it is written.
    pub span: Span,
    /// For a table's row, each of its cells as written (name, inputs, outcome); empty for a
    /// `rule` line.
    pub cells: Vec<Span>,
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
        /// When the condition holds.
        then: Box<Outcome>,
        /// Its condition.
        condition: Expr,
        /// When it does not.
        otherwise: Box<Outcome>,
    },
}

/// `guard NAME "reason" when EXPR forbid a, b`
#[derive(Clone, Debug, PartialEq)]
pub struct GuardDecl {
    /// Its name.
    pub name: Ident,
    /// Its human label, if written.
    pub label: Option<Text>,
    /// `per "..."`: the regulation or rule the guard implements.
    pub basis: Option<Text>,
    /// Its condition.
    pub condition: Expr,
    /// Actions or kinds.
    pub forbids: Vec<Ident>,
    /// Where it is written.
    pub span: Span,
}

/// `capacity onsite_visit "label": 200 per region per day priority by a desc, b else c`
#[derive(Clone, Debug, PartialEq)]
pub struct CapacityDecl {
    /// The action or kind it limits.
    pub target: Ident,
    /// Its human label, if written.
    pub label: Option<Text>,
    /// How many loans a group may take a day.
    pub limit: u32,
    /// Where the limit is written.
    pub limit_span: Span,
    /// `per FIELD_OR_VALUE`: the groups; `None` for one limit over the book.
    pub group: Option<Ident>,
    /// The order loans claim it in: names, each `true` when `desc`.
    pub priority: Vec<(Ident, bool)>,
    /// `else ACTION`: what a loan past the limit gets instead.
    pub fallback: Option<Ident>,
    /// Where it is written.
    pub span: Span,
}

/// An expression and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What kind of thing it is.
    pub kind: ExprKind,
    /// Where it is written.
    pub span: Span,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `=`
    Eq,
    /// `!=` (or `≠`)
    Ne,
    /// `<`
    Lt,
    /// `<=` (or `≤`)
    Le,
    /// `>`
    Gt,
    /// `>=` (or `≥`)
    Ge,
    /// `+`
    Add,
    /// `-`
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
    /// A whole number.
    Integer(i64),
    /// A decimal number (an amount).
    Decimal(Decimal),
    /// `30 days`
    Days(i64),
    /// A date, `2026-11-20`.
    Date(NaiveDate),
    /// A time of day, `22:00`.
    Time(NaiveTime),
    /// A quoted text.
    Text(String),
    /// `true` or `false`.
    Bool(bool),
    /// `nothing`, compared with a decision's outcome.
    Nothing,
    /// `missing`: no value, as the `else` of an `if`.
    Missing,
    /// A bare name: a field, derived value, decision, enum value, action or `as_of`.
    Name(Ident),
    /// `list.field`
    Member {
        /// The list field.
        base: Ident,
        /// The field of each record.
        field: Ident,
    },
    /// `borrower.loans`, `borrower.contacts`, `borrower.principal_outstanding`,
    /// `borrower.promises.amount` (or `借款人.贷款` ...): what all of the borrower's loans hold,
    /// for `count`, `sum`, `min`, `max`, `any` and `all`.
    Borrower {
        /// `borrower` or `借款人`, as written.
        word: Ident,
        /// `loans`, a loan field, a value, or a list field.
        member: Ident,
        /// A list record's field (`borrower.promises.amount`), or a loan's field after `loans`.
        field: Option<Ident>,
    },
    /// `not x`.
    Not(Box<Expr>),
    /// `-x`.
    Neg(Box<Expr>),
    /// `left op right`.
    Binary {
        /// The operator.
        op: BinOp,
        /// The left operand.
        left: Box<Expr>,
        /// The right operand.
        right: Box<Expr>,
    },
    /// `x is present` (`present: true`) or `x is missing`.
    Is {
        /// Its value.
        value: Box<Expr>,
        /// True for `is present`, false for `is missing`.
        present: bool,
    },
    /// `x in [a, b]` or `x not in [a, b]`.
    In {
        /// Its value.
        value: Box<Expr>,
        /// The values listed.
        list: Vec<Expr>,
        /// True for `not in`.
        negated: bool,
    },
    /// `if c then a else b`.
    If {
        /// Its condition.
        condition: Box<Expr>,
        /// When the condition holds.
        then: Box<Expr>,
        /// When it does not.
        otherwise: Box<Expr>,
    },
    /// `count(promises where not kept)`, `bucket("name", loan_id)`.
    Call {
        /// The function's name.
        function: Ident,
        /// The first argument (the list, the experiment's name, a date).
        first: Box<Expr>,
        /// `where CONDITION`, if written.
        filter: Option<Box<Expr>>,
        /// Any further arguments.
        rest: Vec<Expr>,
    },
}
