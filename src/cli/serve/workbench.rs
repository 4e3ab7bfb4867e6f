//! The workbench: one page for risk staff (`web/`, built and embedded in the binary), and the
//! calls it makes. Every call takes the texts being edited and reads the rest of the policy's
//! folder from the disk (`MemoryFiles::over_disk`), so checking, the dry run, explanations and
//! the impact all see the policy as it stands in the editor, before anyone saves it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Refused, Shared, error, json_response, refused};
use arrears::impact::render::{ImpactHeading, impact_json};
use arrears::impact::{AmountFields, Comparison, LoanChange};
use arrears::summary::render::{ReportHeading, summary_html};
use arrears::summary::{LoanFacts, Summarizer, SummaryOptions};
use arrears::{
    BatchOptions, BatchRow, Diagnostic, Flow, Inspection, Lang, MemoryFiles, Program, Record,
    RecordStream, Severity, explain_text, run_batch,
};

/// The page and its assets, built by `web/build.sh` from `web/package-lock.json`.
const PAGE: &str = include_str!("../../../web/dist/index.html");
const SCRIPT: &str = include_str!("../../../web/dist/app.js");
const STYLE: &str = include_str!("../../../web/dist/app.css");

/// What the workbench works on.
pub(super) struct Bench {
    /// The folder of the policy: its `.policy` and `.schema` files are the ones edited.
    folder: PathBuf,
    /// The policy's file name in it.
    policy: String,
    portfolio: Option<PathBuf>,
    as_of: Option<NaiveDate>,
    jobs: Mutex<Vec<Arc<Job>>>,
}

impl Bench {
    pub(super) fn new(
        policy: &Path,
        portfolio: Option<PathBuf>,
        as_of: Option<NaiveDate>,
    ) -> Bench {
        let folder = policy
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        let policy = policy
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Bench {
            folder,
            policy,
            portfolio,
            as_of,
            jobs: Mutex::new(Vec::new()),
        }
    }

    /// The `.policy` and `.schema` files of the folder, by name.
    fn file_names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.folder)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".policy") || n.ends_with(".schema"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// The sample books to choose from: the `--portfolio` file and the other books (JSON Lines,
    /// CSV, YAML) in its folder, by name.
    fn books(&self) -> Vec<String> {
        let Some(portfolio) = &self.portfolio else {
            return Vec::new();
        };
        let folder = portfolio.parent().unwrap_or(Path::new("."));
        let folder = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| arrears::InputFormat::from_extension(p).is_some())
                    .filter_map(|p| Some(p.file_name()?.to_string_lossy().into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// The path of `name`, if it is one of the folder's policy or schema files.
    fn path(&self, name: &str) -> Option<PathBuf> {
        self.file_names()
            .iter()
            .any(|n| n == name)
            .then(|| self.folder.join(name))
    }

    /// The disk, with the texts being edited in front of it.
    fn files(&self, texts: &BTreeMap<String, String>) -> MemoryFiles {
        let mut files = MemoryFiles::over_disk();
        for (name, text) in texts {
            if let Some(path) = self.path(name) {
                files.insert(&path, text.clone());
            }
        }
        files
    }
}

/// The page.
pub(super) async fn page() -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE).into_response()
}

pub(super) async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
        .into_response()
}

pub(super) async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

/// `GET /api/session`: the files, the sample book and the date the page starts with.
pub(super) async fn session(State(shared): State<Arc<Shared>>) -> Response {
    let bench = &shared.bench;
    let files: Vec<Value> = bench
        .file_names()
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(bench.folder.join(&name)).unwrap_or_default();
            json!({"name": name, "text": text})
        })
        .collect();
    let policy_text = std::fs::read_to_string(bench.folder.join(&bench.policy)).unwrap_or_default();
    json_response(
        StatusCode::OK,
        &json!({
            "policy": bench.policy,
            "lang": lang_tag(Lang::of_source(&policy_text)),
            "files": files,
            "portfolio": bench.portfolio.as_ref().and_then(|p| Some(p.file_name()?.to_string_lossy().into_owned())),
            "books": bench.books(),
            "as_of": bench.as_of.map(|d| d.format("%Y-%m-%d").to_string()),
        }),
    )
}

/// What the page sends: the file in view, every text being edited, and what it asks about.
#[derive(Deserialize)]
pub(super) struct Ask {
    file: String,
    #[serde(default)]
    texts: BTreeMap<String, String>,
    #[serde(default)]
    analyse: bool,
    #[serde(default)]
    as_of: Option<String>,
    #[serde(default)]
    loan: Option<String>,
    /// A loan given whole (an analysis witness), to explain instead of one of the book's.
    #[serde(default)]
    record: Option<String>,
    /// The sample book to read, by name, among [`Bench::books`].
    #[serde(default)]
    book: Option<String>,
    /// For the impact: the git revision to compare with instead of the saved file.
    #[serde(default)]
    revision: Option<String>,
}

impl Ask {
    fn as_of(&self, bench: &Bench) -> Result<NaiveDate, Refused> {
        match &self.as_of {
            Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                refused(
                    StatusCode::BAD_REQUEST,
                    &format!("the date must be written YYYY-MM-DD, not `{text}`"),
                    Some(json!({"field": "as_of"})),
                )
            }),
            None => bench.as_of.ok_or_else(|| {
                refused(StatusCode::BAD_REQUEST, "choose the evaluation date", None)
            }),
        }
    }

    /// The evaluation date and the sample book a dry run or an impact reads.
    fn sample(&self, bench: &Bench) -> Result<(NaiveDate, PathBuf), Refused> {
        Ok((self.as_of(bench)?, self.portfolio(bench)?))
    }

    fn portfolio(&self, bench: &Bench) -> Result<PathBuf, Refused> {
        if let (Some(book), Some(portfolio)) = (&self.book, &bench.portfolio) {
            if !bench.books().contains(book) {
                return Err(refused(
                    StatusCode::BAD_REQUEST,
                    &format!("`{book}` is not a sample book beside the workbench's"),
                    None,
                ));
            }
            return Ok(portfolio.with_file_name(book));
        }
        bench.portfolio.clone().ok_or_else(|| {
            refused(
                StatusCode::BAD_REQUEST,
                "the workbench was started without a sample book: `arrears serve POLICY --portfolio FILE`",
                None,
            )
        })
    }

    /// The inspection of the file asked about, with every edited text in front of the disk.
    fn inspect(&self, bench: &Bench) -> Result<Inspection, Refused> {
        let path = bench.path(&self.file).ok_or_else(|| {
            refused(
                StatusCode::BAD_REQUEST,
                &format!(
                    "`{}` is not a policy or schema of the workbench's folder",
                    self.file
                ),
                None,
            )
        })?;
        let files = bench.files(&self.texts);
        let inspected = if self.file.ends_with(".schema") {
            arrears::inspect_schema(&files, &path)
        } else {
            arrears::inspect_policy(&files, &path)
        };
        inspected.map_err(|e| refused(StatusCode::BAD_REQUEST, &format!("{e:?}"), None))
    }

    /// The edited policy's program, or the 422 that says it has errors.
    fn program(&self, bench: &Bench) -> Result<(Program, Lang), Refused> {
        let inspection = self.inspect(bench)?;
        match inspection.program {
            Some(program) if !inspection.is_module => {
                let lang = Lang::of_source(inspection.source.text());
                Ok((program, lang))
            }
            _ => Err(refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!(
                    "`{}` has {} refused(s): fix them to run it",
                    self.file,
                    inspection.diagnostics.error_count()
                ),
                None,
            )),
        }
    }
}

/// Runs `work` on a blocking thread and answers with what it returns.
async fn blocking(work: impl FnOnce() -> Response + Send + 'static) -> Response {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|_| {
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the work failed unexpectedly; the error is in the server's log",
            None,
        )
    })
}

/// `POST /api/check`: every problem of the file (and, with `analyse`, the analysis' findings
/// and their witness loans), placed in UTF-16 units as the page's editor counts.
pub(super) async fn check(State(shared): State<Arc<Shared>>, Json(ask): Json<Ask>) -> Response {
    blocking(move || {
        let bench = &shared.bench;
        let inspection = match ask.inspect(bench) {
            Ok(inspection) => inspection,
            Err(why) => return why.into_response(),
        };
        let lang = Lang::of_source(inspection.source.text());
        let mut diagnostics: Vec<Diagnostic> = inspection.diagnostics.iter().cloned().collect();
        let mut witnesses = Vec::new();
        if ask.analyse
            && let Some(program) = &inspection.program
            && !inspection.is_module
        {
            let findings = arrears::analyze(program, &inspection.source);
            diagnostics.extend(findings.diagnostics.iter().cloned());
            witnesses = findings
                .witnesses
                .iter()
                .map(|w| {
                    json!({
                        "name": w.file_name,
                        "loan": w.key,
                        "record": w.record,
                        "as_of": w.as_of.format("%Y-%m-%d").to_string(),
                    })
                })
                .collect();
        }
        let found: Vec<Value> = diagnostics
            .iter()
            .map(|d| diagnostic_json(d, lang))
            .collect();
        json_response(
            StatusCode::OK,
            &json!({"diagnostics": found, "witnesses": witnesses, "lang": lang_tag(lang)}),
        )
    })
    .await
}

fn lang_tag(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh",
        _ => "en",
    }
}

/// Byte `offset` of `text` in UTF-16 code units, as JavaScript counts string positions.
fn utf16(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map_or(0, |before| before.encode_utf16().count())
}

/// A diagnostic as the page shows it.
fn diagnostic_json(diagnostic: &Diagnostic, lang: Lang) -> Value {
    let source = diagnostic.source();
    let (file, from, to, line) = match (source, diagnostic.primary_span()) {
        (Some(source), Some(span)) => (
            Path::new(source.name())
                .file_name()
                .map(|n| n.to_string_lossy().into_owned()),
            utf16(source.text(), span.start),
            utf16(source.text(), span.end),
            source.line_col(span.start).line,
        ),
        _ => (None, 0, 0, 0),
    };
    let fix = diagnostic.suggestion().map(|name| {
        json!({
            "label": lang.text("lsp-fix-replace", &[("name", name.into())]),
            "insert": name,
        })
    });
    json!({
        "code": diagnostic.code().id,
        "severity": match diagnostic.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        "message": diagnostic.message_in(lang),
        "help": diagnostic.help_in(lang),
        "file": file,
        "line": line,
        "from": from,
        "to": to,
        "fix": fix,
    })
}

/// `POST /api/format`: the file in `arrears fmt`'s layout.
pub(super) async fn format(Json(ask): Json<Ask>) -> Response {
    let text = ask.texts.get(&ask.file).cloned().unwrap_or_default();
    let source = arrears::SourceFile::new(ask.file.clone(), text);
    match arrears::format_source(&source) {
        Ok(formatted) => json_response(StatusCode::OK, &json!({"text": formatted})),
        Err(_) => error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the file has syntax errors; fix them to format it",
            None,
        ),
    }
}

/// `POST /api/save`: writes the file (whole, under a temporary name, then renamed); text with
/// errors is saved too, and the answer says how many.
pub(super) async fn save(State(shared): State<Arc<Shared>>, Json(ask): Json<Ask>) -> Response {
    blocking(move || {
        let bench = &shared.bench;
        let Some(path) = bench.path(&ask.file) else {
            return error(StatusCode::BAD_REQUEST, "no such file in the folder", None);
        };
        let Some(text) = ask.texts.get(&ask.file) else {
            return error(StatusCode::BAD_REQUEST, "no text to save", None);
        };
        if let Err(message) = super::super::atomic::write_whole(&path, text.as_bytes()) {
            return error(StatusCode::INTERNAL_SERVER_ERROR, &message, None);
        }
        let errors = ask
            .inspect(bench)
            .map(|i| i.diagnostics.error_count())
            .unwrap_or(0);
        json_response(
            StatusCode::OK,
            &json!({"saved": ask.file, "errors": errors}),
        )
    })
    .await
}

/// A dry run in progress.
pub(super) struct Job {
    read: AtomicU64,
    total: u64,
    result: Mutex<Option<Result<String, String>>>,
}

/// `POST /api/report`: starts the dry run of the edited policy over the sample book; the page
/// follows it at `/api/jobs/{id}`.
pub(super) async fn report(State(shared): State<Arc<Shared>>, Json(ask): Json<Ask>) -> Response {
    let bench = &shared.bench;
    let (as_of, portfolio) = match ask.sample(bench) {
        Ok(sample) => sample,
        Err(why) => return why.into_response(),
    };
    let total = std::fs::metadata(&portfolio).map(|m| m.len()).unwrap_or(0);
    let job = Arc::new(Job {
        read: AtomicU64::new(0),
        total,
        result: Mutex::new(None),
    });
    let id = match bench.jobs.lock() {
        Ok(mut jobs) => {
            jobs.push(Arc::clone(&job));
            jobs.len() - 1
        }
        Err(_) => return error(StatusCode::INTERNAL_SERVER_ERROR, "jobs unavailable", None),
    };
    let shared = Arc::clone(&shared);
    tokio::task::spawn_blocking(move || {
        let result = dry_run(&shared.bench, &ask, as_of, &portfolio, &job);
        if let Ok(mut slot) = job.result.lock() {
            *slot = Some(result);
        }
    });
    json_response(StatusCode::ACCEPTED, &json!({"job": id}))
}

/// The report of the edited policy over the sample, as `arrears report --html` writes it.
fn dry_run(
    bench: &Bench,
    ask: &Ask,
    as_of: NaiveDate,
    portfolio: &Path,
    job: &Job,
) -> Result<String, String> {
    let (program, lang) = ask
        .program(bench)
        .map_err(|_| format!("`{}` has errors: fix them to run it", ask.file))?;
    let summarizer =
        Summarizer::new(&program, as_of, &SummaryOptions::default()).map_err(|e| e.to_string())?;
    let (ranked, _) = allocation(&program, portfolio, as_of, None)?;
    let summarizer = match &ranked {
        Some(ranked) => summarizer.with_allocation(ranked),
        None => summarizer,
    };
    let mut tables = summarizer.tables();
    let decide = |record: &mut Record<'_>| {
        let number = record.number();
        let (key, loan) = record.loan(program.schema())?;
        Ok((key, summarizer.facts(number, &loan)))
    };
    let sink = |row: BatchRow<LoanFacts>| -> Result<Flow, String> {
        match row {
            BatchRow::Decided { value, .. } => summarizer.add(&mut tables, value),
            BatchRow::Rejected(rejected) => summarizer.reject(&mut tables, &rejected),
        }
        Ok(Flow::Continue)
    };
    let name = portfolio.display().to_string();
    let progress = |bytes: u64| job.read.store(bytes, Ordering::Relaxed);
    if program.reads_borrowers() {
        // As `arrears report` does: each loan among its borrower's loans, the book in any order.
        let by = arrears::ByBorrower {
            program: &program,
            as_of,
            traced: false,
            order: arrears::BorrowerOrder::Unsorted,
        };
        let open = || open_book(portfolio, program.schema());
        let decide = |number: u64,
                      _key: &str,
                      loan: &arrears::Loan,
                      borrower: &mut arrears::BorrowerContext| {
            summarizer.facts_in(number, loan, borrower)
        };
        arrears::run_batch_by_borrower(
            &open,
            &name,
            &by,
            &BatchOptions::default(),
            decide,
            sink,
            &progress,
        )
        .map_err(|e| e.to_string())?;
    } else {
        read_book(portfolio, program.schema(), decide, sink, &progress)?;
    }
    let summary = summarizer.finish(tables);
    let as_of = as_of.format("%Y-%m-%d").to_string();
    let heading = ReportHeading {
        policy: &ask.file,
        portfolio: &name,
        as_of: &as_of,
    };
    Ok(summary_html(&heading, &summary, lang))
}

/// A policy's capacities ranked over the sample book (`None` for a policy without any), and
/// the record number of the loan keyed `find`, as `arrears run` and `explain` rank them.
fn allocation(
    program: &arrears::Program,
    portfolio: &Path,
    as_of: NaiveDate,
    find: Option<&str>,
) -> Result<(Option<arrears::Allocation>, Option<u64>), String> {
    if !program.has_capacities() {
        return Ok((None, None));
    }
    let open = || open_book(portfolio, program.schema());
    let how = arrears::Allocating {
        program,
        as_of,
        order: arrears::BorrowerOrder::Unsorted,
        find,
    };
    let name = portfolio.display().to_string();
    arrears::allocate(&open, &name, &how, &BatchOptions::default(), &|_| {})
        .map(|(allocation, number)| (Some(allocation), number))
        .map_err(|e| e.to_string())
}

/// Opens the book at `portfolio`, in the format its extension names (JSON Lines otherwise).
fn open_book(
    portfolio: &Path,
    schema: &arrears::Schema,
) -> Result<RecordStream, arrears::StreamError> {
    let format =
        arrears::InputFormat::from_extension(portfolio).unwrap_or(arrears::InputFormat::Jsonl);
    let file = std::fs::File::open(portfolio).map_err(|e| arrears::StreamError::Io {
        line: None,
        reason: format!("cannot read `{}`: {e}", portfolio.display()),
    })?;
    RecordStream::open_file(file, format, schema)
}

/// Streams the book at `portfolio` through the batch engine, read with `schema`: the one way
/// the dry run, an explanation and the impact read the sample.
fn read_book<T: Send>(
    portfolio: &Path,
    schema: &arrears::Schema,
    decide: impl Fn(&mut Record<'_>) -> Result<(String, T), Box<arrears::Rejected>> + Sync,
    sink: impl FnMut(BatchRow<T>) -> Result<Flow, String> + Send,
    progress: &dyn Fn(u64),
) -> Result<arrears::BatchCounts, String> {
    let stream = open_book(portfolio, schema).map_err(|e| e.to_string())?;
    let name = portfolio.display().to_string();
    run_batch(
        stream,
        &name,
        schema,
        &BatchOptions::default(),
        decide,
        sink,
        progress,
    )
    .map_err(|e| e.to_string())
}

/// `GET /api/jobs/{id}`: how far the dry run is, and its report when done.
pub(super) async fn job(
    State(shared): State<Arc<Shared>>,
    UrlPath(id): UrlPath<usize>,
) -> Response {
    let job = shared
        .bench
        .jobs
        .lock()
        .ok()
        .and_then(|jobs| jobs.get(id).cloned());
    let Some(job) = job else {
        return error(StatusCode::NOT_FOUND, "no such dry run", None);
    };
    let result = job.result.lock().ok().and_then(|r| r.clone());
    let (done, html, failed) = match result {
        Some(Ok(html)) => (true, Some(html), None),
        Some(Err(message)) => (true, None, Some(message)),
        None => (false, None, None),
    };
    json_response(
        StatusCode::OK,
        &json!({
            "done": done,
            "read": job.read.load(Ordering::Relaxed),
            "total": job.total,
            "html": html,
            "error": failed,
        }),
    )
}

/// `POST /api/explain`: why one loan of the sample gets its outcome under the edited policy.
pub(super) async fn explain(State(shared): State<Arc<Shared>>, Json(ask): Json<Ask>) -> Response {
    blocking(move || {
        let bench = &shared.bench;
        let as_of = match ask.as_of(bench) {
            Ok(as_of) => as_of,
            Err(why) => return why.into_response(),
        };
        let (mut program, lang) = match ask.program(bench) {
            Ok(program) => program,
            Err(why) => return why.into_response(),
        };
        program.speak(lang);
        if let Some(record) = &ask.record {
            return match arrears::loan_from_json(record, program.schema()) {
                Ok((key, loan)) => {
                    let (evaluation, trace) = program.evaluate_traced(&loan, as_of);
                    let text = explain_text(&program, &key, &evaluation, &trace, as_of, lang);
                    json_response(StatusCode::OK, &json!({"loan": key, "text": text}))
                }
                Err(rejected) => error(StatusCode::UNPROCESSABLE_ENTITY, &rejected.reason, None),
            };
        }
        let wanted = ask.loan.clone().unwrap_or_default();
        let portfolio = match ask.portfolio(bench) {
            Ok(portfolio) => portfolio,
            Err(why) => return why.into_response(),
        };
        let program = &program;
        // With capacities, the loan's rank comes from the whole sample's claims.
        let (ranked, number) = match allocation(program, &portfolio, as_of, Some(&wanted)) {
            Ok(ranked) => ranked,
            Err(message) => return error(StatusCode::INTERNAL_SERVER_ERROR, &message, None),
        };
        let ranked_at = |number: Option<u64>, evaluation: &mut arrears::Evaluation| {
            if let (Some(ranked), Some(number)) = (&ranked, number) {
                ranked.apply(program, number, evaluation);
            }
        };
        if program.reads_borrowers() {
            // As `arrears explain` does: the loan among its borrower's loans.
            let open = || open_book(&portfolio, program.schema());
            let name = portfolio.display().to_string();
            return match arrears::loans_of_borrower(&open, &name, program, &wanted) {
                Ok(arrears::BorrowerLoans::Found { loans, position }) => {
                    match (
                        program.evaluate_traced_among(&loans, position, as_of),
                        loans.get(position),
                    ) {
                        (Some((mut evaluation, trace)), Some((key, _))) => {
                            ranked_at(number, &mut evaluation);
                            let text = explain_text(program, key, &evaluation, &trace, as_of, lang);
                            json_response(StatusCode::OK, &json!({"loan": key, "text": text}))
                        }
                        _ => error(
                            StatusCode::NOT_FOUND,
                            &format!("no loan `{wanted}` was decided in the sample book"),
                            None,
                        ),
                    }
                }
                Ok(arrears::BorrowerLoans::Rejected(rejected)) => {
                    error(StatusCode::UNPROCESSABLE_ENTITY, &rejected.reason, None)
                }
                Ok(arrears::BorrowerLoans::Missing) => error(
                    StatusCode::NOT_FOUND,
                    &format!("no loan `{wanted}` was decided in the sample book"),
                    None,
                ),
                Err(message) => error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &message.to_string(),
                    None,
                ),
            };
        }
        let decide = |record: &mut Record<'_>| {
            let number = record.number();
            let (key, loan) = record.loan(program.schema())?;
            let explained = (key == wanted).then(|| {
                let (mut evaluation, trace) = program.evaluate_traced(&loan, as_of);
                ranked_at(Some(number), &mut evaluation);
                explain_text(program, &key, &evaluation, &trace, as_of, lang)
            });
            Ok((key, explained))
        };
        let mut found = None;
        let sink = |row: BatchRow<Option<String>>| -> Result<Flow, String> {
            match row {
                BatchRow::Decided {
                    value: Some(text), ..
                } => {
                    found = Some(text);
                    Ok(Flow::Stop)
                }
                _ => Ok(Flow::Continue),
            }
        };
        if let Err(message) = read_book(&portfolio, program.schema(), decide, sink, &|_| {}) {
            return error(StatusCode::INTERNAL_SERVER_ERROR, &message, None);
        }
        match found {
            Some(text) => json_response(StatusCode::OK, &json!({"loan": wanted, "text": text})),
            None => error(
                StatusCode::NOT_FOUND,
                &format!("no loan `{wanted}` was decided in the sample book"),
                None,
            ),
        }
    })
    .await
}

/// `POST /api/impact`: the saved policy against the edited one over the sample, as
/// `arrears diff --format json` gives it.
pub(super) async fn impact(State(shared): State<Arc<Shared>>, Json(ask): Json<Ask>) -> Response {
    blocking(move || {
        let bench = &shared.bench;
        let (as_of, portfolio) = match ask.sample(bench) {
            Ok(sample) => sample,
            Err(why) => return why.into_response(),
        };
        let Some(path) = bench.path(&ask.file) else {
            return error(StatusCode::BAD_REQUEST, "no such file in the folder", None);
        };
        let before = match &ask.revision {
            Some(revision) => match at_revision(&bench.folder, &ask.file, revision) {
                Ok(text) => arrears::load_policy_text(&path, text),
                Err(message) => return error(StatusCode::BAD_REQUEST, &message, None),
            },
            None => arrears::load_policy(&path),
        };
        let old = match before {
            Ok(loaded) => loaded.program,
            Err(_) => {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "the version compared with has errors: there is nothing to compare the edit with",
                    None,
                );
            }
        };
        let (new, _) = match ask.program(bench) {
            Ok(program) => program,
            Err(why) => return why.into_response(),
        };
        if old.reads_borrowers() || new.reads_borrowers() {
            // As `arrears diff`: loan by loan would decide each loan alone.
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "this policy reads a borrower's loans together; comparing it loan by loan is not built yet",
                None,
            );
        }
        let fields = match AmountFields::find(&old, "principal_outstanding", "currency") {
            Ok(fields) => fields,
            Err(message) => {
                return error(StatusCode::UNPROCESSABLE_ENTITY, &message.to_string(), None);
            }
        };
        let ranked = allocation(&old, &portfolio, as_of, None)
            .and_then(|(old_ranked, _)| {
                allocation(&new, &portfolio, as_of, None).map(|(new_ranked, _)| (old_ranked, new_ranked))
            });
        let (old_ranked, new_ranked) = match ranked {
            Ok(ranked) => ranked,
            Err(message) => return error(StatusCode::INTERNAL_SERVER_ERROR, &message, None),
        };
        let comparison = Comparison::new(&old, &new, as_of, fields)
            .with_allocations(old_ranked.as_ref(), new_ranked.as_ref());
        let mut impact = comparison.empty();
        let decide = |record: &mut Record<'_>| {
            let number = record.number();
            let (key, old_loan) = record.loan(old.schema())?;
            let (_, new_loan) = record.loan(new.schema())?;
            Ok((key.clone(), comparison.loan(number, &key, &old_loan, &new_loan)))
        };
        let mut rejected = 0u64;
        let sink = |row: BatchRow<LoanChange>| -> Result<Flow, String> {
            match row {
                BatchRow::Decided { value, .. } => comparison.add(&mut impact, value),
                BatchRow::Rejected(_) => rejected += 1,
            }
            Ok(Flow::Continue)
        };
        let name = portfolio.display().to_string();
        let counts = match read_book(&portfolio, old.schema(), decide, sink, &|_| {}) {
            Ok(counts) => counts,
            Err(message) => return error(StatusCode::INTERNAL_SERVER_ERROR, &message, None),
        };
        let as_of = as_of.format("%Y-%m-%d").to_string();
        let old_name = match &ask.revision {
            Some(revision) => format!("{} ({revision})", ask.file),
            None => format!("{} (saved)", ask.file),
        };
        let new_name = format!("{} (edited)", ask.file);
        let heading = ImpactHeading {
            old: &old_name,
            new: &new_name,
            portfolio: &name,
            as_of: &as_of,
            read: counts.read,
            rejected,
        };
        let body = impact_json(&heading, &impact);
        Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.into())
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
    })
    .await
}

/// The text of `file` (in `folder`) at git revision `revision`, as `git show` gives it.
fn at_revision(folder: &Path, file: &str, revision: &str) -> Result<String, String> {
    // A revision is a name or a hash, never an option: `--output=…` would be git's, not ours.
    let plain = |c: char| c.is_alphanumeric() || "._-/~^@{}".contains(c);
    if revision.is_empty() || revision.starts_with('-') || !revision.chars().all(plain) {
        return Err(format!("`{revision}` is not a git revision"));
    }
    let shown = std::process::Command::new("git")
        .arg("-C")
        .arg(folder)
        .arg("show")
        .arg(format!("{revision}:./{file}"))
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !shown.status.success() {
        return Err(format!(
            "git has no `{file}` at `{revision}`: {}",
            String::from_utf8_lossy(&shown.stderr).trim()
        ));
    }
    String::from_utf8(shown.stdout).map_err(|_| format!("`{file}` at `{revision}` is not UTF-8"))
}

/// `POST /api/tests`: the saved policy's `NAME.tests.yaml`, as `arrears test` reports it.
pub(super) async fn tests(State(shared): State<Arc<Shared>>, Json(ask): Json<Ask>) -> Response {
    blocking(move || {
        let bench = &shared.bench;
        let Some(path) = bench.path(&ask.file) else {
            return error(StatusCode::BAD_REQUEST, "no such file in the folder", None);
        };
        let tests = path.with_extension("tests.yaml");
        if !tests.exists() {
            return error(
                StatusCode::NOT_FOUND,
                &format!("`{}` has no test file `{}`", ask.file, tests.display()),
                None,
            );
        }
        let reports = [arrears::policy_tests::run_file(&tests, None)];
        let lang = reports.first().map(|r| r.lang).unwrap_or_default();
        let coverage = arrears::policy_tests::render::PolicyCoverage::merge(&reports);
        let text = arrears::policy_tests::render::human(&reports, &coverage, lang);
        let json_text = arrears::policy_tests::render::json_report(&reports, &coverage);
        let structured: Value = serde_json::from_str(&json_text).unwrap_or(Value::Null);
        json_response(StatusCode::OK, &json!({"text": text, "report": structured}))
    })
    .await
}
