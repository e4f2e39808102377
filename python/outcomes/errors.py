"""The exceptions of ``outcomes``: one class per kind of the crate's ``Error``.

Every call into the library raises an :class:`OutcomesError` subclass, never a
Rust panic. Each carries what the Rust error carries, as attributes (``None``
where the kind has no such field):

``file``
    the file or dataset (``"service_use.csv"``, ``"cohort"``) or, for
    :class:`FileError`, the path;
``row``
    the 1-based data row (the header is not counted), as in ``source_row`` of
    every rejection table;
``column``
    the column;
``key``
    the parameter or spec key (``"caliper_sd"``, ``"pseudonymisation.key_env"``);
``value``
    the offending value as text (never a person identifier);
``rule``
    the rule broken, in words;
``detail``
    what is wrong, for kinds without a rule.

The message (``str(e)``) is the crate's own, and never holds a person
identifier: where a problem is in a person's row, the row number is the
locator.
"""

from __future__ import annotations

from typing import Any, Optional

__all__ = [
    "OutcomesError",
    "InvalidValueError",
    "MissingColumnError",
    "MalformedFileError",
    "UnknownColumnError",
    "InvalidParameterError",
    "InsufficientDataError",
    "NumericalError",
    "FileError",
    "FrameError",
]


class OutcomesError(Exception):
    """Base class of every error raised by ``outcomes``."""

    kind: str
    file: Optional[str]
    row: Optional[int]
    column: Optional[str]
    key: Optional[str]
    value: Optional[str]
    rule: Optional[str]
    detail: Optional[str]

    def __init__(
        self,
        message: str,
        *,
        kind: str = "other",
        file: Optional[str] = None,
        row: Optional[int] = None,
        column: Optional[str] = None,
        key: Optional[str] = None,
        value: Optional[str] = None,
        rule: Optional[str] = None,
        detail: Optional[str] = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.file = file
        self.row = row
        self.column = column
        self.key = key
        self.value = value
        self.rule = rule
        self.detail = detail
        for k, v in extra.items():
            setattr(self, k, v)

    def to_dict(self) -> dict[str, Any]:
        """The error's fields, for logging (no identifier is among them)."""
        return {
            k: v
            for k, v in vars(self).items()
            if not k.startswith("_") and k not in ("args", "__traceback__")
        }


class InvalidValueError(OutcomesError, ValueError):
    """A value in the input broke a rule: ``file``, ``row``, ``column``,
    ``value`` and ``rule`` say where and which."""


class MissingColumnError(OutcomesError, ValueError):
    """A required column is absent: ``file``, ``column``, and ``present``
    (the columns found, comma-separated)."""

    present: Optional[str]


class MalformedFileError(OutcomesError, ValueError):
    """A file that cannot be read as what it claims to be (empty, lone-CR line
    ends, not UTF-8, a ragged row, an unclosed quote, no header row):
    ``file``, and ``row`` and ``column`` where known, with ``detail``."""


class UnknownColumnError(OutcomesError, ValueError):
    """A column the dataset does not have: ``file``, ``column``, ``nearest``
    (the expected name it looks like a misspelling of) and ``expected``."""

    nearest: Optional[str]
    expected: Optional[str]


class InvalidParameterError(OutcomesError, ValueError):
    """A parameter out of its range: ``key`` names it, with ``value`` and
    ``rule``."""


class InsufficientDataError(OutcomesError, ValueError):
    """Too little data for a computation: ``what`` was being computed and
    ``detail`` why the data do not suffice."""

    what: Optional[str]


class NumericalError(OutcomesError, ArithmeticError):
    """A numerical procedure failed (separation, a singular design): ``what``
    and ``detail`` name the covariate or term where known."""

    what: Optional[str]


class FileError(OutcomesError, OSError):
    """Reading or writing a file failed: ``file`` is the path."""


class FrameError(OutcomesError, RuntimeError):
    """The data-frame engine failed: ``what`` the library was doing; the
    engine's message, in ``detail``, is scrubbed of any value it quotes."""

    what: Optional[str]
