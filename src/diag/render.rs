//! Turning diagnostics into text: for people (miette's graphical report), for golden tests
//! (the same without colour, at a fixed width), for programs (one JSON object a line) and for
//! GitHub Actions (workflow commands that annotate the changed lines of a pull request).

use std::fmt::Write as _;
use std::io;

use miette::{GraphicalReportHandler, GraphicalTheme};
use serde::Serialize;

use super::{Diagnostic, Said, Severity};
use crate::lang::{Lang, tr};

/// How diagnostics are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorFormat {
    /// Underlined source with colour when the terminal supports it.
    Human,
    /// The same without colour, at a fixed width of 100 columns.
    Plain,
    /// One JSON object a line.
    Json,
    /// GitHub Actions workflow commands (`::error file=…`).
    Github,
}

/// Writes every diagnostic to `out` in `format`, its words in `lang` (codes, names and JSON
/// keys stay as they are); `color` only matters for `Human`.
pub fn render_all<'a>(
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    format: ErrorFormat,
    color: bool,
    lang: Lang,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    for diagnostic in diagnostics {
        let text = match format {
            ErrorFormat::Human => graphical(diagnostic, color, lang),
            ErrorFormat::Plain => graphical(diagnostic, false, lang),
            ErrorFormat::Json => json(diagnostic, lang),
            ErrorFormat::Github => github(diagnostic, lang),
        };
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}

fn graphical(diagnostic: &Diagnostic, color: bool, lang: Lang) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    // miette prints its own English word before the advice; in another language the advice
    // follows the report under that language's word.
    let english = lang == Lang::En;
    let said = Said::new(diagnostic, lang, english);
    let mut text = String::new();
    if handler.render_report(&mut text, &said).is_err() {
        // The report could not be laid out (it never happens with our own spans); say the
        // essentials rather than nothing.
        text = format!(
            "{}: {}\n",
            diagnostic.code().id,
            diagnostic.message_in(lang)
        );
    }
    if !english && let Some(help) = diagnostic.help_in(lang) {
        let _ = writeln!(text, "  {}", tr!(lang, "diag-help", help = help));
    }
    text
}

/// The position of a diagnostic, as people count it.
struct Place {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

fn place(diagnostic: &Diagnostic) -> Option<Place> {
    let source = diagnostic.source()?;
    let span = diagnostic.primary_span()?;
    let start = source.line_col(span.start);
    let end = source.line_col(span.end);
    Some(Place {
        file: source.name().to_owned(),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
    })
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: String,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    labels: Vec<JsonLabel>,
    suggestions: Vec<String>,
}

#[derive(Serialize)]
struct JsonLabel {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    text: Option<String>,
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn json(diagnostic: &Diagnostic, lang: Lang) -> String {
    let at = place(diagnostic);
    let labels = match diagnostic.source() {
        Some(source) => diagnostic
            .labels()
            .iter()
            .map(|label| {
                let start = source.line_col(label.span.start);
                let end = source.line_col(label.span.end);
                JsonLabel {
                    line: start.line,
                    column: start.column,
                    end_line: end.line,
                    end_column: end.column,
                    text: label.text_in(lang),
                }
            })
            .collect(),
        None => Vec::new(),
    };
    let record = JsonDiagnostic {
        code: diagnostic.code().id,
        name: diagnostic.code().name,
        severity: severity_word(diagnostic.severity()),
        message: diagnostic.message_in(lang),
        file: diagnostic.source().map(|s| s.name()),
        line: at.as_ref().map(|p| p.line),
        column: at.as_ref().map(|p| p.column),
        end_line: at.as_ref().map(|p| p.end_line),
        end_column: at.as_ref().map(|p| p.end_column),
        labels,
        suggestions: diagnostic.help_in(lang).into_iter().collect(),
    };
    let mut line = serde_json::to_string(&record).unwrap_or_default();
    line.push('\n');
    line
}

/// Escapes text for a workflow command, as the GitHub Actions toolkit does.
fn github_escape(text: &str, property: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            other => out.push(other),
        }
    }
    out
}

fn github(diagnostic: &Diagnostic, lang: Lang) -> String {
    let mut properties = Vec::new();
    if let Some(at) = place(diagnostic) {
        properties.push(format!("file={}", github_escape(&at.file, true)));
        properties.push(format!("line={}", at.line));
        properties.push(format!("col={}", at.column));
        properties.push(format!("endLine={}", at.end_line));
        properties.push(format!("endColumn={}", at.end_column));
    }
    let title = format!("{} {}", diagnostic.code().id, diagnostic.code().name);
    properties.push(format!("title={}", github_escape(&title, true)));
    let mut message = diagnostic.message_in(lang);
    if let Some(help) = diagnostic.help_in(lang) {
        let _ = write!(message, "\n{}", tr!(lang, "diag-github-help", help = help));
    }
    format!(
        "::{} {}::{}\n",
        severity_word(diagnostic.severity()),
        properties.join(","),
        github_escape(&message, false)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;
    use crate::source::{SourceFile, Span};

    fn sample() -> Diagnostic {
        let file = SourceFile::new("p.policy", "let a = 逾期 + 1\n");
        let start = file.text().find('逾').unwrap();
        Diagnostic::error(Code::UNKNOWN_NAME, "unknown name `逾期`")
            .in_file(&file)
            .label(Span::new(start, start + "逾期".len()), "not declared")
            .help("did you mean `逾期天数`?")
    }

    fn render(format: ErrorFormat) -> String {
        let mut out = Vec::new();
        render_all([&sample()], format, false, Lang::En, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_counts_columns_in_characters() {
        let value: serde_json::Value = serde_json::from_str(&render(ErrorFormat::Json)).unwrap();
        assert_eq!(value["line"], 1);
        assert_eq!(value["column"], 9);
        assert_eq!(value["end_column"], 11);
        assert_eq!(value["code"], "E201");
        assert_eq!(value["suggestions"][0], "did you mean `逾期天数`?");
    }

    #[test]
    fn github_annotations_escape_their_separators() {
        assert_eq!(
            render(ErrorFormat::Github),
            "::error file=p.policy,line=1,col=9,endLine=1,endColumn=11,title=E201 unknown-name::unknown name `逾期`%0Ahelp: did you mean `逾期天数`?\n"
        );
    }

    #[test]
    fn plain_report_underlines_the_name() {
        let text = render(ErrorFormat::Plain);
        assert!(text.contains("E201"), "{text}");
        assert!(text.contains("p.policy:1:9"), "{text}");
        assert!(text.contains("did you mean"), "{text}");
    }
}
