//! `arrears diff OLD NEW PORTFOLIO --as-of D`: which loans a policy change moves, and how much
//! money is involved. It reports; it does not judge: exit 0 whether or not outcomes change,
//! unless `--fail-on-change`.

use std::io::Write as _;
use std::path::PathBuf;

use chrono::NaiveDate;

use super::flags::InputFormat;
use super::run::describe_rejected;
use super::{ExitCode, Output, Streaming, parse_as_of};
use arrears::Schema;
use arrears::impact::render::{ImpactHeading, impact_json, impact_markdown, impact_text};
use arrears::impact::{AmountFields, Comparison, LoanChange};
use arrears::{BatchRow, Flow, Record};

/// How `arrears diff` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum DiffFormat {
    /// Every changed loan and each decision's transitions, as text.
    Human,
    /// Tables for a pull-request comment.
    Markdown,
    /// Everything, including every cell of every transition matrix.
    Json,
}

/// Arguments of `arrears diff`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The policy before the change.
    old: PathBuf,
    /// The policy after the change.
    new: PathBuf,
    /// The portfolio to compare them on.
    portfolio: PathBuf,
    /// The evaluation date, YYYY-MM-DD.
    #[arg(long, value_parser = parse_as_of)]
    as_of: NaiveDate,
    /// The portfolio's format, when its extension does not say.
    #[arg(long, value_enum)]
    input_format: Option<InputFormat>,
    /// How to report.
    #[arg(long, value_enum, default_value = "human")]
    format: DiffFormat,
    /// Exit with 1 when any loan's outcome changes.
    #[arg(long)]
    fail_on_change: bool,
    /// The money field to total.
    #[arg(long, default_value = "principal_outstanding")]
    amount: String,
    /// The text field holding each loan's currency (amounts are totalled per currency).
    #[arg(long, default_value = "currency")]
    currency: String,
    /// How many changed loans the Markdown report lists.
    #[arg(long, default_value_t = 50)]
    limit: usize,
}

/// True when two schemas read a portfolio the same way, wherever they were declared.
fn same_shape(a: &Schema, b: &Schema) -> bool {
    let fields = |s: &Schema| {
        s.fields
            .iter()
            .map(|f| (f.name.clone(), f.ty.clone(), f.optional))
            .collect::<Vec<_>>()
    };
    a.key == b.key && a.enums == b.enums && fields(a) == fields(b)
}

pub(crate) fn run(args: &Args, out: &Output) -> ExitCode {
    let old = match out.load(&args.old) {
        Ok(loaded) => loaded.program,
        Err(code) => return code,
    };
    let new = match out.load(&args.new) {
        Ok(loaded) => loaded.program,
        Err(code) => return code,
    };
    let lang = out.lang_for(&new);
    // Comparing two policies loan by loan would decide each loan alone, which is not what a
    // policy that reads a borrower's loans together decides: refused rather than misleading.
    if let Some(path) = [(&old, &args.old), (&new, &args.new)]
        .into_iter()
        .find(|(program, _)| program.reads_borrowers())
        .map(|(_, path)| path)
    {
        out.note(&format!(
            "error: `{}` reads a borrower's loans together (`borrower.…`, `per borrower`); \
             `arrears diff` compares policies loan by loan and cannot decide borrowers yet: \
             compare `arrears run` outputs of the two policies instead",
            path.display()
        ));
        return ExitCode::Failure;
    }
    let fields = match AmountFields::find(&old, &args.amount, &args.currency) {
        Ok(fields) => fields,
        Err(message) => {
            out.note(&format!(
                "error: {message}; name the money field with --amount"
            ));
            return ExitCode::Failure;
        }
    };
    // Each policy reads the portfolio through its own schema; when the schemas agree, once.
    let same = same_shape(old.schema(), new.schema());
    let streaming = Streaming {
        path: &args.portfolio,
        schema: old.schema(),
        threads: None,
        quiet: true,
        lang,
    };
    // Policies with capacities: each ranks the book's claims in a reading of its own first.
    let mut opened = None;
    let mut allocations: [Option<arrears::Allocation>; 2] = [None, None];
    for (program, slot) in [&old, &new].into_iter().zip(&mut allocations) {
        if !program.has_capacities() {
            continue;
        }
        let reading = Streaming {
            schema: program.schema(),
            ..streaming
        };
        let book = match opened.take() {
            Some(book) => book,
            None => match super::open_portfolio(
                &args.portfolio,
                args.input_format,
                program.schema(),
                false,
                out,
                lang,
            ) {
                Ok(book) => book,
                Err(code) => return code,
            },
        };
        match reading.allocate(
            book,
            out,
            program,
            args.as_of,
            arrears::BorrowerOrder::Unsorted,
        ) {
            Ok((allocation, book)) => {
                *slot = allocation;
                opened = Some(book);
            }
            Err(code) => return code,
        }
    }
    let [old_allocation, new_allocation] = &allocations;
    let comparison = Comparison::new(&old, &new, args.as_of, fields)
        .with_allocations(old_allocation.as_ref(), new_allocation.as_ref());
    let mut impact = comparison.empty();
    let decide = |record: &mut Record<'_>| {
        let number = record.number();
        let (key, old_loan) = record.loan(old.schema())?;
        let change = if same {
            comparison.loan(number, &key, &old_loan, &old_loan)
        } else {
            let (_, new_loan) = record.loan(new.schema())?;
            comparison.loan(number, &key, &old_loan, &new_loan)
        };
        Ok((key, change))
    };
    let mut rejected = 0u64;
    let sink = |row: BatchRow<LoanChange>| {
        match row {
            BatchRow::Decided { value, .. } => comparison.add(&mut impact, value),
            BatchRow::Rejected(row) => {
                rejected += 1;
                out.note(&describe_rejected(&row, lang));
            }
        }
        Ok(Flow::Continue)
    };
    let counts = match opened {
        Some(book) => streaming.run(book, out, decide, sink),
        None => streaming.open_and_run(args.input_format, out, decide, sink),
    };
    let counts = match counts {
        Ok(counts) => counts,
        Err(code) => return code,
    };
    let (old_name, new_name, portfolio) = (
        args.old.display().to_string(),
        args.new.display().to_string(),
        args.portfolio.display().to_string(),
    );
    let as_of = args.as_of.format("%Y-%m-%d").to_string();
    let heading = ImpactHeading {
        old: &old_name,
        new: &new_name,
        portfolio: &portfolio,
        as_of: &as_of,
        read: counts.read,
        rejected,
    };
    let text = match args.format {
        DiffFormat::Human => impact_text(&heading, &impact, lang),
        DiffFormat::Markdown => impact_markdown(&heading, &impact, args.limit, lang),
        DiffFormat::Json => impact_json(&heading, &impact),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if args.fail_on_change && impact.changed.loans > 0 {
        ExitCode::Problems
    } else {
        ExitCode::Clean
    }
}
