"""Loans/s of the Python package and of the Spark example, beside the command line, on one
Parquet book.

    target/python-venv/bin/python benches/python_decide.py BOOK.parquet [--spark]

Run `bindings/python/ci.sh` first (it builds the wheel into that virtualenv and the optimised
binary). Prints, for 1 and 2 threads: `arrears run --format parquet` (read the book, decide,
write the decisions), `Policy.decide` alone on the table already in memory, and read + decide;
with `--spark`, examples/spark_decide.py on local[2], timed from the job's start to its last
file (the session's start-up left out). Each figure is the best of three runs; the Python
figures check first that the decisions equal the command line's.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

import arrears

ROOT = Path(__file__).resolve().parents[1]
POLICY = str(ROOT / "policies" / "retail.policy")
AS_OF = "2026-11-20"
BINARY = ROOT / "target" / "release" / "arrears"


def best(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def cli_peak_and_time(book: str, out: str, threads: int) -> tuple[float, int]:
    """Seconds and peak RSS (MB) of one `arrears run --format parquet`, via /usr/bin/time."""
    stats = tempfile.NamedTemporaryFile(delete=False)
    subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", "-o", stats.name, str(BINARY), "run", POLICY, book,
         "--as-of", AS_OF, "-q", "--threads", str(threads), "--format", "parquet", "-o", out],
        check=True, capture_output=True,
    )
    seconds, kb = Path(stats.name).read_text().split()
    os.unlink(stats.name)
    return float(seconds), int(kb) // 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("book")
    parser.add_argument("--spark", action="store_true")
    args = parser.parse_args()
    policy = arrears.Policy.load(POLICY)
    table = pq.read_table(args.book)
    loans = table.num_rows
    work = Path(tempfile.mkdtemp())
    out = str(work / "decisions.parquet")
    # The same decisions, first.
    subprocess.run([str(BINARY), "run", POLICY, args.book, "--as-of", AS_OF, "-q",
                    "--format", "parquet", "-o", out], check=True)
    decided, rejected = policy.decide(table, AS_OF)
    assert decided.equals(pq.read_table(out).replace_schema_metadata(None)), "decisions differ"
    print(f"{Path(args.book).name}: {loans} loans, {rejected.num_rows} rejected")
    for threads in (1, 2):
        timed = [cli_peak_and_time(args.book, out, threads) for _ in range(3)]
        seconds = min(t for t, _ in timed)
        peak = max(m for _, m in timed)
        print(f"  arrears run --format parquet, {threads} thread(s): {seconds:.2f} s, "
              f"{loans / seconds:,.0f} loans/s, peak RSS {peak} MB")
        seconds = best(3, lambda: policy.decide(table, AS_OF, threads=threads))
        print(f"  Policy.decide (table in memory), {threads} thread(s): {seconds:.2f} s, "
              f"{loans / seconds:,.0f} loans/s")
        seconds = best(3, lambda: policy.decide(pq.read_table(args.book), AS_OF, threads=threads))
        print(f"  pq.read_table + Policy.decide, {threads} thread(s): {seconds:.2f} s, "
              f"{loans / seconds:,.0f} loans/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"  Python process peak RSS: {peak} MB (the table, its decisions and pyarrow)")
    if args.spark:
        from pyspark.sql import SparkSession

        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        spec = importlib.util.spec_from_file_location(
            "spark_decide", ROOT / "examples" / "spark_decide.py")
        example = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(example)
        spark = (SparkSession.builder.master("local[2]").appName("arrears-bench")
                 .config("spark.ui.enabled", "false")
                 .config("spark.driver.memory", "4g").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        try:
            target = str(work / "spark")
            seconds = best(2, lambda: example.run(spark, POLICY, args.book, target, AS_OF))
        finally:
            spark.stop()
        print(f"  examples/spark_decide.py on local[2]: {seconds:.2f} s, "
              f"{loans / seconds:,.0f} loans/s")
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
