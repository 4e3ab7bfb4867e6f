//! pest's tree to our AST, and pest's errors to our diagnostics, in plain words.
//!
//! The only file that sees pest. Each statement is parsed alone with its own entry rule.

use std::sync::LazyLock;

use chrono::NaiveDate;
use pest::Parser as _;
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use rust_decimal::Decimal;

use super::ast::*;
use crate::diag::{Code, Diagnostic};
use crate::lang::text;
use crate::source::{FileId, Span};

#[derive(pest_derive::Parser)]
#[grammar = "grammar/arrears.pest"]
struct Grammar;

/// How many prefix operators (`not`, `-`) may stand in a row; the Pratt parser recurses on each.
const MAX_PREFIX_RUN: usize = 32;

/// One parsed statement.
pub(super) enum Statement {
    Item(Item),
    Field(FieldDecl),
    Rule(RuleDecl),
}

type Lowered<T> = Result<T, Diagnostic>;

/// Parses one statement that starts with `keyword`; `place` is where `chunk` starts in which
/// file, and every span of the result is placed there.
pub(super) fn statement(keyword: &str, chunk: &str, place: Span) -> Lowered<Statement> {
    let (offset, file) = (place.start, place.file);
    let entry = match keyword {
        "field" => Rule::field_statement,
        "rule" => Rule::rule_statement,
        _ => Rule::item_statement,
    };
    let mut pairs =
        Grammar::parse(entry, chunk).map_err(|error| syntax_error(&error, chunk, place))?;
    let top = pairs.next().ok_or_else(|| internal("empty parse", place))?;
    let lower = Lower { offset, file };
    let inner = top
        .into_inner()
        .find(|p| p.as_rule() != Rule::EOI)
        .ok_or_else(|| internal("empty statement", place))?;
    match inner.as_rule() {
        Rule::field_decl => lower.field(inner).map(Statement::Field),
        Rule::rule_decl => lower.rule(inner).map(Statement::Rule),
        _ => lower.item(inner).map(Statement::Item),
    }
}

/// Parses a `table` line: the condition every row shares, if any.
pub(super) fn table(chunk: &str, place: Span) -> Lowered<Option<Expr>> {
    let mut pairs = Grammar::parse(Rule::table_statement, chunk)
        .map_err(|error| syntax_error(&error, chunk, place))?;
    let top = pairs.next().ok_or_else(|| internal("empty parse", place))?;
    let lower = Lower {
        offset: place.start,
        file: place.file,
    };
    top.into_inner()
        .find(|p| p.as_rule() == Rule::expr)
        .map(|p| lower.expr(p))
        .transpose()
}

/// Parses the expression `text`, written at `place`.
pub(super) fn expression(text: &str, place: Span) -> Lowered<Expr> {
    let mut pairs = Grammar::parse(Rule::expr_statement, text)
        .map_err(|error| syntax_error(&error, text, place))?;
    let top = pairs.next().ok_or_else(|| internal("empty parse", place))?;
    let lower = Lower {
        offset: place.start,
        file: place.file,
    };
    let inner = top
        .into_inner()
        .find(|p| p.as_rule() == Rule::expr)
        .ok_or_else(|| internal("empty cell", place))?;
    lower.expr(inner)
}

/// The words a cell may hold for "any value": the row does not test this column.
const ANY: &[&str] = &["-", "—", "－", "any", "任意"];
/// The words a cell holds to say a yes/no column must be yes, or no.
const YES: &[&str] = &["yes", "是"];
const NO: &[&str] = &["no", "否"];

/// The condition one cell of a row puts on its column (`None` for "any"). A cell holds a
/// comparison (`> 28天`, `!= card`), a range (`[7天..18天]`, both ends included), yes or no
/// (`是`, `否`), or one or more values (`正常经营, 经营困难`: the column is one of them).
/// `text` is the cell's text, written at `place`.
pub(super) fn cell(column: &Expr, text: &str, place: Span) -> Lowered<Option<Expr>> {
    let trimmed = text.trim();
    if ANY.contains(&trimmed) {
        return Ok(None);
    }
    let lead = text.len() - text.trim_start().len();
    let at = Span::new(place.start + lead, place.start + lead + trimmed.len()).in_file(place.file);
    let part = |from: usize, to: usize| -> Lowered<Expr> {
        let piece = trimmed.get(from..to).unwrap_or("");
        expression(
            piece,
            Span::new(at.start + from, at.start + to).in_file(at.file),
        )
    };
    let column = || Box::new(column.clone());
    let binary = |op: BinOp, left: Box<Expr>, right: Expr| Expr {
        kind: ExprKind::Binary {
            op,
            left,
            right: Box::new(right),
        },
        span: at,
    };
    if YES.contains(&trimmed) {
        return Ok(Some(Expr {
            kind: column().kind,
            span: at,
        }));
    }
    if NO.contains(&trimmed) {
        return Ok(Some(Expr {
            kind: ExprKind::Not(column()),
            span: at,
        }));
    }
    const OPERATORS: &[(&str, BinOp)] = &[
        (">=", BinOp::Ge),
        ("<=", BinOp::Le),
        ("!=", BinOp::Ne),
        ("≥", BinOp::Ge),
        ("≤", BinOp::Le),
        ("≠", BinOp::Ne),
        (">", BinOp::Gt),
        ("<", BinOp::Lt),
        ("=", BinOp::Eq),
    ];
    if let Some((symbol, op)) = OPERATORS.iter().find(|(s, _)| trimmed.starts_with(s)) {
        let value = part(symbol.len(), trimmed.len())?;
        return Ok(Some(binary(*op, column(), value)));
    }
    if let Some(inside) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']'))
        && let Some(dots) = inside.find("..")
    {
        let low = part(1, 1 + dots)?;
        let high = part(1 + dots + 2, 1 + inside.len())?;
        let from = binary(BinOp::Ge, column(), low);
        let to = binary(BinOp::Le, column(), high);
        return Ok(Some(binary(BinOp::And, Box::new(from), to)));
    }
    let mut values = Vec::new();
    for (index, piece) in split_top_level(trimmed, &[',', '，', '、']) {
        values.push(part(index, index + piece.len())?);
    }
    match values.len() {
        0 => Ok(None),
        1 => Ok(values.pop().map(|value| binary(BinOp::Eq, column(), value))),
        _ => Ok(Some(Expr {
            kind: ExprKind::In {
                value: column(),
                list: values,
                negated: false,
            },
            span: at,
        })),
    }
}

/// `text` cut at each of `separators` outside brackets and quotes: each piece with the byte
/// where it starts.
pub(super) fn split_top_level<'t>(text: &'t str, separators: &[char]) -> Vec<(usize, &'t str)> {
    let mut pieces = Vec::new();
    let (mut depth, mut quoted, mut start) = (0usize, false, 0);
    for (at, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' | '[' if !quoted => depth += 1,
            ')' | ']' if !quoted => depth = depth.saturating_sub(1),
            _ if !quoted && depth == 0 && separators.contains(&c) => {
                pieces.push((start, text.get(start..at).unwrap_or("")));
                start = at + c.len_utf8();
            }
            _ => {}
        }
    }
    pieces.push((start, text.get(start..).unwrap_or("")));
    // Each piece without its surrounding spaces, placed where its text starts.
    pieces
        .into_iter()
        .map(|(at, piece)| {
            let lead = piece.len() - piece.trim_start().len();
            (at + lead, piece.trim())
        })
        .filter(|(_, piece)| !piece.is_empty())
        .collect()
}

fn internal(what: &str, place: Span) -> Diagnostic {
    Diagnostic::error(Code::INTERNAL, text!("internal-reading", what = what)).at(Span::new(
        place.start,
        place.start,
    )
    .in_file(place.file))
}

/// The words that open a path through the borrower's loans: `borrower.loans`, `借款人.贷款`.
const BORROWER_WORDS: [&str; 2] = ["borrower", "借款人"];

/// `borrower.member[.field]`, as written.
pub(crate) fn borrower_path(word: &Ident, member: &Ident, field: Option<&Ident>) -> String {
    match field {
        Some(field) => format!("{}.{}.{}", word.name, member.name, field.name),
        None => format!("{}.{}", word.name, member.name),
    }
}

/// Rules that only mark a keyword and carry no meaning once the tree is built.
fn is_noise(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_policy
            | Rule::kw_use
            | Rule::kw_schema
            | Rule::kw_keyed
            | Rule::kw_by
            | Rule::kw_borrowers
            | Rule::kw_borrower
            | Rule::kw_field
            | Rule::kw_let
            | Rule::kw_deadline
            | Rule::kw_module
            | Rule::kw_include
            | Rule::kw_per
            | Rule::kw_capacity
            | Rule::kw_day
            | Rule::kw_priority
            | Rule::kw_kind
            | Rule::kw_decision
            | Rule::kw_first
            | Rule::kw_every
            | Rule::kw_unique
            | Rule::kw_match
            | Rule::kw_gives
            | Rule::kw_one
            | Rule::kw_of
            | Rule::kw_rule
            | Rule::kw_when
            | Rule::kw_then
            | Rule::kw_if
            | Rule::kw_else
            | Rule::kw_guard
            | Rule::kw_forbid
            | Rule::kw_list
            | Rule::kw_or
            | Rule::kw_and
            | Rule::kw_not
            | Rule::kw_is
            | Rule::kw_present
            | Rule::kw_in
            | Rule::kw_where
            | Rule::EOI
    )
}

fn children(pair: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    pair.into_inner().filter(|p| !is_noise(p.as_rule()))
}

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::postfix(Rule::is_present)
            | Op::postfix(Rule::is_missing)
            | Op::postfix(Rule::in_list)
            | Op::postfix(Rule::not_in_list))
        .op(Op::prefix(Rule::op_neg))
});

struct Lower {
    offset: usize,
    /// The file the statement is in.
    file: FileId,
}

impl Lower {
    /// Where `pair` is in the file. pest counts the blank space after a rule's last part as
    /// part of the rule; underlines should not, so it is trimmed off.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let text = pair.as_str();
        let end = s.start() + text.trim_end().len();
        Span::new(s.start() + self.offset, end + self.offset).in_file(self.file)
    }

    fn missing(&self, pair_span: Span, what: &str) -> Diagnostic {
        internal(&format!("missing {what}"), pair_span)
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_owned(),
            span: self.span(&pair),
        }
    }

    fn next_ident<'i>(
        &self,
        it: &mut impl Iterator<Item = Pair<'i, Rule>>,
        at: Span,
    ) -> Lowered<Ident> {
        match it.next() {
            Some(p) if p.as_rule() == Rule::ident => Ok(self.ident(p)),
            _ => Err(self.missing(at, "name")),
        }
    }

    fn text(&self, pair: Pair<'_, Rule>) -> Text {
        let span = self.span(&pair);
        // `label` wraps `string`, which wraps the body.
        let mut body = pair;
        while let Some(inner) = body.clone().into_inner().next() {
            body = inner;
        }
        let raw = body.as_str();
        let value = if body.as_rule() == Rule::string_body {
            unescape(raw)
        } else {
            raw.to_owned()
        };
        Text { value, span }
    }

    /// Takes an optional label (a quoted text) if it is next.
    fn label<'i>(
        &self,
        it: &mut std::iter::Peekable<impl Iterator<Item = Pair<'i, Rule>>>,
    ) -> Option<Text> {
        if it.peek().is_some_and(|p| p.as_rule() == Rule::label) {
            it.next().map(|p| self.text(p))
        } else {
            None
        }
    }

    fn item(&self, pair: Pair<'_, Rule>) -> Lowered<Item> {
        let at = self.span(&pair);
        let rule = pair.as_rule();
        let mut it = children(pair).peekable();
        match rule {
            Rule::policy_decl => {
                let name = self.next_ident(&mut it, at)?;
                Ok(Item::Policy {
                    name,
                    label: self.label(&mut it),
                })
            }
            Rule::module_decl => {
                let name = self.next_ident(&mut it, at)?;
                Ok(Item::Module {
                    name,
                    label: self.label(&mut it),
                })
            }
            Rule::include_decl | Rule::use_decl => {
                let path = it
                    .next()
                    .map(|p| self.text(p))
                    .ok_or_else(|| self.missing(at, "path"))?;
                Ok(if rule == Rule::include_decl {
                    Item::Include { path }
                } else {
                    Item::UseSchema { path }
                })
            }
            Rule::schema_head => {
                let name = self.next_ident(&mut it, at)?;
                let label = self.label(&mut it);
                let key = self.next_ident(&mut it, at)?;
                let borrower = it
                    .next()
                    .and_then(|p| children(p).next())
                    .map(|p| self.ident(p));
                Ok(Item::Schema(SchemaDecl {
                    name,
                    label,
                    key,
                    borrower,
                    fields: Vec::new(),
                }))
            }
            Rule::let_decl | Rule::deadline_decl => {
                let name = self.next_ident(&mut it, at)?;
                let label = self.label(&mut it);
                let value = self.expr(it.next().ok_or_else(|| self.missing(at, "value"))?)?;
                Ok(Item::Let(LetDecl {
                    name,
                    label,
                    value,
                    deadline: rule == Rule::deadline_decl,
                }))
            }
            Rule::actions_decl => {
                let mut actions = Vec::new();
                for action in it.filter(|p| p.as_rule() == Rule::action_item) {
                    let action_at = self.span(&action);
                    let mut parts = children(action).peekable();
                    let name = self.next_ident(&mut parts, action_at)?;
                    actions.push(ActionDecl {
                        name,
                        label: self.label(&mut parts),
                    });
                }
                Ok(Item::Actions(actions))
            }
            Rule::kind_decl => {
                let name = self.next_ident(&mut it, at)?;
                let label = self.label(&mut it);
                let rest: Vec<_> = it.collect();
                let open = rest.is_empty();
                let members = rest
                    .into_iter()
                    .filter(|p| p.as_rule() == Rule::ident)
                    .map(|p| self.ident(p))
                    .collect();
                Ok(Item::Kind(KindDecl {
                    name,
                    label,
                    members,
                    open,
                }))
            }
            Rule::decision_head => {
                let name = self.next_ident(&mut it, at)?;
                let label = self.label(&mut it);
                let per_borrower = it.next_if(|p| p.as_rule() == Rule::per_borrower).is_some();
                let hit_pair = it.next().ok_or_else(|| self.missing(at, "hit policy"))?;
                let hit = match hit_pair.into_inner().next().map(|p| p.as_rule()) {
                    Some(Rule::every_match) => HitPolicy::Collect,
                    Some(Rule::unique_match) => HitPolicy::Unique,
                    _ => HitPolicy::First,
                };
                let gives_pair = it.next().ok_or_else(|| self.missing(at, "gives"))?;
                let gives_inner = children(gives_pair)
                    .next()
                    .ok_or_else(|| self.missing(at, "what the decision gives"))?;
                let gives = if gives_inner.as_rule() == Rule::gives_labels {
                    Gives::Values(children(gives_inner).map(|p| self.ident(p)).collect())
                } else {
                    Gives::Actions
                };
                Ok(Item::Decision(DecisionDecl {
                    name,
                    label,
                    hit,
                    per_borrower,
                    gives,
                    rules: Vec::new(),
                    span: at,
                    table: None,
                }))
            }
            Rule::guard_decl => {
                let name = self.next_ident(&mut it, at)?;
                let label = self.label(&mut it);
                let basis = if it.peek().is_some_and(|p| p.as_rule() == Rule::basis) {
                    // `basis` holds the keyword `per` and the quoted text.
                    it.next()
                        .and_then(|p| children(p).next())
                        .map(|p| self.text(p))
                } else {
                    None
                };
                let condition =
                    self.expr(it.next().ok_or_else(|| self.missing(at, "condition"))?)?;
                let forbids = it.map(|p| self.ident(p)).collect();
                Ok(Item::Guard(GuardDecl {
                    name,
                    label,
                    basis,
                    condition,
                    forbids,
                    span: at,
                }))
            }
            Rule::capacity_decl => {
                let target = self.next_ident(&mut it, at)?;
                let label = self.label(&mut it);
                let number = it.next().ok_or_else(|| self.missing(at, "limit"))?;
                let limit_span = self.span(&number);
                let limit = number
                    .as_str()
                    .replace('_', "")
                    .parse::<u32>()
                    .map_err(|_| too_large(limit_span, number.as_str()))?;
                let mut capacity = CapacityDecl {
                    target,
                    label,
                    limit,
                    limit_span,
                    group: None,
                    priority: Vec::new(),
                    fallback: None,
                    span: at,
                };
                for part in it {
                    match part.as_rule() {
                        Rule::capacity_group => {
                            capacity.group = children(part)
                                .find(|p| p.as_rule() == Rule::ident)
                                .map(|p| self.ident(p));
                        }
                        Rule::priority => {
                            for key in children(part).filter(|p| p.as_rule() == Rule::priority_key)
                            {
                                let mut inner = children(key);
                                let name = self.next_ident(&mut inner, at)?;
                                let desc = inner.any(|p| {
                                    p.as_rule() == Rule::direction
                                        && p.into_inner().any(|d| d.as_rule() == Rule::kw_desc)
                                });
                                capacity.priority.push((name, desc));
                            }
                        }
                        Rule::fallback => {
                            capacity.fallback = children(part)
                                .find(|p| p.as_rule() == Rule::ident)
                                .map(|p| self.ident(p));
                        }
                        _ => {}
                    }
                }
                Ok(Item::Capacity(capacity))
            }
            _ => Err(internal("unexpected statement", at)),
        }
    }

    fn field(&self, pair: Pair<'_, Rule>) -> Lowered<FieldDecl> {
        let at = self.span(&pair);
        let mut it = children(pair).peekable();
        let name = self.next_ident(&mut it, at)?;
        let alias = self.alias(&mut it);
        let ty = self.type_expr(it.next().ok_or_else(|| self.missing(at, "type"))?)?;
        Ok(FieldDecl {
            name,
            alias,
            ty,
            label: self.label(&mut it),
        })
    }

    /// Takes `(other name)` if it is next.
    fn alias<'i>(
        &self,
        it: &mut std::iter::Peekable<impl Iterator<Item = Pair<'i, Rule>>>,
    ) -> Option<Ident> {
        if it.peek().is_some_and(|p| p.as_rule() == Rule::alias) {
            it.next()
                .and_then(|p| p.into_inner().next())
                .map(|p| self.ident(p))
        } else {
            None
        }
    }

    fn type_expr(&self, pair: Pair<'_, Rule>) -> Lowered<TypeExpr> {
        let span = self.span(&pair);
        let mut optional = false;
        let mut kind = None;
        for part in children(pair) {
            match part.as_rule() {
                Rule::kw_optional => optional = true,
                Rule::scalar_type => {
                    kind = Some(TypeKind::Scalar(match part.as_str() {
                        "text" => ScalarType::Text,
                        "bool" => ScalarType::Bool,
                        "integer" => ScalarType::Integer,
                        "money" => ScalarType::Money,
                        "date" => ScalarType::Date,
                        "time" => ScalarType::Time,
                        _ => ScalarType::Days,
                    }));
                }
                Rule::enum_type => {
                    let mut choices = Vec::new();
                    for choice in children(part) {
                        let choice_at = self.span(&choice);
                        let mut it = children(choice).peekable();
                        let name = self.next_ident(&mut it, choice_at)?;
                        let alias = self.alias(&mut it);
                        choices.push(Choice { name, alias });
                    }
                    kind = Some(TypeKind::Enum(choices))
                }
                Rule::list_type => {
                    let mut fields = Vec::new();
                    for field in children(part) {
                        let field_at = self.span(&field);
                        let mut it = children(field).peekable();
                        let name = self.next_ident(&mut it, field_at)?;
                        let alias = self.alias(&mut it);
                        let ty = self
                            .type_expr(it.next().ok_or_else(|| self.missing(field_at, "type"))?)?;
                        fields.push(FieldDecl {
                            name,
                            alias,
                            ty,
                            label: None,
                        });
                    }
                    kind = Some(TypeKind::List(fields));
                }
                _ => {}
            }
        }
        let kind = kind.ok_or_else(|| self.missing(span, "type"))?;
        Ok(TypeExpr {
            optional,
            kind,
            span,
        })
    }

    fn rule(&self, pair: Pair<'_, Rule>) -> Lowered<RuleDecl> {
        let span = self.span(&pair);
        let mut it = children(pair).peekable();
        let name = self.next_ident(&mut it, span)?;
        let label = self.label(&mut it);
        let head = it.next().ok_or_else(|| self.missing(span, "condition"))?;
        let condition = if head.as_rule() == Rule::kw_otherwise {
            None
        } else {
            Some(self.expr(head)?)
        };
        let outcome = self.outcome(it.next().ok_or_else(|| self.missing(span, "outcome"))?)?;
        Ok(RuleDecl {
            name,
            label,
            condition,
            outcome,
            span,
            cells: Vec::new(),
        })
    }

    fn outcome(&self, pair: Pair<'_, Rule>) -> Lowered<Outcome> {
        let span = self.span(&pair);
        let mut it = children(pair);
        let value = it.next().ok_or_else(|| self.missing(span, "outcome"))?;
        let value_span = self.span(&value);
        let first = match children(value).next() {
            Some(p) if p.as_rule() == Rule::ident => Outcome::Name(self.ident(p)),
            _ => Outcome::Nothing(value_span),
        };
        match (it.next(), it.next()) {
            (Some(condition), Some(otherwise)) => Ok(Outcome::If {
                then: Box::new(first),
                condition: self.expr(condition)?,
                otherwise: Box::new(self.outcome(otherwise)?),
            }),
            _ => Ok(first),
        }
    }

    fn expr(&self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
        let mut run = 0;
        for part in pair.clone().into_inner() {
            if matches!(part.as_rule(), Rule::op_not | Rule::op_neg) {
                run += 1;
                if run > MAX_PREFIX_RUN {
                    return Err(Diagnostic::error(Code::TOO_DEEP, text!("too-many-nots"))
                        .at(self.span(&part))
                        .help(text!("too-many-nots-help")));
                }
            } else {
                run = 0;
            }
        }
        PRATT
            .map_primary(|primary| self.primary(primary))
            .map_prefix(|op, operand| {
                let operand = operand?;
                let span = self.span(&op).to(operand.span);
                let kind = if op.as_rule() == Rule::op_not {
                    ExprKind::Not(Box::new(operand))
                } else {
                    ExprKind::Neg(Box::new(operand))
                };
                Ok(Expr { kind, span })
            })
            .map_postfix(|operand, op| {
                let operand = operand?;
                let span = operand.span.to(self.span(&op));
                let kind = match op.as_rule() {
                    Rule::is_present => ExprKind::Is {
                        value: Box::new(operand),
                        present: true,
                    },
                    Rule::is_missing => ExprKind::Is {
                        value: Box::new(operand),
                        present: false,
                    },
                    rule => {
                        let list = children(op)
                            .flat_map(children)
                            .map(|item| self.expr(item))
                            .collect::<Lowered<Vec<_>>>()?;
                        ExprKind::In {
                            value: Box::new(operand),
                            list,
                            negated: rule == Rule::not_in_list,
                        }
                    }
                };
                Ok(Expr { kind, span })
            })
            .map_infix(|left, op, right| {
                let (left, right) = (left?, right?);
                let op = match op.as_rule() {
                    Rule::op_or => BinOp::Or,
                    Rule::op_and => BinOp::And,
                    Rule::op_eq => BinOp::Eq,
                    Rule::op_ne => BinOp::Ne,
                    Rule::op_lt => BinOp::Lt,
                    Rule::op_le => BinOp::Le,
                    Rule::op_gt => BinOp::Gt,
                    Rule::op_ge => BinOp::Ge,
                    Rule::op_add => BinOp::Add,
                    _ => BinOp::Sub,
                };
                let span = left.span.to(right.span);
                Ok(Expr {
                    kind: ExprKind::Binary {
                        op,
                        left: Box::new(left),
                        right: Box::new(right),
                    },
                    span,
                })
            })
            .parse(children(pair))
    }

    fn primary(&self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::paren => {
                let inner = children(pair)
                    .next()
                    .ok_or_else(|| self.missing(span, "expression"))?;
                // Keep the parentheses in the span, so underlines cover what the user wrote.
                return Ok(Expr {
                    span,
                    ..self.expr(inner)?
                });
            }
            Rule::if_expr => {
                let mut it = children(pair);
                let mut next = || {
                    it.next()
                        .ok_or_else(|| self.missing(span, "part of `if`"))
                        .and_then(|p| self.expr(p))
                };
                let (condition, then, otherwise) = (next()?, next()?, next()?);
                ExprKind::If {
                    condition: Box::new(condition),
                    then: Box::new(then),
                    otherwise: Box::new(otherwise),
                }
            }
            Rule::call => {
                let mut it = children(pair).peekable();
                let function = self.next_ident(&mut it, span)?;
                let first = self.expr(it.next().ok_or_else(|| self.missing(span, "argument"))?)?;
                let filter = match it.peek().map(|p| p.as_rule()) {
                    Some(Rule::where_clause) => {
                        let clause = it.next().ok_or_else(|| self.missing(span, "where"))?;
                        let condition = children(clause)
                            .next()
                            .ok_or_else(|| self.missing(span, "where"))?;
                        Some(Box::new(self.expr(condition)?))
                    }
                    _ => None,
                };
                let rest = it.map(|p| self.expr(p)).collect::<Lowered<Vec<_>>>()?;
                ExprKind::Call {
                    function,
                    first: Box::new(first),
                    filter,
                    rest,
                }
            }
            Rule::path => {
                let mut it = children(pair);
                let base = self.next_ident(&mut it, span)?;
                if BORROWER_WORDS.contains(&base.name.as_str())
                    && let Some(member) = it.next()
                {
                    let member = self.ident(member);
                    let field = it.next().map(|f| self.ident(f));
                    if let Some(extra) = it.next() {
                        return Err(Diagnostic::error(Code::SYNTAX, text!("one-dot"))
                            .at(self.span(&extra))
                            .help(text!("one-dot-help")));
                    }
                    return Ok(Expr {
                        kind: ExprKind::Borrower {
                            word: base,
                            member,
                            field,
                        },
                        span,
                    });
                }
                match it.next() {
                    None => ExprKind::Name(base),
                    Some(field) => {
                        if let Some(extra) = it.next() {
                            return Err(Diagnostic::error(Code::SYNTAX, text!("one-dot"))
                                .at(self.span(&extra))
                                .help(text!("one-dot-help")));
                        }
                        ExprKind::Member {
                            base,
                            field: self.ident(field),
                        }
                    }
                }
            }
            Rule::date => ExprKind::Date(
                NaiveDate::parse_from_str(pair.as_str(), "%Y-%m-%d").map_err(|_| {
                    Diagnostic::error(Code::BAD_LITERAL, text!("bad-date", text = pair.as_str()))
                        .at(span)
                        .help(text!("bad-date-help"))
                })?,
            ),
            Rule::time => {
                ExprKind::Time(crate::value::parse_time(pair.as_str()).ok_or_else(|| {
                    Diagnostic::error(Code::BAD_LITERAL, text!("bad-time", text = pair.as_str()))
                        .at(span)
                        .help(text!("bad-time-help"))
                })?)
            }
            Rule::decimal => {
                let digits = pair.as_str().replace('_', "");
                ExprKind::Decimal(
                    Decimal::from_str_exact(&digits).map_err(|_| too_large(span, pair.as_str()))?,
                )
            }
            Rule::integer => ExprKind::Integer(
                pair.as_str()
                    .replace('_', "")
                    .parse::<i64>()
                    .map_err(|_| too_large(span, pair.as_str()))?,
            ),
            Rule::day_count => {
                let number = children(pair)
                    .next()
                    .ok_or_else(|| self.missing(span, "number"))?;
                let text = number.as_str().replace('_', "");
                ExprKind::Days(
                    text.parse::<i64>()
                        .ok()
                        .filter(|d| *d <= 1_000_000)
                        .ok_or_else(|| {
                            Diagnostic::error(
                                Code::BAD_LITERAL,
                                text!("too-many-days", number = number.as_str()),
                            )
                            .at(span)
                            .help(text!("too-many-days-help"))
                        })?,
                )
            }
            Rule::string => ExprKind::Text(self.text(pair).value),
            Rule::kw_true => ExprKind::Bool(true),
            Rule::kw_false => ExprKind::Bool(false),
            Rule::kw_nothing => ExprKind::Nothing,
            Rule::kw_missing => ExprKind::Missing,
            _ => return Err(internal("unexpected expression", span)),
        };
        Ok(Expr { kind, span })
    }
}

fn too_large(span: Span, text: &str) -> Diagnostic {
    Diagnostic::error(Code::BAD_LITERAL, text!("too-large", text = text))
        .at(span)
        .help(text!("too-large-help"))
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// What a grammar rule is called in an error message: its message id.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::ident => "expect-name",
        Rule::expr | Rule::paren | Rule::if_expr | Rule::call | Rule::path => {
            "expect-value-or-condition"
        }
        Rule::date
        | Rule::time
        | Rule::decimal
        | Rule::integer
        | Rule::day_count
        | Rule::string => "expect-value",
        Rule::op_or | Rule::op_and => "expect-and-or",
        Rule::op_eq | Rule::op_ne | Rule::op_lt | Rule::op_le | Rule::op_gt | Rule::op_ge => {
            "expect-comparison"
        }
        Rule::op_add | Rule::op_sub => "expect-plus-minus",
        Rule::op_not | Rule::op_neg => "expect-not",
        Rule::is_present | Rule::is_missing => "expect-is-present",
        Rule::in_list | Rule::not_in_list => "expect-in",
        Rule::label | Rule::string_body | Rule::cn_string_body => "expect-quoted",
        Rule::type_expr | Rule::scalar_type | Rule::enum_type | Rule::list_type => "expect-type",
        Rule::kw_optional => "expect-optional",
        Rule::hit_policy | Rule::first_match | Rule::every_match | Rule::unique_match => {
            "expect-hit-policy"
        }
        Rule::gives | Rule::gives_action | Rule::gives_labels => "expect-gives",
        Rule::outcome | Rule::outcome_value => "expect-outcome",
        Rule::kw_then => "expect-then",
        Rule::kw_when => "expect-when",
        Rule::kw_otherwise => "expect-otherwise",
        Rule::kw_else => "expect-else",
        Rule::kw_forbid => "expect-forbid",
        Rule::kw_keyed | Rule::kw_by => "expect-keyed-by",
        Rule::kw_gives => "expect-gives-word",
        Rule::kw_of => "expect-of",
        Rule::kw_schema => "expect-schema",
        Rule::kw_where => "expect-where",
        Rule::kw_if => "expect-if",
        Rule::kw_nothing => "expect-nothing",
        Rule::kw_true | Rule::kw_false => "expect-true-false",
        Rule::action_item => "expect-action",
        Rule::record_field => "expect-record-field",
        Rule::list_literal => "expect-list",
        Rule::EOI => "expect-end",
        _ => return None,
    })
}

/// pest's error as a diagnostic: where, what was expected, what was found, in plain words.
fn syntax_error(error: &pest::error::Error<Rule>, chunk: &str, place: Span) -> Diagnostic {
    let offset = place.start;
    let at = match error.location {
        pest::error::InputLocation::Pos(at) => at,
        pest::error::InputLocation::Span((at, _)) => at,
    };
    let rest = chunk.get(at..).unwrap_or("");
    let found_len = rest
        .char_indices()
        .find(|(i, c)| c.is_whitespace() || (*i > 0 && !(c.is_alphanumeric() || *c == '_')))
        .map_or(rest.len(), |(i, c)| if i == 0 { c.len_utf8() } else { i });
    let found = rest.get(..found_len).unwrap_or("");
    let mut expected: Vec<&str> = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives
            .iter()
            .filter_map(|rule| describe(*rule))
            .collect(),
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    expected.dedup();
    let mut unique = Vec::new();
    for word in expected {
        if !unique.contains(&word) {
            unique.push(word);
        }
    }
    // A word cannot be the start of a symbol such as `>=` or `+`; when the user wrote a word,
    // listing those only hides the one keyword they most likely meant.
    let found_is_word = found.chars().next().is_some_and(char::is_alphabetic);
    if found_is_word && unique.iter().any(|w| !is_symbolic(w)) {
        unique.retain(|w| !is_symbolic(w));
    }
    let expected = match unique.as_slice() {
        [] => text!("expect-something-else"),
        ids => crate::lang::Text::Alternatives(
            ids.iter()
                .map(|id| crate::lang::Text::Message {
                    id,
                    args: Vec::new(),
                })
                .collect(),
        ),
    };
    let trimmed_found = found.trim();
    if RESERVED.contains(&trimmed_found) && unique.contains(&"expect-name") {
        let span = Span::new(offset + at, offset + at + found.len()).in_file(place.file);
        return Diagnostic::error(Code::SYNTAX, text!("reserved-word", word = trimmed_found))
            .label(span, text!("reserved-word-label"))
            .help(text!(
                "reserved-word-help",
                word = trimmed_found,
                reserved = RESERVED.join(", ")
            ));
    }
    let (message, span) =
        if trimmed_found.is_empty() || chunk.get(at..).is_none_or(|r| r.trim().is_empty()) {
            let end = offset + chunk.trim_end().len();
            (
                text!("expected-but-ends", expected = expected),
                Span::new(end, end).in_file(place.file),
            )
        } else {
            let span = Span::new(offset + at, offset + at + found.len()).in_file(place.file);
            (
                text!("expected-found", expected = expected, found = trimmed_found),
                span,
            )
        };
    let help = hint_for(trimmed_found, &unique);
    Diagnostic::error(Code::SYNTAX, message)
        .label(span, text!("syntax-here"))
        .maybe_help(help)
}

/// The words the grammar's `keyword` rule keeps from being names.
const RESERVED: &[&str] = &[
    "and",
    "or",
    "nothing",
    "not",
    "in",
    "is",
    "if",
    "then",
    "else",
    "when",
    "where",
    "true",
    "false",
    "otherwise",
    "rule",
    "decision",
    "guard",
    "let",
    "kind",
    "actions",
    "use",
    "schema",
    "field",
    "policy",
    "forbid",
    "module",
    "include",
    "deadline",
];

fn is_symbolic(id: &str) -> bool {
    id == "expect-comparison" || id == "expect-plus-minus"
}

/// Advice for the mistakes risk staff make most.
fn hint_for(found: &str, expected: &[&str]) -> Option<crate::lang::Text> {
    match found {
        "&&" | "&" => Some(text!("hint-and")),
        "||" | "|" => Some(text!("hint-or")),
        "!" => Some(text!("hint-not")),
        "'" => Some(text!("hint-quotes")),
        _ if expected.contains(&"expect-then") => Some(text!("hint-rule-shape")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(text: &str) -> Expr {
        let chunk = format!("let x = {text}");
        match statement("let", &chunk, Span::default()) {
            Ok(Statement::Item(Item::Let(decl))) => decl.value,
            Err(d) => panic!("{}: {:?}", d.message(), d.help_text()),
            _ => panic!("not a let"),
        }
    }

    fn shape(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Binary { op, left, right } => {
                format!("({} {} {})", shape(left), op.symbol(), shape(right))
            }
            ExprKind::Not(x) => format!("(not {})", shape(x)),
            ExprKind::Neg(x) => format!("(-{})", shape(x)),
            ExprKind::Name(n) => n.name.clone(),
            ExprKind::Member { base, field } => format!("{}.{}", base.name, field.name),
            ExprKind::Borrower {
                word,
                member,
                field,
            } => borrower_path(word, member, field.as_ref()),
            ExprKind::Integer(i) => i.to_string(),
            ExprKind::Days(d) => format!("{d}d"),
            ExprKind::Decimal(d) => d.to_string(),
            ExprKind::Date(d) => d.to_string(),
            ExprKind::Is { value, present } => format!(
                "({} is {})",
                shape(value),
                if *present { "present" } else { "missing" }
            ),
            ExprKind::In {
                value,
                list,
                negated,
            } => format!(
                "({} {}in [{}])",
                shape(value),
                if *negated { "not " } else { "" },
                list.iter().map(shape).collect::<Vec<_>>().join(", ")
            ),
            ExprKind::Call {
                function,
                first,
                filter,
                rest,
            } => format!(
                "{}({}{}{})",
                function.name,
                shape(first),
                filter
                    .as_ref()
                    .map(|f| format!(" where {}", shape(f)))
                    .unwrap_or_default(),
                rest.iter()
                    .map(|r| format!(", {}", shape(r)))
                    .collect::<String>()
            ),
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                format!(
                    "(if {} then {} else {})",
                    shape(condition),
                    shape(then),
                    shape(otherwise)
                )
            }
            ExprKind::Text(t) => format!("{t:?}"),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Nothing => "nothing".into(),
            ExprKind::Missing => "missing".into(),
            ExprKind::Time(t) => t.to_string(),
        }
    }

    #[test]
    fn precedence_reads_like_the_rulebook() {
        let cases = [
            ("a and b or c", "((a and b) or c)"),
            (
                "not kept and due_on >= as_of - 90 days",
                "((not kept) and (due_on >= (as_of - 90d)))",
            ),
            ("not a = b", "(not (a = b))"),
            (
                "x is missing or as_of - x > 730 days",
                "((x is missing) or ((as_of - x) > 730d))",
            ),
            (
                "status in [ceased, loss] and overdue > 360天",
                "((status in [ceased, loss]) and (overdue > 360d))",
            ),
            ("p not in [sme]", "(p not in [sme])"),
            (
                "count(promises where not kept)",
                "count(promises where (not kept))",
            ),
            ("max(contacts.on)", "max(contacts.on)"),
            (
                "bucket(\"visit-2026Q4\", loan_id) < 10",
                "(bucket(\"visit-2026Q4\", loan_id) < 10)",
            ),
            (
                "if a is present then a else 0 days",
                "(if (a is present) then a else 0d)",
            ),
            ("1_000_000.00 ≤ principal", "(1000000.00 <= principal)"),
            ("逾期天数 ≥ 30 天 且", "(逾期天数 >= 30d)"),
            ("-(3)", "(-3)"),
            ("d = 2024-02-29", "(d = 2024-02-29)"),
        ];
        for (text, expected) in cases {
            if text.ends_with('且') {
                // A Chinese conjunction is not a keyword: the statement fails, and says where.
                assert!(statement("let", &format!("let x = {text}"), Span::default()).is_err());
                continue;
            }
            assert_eq!(shape(&expr(text)), expected, "{text}");
        }
    }

    #[test]
    fn keywords_are_whole_words() {
        assert_eq!(
            shape(&expr("income and nothingness or notes")),
            "((income and nothingness) or notes)"
        );
    }

    #[test]
    fn impossible_dates_are_refused() {
        let Err(d) = statement("let", "let x = 2026-02-29", Span::default()) else {
            panic!()
        };
        assert_eq!(d.code(), Code::BAD_LITERAL);
        assert_eq!(d.message(), "`2026-02-29` is not a calendar date");
    }

    #[test]
    fn syntax_errors_say_what_was_expected_in_words() {
        let Err(d) = statement("rule", "rule T1 when a > 1 than x", Span::default()) else {
            panic!()
        };
        assert_eq!(d.code(), Code::SYNTAX);
        assert!(d.message().contains("`then`"), "{}", d.message());
        assert!(d.message().ends_with("found `than`"), "{}", d.message());
        let Err(d) = statement("let", "let x = a && b", Span::default()) else {
            panic!()
        };
        assert_eq!(
            d.help_text().as_deref(),
            Some("write `and` instead of `&&`")
        );
    }

    #[test]
    fn reserved_words_are_named_as_such() {
        let Err(d) = statement("field", "field kind: text", Span::default()) else {
            panic!()
        };
        assert_eq!(
            d.message(),
            "`kind` is a reserved word and cannot be used as a name"
        );
        // The list in messages is the grammar's list: every word in it is refused as a name.
        for word in RESERVED {
            assert!(
                statement("let", &format!("let {word} = 1"), Span::default()).is_err(),
                "{word}"
            );
            assert!(
                statement("let", &format!("let {word}s = 1"), Span::default()).is_ok(),
                "{word}s"
            );
        }
    }

    #[test]
    fn chinese_names_and_quotes_work() {
        let Ok(Statement::Rule(rule)) = statement(
            "rule",
            "rule 规则1 “上门催收” when 逾期天数 > 30 天 then 上门催收",
            Span::default(),
        ) else {
            panic!()
        };
        assert_eq!(rule.name.name, "规则1");
        assert_eq!(rule.label.unwrap().value, "上门催收");
    }
}
