"""One-line messages for a client's mistakes.

Oxigraph's parser answers a missing ``PREFIX`` with five lines of Unicode ranges ("expected one of
Prefix not found, ['%'], ['-' | '0' ..= '9' | '\\u{00B7}' …"); a person reading the query page needs the
position and the reason on one line.

>>> one_line_syntax_error("error at 1:30: expected one of Prefix not found, ['%'], ['-' |\\n'x'], ['_']",
...                       "SELECT * WHERE { ?s a foo:Bar }")
"error at 1:30: the prefix 'foo:' is not declared (add PREFIX foo: <…> before SELECT)"
>>> one_line_syntax_error("error at 1:18: Expected SelectQuery, found '?'", "SELECT * WHERE { ?s ?p }")
"error at 1:18: Expected SelectQuery, found '?'"
"""

from __future__ import annotations

import re

_POSITION = re.compile(r"error at (\d+):(\d+)")
_CHARACTER_CLASS = re.compile(r"\[[^\[\]]*\]")
#: at most this many characters of a parser's message are shown
MAX_MESSAGE_CHARACTERS = 240


def _prefix_at(sparql: str, line: int, column: int) -> str | None:
    """The prefix of the prefixed name that ends at (1-based) ``line``:``column`` of ``sparql``."""
    lines = sparql.splitlines()
    if not 0 < line <= len(lines):
        return None
    before = lines[line - 1][: max(column - 1, 0)]
    found = re.search(r"([A-Za-z][\w.-]*)?:[\w.-]*$", before)
    return None if found is None else (found.group(1) or "")


def one_line_syntax_error(message: str, sparql: str = "") -> str:
    """The parser's ``message`` about ``sparql`` as one line: an undeclared prefix is named, lists of
    expected character classes are dropped, and the rest is cut at :data:`MAX_MESSAGE_CHARACTERS`."""
    position = _POSITION.search(message)
    where = position.group(0) if position else ""
    if "Prefix not found" in message:
        prefix = _prefix_at(sparql, int(position.group(1)), int(position.group(2))) if position else None
        if prefix is not None:
            return (f"{where}: the prefix '{prefix}:' is not declared "
                    f"(add PREFIX {prefix}: <…> before SELECT)").lstrip(": ")
        return f"{where}: a prefix is not declared (add its PREFIX line)".lstrip(": ")
    text = " ".join(message.split())
    if "expected one of" in text:
        text = _CHARACTER_CLASS.sub("", text)
        text = re.sub(r"(,\s*)+", ", ", text).replace("one of ,", "one of").rstrip(", ")
    if len(text) > MAX_MESSAGE_CHARACTERS:
        text = text[: MAX_MESSAGE_CHARACTERS - 1].rstrip() + "…"
    return text
