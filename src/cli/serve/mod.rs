//! `arrears serve`: the workbench for the bank's risk staff (`workbench.rs`: one page and the
//! calls it makes) and the decision API over HTTP for the collections systems around them.
//!
//! The live policy is one `Arc<Live>` behind a lock: a request takes the `Arc` once, at its
//! start, and decides every loan of its body with that version, so no response mixes two
//! versions. A watcher reads the policy's files twice a second (and on `SIGHUP`); when one
//! changed it loads the new version off the async threads and swaps it in only if it checks
//! without errors, otherwise the old version keeps serving and `/v1/policy` says why.
//!
//! Each request's loans go through the engine's batch path on the calling thread
//! (`run_batch_here`): one JSON Lines record per loan, read, validated, rejected or decided and
//! rendered exactly as `arrears run` does it, so a decision is byte for byte the record `run`
//! writes for that loan, and a rejected row the rejects file's object without its `file`.

use std::io::Cursor;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

mod workbench;

use super::manifest::Fingerprint;
use super::{ExitCode, Output};
use arrears::{
    BatchRow, BorrowerContext, ErrorFormat, FileRole, Flow, InputFormat, Loaded, RecordStream,
    load_policy, rejected_json, render_jsonl, run_batch_here,
};

/// `arrears serve`'s arguments.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The policy to serve.
    policy: PathBuf,
    /// Where to listen. An address other than loopback needs `--token`.
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// The bearer token every `/v1/` request must carry (`Authorization: Bearer TOKEN`).
    #[arg(long)]
    token: Option<String>,
    /// The largest request body accepted, in megabytes; a larger one is refused with 413.
    #[arg(long, default_value_t = 16)]
    max_body_mb: usize,
    /// The sample book the workbench's dry run, explanations and impact read.
    #[arg(long)]
    portfolio: Option<PathBuf>,
    /// The evaluation date the workbench starts with (YYYY-MM-DD).
    #[arg(long, value_parser = super::parse_as_of)]
    as_of: Option<NaiveDate>,
}

/// How often the watcher reads the live policy's files.
const WATCH: Duration = Duration::from_millis(500);

/// One loaded version of the policy.
struct Live {
    loaded: Loaded,
    /// The policy's name, as records and reports give it.
    name: String,
    /// Each file read, with its digest: the policy, its schema, its modules.
    files: Vec<(FileRole, String, Fingerprint)>,
    /// One digest for all of them (each file's path and digest, a line each): it changes
    /// whenever any file the decisions depend on changes, a module or the schema included.
    version: String,
}

impl Live {
    fn load(path: &Path) -> Result<Live, String> {
        let loaded = match load_policy(path) {
            Ok(loaded) if loaded.is_module => {
                return Err(format!(
                    "`{}` is a module, which has no decisions of its own",
                    path.display()
                ));
            }
            Ok(loaded) => loaded,
            Err(arrears::LoadError::Unreadable { path, reason }) => {
                return Err(format!("cannot read `{}`: {reason}", path.display()));
            }
            Err(arrears::LoadError::Invalid(diagnostics)) => {
                let mut text = Vec::new();
                let _ = arrears::render_all(
                    &diagnostics,
                    ErrorFormat::Plain,
                    false,
                    arrears::Lang::En,
                    &mut text,
                );
                return Err(String::from_utf8_lossy(&text).into_owned());
            }
        };
        let files: Vec<(FileRole, String, Fingerprint)> = loaded
            .files
            .iter()
            .map(|(role, file)| {
                (
                    *role,
                    file.name().to_owned(),
                    Fingerprint::of(file.text().as_bytes()),
                )
            })
            .collect();
        let name = loaded
            .program
            .name()
            .map_or_else(|| path.display().to_string(), str::to_owned);
        let version = loaded.version();
        Ok(Live {
            loaded,
            name,
            files,
            version,
        })
    }

    /// The policy file's digest (what `sha256sum POLICY` prints).
    fn sha256(&self) -> &str {
        self.files.first().map_or("", |(_, _, f)| f.sha256.as_str())
    }

    /// Whether the files on disk are still the ones this version was loaded from.
    fn digests_on_disk(&self) -> Vec<Option<String>> {
        self.files
            .iter()
            .map(|(_, path, _)| {
                std::fs::read(path)
                    .ok()
                    .map(|bytes| Fingerprint::of(&bytes).sha256)
            })
            .collect()
    }
}

/// What the handlers share.
struct Shared {
    path: PathBuf,
    live: RwLock<Arc<Live>>,
    /// Why the last attempt to load a changed policy failed, if it did.
    reload_error: RwLock<Option<String>>,
    token: Option<String>,
    bench: workbench::Bench,
}

impl Shared {
    fn live(&self) -> Arc<Live> {
        match self.live.read() {
            Ok(live) => Arc::clone(&live),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }
}

/// Serves the decision API until interrupted.
pub(crate) fn run(args: &Args, out: &Output) -> ExitCode {
    if !args.bind.ip().is_loopback() && args.token.is_none() {
        out.note(&format!(
            "error: `--bind {}` listens beyond this machine: give `--token` so that only callers \
             holding it are answered",
            args.bind
        ));
        return ExitCode::Failure;
    }
    let live = match Live::load(&args.policy) {
        Ok(live) => live,
        Err(message) => {
            out.note(&format!("error: the policy does not load:\n{message}"));
            return ExitCode::Problems;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(arrears::STACK_BYTES)
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            out.note(&format!(
                "error: cannot start the server's threads: {error}"
            ));
            return ExitCode::Failure;
        }
    };
    let shared = Arc::new(Shared {
        path: args.policy.clone(),
        live: RwLock::new(Arc::new(live)),
        reload_error: RwLock::new(None),
        token: args.token.clone(),
        bench: workbench::Bench::new(&args.policy, args.portfolio.clone(), args.as_of),
    });
    let limit = args.max_body_mb.saturating_mul(1024 * 1024);
    runtime.block_on(serve(shared, args.bind, limit, out))
}

async fn serve(shared: Arc<Shared>, bind: SocketAddr, limit: usize, out: &Output) -> ExitCode {
    let listener = match tokio::net::TcpListener::bind(bind).await {
        Ok(listener) => listener,
        Err(error) => {
            out.note(&format!("error: cannot listen on {bind}: {error}"));
            return ExitCode::Failure;
        }
    };
    let address = listener.local_addr().unwrap_or(bind);
    {
        let live = shared.live();
        out.note(&format!(
            "arrears serve: listening on http://{address} — policy `{}` (sha256 {})",
            live.name,
            live.sha256()
        ));
    }
    tokio::spawn(watch(Arc::clone(&shared)));
    // Every `/v1/` and `/api/` route needs the token when there is one; the page, its assets
    // and `/healthz` do not (the page sends the token it was opened with).
    let guarded = Router::new()
        .route("/v1/policy", get(policy))
        .route("/v1/decide", post(decide))
        .route("/api/session", get(workbench::session))
        .route("/api/check", post(workbench::check))
        .route("/api/format", post(workbench::format))
        .route("/api/save", post(workbench::save))
        .route("/api/report", post(workbench::report))
        .route("/api/jobs/{id}", get(workbench::job))
        .route("/api/explain", post(workbench::explain))
        .route("/api/impact", post(workbench::impact))
        .route("/api/tests", post(workbench::tests))
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&shared),
            require_token,
        ));
    let app = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/", get(workbench::page))
        .route("/app.js", get(workbench::script))
        .route("/app.css", get(workbench::style))
        .merge(guarded)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(shared);
    let stopped = axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    match stopped {
        Ok(()) => ExitCode::Clean,
        Err(error) => {
            out.note(&format!("error: the server stopped: {error}"));
            ExitCode::Failure
        }
    }
}

/// Reloads the policy when one of its files changes on disk, or on `SIGHUP`.
async fn watch(shared: Arc<Shared>) {
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    // The digests last tried, so that a version that failed is not tried again every tick.
    let mut tried: Vec<Option<String>> = Vec::new();
    loop {
        let forced = match &mut hangup {
            Some(signal) => tokio::select! {
                _ = signal.recv() => true,
                () = tokio::time::sleep(WATCH) => false,
            },
            None => {
                tokio::time::sleep(WATCH).await;
                false
            }
        };
        let live = shared.live();
        let on_disk = {
            let live = Arc::clone(&live);
            tokio::task::spawn_blocking(move || live.digests_on_disk())
                .await
                .unwrap_or_default()
        };
        let loaded: Vec<Option<String>> = live
            .files
            .iter()
            .map(|(_, _, f)| Some(f.sha256.clone()))
            .collect();
        if !forced && (on_disk == loaded || on_disk == tried) {
            continue;
        }
        tried = on_disk;
        let path = shared.path.clone();
        let attempt = tokio::task::spawn_blocking(move || Live::load(&path)).await;
        match attempt {
            Ok(Ok(new)) => {
                let name = new.name.clone();
                let sha = new.sha256().to_owned();
                if let Ok(mut live) = shared.live.write() {
                    *live = Arc::new(new);
                }
                if let Ok(mut error) = shared.reload_error.write() {
                    *error = None;
                }
                log(&format!("reloaded policy `{name}` (sha256 {sha})"));
            }
            Ok(Err(message)) => {
                log(&format!(
                    "the changed policy does not load; still serving the previous version:\n{message}"
                ));
                if let Ok(mut error) = shared.reload_error.write() {
                    *error = Some(message);
                }
            }
            Err(_) => {}
        }
    }
}

/// A line on standard error (the server's log).
#[allow(
    clippy::print_stderr,
    reason = "the server's log goes to standard error, as `Output::note` writes for the other verbs"
)]
fn log(message: &str) {
    eprintln!("arrears serve: {message}");
}

/// `GET /v1/policy`: the live policy, every file it was loaded from, and why a change did not
/// load, if one did not.
async fn policy(State(shared): State<Arc<Shared>>) -> Response {
    let live = shared.live();
    let files: Vec<Value> = live
        .files
        .iter()
        .map(|(role, path, fingerprint)| {
            json!({
                "role": match role {
                    FileRole::Policy => "policy",
                    FileRole::Schema => "schema",
                    _ => "module",
                },
                "path": path,
                "bytes": fingerprint.bytes,
                "sha256": fingerprint.sha256,
            })
        })
        .collect();
    let reload_error = shared.reload_error.read().ok().and_then(|e| e.clone());
    json_response(
        StatusCode::OK,
        &json!({
            "name": live.name,
            "sha256": live.sha256(),
            "version": live.version,
            "files": files,
            "reload_error": reload_error,
        }),
    )
}

/// The body of `POST /v1/decide`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecideRequest<'a> {
    as_of: String,
    #[serde(borrow)]
    loans: Vec<&'a RawValue>,
    #[serde(default)]
    trace: bool,
}

/// `POST /v1/decide`: every loan decided (or rejected), in input order.
async fn decide(
    State(shared): State<Arc<Shared>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let status = rejection.status();
            let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                "the body is larger than the server accepts (`--max-body-mb`): send fewer loans per request".to_owned()
            } else {
                rejection.body_text()
            };
            return error(status, &message, None);
        }
    };
    let live = shared.live();
    let decided = tokio::task::spawn_blocking(move || decide_body(&live, &body)).await;
    match decided {
        Ok(Ok(answer)) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/json")
            .body(answer.into())
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response()),
        Ok(Err(refused)) => refused.into_response(),
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "deciding failed unexpectedly; the error is in the server's log",
            None,
        ),
    }
}

/// Why a request is refused: its status, what to say, and where in the body.
pub(super) struct Refused {
    status: StatusCode,
    message: String,
    place: Option<Value>,
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        error(self.status, &self.message, self.place)
    }
}

pub(super) fn refused(status: StatusCode, message: &str, place: Option<Value>) -> Refused {
    Refused {
        status,
        message: message.to_owned(),
        place,
    }
}

/// The answer to one decide request's body, or the 400 that says what is wrong with it.
fn decide_body(live: &Live, body: &[u8]) -> Result<String, Refused> {
    let request: DecideRequest<'_> = serde_json::from_slice(body).map_err(|e| {
        let place = json!({"line": e.line(), "column": e.column()});
        refused(
            StatusCode::BAD_REQUEST,
            &format!(
                "the body is not a decide request: {e}. Expected {{\"as_of\": \"YYYY-MM-DD\", \"loans\": [...], \"trace\": false}}"
            ),
            Some(place),
        )
    })?;
    let as_of = NaiveDate::parse_from_str(&request.as_of, "%Y-%m-%d").map_err(|_| {
        refused(
            StatusCode::BAD_REQUEST,
            &format!(
                "`as_of` must be a date written YYYY-MM-DD, not `{}`",
                request.as_of
            ),
            Some(json!({"field": "as_of", "value": request.as_of})),
        )
    })?;
    // One JSON Lines record per loan, so each is read exactly as `arrears run` reads a line.
    let mut lines = String::with_capacity(body.len());
    for loan in &request.loans {
        let text = loan.get();
        if text.contains(['\n', '\r']) {
            match serde_json::from_str::<Value>(text) {
                Ok(value) => lines.push_str(&value.to_string()),
                Err(_) => lines.push_str(text),
            }
        } else {
            lines.push_str(text);
        }
        lines.push('\n');
    }
    let program = &live.loaded.program;
    let schema = program.schema();
    let stream = RecordStream::open(
        Box::new(Cursor::new(lines.into_bytes())),
        InputFormat::Jsonl,
        schema,
    )
    .map_err(|e| refused(StatusCode::BAD_REQUEST, &e.to_string(), None))?;
    let traced = request.trace;
    let by_borrower = program.reads_borrowers();
    let render = |key: &str, loan: &arrears::Loan, borrower: Option<&mut BorrowerContext>| match (
        traced, borrower,
    ) {
        (true, Some(borrower)) => {
            let (evaluation, trace) = program.evaluate_traced_in(loan, borrower, as_of);
            render_jsonl(program, key, &evaluation, Some((&trace, as_of)))
        }
        (true, None) => {
            let (evaluation, trace) = program.evaluate_traced(loan, as_of);
            render_jsonl(program, key, &evaluation, Some((&trace, as_of)))
        }
        (false, Some(borrower)) => render_jsonl(
            program,
            key,
            &program.evaluate_in(loan, borrower, as_of),
            None,
        ),
        (false, None) => render_jsonl(program, key, &program.evaluate(loan, as_of), None),
    };
    // A policy that reads borrowers decides the request's loans a borrower at a time, after
    // all are read: the loans of one borrower in the request are its loans.
    let decide = |record: &mut arrears::Record<'_>| {
        let (key, loan) = record.loan(schema)?;
        if by_borrower {
            return Ok((key, Err(loan)));
        }
        let line = render(&key, &loan, None);
        Ok((key, Ok(line)))
    };
    let mut decisions: Vec<String> = Vec::with_capacity(request.loans.len());
    let mut waiting: Vec<Waiting> = Vec::new();
    let mut rejected: Vec<String> = Vec::new();
    let sink = |row: BatchRow<Result<String, arrears::Loan>>| -> Result<Flow, String> {
        match row {
            BatchRow::Decided {
                value: Ok(line), ..
            } => decisions.push(line),
            BatchRow::Decided {
                key,
                value: Err(loan),
                ..
            } => {
                waiting.push((decisions.len(), key, loan));
                decisions.push(String::new());
            }
            BatchRow::Rejected(row) => {
                let mut object: Value =
                    serde_json::from_str(&rejected_json(&row)).map_err(|e| e.to_string())?;
                if let Some(object) = object.as_object_mut() {
                    object.shift_remove("file");
                }
                rejected.push(object.to_string());
            }
        }
        Ok(Flow::Continue)
    };
    run_batch_here(stream, "(request)", schema, decide, sink)
        .map_err(|e| refused(StatusCode::BAD_REQUEST, &e.to_string(), None))?;
    if by_borrower {
        decide_borrowers(program, (as_of, traced), &waiting, &mut decisions, &render);
    }
    let head = json!({"name": live.name, "sha256": live.sha256(), "version": live.version});
    let mut answer = String::with_capacity(decisions.iter().map(String::len).sum::<usize>() + 256);
    answer.push_str("{\"policy\":");
    answer.push_str(&head.to_string());
    answer.push_str(",\"decisions\":[");
    for (i, line) in decisions.iter().enumerate() {
        if i > 0 {
            answer.push(',');
        }
        answer.push_str(line.trim_end());
    }
    answer.push_str("],\"rejected\":[");
    answer.push_str(&rejected.join(","));
    answer.push_str("]}\n");
    Ok(answer)
}

/// A loan of a request waiting for its borrower's other loans: its place among the
/// decisions, its key and the loan.
type Waiting = (usize, String, arrears::Loan);

/// Decides the request's loans of each borrower together (in the order given), into their
/// places in `decisions`.
fn decide_borrowers(
    program: &arrears::Program,
    (as_of, traced): (chrono::NaiveDate, bool),
    waiting: &[Waiting],
    decisions: &mut [String],
    render: &dyn Fn(&str, &arrears::Loan, Option<&mut BorrowerContext>) -> String,
) {
    let slot = program.borrower_field();
    // A loan without a borrower is a borrower of its own (`l:` keeps it apart from ids).
    let borrower_of =
        |(_, key, loan): &Waiting| match slot.and_then(|slot| loan.field(slot.index())) {
            Some(arrears::Value::Text(id)) => format!("b:{id}"),
            _ => format!("l:{key}"),
        };
    // Borrowers in the order their first loan was given; each one's loans in request order.
    let mut groups: Vec<(String, Vec<&Waiting>)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for item in waiting {
        let id = borrower_of(item);
        match index.get(&id) {
            Some(&at) => {
                if let Some((_, members)) = groups.get_mut(at) {
                    members.push(item);
                }
            }
            None => {
                index.insert(id.clone(), groups.len());
                groups.push((id, vec![item]));
            }
        }
    }
    for (_, members) in &groups {
        let loans: Vec<&arrears::Loan> = members.iter().map(|(_, _, loan)| loan).collect();
        let mut borrower = program.borrower_context(&loans, as_of, traced);
        for (place, key, loan) in members {
            if let Some(slot) = decisions.get_mut(*place) {
                *slot = render(key, loan, Some(&mut borrower));
            }
        }
    }
}

/// Lets a request through when it carries the server's token (or the server has none).
async fn require_token(
    State(shared): State<Arc<Shared>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match refuse(&shared, request.headers()) {
        Some(refused) => refused,
        None => next.run(request).await,
    }
}

/// The 401 for a request without the token, when the server has one.
fn refuse(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    let token = shared.token.as_ref()?;
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    // Compared in constant time (for tokens of the same length), so a caller cannot find the
    // token a byte at a time by timing the answers.
    if bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
        return None;
    }
    let mut response = error(
        StatusCode::UNAUTHORIZED,
        "this server needs its token: send `Authorization: Bearer TOKEN`",
        None,
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    Some(response)
}

/// A JSON error: `{"error": {"status", "message", ...place}}`.
fn error(status: StatusCode, message: &str, place: Option<Value>) -> Response {
    let mut detail = json!({"status": status.as_u16(), "message": message});
    if let (Some(detail), Some(Value::Object(place))) = (detail.as_object_mut(), place) {
        detail.extend(place);
    }
    json_response(status, &json!({ "error": detail }))
}

fn json_response(status: StatusCode, value: &Value) -> Response {
    let mut text = value.to_string();
    text.push('\n');
    (status, [(header::CONTENT_TYPE, "application/json")], text).into_response()
}
