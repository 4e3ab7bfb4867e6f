//! `arrears run POLICY PORTFOLIO --as-of D`: decide every loan, write one record per loan in
//! input order, list every rejected row, and end with a tally that reconciles.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{ExitCode, Inputs, Output};
use crate::compile::Program;
use crate::diag::Code;
use crate::input::{InputFormat, Portfolio, Rejected, read_portfolio};
use crate::report::{OutputFormat, RecordWriter, rejected_json};

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
    /// Add each loan's trace: every rule tried and every value read.
    #[arg(long)]
    trace: bool,
    /// Exit with 1 when any row was rejected.
    #[arg(long)]
    strict: bool,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

pub(crate) fn run(args: &Args, out: &Output) -> ExitCode {
    let (loaded, portfolio) = match args.inputs.load(out) {
        Ok(both) => both,
        Err(code) => return code,
    };
    let program = &loaded.program;
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
    {
        Ok(pool) => pool,
        Err(error) => {
            out.note(&format!("error: cannot start worker threads: {error}"));
            return ExitCode::Failure;
        }
    };
    // Evaluate and render in parallel; `collect` on an indexed parallel iterator keeps input
    // order, so the output is the same for any number of threads.
    let (format, as_of, traced) = (args.format, args.inputs.as_of, args.trace);
    let bar = super::progress_bar(portfolio.rows.len() as u64, args.quiet);
    let rendered: Vec<Result<Vec<String>, &Rejected>> = pool.install(|| {
        portfolio
            .rows
            .par_iter()
            .map(|row| {
                bar.inc(1);
                row
            })
            .map(|row| match &row.result {
                Ok((key, loan)) => Ok(if traced {
                    let (evaluation, trace) = program.evaluate_traced(loan, as_of);
                    RecordWriter::<std::io::Sink>::render(
                        format,
                        program,
                        key,
                        &evaluation,
                        Some((&trace, as_of)),
                    )
                } else {
                    let evaluation = program.evaluate(loan, as_of);
                    RecordWriter::<std::io::Sink>::render(format, program, key, &evaluation, None)
                }),
                Err(rejected) => Err(rejected),
            })
            .collect()
    });

    bar.finish_and_clear();
    let (decided, rejected) = match write_outputs(args, program, &rendered, out) {
        Ok(counts) => counts,
        Err(message) => {
            out.note(&format!("error: {message}"));
            return ExitCode::Failure;
        }
    };
    let read = portfolio.rows.len();
    out.note(&format!(
        "read {read} loans = decided {decided} + rejected {rejected}"
    ));
    if args.strict && rejected > 0 {
        ExitCode::Problems
    } else {
        ExitCode::Clean
    }
}

/// Opens and reads the portfolio; unknown fields are warned about once.
pub(crate) fn read_input(
    path: &Path,
    format: Option<InputFormat>,
    program: &Program,
    out: &Output,
) -> Result<Portfolio, ExitCode> {
    let Some(format) = format.or_else(|| InputFormat::from_extension(path)) else {
        out.note(&format!(
            "error: cannot tell the format of `{}` from its extension; pass --input-format jsonl|csv|yaml",
            path.display()
        ));
        return Err(ExitCode::Failure);
    };
    let file = match File::open(path) {
        Ok(file) => file,
        Err(error) => {
            out.note(&format!(
                "error: cannot read the portfolio `{}`: {error}",
                path.display()
            ));
            return Err(ExitCode::Failure);
        }
    };
    let name = path.display().to_string();
    match read_portfolio(
        std::io::BufReader::new(file),
        &name,
        format,
        &program.schema,
    ) {
        Ok(portfolio) => {
            if !portfolio.unknown_fields.is_empty() {
                let list = portfolio
                    .unknown_fields
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                out.note(&format!(
                    "warning[{}]: `{name}` has fields the schema does not declare, ignored: {list}",
                    Code::ROW_UNKNOWN_FIELDS.id
                ));
            }
            Ok(portfolio)
        }
        Err(message) => {
            out.note(&format!("error: `{name}`: {message}"));
            Err(ExitCode::Failure)
        }
    }
}

fn create(path: &Path) -> Result<BufWriter<File>, String> {
    File::create(path)
        .map(BufWriter::new)
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}

/// Writes the records and the rejects; returns (decided, rejected).
fn write_outputs(
    args: &Args,
    program: &Program,
    rendered: &[Result<Vec<String>, &Rejected>],
    out: &Output,
) -> Result<(usize, usize), String> {
    let records: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(create(path)?),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let rejects_path = args.rejects.clone().or_else(|| {
        args.output.as_ref().map(|output| {
            let stem = output
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            output.with_file_name(format!("{stem}.rejects.jsonl"))
        })
    });
    let mut rejects: Option<BufWriter<File>> = rejects_path.as_deref().map(create).transpose()?;
    let mut writer =
        RecordWriter::new(records, args.format, program, args.trace).map_err(|e| e.to_string())?;
    let (mut decided, mut rejected) = (0, 0);
    for row in rendered {
        match row {
            Ok(record) => {
                writer
                    .write(record)
                    .map_err(|e| format!("cannot write the decisions: {e}"))?;
                decided += 1;
            }
            Err(row) => {
                rejected += 1;
                match rejects.as_mut() {
                    Some(file) => file
                        .write_all(rejected_json(row).as_bytes())
                        .map_err(|e| format!("cannot write the rejected rows: {e}"))?,
                    None => out.note(&describe_rejected(row)),
                }
            }
        }
    }
    writer
        .finish()
        .map_err(|e| format!("cannot write the decisions: {e}"))?;
    if let Some(mut file) = rejects {
        file.flush()
            .map_err(|e| format!("cannot write the rejected rows: {e}"))?;
    }
    Ok((decided, rejected))
}

/// A rejected row in one line for people: where, which field, which value, why.
pub(crate) fn describe_rejected(row: &Rejected) -> String {
    let place = match row.line {
        Some(line) => format!("{}:{line}", row.file),
        None => format!("{} (loan #{})", row.file, row.record),
    };
    let mut what: Vec<String> = Vec::new();
    what.extend(row.loan_id.as_deref().map(|id| format!("loan `{id}`")));
    what.extend(row.field.as_deref().map(|f| format!("field `{f}`")));
    what.extend(row.value.as_deref().map(|v| format!("value `{v}`")));
    let what = if what.is_empty() {
        String::new()
    } else {
        format!(" {}:", what.join(" "))
    };
    format!("rejected[{}] {place}:{what} {}", row.code.id, row.reason)
}
