"""The named-query catalogue: ``queries/*.rq``, each with a metadata header, run with typed parameters.

A query file starts with ``#`` comment lines::

    # title: Concepts of a scheme
    # description: Every SKOS concept in one concept scheme, with its label.
    # rq: RQ1
    # evidence: findings, survey, crawl
    # param: scheme iri https://w3id.org/odlm/vocab/motivation The concept scheme to list

A ``param`` line is ``name type default description``; the type is one of ``iri``, ``string``,
``integer``, ``decimal``, ``boolean``. The default is a value of that type (in double quotes when it
has spaces), ``required`` (the caller must give it) or ``-`` (no default: the variable stays unbound, so
the query ranges over all values).
A parameter is the query variable of the same name; it is bound by a ``VALUES`` row inserted at the
start of the WHERE group, built from the validated, typed value (never by pasting text into the
query), so it is visible to the patterns and FILTERs of that group.

>>> q = parse_query_text("x", '# title: T\\n# param: n integer 3 How many\\nSELECT ?n WHERE { }')
>>> q.parameters[0].type, q.parameters[0].default
('integer', 3)
>>> q.bind(n=5)
'# title: T\\n# param: n integer 3 How many\\nSELECT ?n WHERE { VALUES ?n { 5 }\\n }'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from odlm_kg.errors import InputError, UsageError
from odlm_kg.namespaces import PREFIXES
from odlm_kg.sparql_text import query_form, where_group_start

if TYPE_CHECKING:
    import pandas

    from odlm_kg.store.base import QueryResult, Store

PARAMETER_TYPES = ("iri", "string", "integer", "decimal", "boolean")
_TYPE_WORDS = {"iri": "an IRI", "string": "a string", "integer": "an integer", "decimal": "a decimal number",
               "boolean": "a boolean (true/false)"}
_HEADER = re.compile(r"^#\s*(?P<key>[A-Za-z_-]+)\s*:\s*(?P<value>.*?)\s*$")
_IRI_OK = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^<>\"{}|^`\\\x00-\x20]*$")
_NAME_OK = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REQUIRED = object()
_UNBOUND = object()


class ParameterError(UsageError):
    """A named-query parameter that is unknown, missing or not of its declared type."""

    def __init__(self, message: str, *, parameter: str | None = None, expected: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.expected = expected


@dataclass(frozen=True)
class QueryParameter:
    name: str
    type: str
    default: Any  # a typed value, or the markers for "required" / "unbound"
    description: str = ""

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    @property
    def has_default(self) -> bool:
        return self.default is not _REQUIRED and self.default is not _UNBOUND

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly description (for ``/queries`` and ``--list``)."""
        default: Any = None
        if self.has_default:
            default = self.default if isinstance(self.default, bool | int | str) else str(self.default)
        return {"name": self.name, "type": self.type, "required": self.required, "default": default,
                "description": self.description}

    def parse(self, raw: object) -> Any:
        """Check and convert one value (a string from the CLI or HTTP, or a Python value)."""
        expected = _TYPE_WORDS[self.type]

        def fail(detail: str = "") -> ParameterError:
            shown = raw if isinstance(raw, str) else repr(raw)
            return ParameterError(f"parameter {self.name!r}: expected {expected}, got {shown!r}{detail}",
                                  parameter=self.name, expected=self.type)

        if self.type == "boolean":
            if isinstance(raw, bool):
                return raw
            word = str(raw).strip().lower()
            if word in ("true", "1", "yes"):
                return True
            if word in ("false", "0", "no"):
                return False
            raise fail()
        if self.type == "integer":
            if isinstance(raw, bool):
                raise fail()
            if isinstance(raw, int):
                return raw
            text = str(raw).strip()
            if not re.fullmatch(r"[+-]?\d+", text):
                raise fail()
            return int(text)
        if self.type == "decimal":
            if isinstance(raw, bool):
                raise fail()
            try:
                value = Decimal(str(raw).strip())
            except InvalidOperation as exc:
                raise fail() from exc
            if not value.is_finite():
                raise fail()
            return value
        if self.type == "string":
            if not isinstance(raw, str):
                raise fail()
            return raw
        # iri: absolute, or a prefixed name with a prefix the package knows
        text = str(raw).strip()
        prefix, sep, local = text.partition(":")
        if sep and prefix in PREFIXES and not local.startswith("//"):
            text = PREFIXES[prefix] + local
        if not _IRI_OK.match(text):
            raise fail(" (an absolute IRI such as https://w3id.org/odlm/vocab/motivation, or a known prefix)")
        return text

    def sparql_term(self, value: Any) -> str:
        """The value as a SPARQL term, escaped by construction."""
        if self.type == "iri":
            return f"<{value}>"
        if self.type == "boolean":
            return "true" if value else "false"
        if self.type == "integer":
            return str(int(value))
        if self.type == "decimal":
            return f'"{value}"^^<http://www.w3.org/2001/XMLSchema#decimal>'
        escaped = (str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                   .replace("\r", "\\r"))
        return f'"{escaped}"'


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    research_question: tuple[str, ...]
    evidence: tuple[str, ...]
    parameters: tuple[QueryParameter, ...]
    text: str
    path: Path | None = None
    form: str | None = field(default=None)

    def parameter(self, name: str) -> QueryParameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise ParameterError(f"query {self.name!r} has no parameter {name!r} (parameters: {known})",
                             parameter=name)

    def validate(self, params: Mapping[str, object]) -> dict[str, Any]:
        """Typed values of every bound parameter (given, else default); raises ParameterError."""
        values: dict[str, Any] = {}
        for name, raw in params.items():
            values[name] = self.parameter(name).parse(raw)
        for parameter in self.parameters:
            if parameter.name in values:
                continue
            if parameter.required:
                raise ParameterError(f"query {self.name!r} needs parameter {parameter.name!r} "
                                     f"({_TYPE_WORDS[parameter.type]})", parameter=parameter.name,
                                     expected=parameter.type)
            if parameter.has_default:
                values[parameter.name] = parameter.default
        return values

    def bind(self, **params: object) -> str:
        """The query text with its parameters bound by a VALUES row at the start of the WHERE group."""
        values = self.validate(params)
        if not values:
            return self.text
        position = where_group_start(self.text)
        if position is None:
            raise InputError(f"{self.path or self.name}: the query has parameters but no WHERE group")
        rows = "\n".join(f"VALUES ?{name} {{ {self.parameter(name).sparql_term(value)} }}"
                         for name, value in values.items())
        return f"{self.text[:position]} {rows}\n{self.text[position:]}"

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "description": self.description,
                "research_question": list(self.research_question), "evidence": list(self.evidence),
                "form": self.form, "parameters": [p.as_dict() for p in self.parameters], "text": self.text}


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[,|]", value) if part.strip())


def _parse_parameter(where: str, value: str) -> QueryParameter:
    quoted = re.match(r'^(\S+)\s+(\S+)\s+"([^"]*)"\s*(.*)$', value)  # a default with spaces, in quotes
    parts = list(quoted.groups()) if quoted else value.split(None, 3)
    if len(parts) < 3:
        raise InputError(f"{where}: '# param:' needs 'name type default [description]', got {value!r}")
    name, kind, default_text = parts[:3]
    description = parts[3] if len(parts) > 3 else ""
    if not _NAME_OK.match(name):
        raise InputError(f"{where}: parameter name {name!r} is not a SPARQL variable name")
    if kind not in PARAMETER_TYPES:
        raise InputError(f"{where}: parameter {name!r} has type {kind!r}; expected one of "
                         f"{', '.join(PARAMETER_TYPES)}")
    parameter = QueryParameter(name, kind, _UNBOUND, description)
    if default_text == "required":
        default: Any = _REQUIRED
    elif default_text == "-":
        default = _UNBOUND
    else:
        try:
            default = parameter.parse(default_text)
        except ParameterError as exc:
            raise InputError(f"{where}: default of {exc}") from exc
    return QueryParameter(name, kind, default, description)


def parse_query_text(name: str, text: str, path: Path | None = None) -> NamedQuery:
    """Read the metadata header (``# key: value`` lines before the first non-comment line)."""
    where = str(path or name)
    meta: dict[str, str] = {}
    parameters: list[QueryParameter] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER.match(stripped)
        if not match:
            continue
        key, value = match.group("key").lower(), match.group("value")
        if key == "param":
            parameter = _parse_parameter(where, value)
            if any(p.name == parameter.name for p in parameters):
                raise InputError(f"{where}: parameter {parameter.name!r} is declared twice")
            parameters.append(parameter)
        else:
            meta[key] = value
    return NamedQuery(
        name=name,
        title=meta.get("title", name),
        description=meta.get("description", ""),
        research_question=_split_list(meta.get("rq", "")),
        evidence=_split_list(meta.get("evidence", "")),
        parameters=tuple(parameters),
        text=text,
        path=path,
        form=query_form(text),
    )


def queries_dir() -> Path:
    from odlm_kg.resources import resource_dir

    return resource_dir("queries")


def list_queries(directory: Path | None = None) -> list[NamedQuery]:
    """Every named query shipped in ``queries/`` (sorted by name)."""
    folder = directory or queries_dir()
    found = []
    for path in sorted(folder.glob("*.rq")):
        found.append(parse_query_text(path.stem, path.read_text(encoding="utf-8"), path))
    return found


def get_query(name: str, directory: Path | None = None) -> NamedQuery:
    """One named query by its name (the file name without ``.rq``)."""
    folder = directory or queries_dir()
    path = folder / f"{name}.rq"
    if not _NAME_OK.match(name.replace("-", "_")) or not path.is_file():
        known = ", ".join(p.stem for p in sorted(folder.glob("*.rq"))) or "none"  # names only: nothing parsed
        raise UsageError(f"no named query {name!r}. Named queries: {known}.")
    return parse_query_text(name, path.read_text(encoding="utf-8"), path)


def run_named_query(store: Store, name: str, **params: object) -> QueryResult:
    """Run a named query with typed, validated parameters against a store."""
    return store.query(get_query(name).bind(**params))


def result_to_dataframe(result: QueryResult) -> pandas.DataFrame:
    """SELECT -> one column per variable (literals as Python values, IRIs as strings); ASK -> one
    ``boolean`` cell; CONSTRUCT/DESCRIBE -> subject, predicate, object columns."""
    import pandas as pd
    from rdflib import Graph, Literal

    def value(term: object) -> object:
        if term is None:
            return None
        if isinstance(term, Literal):
            python = term.toPython()
            return str(term) if python is term else python
        return str(term)

    if isinstance(result, bool):
        return pd.DataFrame({"boolean": [result]})
    if isinstance(result, Graph):
        rows = sorted((str(s), str(p), value(o)) for s, p, o in result)
        return pd.DataFrame(rows, columns=["subject", "predicate", "object"])
    return pd.DataFrame([[value(row.get(v)) for v in result.variables] for row in result.rows],
                        columns=result.variables)


def query(name: str, store: Store | None = None, **params: object) -> pandas.DataFrame:
    """Run a named query and return a pandas DataFrame.

    Without ``store`` the default store is opened (``$ODLM_KG_STORE`` or the per-user data directory),
    built first when it is empty, and closed afterwards.
    """
    if store is not None:
        return result_to_dataframe(run_named_query(store, name, **params))
    from odlm_kg.build import build
    from odlm_kg.store import open_store

    opened = open_store()
    try:
        if opened.is_empty():
            build(opened)
        return result_to_dataframe(run_named_query(opened, name, **params))
    finally:
        opened.close()
