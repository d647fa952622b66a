"""Errors a user can act on. The CLI turns each into one or two sentences on stderr and an exit code.

Exit codes follow DESIGN §10: 0 success, 1 the command ran and found problems, 2 usage error or
unreadable input.
"""

from __future__ import annotations


class OdlmError(Exception):
    """Base class of errors that are the user's to fix; never shown as a stack trace."""

    exit_code = 2


class InputError(OdlmError):
    """Input that cannot be read at all (missing file, bad syntax, wrong format). Nothing was written."""

    exit_code = 2


class UsageError(OdlmError):
    """A command, option or parameter that does not fit."""

    exit_code = 2


class ProblemsFound(OdlmError):
    """The command ran and found problems (SHACL violations, rejected records under ``--strict``)."""

    exit_code = 1


class StoreError(OdlmError):
    """The store could not be opened or answered with an error."""

    exit_code = 2


class StoreRefusedQuery(StoreError, SyntaxError):
    """A remote store refused a query or update as malformed (HTTP 400). A ``SyntaxError`` too, so that
    ``odlm-kg query`` reports it as it reports the embedded store's syntax errors; a ``StoreError``, so
    that any other command (``report``, ``stats``) ends in a sentence, not a stack trace."""


def located(path: object, message: str, *, line: int | None = None, record: int | None = None,
            field: str | None = None) -> str:
    """Format a message that names where the problem is: file, then line or record, then field.

    >>> located("a.csv", "expected a number", record=3, field="Q2")
    'a.csv: record 3: field Q2: expected a number'
    >>> located("x.ttl", "bad token", line=7)
    'x.ttl:7: bad token'
    """
    where = str(path)
    if line is not None:
        where += f":{line}"
    if record is not None:
        where += f": record {record}"
    if field is not None:
        where += f": field {field}"
    return f"{where}: {message}"
