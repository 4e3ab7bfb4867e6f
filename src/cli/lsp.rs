//! `arrears lsp`: a language server over standard input and output (LSP 3.17), on the library.
//!
//! Open buffers are read before the disk (`MemoryFiles::over_disk`), so a policy is checked as
//! typed, with its schema and modules as they stand in the editor. Every edit re-checks the
//! edited file and every open policy (a module's edit changes what includes it); the analysis,
//! which can take a second on a policy of thousands of rules, runs when a policy is opened or
//! saved, not on every keystroke. Positions are UTF-16 code units, as LSP counts them.
//!
//! This first part serves diagnostics (every error and warning of `arrears check`, with codes,
//! help and related places) and formatting (`arrears fmt`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{Formatting, Request as _};
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, DocumentFormattingParams, Location,
    NumberOrString, Position, PositionEncodingKind, PublishDiagnosticsParams, Range,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri,
};

use super::ExitCode;
use arrears::{Diagnostic, Diagnostics, Lang, LoadError, MemoryFiles, Severity, SourceFile};

/// Serves one editor until it says `exit`.
pub(crate) fn run(lang: Option<Lang>) -> ExitCode {
    let (connection, threads) = Connection::stdio();
    let capabilities = ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        document_formatting_provider: Some(lsp_types::OneOf::Left(true)),
        ..ServerCapabilities::default()
    };
    let Ok(capabilities) = serde_json::to_value(capabilities) else {
        return ExitCode::Failure;
    };
    if connection.initialize(capabilities).is_err() {
        return ExitCode::Failure;
    }
    let mut server = Server {
        connection: &connection,
        open: BTreeMap::new(),
        published: BTreeMap::new(),
        lang,
    };
    let served = server.serve();
    drop(server);
    drop(connection);
    let joined = threads.join();
    if served && joined.is_ok() {
        ExitCode::Clean
    } else {
        ExitCode::Failure
    }
}

struct Server<'c> {
    connection: &'c Connection,
    /// Open documents: the URI as the editor wrote it, their path and text, by URI.
    open: BTreeMap<String, (Uri, PathBuf, String)>,
    /// The URIs diagnostics were last published for, per checked file: cleared when a check no
    /// longer finds anything there.
    published: BTreeMap<String, Vec<String>>,
    /// The language asked for, if any; otherwise each file's own.
    lang: Option<Lang>,
}

impl Server<'_> {
    /// Handles messages until `exit`; `false` when the connection broke first.
    fn serve(&mut self) -> bool {
        while let Ok(message) = self.connection.receiver.recv() {
            match message {
                Message::Request(request) => {
                    match self.connection.handle_shutdown(&request) {
                        Ok(true) => return true,
                        Ok(false) => {}
                        Err(_) => return false,
                    }
                    self.request(request);
                }
                Message::Notification(notification) => self.notification(notification),
                Message::Response(_) => {}
            }
        }
        false
    }

    fn request(&self, request: Request) {
        let response = if request.method == Formatting::METHOD {
            match serde_json::from_value::<DocumentFormattingParams>(request.params) {
                Ok(params) => {
                    let edits = self.format(params.text_document.uri.as_str());
                    Response::new_ok(request.id, edits)
                }
                Err(error) => Response::new_err(
                    request.id,
                    lsp_server::ErrorCode::InvalidParams as i32,
                    error.to_string(),
                ),
            }
        } else {
            Response::new_err(
                request.id,
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("arrears does not answer `{}` yet", request.method),
            )
        };
        let _ = self.connection.sender.send(Message::Response(response));
    }

    fn notification(&mut self, notification: Notification) {
        // Read by hand rather than into `lsp_types`' parameter types: a URI an editor did not
        // escape (a Chinese file name) is still served, and published back as it was written.
        let params = &notification.params;
        let Some(uri) = params
            .pointer("/textDocument/uri")
            .and_then(|u| u.as_str())
            .map(str::to_owned)
        else {
            return;
        };
        match notification.method.as_str() {
            m if m == DidOpenTextDocument::METHOD => {
                let text = params
                    .pointer("/textDocument/text")
                    .unwrap_or(&serde_json::Value::Null)
                    .as_str()
                    .unwrap_or("")
                    .to_owned();
                if let (Some(path), Some(written)) = (path_of(&uri), parse_uri(&uri)) {
                    self.open.insert(uri.clone(), (written, path, text));
                    self.check_open(Some(&uri));
                }
            }
            m if m == DidChangeTextDocument::METHOD => {
                // Full sync: the last change is the whole text.
                let changes = params.get("contentChanges").and_then(|c| c.as_array());
                let last = changes
                    .and_then(|c| c.last())
                    .and_then(|c| c.get("text")?.as_str());
                if let (Some(change), Some((_, _, text))) = (last, self.open.get_mut(&uri)) {
                    *text = change.to_owned();
                    self.check_open(None);
                }
            }
            m if m == DidSaveTextDocument::METHOD => self.check_open(Some(&uri)),
            m if m == DidCloseTextDocument::METHOD => {
                self.open.remove(&uri);
                self.publish_for(&uri, BTreeMap::new());
                self.check_open(None);
            }
            _ => {}
        }
    }

    /// The open buffers in front of the disk.
    fn files(&self) -> MemoryFiles {
        let mut files = MemoryFiles::over_disk();
        for (_, path, text) in self.open.values() {
            files.insert(path, text.clone());
        }
        files
    }

    /// Checks every open file (a module's edit changes the policies that include it), with the
    /// analysis for `analysed` (just opened or saved).
    fn check_open(&mut self, analysed: Option<&str>) {
        let files = self.files();
        let open: Vec<(String, PathBuf, String)> = self
            .open
            .iter()
            .map(|(uri, (_, path, text))| (uri.clone(), path.clone(), text.clone()))
            .collect();
        for (uri, path, text) in open {
            let lang = self.lang.unwrap_or_else(|| Lang::of_source(&text));
            let diagnostics = check(&files, &path, analysed == Some(uri.as_str()));
            let by_file = self.by_file(&uri, &path, &diagnostics, lang);
            self.publish_for(&uri, by_file);
        }
    }

    /// `diagnostics` of the check of `path` as LSP diagnostics, by the URI of the file each is in.
    fn by_file(
        &self,
        uri: &str,
        path: &Path,
        diagnostics: &Diagnostics,
        lang: Lang,
    ) -> BTreeMap<String, Vec<lsp_types::Diagnostic>> {
        let mut by_file: BTreeMap<String, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
        by_file.entry(uri.to_owned()).or_default();
        for diagnostic in diagnostics {
            let file_uri = match diagnostic.source() {
                Some(source) if Path::new(source.name()) != path => {
                    match uri_of(Path::new(source.name())) {
                        Some(u) => u,
                        None => continue,
                    }
                }
                _ => uri.to_owned(),
            };
            by_file
                .entry(file_uri)
                .or_default()
                .push(to_lsp(diagnostic, lang));
        }
        by_file
    }

    /// Publishes what the check of `checked` found, file by file, and clears the files it found
    /// something in last time but not now.
    fn publish_for(
        &mut self,
        checked: &str,
        by_file: BTreeMap<String, Vec<lsp_types::Diagnostic>>,
    ) {
        let before = self.published.remove(checked).unwrap_or_default();
        for uri in before.iter().filter(|u| !by_file.contains_key(*u)) {
            self.send_diagnostics(uri, Vec::new());
        }
        let now: Vec<String> = by_file.keys().cloned().collect();
        for (uri, diagnostics) in by_file {
            self.send_diagnostics(&uri, diagnostics);
        }
        if !now.is_empty() {
            self.published.insert(checked.to_owned(), now);
        }
    }

    fn send_diagnostics(&self, uri: &str, diagnostics: Vec<lsp_types::Diagnostic>) {
        // An open document's as the editor wrote it (it matches its diagnostics by it); any
        // other file's as made from its path.
        let uri = match self.open.get(uri) {
            Some((written, _, _)) => written.clone(),
            None => match parse_uri(uri) {
                Some(uri) => uri,
                None => return,
            },
        };
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        };
        let notification = Notification::new(PublishDiagnostics::METHOD.to_owned(), params);
        let _ = self
            .connection
            .sender
            .send(Message::Notification(notification));
    }

    /// The edit that formats the open document `uri` as `arrears fmt` would; none when it is
    /// formatted already or does not parse.
    fn format(&self, uri: &str) -> Vec<TextEdit> {
        let Some((_, path, text)) = self.open.get(uri) else {
            return Vec::new();
        };
        let source = Arc::new(SourceFile::new(path.display().to_string(), text.clone()));
        match arrears::format_source(&source) {
            Ok(formatted) if formatted != *text => vec![TextEdit {
                range: Range {
                    start: Position::new(0, 0),
                    end: position(text, text.len()),
                },
                new_text: formatted,
            }],
            _ => Vec::new(),
        }
    }
}

/// What `arrears check` finds in `path`, read through `files`: a policy's errors or warnings
/// (with the analysis when `analysed`), or a schema's problems.
fn check(files: &MemoryFiles, path: &Path, analysed: bool) -> Diagnostics {
    let result = if path.extension().is_some_and(|e| e == "schema") {
        arrears::check_schema_from(files, path)
    } else {
        arrears::load_policy_from(files, path).map(|loaded| {
            let mut found = loaded.warnings;
            if analysed && !loaded.is_module {
                found.extend(arrears::analyze(&loaded.program, &loaded.source).diagnostics);
            }
            found.sort();
            found
        })
    };
    match result {
        Ok(diagnostics) | Err(LoadError::Invalid(diagnostics)) => diagnostics,
        // The document itself is open, so only a file it names can be unreadable; the error
        // that names it is the policy's own (E211, E213).
        Err(LoadError::Unreadable { .. }) => Diagnostics::default(),
    }
}

/// A diagnostic of the library as LSP shows it: its primary place, code, message (with the
/// help after it) and its other places as related information.
fn to_lsp(diagnostic: &Diagnostic, lang: Lang) -> lsp_types::Diagnostic {
    let source = diagnostic.source();
    let range_of = |span: arrears::Span| match source {
        Some(source) => Range {
            start: position(source.text(), span.start),
            end: position(source.text(), span.end),
        },
        None => Range::default(),
    };
    let range = diagnostic.primary_span().map(range_of).unwrap_or_default();
    let mut message = diagnostic.message_in(lang);
    if let Some(help) = diagnostic.help_in(lang) {
        message.push('\n');
        message.push_str(&lang.text("diag-help", &[("help", help.into())]));
    }
    let related: Vec<DiagnosticRelatedInformation> =
        match source.and_then(|s| uri_of(Path::new(s.name()))) {
            Some(uri) => diagnostic
                .labels()
                .iter()
                .skip(1)
                .filter_map(|label| {
                    Some(DiagnosticRelatedInformation {
                        location: Location {
                            uri: uri.parse().ok()?,
                            range: range_of(label.span),
                        },
                        message: label.text_in(lang).unwrap_or_default(),
                    })
                })
                .collect(),
            None => Vec::new(),
        };
    lsp_types::Diagnostic {
        range,
        severity: Some(match diagnostic.severity() {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code().id.to_owned())),
        source: Some("arrears".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    }
}

/// The LSP position of byte `offset` in `text`: its line, and its column in UTF-16 code units
/// (a Chinese character is one, a character outside the Basic Multilingual Plane two).
fn position(text: &str, offset: usize) -> Position {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let line = before.matches('\n').count();
    let column: usize = before
        .get(line_start..)
        .unwrap_or("")
        .chars()
        .map(char::len_utf16)
        .sum();
    Position::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

/// `text` as a URI; one an editor did not escape is escaped first.
fn parse_uri(text: &str) -> Option<Uri> {
    text.parse().ok().or_else(|| {
        let path = text.strip_prefix("file://")?;
        format!("file://{}", percent_encode(&percent_decode(path)))
            .parse()
            .ok()
    })
}

/// The file a `file://` URI names.
fn path_of(uri: &str) -> Option<PathBuf> {
    let path = uri.strip_prefix("file://")?;
    Some(PathBuf::from(percent_decode(path)))
}

/// The `file://` URI of `path`, made absolute.
fn uri_of(path: &Path) -> Option<String> {
    let absolute = std::path::absolute(path).ok()?;
    Some(format!(
        "file://{}",
        percent_encode(&absolute.to_string_lossy())
    ))
}

/// `%XX` escapes undone (editors escape spaces and non-ASCII characters in URIs).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (byte, hex) {
            (b'%', Some(value)) => {
                out.push(value);
                i += 3;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A path as a URI path: every byte but unreserved ones and `/` escaped.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_code_units() {
        let text = "ab\n逾期天数 > 30天\n𠀀x";
        assert_eq!(position(text, 0), Position::new(0, 0));
        // `>` after four Chinese characters and a space: column 5.
        let at = text.find('>').unwrap();
        assert_eq!(position(text, at), Position::new(1, 5));
        // A character outside the Basic Multilingual Plane takes two units.
        let x = text.find('x').unwrap();
        assert_eq!(position(text, x), Position::new(2, 2));
    }

    #[test]
    fn uris_and_paths_round_trip_with_chinese_names_and_spaces() {
        let path = Path::new("/tmp/催收 政策/小微.policy");
        let uri = uri_of(path).unwrap();
        assert!(uri.starts_with("file:///tmp/%E5%82%AC"), "{uri}");
        assert_eq!(path_of(&uri).unwrap(), path);
    }
}
