"""arrears: a declarative policy engine for bank loan collections, from Python.

Load a policy, then decide a book held as Arrow data::

    import arrears, pyarrow.parquet as pq

    policy = arrears.Policy.load("policies/retail.policy")
    decisions, rejected = policy.decide(pq.read_table("book.parquet"), as_of="2026-11-20")

The decisions have the columns ``arrears run --format parquet`` writes; every row of the book
is in ``decisions`` or in ``rejected``, never both, never neither.
"""

from ._arrears import Diagnostic, Explanation, Policy, PolicyError, __version__

__all__ = ["Diagnostic", "Explanation", "Policy", "PolicyError", "__version__"]
