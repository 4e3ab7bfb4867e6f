//! The per-loan decision record, the contract of `arrears run`'s output (version 1):
//!
//! * `loan_id` (the schema's key field name): the loan's key.
//! * one key per decision, named after it: a `first match` decision's outcome (`null` when it
//!   decided nothing or no rule matched); an `every match` decision's outcomes, as a list.
//! * `actions`: the surviving actions, in order, each once.
//! * `vetoed`: `[{"action", "guard"}]`, each forbidden action with the first guard forbidding it.
//! * `deadlines`, only for policies that declare a `deadline`: `{name: "YYYY-MM-DD" | null}`.
//! * `queued`, only for policies that declare a `capacity`: each capacity the loan was past
//!   the limit of, `{"capacity", "group", "actions", "rank", "place", "instead"}` (see
//!   [`queued_json`]).
//! * with `--trace`, `trace`: see [`trace_json`].
//!
//! CSV carries the same columns; lists and the trace are JSON in their cells.

use std::io::{self, Write};

use chrono::NaiveDate;
use serde_json::{Map, Value as Json, json};

use crate::eval::{DecisionOutcome, Evaluation, Read, TestTrace, Trace};
use crate::input::Rejected;
use crate::program::Fallback;
use crate::program::{DecisionId, Program};
use crate::program::{kind_of, source_name, to_json};

/// The format of decision records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// One JSON object a line.
    Jsonl,
    /// A header, then one row a loan.
    Csv,
    /// Apache Parquet: one row a loan, typed columns (see [`crate::DecisionColumns`]).
    Parquet,
}

impl OutputFormat {
    /// Its name as the command line and the run manifest spell it.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Jsonl => "jsonl",
            OutputFormat::Csv => "csv",
            OutputFormat::Parquet => "parquet",
        }
    }
}

/// A decision's outcome as JSON.
fn outcome_json(program: &Program, decision: DecisionId, outcome: &DecisionOutcome) -> Json {
    match outcome {
        DecisionOutcome::First { value, .. } => value.map_or(Json::Null, |v| {
            Json::String(program.outcome_name(decision, v).to_owned())
        }),
        DecisionOutcome::Collect { hits } => Json::Array(
            hits.iter()
                .map(|(_, v)| Json::String(program.outcome_name(decision, *v).to_owned()))
                .collect(),
        ),
    }
}

fn actions_json(program: &Program, evaluation: &Evaluation) -> Json {
    Json::Array(
        evaluation
            .actions
            .iter()
            .map(|a| Json::String(program.action_name(*a).to_owned()))
            .collect(),
    )
}

fn vetoed_json(program: &Program, evaluation: &Evaluation) -> Json {
    Json::Array(
        evaluation
            .vetoed
            .iter()
            .map(|(action, guard)| {
                json!({
                    "action": program.action_name(*action),
                    "guard": program.guard_name(*guard),
                })
            })
            .collect(),
    )
}

/// The capacities a loan waits for: `capacity` (the action or kind limited), `group` (the
/// loan's group in words, `null` for none), `actions` (moved out of `actions`), `rank` (its
/// place among the group's claims), `place` (in the queue, from 1), `instead` (the fallback
/// it got, or `null`) and, when a guard forbade the fallback, `instead_vetoed_by`. `None`
/// for a policy without capacities, whose records have no `queued` key.
pub(crate) fn queued_json(program: &Program, evaluation: &Evaluation) -> Option<Json> {
    if !program.has_capacities() {
        return None;
    }
    let queued = evaluation.capacity.iter().filter_map(|claimed| {
        let queued = claimed.queued.as_ref()?;
        let mut object = Map::new();
        object.insert(
            "capacity".into(),
            program.capacity_name(claimed.capacity).into(),
        );
        object.insert(
            "group".into(),
            claimed.group.clone().map_or(Json::Null, Json::String),
        );
        object.insert(
            "actions".into(),
            queued
                .actions
                .iter()
                .map(|a| Json::String(program.action_name(*a).to_owned()))
                .collect(),
        );
        object.insert("rank".into(), claimed.rank.into());
        object.insert("place".into(), queued.place.into());
        let instead = match queued.instead {
            Fallback::Given(action) | Fallback::AlreadyGiven(action) => {
                Json::String(program.action_name(action).to_owned())
            }
            Fallback::None | Fallback::Forbidden(..) => Json::Null,
        };
        object.insert("instead".into(), instead);
        if let Fallback::Forbidden(_, guard) = queued.instead {
            object.insert("instead_vetoed_by".into(), program.guard_name(guard).into());
        }
        Some(Json::Object(object))
    });
    Some(Json::Array(queued.collect()))
}

/// `{name: date}` for the policy's deadlines; `None` when it declares none.
fn deadlines_json(program: &Program, evaluation: &Evaluation) -> Option<Json> {
    // A policy without deadlines has no `deadlines` key at all.
    program.deadlines().next()?;
    let mut object = Map::new();
    for ((name, _), date) in program.deadlines().zip(&evaluation.deadlines) {
        let value = date.map_or(Json::Null, |d| {
            Json::String(d.format("%Y-%m-%d").to_string())
        });
        object.insert(name.to_owned(), value);
    }
    Some(Json::Object(object))
}

fn reads_json(program: &Program, reads: &[Read]) -> Json {
    let mut object = Map::new();
    for read in reads {
        let value = to_json(program, kind_of(program, read.source), &read.value);
        object.insert(source_name(program, read.source).to_owned(), value);
    }
    Json::Object(object)
}

/// The tests that settled a condition: each `test` as written, what the loan `had` (the name
/// tested and its value; `value` when the test is not of one named thing), what it `needs`,
/// and whether it `holds`.
fn tests_json(program: &Program, tests: &[TestTrace]) -> Json {
    Json::Array(
        tests
            .iter()
            .map(|t| {
                let (name, value) = match t.subject {
                    Some(source) => (
                        source_name(program, source),
                        to_json(program, kind_of(program, source), &t.value),
                    ),
                    None => (
                        "value",
                        to_json(program, crate::program::Kind::Plain, &t.value),
                    ),
                };
                let mut had = Map::new();
                had.insert(name.to_owned(), value);
                json!({
                    "test": t.test,
                    "had": had,
                    "needs": t.needs.text(crate::lang::Lang::En),
                    "holds": t.holds,
                })
            })
            .collect(),
    )
}

/// The trace as JSON: `as_of`; `derived`, each value computed with what it read; `decisions`,
/// in evaluation order, each with the rules tried (`rule`, `label`, `matched`, `outcome` when
/// matched, `read`, `tests`); `guards`, each with `fired`, `forbids`, `read` and `tests`. `read` maps each name
/// read to its value, in the order read.
pub(crate) fn trace_json(program: &Program, trace: &Trace, as_of: NaiveDate) -> Json {
    let derived: Vec<Json> = trace
        .derived
        .iter()
        .map(|d| {
            json!({
                "name": program.value_name(d.derived),
                "value": program.value_json(d.derived, &d.value),
                "read": reads_json(program, &d.reads),
            })
        })
        .collect();
    let decisions: Vec<Json> = trace
        .decisions
        .iter()
        .map(|d| {
            let id = d.decision;
            let rules: Vec<Json> = d
                .rules
                .iter()
                .map(|r| {
                    let mut object = Map::new();
                    object.insert("rule".into(), json!(program.rule_name(id, r.rule)));
                    if let Some(label) = program.rule_label(id, r.rule) {
                        object.insert("label".into(), json!(label));
                    }
                    object.insert("matched".into(), Json::Bool(r.matched));
                    if r.matched {
                        let value = r
                            .outcome
                            .map_or(Json::Null, |v| json!(program.outcome_name(id, v)));
                        object.insert("outcome".into(), value);
                    }
                    object.insert("read".into(), reads_json(program, &r.reads));
                    object.insert("tests".into(), tests_json(program, &r.tests));
                    Json::Object(object)
                })
                .collect();
            match &d.per_borrower {
                // Made once for the borrower: which of its loans' traces holds the rules.
                Some(leader) => json!({
                    "decision": program.decision_name(id),
                    "per_borrower": leader,
                    "rules": rules,
                }),
                None => json!({ "decision": program.decision_name(id), "rules": rules }),
            }
        })
        .collect();
    let guards: Vec<Json> = trace
        .guards
        .iter()
        .map(|g| {
            let id = g.guard;
            let mut object = Map::new();
            object.insert("guard".into(), json!(program.guard_name(id)));
            object.insert("reason".into(), json!(program.guard_reason(id)));
            if let Some(basis) = program.guard_basis(id) {
                object.insert("basis".into(), json!(basis));
            }
            object.insert("fired".into(), Json::Bool(g.fired));
            let forbids: Vec<&str> = program
                .guard_forbids(id)
                .iter()
                .map(|a| program.action_name(*a))
                .collect();
            object.insert("forbids".into(), json!(forbids));
            object.insert("read".into(), reads_json(program, &g.reads));
            object.insert("tests".into(), tests_json(program, &g.tests));
            Json::Object(object)
        })
        .collect();
    let mut object = Map::new();
    object.insert("as_of".into(), json!(as_of.format("%Y-%m-%d").to_string()));
    if let Some(borrower) = &trace.borrower {
        object.insert("borrower".into(), borrower_json(program, borrower));
    }
    object.insert("derived".into(), Json::Array(derived));
    object.insert("decisions".into(), Json::Array(decisions));
    object.insert("guards".into(), Json::Array(guards));
    Json::Object(object)
}

/// The values over the borrower's loans: `loans` (their keys), and each value as written
/// with what it came to and each loan's part in it (`{"value", "result", "by_loan": {key:
/// part}}`).
fn borrower_json(program: &Program, borrower: &crate::eval::BorrowerTrace) -> Json {
    let values: Vec<Json> = borrower
        .values
        .iter()
        .map(|v| {
            let plain = |value| to_json(program, crate::program::Kind::Plain, value);
            let by_loan: Map<String, Json> = borrower
                .loans
                .iter()
                .zip(&v.per_loan)
                .map(|(key, part)| (key.clone(), plain(part)))
                .collect();
            json!({
                "value": program.borrower_value_text(v.value),
                "result": plain(&v.result),
                "by_loan": by_loan,
            })
        })
        .collect();
    json!({ "loans": borrower.loans, "values": values })
}

/// The decision record of one loan as a JSON object (the output contract in
/// `ARCHITECTURE.md`): the reference every writer of records agrees with, byte for byte once
/// serialized. [`render_jsonl`] writes the same bytes faster.
pub fn decision_record(
    program: &Program,
    key: &str,
    evaluation: &Evaluation,
    trace: Option<(&Trace, NaiveDate)>,
) -> Map<String, Json> {
    let mut object = Map::new();
    let key_name = program.schema().key_name();
    object.insert(key_name.to_owned(), Json::String(key.to_owned()));
    for (decision, outcome) in program.decisions().zip(&evaluation.outcomes) {
        object.insert(
            program.decision_name(decision).to_owned(),
            outcome_json(program, decision, outcome),
        );
    }
    object.insert("actions".into(), actions_json(program, evaluation));
    object.insert("vetoed".into(), vetoed_json(program, evaluation));
    if let Some(deadlines) = deadlines_json(program, evaluation) {
        object.insert("deadlines".into(), deadlines);
    }
    if let Some(queued) = queued_json(program, evaluation) {
        object.insert("queued".into(), queued);
    }
    if let Some((trace, as_of)) = trace {
        object.insert("trace".into(), trace_json(program, trace, as_of));
    }
    object
}

/// One JSONL line (with its newline) for one loan. A caller rendering many loans of one
/// program makes a [`Renderer`] once instead.
pub fn render_jsonl(
    program: &Program,
    key: &str,
    evaluation: &Evaluation,
    trace: Option<(&Trace, NaiveDate)>,
) -> String {
    let mut line = Vec::new();
    if as_map(program, trace) {
        map_line(&mut line, program, key, evaluation, trace);
    } else {
        JsonLines::new(program).line(&mut line, key, evaluation, trace);
    }
    String::from_utf8(line).unwrap_or_default()
}

/// Whether a loan's line is built as a map: a traced record, or one with capacities, is rare
/// enough for that.
fn as_map(program: &Program, trace: Option<(&Trace, NaiveDate)>) -> bool {
    trace.is_some() || program.has_capacities()
}

/// Appends the line of [`decision_record`] serialized, with its newline, to `out`.
fn map_line(
    out: &mut Vec<u8>,
    program: &Program,
    key: &str,
    evaluation: &Evaluation,
    trace: Option<(&Trace, NaiveDate)>,
) {
    let record = Json::Object(decision_record(program, key, evaluation, trace));
    let _ = serde_json::to_writer(&mut *out, &record);
    out.push(b'\n');
}

/// What the JSON line of every loan of one program has in common, quoted once: the key's
/// name, the decisions' names and outcomes, the actions and the guards. Quoting them again
/// for every loan was most of the cost of writing a line.
struct JsonLines<'p> {
    program: &'p Program,
    /// `{"loan_id":`
    opening: Vec<u8>,
    /// Per decision: `,"name":`, and each outcome quoted, by outcome index.
    decisions: Vec<(Vec<u8>, Vec<Vec<u8>>)>,
    /// Each action quoted, by action index.
    actions: Vec<Vec<u8>>,
    /// Each guard quoted, by guard index.
    guards: Vec<Vec<u8>>,
}

/// `text` as a JSON string, escaped by serde_json itself.
fn quoted(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 2);
    let _ = serde_json::to_writer(&mut out, text);
    out
}

impl<'p> JsonLines<'p> {
    fn new(program: &'p Program) -> JsonLines<'p> {
        let mut opening = b"{".to_vec();
        opening.extend(quoted(program.schema().key_name()));
        opening.push(b':');
        let decisions = program
            .decisions()
            .map(|decision| {
                let mut name = b",".to_vec();
                name.extend(quoted(program.decision_name(decision)));
                name.push(b':');
                let outcomes = program
                    .outcome_names(decision)
                    .into_iter()
                    .map(quoted)
                    .collect();
                (name, outcomes)
            })
            .collect();
        JsonLines {
            program,
            opening,
            decisions,
            actions: program
                .actions()
                .map(|action| quoted(program.action_name(action)))
                .collect(),
            guards: program
                .guards()
                .map(|guard| quoted(program.guard_name(guard)))
                .collect(),
        }
    }

    /// Appends the line (with its newline) for one loan to `out`.
    fn line(
        &self,
        out: &mut Vec<u8>,
        key: &str,
        evaluation: &Evaluation,
        trace: Option<(&Trace, NaiveDate)>,
    ) {
        let program = self.program;
        if as_map(program, trace) {
            return map_line(out, program, key, evaluation, trace);
        }
        // The common case, written directly from the quoted parts: the same bytes as
        // `decision_record` serialized, which `tests/cli/records.rs` holds it to over the
        // shipped policies, the sample and generated loans.
        let part = |out: &mut Vec<u8>, parts: &[Vec<u8>], index: usize| {
            out.extend_from_slice(parts.get(index).map_or(&b"\"\""[..], Vec::as_slice));
        };
        out.extend_from_slice(&self.opening);
        let _ = serde_json::to_writer(&mut *out, key);
        for ((name, outcomes), outcome) in self.decisions.iter().zip(&evaluation.outcomes) {
            out.extend_from_slice(name);
            match outcome {
                DecisionOutcome::First { value: Some(v), .. } => part(out, outcomes, v.index()),
                DecisionOutcome::First { value: None, .. } => out.extend_from_slice(b"null"),
                DecisionOutcome::Collect { hits } => {
                    out.push(b'[');
                    for (position, (_, v)) in hits.iter().enumerate() {
                        if position > 0 {
                            out.push(b',');
                        }
                        part(out, outcomes, v.index());
                    }
                    out.push(b']');
                }
            }
        }
        out.extend_from_slice(b",\"actions\":[");
        for (position, action) in evaluation.actions.iter().enumerate() {
            if position > 0 {
                out.push(b',');
            }
            part(out, &self.actions, action.index());
        }
        out.extend_from_slice(b"],\"vetoed\":[");
        for (position, (action, guard)) in evaluation.vetoed.iter().enumerate() {
            if position > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"action\":");
            part(out, &self.actions, action.index());
            out.extend_from_slice(b",\"guard\":");
            part(out, &self.guards, guard.index());
            out.push(b'}');
        }
        out.push(b']');
        if let Some(deadlines) = deadlines_json(program, evaluation) {
            out.extend_from_slice(b",\"deadlines\":");
            let _ = serde_json::to_writer(&mut *out, &deadlines);
        }
        out.extend_from_slice(b"}\n");
    }
}

/// Rows gathered into a record batch before it is handed to the Parquet writer.
const PARQUET_BATCH_ROWS: usize = 8192;

/// Rows in one Parquet row group: small enough that the writer's buffer stays a few megabytes
/// whatever the book's size, large enough for good compression.
const PARQUET_ROW_GROUP_ROWS: usize = 131_072;

/// Renders loans' records in one format for one program on the workers, so that the
/// [`RecordWriter`] only copies them, in order. Made once per run: it quotes the program's
/// names once, not for every loan.
pub struct Renderer<'p> {
    format: OutputFormat,
    lines: JsonLines<'p>,
}

impl<'p> Renderer<'p> {
    /// A renderer of `format` records of `program`'s loans.
    pub fn new(format: OutputFormat, program: &'p Program) -> Renderer<'p> {
        Renderer {
            format,
            lines: JsonLines::new(program),
        }
    }

    /// One loan's record.
    pub fn render(
        &self,
        key: &str,
        evaluation: &Evaluation,
        trace: Option<(&Trace, NaiveDate)>,
    ) -> Rendered {
        let program = self.lines.program;
        Rendered(match self.format {
            OutputFormat::Jsonl => {
                let mut line = Vec::with_capacity(192);
                self.lines.line(&mut line, key, evaluation, trace);
                RenderedKind::Line(line)
            }
            OutputFormat::Csv => RenderedKind::Cells(
                decision_record(program, key, evaluation, trace)
                    .into_iter()
                    .map(|(_, value)| match value {
                        Json::String(s) => super::spreadsheet_safe(&s).into_owned(),
                        Json::Null => String::new(),
                        other => super::spreadsheet_safe(&other.to_string()).into_owned(),
                    })
                    .collect(),
            ),
            OutputFormat::Parquet => RenderedKind::Row(Box::new(Row {
                key: key.to_owned(),
                evaluation: evaluation.clone(),
                trace: trace
                    .map(|(trace, as_of)| super::columnar::trace_text(program, trace, as_of)),
            })),
        })
    }

    /// One loan's record, appended to `out` when the format is written as text in input
    /// order (JSON Lines), for [`RecordWriter::write_text`]; otherwise returned, as
    /// [`Renderer::render`] does. A worker deciding many loans into one buffer (a batch's
    /// [`crate::Record::output`]) allocates nothing per loan.
    pub fn render_into(
        &self,
        out: &mut Vec<u8>,
        key: &str,
        evaluation: &Evaluation,
        trace: Option<(&Trace, NaiveDate)>,
    ) -> Option<Rendered> {
        match self.format {
            OutputFormat::Jsonl => {
                self.lines.line(out, key, evaluation, trace);
                None
            }
            OutputFormat::Csv | OutputFormat::Parquet => Some(self.render(key, evaluation, trace)),
        }
    }
}

/// One loan's record as a worker renders it, ready for [`RecordWriter::write`]: text for JSON
/// Lines and CSV, the evaluation itself (and its trace as text) for Parquet.
#[derive(Debug)]
pub struct Rendered(RenderedKind);

#[derive(Debug)]
enum RenderedKind {
    /// A JSON line, with its newline: one allocation per loan, freed by the writing thread.
    Line(Vec<u8>),
    /// A CSV row's cells.
    Cells(Vec<String>),
    /// A Parquet row, boxed: a loan's evaluation is six times the size of a line's handle,
    /// and every record of every format is moved from the worker to the sink.
    Row(Box<Row>),
}

/// What a Parquet row is written from.
#[derive(Debug)]
struct Row {
    key: String,
    evaluation: Evaluation,
    trace: Option<String>,
}

/// The Parquet side of a [`RecordWriter`]: columns being gathered, and the file's writer.
struct ParquetOut<'p, W: Write + Send> {
    columns: super::columnar::DecisionColumns<'p>,
    writer: parquet::arrow::ArrowWriter<W>,
}

impl<W: Write + Send> ParquetOut<'_, W> {
    /// Hands the rows gathered so far to the writer.
    fn flush_rows(&mut self) -> io::Result<()> {
        if self.columns.is_empty() {
            return Ok(());
        }
        let batch = self.columns.finish().map_err(io::Error::other)?;
        self.writer.write(&batch).map_err(io::Error::other)
    }
}

/// Writes decision records in one format. Records arrive already evaluated, in input order.
pub struct RecordWriter<'p, W: Write + Send> {
    format: OutputFormat,
    csv: Option<csv::Writer<W>>,
    plain: Option<W>,
    parquet: Option<ParquetOut<'p, W>>,
}

impl<'p, W: Write + Send> RecordWriter<'p, W> {
    /// A writer of `format` records to `out`; a CSV header is written first. `metadata`
    /// goes into a Parquet file's key-value metadata (what a run's manifest would say: the
    /// version, the evaluation date, the policy's digest), and is ignored by text formats.
    pub fn new(
        out: W,
        format: OutputFormat,
        program: &'p Program,
        with_trace: bool,
        metadata: &[(&str, String)],
    ) -> io::Result<RecordWriter<'p, W>> {
        let mut writer = RecordWriter {
            format,
            csv: None,
            plain: None,
            parquet: None,
        };
        match format {
            OutputFormat::Jsonl => writer.plain = Some(out),
            OutputFormat::Csv => {
                let mut csv = csv::Writer::from_writer(out);
                let key_name = program.schema().key_name();
                let mut header: Vec<&str> = vec![key_name];
                header.extend(program.decision_names());
                header.extend(["actions", "vetoed"]);
                if program.deadlines().next().is_some() {
                    header.push("deadlines");
                }
                if program.has_capacities() {
                    header.push("queued");
                }
                if with_trace {
                    header.push("trace");
                }
                csv.write_record(&header).map_err(io::Error::other)?;
                writer.csv = Some(csv);
            }
            OutputFormat::Parquet => {
                let columns = super::columnar::DecisionColumns::new(program, with_trace);
                let pairs = metadata
                    .iter()
                    .map(|(key, value)| {
                        parquet::file::metadata::KeyValue::new((*key).to_owned(), value.clone())
                    })
                    .collect();
                let properties = parquet::file::properties::WriterProperties::builder()
                    .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
                    .set_max_row_group_size(PARQUET_ROW_GROUP_ROWS)
                    .set_key_value_metadata(Some(pairs))
                    .build();
                let parquet_writer =
                    parquet::arrow::ArrowWriter::try_new(out, columns.schema(), Some(properties))
                        .map_err(io::Error::other)?;
                writer.parquet = Some(ParquetOut {
                    columns,
                    writer: parquet_writer,
                });
            }
        }
        Ok(writer)
    }

    /// Writes one rendered record.
    pub fn write(&mut self, rendered: &Rendered) -> io::Result<()> {
        match (&rendered.0, self.format) {
            (RenderedKind::Line(line), OutputFormat::Jsonl) => match self.plain.as_mut() {
                Some(out) => out.write_all(line),
                None => Ok(()),
            },
            (RenderedKind::Cells(cells), OutputFormat::Csv) => match self.csv.as_mut() {
                Some(writer) => writer.write_record(cells).map_err(io::Error::other),
                None => Ok(()),
            },
            (RenderedKind::Row(row), OutputFormat::Parquet) => match self.parquet.as_mut() {
                Some(out) => {
                    out.columns
                        .push(&row.key, &row.evaluation, row.trace.as_deref());
                    if out.columns.len() >= PARQUET_BATCH_ROWS {
                        out.flush_rows()?;
                    }
                    Ok(())
                }
                None => Ok(()),
            },
            _ => Err(io::Error::other(
                "a record rendered for one format was handed to a writer of another",
            )),
        }
    }

    /// Writes records already rendered as text by [`Renderer::render_into`]: JSON lines,
    /// copied as they are. Nothing is written for an empty `text`, whatever the format.
    pub fn write_text(&mut self, text: &[u8]) -> io::Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        match (self.format, self.plain.as_mut()) {
            (OutputFormat::Jsonl, Some(out)) => out.write_all(text),
            _ => Err(io::Error::other(
                "records rendered as JSON lines were handed to a writer of another format",
            )),
        }
    }

    /// Flushes everything written. A Parquet file is only complete at
    /// [`RecordWriter::into_inner`], which writes its footer.
    pub fn flush(&mut self) -> io::Result<()> {
        if let Some(out) = self.plain.as_mut() {
            out.flush()?;
        }
        if let Some(writer) = self.csv.as_mut() {
            writer.flush()?;
        }
        if let Some(out) = self.parquet.as_mut() {
            out.flush_rows()?;
        }
        Ok(())
    }

    /// Finishes the output (a Parquet file's last row group and footer), flushes, and hands
    /// back the destination, for a caller that must finish it (an output file that only takes
    /// its name once complete).
    pub fn into_inner(self) -> io::Result<W> {
        if let Some(mut out) = self.parquet {
            out.flush_rows()?;
            let mut inner = out.writer.into_inner().map_err(io::Error::other)?;
            inner.flush()?;
            return Ok(inner);
        }
        match (self.plain, self.csv) {
            (Some(mut out), _) => {
                out.flush()?;
                Ok(out)
            }
            (None, Some(writer)) => writer.into_inner().map_err(|e| e.into_error()),
            (None, None) => Err(io::Error::other("the record writer has no destination")),
        }
    }
}

/// A rejected row as one JSON line: `file`, `record`, `line`, `loan_id`, `field`, `value`,
/// `code`, `reason`.
pub fn rejected_json(rejected: &Rejected) -> String {
    let mut line = json!({
        "file": rejected.file,
        "record": rejected.record,
        "line": rejected.line,
        "loan_id": rejected.loan_id,
        "field": rejected.field,
        "value": rejected.value,
        "code": rejected.code.id,
        "reason": rejected.reason,
    })
    .to_string();
    line.push('\n');
    line
}
