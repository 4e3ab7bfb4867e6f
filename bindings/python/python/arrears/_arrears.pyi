"""Type stubs for the extension module; the package re-exports everything here."""

import datetime
import os
from typing import Any, Literal, Mapping, Optional, Sequence, Tuple, Union

import pyarrow

__version__: str

AsOf = Union[datetime.date, str]

class PolicyError(Exception):
    """A policy that cannot be used: it has errors, or a file it needs cannot be read.

    ``str(error)`` is every problem as ``arrears check`` prints it.
    """

    diagnostics: list[Diagnostic]
    """Each problem as a :class:`Diagnostic`; empty when a file could not be read."""

class Diagnostic:
    """One problem or finding in a policy, placed in its file."""

    code: str
    """The stable code (``E201``); ``arrears explain-code E201`` says what it means."""
    name: str
    """The code's name (``unknown-name``)."""
    severity: Literal["error", "warning"]
    message: str
    """What is wrong, in plain words."""
    file: Optional[str]
    line: Optional[int]
    """1-based line of the place."""
    column: Optional[int]
    """1-based column of the place, counted in characters."""
    end_line: Optional[int]
    end_column: Optional[int]
    suggestions: list[str]
    """How to fix it (``did you mean `overdue_days`?``)."""
    rendered: str
    """The whole diagnostic as ``arrears check`` prints it, with the underlined source."""

class Explanation:
    """One loan's decisions explained."""

    text: str
    """The explanation as ``arrears explain`` prints it, for a person."""
    @property
    def record(self) -> dict[str, Any]:
        """The decision record with its ``trace``: every derived value, rule and guard, what
        it read and the tests that settled it."""

class Policy:
    """A checked collections policy, ready to decide loans."""

    @staticmethod
    def load(path: Union[str, os.PathLike[str]]) -> Policy:
        """Reads the policy at ``path`` with its schema and modules.

        Raises :class:`PolicyError` when it has errors.
        """
    @staticmethod
    def from_text(
        text: str,
        files: Optional[Mapping[str, str]] = None,
        path: str = "policy.policy",
    ) -> Policy:
        """A policy from its text; ``files`` maps the names it refers to (its schema, its
        modules) to their texts. Nothing is read from the disk.

        Raises :class:`PolicyError` when it has errors.
        """
    @property
    def name(self) -> Optional[str]:
        """The policy's name, from its ``policy`` line."""
    @property
    def version(self) -> str:
        """SHA-256 over the texts of every file the policy read."""
    @property
    def path(self) -> str:
        """The policy file's name as it was read."""
    @property
    def text(self) -> str:
        """The policy's own text."""
    @property
    def files(self) -> dict[str, str]:
        """Its schema's and modules' texts, by name relative to the policy's folder:
        ``Policy.from_text(p.text, files=p.files, path=p.path)`` is the same policy."""
    @property
    def decisions(self) -> list[str]:
        """The decisions, in the order of their columns."""
    @property
    def key(self) -> str:
        """The name of the loan's key column."""
    @property
    def reads_borrowers(self) -> bool:
        """True when the policy reads a borrower's loans together: ``decide`` then decides the
        loans of one borrower in its data together, so they must all be in one call (in
        Spark, one partition)."""
    @property
    def has_capacities(self) -> bool:
        """True when the policy declares a ``capacity``: ``decide`` ranks the claims of all the
        loans it is given, so a book must be decided in one call."""
    @property
    def borrower_field(self) -> Optional[str]:
        """The column that says whose loan it is, when the schema names one."""
    def check(self, lang: Optional[Literal["en", "zh"]] = None) -> list[Diagnostic]:
        """Warnings and the static analysis' findings, as ``arrears check`` reports them."""
    def decide(
        self,
        data: Any,
        as_of: AsOf,
        trace: bool = False,
        threads: Optional[int] = None,
    ) -> Tuple[pyarrow.Table, pyarrow.Table]:
        """Decides every loan of ``data``: a pyarrow Table or RecordBatch, a polars or pandas
        DataFrame, or any object exporting ``__arrow_c_stream__`` / ``__arrow_c_array__``.

        Returns ``(decisions, rejected)``: the decisions in input order with the columns of
        ``arrears run --format parquet``; the rejected rows with those of a rejects file
        (``file``, ``record``, ``line``, ``loan_id``, ``field``, ``value``, ``code``,
        ``reason``). The GIL is released while deciding.
        """
    def explain(
        self,
        loan: Union[Mapping[str, Any], str],
        as_of: AsOf,
        lang: Optional[Literal["en", "zh"]] = None,
    ) -> Explanation:
        """Explains one loan, a dict of the schema's fields (or a JSON object's text).

        Raises ``ValueError`` naming the field when the loan cannot be read.
        """
