//! Printing statements and expressions in the canonical layout.

use super::{Statement, WIDTH};
use crate::source::Span;
use crate::syntax::ast::{
    self, BinOp, ExprKind, Gives, HitPolicy, Item, Outcome, ScalarType, TypeKind,
};

/// Binding strength, loosest first; must agree with the Pratt table in `syntax/lower.rs`.
fn precedence(expr: &ast::Expr) -> u8 {
    match &expr.kind {
        ExprKind::Binary { op: BinOp::Or, .. } => 1,
        ExprKind::Binary { op: BinOp::And, .. } => 2,
        ExprKind::Not(_) => 3,
        ExprKind::Binary {
            op: BinOp::Add | BinOp::Sub,
            ..
        } => 5,
        ExprKind::Binary { .. } => 4,
        ExprKind::Is { .. } | ExprKind::In { .. } => 6,
        ExprKind::Neg(_) => 7,
        // An `if` swallows everything after its `else`, so as an operand it is always bracketed.
        ExprKind::If { .. } => 0,
        _ => 8,
    }
}

fn is_and(expr: &ast::Expr) -> bool {
    matches!(expr.kind, ExprKind::Binary { op: BinOp::And, .. })
}

fn source(text: &str, span: Span) -> &str {
    text.get(span.start..span.end).unwrap_or("")
}

fn label(label: Option<&ast::Text>, text: &str) -> String {
    label
        .map(|l| format!(" {}", source(text, l.span)))
        .unwrap_or_default()
}

/// `expr` on one line.
pub(super) fn flat(expr: &ast::Expr, text: &str) -> String {
    let operand = |child: &ast::Expr, min: u8| {
        let printed = flat(child, text);
        if precedence(child) < min {
            format!("({printed})")
        } else {
            printed
        }
    };
    match &expr.kind {
        ExprKind::Integer(_)
        | ExprKind::Decimal(_)
        | ExprKind::Days(_)
        | ExprKind::Date(_)
        | ExprKind::Time(_)
        | ExprKind::Text(_)
        | ExprKind::Bool(_)
        | ExprKind::Nothing
        | ExprKind::Missing => literal(expr, text),
        ExprKind::Name(name) => name.name.clone(),
        ExprKind::Member { base, field } => format!("{}.{}", base.name, field.name),
        ExprKind::Borrower {
            word,
            member,
            field,
        } => crate::syntax::borrower_path(word, member, field.as_ref()),
        ExprKind::Not(inner) => format!("not {}", operand(inner, 3)),
        ExprKind::Neg(inner) => format!("-{}", operand(inner, 8)),
        ExprKind::Binary { op, left, right } => {
            let p = precedence(expr);
            // Left-associative: the right operand needs brackets at equal strength. An `and`
            // inside an `or` gets them too, though it binds tighter: readers should not need
            // to know that.
            let (left_min, right_min) = if *op == BinOp::Or {
                (
                    if is_and(left) { 3 } else { p },
                    if is_and(right) { 3 } else { p + 1 },
                )
            } else {
                (p, p + 1)
            };
            format!(
                "{} {} {}",
                operand(left, left_min),
                op.symbol(),
                operand(right, right_min)
            )
        }
        ExprKind::Is { value, present } => {
            format!(
                "{} is {}",
                operand(value, 6),
                if *present { "present" } else { "missing" }
            )
        }
        ExprKind::In {
            value,
            list,
            negated,
        } => format!(
            "{} {}in [{}]",
            operand(value, 6),
            if *negated { "not " } else { "" },
            list.iter()
                .map(|item| flat(item, text))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ExprKind::If {
            condition,
            then,
            otherwise,
        } => format!(
            "if {} then {} else {}",
            flat(condition, text),
            operand(then, 1),
            flat(otherwise, text)
        ),
        ExprKind::Call {
            function,
            first,
            filter,
            rest,
        } => {
            let mut args = flat(first, text);
            if let Some(filter) = filter {
                args.push_str(" where ");
                args.push_str(&flat(filter, text));
            }
            for arg in rest {
                args.push_str(", ");
                args.push_str(&flat(arg, text));
            }
            format!("{}({args})", function.name)
        }
    }
}

/// A literal as the author spelled it: `1_000_000.00`, `30 天`, `“中文”`.
fn literal(expr: &ast::Expr, text: &str) -> String {
    let written = source(text, expr.span);
    // The span of a bracketed literal includes its brackets; those are printed by the caller.
    let written = written.trim_start_matches('(').trim_end_matches(')').trim();
    match &expr.kind {
        ExprKind::Days(_) => {
            // `30days` and `30   days` become `30 days`; `30天` stays as written.
            let digits: String = written
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '_')
                .collect();
            let unit = written.get(digits.len()..).unwrap_or("").trim();
            if unit.is_ascii() {
                format!("{digits} {unit}")
            } else {
                format!("{digits}{unit}")
            }
        }
        _ => written.to_owned(),
    }
}

/// `expr` laid out to start at column `indent` (the first line's prefix is the caller's):
/// on one line if it fits, otherwise broken before each `and` / `or` of its outermost chain.
fn broken(expr: &ast::Expr, text: &str, first_line: usize, indent: usize) -> String {
    let one_line = flat(expr, text);
    if first_line + columns(&one_line) <= WIDTH {
        return one_line;
    }
    let ExprKind::Binary {
        op: op @ (BinOp::And | BinOp::Or),
        ..
    } = &expr.kind
    else {
        return one_line;
    };
    // Collect the chain of the same operator (left-associative: it grows to the left).
    let mut operands = Vec::new();
    let mut node = expr;
    while let ExprKind::Binary {
        op: inner,
        left,
        right,
    } = &node.kind
    {
        if inner != op {
            break;
        }
        operands.push(right.as_ref());
        node = left;
    }
    operands.push(node);
    operands.reverse();
    let p = precedence(expr);
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for (index, operand) in operands.iter().enumerate() {
        // The first operand is a left operand; the others are right operands of the chain. An
        // `and` inside an `or` is bracketed, as in `flat`.
        let min = if *op == BinOp::Or && is_and(operand) {
            3
        } else if index == 0 {
            p
        } else {
            p + 1
        };
        let printed = if precedence(operand) < min {
            format!("({})", flat(operand, text))
        } else {
            broken(
                operand,
                text,
                indent + op.symbol().len() + 1,
                indent + op.symbol().len() + 1,
            )
        };
        if index == 0 {
            out.push_str(&printed);
        } else {
            out.push_str(&format!("\n{pad}{} {printed}", op.symbol()));
        }
    }
    out
}

/// How many columns `text` takes in a terminal or editor: Chinese characters take two, so a
/// line of them is broken where it looks too long, not where it counts too many characters.
pub(super) fn columns(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// ` (other name)`, or nothing.
fn alias(alias: Option<&ast::Ident>) -> String {
    alias.map_or(String::new(), |a| format!(" ({})", a.name))
}

fn type_expr(ty: &ast::TypeExpr) -> String {
    let shape = match &ty.kind {
        TypeKind::Scalar(scalar) => match scalar {
            ScalarType::Text => "text".to_owned(),
            ScalarType::Bool => "bool".to_owned(),
            ScalarType::Integer => "integer".to_owned(),
            ScalarType::Money => "money".to_owned(),
            ScalarType::Date => "date".to_owned(),
            ScalarType::Days => "days".to_owned(),
            ScalarType::Time => "time".to_owned(),
        },
        TypeKind::Enum(choices) => format!(
            "one of {}",
            choices
                .iter()
                .map(|c| format!("{}{}", c.name.name, alias(c.alias.as_ref())))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        TypeKind::List(fields) => format!(
            "list of {{ {} }}",
            fields
                .iter()
                .map(|f| format!(
                    "{}{}: {}",
                    f.name.name,
                    alias(f.alias.as_ref()),
                    type_expr(&f.ty)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    if ty.optional {
        format!("optional {shape}")
    } else {
        shape
    }
}

fn names(list: &[ast::Ident]) -> String {
    list.iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn outcome(outcome: &Outcome, text: &str) -> String {
    match outcome {
        Outcome::Nothing(_) => "nothing".to_owned(),
        Outcome::Name(name) => name.name.clone(),
        Outcome::If {
            then,
            condition,
            otherwise,
        } => {
            format!(
                "{} if {} else {}",
                self::outcome(then, text),
                flat(condition, text),
                self::outcome(otherwise, text)
            )
        }
    }
}

/// `  field name: type`, the part of a field line before its label.
pub(super) fn field_head(field: &ast::FieldDecl) -> String {
    format!(
        "  field {}{}: {}",
        field.name.name,
        alias(field.alias.as_ref()),
        type_expr(&field.ty)
    )
}

/// A table cell's text as written.
pub(super) fn cell_text(text: &str, cell: crate::source::Span) -> &str {
    text.get(cell.start..cell.end).unwrap_or("")
}

/// `text` followed by spaces up to `width` characters.
fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(columns(text))))
}

/// One statement, without its final line break.
pub(super) fn statement(statement: &Statement<'_>, text: &str) -> String {
    match statement {
        Statement::Field(field, column) => match &field.label {
            Some(l) => format!(
                "{}  {}",
                pad(&field_head(field), *column),
                source(text, l.span)
            ),
            None => field_head(field),
        },
        Statement::Table(table) => match &table.common {
            Some(common) => format!("  table when {}", flat(common, text)),
            None => "  table".to_owned(),
        },
        Statement::TableLine(cells, widths) => {
            let padded: Vec<String> = cells
                .iter()
                .zip(widths.iter())
                .map(|(cell, width)| pad(cell_text(text, *cell), *width))
                .collect();
            format!("  | {} |", padded.join(" | "))
        }
        Statement::Rule(rule) => {
            let head = format!(
                "  rule {}{}",
                rule.name.name,
                label(rule.label.as_ref(), text)
            );
            let then = format!("then {}", outcome(&rule.outcome, text));
            let Some(condition) = &rule.condition else {
                return format!("{head} otherwise {then}");
            };
            let one_line = format!("{head} when {} {then}", flat(condition, text));
            if columns(&one_line) <= WIDTH {
                return one_line;
            }
            format!(
                "{head}\n    when {}\n    {then}",
                broken(condition, text, 9, 4)
            )
        }
        Statement::Item(item) => match item {
            Item::Policy { name, label: l } => {
                format!("policy {}{}", name.name, label(l.as_ref(), text))
            }
            Item::Module { name, label: l } => {
                format!("module {}{}", name.name, label(l.as_ref(), text))
            }
            Item::Include { path } => format!("include {}", source(text, path.span)),
            Item::UseSchema { path } => format!("use schema {}", source(text, path.span)),
            Item::Schema(schema) => format!(
                "schema {}{} keyed by {}{}",
                schema.name.name,
                label(schema.label.as_ref(), text),
                schema.key.name,
                schema
                    .borrower
                    .as_ref()
                    .map(|b| format!(", borrowers by {}", b.name))
                    .unwrap_or_default()
            ),
            Item::Let(decl) => {
                let head = format!(
                    "{} {}{} =",
                    if decl.deadline { "deadline" } else { "let" },
                    decl.name.name,
                    label(decl.label.as_ref(), text)
                );
                let one_line = format!("{head} {}", flat(&decl.value, text));
                if columns(&one_line) <= WIDTH {
                    return one_line;
                }
                match &decl.value.kind {
                    ExprKind::If {
                        condition,
                        then,
                        otherwise,
                    } => format!(
                        "{head}\n  if {}\n  then {}\n  else {}",
                        broken(condition, text, 5, 2),
                        flat(then, text),
                        flat(otherwise, text)
                    ),
                    _ => format!("{head}\n  {}", broken(&decl.value, text, 2, 2)),
                }
            }
            Item::Actions(actions) => {
                let column = actions
                    .iter()
                    .map(|a| columns(&a.name.name))
                    .max()
                    .unwrap_or(0);
                let items: Vec<String> = actions
                    .iter()
                    .map(|a| match &a.label {
                        Some(l) => {
                            format!("{}  {}", pad(&a.name.name, column), source(text, l.span))
                        }
                        None => a.name.name.clone(),
                    })
                    .collect();
                let one_line = format!("actions {}", items.join(", "));
                if columns(&one_line) <= WIDTH && actions.iter().all(|a| a.label.is_none()) {
                    one_line
                } else {
                    format!("actions\n  {}", items.join(",\n  "))
                }
            }
            Item::Capacity(capacity) => {
                // The limit and the group on the first line; the order and the fallback each
                // on a line of their own, as a rulebook would list them.
                let mut out = format!(
                    "capacity {}{}: {} per {}day",
                    capacity.target.name,
                    label(capacity.label.as_ref(), text),
                    source(text, capacity.limit_span),
                    capacity
                        .group
                        .as_ref()
                        .map(|g| format!("{} per ", g.name))
                        .unwrap_or_default()
                );
                if !capacity.priority.is_empty() {
                    let keys: Vec<String> = capacity
                        .priority
                        .iter()
                        .map(|(name, desc)| {
                            if *desc {
                                format!("{} desc", name.name)
                            } else {
                                name.name.clone()
                            }
                        })
                        .collect();
                    out.push_str(&format!("\n  priority by {}", keys.join(", ")));
                }
                if let Some(fallback) = &capacity.fallback {
                    out.push_str(&format!("\n  else {}", fallback.name));
                }
                out
            }
            Item::Kind(kind) => {
                let head = format!(
                    "kind {}{}",
                    kind.name.name,
                    label(kind.label.as_ref(), text)
                );
                if kind.open {
                    head
                } else if kind.members.is_empty() {
                    format!("{head}: nothing")
                } else {
                    format!("{head}: {}", names(&kind.members))
                }
            }
            Item::Decision(decision) => {
                let hit = match decision.hit {
                    HitPolicy::First => "first match",
                    HitPolicy::Collect => "every match",
                    HitPolicy::Unique => "unique match",
                };
                let gives = match &decision.gives {
                    Gives::Actions if decision.hit == HitPolicy::Collect => {
                        "gives actions".to_owned()
                    }
                    Gives::Actions => "gives action".to_owned(),
                    Gives::Values(values) => format!("gives one of {}", names(values)),
                };
                let head = format!(
                    "decision {}{}{}: {hit},",
                    decision.name.name,
                    label(decision.label.as_ref(), text),
                    if decision.per_borrower {
                        " per borrower"
                    } else {
                        ""
                    }
                );
                let one_line = format!("{head} {gives}");
                if columns(&one_line) <= WIDTH {
                    one_line
                } else {
                    format!("{head}\n    {gives}")
                }
            }
            Item::Guard(guard) => {
                let head = format!(
                    "guard {}{}",
                    guard.name.name,
                    label(guard.label.as_ref(), text)
                );
                let basis = guard
                    .basis
                    .as_ref()
                    .map(|b| format!("per {}", source(text, b.span)));
                let forbid = format!("forbid {}", names(&guard.forbids));
                let one_line = format!(
                    "{head}{} when {} {forbid}",
                    basis.as_ref().map_or(String::new(), |b| format!(" {b}")),
                    flat(&guard.condition, text)
                );
                if columns(&one_line) <= WIDTH {
                    return one_line;
                }
                let basis = basis.map_or(String::new(), |b| format!("\n  {b}"));
                format!(
                    "{head}{basis}\n  when {}\n  {forbid}",
                    broken(&guard.condition, text, 7, 2)
                )
            }
        },
    }
}
