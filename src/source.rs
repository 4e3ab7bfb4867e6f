//! Source text and positions: a named file, byte spans into it, and line/column lookup.
//!
//! Spans are byte ranges, as pest and miette both count them. Columns shown to people are
//! counted in characters, so a column in a line of Chinese text points at the right character.

use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// A byte range `start..end` in one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The range `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The same span moved `by` bytes to the right.
    pub(crate) fn shifted(self, by: usize) -> Span {
        Span::new(self.start + by, self.end + by)
    }
}

impl From<Span> for SourceSpan {
    fn from(span: Span) -> SourceSpan {
        SourceSpan::new(span.start.into(), span.end.saturating_sub(span.start))
    }
}

/// A line and column, both counted from 1; the column counts characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    /// Line number, from 1.
    pub line: usize,
    /// Column number in characters, from 1.
    pub column: usize,
}

/// One policy or schema file: its name as the user gave it and its whole text.
///
/// A policy with `include`s is checked as one text: the policy's own followed by each module's
/// (`SourceFile::joined`). Such a source remembers where each file starts, so that a
/// diagnostic found in the joined text is shown in the file and at the line it came from.
#[derive(Debug)]
pub struct SourceFile {
    name: String,
    text: Arc<str>,
    line_starts: Vec<usize>,
    /// For a joined source: each file and the offset its text starts at, in order.
    parts: Vec<(usize, Arc<SourceFile>)>,
}

impl SourceFile {
    /// A source named `name` (usually the path as typed) holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Arc<SourceFile> {
        SourceFile::with_parts(name.into(), text.into(), Vec::new())
    }

    fn with_parts(
        name: String,
        text: Arc<str>,
        parts: Vec<(usize, Arc<SourceFile>)>,
    ) -> Arc<SourceFile> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Arc::new(SourceFile {
            name,
            text,
            line_starts,
            parts,
        })
    }

    /// `first`'s text followed by each of `more`, a line break between them, under `first`'s
    /// name. Returns the joined source and the offset each of `more` starts at.
    pub(crate) fn joined(
        first: &Arc<SourceFile>,
        more: &[Arc<SourceFile>],
    ) -> (Arc<SourceFile>, Vec<usize>) {
        let mut text = first.text().to_owned();
        let mut parts = vec![(0, Arc::clone(first))];
        let mut offsets = Vec::new();
        for file in more {
            text.push('\n');
            offsets.push(text.len());
            parts.push((text.len(), Arc::clone(file)));
            text.push_str(file.text());
        }
        let joined = SourceFile::with_parts(first.name().to_owned(), text.into(), parts);
        (joined, offsets)
    }

    /// For a joined source, the file holding byte `offset` and where that file starts.
    pub(crate) fn part_at(&self, offset: usize) -> Option<(usize, &Arc<SourceFile>)> {
        self.parts
            .iter()
            .rev()
            .find(|(start, _)| *start <= offset)
            .map(|(start, file)| (*start, file))
    }

    /// The files a joined source is made of, the policy first; empty for a plain file.
    pub fn parts(&self) -> impl Iterator<Item = &Arc<SourceFile>> {
        self.parts.iter().map(|(_, file)| file)
    }

    /// The file's name as the user gave it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text under `span`, or `""` when the span does not fall on character boundaries.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// Line and character column of a byte offset (clamped to the end of the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line_index = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let line_start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let column = self
            .text
            .get(line_start..offset)
            .map_or(offset - line_start, |before| before.chars().count());
        LineCol {
            line: line_index + 1,
            column: column + 1,
        }
    }
}

impl SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // Hand miette only the lines around the span, found through the line index: letting it
        // scan the whole text for every label makes many diagnostics on a long file quadratic.
        let line_of = |offset: usize| {
            self.line_starts
                .partition_point(|&start| start <= offset)
                .saturating_sub(1)
        };
        let first = line_of(span.offset()).saturating_sub(context_lines_before);
        let last_offset = span.offset() + span.len().saturating_sub(1);
        let last = (line_of(last_offset) + context_lines_after)
            .min(self.line_starts.len().saturating_sub(1));
        let start = self.line_starts.get(first).copied().unwrap_or(0);
        let end = self
            .line_starts
            .get(last + 1)
            .copied()
            .unwrap_or(self.text.len());
        let window = self.text.get(start..end).ok_or(MietteError::OutOfBounds)?;
        let inner = window.read_span(
            &SourceSpan::new(span.offset().saturating_sub(start).into(), span.len()),
            context_lines_before,
            context_lines_after,
        )?;
        let absolute = SourceSpan::new((inner.span().offset() + start).into(), inner.span().len());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            absolute,
            inner.line() + first,
            inner.column(),
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let file = SourceFile::new("p.policy", "let a = 1\nlet 逾期天数 = x\n");
        let at = file.text().find('x').unwrap();
        assert_eq!(
            file.line_col(at),
            LineCol {
                line: 2,
                column: 12
            }
        );
        assert_eq!(file.line_col(0), LineCol { line: 1, column: 1 });
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let file = SourceFile::new("p", "ab");
        assert_eq!(file.line_col(99), LineCol { line: 1, column: 3 });
    }
}
