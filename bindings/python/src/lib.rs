//! `arrears._arrears`: the Python extension module. A thin shell over the `arrears` library,
//! as the command line is: policies load through its `Files`, books are decided by its batch
//! engine (`run_batch`, the workers and input order of `arrears run`), records are its
//! `DecisionColumns` and explanations its `explain_text`. Python objects are touched only to
//! take the arguments and hand back the results; deciding runs with the GIL released.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_pyarrow::{FromPyArrow as _, IntoPyArrow as _, Table};

use chrono::NaiveDate;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;

use arrears::{
    BatchOptions, BatchRow, BorrowerContext, BorrowerOrder, ByBorrower, DecisionColumns,
    Diagnostic as EngineDiagnostic, ErrorFormat, Evaluation, FileRole, Flow, Lang, LoadError,
    Loaded, MemoryFiles, Record, RecordStream, Rejected,
};

pyo3::create_exception!(
    arrears,
    PolicyError,
    PyException,
    "A policy that cannot be used: it has errors, or a file it needs cannot be read. \
     `str(error)` is every problem as `arrears check` prints it; `error.diagnostics` the same \
     as `Diagnostic` objects."
);

/// Rows gathered into one record batch of the decisions table.
const BATCH_ROWS: usize = 8192;

/// One problem or finding in a policy, placed in its file.
#[pyclass(frozen, module = "arrears", get_all)]
#[derive(Clone)]
struct Diagnostic {
    /// The stable code (`E201`); `arrears explain-code E201` says what it means.
    code: String,
    /// The code's name (`unknown-name`).
    name: String,
    /// `"error"` or `"warning"`.
    severity: String,
    /// What is wrong, in plain words.
    message: String,
    /// The file it is in, when it is placed.
    file: Option<String>,
    /// 1-based line and column (columns count characters), and where the place ends.
    line: Option<u64>,
    column: Option<u64>,
    end_line: Option<u64>,
    end_column: Option<u64>,
    /// How to fix it ("did you mean `overdue_days`?").
    suggestions: Vec<String>,
    /// The whole diagnostic as `arrears check` prints it, underlined source included.
    rendered: String,
}

#[pymethods]
impl Diagnostic {
    fn __repr__(&self) -> String {
        let place = match (&self.file, self.line, self.column) {
            (Some(file), Some(line), Some(column)) => format!(" at {file}:{line}:{column}"),
            _ => String::new(),
        };
        format!(
            "<Diagnostic {} {}{place}: {}>",
            self.severity, self.code, self.message
        )
    }

    fn __str__(&self) -> String {
        self.rendered.clone()
    }
}

/// The words of one diagnostic, in `lang`: its fields from the JSON form every front end
/// reads, its text from the plain form `arrears check` prints.
fn diagnostic(engine: &EngineDiagnostic, lang: Lang) -> Diagnostic {
    let render = |format| {
        let mut out = Vec::new();
        let _ = arrears::render_all(std::iter::once(engine), format, false, lang, &mut out);
        String::from_utf8_lossy(&out).into_owned()
    };
    let json: serde_json::Value =
        serde_json::from_str(&render(ErrorFormat::Json)).unwrap_or_default();
    let text = |key: &str| json.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let number = |key: &str| json.get(key).and_then(serde_json::Value::as_u64);
    Diagnostic {
        code: engine.code().id.to_owned(),
        name: engine.code().name.to_owned(),
        severity: text("severity").unwrap_or_default(),
        message: engine.message_in(lang),
        file: text("file"),
        line: number("line"),
        column: number("column"),
        end_line: number("end_line"),
        end_column: number("end_column"),
        suggestions: engine.help_in(lang).into_iter().collect(),
        rendered: render(ErrorFormat::Plain),
    }
}

/// A `PolicyError` carrying every diagnostic, its message their text, in the policy's own
/// language (Chinese for a policy written with Chinese names), as `arrears check` answers when
/// the environment names none.
fn policy_error(py: Python<'_>, error: LoadError) -> PyErr {
    match error {
        LoadError::Invalid(diagnostics) => {
            let lang = diagnostics
                .iter()
                .find_map(EngineDiagnostic::source)
                .map_or(Lang::En, |source| Lang::of_source(source.text()));
            let list: Vec<Diagnostic> = diagnostics.iter().map(|d| diagnostic(d, lang)).collect();
            let text: String = list.iter().map(|d| d.rendered.as_str()).collect();
            let error = PolicyError::new_err(text.trim_end().to_owned());
            let value = error.value(py);
            if let Ok(objects) = PyList::new(py, list) {
                let _ = value.setattr("diagnostics", objects);
            }
            error
        }
        other => {
            let error = PolicyError::new_err(other.to_string());
            let _ = error.value(py).setattr("diagnostics", PyList::empty(py));
            error
        }
    }
}

/// A language tag (`"en"`, `"zh"`), or the policy's own language when none is given.
fn language(tag: Option<&str>, loaded: &Loaded) -> PyResult<Lang> {
    match tag {
        Some(tag) => Lang::from_tag(tag).ok_or_else(|| {
            PyValueError::new_err(format!("unknown language `{tag}`: use \"en\" or \"zh\""))
        }),
        None if loaded.program.written_in_chinese() => Ok(Lang::Zh),
        None => Ok(Lang::En),
    }
}

/// The evaluation date: a `datetime.date` or an ISO `YYYY-MM-DD` string. Never a default:
/// the same inputs must give the same decisions on any day.
fn as_of_date(value: &Bound<'_, PyAny>) -> PyResult<NaiveDate> {
    if value.is_instance_of::<pyo3::types::PyDateTime>() {
        return Err(PyTypeError::new_err(
            "as_of is a date, not a date and time: pass datetime.date or \"YYYY-MM-DD\"",
        ));
    }
    let text = value.str()?.to_string();
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
        PyValueError::new_err(format!(
            "as_of `{text}` is not a date: pass datetime.date or \"YYYY-MM-DD\""
        ))
    })
}

/// Arrow data in any of the forms Python hands over, as record batches: the package's Python
/// side turns it into pyarrow batches (an object exporting the Arrow PyCapsule stream or
/// array interface — pyarrow, polars, pandas 2.2+, DuckDB — without copying; an older pandas
/// frame through pyarrow), and each is imported here without copying either, except that
/// buffers not aligned for their type are copied into aligned ones: Arrow data that came
/// through Java (a Spark executor's batches) may hold decimals at 8-byte boundaries, which
/// the Rust side cannot read in place.
fn arrow_batches(data: &Bound<'_, PyAny>) -> PyResult<(arrow_schema::SchemaRef, Vec<RecordBatch>)> {
    let py = data.py();
    let (schema, batches): (Bound<'_, PyAny>, Vec<Bound<'_, PyAny>>) = py
        .import("arrears._convert")?
        .getattr("to_batches")?
        .call1((data,))?
        .extract()?;
    let schema = Arc::new(arrow_schema::Schema::from_pyarrow_bound(&schema)?);
    let mut out = Vec::with_capacity(batches.len());
    for batch in batches {
        let mut data = arrow_data::ArrayData::from_pyarrow_bound(&batch)?;
        data.align_buffers();
        data.validate_full()
            .map_err(|e| PyValueError::new_err(format!("malformed Arrow data: {e}")))?;
        if !matches!(data.data_type(), arrow_schema::DataType::Struct(_)) || data.null_count() > 0 {
            // A record batch travels as a struct array without nulls; anything else would
            // panic in the conversion below.
            return Err(PyValueError::new_err(format!(
                "expected a record batch, found Arrow data of type {}",
                data.data_type()
            )));
        }
        let columns = arrow_array::StructArray::from(data);
        let batch = RecordBatch::try_new(Arc::clone(&schema), columns.into_parts().1)
            .map_err(|e| PyValueError::new_err(format!("malformed Arrow data: {e}")))?;
        out.push(batch);
    }
    Ok((schema, out))
}

/// What deciding a book gives: the decisions and the rejected rows, as Arrow.
struct Decided {
    decisions: Table,
    rejected: Table,
}

/// Decides every row of `batches` with the batch engine, in input order.
fn decide_batches(
    loaded: &Loaded,
    schema: &arrow_schema::Schema,
    batches: Vec<RecordBatch>,
    as_of: NaiveDate,
    trace: bool,
    threads: Option<usize>,
) -> Result<Decided, String> {
    let program = &loaded.program;
    let mut columns = DecisionColumns::new(program, trace);
    let decisions_schema = columns.schema();
    let mut done: Vec<RecordBatch> = Vec::new();
    let mut rejected: Vec<Rejected> = Vec::new();
    let open = || RecordStream::from_batches(schema, batches.clone(), program.schema());
    // A policy with capacities: the batches are the book, and its claims are ranked first.
    let ranked = if program.has_capacities() {
        let how = arrears::Allocating {
            program,
            as_of,
            order: BorrowerOrder::Unsorted,
            find: None,
        };
        let (ranked, _) =
            arrears::allocate(&open, "(arrow)", &how, &BatchOptions { threads }, &|_| {})
                .map_err(|e| e.to_string())?;
        Some(ranked)
    } else {
        None
    };
    // A loan (the book's record `number`), decided alone or among its borrower's loans; alone
    // and untraced, with the program compiled once for the book's date (`decider`).
    let decider = program.decider(as_of);
    let evaluate = |number: u64, loan: &arrears::Loan, borrower: Option<&mut BorrowerContext>| {
        let (mut evaluation, text) = match (trace, borrower) {
            (true, borrower) => {
                let (evaluation, traced) = match borrower {
                    Some(borrower) => program.evaluate_traced_in(loan, borrower, as_of),
                    None => program.evaluate_traced(loan, as_of),
                };
                let text = arrears::trace_text(program, &traced, as_of);
                (evaluation, Some(text))
            }
            (false, Some(borrower)) => (program.evaluate_in(loan, borrower, as_of), None),
            (false, None) => (decider.evaluate(loan), None),
        };
        if let Some(ranked) = &ranked {
            ranked.apply(program, number, &mut evaluation);
        }
        (evaluation, text)
    };
    let sink = |row: BatchRow<(Evaluation, Option<String>)>| -> Result<Flow, String> {
        match row {
            BatchRow::Decided {
                key,
                value: (evaluation, trace),
                ..
            } => {
                columns.push(&key, &evaluation, trace.as_deref());
                if columns.len() >= BATCH_ROWS {
                    done.push(columns.finish().map_err(|e| e.to_string())?);
                }
            }
            BatchRow::Rejected(row) => rejected.push(row),
        }
        Ok(Flow::Continue)
    };
    if program.reads_borrowers() {
        // The batches are the book: a borrower's loans anywhere in them are decided together.
        let by = ByBorrower {
            program,
            as_of,
            traced: trace,
            order: BorrowerOrder::Unsorted,
        };
        arrears::run_batch_by_borrower(
            &open,
            "(arrow)",
            &by,
            &BatchOptions { threads },
            |number, _key, loan, borrower| evaluate(number, loan, Some(borrower)),
            sink,
            &|_| {},
        )
        .map_err(|e| e.to_string())?;
    } else {
        let decide = |record: &mut Record<'_>| {
            let number = record.number();
            let (key, loan) = record.loan(program.schema())?;
            Ok((key, evaluate(number, &loan, None)))
        };
        arrears::run_batch(
            open().map_err(|e| e.to_string())?,
            "(arrow)",
            program.schema(),
            &BatchOptions { threads },
            decide,
            sink,
            &|_| {},
        )
        .map_err(|e| e.to_string())?;
    }
    if !columns.is_empty() {
        done.push(columns.finish().map_err(|e| e.to_string())?);
    }
    let rejected = arrears::rejected_columns(&rejected).map_err(|e| e.to_string())?;
    let rejected_schema = rejected.schema();
    Ok(Decided {
        decisions: Table::try_new(done, decisions_schema).map_err(|e| e.to_string())?,
        rejected: Table::try_new(vec![rejected], rejected_schema).map_err(|e| e.to_string())?,
    })
}

/// One loan's decisions explained: the text a person reads and the record with its trace.
#[pyclass(frozen, module = "arrears")]
struct Explanation {
    /// The explanation as `arrears explain` prints it.
    #[pyo3(get)]
    text: String,
    /// The decision record, with its `trace`, as JSON text (parsed on request).
    record: String,
}

#[pymethods]
impl Explanation {
    /// The decision record as a dict: the loan's key, each decision's outcome, `actions`,
    /// `vetoed`, `deadlines` when the policy has any, and `trace`: every derived value, rule
    /// and guard with what it read and the tests that settled it.
    #[getter]
    fn record<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?
            .call_method1("loads", (self.record.as_str(),))
    }

    fn __str__(&self) -> String {
        self.text.clone()
    }

    fn __repr__(&self) -> String {
        format!("<Explanation {} characters>", self.text.chars().count())
    }
}

/// A checked collections policy, ready to decide loans.
#[pyclass(frozen, module = "arrears")]
struct Policy {
    loaded: Arc<Loaded>,
}

#[pymethods]
impl Policy {
    /// Reads the policy at `path`, with the schema it uses and the modules it includes.
    /// Raises `PolicyError` when it has errors.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Policy> {
        let loaded = py
            .detach(|| arrears::load_policy(&path))
            .map_err(|e| policy_error(py, e))?;
        Ok(Policy {
            loaded: Arc::new(loaded),
        })
    }

    /// A policy from its text. `files` maps the names it refers to (its schema, as in
    /// `use schema "loan-v1.schema"`, and its modules) to their texts; nothing is read from
    /// the disk, so a policy shipped to a Spark executor decides exactly as on the driver.
    /// `path` is the name the policy's text goes by in diagnostics; the other names resolve
    /// beside it.
    #[staticmethod]
    #[pyo3(signature = (text, files = None, path = "policy.policy"))]
    fn from_text(
        py: Python<'_>,
        text: String,
        files: Option<BTreeMap<String, String>>,
        path: &str,
    ) -> PyResult<Policy> {
        let path = PathBuf::from(path);
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut memory = MemoryFiles::new().with(&path, text);
        for (name, content) in files.unwrap_or_default() {
            memory = memory.with(base.join(name), content);
        }
        let loaded = py
            .detach(|| arrears::load_policy_from(&memory, &path))
            .map_err(|e| policy_error(py, e))?;
        Ok(Policy {
            loaded: Arc::new(loaded),
        })
    }

    /// The policy's name (its `policy` line), if it gives one.
    #[getter]
    fn name(&self) -> Option<String> {
        self.loaded.program.name().map(str::to_owned)
    }

    /// A SHA-256 over the texts of every file the policy read (itself, its schema, its
    /// modules): what the Parquet output and `arrears serve` call the policy's version.
    #[getter]
    fn version(&self) -> String {
        self.loaded.version()
    }

    /// The policy file's name as it was read.
    #[getter]
    fn path(&self) -> String {
        self.loaded.source.name().to_owned()
    }

    /// The policy's own text.
    #[getter]
    fn text(&self) -> String {
        self.loaded.source.text().to_owned()
    }

    /// The other files the policy read (its schema, its modules), by name relative to the
    /// policy's folder, with their texts: `Policy.from_text(p.text, files=p.files,
    /// path=p.path)` is the same policy, with the same version, on a machine without them.
    #[getter]
    fn files(&self) -> BTreeMap<String, String> {
        let path = PathBuf::from(self.loaded.source.name());
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        self.loaded
            .files
            .iter()
            .filter(|(role, _)| *role != FileRole::Policy)
            .map(|(_, file)| {
                let name = PathBuf::from(file.name());
                let relative = name
                    .strip_prefix(&base)
                    .map_or(name.clone(), Path::to_path_buf);
                (relative.display().to_string(), file.text().to_owned())
            })
            .collect()
    }

    /// The decisions, in the order the decisions table has their columns.
    #[getter]
    fn decisions(&self) -> Vec<String> {
        self.loaded
            .program
            .decision_names()
            .map(str::to_owned)
            .collect()
    }

    /// The name of the loan's key column.
    #[getter]
    fn key(&self) -> String {
        self.loaded.program.schema().key_name().to_owned()
    }

    /// True when the policy reads a borrower's loans together (`borrower.loans`, a decision
    /// `per borrower`): `decide` then decides the loans of one borrower in its data together,
    /// so all of a borrower's loans must be in the same call (in Spark, the same partition).
    #[getter]
    fn reads_borrowers(&self) -> bool {
        self.loaded.program.reads_borrowers()
    }

    /// True when the policy declares a `capacity`: `decide` then ranks the claims of all the
    /// loans it is given (they are the book: one day's plan), so a book must be decided in
    /// one call, as `arrears run` decides it.
    #[getter]
    fn has_capacities(&self) -> bool {
        self.loaded.program.has_capacities()
    }

    /// The column that says whose loan it is (`borrowers by borrower_id`), if the schema has one.
    #[getter]
    fn borrower_field(&self) -> Option<String> {
        let program = &self.loaded.program;
        let slot = program.borrower_field()?;
        program
            .schema()
            .fields
            .get(slot.index())
            .map(|field| field.name.clone())
    }

    /// The policy's warnings and the static analysis' findings (unreachable rules, gaps,
    /// overlaps, each with a witness loan in its help), as `arrears check` reports them.
    /// `lang`: `"en"` or `"zh"`; by default the policy's own language.
    #[pyo3(signature = (lang = None))]
    fn check(&self, py: Python<'_>, lang: Option<&str>) -> PyResult<Vec<Diagnostic>> {
        let lang = language(lang, &self.loaded)?;
        let loaded = Arc::clone(&self.loaded);
        let findings = py.detach(|| arrears::analyze(&loaded.program, &loaded.source));
        let mut all = self.loaded.warnings.clone();
        all.extend(findings.diagnostics.iter().cloned());
        all.sort();
        Ok(all.iter().map(|d| diagnostic(d, lang)).collect())
    }

    /// Decides every loan of `data` as of `as_of`: a pyarrow Table or RecordBatch, or any
    /// object exporting the Arrow PyCapsule interface (a polars DataFrame, a DuckDB result),
    /// or a pandas DataFrame. Columns are matched to the schema by name or other name, and
    /// checked as a Parquet book's are.
    ///
    /// Returns `(decisions, rejected)`, two `pyarrow.Table`s: the decisions in input order,
    /// with the columns `arrears run --format parquet` writes (and `trace`, JSON text, when
    /// asked); the rejected rows with the columns of a rejects file. Every row is in exactly
    /// one of them. The GIL is released while deciding; `threads` defaults to one per core.
    #[pyo3(signature = (data, as_of, trace = false, threads = None))]
    fn decide<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        as_of: &Bound<'py, PyAny>,
        trace: bool,
        threads: Option<usize>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let as_of = as_of_date(as_of)?;
        let (schema, batches) = arrow_batches(data)?;
        let loaded = Arc::clone(&self.loaded);
        let decided = py
            .detach(move || decide_batches(&loaded, &schema, batches, as_of, trace, threads))
            .map_err(PyValueError::new_err)?;
        Ok((
            decided.decisions.into_pyarrow(py)?,
            decided.rejected.into_pyarrow(py)?,
        ))
    }

    /// Explains the decisions for one loan, given as a dict (or a JSON object's text) with
    /// the schema's fields. Raises `ValueError` naming the field when the loan cannot be read.
    #[pyo3(signature = (loan, as_of, lang = None))]
    fn explain(
        &self,
        loan: &Bound<'_, PyAny>,
        as_of: &Bound<'_, PyAny>,
        lang: Option<&str>,
    ) -> PyResult<Explanation> {
        let py = loan.py();
        let as_of = as_of_date(as_of)?;
        let lang = language(lang, &self.loaded)?;
        let json: String = if let Ok(text) = loan.extract::<String>() {
            text
        } else {
            py.import("arrears._convert")?
                .getattr("loan_json")?
                .call1((loan,))?
                .extract()?
        };
        let program = &self.loaded.program;
        let (key, loan) = arrears::loan_from_json(&json, program.schema()).map_err(|row| {
            let field = row
                .field
                .map(|f| format!(" field `{f}`"))
                .unwrap_or_default();
            let value = row
                .value
                .map(|v| format!(" value `{v}`"))
                .unwrap_or_default();
            PyValueError::new_err(format!(
                "{}{field}{value}: {}",
                row.code.id,
                row.said.in_lang(lang)
            ))
        })?;
        let (evaluation, trace) = program.evaluate_traced(&loan, as_of);
        let text = arrears::explain_text(program, &key, &evaluation, &trace, as_of, lang);
        let record = arrears::decision_record(program, &key, &evaluation, Some((&trace, as_of)));
        Ok(Explanation {
            text,
            record: serde_json::Value::Object(record).to_string(),
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "<Policy {} version {}>",
            self.name().unwrap_or_else(|| "(unnamed)".to_owned()),
            self.version().get(..12).unwrap_or_default()
        )
    }
}

/// The extension module.
#[pymodule]
fn _arrears(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Policy>()?;
    m.add_class::<Diagnostic>()?;
    m.add_class::<Explanation>()?;
    m.add("PolicyError", m.py().get_type::<PolicyError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
