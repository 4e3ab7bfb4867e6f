//! `arrears explain POLICY PORTFOLIO --as-of D --loan ID`: one loan's trace, for a person.

use std::io::Write as _;
use std::path::PathBuf;

use chrono::NaiveDate;

use super::run::{describe_rejected, read_input};
use super::{ExitCode, Output, parse_as_of};
use crate::input::InputFormat;
use crate::report::{explain_text, render_jsonl};

/// How `explain` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ExplainFormat {
    /// Plain text for people.
    Text,
    /// The decision record with its trace, as one JSON object.
    Json,
}

/// Arguments of `arrears explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The policy file.
    policy: PathBuf,
    /// The portfolio holding the loan.
    portfolio: PathBuf,
    /// The evaluation date, YYYY-MM-DD.
    #[arg(long, value_parser = parse_as_of)]
    as_of: NaiveDate,
    /// The loan's id.
    #[arg(long)]
    loan: String,
    /// The portfolio's format, when its extension does not say.
    #[arg(long, value_enum)]
    input_format: Option<InputFormat>,
    /// Text for people, or JSON.
    #[arg(long, value_enum, default_value = "text")]
    format: ExplainFormat,
}

pub(crate) fn run(args: &Args, out: &Output) -> ExitCode {
    let loaded = match out.load(&args.policy) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let program = &loaded.program;
    let portfolio = match read_input(&args.portfolio, args.input_format, program, out) {
        Ok(portfolio) => portfolio,
        Err(code) => return code,
    };
    for row in &portfolio.rows {
        match &row.result {
            Ok((key, loan)) if *key == args.loan => {
                let (evaluation, trace) = program.evaluate_traced(loan, args.as_of);
                let text = match args.format {
                    ExplainFormat::Text => {
                        explain_text(program, key, &evaluation, &trace, args.as_of)
                    }
                    ExplainFormat::Json => {
                        render_jsonl(program, key, &evaluation, Some((&trace, args.as_of)))
                    }
                };
                let _ = std::io::stdout().lock().write_all(text.as_bytes());
                return ExitCode::Clean;
            }
            Err(rejected) if rejected.loan_id.as_deref() == Some(args.loan.as_str()) => {
                out.note(&format!(
                    "loan `{}` cannot be decided: its row is rejected",
                    args.loan
                ));
                out.note(&describe_rejected(rejected));
                return ExitCode::Problems;
            }
            _ => {}
        }
    }
    out.note(&format!(
        "error: no loan `{}` in `{}`",
        args.loan,
        args.portfolio.display()
    ));
    ExitCode::Failure
}
