"""A small SPARQL tokenizer: enough to find clauses without a full parser.

The named-query catalogue uses it to find where a query's WHERE group opens (parameters are bound by
a ``VALUES`` row inserted there); the endpoint uses it to find ``SERVICE`` endpoints (checked against
an allow-list) and to add ``USING`` clauses for the protocol's ``using-graph-uri``. Strings, IRIs and
comments are single tokens, so a keyword inside a literal is never mistaken for a clause.

>>> [t.text for t in tokenize('SELECT ?x WHERE { ?x <urn:p> "WHERE" } # WHERE')]
['SELECT', '?x', 'WHERE', '{', '?x', '<urn:p>', '"WHERE"', '}']
>>> where_group_start('SELECT * WHERE { ?s ?p ?o }')
16
>>> service_endpoints('PREFIX e: <http://x.org/> SELECT * { SERVICE SILENT e:sparql { ?s ?p ?o } }')
['http://x.org/sparql']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<word>[A-Za-z_\u00C0-\uFFFF][\w\-.\u00B7\u00C0-\uFFFF]*(?<!\.)(?::[\w\-.:%\u00B7\u00C0-\uFFFF]*(?<!\.))?
             |:[\w\-.:%\u00B7\u00C0-\uFFFF]*(?<!\.))
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str  # comment, string, iri, var, word, open, close, other
    text: str
    start: int
    depth: int  # brace depth before the token

    def is_keyword(self, *names: str) -> bool:
        return self.kind == "word" and self.text.upper() in names


def tokenize(text: str, *, keep_comments: bool = False) -> Iterator[Token]:
    depth = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "ws" or (kind == "comment" and not keep_comments):
            continue
        if kind == "close":
            depth = max(0, depth - 1)
        yield Token(kind, match.group(), match.start(), depth)
        if kind == "open":
            depth += 1


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE (the first form keyword at depth 0), else None.

    >>> query_form('PREFIX a: <urn:a#> construct { ?s ?p ?o } WHERE { ?s ?p ?o }')
    'CONSTRUCT'
    """
    for token in tokenize(text):
        if token.depth == 0 and token.is_keyword("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return token.text.upper()
    return None


def where_group_start(text: str) -> int | None:
    """Offset just after the ``{`` that opens the query's WHERE group (None when there is none)."""
    tokens = [t for t in tokenize(text) if t.depth == 0]
    form = None
    seen_where = False
    opens = 0
    for token in tokens:
        if form is None and token.is_keyword("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            form = token.text.upper()
        elif token.is_keyword("WHERE"):
            seen_where = True
        elif token.kind == "open" and form is not None:
            opens += 1
            if seen_where or form != "CONSTRUCT" or opens == 2:
                return token.start + 1
    return None


def declared_prefixes(tokens: list[Token]) -> dict[str, str]:
    """PREFIX declarations among a query's tokens (prefix without colon -> namespace IRI)."""
    declared: dict[str, str] = {}
    for i, token in enumerate(tokens[:-2]):
        if token.is_keyword("PREFIX") and tokens[i + 2].kind == "iri":
            declared[tokens[i + 1].text.rstrip(":")] = tokens[i + 2].text[1:-1]
    return declared


def service_endpoints(text: str) -> list[str | None]:
    """The endpoint of every SERVICE clause: an IRI, or None when it is a variable or unresolvable."""
    tokens = list(tokenize(text))
    declared = declared_prefixes(tokens)
    found: list[str | None] = []
    for i, token in enumerate(tokens):
        if not token.is_keyword("SERVICE"):
            continue
        j = i + 1
        if j < len(tokens) and tokens[j].is_keyword("SILENT"):
            j += 1
        target = tokens[j] if j < len(tokens) else None
        if target is not None and target.kind == "iri":
            found.append(target.text[1:-1])
        elif target is not None and target.kind == "word" and ":" in target.text:
            prefix, _, local = target.text.partition(":")
            found.append(declared[prefix] + local if prefix in declared else None)
        else:
            found.append(None)
    return found


def has_dataset_clause(update: str) -> bool:
    """True when an update names its own dataset (USING, USING NAMED or WITH)."""
    return any(t.depth == 0 and t.is_keyword("USING", "WITH") for t in tokenize(update))


def add_using(update: str, using: list[str], using_named: list[str]) -> str:
    """Insert USING / USING NAMED clauses before each depth-0 WHERE of an update (protocol dataset).

    >>> add_using('INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }', ['urn:g'], [])
    'INSERT { ?s ?p ?o } USING <urn:g> WHERE { ?s ?p ?o }'
    """
    clause = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named])
    pieces: list[str] = []
    last = 0
    previous: Token | None = None
    for token in tokenize(update):
        shorthand = previous is not None and previous.is_keyword("DELETE")  # DELETE WHERE takes no USING
        previous = token
        if token.depth == 0 and token.is_keyword("WHERE") and not shorthand:
            pieces.append(update[last:token.start])
            pieces.append(clause + " ")
            last = token.start
    pieces.append(update[last:])
    return "".join(pieces)


def has_from_clause(query: str) -> bool:
    """True when a query names its own dataset (FROM or FROM NAMED); then it, not the union, applies.

    >>> has_from_clause('SELECT * FROM <urn:g> WHERE { ?s ?p ?o }'), has_from_clause('SELECT * { ?s ?p "FROM" }')
    (True, False)
    """
    return any(t.depth == 0 and t.is_keyword("FROM") for t in tokenize(query))
