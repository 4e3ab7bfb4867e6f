//! `arrears report POLICY PORTFOLIO --as-of D`: what the policy would do, in numbers and charts.

use std::io::Write as _;
use std::path::PathBuf;

use super::{ExitCode, Inputs, Output, Streaming};
use arrears::summary::render::{
    ReportHeading, summary_csv, summary_html, summary_json, summary_text,
};
use arrears::summary::roll::Roll;
use arrears::summary::{LoanFacts, Summarizer, SummaryOptions};
use arrears::{BatchRow, Flow, Record};

/// How `arrears report` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    /// Tables for the terminal.
    Human,
    /// One JSON object, schema `arrears.report/1`.
    Json,
    /// Every table in one CSV, long format.
    Csv,
}

/// Arguments of `arrears report`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    inputs: Inputs,
    /// How to print the report.
    #[arg(long, value_enum, default_value = "human")]
    format: ReportFormat,
    /// Also write the report as one self-contained HTML file with charts.
    #[arg(long)]
    html: Option<PathBuf>,
    /// Upper edges of the overdue buckets after `current`, in days.
    #[arg(long, value_delimiter = ',', default_value = "30,60,90,180")]
    buckets: Vec<i64>,
    /// The policy's value counting days overdue.
    #[arg(long, default_value = "overdue")]
    overdue: String,
    /// The decision that classifies loans (for the NPL ratio).
    #[arg(long, default_value = "classification")]
    classification: String,
    /// The money field to total.
    #[arg(long, default_value = "principal_outstanding")]
    amount: String,
    /// The text field holding each loan's currency.
    #[arg(long, default_value = "currency")]
    currency: String,
    /// For a policy that reads a borrower's loans together: how the book holds them. `sorted`
    /// streams it once (and stops at a borrower out of place); `unsorted` spills the loans to
    /// a temporary folder (`TMPDIR`) and reads the book twice.
    #[arg(long, value_enum, default_value = "unsorted")]
    borrowers: super::flags::BorrowerOrder,
    /// An earlier snapshot of the same loans: adds the roll rates from it to this one (the
    /// bucket matrix, cures and roll-forwards per bucket, per action and per experiment arm
    /// the policy gave at that date).
    #[arg(long, value_name = "OLD_BOOK", requires = "previous_as_of")]
    previous: Option<PathBuf>,
    /// The date of `--previous`: its loans are decided as of then.
    #[arg(long, value_name = "DATE", requires = "previous")]
    previous_as_of: Option<chrono::NaiveDate>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

pub(crate) fn run(args: &Args, out: &Output) -> ExitCode {
    if args
        .buckets
        .windows(2)
        .any(|w| matches!(w, [a, b] if a >= b))
        || args.buckets.iter().any(|b| *b < 1)
    {
        out.note("error: --buckets takes increasing day counts above 0, such as 30,60,90,180");
        return ExitCode::Failure;
    }
    let loaded = match out.load(&args.inputs.policy) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let program = &loaded.program;
    let lang = out.lang_for(program);
    let options = SummaryOptions {
        amount: args.amount.clone(),
        currency: args.currency.clone(),
        overdue: args.overdue.clone(),
        edges: args.buckets.clone(),
        classification: args.classification.clone(),
        ..SummaryOptions::default()
    };
    let summarizer = match Summarizer::new(program, args.inputs.as_of, &options) {
        Ok(summarizer) => summarizer,
        Err(error) => {
            out.note(&format!("error: {error}"));
            return ExitCode::Failure;
        }
    };
    let streaming = Streaming {
        path: &args.inputs.portfolio,
        schema: program.schema(),
        threads: None,
        quiet: args.quiet,
        lang,
    };
    let opened = match super::open_portfolio(
        &args.inputs.portfolio,
        args.inputs.input_format,
        program.schema(),
        false,
        out,
        lang,
    ) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    // A policy with capacities: a first reading ranks every claim; the report's reading
    // applies the ranking to each loan.
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
    let summarizer = match &allocation {
        Some(allocation) => summarizer.with_allocation(allocation),
        None => summarizer,
    };
    // With an earlier snapshot: its loans decided at its own date, kept by key for the join.
    let mut roll = match (&args.previous, args.previous_as_of) {
        (Some(previous), Some(previous_as_of)) => {
            match previous_roll(args, program, &options, previous, previous_as_of, out, lang) {
                Ok(roll) => Some(roll),
                Err(code) => return code,
            }
        }
        _ => None,
    };
    let mut tables = summarizer.tables();
    let sink = |row: BatchRow<LoanFacts>| {
        match row {
            BatchRow::Decided { value, key, .. } => {
                if let Some(roll) = roll.as_mut() {
                    roll.current(&key, &value);
                }
                summarizer.add(&mut tables, value)
            }
            BatchRow::Rejected(rejected) => summarizer.reject(&mut tables, &rejected),
        }
        Ok(Flow::Continue)
    };
    let read = Reading {
        streaming: &streaming,
        out,
        summarizer: &summarizer,
        as_of: args.inputs.as_of,
        order: args.borrowers.into(),
    };
    if let Err(code) = read.facts(opened, sink) {
        return code;
    }
    let mut summary = summarizer.finish(tables);
    if let (Some(roll), Some(previous_as_of)) = (roll, args.previous_as_of) {
        let actions: Vec<String> = program
            .actions()
            .map(|a| program.action_name(a).to_owned())
            .collect();
        summary.roll = Some(roll.finish(previous_as_of.format("%Y-%m-%d").to_string(), &actions));
    }
    let (policy, file) = (
        args.inputs.policy.display().to_string(),
        args.inputs.portfolio.display().to_string(),
    );
    let as_of = args.inputs.as_of.format("%Y-%m-%d").to_string();
    let heading = ReportHeading {
        policy: &policy,
        portfolio: &file,
        as_of: &as_of,
    };
    if let Some(path) = &args.html
        && let Err(message) =
            super::atomic::write_whole(path, summary_html(&heading, &summary, lang).as_bytes())
    {
        out.note(&format!("error: {message}"));
        return ExitCode::Failure;
    }
    let text = match args.format {
        ReportFormat::Human => summary_text(&heading, &summary, lang),
        ReportFormat::Json => summary_json(&heading, &summary),
        ReportFormat::Csv => summary_csv(&summary),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    ExitCode::Clean
}

/// Reads the earlier snapshot: each loan decided at `previous_as_of` (a borrower at a time
/// when the policy reads borrowers; capacities are not applied to it), kept by key.
fn previous_roll(
    args: &Args,
    program: &arrears::Program,
    options: &SummaryOptions,
    previous: &std::path::Path,
    previous_as_of: chrono::NaiveDate,
    out: &Output,
    lang: arrears::Lang,
) -> Result<Roll, ExitCode> {
    let summarizer = Summarizer::new(program, previous_as_of, options).map_err(|error| {
        out.note(&format!("error: {error}"));
        ExitCode::Failure
    })?;
    let mut roll = Roll::new(summarizer.buckets().to_vec(), summarizer.experiment_names());
    let sink = |row: BatchRow<LoanFacts>| {
        if let BatchRow::Decided { value, key, .. } = row {
            roll.previous(&key, &value);
        }
        Ok(Flow::Continue)
    };
    let streaming = Streaming {
        path: previous,
        schema: program.schema(),
        threads: None,
        quiet: args.quiet,
        lang,
    };
    let opened = super::open_portfolio(
        previous,
        args.inputs.input_format,
        program.schema(),
        false,
        out,
        lang,
    )?;
    let read = Reading {
        streaming: &streaming,
        out,
        summarizer: &summarizer,
        as_of: previous_as_of,
        order: args.borrowers.into(),
    };
    read.facts(opened, sink)?;
    Ok(roll)
}

/// One reading of a book into the report's facts, a borrower at a time for a policy that
/// reads borrowers: the report's own, and the earlier snapshot's.
struct Reading<'a> {
    streaming: &'a Streaming<'a>,
    out: &'a Output,
    summarizer: &'a Summarizer<'a>,
    as_of: chrono::NaiveDate,
    order: arrears::BorrowerOrder,
}

impl Reading<'_> {
    fn facts(
        &self,
        opened: super::Opened,
        sink: impl FnMut(BatchRow<LoanFacts>) -> Result<Flow, String> + Send,
    ) -> Result<arrears::BatchCounts, ExitCode> {
        let (summarizer, schema) = (self.summarizer, self.streaming.schema);
        let program = summarizer.program();
        if program.reads_borrowers() {
            let by = arrears::ByBorrower {
                program,
                as_of: self.as_of,
                traced: false,
                order: self.order,
            };
            let decide = |number: u64,
                          _key: &str,
                          loan: &arrears::Loan,
                          borrower: &mut arrears::BorrowerContext| {
                summarizer.facts_in(number, loan, borrower)
            };
            self.streaming
                .run_by_borrower(opened, self.out, &by, decide, sink)
        } else {
            let decide = |record: &mut Record<'_>| {
                let number = record.number();
                let (key, loan) = record.loan(schema)?;
                Ok((key, summarizer.facts(number, &loan)))
            };
            self.streaming.run(opened, self.out, decide, sink)
        }
    }
}
