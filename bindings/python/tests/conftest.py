"""Shared set-up: the repository's shipped policies and sample, the `arrears` binary, and the
sample as a typed Arrow table (money as decimal128, dates as date32, lists as list<struct>)."""

from __future__ import annotations

import decimal
import json
import os
import subprocess
from pathlib import Path

import pyarrow as pa
import pytest

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "examples" / "portfolios" / "retail-sample.jsonl"
AS_OF = "2026-11-20"

MONEY = pa.decimal128(18, 2)
CHOICE = pa.dictionary(pa.int32(), pa.string())

# The reference schema (policies/loan-v1.schema) as Arrow types, written out by hand so the
# test does not take the engine's word for what the columns should be.
SCHEMA = pa.schema(
    [
        ("loan_id", pa.string()),
        ("borrower", pa.string()),
        ("borrower_id", pa.string()),
        ("product", CHOICE),
        ("currency", pa.string()),
        ("principal_outstanding", MONEY),
        ("oldest_unpaid_due_date", pa.date32()),
        ("collateral_value", MONEY),
        ("has_guarantor", pa.bool_()),
        ("has_assets", pa.bool_()),
        ("willingness", CHOICE),
        ("ability", CHOICE),
        ("operating_status", CHOICE),
        ("restructured", pa.bool_()),
        ("deceased", pa.bool_()),
        ("bankrupt", pa.bool_()),
        ("in_dispute", pa.bool_()),
        ("public_official", pa.bool_()),
        ("do_not_contact", pa.bool_()),
        ("region", pa.string()),
        (
            "promises",
            pa.list_(pa.struct([("due_on", pa.date32()), ("amount", MONEY), ("kept", pa.bool_())])),
        ),
        (
            "contacts",
            pa.list_(pa.struct([("on", pa.date32()), ("channel", pa.string()), ("at", pa.string())])),
        ),
        ("stop_reason", pa.string()),
        ("represented_by_lawyer", pa.bool_()),
        ("written_stop_request", pa.bool_()),
        ("next_contact_at", pa.string()),
        ("rest_days", pa.list_(pa.struct([("weekday", pa.int32())]))),
        ("emergency_contacts", pa.list_(pa.struct([("relation", pa.string())]))),
        ("matured_on", pa.date32()),
        ("demand_served_on", pa.date32()),
        ("acknowledged_on", pa.date32()),
        ("last_payment_on", pa.date32()),
        ("lawsuit_filed_on", pa.date32()),
        ("guarantee_ends_on", pa.date32()),
        ("guarantor_demanded_on", pa.date32()),
    ]
)


def _dates(value, ty):
    """JSON's ISO text as Python dates wherever the Arrow type is a date."""
    import datetime

    if value is None:
        return None
    if pa.types.is_date32(ty):
        return datetime.date.fromisoformat(value)
    if pa.types.is_list(ty):
        return [_dates(item, ty.value_type) for item in value]
    if pa.types.is_struct(ty):
        return {f.name: _dates(value.get(f.name), f.type) for f in ty}
    return value


def sample_rows() -> list[dict]:
    rows = []
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        row = json.loads(line, parse_float=decimal.Decimal)
        rows.append({f.name: _dates(row.get(f.name), f.type) for f in SCHEMA})
    return rows


@pytest.fixture(scope="session")
def sample_table() -> pa.Table:
    return pa.Table.from_pylist(sample_rows(), schema=SCHEMA)


def binary() -> str:
    found = os.environ.get("ARREARS")
    if found:
        return found
    for profile in ("release", "debug"):
        path = ROOT / "target" / profile / "arrears"
        if path.exists():
            return str(path)
    pytest.skip("no arrears binary: build it, or set ARREARS")


def arrears(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [binary(), *args], cwd=ROOT, capture_output=True, text=True, encoding="utf-8"
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def policy_path(name: str) -> str:
    return str(ROOT / "policies" / name)
