//! Text to AST: cutting a file into statements, parsing each with the pest grammar, and
//! lowering pest's tree into [`ast`].
//!
//! INVARIANT: pest's types (`Pair`, `Rule`, `pest::error::Error`) never leave this module.
//!
//! Every statement starts on its own line with a keyword, so the file is cut at those lines
//! and each statement is parsed on its own. A syntax error then costs one statement, and the
//! checker still sees, and reports on, everything else in the same run.

pub mod ast;
mod lower;
pub(crate) use lower::borrower_path;

use std::sync::Arc;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::lang::text;
use crate::source::{SourceFile, Span};

use ast::{Item, PolicyFile};

/// The keywords that start a statement at the beginning of a line.
const STATEMENT_KEYWORDS: &[&str] = &[
    "policy", "module", "include", "use", "schema", "field", "let", "deadline", "actions", "kind",
    "decision", "rule", "table", "guard", "capacity",
];

/// What a line of a table starts with, instead of a keyword: `|`, or the full-width `｜` a
/// Chinese input method types.
const TABLE_LINE: &str = "|";

/// How deeply brackets and `if`s may nest in one statement. Parsing is recursive; this bound
/// keeps hostile input from exhausting the stack.
const MAX_NESTING: usize = 64;

/// How many `and`, `or`, `+` and `-` one statement may chain. A chain becomes a tree as deep as
/// it is long, and checking, evaluating and formatting walk it recursively; real conditions
/// chain a few dozen at most.
const MAX_CHAIN: usize = 256;

/// Parses a whole file. Returns every statement that parsed, and a diagnostic for each that
/// did not; parsing itself never fails.
/// Every span in the result carries the file's id ([`SourceFile::id`]).
pub fn parse(source: &Arc<SourceFile>) -> (PolicyFile, Diagnostics) {
    let file_id = source.id();
    let mut diagnostics = Diagnostics::default();
    let mut file = PolicyFile::default();
    // Which statement `field` and `rule` lines attach to; `Broken` when that statement failed
    // to parse (its rules are still parsed for their own errors, but not reported as orphans).
    enum Open {
        None,
        Schema,
        Decision,
        Broken,
    }
    let mut open = Open::None;

    let text = source.text();
    let statements: Vec<StatementSpan> = split_statements(text)
        .into_iter()
        .map(|s| StatementSpan {
            span: s.span.in_file(file_id),
            ..s
        })
        .collect();
    let stray = match statements.first() {
        Some(first) => stray_text(text, 0, first.span.start),
        None => stray_text(text, 0, text.len()),
    };
    if let Some(span) = stray {
        diagnostics.push(expected_statement(source, span.in_file(file_id)));
    }

    for statement in statements {
        let chunk = text
            .get(statement.span.start..statement.span.end)
            .unwrap_or("");
        if let Some((problem, too_long)) = nesting_problem(chunk) {
            let (message, help) = if too_long {
                (
                    text!("too-long-chain"),
                    text!("too-long-chain-help", most = MAX_CHAIN),
                )
            } else {
                (
                    text!("too-deep-brackets"),
                    text!("too-deep-brackets-help", most = MAX_NESTING),
                )
            };
            diagnostics.push(
                Diagnostic::error(Code::TOO_DEEP, message)
                    .in_file(source)
                    .at(problem.shifted(statement.span.start).in_file(file_id))
                    .help(help),
            );
            open = Open::Broken;
            continue;
        }
        if statement.keyword == "table" || statement.keyword == TABLE_LINE {
            let decision = match (&open, file.items.last_mut()) {
                (Open::Decision, Some(Item::Decision(decision))) => Some(decision),
                _ => None,
            };
            match table_statement(statement.keyword, chunk, statement.span, decision) {
                Ok(()) => {}
                Err(diagnostic) if matches!(open, Open::Broken) => drop(diagnostic),
                Err(diagnostic) => diagnostics.push(diagnostic.in_file(source)),
            }
            continue;
        }
        let parsed = lower::statement(statement.keyword, chunk, statement.span);
        match parsed {
            Err(diagnostic) => {
                diagnostics.push(diagnostic.in_file(source));
                if !matches!(statement.keyword, "field" | "rule") {
                    open = Open::Broken;
                }
            }
            Ok(lower::Statement::Item(item)) => {
                open = match &item {
                    Item::Schema(_) => Open::Schema,
                    Item::Decision(_) => Open::Decision,
                    _ => Open::None,
                };
                file.items.push(item);
            }
            Ok(lower::Statement::Field(field)) => match (&open, file.items.last_mut()) {
                (Open::Schema, Some(Item::Schema(schema))) => schema.fields.push(field),
                (Open::Broken, _) => {}
                _ => diagnostics.push(
                    Diagnostic::error(Code::STATEMENT_OUT_OF_PLACE, text!("field-out-of-place"))
                        .in_file(source)
                        .at(field.name.span)
                        .help(text!("field-out-of-place-help")),
                ),
            },
            Ok(lower::Statement::Rule(rule)) => match (&open, file.items.last_mut()) {
                (Open::Decision, Some(Item::Decision(decision))) => decision.rules.push(rule),
                (Open::Broken, _) => {}
                _ => diagnostics.push(
                    Diagnostic::error(Code::STATEMENT_OUT_OF_PLACE, text!("rule-out-of-place"))
                        .in_file(source)
                        .at(rule.name.span)
                        .help(text!("rule-out-of-place-help")),
                ),
            },
        }
    }
    (file, diagnostics)
}

/// A `table` line, or a `|` line of a table, added to `decision` (the one open above it).
fn table_statement(
    keyword: &str,
    chunk: &str,
    place: Span,
    decision: Option<&mut ast::DecisionDecl>,
) -> Result<(), Diagnostic> {
    let Some(decision) = decision else {
        let message = if keyword == "table" {
            text!("table-out-of-place")
        } else {
            text!("row-out-of-place")
        };
        return Err(Diagnostic::error(Code::STATEMENT_OUT_OF_PLACE, message)
            .at(first_line(chunk, place))
            .help(text!("table-out-of-place-help")));
    };
    if keyword == "table" {
        if decision.table.is_some() {
            return Err(
                Diagnostic::error(Code::STATEMENT_OUT_OF_PLACE, text!("one-table"))
                    .at(first_line(chunk, place))
                    .help(text!("one-table-help")),
            );
        }
        let common = lower::table(chunk, place)?;
        decision.table = Some(ast::TableDecl {
            common,
            columns: Vec::new(),
            heading: Vec::new(),
            span: first_line(chunk, place),
        });
        return Ok(());
    }
    let Some(table) = decision.table.as_mut() else {
        return Err(
            Diagnostic::error(Code::STATEMENT_OUT_OF_PLACE, text!("row-without-table"))
                .at(first_line(chunk, place))
                .help(text!("row-without-table-help")),
        );
    };
    let cells = row_cells(chunk, place);
    if table.heading.is_empty() {
        if cells.len() < 3 {
            return Err(Diagnostic::error(Code::SYNTAX, text!("table-heading"))
                .at(first_line(chunk, place))
                .help(text!("table-heading-help")));
        }
        let inputs = cells.get(1..cells.len() - 1).unwrap_or(&[]);
        table.columns = inputs
            .iter()
            .map(|(span, text)| lower::expression(text, *span))
            .collect::<Result<_, _>>()?;
        table.heading = cells.iter().map(|(span, _)| *span).collect();
        return Ok(());
    }
    if cells.len() != table.heading.len() {
        return Err(Diagnostic::error(
            Code::SYNTAX,
            text!(
                "row-cells",
                cells = cells.len(),
                heading = table.heading.len()
            ),
        )
        .at(first_line(chunk, place))
        .help(text!("row-cells-help")));
    }
    let (Some((name_span, name_text)), Some((outcome_span, outcome_text))) =
        (cells.first(), cells.last())
    else {
        return Ok(());
    };
    let name = match lower::expression(name_text, *name_span)?.kind {
        ast::ExprKind::Name(ident) => ident,
        _ => {
            return Err(Diagnostic::error(Code::SYNTAX, text!("row-name"))
                .at(*name_span)
                .help(text!("row-name-help")));
        }
    };
    let outcome = match lower::expression(outcome_text, *outcome_span)?.kind {
        ast::ExprKind::Name(ident) => ast::Outcome::Name(ident),
        ast::ExprKind::Nothing => ast::Outcome::Nothing(*outcome_span),
        _ => {
            return Err(Diagnostic::error(Code::SYNTAX, text!("row-outcome")).at(*outcome_span));
        }
    };
    let mut parts: Vec<ast::Expr> = table.common.iter().cloned().collect();
    for (column, (span, text)) in table.columns.iter().zip(cells.iter().skip(1)) {
        parts.extend(lower::cell(column, text, *span)?);
    }
    // The `and` of a row's cells is written nowhere but the row itself.
    let row = first_line(chunk, place);
    let condition = parts.into_iter().reduce(|left, right| ast::Expr {
        span: row,
        kind: ast::ExprKind::Binary {
            op: ast::BinOp::And,
            left: Box::new(left),
            right: Box::new(right),
        },
    });
    // A row whose every cell is `-` and that shares no condition (`condition` is `None`)
    // matches every loan no row above took: the table's `otherwise`.
    decision.rules.push(ast::RuleDecl {
        name,
        label: None,
        condition,
        outcome,
        span: first_line(chunk, place),
        cells: cells.iter().map(|(span, _)| *span).collect(),
    });
    Ok(())
}

/// The cells of a `|` line: each cell's text and where it is written (the spaces around it
/// excluded). A line may end with `|` or not; `|` inside quotes or brackets is text.
fn row_cells(chunk: &str, place: Span) -> Vec<(Span, String)> {
    let line = chunk.lines().next().unwrap_or("");
    let line = line
        .split_once(" #")
        .map_or(line, |(code, _)| code)
        .trim_end();
    let body = line.trim_start_matches(['|', '｜']);
    let skipped = line.len() - body.len();
    let body = body.strip_suffix(['|', '｜']).unwrap_or(body);
    let mut cells = Vec::new();
    let (mut quoted, mut depth, mut start) = (false, 0usize, 0);
    let mut push = |from: usize, to: usize| {
        let text = body.get(from..to).unwrap_or("");
        let lead = text.len() - text.trim_start().len();
        let at = place.start + skipped + from + lead;
        let trimmed = text.trim();
        cells.push((
            Span::new(at, at + trimmed.len()).in_file(place.file),
            trimmed.to_owned(),
        ));
    };
    for (at, c) in body.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' | '[' if !quoted => depth += 1,
            ')' | ']' if !quoted => depth = depth.saturating_sub(1),
            '|' | '｜' if !quoted && depth == 0 => {
                push(start, at);
                start = at + c.len_utf8();
            }
            _ => {}
        }
    }
    push(start, body.len());
    cells
}

/// The first line of a statement, for pointing at it.
fn first_line(chunk: &str, place: Span) -> Span {
    let line = chunk.lines().next().unwrap_or("").trim_end();
    Span::new(place.start, place.start + line.len()).in_file(place.file)
}

/// Where a statement's name (or, lacking one, its first word) is written.
pub(crate) fn item_span(item: &Item) -> Span {
    match item {
        Item::Policy { name, .. } => name.span,
        Item::Module { name, .. } => name.span,
        Item::Include { path } => path.span,
        Item::UseSchema { path } => path.span,
        Item::Schema(decl) => decl.name.span,
        Item::Let(decl) => decl.name.span,
        Item::Actions(decls) => decls.first().map_or(Span::default(), |d| d.name.span),
        Item::Kind(decl) => decl.name.span,
        Item::Decision(decl) => decl.name.span,
        Item::Guard(decl) => decl.name.span,
        Item::Capacity(decl) => decl.target.span,
    }
}

fn expected_statement(source: &Arc<SourceFile>, span: Span) -> Diagnostic {
    let keywords: Vec<String> = STATEMENT_KEYWORDS
        .iter()
        .map(|k| format!("`{k}`"))
        .collect();
    Diagnostic::error(Code::SYNTAX, text!("expected-statement"))
        .in_file(source)
        .label(span, text!("expected-statement-label"))
        .help(text!(
            "expected-statement-help",
            keywords = keywords.join(", ")
        ))
}

/// One statement's place in the file and the keyword that starts it.
pub(crate) struct StatementSpan {
    pub(crate) keyword: &'static str,
    pub(crate) span: Span,
}

/// Cuts the text at every line whose first word is a statement keyword.
pub(crate) fn split_statements(text: &str) -> Vec<StatementSpan> {
    let mut starts: Vec<(usize, &'static str)> = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start_matches([' ', '\t', '\u{3000}', '\u{FEFF}']);
        let indent = line.len() - trimmed.len();
        let word_end = trimmed
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
            .map_or(trimmed.len(), |(at, _)| at);
        let word = trimmed.get(..word_end).unwrap_or("");
        if trimmed.starts_with(['|', '｜']) {
            starts.push((line_start + indent, TABLE_LINE));
        } else if let Some(keyword) = STATEMENT_KEYWORDS.iter().find(|k| **k == word) {
            starts.push((line_start + indent, keyword));
        }
        line_start += line.len();
    }
    let mut statements = Vec::with_capacity(starts.len());
    for (index, &(start, keyword)) in starts.iter().enumerate() {
        let end = starts.get(index + 1).map_or(text.len(), |&(next, _)| next);
        statements.push(StatementSpan {
            keyword,
            span: Span::new(start, end),
        });
    }
    statements
}

/// The first text in `start..end` that is neither blank nor a comment.
fn stray_text(text: &str, start: usize, end: usize) -> Option<Span> {
    let region = text.get(start..end)?;
    let mut offset = start;
    for line in region.split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            let lead = line.len() - line.trim_start().len();
            return Some(Span::new(offset + lead, offset + lead + line.trim().len()));
        }
        offset += line.len();
    }
    None
}

/// Where a statement nests more than [`MAX_NESTING`] brackets or `if`s, or chains more than
/// [`MAX_CHAIN`] operators, if it does; `true` for the second. Counted on the text, before
/// parsing, so that no recursive step ever sees such a statement. Words and minus signs are
/// counted where they stand alone, so names (`android`) and dates (`2026-01-31`) do not count.
fn nesting_problem(chunk: &str) -> Option<(Span, bool)> {
    let mut depth: usize = 0;
    let mut ifs = 0;
    let mut chain = 0;
    let mut in_string = false;
    let mut previous = ' ';
    for (at, c) in chunk.char_indices() {
        let word = |w: &str| {
            chunk.get(at..at + w.len()) == Some(w)
                && !previous.is_alphanumeric()
                && previous != '_'
                && chunk
                    .get(at + w.len()..)
                    .and_then(|rest| rest.chars().next())
                    .is_none_or(|next| !next.is_alphanumeric() && next != '_')
        };
        match c {
            '"' => in_string = !in_string,
            _ if in_string => {}
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            'i' if word("if") => ifs += 1,
            'a' if word("and") => chain += 1,
            'o' if word("or") => chain += 1,
            '+' => chain += 1,
            '-' if previous.is_whitespace() => chain += 1,
            _ => {}
        }
        previous = c;
        if depth > MAX_NESTING || ifs > MAX_NESTING || chain > MAX_CHAIN {
            return Some((Span::new(at, at + c.len_utf8()), chain > MAX_CHAIN));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> (PolicyFile, Vec<String>) {
        let source = SourceFile::new("t.policy", text);
        let (file, diagnostics) = parse(&source);
        let messages = diagnostics
            .iter()
            .map(|d| format!("{} {}", d.code().id, d.message()))
            .collect();
        (file, messages)
    }

    #[test]
    fn one_bad_statement_does_not_hide_the_others() {
        let (file, errors) = parse_text(
            "let a = 1\nlet b = = 2\nlet c = 3\ndecision d: first match, gives action\n  rule R1 when a > then x\n  rule R2 otherwise then y\n",
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors.iter().all(|e| e.starts_with("E101")), "{errors:?}");
        assert_eq!(file.items.len(), 3);
        let Some(Item::Decision(decision)) = file.items.last() else {
            panic!()
        };
        assert_eq!(decision.rules.len(), 1);
    }

    #[test]
    fn rules_outside_a_decision_are_reported() {
        let (_, errors) = parse_text("let a = 1\nrule R1 otherwise then x\n");
        assert_eq!(errors, ["E102 this `rule` is not inside a decision"]);
    }

    #[test]
    fn stray_text_before_the_first_statement_is_an_error() {
        let (_, errors) = parse_text("hello\nlet a = 1\n");
        assert_eq!(errors, ["E101 expected a statement"]);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = format!("let a = {}1{}\n", "(".repeat(10_000), ")".repeat(10_000));
        let (_, errors) = parse_text(&text);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("E104"));
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::parse;
    use crate::source::SourceFile;

    /// Pieces policies are made of, and a few that break them, including Chinese and
    /// full-width text whose bytes are not characters.
    const PIECES: &[&str] = &[
        "decision",
        "rule",
        "let",
        "guard",
        "actions",
        "kind",
        "schema",
        "field",
        "use",
        "policy",
        "when",
        "then",
        "otherwise",
        "first match",
        "every match",
        "gives",
        "action",
        "one of",
        "if",
        "else",
        "and",
        "or",
        "not",
        "in",
        "is present",
        "is missing",
        "forbid",
        "nothing",
        "count(",
        "max(",
        "bucket(",
        "where",
        "x",
        "overdue",
        "逾期天数",
        "“中文”",
        "\"text\"",
        "30 days",
        "7 天",
        "2024-02-29",
        "2026-02-30",
        "1_000.00",
        "99999999999999999999999",
        "(",
        ")",
        "[",
        "]",
        ",",
        "，",
        ":",
        "：",
        "=",
        ">=",
        "≥",
        "-",
        "+",
        ".",
        "#",
        "\n",
        " ",
        "\u{3000}",
        "\"",
        "\\",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn parsing_and_checking_never_panic(pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..60)) {
            let text = pieces.concat();
            let source = SourceFile::new("fuzz.policy", text);
            let (file, diagnostics) = parse(&source);
            for diagnostic in diagnostics.iter() {
                // Every span lies inside the text, on character boundaries.
                if let Some(span) = diagnostic.primary_span() {
                    prop_assert!(span.end <= source.text().len());
                    prop_assert!(source.text().get(span.start..span.end).is_some());
                }
            }
            let _ = crate::check::check(&file, &source, None, false);
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let source = SourceFile::new("fuzz.policy", text);
            let _ = parse(&source);
        }
    }
}
