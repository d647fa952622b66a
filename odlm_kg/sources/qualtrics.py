"""Qualtrics CSV exports, read through a codebook, as pseudonymised survey responses (source ``survey``).

``odlm-kg load survey --codebook CODEBOOK.yaml EXPORT.csv`` reads every export layout Qualtrics has
produced: the current one (three header rows: column names, question texts, ImportId cells written as
JSON with doubled quotes), the 2016–17 "Insights" one (ImportId cells as single-quoted dicts), and the
legacy one (UTF-8 BOM, ``V1..Vn`` metadata names resolved through the second header row, a trailing
comma). Multi-select answers come as split ``Qn_k`` columns or as the chosen texts joined by commas
(split with the codebook's known option texts, since those contain commas themselves).

Privacy: the columns that identify people (IP address, recipient names and e-mail, geolocation,
external references, and any the codebook adds) are dropped while reading and never reach a record.
Responses and respondents get IRIs that are SHA-256 hashes of the salted response id; free-text
answers are checked to belong to the codebook but not copied into the graph.

>>> key = response_key("R_abc", "pepper")
>>> len(key), key == response_key("R_abc", "pepper"), key == response_key("R_abc", "salt")
(64, True, False)
"""

from __future__ import annotations

import ast
import csv
import hashlib
import io
import json
import os
import re
import sys
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from odlm_kg.errors import InputError, UsageError
from odlm_kg.namespaces import ODLM, graph_iri, instance_iri
from odlm_kg.sources.base import (
    CHUNK_CHARS,
    LoadOptions,
    Record,
    RecordError,
    Triple,
    _text_chunks,
    open_binary,
)
from odlm_kg.sources.survey_codebook import (
    METADATA_COLUMNS,
    PROPERTIES,
    Codebook,
    Option,
    Question,
    declared_concept_triples,
    load_codebook,
)

SALT_VARIABLE = "ODLM_KG_SURVEY_SALT"
DEFAULT_SALT = "odlm-kg-default-salt"
FINISHED_VALUES = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
SELECTED_VALUES = frozenset({"1", "true", "yes", "selected"})
_LEGACY_NAME = re.compile(r"V\d+")
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d",
                 "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")
_DATE_COLUMNS = ("RecordedDate", "EndDate", "StartDate")


class DefaultSaltWarning(UserWarning):
    """No salt was given: respondent IRIs use the public default salt and can be recomputed by anyone."""


def response_key(response_id: str, salt: str, kind: str = "response") -> str:
    """Hex SHA-256 of the salted response id; ``kind`` separates the response and respondent keys."""
    return hashlib.sha256(f"{salt}\x1f{kind}\x1f{response_id}".encode()).hexdigest()


def choose_salt(given: str | None) -> str:
    """The salt: the option, else $ODLM_KG_SURVEY_SALT, else the default with a DefaultSaltWarning."""
    if given:
        return given
    from_env = os.environ.get(SALT_VARIABLE)
    if from_env:
        return from_env
    warnings.warn(f"no --salt and no ${SALT_VARIABLE}: respondent IRIs use the public default salt, so anyone "
                  "holding the export can link them back to response ids", DefaultSaltWarning, stacklevel=2)
    return DEFAULT_SALT


def parse_date(text: str) -> datetime:
    """A Qualtrics date: ISO (raw exports) or d/m/yyyy h:mm (re-saved by a spreadsheet).

    >>> parse_date("2017-07-18 08:28:09").isoformat()
    '2017-07-18T08:28:09'
    >>> parse_date("9/11/2022 17:54").date().isoformat()
    '2022-11-09'
    """
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern)
        except ValueError:
            continue
    raise ValueError(f"date {text!r}: expected yyyy-mm-dd hh:mm:ss or d/m/yyyy h:mm")


def import_id(cell: str) -> str | None:
    """The ImportId of a third-row cell, written as JSON or as a Python dict; None if it is neither.

    >>> import_id('{"ImportId":"QID1"}'), import_id("{'ImportId': 'QID2-1'}"), import_id("Q1")
    ('QID1', 'QID2-1', None)
    """
    text = cell.strip()
    if not text.startswith("{"):
        return None
    for parse in (json.loads, ast.literal_eval):
        try:
            value = parse(text)
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, dict) and "ImportId" in value:
            return str(value["ImportId"])
    return None


@dataclass
class ExportLayout:
    """What the header rows said: the column names in order, which header layout, the first data row."""

    names: list[str]
    layout: str  # "current", "insights", "legacy", "two-row"
    first_data_row: int  # 1-based CSV record number
    import_ids: list[str | None] = field(default_factory=list)


def read_layout(path: Path, rows: list[list[str]]) -> ExportLayout:
    """Work out the header layout from the first three CSV records."""
    if len(rows) < 2:
        raise InputError(f"{path}: row {len(rows) + 1}: expected the header rows of a Qualtrics export "
                         "(column names, then question texts)")
    first, second = rows[0], rows[1]
    if first and all(_LEGACY_NAME.fullmatch(name) for name in first[:3]):
        names = [second[i] if _LEGACY_NAME.fullmatch(name) and i < len(second) else name
                 for i, name in enumerate(first)]
        return ExportLayout(names, "legacy", 3)
    ids = [import_id(cell) for cell in rows[2]] if len(rows) > 2 else []
    if ids and sum(i is not None for i in ids) >= max(1, len(ids) // 2):
        layout = "insights" if any("'" in cell for cell in rows[2][:3]) else "current"
        return ExportLayout(list(first), layout, 4, ids)
    return ExportLayout(list(first), "two-row", 3)


class QualtricsSource:
    """The ``survey`` source: a Qualtrics export read through one codebook."""

    name = "survey"
    layers: tuple[str, ...] = ("core", "survey")

    def __init__(self, codebook: Codebook, salt: str, *, include_preview: bool = False,
                 include_unfinished: bool = False, graph_name: str | None = None) -> None:
        self.codebook = codebook
        self.salt = salt
        self.include_preview = include_preview
        self.include_unfinished = include_unfinished
        self.graph: URIRef = graph_iri(graph_name or codebook.graph_name)
        self.survey = instance_iri("survey", codebook.survey_id)
        self.excluded: dict[str, Counter[str]] = {}
        self.rows_read: dict[str, int] = {}
        self._survey_triples = self._survey_description()

    # -- reading ------------------------------------------------------------------------------------

    def read(self, path: Path) -> Iterator[Record]:
        """Yield one record per response row, PII columns already dropped; InputError for a file that is
        not a Qualtrics export this codebook describes (nothing is written then)."""
        path = Path(path)
        if path.is_dir():
            files = sorted(p for p in path.glob("*.csv") if p.is_file())
            if not files:
                raise InputError(f"{path}: no .csv files in this directory")
            for file in files:
                yield from self._read_file(file)
        else:
            yield from self._read_file(path)

    def _read_file(self, path: Path) -> Iterator[Record]:
        if not path.exists():
            raise InputError(f"{path}: no such file")
        with open_binary(path) as handle:  # gzip, truncation and UTF-8 errors become InputError
            text = "".join(_text_chunks(path, handle, CHUNK_CHARS))
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            head = [next(reader, None) for _ in range(3)]
        except csv.Error as exc:
            raise InputError(f"{path}: row {reader.line_num}: malformed CSV: {exc}") from exc
        layout = read_layout(path, [row for row in head if row is not None])
        columns = self._columns(path, layout)
        ncols = len(layout.names)
        pending = head[layout.first_data_row - 1:] if layout.first_data_row <= 3 else []
        excluded: Counter[str] = Counter()
        self.excluded[str(path)] = excluded
        count = 0
        row_number = layout.first_data_row - 1
        rows = _rows_after(pending, reader, path)
        for row in rows:
            row_number += 1
            if row is None or not any(cell.strip() for cell in row):
                continue
            if len(row) == ncols + 1 and row[-1] == "" and layout.names[-1] != "":
                row = row[:-1]
            if len(row) != ncols:
                raise InputError(f"{path}: row {row_number}: expected {ncols} columns as in the header, "
                                 f"found {len(row)}")
            values = {columns[i]: cell for i, cell in enumerate(row) if columns[i] is not None}
            status = values.get("Status", "").strip()
            if status in self.codebook.preview_status and not self.include_preview:
                excluded["preview"] += 1
                continue
            finished_text = values.get("Finished", "1").strip().lower()
            if finished_text not in FINISHED_VALUES:
                raise InputError(f"{path}: row {row_number}: column Finished: {finished_text!r}: expected 1/0 "
                                 "or True/False")
            if not FINISHED_VALUES[finished_text] and not self.include_unfinished:
                excluded["unfinished"] += 1
                continue
            count += 1
            yield Record(path, row_number, values)
        self.rows_read[str(path)] = count + sum(excluded.values())

    def _columns(self, path: Path, layout: ExportLayout) -> list[str | None]:
        """Column index -> the name the mapper uses, or None for a column to drop (PII, ignored, trailing)."""
        book = self.codebook
        owners = book.column_owner()
        by_import_id = self._import_id_columns()
        names: list[str | None] = []
        for index, name in enumerate(layout.names):
            name = name.strip()
            if name in book.pii_columns or name in book.ignore_columns:
                names.append(None)
                continue
            if name == "" and index == len(layout.names) - 1:
                names.append(None)  # the legacy layout's trailing comma
                continue
            if name in METADATA_COLUMNS or name in owners:
                names.append(name)
                continue
            qid = layout.import_ids[index] if index < len(layout.import_ids) else None
            mapped = by_import_id.get(_normalise_import_id(qid)) if qid else None
            if mapped is not None:
                names.append(mapped)
                continue
            raise InputError(f"{path}: row 1: column {index + 1} {name!r}: not in the codebook {book.path.name} "
                             "(expected a question column, a Qualtrics metadata column, or a name listed under "
                             "ignore_columns or pii_columns)")
        if "ResponseId" not in names and "ResponseID" not in names:
            raise InputError(f"{path}: row 1: no ResponseId column (expected ResponseId or ResponseID)")
        present = set(names)
        for question in book.questions:
            answer_columns = [c for c in question.columns() if c not in _text_columns(question)]
            if answer_columns and not present.intersection(answer_columns):
                raise InputError(f"{path}: row 1: no column of question {question.id} (expected "
                                 f"{', '.join(answer_columns[:4])}{'…' if len(answer_columns) > 4 else ''})")
        return names

    def _import_id_columns(self) -> dict[str, str]:
        """Normalised ImportId -> column name, for questions the codebook gives an ``import_id``."""
        found: dict[str, str] = {}
        for question in self.codebook.questions:
            if not question.import_id:
                continue
            base = _normalise_import_id(question.import_id)
            if question.column:
                found[base] = question.column
            if question.type == "multi" and question.prefix:
                for code in question.options:
                    found[f"{base}_{code}"] = f"{question.prefix}_{code}"
            if question.type == "matrix":
                for row in question.rows:
                    found[f"{base}_{row}"] = f"{question.prefix}_{row}"
            for option in question.options.values():
                if option.text_column:
                    found[f"{base}_{option.code}_TEXT"] = option.text_column
        return found

    # -- mapping ------------------------------------------------------------------------------------

    def _survey_description(self) -> list[Triple]:
        book = self.codebook
        survey = self.survey
        triples: list[Triple] = [
            (survey, RDF.type, ODLM.Survey),
            (survey, RDFS.label, Literal(book.title, lang="en")),
            (survey, DCTERMS.title, Literal(book.title, lang="en")),
            (survey, DCTERMS.identifier, Literal(book.survey_id)),
        ]
        if book.source_work is not None:
            triples.append((survey, DCTERMS.source, book.source_work))
        if book.population:
            triples.append((survey, ODLM.population, Literal(book.population)))
        if book.description:
            triples.append((survey, DCTERMS.description, Literal(book.description, lang="en")))
        if book.synthetic:
            triples.append((survey, ODLM.synthetic, Literal(True)))
        return triples + declared_concept_triples(book)

    def map_record(self, record: Record) -> Iterable[Triple]:
        values: dict[str, str] = record.data
        response_id = (values.get("ResponseId") or values.get("ResponseID") or "").strip()
        if not response_id:
            raise RecordError("empty response id (expected a Qualtrics ResponseId such as R_…)", field="ResponseId")
        response = instance_iri("response", response_key(response_id, self.salt))
        respondent = instance_iri("respondent", response_key(response_id, self.salt, "respondent"))
        triples = list(self._survey_triples)
        triples += [
            (response, RDF.type, ODLM.SurveyResponse),
            (response, ODLM.survey, self.survey),
            (response, ODLM.respondent, respondent),
            (respondent, RDF.type, ODLM.Respondent),
        ]
        for column in _DATE_COLUMNS:
            text = values.get(column, "").strip()
            if text:
                try:
                    when = parse_date(text)
                except ValueError as exc:
                    raise RecordError(str(exc), field=column) from None
                triples.append((response, DCTERMS.date, Literal(when.date().isoformat(), datatype=XSD.date)))
                break
        nodes = {"response": response, "respondent": respondent}
        for question in self.codebook.questions:
            for option, row in self._answers(question, values):
                concept = option.concept_for(row)
                if concept is not None:
                    target = nodes[PROPERTIES[option.property][0]]
                    triples.append((target, ODLM[option.property], concept))
        return triples

    def _answers(self, question: Question, values: dict[str, str]) -> Iterator[tuple[Option, str | None]]:
        missing = self.codebook.missing_codes
        if question.type == "text":
            return
        if question.type == "matrix":
            for row in question.rows:
                column = f"{question.prefix}_{row}"
                value = values.get(column, "").strip()
                if value and value not in missing:
                    yield self._option(question, column, value), row
            return
        if question.type == "multi" and question.prefix:
            for code, option in question.options.items():
                column = f"{question.prefix}_{code}"
                value = values.get(column, "").strip()
                if not value or value in missing or value == "0":
                    continue
                if value.lower() in SELECTED_VALUES or option.matches(value):
                    yield option, None
                else:
                    raise RecordError(f"answer {value!r} of question {question.id}: expected 1 (chosen), 0 or "
                                      f"empty (not chosen) or a missing code ({', '.join(sorted(missing))})",
                                      field=column)
            return
        column = question.column
        assert column is not None
        value = values.get(column, "").strip()
        if not value or value in missing:
            return
        if question.type == "single":
            yield self._option(question, column, value), None
            return
        for option in _split_choices(question, column, value):
            yield option, None

    def _option(self, question: Question, column: str, value: str) -> Option:
        option = question.find_option(value)
        if option is None:
            known = ", ".join(repr(code) for code in list(question.options)[:8])
            raise RecordError(f"answer {value!r} is not an option of question {question.id} in the codebook "
                              f"(expected one of {known}{', …' if len(question.options) > 8 else ''})",
                              field=column)
        return option


def _split_choices(question: Question, column: str, value: str) -> list[Option]:
    """Split a comma-joined multi-select cell into options, matching the longest known text at each step."""
    chosen: list[Option] = []
    rest = value
    while rest:
        best: tuple[int, Option] | None = None
        for option in question.options.values():
            for text in (option.label, option.code, *option.aliases):
                if rest.startswith(text) and (len(rest) == len(text) or rest[len(text)] == ",") \
                        and (best is None or len(text) > best[0]):
                    best = (len(text), option)
        if best is None:
            raise RecordError(f"answer {rest!r} of question {question.id}: does not start with a known option text "
                              f"(expected texts such as {', '.join(repr(o.label) for o in question.options.values())})",
                              field=column)
        chosen.append(best[1])
        rest = rest[best[0] + 1:].lstrip() if len(rest) > best[0] else ""
    return chosen


def _text_columns(question: Question) -> set[str]:
    return {o.text_column for o in question.options.values() if o.text_column} | set(question.text_columns)


def _normalise_import_id(value: str) -> str:
    """'QID2-1' (Insights) and 'QID2_1' (current) name the same column; '-TEXT' is '_TEXT'."""
    return value.strip().replace("-", "_")


def _rows_after(pending: list[list[str] | None], reader: Any, path: Path) -> Iterator[list[str] | None]:
    yield from pending
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{path}: row {reader.line_num}: malformed CSV: {exc}") from exc
        yield row


def survey_source(options: LoadOptions) -> QualtricsSource:
    """Factory for ``odlm-kg load survey``: needs ``--codebook``; salt from ``--salt`` or the environment."""
    if options.codebook is None:
        raise UsageError("the survey source needs --codebook FILE (the YAML codebook of the export)")
    book = load_codebook(options.codebook)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DefaultSaltWarning)
        salt = choose_salt(options.salt)
    for warning in caught:  # one readable line on stderr, not Python's file:line warning format
        print(f"odlm-kg: warning: {warning.message}", file=sys.stderr)
    return QualtricsSource(book, salt, include_preview=options.include_preview,
                           include_unfinished=options.include_unfinished, graph_name=options.extra.get("graph"))


__all__ = ["DEFAULT_SALT", "SALT_VARIABLE", "DefaultSaltWarning", "QualtricsSource", "choose_salt", "import_id",
           "parse_date", "read_layout", "response_key", "survey_source"]
