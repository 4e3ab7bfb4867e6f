"""Decide a Parquet loan book with Spark, for books past one machine.

    spark-submit examples/spark_decide.py POLICY BOOK.parquet OUT --as-of 2026-11-20

The driver loads and checks the policy once, then ships its text (with its schema's and
modules' texts) to the executors inside the function `mapInArrow` runs; each executor loads
it from those texts, never from its own disk, and decides its partitions' Arrow batches with
the `arrears` Python package. Deciding a loan reads only that loan, so partitions are
independent: the job scales with executors, the way any map-only job does. A policy that
reads a borrower's loans together (`policy.reads_borrowers`) needs all of a borrower's loans
in one place: the book is first repartitioned by the borrower column (one shuffle), and each
partition is decided whole, in one call; its memory is then that of a partition, which
`spark.sql.shuffle.partitions` sets.

OUT gets the decisions as Parquet, split by `status`: `OUT/status=decided/` (the columns of
`arrears run --format parquet`) and `OUT/status=rejected/` (the rejects file's columns, with
`record` counted within the partition's batch). Every row carries `policy_version` (the digest
of every file the policy read, as `arrears run` writes into its Parquet metadata and
`arrears serve` reports) and `as_of`, so any output row can be traced to the exact policy and
date. A key repeated in the book is reported by the driver before deciding (Spark cannot
reject it in order, as `arrears run` does: its repeats may sit in different partitions).

On a cluster, build the wheel once (`maturin build --release` in `bindings/python/`) and give
it to the executors, for instance:

    spark-submit --master yarn --deploy-mode cluster \\
        --conf spark.sql.execution.arrow.maxRecordsPerBatch=8192 \\
        --archives arrears-env.tar.gz#env \\
        --conf spark.pyspark.python=./env/bin/python \\
        examples/spark_decide.py policies/retail.policy s3://bank/book/2026-11-20/ \\
        s3://bank/decisions/2026-11-20/ --as-of 2026-11-20

where `arrears-env.tar.gz` is a `venv-pack` of a virtualenv with the wheel and pyarrow
installed (or install the wheel on every node's Python).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Iterator

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import from_arrow_schema

import arrears

STATUS = "status"


def output_schema(policy: arrears.Policy, book: pa.Schema, as_of: str) -> pa.Schema:
    """The Arrow schema of every batch the executors hand back: the decisions' columns (the
    loan's key, one per decision, `actions`, `vetoed`, ...), `rejection` (a rejected row's
    `record`, `field`, `value`, `code`, `reason`, ...; null for a decided loan),
    `policy_version`, `as_of` and `status`."""
    empty = pa.Table.from_batches([], schema=book)
    decisions, rejected = policy.decide(empty, as_of)
    fields = [f.with_nullable(True) for f in decisions.schema]
    fields.append(pa.field("rejection", pa.struct(list(rejected.schema)), True))
    fields += [
        pa.field("policy_version", pa.string(), False),
        pa.field("as_of", pa.string(), False),
        pa.field(STATUS, pa.string(), False),
    ]
    return pa.schema(fields)


def decide_partitions(text: str, files: dict, path: str, key: str, as_of: str, schema: pa.Schema):
    """The function `mapInArrow` runs on each partition: it loads the shipped policy once per
    partition and decides each batch; decided rows, then rejected ones, in the output schema."""

    def decide(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        policy = arrears.Policy.from_text(text, files=files, path=path)
        version = policy.version
        rejection = schema.field("rejection").type
        if policy.reads_borrowers:
            # The partition holds whole borrowers (`run` repartitions by borrower): decided
            # together, in one call, so each borrower is decided on all of its loans.
            whole = list(batches)
            batches = iter([pa.Table.from_batches(whole)] if whole else [])
        for batch in batches:
            decisions, rejected = policy.decide(batch, as_of, threads=1)
            for table, status in ((decisions, "decided"), (rejected, "rejected")):
                n = table.num_rows
                if n == 0:
                    continue
                table = table.combine_chunks()
                columns = []
                for field in schema:
                    if field.name == "rejection":
                        columns.append(
                            pa.StructArray.from_arrays(
                                [table.column(f.name).chunk(0) for f in rejection],
                                fields=list(rejection),
                            )
                            if status == "rejected"
                            else pa.nulls(n, field.type)
                        )
                    elif field.name == "policy_version":
                        columns.append(pa.array([version] * n, pa.string()))
                    elif field.name == "as_of":
                        columns.append(pa.array([as_of] * n, pa.string()))
                    elif field.name == STATUS:
                        columns.append(pa.array([status] * n, pa.string()))
                    elif status == "decided":
                        columns.append(table.column(field.name).chunk(0))
                    elif field.name == key:
                        columns.append(table.column("loan_id").chunk(0))
                    else:
                        columns.append(pa.nulls(n, field.type))
                yield pa.RecordBatch.from_arrays(columns, schema=schema)

    return decide


def run(spark: SparkSession, policy_path: str, book: str, out: str, as_of: str) -> DataFrame:
    policy = arrears.Policy.load(policy_path)
    if policy.has_capacities:
        # A capacity ranks every loan of the book that claims it; partitions decided apart
        # would each give the whole day's places away.
        raise SystemExit(
            f"{policy_path} declares a capacity, which ranks the whole book at once: decide it "
            "with `arrears run` or in one `Policy.decide` call, not partition by partition"
        )
    loans = spark.read.parquet(book)
    duplicates = loans.groupBy(policy.key).count().filter("count > 1").limit(10).collect()
    if duplicates:
        keys = ", ".join(str(row[0]) for row in duplicates)
        raise SystemExit(f"the book repeats keys ({keys}): each loan must appear once")
    book_schema = pa.schema(
        [pa.field(f.name, f.type) for f in _arrow_schema_of(loans)]
    )
    schema = output_schema(policy, book_schema, as_of)
    if policy.reads_borrowers:
        # Every loan of a borrower in one partition: a borrower-level policy decides each
        # partition whole, so no borrower is split between executors.
        loans = loans.repartition(policy.borrower_field)
    decided = loans.mapInArrow(
        decide_partitions(policy.text, policy.files, policy.path, policy.key, as_of, schema),
        from_arrow_schema(schema),
    )
    decided.write.mode("overwrite").partitionBy(STATUS).parquet(out)
    return decided


def _arrow_schema_of(frame: DataFrame) -> pa.Schema:
    """The Arrow schema Spark hands `mapInArrow` for `frame`'s rows."""
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(frame.schema)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("policy")
    parser.add_argument("book", help="a Parquet file or folder of the loan book")
    parser.add_argument("out", help="a folder for the decisions (Parquet)")
    parser.add_argument("--as-of", required=True, help="the evaluation date, YYYY-MM-DD")
    parser.add_argument("--master", default=None, help="e.g. local[2]; spark-submit sets it")
    args = parser.parse_args(argv)
    builder = SparkSession.builder.appName("arrears-decide")
    if args.master:
        builder = builder.master(args.master)
        if args.master.startswith("local"):
            # Local executors run this very Python, which has the package.
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = builder.getOrCreate()
    try:
        run(spark, args.policy, args.book, args.out, args.as_of)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
