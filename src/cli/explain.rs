//! `arrears explain POLICY PORTFOLIO --as-of D --loan ID`: one loan's trace, for a person.

use super::run::describe_rejected;
use super::{ExitCode, Inputs, Output, Streaming};
use arrears::Rejected;
use arrears::{BatchRow, Flow, Record};
use arrears::{explain_text, render_jsonl};
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
    let loaded = match out.load(&args.inputs.policy) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let mut program = loaded.program;
    let lang = out.lang_for(&program);
    if args.format == ExplainFormat::Text {
        program.speak(lang);
    }
    let program = &program;
    let as_of = args.inputs.as_of;
    let wanted = args.loan.as_str();
    let portfolio = &args.inputs.portfolio;
    let streaming = Streaming {
        path: portfolio,
        schema: program.schema(),
        threads: None,
        quiet: true,
        lang,
    };
    let render =
        |key: &str, evaluation: &arrears::Evaluation, trace: &arrears::Trace| match args.format {
            ExplainFormat::Text => explain_text(program, key, evaluation, trace, as_of, lang),
            ExplainFormat::Json => render_jsonl(program, key, evaluation, Some((trace, as_of))),
        };
    let found = match program
        .borrower_field()
        .filter(|_| program.reads_borrowers())
    {
        // A policy that reads borrowers: the loan's borrower first, then all its loans.
        Some(slot) => match explain_among_borrower(program, args, &streaming, out, slot, &render) {
            Ok(found) => found,
            Err(code) => return code,
        },
        None => {
            // Only the loan asked for is decided; the batch stops at it.
            let decide = |record: &mut Record<'_>| {
                let (key, loan) = record.loan(program.schema())?;
                let explained = (key == wanted).then(|| {
                    let (evaluation, trace) = program.evaluate_traced(&loan, as_of);
                    render(&key, &evaluation, &trace)
                });
                Ok((key, explained))
            };
            let mut found: Option<Result<String, Rejected>> = None;
            let sink = |row: BatchRow<Option<String>>| {
                match row {
                    BatchRow::Decided {
                        value: Some(text), ..
                    } => found = Some(Ok(text)),
                    BatchRow::Rejected(rejected) if rejected.loan_id.as_deref() == Some(wanted) => {
                        found = Some(Err(rejected));
                    }
                    _ => return Ok(Flow::Continue),
                }
                Ok(Flow::Stop)
            };
            if let Err(code) = streaming.open_and_run(args.inputs.input_format, out, decide, sink) {
                return code;
            }
            found
        }
    };
    match found {
        Some(Ok(text)) => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            ExitCode::Clean
        }
        Some(Err(rejected)) => {
            out.note(&lang.text("explain-rejected", &[("loan", (&args.loan).into())]));
            out.note(&describe_rejected(&rejected, lang));
            ExitCode::Problems
        }
        None => {
            let portfolio = portfolio.display().to_string();
            out.note(&lang.text(
                "explain-not-found",
                &[
                    ("loan", (&args.loan).into()),
                    ("portfolio", portfolio.into()),
                ],
            ));
            ExitCode::Failure
        }
    }
}

/// The explanation of the loan asked for, decided among its borrower's loans: one pass finds
/// its borrower (and stops there), a second gathers every loan of that borrower read, in
/// input order (only those are kept). `None` when the loan is not in the book.
fn explain_among_borrower(
    program: &arrears::Program,
    args: &Args,
    streaming: &Streaming<'_>,
    out: &Output,
    slot: arrears::Slot,
    render: &(dyn Fn(&str, &arrears::Evaluation, &arrears::Trace) -> String + Sync),
) -> Result<Option<Result<String, Rejected>>, ExitCode> {
    let schema = streaming.schema;
    let wanted = args.loan.as_str();
    let borrower_of = |loan: &arrears::Loan| match loan.field(slot.index()) {
        Some(arrears::Value::Text(id)) => Some(id.to_string()),
        _ => None,
    };
    // Pass 1: whose loan it is.
    let decide = |record: &mut Record<'_>| {
        let (key, loan) = record.loan(schema)?;
        let borrower = (key == wanted).then(|| borrower_of(&loan));
        Ok((key, borrower))
    };
    let mut found: Option<Result<Option<String>, Rejected>> = None;
    let sink = |row: BatchRow<Option<Option<String>>>| {
        match row {
            BatchRow::Decided {
                value: Some(borrower),
                ..
            } => found = Some(Ok(borrower)),
            BatchRow::Rejected(rejected) if rejected.loan_id.as_deref() == Some(wanted) => {
                found = Some(Err(rejected));
            }
            _ => return Ok(Flow::Continue),
        }
        Ok(Flow::Stop)
    };
    streaming.open_and_run(args.inputs.input_format, out, decide, sink)?;
    let borrower = match found {
        None => return Ok(None),
        Some(Err(rejected)) => return Ok(Some(Err(rejected))),
        Some(Ok(borrower)) => borrower,
    };
    // Pass 2: every loan of that borrower (the loan alone when it has none).
    let decide = |record: &mut Record<'_>| {
        let (key, loan) = record.loan(schema)?;
        let mine = match &borrower {
            Some(id) => borrower_of(&loan).as_ref() == Some(id),
            None => key == wanted,
        };
        Ok((key, mine.then_some(loan)))
    };
    let mut loans: Vec<(String, arrears::Loan)> = Vec::new();
    let sink = |row: BatchRow<Option<arrears::Loan>>| {
        if let BatchRow::Decided {
            key,
            value: Some(loan),
            ..
        } = row
        {
            loans.push((key, loan));
        }
        Ok(Flow::Continue)
    };
    streaming.open_and_run(args.inputs.input_format, out, decide, sink)?;
    let Some(position) = loans.iter().position(|(key, _)| key == wanted) else {
        return Ok(None);
    };
    let as_of = args.inputs.as_of;
    let each: Vec<&arrears::Loan> = loans.iter().map(|(_, loan)| loan).collect();
    let mut context = program.borrower_context(&each, as_of, true);
    // The borrower's first loan decides what is decided once per borrower.
    if position > 0
        && let Some((_, first)) = loans.first()
    {
        program.evaluate_in(first, &mut context, as_of);
    }
    let Some((key, loan)) = loans.get(position) else {
        return Ok(None);
    };
    let (evaluation, trace) = program.evaluate_traced_in(loan, &mut context, as_of);
    Ok(Some(Ok(render(key, &evaluation, &trace))))
}
