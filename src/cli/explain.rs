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
    // With capacities, the whole book is read first: the loan's rank depends on every claim.
    let (allocation, opened, number) = if program.has_capacities() {
        let opened = match super::open_portfolio(
            portfolio,
            args.inputs.input_format,
            program.schema(),
            false,
            out,
            lang,
        ) {
            Ok(opened) => opened,
            Err(code) => return code,
        };
        match streaming.allocate_finding(
            opened,
            out,
            program,
            (as_of, arrears::BorrowerOrder::Unsorted),
            Some(wanted),
        ) {
            Ok((allocation, opened, number)) => (Some(allocation), Some(opened), number),
            Err(code) => return code,
        }
    } else {
        (None, None, None)
    };
    let allocation = allocation.as_ref();
    let render = |number: Option<u64>,
                  key: &str,
                  evaluation: &arrears::Evaluation,
                  trace: &arrears::Trace| {
        let mut evaluation = evaluation.clone();
        if let (Some(allocation), Some(number)) = (allocation, number) {
            allocation.apply(program, number, &mut evaluation);
        }
        match args.format {
            ExplainFormat::Text => explain_text(program, key, &evaluation, trace, as_of, lang),
            ExplainFormat::Json => render_jsonl(program, key, &evaluation, Some((trace, as_of))),
        }
    };
    let found = match program
        .borrower_field()
        .filter(|_| program.reads_borrowers())
    {
        // A policy that reads borrowers: the loan's borrower first, then all its loans.
        Some(_) => match explain_among_borrower(program, args, &streaming, out, &|key, e, t| {
            render(number, key, e, t)
        }) {
            Ok(found) => found,
            Err(code) => return code,
        },
        None => {
            // Only the loan asked for is decided; the batch stops at it.
            let decide = |record: &mut Record<'_>| {
                let number = record.number();
                let (key, loan) = record.loan(program.schema())?;
                let explained = (key == wanted).then(|| {
                    let (evaluation, trace) = program.evaluate_traced(&loan, as_of);
                    render(Some(number), &key, &evaluation, &trace)
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
            let ran = match opened {
                Some(opened) => streaming.run(opened, out, decide, sink),
                None => streaming.open_and_run(args.inputs.input_format, out, decide, sink),
            };
            if let Err(code) = ran {
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

/// The explanation of the loan asked for, decided among its borrower's loans (see
/// [`arrears::loans_of_borrower`]). `None` when the loan is not in the book.
#[expect(
    clippy::result_large_err,
    reason = "a rejection is the rare answer, and `run` below holds it the same way"
)]
fn explain_among_borrower(
    program: &arrears::Program,
    args: &Args,
    streaming: &Streaming<'_>,
    out: &Output,
    render: &(dyn Fn(&str, &arrears::Evaluation, &arrears::Trace) -> String + Sync),
) -> Result<Option<Result<String, Rejected>>, ExitCode> {
    let opened = super::open_portfolio(
        streaming.path,
        args.inputs.input_format,
        program.schema(),
        false,
        out,
        streaming.lang,
    )?;
    let open = super::reopen(streaming.path, opened.format, program.schema());
    let name = streaming.path.display().to_string();
    match arrears::loans_of_borrower(&open, &name, program, &args.loan) {
        Ok(arrears::BorrowerLoans::Found { loans, position }) => Ok(program
            .evaluate_traced_among(&loans, position, args.inputs.as_of)
            .zip(loans.get(position))
            .map(|((evaluation, trace), (key, _))| Ok(render(key, &evaluation, &trace)))),
        Ok(arrears::BorrowerLoans::Rejected(rejected)) => Ok(Some(Err(*rejected))),
        Ok(arrears::BorrowerLoans::Missing) => Ok(None),
        Err(error) => {
            out.note(&format!("error: `{name}`: {error}"));
            Err(ExitCode::Failure)
        }
    }
}
