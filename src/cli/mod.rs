//! The `arrears` command line: arguments, files, standard output and error, exit codes.
//! Each verb lives in its own file and returns an [`ExitCode`]; the library never prints.

mod atomic;
mod check;
mod diff;
mod explain;
mod flags;
mod fmt;
mod help;
mod lsp;
mod manifest;
mod report;
mod run;
mod serve;
mod test;

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use arrears::{Diagnostics, render_all};
use arrears::{LoadError, Loaded, load_policy};
use flags::ErrorFormat;

/// The documented exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExitCode {
    /// Everything is fine.
    Clean = 0,
    /// The policy has errors (`check`, `run`), or `--strict` and some rows were rejected.
    Problems = 1,
    /// The tool could not run: a missing file, a bad flag, an unwritable output.
    Failure = 2,
}

/// arrears: check, run and explain loan collections policies.
#[derive(Debug, Parser)]
#[command(name = "arrears", version, about, max_term_width = 100)]
pub(crate) struct Cli {
    /// How to print problems found in policies. `check` writes `json` and `github` to
    /// standard output (for `| jq` and for GitHub, which reads workflow commands there); every
    /// other verb, whose standard output carries its results, writes them to standard error.
    #[arg(long, global = true, value_enum, default_value = "human")]
    error_format: ErrorFormat,
    /// The language to speak to people in: explanations, reports, test results, impact tables.
    /// Without it, the one `LC_ALL`, `LC_MESSAGES` or `LANG` names; failing that, Chinese for
    /// a policy written with Chinese names and English otherwise. Machine formats (JSON,
    /// JUnit, records) keep their English keys in every language.
    #[arg(long, global = true, value_enum)]
    lang: Option<flags::LangFlag>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check policies (and schema files) for every error, without running them.
    Check(check::Args),
    /// Decide every loan of a portfolio and write one record per loan.
    Run(run::Args),
    /// Summarise what the policy would do: loans and principal per action, bucket, class, arm.
    Report(report::Args),
    /// Show, for a person to read, why one loan got its outcome.
    Explain(explain::Args),
    /// Rewrite policies and schemas in the canonical layout (`--check`: only report).
    Fmt(fmt::Args),
    /// Show which loans a policy change moves, and how much money is involved.
    Diff(diff::Args),
    /// Run policies' own test cases (`*.tests.yaml`) and report coverage.
    Test(test::Args),
    /// Serve editors: a language server over standard input and output (LSP).
    Lsp,
    /// Serve the workbench page and the decision API over HTTP: `POST /v1/decide`, `GET /v1/policy`, `GET /healthz`.
    Serve(serve::Args),
    /// Say what a diagnostic code (`E201`, `unknown-name`) means and how to fix it; with no
    /// code, list them all.
    ExplainCode {
        /// The code's id or name.
        code: Option<String>,
    },
}

pub(crate) use help::{command, lang_of as help_lang};

/// Runs one command.
pub(crate) fn main(cli: Cli) -> ExitCode {
    // Rayon's shared pool (used by `report`) gets the same room; it can only be set once.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(arrears::STACK_BYTES)
        .build_global();
    let out = Output {
        error_format: cli.error_format,
        // `check` prints nothing else on standard output, so its machine formats go there, to
        // be piped (`| jq`) or read by GitHub (workflow commands are read from standard
        // output); the other verbs' standard output carries their own results.
        machine_on_stdout: matches!(cli.command, Command::Check(_)),
        lang: cli
            .lang
            .map(arrears::Lang::from)
            .or_else(arrears::Lang::from_env),
    };
    match cli.command {
        Command::Check(args) => check::run(&args, &out),
        Command::Run(args) => run::run(&args, &out),
        Command::Explain(args) => explain::run(&args, &out),
        Command::Report(args) => report::run(&args, &out),
        Command::Test(args) => test::run(&args, &out),
        Command::Diff(args) => diff::run(&args, &out),
        Command::Fmt(args) => fmt::run(&args, &out),
        Command::ExplainCode { code } => explain_code(code.as_deref(), &out),
        Command::Lsp => lsp::run(out.lang),
        Command::Serve(args) => serve::run(&args, &out),
    }
}

/// A progress bar on standard error for `total` loans: only when standard error is a terminal
/// and `--quiet` was not given, so logs and pipes get no control characters.
pub(crate) fn progress_bar(total: u64, quiet: bool, lang: arrears::Lang) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    let template = format!(
        "{{bar:30}} {{human_pos}}/{{human_len}} {}  {{per_sec}}  {} {{eta}}",
        lang.text("progress-loans", &[]),
        lang.text("progress-eta", &[])
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

/// What `run` and `explain` decide: a policy, a portfolio and the evaluation date.
#[derive(Debug, clap::Args)]
pub(crate) struct Inputs {
    /// The policy file.
    pub(crate) policy: PathBuf,
    /// The portfolio: `.jsonl`, `.csv` or `.yaml`.
    pub(crate) portfolio: PathBuf,
    /// The evaluation date, YYYY-MM-DD. Required: arrears never reads the clock.
    #[arg(long, value_parser = parse_as_of)]
    pub(crate) as_of: NaiveDate,
    /// The portfolio's format, when its extension does not say.
    #[arg(long, value_enum)]
    input_format: Option<flags::InputFormat>,
}

/// A portfolio opened for streaming.
pub(crate) struct Opened {
    pub(crate) stream: arrears::RecordStream,
    /// Its size in bytes (0 when unknown), for progress.
    pub(crate) size: u64,
    /// Its size and SHA-256, once the stream has read it to the end (when asked for).
    pub(crate) fingerprint: Option<std::sync::Arc<std::sync::Mutex<Option<manifest::Fingerprint>>>>,
    /// Its format (given, or told by its extension).
    pub(crate) format: arrears::InputFormat,
}

/// Opens the portfolio at `path` again, in `format` (already told by [`open_portfolio`]), for
/// a verb that reads it more than once; no fingerprint, no progress.
pub(crate) fn reopen<'a>(
    path: &'a Path,
    format: arrears::InputFormat,
    schema: &'a arrears::Schema,
) -> impl Fn() -> Result<arrears::RecordStream, arrears::StreamError> + 'a {
    move || {
        let io = |error: std::io::Error| arrears::StreamError::Io {
            line: None,
            reason: error.to_string(),
        };
        let file = std::fs::File::open(path).map_err(io)?;
        if format == arrears::InputFormat::Parquet {
            arrears::RecordStream::open_file(file, format, schema)
        } else {
            arrears::RecordStream::open(Box::new(file), format, schema)
        }
    }
}

/// Opens the portfolio at `path` as a stream of records for `schema`, fingerprinting what it
/// reads when `fingerprint` (for the run manifest: hashing is not free on a 10 GB book);
/// problems are reported, and the exit code returned.
pub(crate) fn open_portfolio(
    path: &Path,
    format: Option<flags::InputFormat>,
    schema: &arrears::Schema,
    fingerprint: bool,
    out: &Output,
    lang: arrears::Lang,
) -> Result<Opened, ExitCode> {
    let Some(format) = format
        .map(arrears::InputFormat::from)
        .or_else(|| arrears::InputFormat::from_extension(path))
    else {
        let path = path.display().to_string();
        out.note(&lang.text("portfolio-format-unknown", &[("path", path.into())]));
        return Err(ExitCode::Failure);
    };
    let unreadable = |error: std::io::Error| {
        let (path, error) = (path.display().to_string(), error.to_string());
        out.note(&lang.text(
            "portfolio-unreadable",
            &[("path", path.into()), ("error", error.into())],
        ));
        ExitCode::Failure
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let opened = if format == arrears::InputFormat::Parquet {
        // Parquet is read in place from its footer, not streamed front to back: its digest,
        // when the manifest wants one, is taken in a pass of its own first.
        let digest = if fingerprint {
            let reread = std::fs::File::open(path).map_err(unreadable)?;
            let (mut reading, digest) = manifest::Fingerprinting::new(reread);
            let _ = std::io::copy(&mut reading, &mut std::io::sink());
            Some(digest)
        } else {
            None
        };
        arrears::RecordStream::open_file(file, format, schema).map(|stream| (stream, digest))
    } else {
        let (reader, fingerprint): (Box<dyn std::io::Read + Send>, _) = if fingerprint {
            let (file, fingerprint) = manifest::Fingerprinting::new(file);
            (Box::new(file), Some(fingerprint))
        } else {
            (Box::new(file), None)
        };
        arrears::RecordStream::open(reader, format, schema).map(|stream| (stream, fingerprint))
    };
    match opened {
        Ok((stream, fingerprint)) => Ok(Opened {
            stream,
            size,
            fingerprint,
            format,
        }),
        Err(error) => {
            out.note(&format!("error: `{}`: {error}", path.display()));
            Err(ExitCode::Failure)
        }
    }
}

/// A portfolio to stream through the batch engine, and how.
pub(crate) struct Streaming<'a> {
    /// The portfolio, as the user named it.
    pub(crate) path: &'a Path,
    /// The schema its records are read with.
    pub(crate) schema: &'a arrears::Schema,
    /// Worker threads (`None`: one per core).
    pub(crate) threads: Option<usize>,
    /// No progress bar.
    pub(crate) quiet: bool,
    /// The language of its progress bar and notes.
    pub(crate) lang: arrears::Lang,
}

impl Streaming<'_> {
    /// Opens the portfolio (see [`open_portfolio`]) and streams it.
    pub(crate) fn open_and_run<T: Send>(
        &self,
        format: Option<flags::InputFormat>,
        out: &Output,
        decide: impl Fn(&mut arrears::Record<'_>) -> Result<(String, T), Box<arrears::Rejected>> + Sync,
        sink: impl FnMut(arrears::BatchRow<T>) -> Result<arrears::Flow, String> + Send,
    ) -> Result<arrears::BatchCounts, ExitCode> {
        let opened = open_portfolio(self.path, format, self.schema, false, out, self.lang)?;
        self.run(opened, out, decide, sink)
    }

    /// Streams an opened portfolio through the batch engine (see [`arrears::run_batch`]),
    /// with a progress bar unless `quiet`; reports a file that cannot be read, and the fields
    /// the schema does not declare.
    pub(crate) fn run<T: Send>(
        &self,
        opened: Opened,
        out: &Output,
        decide: impl Fn(&mut arrears::Record<'_>) -> Result<(String, T), Box<arrears::Rejected>> + Sync,
        sink: impl FnMut(arrears::BatchRow<T>) -> Result<arrears::Flow, String> + Send,
    ) -> Result<arrears::BatchCounts, ExitCode> {
        let name = self.path.display().to_string();
        let bar = progress_bar(opened.size, self.quiet, self.lang);
        let options = arrears::BatchOptions {
            threads: self.threads,
        };
        let counts = arrears::run_batch(
            opened.stream,
            &name,
            self.schema,
            &options,
            decide,
            sink,
            &|bytes| bar.set_position(bytes),
        );
        bar.finish_and_clear();
        self.finished(&name, counts, out)
    }

    /// [`Streaming::run`] a borrower at a time (see [`arrears::run_batch_by_borrower`]):
    /// `decide` gets each borrower's loans together; `borrower` is the schema's borrower field.
    pub(crate) fn run_by_borrower<T: Send>(
        &self,
        opened: Opened,
        out: &Output,
        by: &arrears::ByBorrower<'_>,
        decide: impl Fn(u64, &str, &arrears::Loan, &mut arrears::BorrowerContext) -> T + Sync,
        sink: impl FnMut(arrears::BatchRow<T>) -> Result<arrears::Flow, String> + Send,
    ) -> Result<arrears::BatchCounts, ExitCode> {
        let name = self.path.display().to_string();
        let bar = progress_bar(opened.size, self.quiet, self.lang);
        let options = arrears::BatchOptions {
            threads: self.threads,
        };
        // The stream opened (and fingerprinted) first; an unsorted book is read once more,
        // from the same file.
        let again = reopen(self.path, opened.format, self.schema);
        let first = std::sync::Mutex::new(Some(opened.stream));
        let open = || -> Result<arrears::RecordStream, arrears::StreamError> {
            match first.lock().ok().and_then(|mut first| first.take()) {
                Some(stream) => Ok(stream),
                None => again(),
            }
        };
        let counts =
            arrears::run_batch_by_borrower(&open, &name, by, &options, decide, sink, &|bytes| {
                bar.set_position(bytes)
            });
        bar.finish_and_clear();
        self.finished(&name, counts, out)
    }

    /// The first reading of the book for a policy with capacities: decides every loan (a
    /// borrower at a time when the policy reads borrowers), gathers what each claims, and
    /// ranks the claims. Returns the allocation and the book opened again for the reading
    /// that writes (whose counts and warnings are the ones reported); for a policy without
    /// capacities, no allocation and the book as it was opened.
    pub(crate) fn allocate(
        &self,
        opened: Opened,
        out: &Output,
        program: &arrears::Program,
        as_of: chrono::NaiveDate,
        order: arrears::BorrowerOrder,
    ) -> Result<(Option<arrears::Allocation>, Opened), ExitCode> {
        if !program.has_capacities() {
            return Ok((None, opened));
        }
        self.allocate_finding(opened, out, program, (as_of, order), None)
            .map(|(allocation, opened, _)| (Some(allocation), opened))
    }

    /// [`Streaming::allocate`], also telling the record number of the loan keyed `find`.
    pub(crate) fn allocate_finding(
        &self,
        opened: Opened,
        out: &Output,
        program: &arrears::Program,
        (as_of, order): (chrono::NaiveDate, arrears::BorrowerOrder),
        find: Option<&str>,
    ) -> Result<(arrears::Allocation, Opened, Option<u64>), ExitCode> {
        let (format, size) = (opened.format, opened.size);
        // The reading that writes reports the book's warnings; this one only its errors.
        let name = self.path.display().to_string();
        let bar = progress_bar(opened.size, self.quiet, self.lang);
        let options = arrears::BatchOptions {
            threads: self.threads,
        };
        let again = reopen(self.path, format, self.schema);
        let first = std::sync::Mutex::new(Some(opened.stream));
        let open = || -> Result<arrears::RecordStream, arrears::StreamError> {
            match first.lock().ok().and_then(|mut first| first.take()) {
                Some(stream) => Ok(stream),
                None => again(),
            }
        };
        let how = arrears::Allocating {
            program,
            as_of,
            order,
            find,
        };
        let allocated = arrears::allocate(&open, &name, &how, &options, &|bytes| {
            bar.set_position(bytes)
        });
        bar.finish_and_clear();
        let (allocation, found) = match allocated {
            Ok(allocated) => allocated,
            Err(error) => {
                // The sink of the first reading cannot fail: any other error is the book's.
                let error = match error {
                    arrears::BatchError::Read(e) => arrears::BatchError::Read(e),
                    arrears::BatchError::Threads(e) => arrears::BatchError::Threads(e),
                    arrears::BatchError::NotGrouped { borrower, row } => {
                        arrears::BatchError::NotGrouped { borrower, row }
                    }
                    other => arrears::BatchError::Spill(other.to_string()),
                };
                self.finished(&name, Err(error), out)?;
                return Err(ExitCode::Failure);
            }
        };
        let stream = reopen(self.path, format, self.schema)().map_err(|error| {
            out.note(&format!("error: {}: {error}", self.path.display()));
            ExitCode::Failure
        })?;
        Ok((
            allocation,
            Opened {
                stream,
                size,
                fingerprint: None,
                format,
            },
            found,
        ))
    }

    /// What a batch came to: its counts, or the error said.
    fn finished(
        &self,
        name: &str,
        counts: Result<arrears::BatchCounts, arrears::BatchError<String>>,
        out: &Output,
    ) -> Result<arrears::BatchCounts, ExitCode> {
        match counts {
            Ok(counts) => {
                run::warn_unknown(name, &counts.unknown_fields, out, self.lang);
                Ok(counts)
            }
            Err(arrears::BatchError::Read(error)) => {
                out.note(&format!("error: `{name}`: {error}"));
                Err(ExitCode::Failure)
            }
            Err(error) => {
                out.note(&format!("error: {error}"));
                Err(ExitCode::Failure)
            }
        }
    }
}

/// Where and how the verbs report.
pub(crate) struct Output {
    error_format: ErrorFormat,
    /// JSON and GitHub diagnostics go to standard output rather than standard error.
    machine_on_stdout: bool,
    /// The language asked for (`--lang`, or the environment's), if any.
    pub(crate) lang: Option<arrears::Lang>,
}

impl Output {
    /// The language to speak in about `program`: the one asked for, else Chinese for a policy
    /// written with Chinese names, else English.
    pub(crate) fn lang_for(&self, program: &arrears::Program) -> arrears::Lang {
        self.lang.unwrap_or(if program.written_in_chinese() {
            arrears::Lang::Zh
        } else {
            arrears::Lang::En
        })
    }

    /// Writes diagnostics: to standard error, or for a machine format when the verb's standard
    /// output is free, to standard output.
    pub(crate) fn diagnostics(&self, diagnostics: &Diagnostics) {
        let lang = self.lang_for_diagnostics(diagnostics);
        if self.machine_on_stdout
            && matches!(self.error_format, ErrorFormat::Json | ErrorFormat::Github)
        {
            let _ = render_all(
                diagnostics,
                self.error_format.into(),
                false,
                lang,
                &mut std::io::stdout().lock(),
            );
            return;
        }
        let stderr = std::io::stderr();
        let color = stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let mut lock = stderr.lock();
        let _ = render_all(
            diagnostics,
            self.error_format.into(),
            color,
            lang,
            &mut lock,
        );
    }

    /// The language to speak in about `paths` (policies and schemas): the one asked for, else
    /// that of the names the first file is written with.
    pub(crate) fn lang_for_files(&self, paths: &[PathBuf]) -> arrears::Lang {
        self.lang.unwrap_or_else(|| {
            paths
                .first()
                .and_then(|path| std::fs::read_to_string(path).ok())
                .map_or(arrears::Lang::En, |text| arrears::Lang::of_source(&text))
        })
    }

    /// The language to report `diagnostics` in: the one asked for, else that of the file the
    /// first of them is about (Chinese for a policy written with Chinese names).
    pub(crate) fn lang_for_diagnostics(&self, diagnostics: &Diagnostics) -> arrears::Lang {
        self.lang.unwrap_or_else(|| {
            diagnostics
                .iter()
                .find_map(|d| d.source())
                .map_or(arrears::Lang::En, |source| {
                    arrears::Lang::of_source(source.text())
                })
        })
    }

    /// Writes one line to standard error.
    pub(crate) fn note(&self, line: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }

    /// Loads a policy, reporting its problems; `None` means the caller should stop with the
    /// returned exit code.
    pub(crate) fn load(&self, path: &Path) -> Result<Loaded, ExitCode> {
        match load_policy(path) {
            Ok(loaded) if loaded.is_module => {
                self.note(&format!(
                    "error: `{}` is a module, which has no decisions of its own: run a policy that includes it",
                    path.display()
                ));
                Err(ExitCode::Failure)
            }
            Ok(loaded) => {
                self.diagnostics(&loaded.warnings);
                Ok(loaded)
            }
            Err(LoadError::Unreadable { path, reason }) => {
                self.note(&format!(
                    "error: cannot read the policy `{}`: {reason}",
                    path.display()
                ));
                Err(ExitCode::Failure)
            }
            Err(LoadError::Invalid(diagnostics)) => {
                self.diagnostics(&diagnostics);
                let lang = self.lang_for_diagnostics(&diagnostics);
                self.note(&summary_line(&diagnostics, lang));
                Err(ExitCode::Problems)
            }
        }
    }
}

fn explain_code(code: Option<&str>, out: &Output) -> ExitCode {
    let infos: Vec<&arrears::CodeInfo> = match code {
        None => arrears::CODES.iter().collect(),
        Some(code) => match arrears::lookup(code) {
            Some(info) => vec![info],
            None => {
                out.note(&format!(
                    "error: no code `{code}`; `arrears explain-code` lists them all"
                ));
                return ExitCode::Failure;
            }
        },
    };
    let lang = out.lang.unwrap_or_default();
    // The three headings in one column, as wide as the widest.
    let headings = [
        "explain-code-what",
        "explain-code-fix",
        "explain-code-example",
    ]
    .map(|id| lang.text(id, &[]));
    let width = headings
        .iter()
        .map(|h| unicode_width::UnicodeWidthStr::width(h.as_str()))
        .max()
        .unwrap_or(0);
    let heading = |h: &str| {
        let pad = width.saturating_sub(unicode_width::UnicodeWidthStr::width(h));
        format!("{h}:{}", " ".repeat(pad + 1))
    };
    let [what, fix, example] = &headings;
    let mut text = String::new();
    for info in infos {
        let _ = writeln!(text, "{} {}", info.code.id, info.code.name);
        let _ = writeln!(text, "  {}{}", heading(what), info.summary_in(lang));
        let _ = writeln!(text, "  {}{}", heading(fix), info.fix_in(lang));
        let _ = writeln!(text, "  {example}:");
        for line in info.example.lines() {
            let _ = writeln!(text, "    {line}");
        }
    }
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    ExitCode::Clean
}

/// `path` itself when it is a file, or every file under it that is `wanted`, in sorted order so
/// that results never depend on the order the file system lists a folder in.
pub(crate) fn files_under(
    path: &Path,
    wanted: &dyn Fn(&Path) -> bool,
    found: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for entry in entries {
            if entry.is_dir() {
                files_under(&entry, wanted, found)?;
            } else if wanted(&entry) {
                found.push(entry);
            }
        }
        Ok(())
    } else if path.exists() {
        found.push(path.to_path_buf());
        Ok(())
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("`{}` does not exist", path.display()),
        ))
    }
}

/// "2 errors, 1 warning", in `lang`.
pub(crate) fn summary_line(diagnostics: &Diagnostics, lang: arrears::Lang) -> String {
    lang.text(
        "diag-summary",
        &[
            ("errors", diagnostics.error_count().into()),
            ("warnings", diagnostics.warning_count().into()),
        ],
    )
}

/// Parses `--as-of`: an ISO date, required wherever loans are decided.
pub(crate) fn parse_as_of(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date: write it as YYYY-MM-DD, e.g. 2026-11-20"))
}
