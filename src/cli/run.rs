//! `arrears run POLICY PORTFOLIO --as-of D`: decide every loan, write one record per loan in
//! input order, list every rejected row, and end with a tally that reconciles.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::atomic::AtomicFile;
use super::flags::{BorrowerOrder, OutputFormat};
use super::manifest::{Fingerprint, Manifest};
use super::{ExitCode, Inputs, Output, Streaming, open_portfolio};
use arrears::BorrowerContext;
use arrears::Code;
use arrears::FileRole;
use arrears::Program;
use arrears::Rejected;
use arrears::{BatchRow, Flow, Record};
use arrears::{RecordWriter, Rendered, rejected_json};

/// Arguments of `arrears run`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    inputs: Inputs,
    /// The format of the decision records.
    #[arg(long, value_enum, default_value = "jsonl")]
    format: OutputFormat,
    /// Write the records here instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Write rejected rows here (JSON Lines). Default: beside `--output` as
    /// `NAME.rejects.jsonl`, or to standard error when writing to standard output.
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// Worker threads (default: all cores). The output never depends on it.
    #[arg(long)]
    threads: Option<usize>,
    /// For a policy that reads a borrower's loans together: how the book holds them. `sorted`
    /// streams it once (and stops at a borrower out of place); `unsorted` spills the loans to
    /// a temporary folder (`TMPDIR`) and reads the book twice.
    #[arg(long, value_enum, default_value = "unsorted")]
    borrowers: BorrowerOrder,
    /// Add each loan's trace: every rule tried and every value read.
    #[arg(long)]
    trace: bool,
    /// Write the run manifest here (policy, schema, portfolio and outputs with their SHA-256,
    /// the as-of date and the counts). Default: beside `--output` as `NAME.manifest.json`.
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// Leave free text (borrower names, addresses: every `text` field but the loan id) out of
    /// traces and rejected rows; choices, amounts and dates stay, so traces still explain.
    #[arg(long)]
    redact: bool,
    /// Start CSV output with a byte-order mark, so spreadsheets on Windows read Chinese text
    /// as UTF-8.
    #[arg(long)]
    bom: bool,
    /// List the coming deadlines (the policy's `deadline` values within `--within` days of
    /// `--as-of`, or already past) in this CSV file, soonest first.
    #[arg(long, value_name = "FILE")]
    deadlines: Option<PathBuf>,
    /// How many days ahead `--deadlines` looks.
    #[arg(
        long,
        value_name = "DAYS",
        default_value_t = 90,
        requires = "deadlines"
    )]
    within: i64,
    /// Exit with 1 when any row was rejected.
    #[arg(long)]
    strict: bool,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

pub(crate) fn run(args: &Args, out: &Output) -> ExitCode {
    let loaded = match out.load(&args.inputs.policy) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let program = &loaded.program;
    let lang = out.lang_for(program);
    let path = &args.inputs.portfolio;
    let name = path.display().to_string();
    // The book's digest is for the manifest alone: without one, hashing every byte of a 10 GB
    // book on the reading thread would be work nobody reads.
    let opened = match open_portfolio(
        path,
        args.inputs.input_format,
        program.schema(),
        manifest_path(args).is_some(),
        out,
        lang,
    ) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let (portfolio_fingerprint, format_name) = (opened.fingerprint.clone(), opened.format);
    let streaming = Streaming {
        path,
        schema: program.schema(),
        threads: args.threads,
        quiet: args.quiet,
        lang,
    };
    // A policy with capacities reads the book twice: once to rank every claim, once to write.
    let (allocation, opened) = match streaming.allocate(
        opened,
        out,
        program,
        args.inputs.as_of,
        args.borrowers.into(),
    ) {
        Ok(allocated) => allocated,
        Err(code) => return code,
    };
    let mut sink = match Sink::open(args, &loaded) {
        Ok(sink) => sink,
        Err(message) => {
            out.note(&format!("error: {message}"));
            return ExitCode::Failure;
        }
    };
    if args.deadlines.is_some() && program.deadlines().next().is_none() {
        out.note(&format!(
            "error: `--deadlines`: the policy `{}` declares no `deadline`",
            args.inputs.policy.display()
        ));
        return ExitCode::Failure;
    }
    let (format, as_of, traced, redact) = (
        arrears::OutputFormat::from(args.format),
        args.inputs.as_of,
        args.trace,
        args.redact,
    );
    let within = args.deadlines.is_some().then_some(args.within);
    let mut coming: Vec<Coming> = Vec::new();
    // Per loan, on the workers: the rendered record and the loan's coming deadlines. A loan
    // of a policy that reads borrowers is decided among its borrower's loans (`borrower`).
    // A loan's capacities apply to it by its position in the book (`number`). An untraced loan
    // is decided with the program compiled once for the run's date (`decider`), and every
    // record is written with the program's names quoted once (`renderer`): as text into the
    // batch's buffer when there is one (`out`), which reaches the sink as the row's bytes.
    let decider = program.decider(as_of);
    let renderer = arrears::Renderer::new(format, program);
    let emit = |out: Option<&mut Vec<u8>>,
                key: &str,
                evaluation: &arrears::Evaluation,
                trace: Option<(&arrears::Trace, chrono::NaiveDate)>| match out {
        Some(out) => renderer.render_into(out, key, evaluation, trace),
        None => Some(renderer.render(key, evaluation, trace)),
    };
    let render = |number: u64,
                  key: &str,
                  loan: &arrears::Loan,
                  borrower: Option<&mut BorrowerContext>,
                  out: Option<&mut Vec<u8>>| {
        let (rendered, evaluation): (Option<Rendered>, _) = if traced {
            let (mut evaluation, mut trace) = match borrower {
                Some(borrower) => program.evaluate_traced_in(loan, borrower, as_of),
                None => program.evaluate_traced(loan, as_of),
            };
            if let Some(allocation) = &allocation {
                allocation.apply(program, number, &mut evaluation);
            }
            if redact {
                trace.redact();
            }
            let rendered = emit(out, key, &evaluation, Some((&trace, as_of)));
            (rendered, evaluation)
        } else {
            let mut evaluation = match borrower {
                Some(borrower) => program.evaluate_in(loan, borrower, as_of),
                None => decider.evaluate(loan),
            };
            if let Some(allocation) = &allocation {
                allocation.apply(program, number, &mut evaluation);
            }
            let rendered = emit(out, key, &evaluation, None);
            (rendered, evaluation)
        };
        let soon = within.map_or_else(Vec::new, |days| {
            coming_deadlines(key, &evaluation, as_of, days)
        });
        (rendered, soon)
    };
    // What a loan is decided from is the policy's fields alone: the others are checked as
    // they are read but not built (a borrower's name, a list the policy never counts).
    let read = program.fields_read();
    let decide = |record: &mut Record<'_>| {
        let number = record.number();
        let (key, loan) = record.loan_keeping(program.schema(), read.as_ref())?;
        let value = render(number, &key, &loan, None, Some(record.output()));
        Ok((key, value))
    };
    let decide_borrower =
        |number: u64, key: &str, loan: &arrears::Loan, borrower: &mut BorrowerContext| {
            render(number, key, loan, Some(borrower), None)
        };
    // In input order, on the calling thread: the files.
    let write = |row: BatchRow<(Option<Rendered>, Vec<Coming>)>| -> Result<Flow, String> {
        match row {
            BatchRow::Decided {
                value: (rendered, soon),
                bytes,
                ..
            } => {
                coming.extend(soon);
                sink.record(bytes, rendered.as_ref())?;
            }
            BatchRow::Rejected(mut rejected) => {
                if redact {
                    rejected.redact(program.schema());
                }
                sink.reject(&rejected, out, lang)?;
            }
        }
        Ok(Flow::Continue)
    };
    let counts = if program.reads_borrowers() {
        let by = arrears::ByBorrower {
            program,
            as_of,
            traced,
            order: args.borrowers.into(),
        };
        streaming.run_by_borrower(opened, out, &by, decide_borrower, write)
    } else {
        streaming.run(opened, out, decide, write)
    };
    let counts = match counts {
        Ok(counts) => counts,
        Err(code) => return code,
    };
    if let Some(path) = &args.deadlines
        && let Err(message) = write_deadlines(path, program, coming, as_of, args.bom)
    {
        out.note(&format!("error: {message}"));
        return ExitCode::Failure;
    }
    let (read, decided, rejected) = (counts.read, counts.decided, counts.rejected);
    let rejects_path = sink.rejects_path.clone();
    let (decisions, rejects) = match sink.finish() {
        Ok(written) => written,
        Err(message) => {
            out.note(&format!("error: {message}"));
            return ExitCode::Failure;
        }
    };
    if let Some(path) = manifest_path(args) {
        let input = portfolio_fingerprint
            .and_then(|done| done.lock().ok().and_then(|done| done.clone()))
            .unwrap_or_default();
        let (output_name, rejects_name) = (
            args.output.as_ref().map(|p| p.display().to_string()),
            rejects_path.map(|p| p.display().to_string()),
        );
        // Each file with its own digest, exactly as read: the policy, the schema (the
        // policy's own text when the schema is inline), each module.
        let fingerprint = |file: &arrears::SourceFile| {
            (
                file.name().to_owned(),
                Fingerprint::of(file.text().as_bytes()),
            )
        };
        let read_as = |role: FileRole| {
            loaded
                .files
                .iter()
                .filter(move |(r, _)| *r == role)
                .map(|(_, file)| fingerprint(file))
        };
        let policy = read_as(FileRole::Policy).next().unwrap_or_default();
        let schema = read_as(FileRole::Schema)
            .next()
            .unwrap_or_else(|| policy.clone());
        let manifest = Manifest {
            as_of: args.inputs.as_of,
            policy,
            schema,
            modules: read_as(FileRole::Module).collect(),
            portfolio: (&name, format_name.name(), input),
            format: arrears::OutputFormat::from(args.format).name(),
            trace: args.trace,
            redact: args.redact,
            counts: (read, decided, rejected),
            decisions: output_name.as_deref().zip(decisions),
            rejects: rejects_name.as_deref().zip(rejects),
        };
        if let Err(message) = super::atomic::write_whole(&path, manifest.to_json().as_bytes()) {
            out.note(&format!("error: {message}"));
            return ExitCode::Failure;
        }
    }
    out.note(&lang.text(
        "run-tally",
        &[
            ("read", read.into()),
            ("decided", decided.into()),
            ("rejected", rejected.into()),
        ],
    ));
    if args.strict && rejected > 0 {
        ExitCode::Problems
    } else {
        ExitCode::Clean
    }
}

/// A deadline of one loan that falls within the window (or has passed).
struct Coming {
    date: chrono::NaiveDate,
    key: String,
    /// The deadline's index among the policy's deadlines.
    deadline: usize,
    actions: Vec<arrears::ActionId>,
}

/// The loan's deadlines falling no more than `days` after `as_of`, past ones included.
fn coming_deadlines(
    key: &str,
    evaluation: &arrears::Evaluation,
    as_of: chrono::NaiveDate,
    days: i64,
) -> Vec<Coming> {
    evaluation
        .deadlines
        .iter()
        .enumerate()
        .filter_map(|(deadline, date)| {
            let date = (*date)?;
            (date.signed_duration_since(as_of).num_days() <= days).then(|| Coming {
                date,
                key: key.to_owned(),
                deadline,
                actions: evaluation.actions.clone(),
            })
        })
        .collect()
}

/// Writes the coming deadlines, soonest first (then by loan and by the policy's order):
/// `loan_id, deadline, label, date, days_left, actions`.
fn write_deadlines(
    path: &Path,
    program: &Program,
    mut coming: Vec<Coming>,
    as_of: chrono::NaiveDate,
    bom: bool,
) -> Result<(), String> {
    coming.sort_by(|a, b| (a.date, &a.key, a.deadline).cmp(&(b.date, &b.key, b.deadline)));
    let mut file = AtomicFile::create(path)?;
    let failed = |e: &dyn std::fmt::Display| format!("cannot write `{}`: {e}", path.display());
    if bom {
        file.write_all("\u{FEFF}".as_bytes())
            .map_err(|e| failed(&e))?;
    }
    let key_name = program.schema().key_name();
    let mut writer = csv::Writer::from_writer(&mut file);
    writer
        .write_record([
            key_name,
            "deadline",
            "label",
            "date",
            "days_left",
            "actions",
        ])
        .map_err(|e| failed(&e))?;
    for row in &coming {
        let (name, label) = program.deadlines().nth(row.deadline).unwrap_or_default();
        let actions: Vec<&str> = row
            .actions
            .iter()
            .map(|a| program.action_name(*a))
            .collect();
        let days_left = row.date.signed_duration_since(as_of).num_days();
        let cells = [
            arrears::spreadsheet_safe(&row.key).into_owned(),
            name.to_owned(),
            label.unwrap_or_default().to_owned(),
            row.date.format("%Y-%m-%d").to_string(),
            days_left.to_string(),
            serde_json::to_string(&actions).unwrap_or_default(),
        ];
        writer.write_record(&cells).map_err(|e| failed(&e))?;
    }
    writer.flush().map_err(|e| failed(&e))?;
    drop(writer);
    file.commit()?;
    Ok(())
}

/// Names, once, the fields a portfolio has that the schema does not declare.
pub(crate) fn warn_unknown(
    name: &str,
    unknown: &arrears::UnknownFields,
    out: &Output,
    lang: arrears::Lang,
) {
    if !unknown.is_empty() {
        out.note(&lang.text(
            "portfolio-unknown-fields",
            &[
                ("code", Code::ROW_UNKNOWN_FIELDS.id.into()),
                ("name", name.into()),
                ("fields", unknown.listed(NAMED_FIELDS).into()),
            ],
        ));
    }
}

/// How many unknown fields a warning names; the rest are counted.
const NAMED_FIELDS: usize = 20;

/// The manifest's path: `--manifest`, or beside `--output` as `NAME.manifest.json`; none when
/// decisions go to standard output and no `--manifest` is given.
fn manifest_path(args: &Args) -> Option<PathBuf> {
    args.manifest
        .clone()
        .or_else(|| beside_output(args, "manifest.json"))
}

/// `NAME.SUFFIX` in the folder of `--output NAME.EXT`, when there is an `--output`.
fn beside_output(args: &Args, suffix: &str) -> Option<PathBuf> {
    args.output.as_ref().map(|output| {
        let stem = output
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        output.with_file_name(format!("{stem}.{suffix}"))
    })
}

/// Where decision records go: standard output, or a file that takes its name only once the
/// run is complete.
enum Destination {
    Stdout(BufWriter<std::io::Stdout>),
    File(AtomicFile),
}

impl Write for Destination {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match self {
            Destination::Stdout(out) => out.write(bytes),
            Destination::File(out) => out.write(bytes),
        }
    }
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Destination::Stdout(out) => out.write_all(bytes),
            Destination::File(out) => out.write_all(bytes),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Destination::Stdout(out) => out.flush(),
            Destination::File(out) => out.flush(),
        }
    }
}

/// Where decisions and rejected rows go, and how many of each. Dropped without `finish` (a
/// failed run), its files never appear.
struct Sink<'p> {
    writer: RecordWriter<'p, Destination>,
    rejects: Option<AtomicFile>,
    rejects_path: Option<PathBuf>,
}

impl<'p> Sink<'p> {
    fn open(args: &Args, loaded: &'p arrears::Loaded) -> Result<Sink<'p>, String> {
        let mut records = match &args.output {
            Some(path) => Destination::File(AtomicFile::create(path)?),
            None => Destination::Stdout(BufWriter::with_capacity(1 << 20, std::io::stdout())),
        };
        if args.bom && args.format == OutputFormat::Csv {
            records
                .write_all("\u{FEFF}".as_bytes())
                .map_err(|e| format!("cannot write the decisions: {e}"))?;
        }
        let rejects_path = args
            .rejects
            .clone()
            .or_else(|| beside_output(args, "rejects.jsonl"));
        let rejects = rejects_path
            .as_deref()
            .map(AtomicFile::create)
            .transpose()?;
        // What a Parquet file says of itself, so it can be traced to its run without the
        // manifest: the same facts, and nothing that varies between identical runs.
        let metadata = [
            ("arrears.version", env!("CARGO_PKG_VERSION").to_owned()),
            (
                "arrears.as_of",
                args.inputs.as_of.format("%Y-%m-%d").to_string(),
            ),
            ("arrears.policy", args.inputs.policy.display().to_string()),
            ("arrears.policy_version", loaded.version()),
        ];
        let writer = RecordWriter::new(
            records,
            args.format.into(),
            &loaded.program,
            args.trace,
            &metadata,
        )
        .map_err(|e| format!("cannot write the decisions: {e}"))?;
        Ok(Sink {
            writer,
            rejects,
            rejects_path,
        })
    }

    /// Writes a loan's record: rendered as text into the batch's buffer (`text`), or
    /// handed over whole (`rendered`).
    fn record(&mut self, text: &[u8], rendered: Option<&Rendered>) -> Result<(), String> {
        self.writer
            .write_text(text)
            .and_then(|()| rendered.map_or(Ok(()), |rendered| self.writer.write(rendered)))
            .map_err(|e| format!("cannot write the decisions: {e}"))
    }

    fn reject(&mut self, row: &Rejected, out: &Output, lang: arrears::Lang) -> Result<(), String> {
        match self.rejects.as_mut() {
            Some(file) => file
                .write_all(rejected_json(row).as_bytes())
                .map_err(|e| format!("cannot write the rejected rows: {e}")),
            None => {
                out.note(&describe_rejected(row, lang));
                Ok(())
            }
        }
    }

    /// Completes the output: flushes standard output, or gives the files their names and
    /// returns their fingerprints (decisions, rejects).
    fn finish(self) -> Result<(Option<Fingerprint>, Option<Fingerprint>), String> {
        let records = self
            .writer
            .into_inner()
            .map_err(|e| format!("cannot write the decisions: {e}"))?;
        let decisions = match records {
            Destination::File(file) => Some(file.commit()?),
            Destination::Stdout(_) => None,
        };
        let rejects = self.rejects.map(AtomicFile::commit).transpose()?;
        Ok((decisions, rejects))
    }
}

/// A rejected row in one line for people: where, which field, which value, why.
pub(crate) fn describe_rejected(row: &Rejected, lang: arrears::Lang) -> String {
    let place = match row.line {
        Some(line) => format!("{}:{line}", row.file),
        None => lang.text(
            "rejected-record",
            &[("file", (&row.file).into()), ("record", row.record.into())],
        ),
    };
    let mut what: Vec<String> = Vec::new();
    let mut add = |id: &str, value: Option<&str>| {
        if let Some(value) = value {
            what.push(lang.text(id, &[("value", value.into())]));
        }
    };
    add("rejected-loan", row.loan_id.as_deref());
    add("rejected-field", row.field.as_deref());
    add("rejected-value", row.value.as_deref());
    let what = if what.is_empty() {
        String::new()
    } else {
        lang.text("rejected-what", &[("list", what.join(" ").into())])
    };
    lang.text(
        "rejected-row",
        &[
            ("code", row.code.id.into()),
            ("place", place.into()),
            ("what", what.into()),
            ("reason", row.said.in_lang(lang).into()),
        ],
    )
}
