//! Decision records and rejected rows as Arrow columns: what `arrears run --format parquet`
//! writes and what the Python package returns. The columns are the decision record's keys
//! (see [`super::record`]) with Arrow types instead of JSON ones:
//!
//! * the key (the schema's key name): `utf8`;
//! * one column per decision, named after it: a `first match` or `unique match` decision's
//!   outcome as `utf8` (null when it decided nothing), an `every match` decision's outcomes as
//!   `list<utf8>`;
//! * `actions`: `list<utf8>`; `vetoed`: `list<struct<action: utf8, guard: utf8>>`;
//! * `deadlines`, only for policies that declare one: `struct<name: date32, ...>`;
//! * `queued`, only for policies that declare a capacity: the JSON text of the record's
//!   `queued` list (a list of structs of optional parts would say less and read worse);
//! * `trace`, when asked for: the trace's JSON text, as in a JSON Lines record.
//!
//! The cell values are taken from the same evaluation [`super::decision_record`] writes, with
//! the same names from the program's naming API, so the two cannot say different things;
//! `tests/cli/columnar.rs` holds the Parquet output to the JSON Lines one, loan for loan.

use std::sync::Arc;

use arrow_array::builder::{
    ArrayBuilder, Date32Builder, Int64Builder, ListBuilder, StringBuilder, StructBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use chrono::NaiveDate;

use crate::eval::{DecisionOutcome, Evaluation, Trace};
use crate::input::Rejected;
use crate::program::{DecisionId, Program};

use crate::value::date32_of as date32;

fn string_list() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
}

fn veto_fields() -> Fields {
    Fields::from(vec![
        Field::new("action", DataType::Utf8, false),
        Field::new("guard", DataType::Utf8, false),
    ])
}

/// The builder of one decision's column.
enum OutcomeColumn {
    First(StringBuilder),
    Every(ListBuilder<StringBuilder>),
}

/// Decision records gathered into Arrow record batches, in the order they are pushed.
pub struct DecisionColumns<'p> {
    program: &'p Program,
    schema: SchemaRef,
    key: StringBuilder,
    outcomes: Vec<OutcomeColumn>,
    actions: ListBuilder<StringBuilder>,
    vetoed: ListBuilder<StructBuilder>,
    deadlines: Option<StructBuilder>,
    queued: Option<StringBuilder>,
    trace: Option<StringBuilder>,
}

impl<'p> DecisionColumns<'p> {
    /// Columns for `program`'s decisions; with a `trace` column when `with_trace`.
    pub fn new(program: &'p Program, with_trace: bool) -> DecisionColumns<'p> {
        let mut fields = vec![Field::new(
            program.schema().key_name(),
            DataType::Utf8,
            false,
        )];
        let mut outcomes = Vec::new();
        for decision in program.decisions() {
            let name = program.decision_name(decision);
            if program
                .hit_policy(decision)
                .is_some_and(|h| !h.one_rule_decides())
            {
                fields.push(Field::new(name, string_list(), false));
                outcomes.push(OutcomeColumn::Every(ListBuilder::new(StringBuilder::new())));
            } else {
                fields.push(Field::new(name, DataType::Utf8, true));
                outcomes.push(OutcomeColumn::First(StringBuilder::new()));
            }
        }
        fields.push(Field::new("actions", string_list(), false));
        let veto = Field::new("item", DataType::Struct(veto_fields()), true);
        fields.push(Field::new(
            "vetoed",
            DataType::List(Arc::new(veto.clone())),
            false,
        ));
        let vetoed = ListBuilder::new(StructBuilder::from_fields(veto_fields(), 0))
            .with_field(Arc::new(veto));
        let deadline_fields: Fields = program
            .deadlines()
            .map(|(name, _)| Field::new(name, DataType::Date32, true))
            .collect();
        let deadlines = if deadline_fields.is_empty() {
            None
        } else {
            fields.push(Field::new(
                "deadlines",
                DataType::Struct(deadline_fields.clone()),
                false,
            ));
            Some(StructBuilder::from_fields(deadline_fields, 0))
        };
        if program.has_capacities() {
            fields.push(Field::new("queued", DataType::Utf8, false));
        }
        if with_trace {
            fields.push(Field::new("trace", DataType::Utf8, false));
        }
        DecisionColumns {
            program,
            schema: Arc::new(Schema::new(fields)),
            key: StringBuilder::new(),
            outcomes,
            actions: ListBuilder::new(StringBuilder::new()),
            vetoed,
            deadlines,
            queued: program.has_capacities().then(StringBuilder::new),
            trace: with_trace.then(StringBuilder::new),
        }
    }

    /// The Arrow schema of the batches.
    pub fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    /// Rows pushed since the last [`DecisionColumns::finish`].
    pub fn len(&self) -> usize {
        self.key.len()
    }

    /// True when no row was pushed since the last [`DecisionColumns::finish`].
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds one loan's record. `trace` is its trace as [`trace_text`] writes it, for the
    /// `trace` column (ignored when the columns were made without one).
    pub fn push(&mut self, key: &str, evaluation: &Evaluation, trace: Option<&str>) {
        let program = self.program;
        self.key.append_value(key);
        for ((decision, outcome), column) in program
            .decisions()
            .zip(&evaluation.outcomes)
            .zip(&mut self.outcomes)
        {
            push_outcome(program, decision, outcome, column);
        }
        for action in &evaluation.actions {
            self.actions
                .values()
                .append_value(program.action_name(*action));
        }
        self.actions.append(true);
        for (action, guard) in &evaluation.vetoed {
            let item = self.vetoed.values();
            if let Some(b) = item.field_builder::<StringBuilder>(0) {
                b.append_value(program.action_name(*action));
            }
            if let Some(b) = item.field_builder::<StringBuilder>(1) {
                b.append_value(program.guard_name(*guard));
            }
            item.append(true);
        }
        self.vetoed.append(true);
        if let Some(deadlines) = self.deadlines.as_mut() {
            for (index, date) in evaluation.deadlines.iter().enumerate() {
                if let Some(b) = deadlines.field_builder::<Date32Builder>(index) {
                    b.append_option(date.map(date32));
                }
            }
            deadlines.append(true);
        }
        if let Some(column) = self.queued.as_mut() {
            let queued = super::record::queued_json(self.program, evaluation);
            column.append_value(queued.unwrap_or_default().to_string());
        }
        if let Some(column) = self.trace.as_mut() {
            column.append_value(trace.unwrap_or_default());
        }
    }

    /// The rows pushed so far as one batch; the builder starts again empty.
    pub fn finish(&mut self) -> Result<RecordBatch, arrow_schema::ArrowError> {
        let mut columns: Vec<ArrayRef> = vec![Arc::new(self.key.finish())];
        for column in &mut self.outcomes {
            columns.push(match column {
                OutcomeColumn::First(b) => Arc::new(b.finish()),
                OutcomeColumn::Every(b) => Arc::new(b.finish()),
            });
        }
        columns.push(Arc::new(self.actions.finish()));
        columns.push(Arc::new(self.vetoed.finish()));
        if let Some(b) = self.deadlines.as_mut() {
            columns.push(Arc::new(b.finish()));
        }
        if let Some(b) = self.queued.as_mut() {
            columns.push(Arc::new(b.finish()));
        }
        if let Some(b) = self.trace.as_mut() {
            columns.push(Arc::new(b.finish()));
        }
        RecordBatch::try_new(self.schema(), columns)
    }
}

/// A loan's trace as JSON text, as the `trace` key of its JSON Lines record holds it: rendered
/// by the worker that decided the loan, so [`DecisionColumns::push`] only copies it.
pub fn trace_text(program: &Program, trace: &Trace, as_of: NaiveDate) -> String {
    super::record::trace_json(program, trace, as_of).to_string()
}

fn push_outcome(
    program: &Program,
    decision: DecisionId,
    outcome: &DecisionOutcome,
    column: &mut OutcomeColumn,
) {
    match (outcome, column) {
        (DecisionOutcome::First { value, .. }, OutcomeColumn::First(b)) => {
            b.append_option(value.map(|v| program.outcome_name(decision, v)));
        }
        (DecisionOutcome::Collect { hits }, OutcomeColumn::Every(b)) => {
            for (_, v) in hits {
                b.values().append_value(program.outcome_name(decision, *v));
            }
            b.append(true);
        }
        // An evaluation always has the shape of its program's decisions; were it not so, the
        // cell is empty rather than the row misaligned.
        (_, OutcomeColumn::First(b)) => b.append_null(),
        (_, OutcomeColumn::Every(b)) => b.append(true),
    }
}

/// Rejected rows as Arrow columns, with the keys of a rejects file's JSON objects: `file`,
/// `record`, `line`, `loan_id`, `field`, `value`, `code`, `reason`.
pub fn rejected_columns(rows: &[Rejected]) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    let schema = Arc::new(Schema::new(vec![
        text("file", false),
        // Signed: Spark and Java have no unsigned 64-bit integers.
        Field::new("record", DataType::Int64, false),
        Field::new("line", DataType::Int64, true),
        text("loan_id", true),
        text("field", true),
        text("value", true),
        text("code", false),
        text("reason", false),
    ]));
    let mut file = StringBuilder::new();
    let mut record = Int64Builder::new();
    let mut line = Int64Builder::new();
    let (mut loan_id, mut field, mut value) = (
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
    );
    let (mut code, mut reason) = (StringBuilder::new(), StringBuilder::new());
    for row in rows {
        file.append_value(&row.file);
        record.append_value(i64::try_from(row.record).unwrap_or(i64::MAX));
        line.append_option(row.line.map(|l| i64::try_from(l).unwrap_or(i64::MAX)));
        loan_id.append_option(row.loan_id.as_deref());
        field.append_option(row.field.as_deref());
        value.append_option(row.value.as_deref());
        code.append_value(row.code.id);
        reason.append_value(&row.reason);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(file.finish()),
        Arc::new(record.finish()),
        Arc::new(line.finish()),
        Arc::new(loan_id.finish()),
        Arc::new(field.finish()),
        Arc::new(value.finish()),
        Arc::new(code.finish()),
        Arc::new(reason.finish()),
    ];
    RecordBatch::try_new(schema, columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date32_counts_days_from_1970() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(date32(day(1970, 1, 1)), 0);
        assert_eq!(date32(day(1970, 1, 2)), 1);
        assert_eq!(date32(day(1969, 12, 31)), -1);
        assert_eq!(date32(day(2026, 11, 20)), 20_777);
    }
}
