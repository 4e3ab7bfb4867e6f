//! The canonical layout of a policy (`arrears fmt`).
//!
//! One statement at a time, in file order: top-level statements separated by one blank line,
//! `field` and `rule` lines indented under their schema or decision, single spaces between
//! words, and long conditions broken before `and` / `or`. Literals keep their spelling
//! (`1_000_000.00`, `30 天`, `“中文”`). Comments are kept: a comment inside a statement moves
//! to its own line just above it, a comment at the end of a statement's last line stays there,
//! and comment lines between statements stay between them.
//!
//! INVARIANT: formatting never changes meaning. The output is parsed again and its AST, spans
//! aside, must equal the input's, and every comment must still be there; otherwise nothing is
//! written and the problem is reported as an internal error.

mod print;

use std::sync::Arc;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::source::{SourceFile, Span};
use crate::syntax::{self, ast};

/// Lines wider than this are broken where the layout allows.
pub(crate) const WIDTH: usize = 100;

/// The canonical text of `source`, or the reasons it cannot be formatted (syntax errors, or an
/// internal failure of the soundness check).
pub fn format_source(source: &Arc<SourceFile>) -> Result<String, Diagnostics> {
    let (file, diagnostics) = syntax::parse(source);
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    let text = source.text();
    let chunks = syntax::split_statements(text);
    let statements = flatten(&file, text);
    if chunks.len() != statements.len() {
        return Err(internal(
            source,
            "the statements could not be matched with their text",
        ));
    }
    let mut out = String::new();
    // Comments before the first statement: the file's header.
    let first_start = chunks.first().map_or(text.len(), |c| c.span.start);
    let header = comments_in(text, 0, first_start);
    for comment in &header {
        if comment.blank_before && !out.is_empty() {
            out.push('\n');
        }
        out.push_str(comment.text);
        out.push('\n');
    }
    if let Some(last) = header.last()
        && has_blank_line(text.get(last.end..first_start).unwrap_or(""))
    {
        out.push('\n');
    }
    // Whether comment lines were written between the previous statement and this one; whether
    // the author left a blank line there; whether the previous statement belongs to a block
    // (a schema or decision, with its fields or rules).
    let mut after_gap_comments = true;
    let mut blank_in_source = false;
    let mut after_block = false;
    for (index, (chunk, statement)) in chunks.iter().zip(&statements).enumerate() {
        let chunk_text = text.get(chunk.span.start..chunk.span.end).unwrap_or("");
        let code_end = chunk.span.start + code_len(chunk_text);
        let comments = comments_in(text, chunk.span.start, chunk.span.end);
        let nested = matches!(
            statement,
            Statement::Field(..)
                | Statement::Rule(_)
                | Statement::Table(_)
                | Statement::TableLine(..)
        );
        let indent = if nested { "  " } else { "" };
        // Between top-level statements the author's paragraphs stay (one blank line at most);
        // a schema or decision block is always set apart. Comment lines just above a statement
        // have already placed it.
        let block = matches!(
            statement,
            Statement::Item(ast::Item::Schema(_) | ast::Item::Decision(_))
        );
        if index > 0 && !nested && !after_gap_comments && (blank_in_source || block || after_block)
        {
            out.push('\n');
        }
        after_block = block || nested;
        // Comments inside the statement go on their own lines just above it.
        for comment in comments.iter().filter(|c| c.start < code_end) {
            out.push_str(indent);
            out.push_str(comment.text);
            out.push('\n');
        }
        out.push_str(&print::statement(statement, text));
        // A comment on the statement's last line stays at the end of that line.
        let same_line = comments.iter().find(|c| {
            c.start >= code_end && !text.get(code_end..c.start).unwrap_or("\n").contains('\n')
        });
        if let Some(comment) = same_line {
            out.push_str("  ");
            out.push_str(comment.text);
        }
        out.push('\n');
        // Comment lines between this statement and the next stay between them, indented as the
        // next statement is.
        let next_nested = statements.get(index + 1).is_none_or(|s| {
            matches!(
                s,
                Statement::Field(..)
                    | Statement::Rule(_)
                    | Statement::Table(_)
                    | Statement::TableLine(..)
            )
        });
        let gap: Vec<&Comment<'_>> = comments
            .iter()
            .filter(|c| c.start >= code_end && same_line.is_none_or(|s| s.start != c.start))
            .collect();
        for (position, comment) in gap.iter().enumerate() {
            let blank = comment.blank_before || (position == 0 && !next_nested);
            if blank {
                out.push('\n');
            }
            out.push_str(if next_nested { "  " } else { "" });
            out.push_str(comment.text);
            out.push('\n');
        }
        after_gap_comments = !gap.is_empty();
        let tail_start = same_line.map_or(code_end, |c| c.end);
        blank_in_source = has_blank_line(text.get(tail_start..chunk.span.end).unwrap_or(""));
        if let Some(last) = gap.last()
            && !next_nested
            && has_blank_line(text.get(last.end..chunk.span.end).unwrap_or(""))
        {
            // Comments set apart from the next statement by a blank line keep it.
            out.push('\n');
        }
    }
    check_sound(source, &file, &out)?;
    Ok(out)
}

/// True when blank text spans an empty line (two line breaks or more).
fn has_blank_line(between: &str) -> bool {
    between.matches('\n').count() >= 2
}

fn internal(source: &Arc<SourceFile>, what: &str) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    diagnostics.push(
        Diagnostic::error(
            Code::INTERNAL,
            format!("internal error in the formatter: {what}; the file was left as it is"),
        )
        .in_file(source)
        .at(Span::new(0, 0))
        .help("please report this with the file"),
    );
    diagnostics
}

/// Statements in file order, schema fields and decision rules after their parent.
pub(crate) enum Statement<'a> {
    Item(&'a ast::Item),
    /// A field, and the column its label starts at, so a schema's labels line up.
    Field(&'a ast::FieldDecl, usize),
    Rule(&'a ast::RuleDecl),
    /// A decision's `table` line.
    Table(&'a ast::TableDecl),
    /// A table's heading or one of its rows: its cells, and each column's width on screen.
    TableLine(&'a [crate::source::Span], std::rc::Rc<Vec<usize>>),
}

/// The widest field head (`  field name (别名): type`) a schema's labels are lined up after;
/// a longer one (a `list of {…}` field) puts its label two spaces after itself, so one long
/// line does not push every label of the schema off the screen.
const LABEL_COLUMN_MAX: usize = 64;

fn flatten<'a>(file: &'a ast::PolicyFile, text: &str) -> Vec<Statement<'a>> {
    let mut statements = Vec::new();
    for item in &file.items {
        statements.push(Statement::Item(item));
        match item {
            ast::Item::Schema(schema) => {
                // Labels line up within a paragraph: fields not parted by a comment line.
                let mut paragraphs: Vec<Vec<&ast::FieldDecl>> = Vec::new();
                let mut previous: Option<&ast::FieldDecl> = None;
                for field in &schema.fields {
                    let parted = previous.is_none_or(|p| {
                        text.get(p.name.span.end..field.name.span.start)
                            .unwrap_or("")
                            .lines()
                            .skip(1)
                            .any(|line| {
                                line.trim().is_empty() || line.trim_start().starts_with('#')
                            })
                    });
                    match paragraphs.last_mut() {
                        Some(paragraph) if !parted => paragraph.push(field),
                        _ => paragraphs.push(vec![field]),
                    }
                    previous = Some(field);
                }
                for paragraph in paragraphs {
                    let column = paragraph
                        .iter()
                        .map(|f| print::columns(&print::field_head(f)))
                        .filter(|width| *width <= LABEL_COLUMN_MAX)
                        .max()
                        .unwrap_or(0);
                    statements.extend(paragraph.into_iter().map(|f| Statement::Field(f, column)));
                }
            }
            ast::Item::Decision(decision) => {
                // Every cell of a column as wide on screen as the widest: a table lines up,
                // Chinese included.
                let widths = decision.table.as_ref().map(|table| {
                    let columns = table.heading.len();
                    let mut widths = vec![0; columns];
                    let lines = std::iter::once(&table.heading)
                        .chain(decision.rules.iter().map(|r| &r.cells))
                        .filter(|cells| cells.len() == columns);
                    for cells in lines {
                        for (width, cell) in widths.iter_mut().zip(cells.iter()) {
                            *width = (*width).max(print::columns(print::cell_text(text, *cell)));
                        }
                    }
                    std::rc::Rc::new(widths)
                });
                let mut table_placed = false;
                for rule in &decision.rules {
                    // The table's own lines go where they are written: before the first row, or
                    // before the first rule below them when it has no rows yet.
                    let after_table = decision
                        .table
                        .as_ref()
                        .is_some_and(|t| !rule.cells.is_empty() || rule.span.start > t.span.start);
                    if let (true, false, Some(table), Some(widths)) =
                        (after_table, table_placed, &decision.table, &widths)
                    {
                        statements.push(Statement::Table(table));
                        statements.push(Statement::TableLine(&table.heading, widths.clone()));
                        table_placed = true;
                    }
                    match (&widths, rule.cells.is_empty()) {
                        (Some(widths), false) => {
                            statements.push(Statement::TableLine(&rule.cells, widths.clone()))
                        }
                        _ => statements.push(Statement::Rule(rule)),
                    }
                }
                if let (false, Some(table), Some(widths)) = (table_placed, &decision.table, &widths)
                {
                    statements.push(Statement::Table(table));
                    statements.push(Statement::TableLine(&table.heading, widths.clone()));
                }
            }
            _ => {}
        }
    }
    statements
}

/// A `#` comment: where it is, its text (without the line break), whether a blank line is
/// right above it.
#[derive(Debug)]
struct Comment<'t> {
    start: usize,
    end: usize,
    text: &'t str,
    blank_before: bool,
}

/// Every comment in `text[start..end]`, skipping `#` inside quoted texts.
fn comments_in(text: &str, start: usize, end: usize) -> Vec<Comment<'_>> {
    let region = text.get(start..end).unwrap_or("");
    let mut comments = Vec::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut chars = region.char_indices();
    while let Some((at, c)) = chars.next() {
        match (quote, c) {
            (Some('"'), '\\') if !escaped => {
                escaped = true;
                continue;
            }
            (Some('"'), '"') if !escaped => quote = None,
            (Some('“'), '”') => quote = None,
            (Some(_), '\n') => quote = None,
            (Some(_), _) => {}
            (None, '"') => quote = Some('"'),
            (None, '“') => quote = Some('“'),
            (None, '#') => {
                let line_end = region
                    .get(at..)
                    .and_then(|rest| rest.find('\n'))
                    .map_or(region.len(), |n| at + n);
                let comment_text = region.get(at..line_end).unwrap_or("").trim_end();
                let before = region.get(..at).unwrap_or("");
                let line_start = before.rfind('\n').map_or(0, |n| n + 1);
                let own_line = before
                    .get(line_start..)
                    .is_some_and(|s| s.trim().is_empty());
                let blank_before = own_line && {
                    let previous = before.get(..line_start).unwrap_or("");
                    let previous = previous.strip_suffix('\n').unwrap_or(previous);
                    let previous_line = previous.rsplit('\n').next().unwrap_or("");
                    line_start > 0 && previous_line.trim().is_empty()
                };
                comments.push(Comment {
                    start: start + at,
                    end: start + line_end,
                    text: comment_text,
                    blank_before,
                });
                // Skip to the end of the line.
                for (next, _) in chars.by_ref() {
                    if next + 1 >= line_end {
                        break;
                    }
                }
            }
            (None, _) => {}
        }
        escaped = false;
    }
    comments
}

/// The length of a statement's code: up to its last character that is neither blank nor in a
/// comment.
fn code_len(chunk: &str) -> usize {
    let comments = comments_in(chunk, 0, chunk.len());
    let mut end = 0;
    let mut position = 0;
    for comment in comments.iter().chain(std::iter::once(&Comment {
        start: chunk.len(),
        end: chunk.len(),
        text: "",
        blank_before: false,
    })) {
        let code = chunk.get(position..comment.start).unwrap_or("");
        if !code.trim().is_empty() {
            end = position + code.trim_end().len();
        }
        position = comment.end;
    }
    end
}

/// Re-parses the output and compares it with the input: same AST spans aside, same comments.
fn check_sound(
    source: &Arc<SourceFile>,
    before: &ast::PolicyFile,
    formatted: &str,
) -> Result<(), Diagnostics> {
    let again = SourceFile::new(source.name(), formatted.to_owned());
    let (after, diagnostics) = syntax::parse(&again);
    if diagnostics.has_errors() {
        return Err(internal(source, "the formatted text does not parse"));
    }
    if without_spans(before) != without_spans(&after) {
        return Err(internal(
            source,
            "the formatted policy would mean something else",
        ));
    }
    let texts = |t: &str| {
        let mut all: Vec<String> = comments_in(t, 0, t.len())
            .iter()
            .map(|c| c.text.to_owned())
            .collect();
        all.sort();
        all
    };
    if texts(source.text()) != texts(formatted) {
        return Err(internal(source, "a comment would have been lost"));
    }
    Ok(())
}

/// The AST's debug form with every span removed, for comparing meaning.
fn without_spans(file: &ast::PolicyFile) -> String {
    let debug = format!("{file:?}");
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug.as_str();
    while let Some(at) = rest.find("Span { file: ") {
        out.push_str(rest.get(..at).unwrap_or(""));
        let after = rest.get(at..).unwrap_or("");
        let close = after.find('}').map_or(after.len(), |n| n + 1);
        out.push_str("Span");
        rest = after.get(close..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
