//! `arrears explain POLICY PORTFOLIO --as-of D --loan ID`: one loan's trace, for a person.

use super::run::describe_rejected;
use super::{ExitCode, Inputs, Output};
use crate::report::{explain_text, render_jsonl};
use std::io::Write as _;

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
    #[command(flatten)]
    inputs: Inputs,
    /// The loan's id.
    #[arg(long)]
    loan: String,
    /// Text for people, or JSON.
    #[arg(long, value_enum, default_value = "text")]
    format: ExplainFormat,
}

pub(crate) fn run(args: &Args, out: &Output) -> ExitCode {
    let (loaded, portfolio) = match args.inputs.load(out) {
        Ok(both) => both,
        Err(code) => return code,
    };
    let program = &loaded.program;
    let as_of = args.inputs.as_of;
    for row in &portfolio.rows {
        match &row.result {
            Ok((key, loan)) if *key == args.loan => {
                let (evaluation, trace) = program.evaluate_traced(loan, as_of);
                let text = match args.format {
                    ExplainFormat::Text => explain_text(program, key, &evaluation, &trace, as_of),
                    ExplainFormat::Json => {
                        render_jsonl(program, key, &evaluation, Some((&trace, as_of)))
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
        args.inputs.portfolio.display()
    ));
    ExitCode::Failure
}
