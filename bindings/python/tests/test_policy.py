"""The Python package through its public API, on the wheel maturin built, against the
`arrears` binary on the same data."""

from __future__ import annotations

import datetime
import decimal
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import arrears
from conftest import AS_OF, SAMPLE, arrears as cli, policy_path, sample_rows, SCHEMA


def records(table: pa.Table) -> list[dict]:
    """Decision rows as the JSON objects `arrears run` writes: dates as ISO text, traces parsed."""

    def plain(value):
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    rows = [plain(row) for row in table.to_pylist()]
    for row in rows:
        # Traces and a capacity's queue are JSON text in their columns.
        for column in ("trace", "queued"):
            if column in row:
                row[column] = json.loads(row[column])
    return rows


def cli_records(policy: str, book: str, *extra: str) -> list[dict]:
    done = cli("run", policy, book, "--as-of", AS_OF, *extra)
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.mark.parametrize(
    "policy, extra",
    [
        ("retail.policy", ()),
        ("limitation.policy", ()),
        ("retail.policy", ("--trace",)),
        # Per borrower: a borrower's loans anywhere in the table are decided together.
        ("小微企业催收.policy", ()),
        ("小微企业催收.policy", ("--trace",)),
    ],
)
def test_decisions_equal_the_command_lines_loan_for_loan(tmp_path, sample_table, policy, extra):
    book = tmp_path / "book.parquet"
    pq.write_table(sample_table, book, row_group_size=700)
    loaded = arrears.Policy.load(policy_path(policy))
    decisions, rejected = loaded.decide(
        pq.read_table(book), as_of=AS_OF, trace="--trace" in extra
    )
    assert rejected.num_rows == 0
    expected = cli_records(policy_path(policy), str(SAMPLE), *extra)
    got = records(decisions)
    assert len(got) == len(expected) == 3000
    for got_row, expected_row in zip(got, expected):
        assert got_row == expected_row
    if loaded.has_capacities:
        # The whole table is the book: its field team's places are given out over all of it.
        assert any(row["queued"] for row in got)
    # The same columns, types and values as `arrears run --format parquet` on the same book.
    written = tmp_path / "decisions.parquet"
    cli("run", policy_path(policy), str(book), "--as-of", AS_OF, "--format", "parquet",
        "-o", str(written), *extra)
    from_cli = pq.read_table(written).replace_schema_metadata(None)
    assert decisions.schema.remove_metadata() == from_cli.schema
    assert decisions.equals(from_cli)


def test_every_thread_count_gives_the_same_table(sample_table):
    loaded = arrears.Policy.load(policy_path("retail.policy"))
    one, _ = loaded.decide(sample_table, AS_OF, threads=1)
    two, _ = loaded.decide(sample_table, datetime.date(2026, 11, 20), threads=2)
    assert one.equals(two)


def test_bad_cells_are_rejected_as_the_command_line_rejects_them(tmp_path):
    rows = sample_rows()[:6]
    rows[1]["borrower"] = None
    rows[3]["principal_outstanding"] = decimal.Decimal("96011.5812")
    schema = SCHEMA.set(SCHEMA.get_field_index("principal_outstanding"),
                        pa.field("principal_outstanding", pa.decimal128(18, 4)))
    table = pa.Table.from_pylist(rows, schema=schema)
    book = tmp_path / "bad.parquet"
    pq.write_table(table, book)
    decisions, rejected = arrears.Policy.load(policy_path("retail.policy")).decide(table, AS_OF)
    assert decisions.num_rows + rejected.num_rows == 6
    assert decisions.column("loan_id").to_pylist() == ["L00001", "L00003", "L00005", "L00006"]
    rejects = tmp_path / "rejects.jsonl"
    cli("run", policy_path("retail.policy"), str(book), "--as-of", AS_OF,
        "-o", str(tmp_path / "out.jsonl"), "--rejects", str(rejects))
    expected = [json.loads(line) for line in rejects.read_text().splitlines()]
    got = rejected.to_pylist()
    assert len(got) == len(expected) == 2
    for got_row, expected_row in zip(got, expected):
        for key in ("record", "line", "loan_id", "field", "value", "code", "reason"):
            assert got_row[key] == expected_row[key], key
    assert got[0]["field"] == "borrower" and got[0]["code"] == "E501"
    assert got[1]["value"] == "96011.5812"


def test_money_as_a_float_refuses_the_whole_table(sample_table):
    floats = sample_table.set_column(
        sample_table.schema.get_field_index("principal_outstanding"),
        "principal_outstanding",
        sample_table.column("principal_outstanding").cast(pa.float64()),
    )
    with pytest.raises(ValueError, match="floating-point"):
        arrears.Policy.load(policy_path("retail.policy")).decide(floats, AS_OF)
    missing = sample_table.drop_columns(["borrower"])
    with pytest.raises(ValueError, match="the required field `borrower` has no column"):
        arrears.Policy.load(policy_path("retail.policy")).decide(missing, AS_OF)


def test_polars_and_pandas_frames_decide_as_pyarrow_does(sample_table):
    polars = pytest.importorskip("polars")
    pandas = pytest.importorskip("pandas")
    loaded = arrears.Policy.load(policy_path("retail.policy"))
    expected, _ = loaded.decide(sample_table, AS_OF)
    from_polars, rejected = loaded.decide(polars.from_arrow(sample_table), AS_OF)
    assert rejected.num_rows == 0 and from_polars.equals(expected)
    frame = sample_table.to_pandas()
    assert isinstance(frame, pandas.DataFrame)
    from_pandas, rejected = loaded.decide(frame, AS_OF)
    assert rejected.num_rows == 0 and from_pandas.equals(expected)
    # One record batch, handed over through the array interface.
    batch = sample_table.combine_chunks().to_batches()[0]
    from_batch, _ = loaded.decide(batch, AS_OF)
    assert from_batch.equals(expected)
    with pytest.raises(TypeError, match="pyarrow Table"):
        loaded.decide([{"loan_id": "L1"}], AS_OF)


def test_a_policy_with_errors_raises_with_the_diagnostics_text():
    text = (ROOT_POLICY := open(policy_path("retail.policy"), encoding="utf-8").read())
    broken = text.replace("willingness = refuses", "willingnes = refuses", 1)
    assert broken != text
    with pytest.raises(arrears.PolicyError) as raised:
        arrears.Policy.from_text(
            broken,
            files={"loan-v1.schema": open(policy_path("loan-v1.schema"), encoding="utf-8").read()},
            path="retail.policy",
        )
    message = str(raised.value)
    assert "E201" in message and "did you mean `willingness`" in message
    first = raised.value.diagnostics[0]
    assert (first.code, first.severity, first.file) == ("E201", "error", "retail.policy")
    line = broken.splitlines().index(next(l for l in broken.splitlines() if "willingnes =" in l)) + 1
    assert first.line == line
    assert first.column == broken.splitlines()[line - 1].index("willingnes") + 1
    assert first.suggestions == ["did you mean `willingness`?"]
    assert first.rendered.strip() in message
    with pytest.raises(arrears.PolicyError, match="cannot read"):
        arrears.Policy.load("no/such.policy")


def test_from_text_is_the_policy_on_disk():
    files = {"loan-v1.schema": open(policy_path("loan-v1.schema"), encoding="utf-8").read()}
    text = open(policy_path("retail.policy"), encoding="utf-8").read()
    shipped = arrears.Policy.from_text(text, files=files, path="retail.policy")
    loaded = arrears.Policy.load(policy_path("retail.policy"))
    assert shipped.version == loaded.version and len(loaded.version) == 64
    assert loaded.decisions == ["classification", "treatment", "extras"]
    assert loaded.key == "loan_id" and loaded.name == "retail"
    # Nothing is read from the disk: without the schema's text it does not load.
    with pytest.raises(arrears.PolicyError, match="loan-v1.schema"):
        arrears.Policy.from_text(text, path="retail.policy")


def test_explain_takes_a_dict_of_python_values():
    loaded = arrears.Policy.load(policy_path("retail.policy"))
    loan = json.loads(SAMPLE.read_text(encoding="utf-8").splitlines()[1], parse_float=decimal.Decimal)
    loan["oldest_unpaid_due_date"] = datetime.date.fromisoformat(loan["oldest_unpaid_due_date"])
    explained = loaded.explain(loan, AS_OF)
    assert explained.text.startswith("loan L00002, evaluated on 2026-11-20 by retail")
    expected = cli_records(policy_path("retail.policy"), str(SAMPLE), "--trace")[1]
    assert explained.record == expected
    assert "出" not in explained.text and "derived values" in explained.text
    assert "派生值" in loaded.explain(loan, AS_OF, lang="zh").text
    loan["willingness"] = "maybe"
    with pytest.raises(ValueError, match="field `willingness` value `maybe`"):
        loaded.explain(loan, AS_OF)
    with pytest.raises(TypeError, match="date"):
        loaded.explain(loan, datetime.datetime(2026, 11, 20))


def test_check_reports_the_analysis_findings():
    files = {"loan-v1.schema": open(policy_path("loan-v1.schema"), encoding="utf-8").read()}
    text = open(policy_path("retail.policy"), encoding="utf-8").read()
    assert arrears.Policy.from_text(text, files=files, path="retail.policy").check() == []
    cli_check = cli("check", "--error-format", "json", policy_path("retail.policy"), check=False)
    assert cli_check.stdout.strip() == ""


def test_a_chinese_policy_is_told_its_errors_in_chinese():
    text = open(policy_path("催收示例.policy"), encoding="utf-8").read()
    broken = text.replace("and 还款意愿 = 拒绝", "and 还款意原 = 拒绝", 1)
    assert broken != text
    with pytest.raises(arrears.PolicyError) as raised:
        arrears.Policy.from_text(broken, path="催收示例.policy")
    first = raised.value.diagnostics[0]
    assert first.code == "E201"
    assert "还款意原" in first.message and "未知" in first.message, first.message
    assert first.suggestions == ["是否想写 `还款意愿`？"], first.suggestions
