#!/usr/bin/env bash
# Builds the Python package with maturin and tests the wheel with pytest, in a virtualenv of
# its own (created here, from requirements-dev.txt): decisions equal `arrears run`'s loan for
# loan, rejections, polars and pandas inputs, errors, and examples/spark_decide.py on
# local[2] (Java 17 is on the machine; pyspark comes from PyPI).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
venv="$target/python-venv"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements-dev.txt"

wheels="$target/wheels"
rm -rf "$wheels"
(cd "$here" && "$venv/bin/maturin" build --release --quiet --out "$wheels")
"$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheels"/arrears-*.whl

# The command line the tests compare with.
(cd "$root" && cargo build --release --quiet --bin arrears)
cd "$here"
ARREARS="$target/release/arrears" "$venv/bin/python" -m pytest -q -p no:cacheprovider tests
