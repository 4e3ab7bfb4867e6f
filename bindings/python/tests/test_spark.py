"""examples/spark_decide.py on `local[2]`: the decisions Spark writes are those of
`arrears run` on the same book, loan for loan, rejections included."""

from __future__ import annotations

import decimal
import importlib.util
import json
import shutil
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import AS_OF, ROOT, SCHEMA, arrears as cli, policy_path, sample_rows
from test_policy import records

pyspark = pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java", allow_module_level=True)


def load_example():
    spec = importlib.util.spec_from_file_location("spark_decide", ROOT / "examples" / "spark_decide.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def without_capacities(tmp_path, policy):
    """The shipped policy, in a copy of ``policies/`` with its ``capacity`` statements left out
    (Spark refuses those: see ``test_spark_refuses_a_policy_with_capacities``)."""
    folder = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", folder)
    text = (folder / policy).read_text(encoding="utf-8")
    at = text.find("\ncapacity ")
    if at >= 0:
        lines = text[at + 1 :].splitlines()
        rest = [i for i, line in enumerate(lines) if i > 0 and line and not line.startswith(" ")]
        text = text[: at + 1] + ("\n".join(lines[rest[0] :]) + "\n" if rest else "")
    (folder / policy).write_text(text, encoding="utf-8")
    return str(folder / policy)


def test_spark_refuses_a_policy_with_capacities(tmp_path):
    example = load_example()
    with pytest.raises(SystemExit, match="declares a capacity"):
        example.run(None, policy_path("小微企业催收.policy"), str(tmp_path / "book"), str(tmp_path / "out"), AS_OF)


@pytest.mark.parametrize("policy", ["retail.policy", "小微企业催收.policy"])
def test_spark_decides_as_the_command_line(tmp_path, monkeypatch, policy):
    from pyspark.sql import SparkSession

    # The local executors run this Python, which has the package installed.
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    path = without_capacities(tmp_path, policy)

    rows = sample_rows()[:1200]
    rows[7]["borrower"] = None  # one bad row: rejected, not lost
    book = tmp_path / "book.parquet"
    # Four row groups, so Spark reads the book as several partitions.
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), book, row_group_size=300)
    out = tmp_path / "decisions"
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("arrears-test")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.files.maxPartitionBytes", "16384")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    try:
        example = load_example()
        example.run(spark, path, str(book), str(out), AS_OF)
    finally:
        spark.stop()
    decided = pq.read_table(out / "status=decided")
    rejected = pq.read_table(out / "status=rejected")
    assert decided.num_rows + rejected.num_rows == 1200
    version = {v for v in decided.column("policy_version").to_pylist()}
    import arrears

    assert version == {arrears.Policy.load(path).version}
    assert set(decided.column("as_of").to_pylist()) == {AS_OF}
    # Loan for loan, the command line's records on the same Parquet book.
    rejects = tmp_path / "cli.rejects.jsonl"
    done = cli("run", path, str(book), "--as-of", AS_OF,
               "--rejects", str(rejects))
    expected = {r["loan_id"]: r for r in map(json.loads, done.stdout.splitlines())}
    columns = [c for c in decided.column_names if c not in ("rejection", "policy_version", "as_of")]
    got = {r["loan_id"]: r for r in records(decided.select(columns))}
    assert got == expected
    (rejection,) = rejected.column("rejection").to_pylist()
    (cli_rejection,) = map(json.loads, rejects.read_text().splitlines())
    for key in ("loan_id", "field", "value", "code", "reason"):
        assert rejection[key] == cli_rejection[key], key
    assert rejected.column("loan_id").to_pylist() == ["L00008"]
