//! Source text and positions: a named file, byte spans into it, and line/column lookup.
//!
//! Spans are byte ranges, as pest and miette both count them. Columns shown to people are
//! counted in characters, so a column in a line of Chinese text points at the right character.

use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Which file of those read for one policy: the policy is 0, its schema file 1, its modules
/// 2 and on, in the order read ([`crate::Loaded::files`]). A file parsed on its own is 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(u32);

impl FileId {
    /// The file read `index`-th.
    pub(crate) fn new(index: usize) -> FileId {
        FileId(u32::try_from(index).unwrap_or(u32::MAX))
    }

    /// Its position among the files read.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A byte range `start..end` in one source file, and which file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// The file it is in.
    pub file: FileId,
    /// First byte, counted from the start of its file.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The range `start..end` in the first file (see [`Span::in_file`]).
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            file: FileId::default(),
            start,
            end,
        }
    }

    /// The same range in `file`.
    pub fn in_file(self, file: FileId) -> Span {
        Span { file, ..self }
    }

    /// The smallest span covering both (in the first one's file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The same span moved `by` bytes to the right.
    pub(crate) fn shifted(self, by: usize) -> Span {
        Span {
            start: self.start + by,
            end: self.end + by,
            ..self
        }
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

/// One policy or schema file: its id among the files read, its name as the user gave it and
/// its whole text.
///
/// The source of a policy with `include`s also holds the other files read for it
/// (`SourceFile::with_others`), so that a diagnostic about a place in a module, whose span
/// carries the module's [`FileId`], is shown in that file.
#[derive(Debug)]
pub struct SourceFile {
    id: FileId,
    name: String,
    text: Arc<str>,
    line_starts: Vec<usize>,
    /// For a policy: the other files read for it (its schema file, its modules).
    others: Vec<Arc<SourceFile>>,
}

impl SourceFile {
    /// A file on its own (id 0) named `name` (usually the path as typed) holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Arc<SourceFile> {
        SourceFile::with_id(FileId::default(), name, text)
    }

    /// A file read for a policy, as its `id`-th file.
    pub fn with_id(
        id: FileId,
        name: impl Into<String>,
        text: impl Into<Arc<str>>,
    ) -> Arc<SourceFile> {
        let text: Arc<str> = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Arc::new(SourceFile {
            id,
            name: name.into(),
            text,
            line_starts,
            others: Vec::new(),
        })
    }

    /// `policy`, holding the `others` files read for it too.
    pub(crate) fn with_others(
        policy: &Arc<SourceFile>,
        others: Vec<Arc<SourceFile>>,
    ) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            id: policy.id,
            name: policy.name.clone(),
            text: Arc::clone(&policy.text),
            line_starts: policy.line_starts.clone(),
            others,
        })
    }

    /// Its id among the files read for one policy.
    pub fn id(&self) -> FileId {
        self.id
    }

    /// The file `id`: this one, or one of the others read with it.
    pub fn file(&self, id: FileId) -> Option<&SourceFile> {
        if id == self.id {
            return Some(self);
        }
        self.others
            .iter()
            .find(|file| file.id == id)
            .map(|file| file.as_ref())
    }

    /// The same, shared.
    pub(crate) fn file_arc(self: &Arc<Self>, id: FileId) -> Option<Arc<SourceFile>> {
        if id == self.id {
            return Some(Arc::clone(self));
        }
        self.others.iter().find(|file| file.id == id).cloned()
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
