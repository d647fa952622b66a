"""What a SPARQL query or update may do on this endpoint, decided on its parse tree.

rdflib's SPARQL parser reads the text; the walk below finds every ``SERVICE`` endpoint (an IRI, or a
variable) and every ``LOAD`` source, and whether the operation names its own dataset (``FROM``,
``FROM NAMED``, ``USING``, ``WITH``). A text the parser cannot read is refused with the parser's message,
even when Oxigraph might have read it: the endpoint never runs what it could not check. This runs in a
worker process (never on the event loop): parsing is as costly and as attackable as running.

>>> check_operation("PREFIX e: <http://x.org/> SELECT * { SERVICE e:sp\\\\-q { ?s ?p ?o } }", "query",
...                 allowed=("http://x.org/sp-q",)).services
('http://x.org/sp-q',)
>>> try:
...     check_operation("SELECT * { SERVICE ?where { ?s ?p ?o } }", "query", allowed=())
... except Refused as refused:
...     print(refused.status, refused.message[:40])
403 SERVICE with a variable endpoint refused
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

#: Python frames the rdflib parser may use: about 16 per nested group and 33 per nested parenthesis,
#: so a few hundred levels of nesting parse; deeper is refused as "too deeply nested". The worker
#: parses in a thread with a large stack (:data:`odlm_kg.server.workers.THREAD_STACK_BYTES`), so this
#: ends in a RecursionError, never in a stack overflow.
PARSER_RECURSION_LIMIT = 20_000
_LOCAL_ESCAPE = re.compile(r"\\(.)")


class Refused(Exception):
    """An operation this endpoint will not run: ``status`` and one sentence."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class CheckedOperation:
    """What the parse tree says about an operation that passed the checks."""

    services: tuple[str, ...]  # SERVICE endpoint IRIs (all on the allow-list)
    loads: tuple[str, ...]  # LOAD source IRIs (all on the allow-list)
    names_dataset: bool  # FROM / FROM NAMED (query), USING / WITH (update)


def _nodes(tree: Any) -> Iterator[Any]:
    """Every node of an rdflib parse tree, depth first, without recursion."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, dict):  # CompValue is an OrderedDict
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
            stack.extend(reversed(list(node)))


def _name(node: Any) -> str | None:
    return getattr(node, "name", None) if isinstance(node, dict) else None


def _absolute(iri: str) -> str | None:
    return iri if urlsplit(iri).scheme else None


def _resolve(term: Any, prefixes: dict[str, str | None]) -> str | None:
    """The absolute IRI a SERVICE or LOAD term names, or None (a variable, a relative IRI, an undeclared
    or ambiguous prefix: all refused, since only an exact allow-list match passes)."""
    from rdflib.term import URIRef

    if isinstance(term, URIRef):
        return _absolute(str(term))
    if _name(term) == "pname":
        namespace = prefixes.get(term.get("prefix") or "")
        if namespace is None:
            return None
        return _absolute(namespace + _LOCAL_ESCAPE.sub(r"\1", term.get("localname") or ""))
    return None


def _declare(prologue: Any, prefixes: dict[str, str | None]) -> None:
    for node in _nodes(prologue):
        if _name(node) == "PrefixDecl":
            prefix, iri = node.get("prefix") or "", str(node.get("iri"))
            # a prefix declared twice with different namespaces is ambiguous: refuse what uses it
            prefixes[prefix] = iri if prefixes.get(prefix, iri) == iri else None


def parse_operation(text: str, kind: str) -> Any:
    """rdflib's parse tree of a query or an update; :class:`Refused` (400) when it cannot be read."""
    import sys

    import pyparsing
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    word = "query" if kind == "query" else "update"
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, PARSER_RECURSION_LIMIT))
    try:
        return parseQuery(text) if kind == "query" else parseUpdate(text)
    except RecursionError:
        raise Refused(400, f"{word} too deeply nested: this endpoint reads a few hundred levels of "
                           "nested groups or parentheses at most") from None
    except pyparsing.ParseBaseException as exc:
        # pyparsing's own text ends in "(at char N), (line:L, col:C)": the position is given once, first
        reason = str(exc).split("  (at char")[0]
        raise Refused(400, f"malformed {word}: error at {exc.lineno}:{exc.col}: {reason}") from None
    except Exception as exc:  # rdflib raises a few others for bad input (bad IRIs, bad escapes)
        raise Refused(400, f"malformed {word}: {type(exc).__name__}: {exc}") from None
    finally:
        sys.setrecursionlimit(limit)


def _operations(tree: Any, kind: str) -> list[tuple[Any, Any]]:
    """(prologue, operation) pairs: one for a query; for an update, each operation with its prologue
    (a prefix declared there holds for the rest of the request)."""
    if kind == "query":
        return [(tree[0], tree[1])]
    return list(zip(tree.get("prologue") or [], tree.get("request") or [], strict=False))


def service_endpoints(text: str) -> list[str | None]:
    """Every SERVICE endpoint of a query, in order: its absolute IRI, or None (a variable, a relative IRI,
    an undeclared prefix). :class:`Refused` when the query cannot be parsed."""
    found: list[str | None] = []
    prefixes: dict[str, str | None] = {}
    for prologue, operation in _operations(parse_operation(text, "query"), "query"):
        _declare(prologue, prefixes)
        found += [_resolve(node.get("term"), prefixes) for node in _nodes(operation)
                  if _name(node) == "ServiceGraphPattern"]
    return found


def check_operation(text: str, kind: str, *, allowed: tuple[str, ...]) -> CheckedOperation:
    """Parse ``text`` (``kind`` "query" or "update") and refuse it (:class:`Refused`) when it cannot be
    read, or when a SERVICE or LOAD names an endpoint off ``allowed`` or a variable."""
    pairs = _operations(parse_operation(text, kind), kind)
    prefixes: dict[str, str | None] = {}
    services: list[str] = []
    loads: list[str] = []
    names_dataset = False
    for prologue, operation in pairs:
        _declare(prologue, prefixes)
        for node in _nodes(operation):
            name = _name(node)
            if name == "ServiceGraphPattern":
                endpoint = _resolve(node.get("term"), prefixes)
                if endpoint is None or endpoint not in allowed:
                    shown = "a variable endpoint" if type(node.get("term")).__name__ == "Variable" else (
                        f"<{endpoint}>" if endpoint else "an endpoint that is not an absolute IRI")
                    raise Refused(403, f"SERVICE with {shown} refused: federated queries may reach only the "
                                       "endpoints on this server's allow-list (--service-allow)")
                services.append(endpoint)
            elif name == "Load":
                source = _resolve(node.get("iri"), prefixes)
                if source is None or source not in allowed:
                    shown = f"<{source}>" if source else "a source that is not an absolute IRI"
                    raise Refused(403, f"LOAD of {shown} refused: the server fetches only from the endpoints "
                                       "on its allow-list (--service-allow)")
                loads.append(source)
            elif name in ("DatasetClause", "UsingClause") or (isinstance(node, dict) and "withClause" in node):
                names_dataset = True
    return CheckedOperation(tuple(services), tuple(loads), names_dataset)
