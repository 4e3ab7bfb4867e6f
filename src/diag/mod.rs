//! Diagnostics: every problem arrears reports about a policy, as a value with a code, a
//! severity, a plain-words message, the underlined places and, where it helps, a fix.
//!
//! Helpers build a message first and attach the place with [`Diagnostic::at`]; the checker
//! collects all of them in one pass and the CLI renders them (see `render`).

mod codes;
mod render;
mod suggest;

use std::fmt;
use std::sync::Arc;

pub use codes::{CODES, Code, CodeInfo, lookup};
pub use render::{ErrorFormat, render_all};
pub(crate) use suggest::did_you_mean;

use crate::lang::{Lang, Text};
use crate::source::{SourceFile, Span};

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The policy cannot be used until it is fixed.
    Error,
    /// The policy works, but probably not as its author meant.
    Warning,
}

/// One underlined place, with an optional note printed beside the underline.
#[derive(Clone, Debug)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say there.
    pub text: Option<Text>,
}

impl Label {
    /// What to say there, in `lang`.
    pub fn text_in(&self, lang: Lang) -> Option<String> {
        self.text.as_ref().map(|t| t.in_lang(lang))
    }
}

/// One problem found in a policy or schema.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    code: Code,
    severity: Severity,
    // Boxed: a diagnostic travels in `Result`s, and its words are rarely read.
    message: Box<Text>,
    labels: Vec<Label>,
    help: Option<Box<Text>>,
    source: Option<Arc<SourceFile>>,
}

impl Diagnostic {
    /// An error with this code and message, not yet placed in any file.
    pub fn error(code: Code, message: impl Into<Text>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: Box::new(message.into()),
            labels: Vec::new(),
            help: None,
            source: None,
        }
    }

    /// A warning with this code and message.
    pub fn warning(code: Code, message: impl Into<Text>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Places the diagnostic in `source`.
    pub fn in_file(mut self, source: &Arc<SourceFile>) -> Diagnostic {
        self.source = Some(Arc::clone(source));
        self
    }

    /// Underlines `span` (the first label is the primary place).
    pub fn at(mut self, span: Span) -> Diagnostic {
        self.labels.push(Label { span, text: None });
        self
    }

    /// Underlines `span` with a note.
    pub fn label(mut self, span: Span, text: impl Into<Text>) -> Diagnostic {
        self.labels.push(Label {
            span,
            text: Some(text.into()),
        });
        self
    }

    /// Adds advice on how to fix it.
    pub fn help(mut self, help: impl Into<Text>) -> Diagnostic {
        self.help = Some(Box::new(help.into()));
        self
    }

    /// Adds advice only when there is some.
    pub fn maybe_help(self, help: Option<impl Into<Text>>) -> Diagnostic {
        match help {
            Some(help) => self.help(help),
            None => self,
        }
    }

    /// The error code, such as `E201`.
    pub fn code(&self) -> Code {
        self.code
    }

    /// Error or warning.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The message in plain words, in English.
    pub fn message(&self) -> String {
        self.message.in_lang(Lang::En)
    }

    /// The message in plain words, in `lang`.
    pub fn message_in(&self, lang: Lang) -> String {
        self.message.in_lang(lang)
    }

    /// The advice, if any, in English.
    pub fn help_text(&self) -> Option<String> {
        self.help_in(Lang::En)
    }

    /// The advice, if any, in `lang`.
    pub fn help_in(&self, lang: Lang) -> Option<String> {
        self.help.as_ref().map(|h| h.in_lang(lang))
    }

    /// The name the advice suggests instead of the one written ("did you mean `visit`?"), if
    /// that is the advice: an editor offers it as a fix at the primary place.
    pub fn suggestion(&self) -> Option<&str> {
        match self.help.as_deref()? {
            Text::Message {
                id: "did-you-mean",
                args,
            } => args.iter().find_map(|(name, arg)| match (name, arg) {
                (&"name", crate::lang::Arg::Text(text)) => Some(text.as_ref()),
                _ => None,
            }),
            _ => None,
        }
    }

    /// The catalogue id of its message (`e206-not-an-action`), for tools that act on one kind
    /// of message (an editor's fix); `None` for words given as they are.
    pub fn message_id(&self) -> Option<&'static str> {
        match self.message.as_ref() {
            Text::Message { id, .. } => Some(id),
            _ => None,
        }
    }

    /// The name a message is about (`name` in "`vist` is not a declared action"), when it is
    /// about one.
    pub fn subject(&self) -> Option<&str> {
        match self.message.as_ref() {
            Text::Message { args, .. } => args.iter().find_map(|(name, arg)| match (name, arg) {
                (&"name", crate::lang::Arg::Text(text)) => Some(text.as_ref()),
                _ => None,
            }),
            _ => None,
        }
    }

    /// The underlined places.
    pub fn labels(&self) -> &[Label] {
        &self.labels
    }

    /// The file the diagnostic is about.
    pub fn source(&self) -> Option<&Arc<SourceFile>> {
        self.source.as_ref()
    }

    /// A diagnostic about a policy moved to the file its primary place is in (a module, say:
    /// each span knows its file). Places in other files are dropped: one diagnostic shows one
    /// file.
    fn in_own_file(mut self) -> Diagnostic {
        let (Some(source), Some(primary)) = (&self.source, self.primary_span()) else {
            return self;
        };
        let Some(file) = source.file_arc(primary.file) else {
            return self;
        };
        self.labels.retain(|label| label.span.file == primary.file);
        self.source = Some(file);
        self
    }

    /// The primary place, if the diagnostic has one.
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.first().map(|label| label.span)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Diagnostic {}

/// A diagnostic said in one language, as miette's report draws it: its words are fixed here,
/// once, so that the report handler can borrow them.
#[derive(Debug)]
pub(crate) struct Said<'a> {
    diagnostic: &'a Diagnostic,
    message: String,
    help: Option<String>,
    labels: Vec<(Span, Option<String>)>,
}

impl<'a> Said<'a> {
    /// `diagnostic` in `lang`; `with_help` false leaves the advice out (for a language whose
    /// word for "help" miette does not print: the caller adds it).
    pub(crate) fn new(diagnostic: &'a Diagnostic, lang: Lang, with_help: bool) -> Said<'a> {
        Said {
            diagnostic,
            message: diagnostic.message_in(lang),
            help: if with_help {
                diagnostic.help_in(lang)
            } else {
                None
            },
            labels: diagnostic
                .labels
                .iter()
                .map(|label| (label.span, label.text_in(lang)))
                .collect(),
        }
    }
}

impl fmt::Display for Said<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Said<'_> {}

impl miette::Diagnostic for Said<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code.id))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.diagnostic
            .source
            .as_ref()
            .map(|source| source.as_ref() as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.diagnostic.source.as_ref()?;
        Some(Box::new(self.labels.iter().enumerate().map(
            |(index, (span, text))| {
                let span = miette::SourceSpan::from(*span);
                if index == 0 {
                    miette::LabeledSpan::new_primary_with_span(text.clone(), span)
                } else {
                    miette::LabeledSpan::new_with_span(text.clone(), span)
                }
            },
        )))
    }
}

/// Diagnostics gathered by one pass, in the order they were found.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic.in_own_file());
    }

    /// Adds all of `other`.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0
            .extend(other.into_iter().map(Diagnostic::in_own_file));
    }

    /// True when any of them is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// How many errors.
    pub fn error_count(&self) -> usize {
        self.0
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// How many warnings.
    pub fn warning_count(&self) -> usize {
        self.0
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The diagnostics, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// Sorts by file, then position, keeping the finding order for ties, so that output does not
    /// depend on the order in which passes ran; a diagnostic that says exactly what one before
    /// it at the same place says is dropped (a decision table's column heading is checked once
    /// per row, and its one mistake is one message).
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            let file = |d: &Diagnostic| d.source.as_ref().map(|s| s.name().to_owned());
            let at = |d: &Diagnostic| d.primary_span().map(|s| (s.start, s.end));
            file(a).cmp(&file(b)).then(at(a).cmp(&at(b)))
        });
        let mut kept: Vec<Diagnostic> = Vec::with_capacity(self.0.len());
        for diagnostic in self.0.drain(..) {
            let same = |other: &Diagnostic| {
                other.code.id == diagnostic.code.id
                    && other.message == diagnostic.message
                    && other.primary_span() == diagnostic.primary_span()
                    && other.source.as_ref().map(|s| s.name())
                        == diagnostic.source.as_ref().map(|s| s.name())
            };
            // Identical diagnostics sort next to each other (same place), so looking back over
            // those at this place is enough.
            let repeated = kept
                .iter()
                .rev()
                .take_while(|k| k.primary_span() == diagnostic.primary_span())
                .any(same);
            if !repeated {
                kept.push(diagnostic);
            }
        }
        self.0 = kept;
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
