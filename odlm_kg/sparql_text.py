r"""A small SPARQL tokenizer, for editing query text where a parse tree gives no positions.

The named-query catalogue uses it to find where a query's WHERE group opens (parameters are bound by
a ``VALUES`` row inserted there); the endpoint uses it to add ``USING`` clauses for the protocol's
``using-graph-uri`` (and then parses the result again before running it). Strings, IRIs, escaped local
names and comments are single tokens, so a keyword inside a literal is never mistaken for a clause.

Nothing that decides what an operation may do is made here: ``SERVICE``, ``LOAD`` and the dataset an
operation names are read from rdflib's parse tree (:mod:`odlm_kg.server.sparql_check`).

>>> [t.text for t in tokenize('SELECT ?x WHERE { ?x <urn:p> "WHERE" } # WHERE')]
['SELECT', '?x', 'WHERE', '{', '?x', '<urn:p>', '"WHERE"', '}']
>>> where_group_start('SELECT * WHERE { ?s ?p ?o }')
16
>>> [t.text for t in tokenize(r'SELECT * { ?s ?p ex:a\# } # a comment')][-2:]
['ex:a\\#', '}']
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
  | (?P<word>[A-Za-z_\u00C0-\uFFFF][\w\-.\u00B7\u00C0-\uFFFF]*(?<!\.)(?::(?:[\w\-.:%\u00B7\u00C0-\uFFFF]|\\[_~.\-!$&'()*+,;=/?\#@%])*(?<!\.))?
             |:(?:[\w\-.:%\u00B7\u00C0-\uFFFF]|\\[_~.\-!$&'()*+,;=/?\#@%])*(?<!\.))
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


def service_endpoints(text: str) -> list[str | None]:
    """The endpoint of every SERVICE clause, read from rdflib's parse tree: an IRI, or None for a
    variable (or a name that does not resolve to an absolute IRI).

    >>> service_endpoints('PREFIX e: <http://x.org/> SELECT * { SERVICE SILENT e:sparql { ?s ?p ?o } }')
    ['http://x.org/sparql']
    """
    from odlm_kg.server.sparql_check import service_endpoints as parsed_service_endpoints

    return parsed_service_endpoints(text)


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
