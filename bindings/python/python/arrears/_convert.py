"""Conversions the Rust module asks Python for: what only Python libraries know how to read."""

from __future__ import annotations

import datetime
import decimal
import json
from typing import Any


def to_batches(data: Any) -> tuple[Any, list[Any]]:
    """``data`` as a pyarrow schema and a list of pyarrow record batches, for the Rust side.

    Anything that exports the Arrow PyCapsule interface (pyarrow, polars, pandas 2.2+,
    DuckDB) is read through it without copying; a pandas DataFrame that does not goes through
    ``pyarrow.Table.from_pandas``; anything else is refused with the forms that are accepted.
    """
    import pyarrow

    if hasattr(data, "__arrow_c_stream__"):
        reader = pyarrow.RecordBatchReader.from_stream(data)
        return reader.schema, list(reader)
    if hasattr(data, "__arrow_c_array__"):
        batch = pyarrow.record_batch(data)
        return batch.schema, [batch]
    if type(data).__module__.split(".")[0] == "pandas":
        table = pyarrow.Table.from_pandas(data, preserve_index=False)
        return table.schema, table.to_batches()
    raise TypeError(
        f"cannot decide a {type(data).__name__}: pass a pyarrow Table or RecordBatch, a polars "
        "or pandas DataFrame, or any object with __arrow_c_stream__ or __arrow_c_array__"
    )


def _plain(value: Any) -> Any:
    # Decimals keep their exact digits as text, which arrears reads exactly (money never
    # passes through a float); dates and times are ISO text.
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    raise TypeError(f"a loan's field cannot be a {type(value).__name__}")


def loan_json(loan: Any) -> str:
    """One loan (a dict of the schema's fields) as the JSON object ``arrears run`` reads."""
    if not isinstance(loan, dict):
        raise TypeError(f"a loan is a dict of its fields, not a {type(loan).__name__}")
    return json.dumps(loan, default=_plain, ensure_ascii=False)
