//! `arrears lsp`: a language server over standard input and output (LSP 3.17), on the library.
//!
//! Open buffers are read before the disk (`MemoryFiles::over_disk`), so a policy is checked as
//! typed, with its schema and modules as they stand in the editor. Edits are applied as they
//! come (incremental sync) and checked once the editor has been quiet for `QUIET`: a burst of
//! a thousand keystrokes is a check or two, the last of the final text. A check that new edits
//! overtook while it ran is dropped unpublished, so an editor never sees diagnostics of a text
//! that is gone. Every open file is re-checked (a module's or schema's edit changes the policies that
//! read it). The analysis, which can take seconds on a policy of thousands of rules, runs on a
//! thread of its own when a policy is opened or saved; its findings join the diagnostics of
//! the text it analysed, and are dropped if the text changed meanwhile.
//!
//! Requests (hover, definition, references, rename, completion, outline, semantic tokens,
//! code actions, formatting) are answered from each document's `Inspection`: what the checker
//! resolved every name to (`features.rs`). Positions are UTF-16 code units, as LSP counts
//! them (`text.rs`).

mod features;
mod text;

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, select};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    PrepareRenameRequest, References, Rename, Request as _, SemanticTokensFullRequest,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, DiagnosticRelatedInformation,
    DiagnosticSeverity, HoverProviderCapability, Location, MessageType, NumberOrString, OneOf,
    Position, PositionEncodingKind, PublishDiagnosticsParams, Range, RenameOptions, SaveOptions,
    SemanticTokens, SemanticTokensFullOptions, SemanticTokensLegend, SemanticTokensOptions,
    SemanticTokensServerCapabilities, ServerCapabilities, ShowMessageParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, TextEdit, Uri,
};
use serde_json::Value;

use super::ExitCode;
use arrears::{
    Diagnostic, Diagnostics, Inspection, Lang, MemoryFiles, Severity, SourceFile, Symbol,
};
use text::{offset, parse_uri, path_of, position, range, uri_of};

/// How long the editor must be quiet after an edit before the open files are checked: long
/// enough to take the messages of a burst already on their way as one, too short to be felt.
/// (Keystrokes slower than this are each checked; a check they overtake is dropped.)
const QUIET: Duration = Duration::from_millis(2);

/// A policy larger than this is analysed when saved, not when opened: the analysis of ten
/// thousand rules takes minutes, and opening a file should not start that unasked.
const ANALYSE_ON_OPEN: usize = 256 * 1024;

/// Serves one editor until it says `exit`.
pub(crate) fn run(lang: Option<Lang>) -> ExitCode {
    let (connection, threads) = Connection::stdio();
    let Ok(capabilities) = serde_json::to_value(capabilities()) else {
        return ExitCode::Failure;
    };
    if connection.initialize(capabilities).is_err() {
        return ExitCode::Failure;
    }
    let (findings_to, findings) = crossbeam_channel::unbounded();
    let mut server = Server {
        connection: &connection,
        docs: BTreeMap::new(),
        published: BTreeMap::new(),
        lang,
        dirty: false,
        pending: VecDeque::new(),
        findings_to,
        findings,
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

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        document_formatting_provider: Some(OneOf::Left(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![" ".to_owned(), "[".to_owned(), ",".to_owned()]),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: SemanticTokensLegend {
                    token_types: features::TOKEN_TYPES.to_vec(),
                    token_modifiers: features::TOKEN_MODIFIERS.to_vec(),
                },
                full: Some(SemanticTokensFullOptions::Bool(true)),
                ..SemanticTokensOptions::default()
            },
        )),
        ..ServerCapabilities::default()
    }
}

/// One open document.
struct Document {
    /// Its URI as the editor wrote it (the editor matches diagnostics by it).
    written: Uri,
    path: PathBuf,
    text: String,
    version: i32,
    /// What checking the current text found; `None` once any open text changes.
    inspection: Option<Arc<Inspection>>,
    /// The analysis' findings, for the version they were made for.
    findings: Option<(i32, Diagnostics)>,
    /// An analysis of it is running (another is not started until it ends).
    analysing: bool,
}

/// Findings of the analysis of one version of one document.
type Findings = (String, i32, Diagnostics);

struct Server<'c> {
    connection: &'c Connection,
    /// Open documents, by URI as written.
    docs: BTreeMap<String, Document>,
    /// The URIs diagnostics were last published for, per checked file: cleared when a check no
    /// longer finds anything there.
    published: BTreeMap<String, Vec<String>>,
    /// The language asked for, if any; otherwise each file's own.
    lang: Option<Lang>,
    /// An open text changed since the last check was published.
    dirty: bool,
    /// Messages read while a check ran, to handle before reading more.
    pending: VecDeque<Message>,
    findings_to: Sender<Findings>,
    findings: Receiver<Findings>,
}

impl Server<'_> {
    /// Handles messages until `exit`; `false` when the connection broke first.
    fn serve(&mut self) -> bool {
        loop {
            let message = match self.pending.pop_front() {
                Some(message) => message,
                None => {
                    let receiver = &self.connection.receiver;
                    let quiet = if self.dirty { QUIET } else { Duration::MAX };
                    let next = select! {
                        recv(receiver) -> message => Some(message),
                        recv(self.findings) -> found => {
                            if let Ok(found) = found {
                                self.found(found);
                            }
                            None
                        }
                        default(quiet) => {
                            self.check_open();
                            None
                        }
                    };
                    match next {
                        Some(Ok(message)) => message,
                        Some(Err(_)) => return false,
                        None => continue,
                    }
                }
            };
            match message {
                Message::Request(request) => {
                    match self.connection.handle_shutdown(&request) {
                        Ok(true) => return true,
                        Ok(false) => {}
                        Err(_) => return false,
                    }
                    let response = self.request(request);
                    let _ = self.connection.sender.send(Message::Response(response));
                }
                Message::Notification(notification) => self.notification(notification),
                Message::Response(_) => {}
            }
        }
    }

    fn notification(&mut self, notification: Notification) {
        // Read by hand rather than into `lsp_types`' parameter types: a URI an editor did not
        // escape (a Chinese file name) is still served, and published back as it was written.
        let params = &notification.params;
        let Some(uri) = params
            .pointer("/textDocument/uri")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return;
        };
        let version = params
            .pointer("/textDocument/version")
            .and_then(Value::as_i64)
            .and_then(|v| i32::try_from(v).ok());
        match notification.method.as_str() {
            m if m == DidOpenTextDocument::METHOD => {
                let text = params
                    .pointer("/textDocument/text")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                if let (Some(path), Some(written)) = (path_of(&uri), parse_uri(&uri)) {
                    let document = Document {
                        written,
                        path,
                        text,
                        version: version.unwrap_or(0),
                        inspection: None,
                        findings: None,
                        analysing: false,
                    };
                    let large = document.text.len() > ANALYSE_ON_OPEN;
                    let lang = self.lang_of(&document.text);
                    self.docs.insert(uri.clone(), document);
                    self.changed();
                    if large {
                        self.say(MessageType::INFO, "lsp-analysis-on-save", lang);
                    } else {
                        self.analyse(&uri);
                    }
                }
            }
            m if m == DidChangeTextDocument::METHOD => {
                let Some(document) = self.docs.get_mut(&uri) else {
                    return;
                };
                let changes = params.get("contentChanges").and_then(Value::as_array);
                for change in changes.into_iter().flatten() {
                    let Some(new) = change.get("text").and_then(Value::as_str) else {
                        continue;
                    };
                    let range = change
                        .get("range")
                        .and_then(|r| serde_json::from_value::<Range>(r.clone()).ok());
                    match range {
                        Some(range) => text::apply_change(&mut document.text, range, new),
                        None => new.clone_into(&mut document.text),
                    }
                }
                if let Some(version) = version {
                    document.version = version;
                }
                self.changed();
            }
            m if m == DidSaveTextDocument::METHOD => self.analyse(&uri),
            m if m == DidCloseTextDocument::METHOD => {
                self.docs.remove(&uri);
                self.publish_for(&uri, BTreeMap::new());
                self.changed();
            }
            _ => {}
        }
    }

    /// An open text changed: every inspection is old (a module's edit changes its policies').
    fn changed(&mut self) {
        for document in self.docs.values_mut() {
            document.inspection = None;
        }
        self.dirty = true;
    }

    /// The open buffers in front of the disk.
    fn files(&self) -> MemoryFiles {
        let mut files = MemoryFiles::over_disk();
        for document in self.docs.values() {
            files.insert(&document.path, document.text.clone());
        }
        files
    }

    /// Checks every open file and publishes what it found, unless an edit arrived meanwhile.
    fn check_open(&mut self) {
        let files = self.files();
        let checked: Vec<(String, Inspection)> = self
            .docs
            .iter()
            .filter_map(|(uri, document)| Some((uri.clone(), inspect(&files, &document.path)?)))
            .collect();
        // A check that edits overtook is of a text that is gone: drop it, handle the edits,
        // and check again when the editor is quiet.
        while let Ok(message) = self.connection.receiver.try_recv() {
            self.pending.push_back(message);
        }
        if self.pending.iter().any(changes_text) {
            return;
        }
        self.dirty = false;
        for (uri, inspection) in checked {
            if let Some(document) = self.docs.get_mut(&uri) {
                document.inspection = Some(Arc::new(inspection));
            }
            self.publish(&uri);
        }
    }

    /// The inspection of the current text of `uri`, made now if the last check is old.
    fn inspection(&mut self, uri: &str) -> Option<Arc<Inspection>> {
        let files = self.files();
        let document = self.docs.get_mut(uri)?;
        if document.inspection.is_none() {
            document.inspection = inspect(&files, &document.path).map(Arc::new);
        }
        document.inspection.clone()
    }

    /// Every open document's inspection, current.
    fn inspections(&mut self) -> Vec<Arc<Inspection>> {
        let uris: Vec<String> = self.docs.keys().cloned().collect();
        uris.iter().filter_map(|uri| self.inspection(uri)).collect()
    }

    /// Tells the person at the editor something, in their language.
    fn say(&self, kind: MessageType, id: &str, lang: Lang) {
        let params = ShowMessageParams {
            typ: kind,
            message: lang.text(id, &[]),
        };
        let notification = Notification::new(ShowMessage::METHOD.to_owned(), params);
        let _ = self
            .connection
            .sender
            .send(Message::Notification(notification));
    }

    /// Starts the analysis of the open policy `uri` on a thread of its own, unless one is
    /// running for it already.
    fn analyse(&mut self, uri: &str) {
        let Some(inspection) = self.inspection(uri) else {
            return;
        };
        let Some(document) = self.docs.get_mut(uri) else {
            return;
        };
        if inspection.program.is_none() || inspection.is_module || document.analysing {
            return;
        }
        document.analysing = true;
        let version = document.version;
        let to = self.findings_to.clone();
        let uri = uri.to_owned();
        let spawned = std::thread::Builder::new()
            .name("analysis".to_owned())
            .stack_size(arrears::STACK_BYTES)
            .spawn(move || {
                if let Some(program) = &inspection.program {
                    let found = arrears::analyze(program, &inspection.source).diagnostics;
                    let _ = to.send((uri, version, found));
                }
            });
        drop(spawned);
    }

    /// The analysis of `uri` finished: its findings join the diagnostics if the text is still
    /// the one analysed.
    fn found(&mut self, (uri, version, diagnostics): Findings) {
        let Some(document) = self.docs.get_mut(&uri) else {
            return;
        };
        document.analysing = false;
        if document.version != version {
            return;
        }
        document.findings = Some((version, diagnostics));
        if !self.dirty {
            self.publish(&uri);
        }
    }

    /// Publishes what the last check of `uri` found, with the analysis' findings for its text.
    fn publish(&mut self, uri: &str) {
        let Some(document) = self.docs.get(uri) else {
            return;
        };
        let Some(inspection) = &document.inspection else {
            return;
        };
        let mut diagnostics = inspection.diagnostics.clone();
        if let Some((version, findings)) = &document.findings
            && *version == document.version
        {
            diagnostics.extend(findings.iter().cloned());
            diagnostics.sort();
        }
        let lang = self.lang_of(&document.text);
        let by_file = self.by_file(uri, &document.path, &diagnostics, lang);
        self.publish_for(uri, by_file);
    }

    fn lang_of(&self, text: &str) -> Lang {
        self.lang.unwrap_or_else(|| Lang::of_source(text))
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
                .push(to_lsp(diagnostic, lang, &|name| self.uri_for(name)));
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
        let (uri, version) = match self.docs.get(uri) {
            Some(document) => (document.written.clone(), Some(document.version)),
            None => match parse_uri(uri) {
                Some(uri) => (uri, None),
                None => return,
            },
        };
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        let notification = Notification::new(PublishDiagnostics::METHOD.to_owned(), params);
        let _ = self
            .connection
            .sender
            .send(Message::Notification(notification));
    }

    /// The URI of the file read under `name`: an open document's as the editor wrote it.
    fn uri_for(&self, name: &str) -> Option<Uri> {
        let path = Path::new(name);
        self.docs
            .values()
            .find(|d| d.path == path)
            .map(|d| d.written.clone())
            .or_else(|| parse_uri(&uri_of(path)?))
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        // The library does not panic on any input (its lints forbid it); should a dependency,
        // the request fails and the editor keeps its server.
        let answer =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.answer(&request)));
        match answer {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
            Err(_) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!(
                    "arrears failed to answer `{}` (reported on its standard error)",
                    request.method
                ),
            ),
        }
    }

    /// The answer to `request`, or why there is none.
    fn answer(&mut self, request: &Request) -> Result<Value, (ErrorCode, String)> {
        let params = &request.params;
        let method = request.method.as_str();
        let known = [
            Formatting::METHOD,
            HoverRequest::METHOD,
            GotoDefinition::METHOD,
            References::METHOD,
            PrepareRenameRequest::METHOD,
            Rename::METHOD,
            Completion::METHOD,
            DocumentSymbolRequest::METHOD,
            SemanticTokensFullRequest::METHOD,
            CodeActionRequest::METHOD,
        ];
        if !known.contains(&method) {
            return Err((
                ErrorCode::MethodNotFound,
                format!("arrears does not answer `{method}`"),
            ));
        }
        let uri = params
            .pointer("/textDocument/uri")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| invalid("textDocument.uri"))?;
        let Some(inspection) = self.inspection(&uri) else {
            // Not an open document (or not a file): nothing is known of it.
            return Ok(Value::Null);
        };
        let (text, lang) = match self.docs.get(&uri) {
            Some(document) => (document.text.clone(), self.lang_of(&document.text)),
            None => return Ok(Value::Null),
        };
        let at = params
            .get("position")
            .and_then(|p| serde_json::from_value::<Position>(p.clone()).ok())
            .map(|p| offset(&text, p));
        let need_at = || at.ok_or_else(|| invalid("position"));
        let json = |value: Result<Value, serde_json::Error>| {
            value.map_err(|e| (ErrorCode::InternalError, e.to_string()))
        };
        let uri_for = |name: &str| self.uri_for(name);
        match method {
            m if m == Formatting::METHOD => json(serde_json::to_value(format(&text, &inspection))),
            m if m == HoverRequest::METHOD => json(serde_json::to_value(features::hover(
                &inspection,
                need_at()?,
                lang,
            ))),
            m if m == GotoDefinition::METHOD => {
                let found = features::symbol_at(&inspection, need_at()?).and_then(|(symbol, _)| {
                    let declaration = inspection.symbols.declaration(&symbol)?;
                    features::location(&inspection, declaration.name, &uri_for)
                });
                json(serde_json::to_value(found))
            }
            m if m == References::METHOD => {
                let Some((symbol, _)) = features::symbol_at(&inspection, need_at()?) else {
                    return Ok(Value::Null);
                };
                let with_declaration = params
                    .pointer("/context/includeDeclaration")
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                let all = self.inspections();
                let all: Vec<&Inspection> = all.iter().map(AsRef::as_ref).collect();
                let uri_for = |name: &str| self.uri_for(name);
                let mut found = features::references(&all, &symbol, &uri_for);
                if !with_declaration {
                    let declared = inspection
                        .symbols
                        .declaration(&symbol)
                        .and_then(|d| features::location(&inspection, d.name, &uri_for));
                    found.retain(|l| Some(l) != declared.as_ref());
                }
                json(serde_json::to_value(found))
            }
            m if m == PrepareRenameRequest::METHOD => {
                let Some((symbol, span)) = features::symbol_at(&inspection, need_at()?) else {
                    return Err((
                        ErrorCode::RequestFailed,
                        lang.text("lsp-rename-nothing", &[]),
                    ));
                };
                if let Some(refusal) = features::rename_refusal(&symbol, symbol.name(), lang) {
                    return Err((ErrorCode::RequestFailed, refusal));
                }
                json(serde_json::to_value(range(&text, span.start, span.end)))
            }
            m if m == Rename::METHOD => {
                let Some((symbol, _)) = features::symbol_at(&inspection, need_at()?) else {
                    return Err((
                        ErrorCode::RequestFailed,
                        lang.text("lsp-rename-nothing", &[]),
                    ));
                };
                let new_name = params
                    .get("newName")
                    .and_then(Value::as_str)
                    .ok_or_else(|| invalid("newName"))?;
                if let Some(refusal) = features::rename_refusal(&symbol, new_name, lang) {
                    return Err((ErrorCode::RequestFailed, refusal));
                }
                let all = self.inspections();
                let all: Vec<&Inspection> = all.iter().map(AsRef::as_ref).collect();
                if taken(&all, &symbol, new_name) {
                    return Err((
                        ErrorCode::RequestFailed,
                        lang.text("lsp-rename-taken", &[("name", new_name.into())]),
                    ));
                }
                let uri_for = |name: &str| self.uri_for(name);
                json(serde_json::to_value(features::rename_edits(
                    &all, &symbol, new_name, &uri_for,
                )))
            }
            m if m == Completion::METHOD => json(serde_json::to_value(features::completion(
                &inspection,
                &text,
                need_at()?,
                lang,
            ))),
            m if m == DocumentSymbolRequest::METHOD => {
                json(serde_json::to_value(features::outline(&inspection, lang)))
            }
            m if m == SemanticTokensFullRequest::METHOD => {
                json(serde_json::to_value(SemanticTokens {
                    result_id: None,
                    data: features::semantic_tokens(&inspection),
                }))
            }
            m if m == CodeActionRequest::METHOD => {
                let wanted = params
                    .get("range")
                    .and_then(|r| serde_json::from_value::<Range>(r.clone()).ok())
                    .ok_or_else(|| invalid("range"))?;
                let wanted = (offset(&text, wanted.start), offset(&text, wanted.end));
                let written = self
                    .docs
                    .get(&uri)
                    .map(|d| d.written.clone())
                    .ok_or_else(|| invalid("textDocument.uri"))?;
                let uri_for = |name: &str| self.uri_for(name);
                let to = |d: &Diagnostic| to_lsp(d, lang, &uri_for);
                json(serde_json::to_value(features::code_actions(
                    &inspection,
                    wanted,
                    &written,
                    lang,
                    &to,
                )))
            }
            _ => Ok(Value::Null),
        }
    }
}

/// True for a message that changes an open text.
fn changes_text(message: &Message) -> bool {
    matches!(message, Message::Notification(n) if n.method == DidChangeTextDocument::METHOD
        || n.method == DidOpenTextDocument::METHOD
        || n.method == DidCloseTextDocument::METHOD)
}

fn invalid(what: &str) -> (ErrorCode, String) {
    (
        ErrorCode::InvalidParams,
        format!("the request has no valid `{what}`"),
    )
}

/// Whether `new_name` is already declared as a thing of the same sort as `symbol`.
fn taken(inspections: &[&Inspection], symbol: &Symbol, new_name: &str) -> bool {
    let same_sort =
        |other: &Symbol| std::mem::discriminant(other) == std::mem::discriminant(symbol);
    inspections.iter().any(|inspection| {
        inspection
            .symbols
            .declarations()
            .any(|d| same_sort(&d.symbol) && d.symbol.name() == new_name && d.symbol != *symbol)
    })
}

/// What checking `path` (a policy, module or schema) through `files` finds; `None` when the
/// file cannot be read at all.
fn inspect(files: &MemoryFiles, path: &Path) -> Option<Inspection> {
    // As for requests: a panic, were there one, costs this check, not the server.
    std::panic::catch_unwind(|| {
        if path.extension().is_some_and(|e| e == "schema") {
            arrears::inspect_schema(files, path)
        } else {
            arrears::inspect_policy(files, path)
        }
    })
    .ok()?
    .ok()
}

/// The edit that formats `text` as `arrears fmt` would; none when it is formatted already or
/// does not parse.
fn format(text: &str, inspection: &Inspection) -> Vec<TextEdit> {
    let source = Arc::new(SourceFile::new(inspection.source.name(), text.to_owned()));
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

/// A diagnostic of the library as LSP shows it: its primary place, code, message (with the
/// help after it) and its other places as related information.
fn to_lsp(
    diagnostic: &Diagnostic,
    lang: Lang,
    uri_for: &dyn Fn(&str) -> Option<Uri>,
) -> lsp_types::Diagnostic {
    let source = diagnostic.source();
    let range = match (source, diagnostic.primary_span()) {
        (Some(source), Some(span)) => range(source.text(), span.start, span.end),
        _ => Range::default(),
    };
    let mut message = diagnostic.message_in(lang);
    if let Some(help) = diagnostic.help_in(lang) {
        message.push('\n');
        message.push_str(&lang.text("diag-help", &[("help", help.into())]));
    }
    let related: Vec<DiagnosticRelatedInformation> = match source {
        Some(source) => diagnostic
            .labels()
            .iter()
            .skip(1)
            .filter_map(|label| {
                let file = source.file(label.span.file)?;
                Some(DiagnosticRelatedInformation {
                    location: Location {
                        uri: uri_for(file.name())?,
                        range: text::range(file.text(), label.span.start, label.span.end),
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
