//! Parquet and Arrow IPC books: the same decisions as the JSON Lines book they were written
//! from, columns matched by either name, and hostile files ending in clear errors or rejected
//! rows, never a panic.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch};
use arrow_schema::{DataType, Field as ArrowField, Schema as ArrowSchema};
use serde_json::Value;

use crate::support::{SAMPLE_JSONL, arrears, root, temp};

#[path = "../../examples/to_parquet.rs"]
mod to_parquet;

/// The sample's loans, and the reference schema's fields.
fn sample() -> (Vec<Value>, Vec<arrears::Field>) {
    let text = std::fs::read_to_string(root().join(SAMPLE_JSONL)).unwrap();
    let rows = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let loaded = arrears::load_policy(&root().join("policies/retail.policy")).unwrap();
    (rows, loaded.program.schema().fields.clone())
}

fn write_parquet(batch: &RecordBatch) -> Vec<u8> {
    let mut out = Vec::new();
    let mut writer = parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
    out
}

fn run(book: &std::path::Path) -> crate::support::Outcome {
    arrears(&[
        "run",
        "policies/retail.policy",
        book.to_str().unwrap(),
        "--as-of",
        "2026-11-20",
    ])
}

#[test]
fn parquet_and_arrow_books_decide_exactly_as_their_json_lines() {
    let dir = temp();
    let (rows, fields) = sample();
    let expected = arrears(&[
        "run",
        "policies/retail.policy",
        SAMPLE_JSONL,
        "--as-of",
        "2026-11-20",
    ]);
    assert_eq!(expected.code, 0);
    // Row groups of 700 rows: the book is read group after group, in order.
    let parquet = dir.path().join("book.parquet");
    std::fs::write(&parquet, to_parquet::to_parquet(&rows, &fields, 700)).unwrap();
    let arrow = dir.path().join("book.arrow");
    std::fs::write(&arrow, to_parquet::to_arrow_ipc(&rows, &fields)).unwrap();
    for book in [&parquet, &arrow] {
        let got = run(book);
        assert_eq!(got.code, 0, "{}", got.stderr);
        assert!(
            got.stdout == expected.stdout,
            "{} decides differently",
            book.display()
        );
        assert!(
            got.stderr
                .contains("read 3000 loans = decided 3000 + rejected 0"),
            "{}",
            got.stderr
        );
    }
    // Traced too: every value a trace quotes was read from the columns (a run builds only the
    // fields its policy reads, from columns as from lines).
    let traced = |book: &str| {
        let got = arrears(&[
            "run",
            "policies/retail.policy",
            book,
            "--as-of",
            "2026-11-20",
            "--trace",
        ]);
        assert_eq!(got.code, 0, "{}", got.stderr);
        got.stdout
    };
    assert!(traced(parquet.to_str().unwrap()) == traced(SAMPLE_JSONL));
    // The manifest's digest of a Parquet book is the file's own.
    let out = dir.path().join("out.jsonl");
    let done = arrears(&[
        "run",
        "policies/retail.policy",
        parquet.to_str().unwrap(),
        "--as-of",
        "2026-11-20",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(done.code, 0, "{}", done.stderr);
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out.manifest.json")).unwrap(),
    )
    .unwrap();
    use sha2::Digest as _;
    let digest: String = sha2::Sha256::digest(std::fs::read(&parquet).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(manifest["portfolio"]["sha256"], digest.as_str());
    assert_eq!(manifest["portfolio"]["format"], "parquet");
    // Report, explain and diff read it too.
    let report = arrears(&[
        "report",
        "policies/retail.policy",
        parquet.to_str().unwrap(),
        "--as-of",
        "2026-11-20",
        "--format",
        "json",
    ]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    let explain = arrears(&[
        "explain",
        "policies/retail.policy",
        parquet.to_str().unwrap(),
        "--as-of",
        "2026-11-20",
        "--loan",
        "L00002",
    ]);
    assert!(
        explain.code == 0 && explain.stdout.contains("derived values"),
        "{}",
        explain.stderr
    );
}

#[test]
fn a_column_may_carry_the_fields_other_name() {
    let dir = temp();
    let (rows, fields) = sample();
    let rows: Vec<Value> = rows.into_iter().take(200).collect();
    let mut renamed = fields.clone();
    for field in &mut renamed {
        if field.name == "willingness" {
            field.name = "还款意愿".to_owned();
        }
    }
    let rows_renamed: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut r = r.clone();
            let object = r.as_object_mut().unwrap();
            let value = object.shift_remove("willingness").unwrap();
            object.insert("还款意愿".to_owned(), value);
            r
        })
        .collect();
    let plain = dir.path().join("plain.parquet");
    std::fs::write(&plain, to_parquet::to_parquet(&rows, &fields, 1000)).unwrap();
    let chinese = dir.path().join("chinese.parquet");
    std::fs::write(
        &chinese,
        to_parquet::to_parquet(&rows_renamed, &renamed, 1000),
    )
    .unwrap();
    let (a, b) = (run(&plain), run(&chinese));
    assert_eq!(b.code, 0, "{}", b.stderr);
    assert_eq!(a.stdout, b.stdout);
}

/// A field given twice, under each of its names, rejects every row as it does in JSON Lines,
/// and a book whose columns name distinct fields decides the rest as before.
#[test]
fn a_field_under_both_its_names_rejects_the_row_as_json_lines_does() {
    let dir = temp();
    let (rows, fields) = sample();
    let batch = to_parquet::batch(&rows[..5], &fields);
    let mut schema_fields: Vec<ArrowField> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    let mut columns = batch.columns().to_vec();
    let willingness = batch.column_by_name("willingness").unwrap();
    schema_fields.push(ArrowField::new(
        "还款意愿",
        willingness.data_type().clone(),
        true,
    ));
    columns.push(Arc::clone(willingness));
    let twice = RecordBatch::try_new(Arc::new(ArrowSchema::new(schema_fields)), columns).unwrap();
    let parquet = dir.path().join("twice.parquet");
    std::fs::write(&parquet, write_parquet(&twice)).unwrap();
    let json: String = rows[..5]
        .iter()
        .map(|r| {
            let mut r = r.clone();
            let object = r.as_object_mut().unwrap();
            let value = object["willingness"].clone();
            object.insert("还款意愿".to_owned(), value);
            format!("{r}\n")
        })
        .collect();
    let jsonl = dir.path().join("twice.jsonl");
    std::fs::write(&jsonl, json).unwrap();
    let (from_parquet, from_json) = (run(&parquet), run(&jsonl));
    for got in [&from_parquet, &from_json] {
        assert!(
            got.stderr.contains("read 5 loans = decided 0 + rejected 5")
                && got.stderr.contains("given twice"),
            "{}",
            got.stderr
        );
    }
    assert_eq!(from_parquet.stdout, from_json.stdout);
}

/// The sample's first `n` rows as a batch, with column `name` replaced by `array` (or dropped).
fn altered(n: usize, name: &str, array: Option<ArrayRef>) -> RecordBatch {
    let (rows, fields) = sample();
    let batch = to_parquet::batch(&rows[..n], &fields);
    let mut columns = Vec::new();
    let mut schema_fields = Vec::new();
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        if field.name() == name {
            if let Some(array) = &array {
                schema_fields.push(ArrowField::new(name, array.data_type().clone(), true));
                columns.push(Arc::clone(array));
            }
        } else {
            schema_fields.push(field.as_ref().clone());
            columns.push(Arc::clone(column));
        }
    }
    RecordBatch::try_new(Arc::new(ArrowSchema::new(schema_fields)), columns).unwrap()
}

#[test]
fn hostile_columnar_books_end_in_clear_errors_or_rejected_rows() {
    let dir = temp();
    let write = |name: &str, bytes: Vec<u8>| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    // Money as a binary float: the whole book is refused, once, with the reason.
    let floats: ArrayRef = Arc::new(Float64Array::from(vec![96011.58; 5]));
    let got = run(&write(
        "float.parquet",
        write_parquet(&altered(5, "principal_outstanding", Some(floats))),
    ));
    assert_eq!(got.code, 2, "{}", got.stderr);
    assert!(
        got.stderr.contains("principal_outstanding") && got.stderr.contains("floating-point"),
        "{}",
        got.stderr
    );
    // A required field without a column.
    let got = run(&write(
        "missing.parquet",
        write_parquet(&altered(5, "borrower", None)),
    ));
    assert_eq!(got.code, 2, "{}", got.stderr);
    assert!(
        got.stderr
            .contains("the required field `borrower` has no column"),
        "{}",
        got.stderr
    );
    // Nulls in a required column, and money with four places: rejected rows naming each.
    let borrowers: ArrayRef = Arc::new(arrow_array::StringArray::from(vec![
        Some("王小明"),
        None,
        Some("李四"),
        None,
        Some("赵五"),
    ]));
    let got = run(&write(
        "nulls.parquet",
        write_parquet(&altered(5, "borrower", Some(borrowers))),
    ));
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert!(
        got.stderr.contains("read 5 loans = decided 3 + rejected 2"),
        "{}",
        got.stderr
    );
    assert!(
        got.stderr.contains("borrower") && got.stderr.contains("E501"),
        "{}",
        got.stderr
    );
    let amounts: ArrayRef = Arc::new(
        arrow_array::Decimal128Array::from(vec![960_115_800i128, 960_115_812, 10_000, 12_345, 0])
            .with_precision_and_scale(18, 4)
            .unwrap(),
    );
    let got = run(&write(
        "scale4.parquet",
        write_parquet(&altered(5, "principal_outstanding", Some(amounts))),
    ));
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert!(
        got.stderr.contains("96011.5812"),
        "the value is named: {}",
        got.stderr
    );
    assert!(got.stderr.contains("rejected 2"), "{}", got.stderr);
    // No rows at all, an empty file, a truncated one, and something that is not Parquet.
    let (rows, fields) = sample();
    let got = run(&write(
        "none.parquet",
        to_parquet::to_parquet(&rows[..0], &fields, 10),
    ));
    assert!(
        got.code == 0 && got.stderr.contains("read 0 loans"),
        "{}",
        got.stderr
    );
    let got = run(&write("empty.parquet", Vec::new()));
    assert_eq!(got.code, 2, "{}", got.stderr);
    assert!(got.stderr.contains("not a Parquet file"), "{}", got.stderr);
    let whole = to_parquet::to_parquet(&rows[..500], &fields, 100);
    let got = run(&write(
        "truncated.parquet",
        whole[..whole.len() / 2].to_vec(),
    ));
    assert_eq!(got.code, 2, "{}", got.stderr);
    assert!(got.stderr.contains("not a Parquet file"), "{}", got.stderr);
    let got = run(&write("text.parquet", b"loan_id,borrower\nL1,x\n".to_vec()));
    assert_eq!(got.code, 2, "{}", got.stderr);
    let got = run(&write("garbage.arrow", b"ARROW1\0\0garbage".to_vec()));
    assert_eq!(got.code, 2, "{}", got.stderr);
    assert!(got.stderr.contains("Arrow"), "{}", got.stderr);
    // A list column that does not hold records.
    let lists: ArrayRef = Arc::new(arrow_array::StringArray::from(vec!["[]"; 5]));
    let got = run(&write(
        "lists.parquet",
        write_parquet(&altered(5, "promises", Some(lists))),
    ));
    assert!(got.code == 0 || got.code == 2, "no panic: {}", got.stderr);
    let _ = DataType::Utf8;
}

/// A decisions file's rows as the JSON objects a JSON Lines record holds, column by column:
/// strings, lists of strings, lists of `{action, guard}`, deadlines as `YYYY-MM-DD`, the
/// trace's JSON text parsed.
fn decisions_as_json(parquet: &[u8]) -> Vec<Value> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Date32Type;
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        bytes::Bytes::from(parquet.to_vec()),
    )
    .unwrap()
    .build()
    .unwrap();
    fn cell(array: &dyn arrow_array::Array, row: usize, name: &str) -> Value {
        if array.is_null(row) {
            return Value::Null;
        }
        match array.data_type() {
            DataType::Utf8 if name == "trace" => {
                serde_json::from_str(array.as_string::<i32>().value(row)).unwrap()
            }
            DataType::Utf8 => Value::from(array.as_string::<i32>().value(row)),
            DataType::Date32 => {
                let date = array
                    .as_primitive::<Date32Type>()
                    .value_as_date(row)
                    .unwrap();
                Value::from(date.format("%Y-%m-%d").to_string())
            }
            DataType::List(_) => {
                let items = array.as_list::<i32>().value(row);
                Value::Array((0..items.len()).map(|i| cell(&items, i, "")).collect())
            }
            DataType::Struct(fields) => {
                let array = array.as_struct();
                Value::Object(
                    fields
                        .iter()
                        .zip(array.columns())
                        .map(|(f, c)| (f.name().clone(), cell(c, row, f.name())))
                        .collect(),
                )
            }
            other => panic!("a decisions column of type {other}"),
        }
    }
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        let schema = batch.schema();
        for row in 0..batch.num_rows() {
            rows.push(Value::Object(
                schema
                    .fields()
                    .iter()
                    .zip(batch.columns())
                    .map(|(f, c)| (f.name().clone(), cell(c, row, f.name())))
                    .collect(),
            ));
        }
    }
    rows
}

#[test]
fn parquet_decisions_say_what_json_lines_records_say() {
    let dir = temp();
    let (rows, fields) = sample();
    let book = dir.path().join("book.parquet");
    std::fs::write(&book, to_parquet::to_parquet(&rows, &fields, 1000)).unwrap();
    // Every-match decisions and vetoes (retail), deadlines as dates (limitation), traces.
    for (policy, extra) in [
        ("policies/retail.policy", None),
        ("policies/limitation.policy", None),
        ("policies/retail.policy", Some("--trace")),
    ] {
        let mut args = vec!["run", policy, SAMPLE_JSONL, "--as-of", "2026-11-20"];
        args.extend(extra);
        let expected = arrears(&args);
        assert_eq!(expected.code, 0, "{}", expected.stderr);
        let expected: Vec<Value> = expected
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let mut outputs = Vec::new();
        for threads in ["1", "2"] {
            let out = dir.path().join(format!("decisions-{threads}.parquet"));
            let mut args = vec![
                "run",
                policy,
                book.to_str().unwrap(),
                "--as-of",
                "2026-11-20",
                "--format",
                "parquet",
                "-o",
                out.to_str().unwrap(),
                "--threads",
                threads,
            ];
            args.extend(extra);
            let got = arrears(&args);
            assert_eq!(got.code, 0, "{}", got.stderr);
            outputs.push(std::fs::read(&out).unwrap());
        }
        assert!(
            outputs[0] == outputs[1],
            "{policy}: the file depends on threads"
        );
        let got = decisions_as_json(&outputs[0]);
        assert_eq!(got.len(), expected.len());
        for (got, expected) in got.iter().zip(&expected) {
            assert_eq!(got, expected, "{policy} {extra:?}");
        }
        assert!(
            expected
                .iter()
                .any(|r| r["vetoed"].as_array().is_some_and(|v| !v.is_empty()))
                || policy.contains("limitation"),
            "the sample exercises vetoes"
        );
    }
    // The manifest covers the file, and the file names its policy's version.
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("decisions-2.manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["options"]["format"], "parquet");
    use sha2::Digest as _;
    let bytes = std::fs::read(dir.path().join("decisions-2.parquet")).unwrap();
    let digest: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(manifest["outputs"]["decisions"]["sha256"], digest.as_str());
    let meta = parquet::file::reader::SerializedFileReader::new(bytes::Bytes::from(bytes)).unwrap();
    use parquet::file::reader::FileReader as _;
    let pairs = meta
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .unwrap();
    let version = pairs
        .iter()
        .find(|kv| kv.key == "arrears.policy_version")
        .and_then(|kv| kv.value.clone())
        .unwrap();
    let loaded = arrears::load_policy(&root().join("policies/retail.policy")).unwrap();
    assert_eq!(version, loaded.version());
}

/// Typed columns are converted without going through text, so they are held here to what the
/// text path makes of the same values written in a JSON Lines book: the same loans, and the
/// same rejections (code, record, loan, field, value, reason), value by value at the edges.
#[test]
fn typed_columns_decide_and_reject_exactly_as_their_text() {
    use arrow_array::{BooleanArray, Date32Array, Decimal128Array, StringArray};
    let dir = temp();
    let (rows, _) = sample();
    let n = 8;
    let epoch = |d: &str| {
        let date = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        (date - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32
    };
    // Each case: the column, its values as Arrow, and the same values as JSON.
    type Case = (&'static str, ArrayRef, Vec<Value>);
    let text = |values: &[Option<&str>]| -> (ArrayRef, Vec<Value>) {
        (
            Arc::new(StringArray::from(values.to_vec())),
            values
                .iter()
                .map(|v| v.map_or(Value::Null, Value::from))
                .collect(),
        )
    };
    let words = [
        Some("refuses"),
        Some(" refuses "),
        Some("null"),
        Some(""),
        None,
        Some("拒绝"),
        Some("refused"),
        Some("willing"),
    ];
    let (willingness, willingness_json) = text(&words);
    let (region, region_json) = text(&[
        Some("上海"),
        Some("  "),
        Some(""),
        None,
        Some(" 北京 "),
        Some("null"),
        Some("x"),
        Some("深圳"),
    ]);
    let (times, times_json) = text(&[
        Some("09:30"),
        Some("9:30"),
        Some("24:00"),
        Some("23:59:59"),
        Some(" 09:30"),
        Some("null"),
        None,
        Some("12:00:60"),
    ]);
    let amounts = [
        Some(1_234_567i128),
        Some(-5),
        Some(0),
        None,
        Some(99),
        Some(10),
        Some(7),
        Some(1),
    ];
    let dates = |name: &'static str| -> Case {
        (
            name,
            Arc::new(Date32Array::from(vec![
                Some(epoch("2026-01-31")),
                Some(epoch("1969-12-31")),
                None,
                Some(3_000_000),
                Some(-800_000),
                Some(0),
                Some(epoch("2024-02-29")),
                Some(epoch("2026-11-20")),
            ])),
            vec![
                Value::from("2026-01-31"),
                Value::from("1969-12-31"),
                Value::Null,
                Value::from("10183-09-21"),
                Value::from("-221-09-04"),
                Value::from("1970-01-01"),
                Value::from("2024-02-29"),
                Value::from("2026-11-20"),
            ],
        )
    };
    // Lists of records as JSON, and as the `list<struct>` columns the converter writes.
    let (_, fields) = sample();
    let lists = |name: &'static str, json: Vec<Value>| -> Case {
        let field = fields.iter().find(|f| f.name == name).unwrap();
        let values: Vec<&Value> = json.iter().collect();
        (name, to_parquet::column(&values, field), json)
    };
    let rest_days: Vec<Value> = [
        r#"[{"weekday": 1}]"#,
        "[]",
        "null",
        r#"[{"weekday": null}]"#,
        r#"[{"weekday": 3}, {"weekday": 7}]"#,
        r#"[{"weekday": 2}, {"weekday": null}]"#,
        r#"[{"weekday": 5}]"#,
        r#"[{"weekday": 6}]"#,
    ]
    .iter()
    .map(|j| serde_json::from_str(j).unwrap())
    .collect();
    let emergency_contacts: Vec<Value> = [
        r#"[{"relation": "母亲"}]"#,
        r#"[{"relation": "  "}]"#,
        r#"[{"relation": ""}]"#,
        r#"[{"relation": null}]"#,
        "[]",
        "null",
        r#"[{"relation": "x"}, {"relation": " "}]"#,
        r#"[{"relation": "兄弟"}]"#,
    ]
    .iter()
    .map(|j| serde_json::from_str(j).unwrap())
    .collect();
    let cases: Vec<Case> = vec![
        ("willingness", willingness, willingness_json),
        ("region", region, region_json),
        ("next_contact_at", times, times_json),
        (
            "principal_outstanding",
            Arc::new(
                Decimal128Array::from(amounts.to_vec())
                    .with_precision_and_scale(18, 1)
                    .unwrap(),
            ),
            amounts
                .iter()
                .map(|a| match a {
                    Some(a) => {
                        Value::from(format!("{}.{}", a / 10, (a % 10).abs()).replace("0.-", "-0."))
                    }
                    None => Value::Null,
                })
                .collect(),
        ),
        dates("oldest_unpaid_due_date"),
        // Not read by the policy: checked all the same, column by column.
        dates("matured_on"),
        lists("rest_days", rest_days),
        lists("emergency_contacts", emergency_contacts),
        (
            "has_assets",
            Arc::new(BooleanArray::from(vec![
                Some(true),
                None,
                Some(false),
                Some(true),
                Some(false),
                None,
                Some(true),
                Some(false),
            ])),
            vec![
                Value::from(true),
                Value::Null,
                Value::from(false),
                Value::from(true),
                Value::from(false),
                Value::Null,
                Value::from(true),
                Value::from(false),
            ],
        ),
    ];
    let policy = "policies/retail.policy";
    for (name, array, json) in cases {
        let parquet = dir.path().join(format!("{name}.parquet"));
        std::fs::write(&parquet, write_parquet(&altered(n, name, Some(array)))).unwrap();
        let jsonl = dir.path().join(format!("{name}.jsonl"));
        let lines: Vec<String> = rows[..n]
            .iter()
            .zip(&json)
            .map(|(row, value)| {
                let mut row = row.clone();
                row[name] = value.clone();
                row.to_string()
            })
            .collect();
        std::fs::write(&jsonl, lines.join("\n") + "\n").unwrap();
        let decide = |book: &std::path::Path, stem: &str| {
            let rejects = dir.path().join(format!("{stem}.rejects.jsonl"));
            let got = arrears(&[
                "run",
                policy,
                book.to_str().unwrap(),
                "--as-of",
                "2026-11-20",
                "--rejects",
                rejects.to_str().unwrap(),
            ]);
            assert_eq!(got.code, 0, "{}", got.stderr);
            let rejected: Vec<Value> = std::fs::read_to_string(&rejects)
                .unwrap()
                .lines()
                .map(|l| {
                    let mut v: Value = serde_json::from_str(l).unwrap();
                    v["file"] = Value::Null;
                    v["line"] = Value::Null;
                    v
                })
                .collect();
            (got.stdout, rejected)
        };
        let (typed, typed_rejects) = decide(&parquet, &format!("{name}-typed"));
        let (texts, text_rejects) = decide(&jsonl, &format!("{name}-text"));
        assert_eq!(typed, texts, "{name}: decisions differ");
        assert_eq!(typed_rejects, text_rejects, "{name}: rejections differ");
        assert!(
            !typed_rejects.is_empty() || name == "has_assets",
            "{name}: the edge values include rejected ones"
        );
    }
}
