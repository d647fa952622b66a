"""PeaTMOSS (pre-trained models in open-source software, MSR 2024): which GitHub repositories reuse which
Hugging Face models, under which licences; read from the files of the PeaTMOSS artifact and from its
SQLite database.

Accepted inputs, told apart by name and content:

- the reuse mapping CSV (``mapping.csv``; no header; ``gh_repo, hf_model_id, hf_url, hf_license``):
  the model (a pre-trained model on the Hugging Face Hub, keyed by its repository id) under its Hub
  licence, the repository (source code on GitHub, keyed by lower-cased ``owner/name``) as the model's
  ``odlm:sourceCode`` ("code that runs or reuses the model"). No derivation is recorded: PeaTMOSS
  does not say how a repository reuses the model, and a derivation always names its reuse pattern;
- the repository licence JSON (``{"owner/name": [ScanCode licence keys] | null}``): each repository
  with its licences, the ScanCode keys normalised through the licence table;
- the download counts JSON (``{hf_model_id: downloads}``) and the hand-checked metadata JSON
  (``{hf_model_id: {datasets, license, github, paper, upstream_model, ...}}``), of which only values
  that name something unambiguously are kept (Hugging Face dataset ids and URLs, GitHub URLs, arXiv and
  DOI links, an upstream model's Hugging Face URL as ``odlm:derivedFrom``);
- the SQLite database, by the published schema (tables ``model``, ``model_hub``, ``license``,
  ``dataset``, ``paper``, ``reuse_repository`` and their link tables): one record per model row.

Download and like counts carry no date in PeaTMOSS; they become observations only when the load is
given the time they were taken (``LoadOptions.extra["observed-at"]``, an ISO 8601 date or time).
JSON Schema files are not data and stop the run with a message saying so.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rdflib import Literal, URIRef

from odlm_kg.errors import InputError, UsageError, located
from odlm_kg.namespaces import ODLM, instance_iri
from odlm_kg.sources.base import (
    READ_FAILURES,
    LoadOptions,
    Record,
    RecordError,
    input_files,
    iter_json_values,
    open_binary,
    unreadable,
)
from odlm_kg.sources.crawl_terms import (
    CrawlSource,
    Triple,
    account_triples,
    artifact_triples,
    code_repository_triples,
    datetime_literal,
    derivation_triples,
    described_by_triples,
    github_repo_key,
    licence_triples,
    metric_triples,
    repository_link_triples,
    require_object,
    unique,
)

NAME = "peatmoss"
HF_HOME = "https://huggingface.co/"
SUFFIXES = (".csv", ".csv.gz", ".json", ".json.gz", ".db", ".sqlite", ".sqlite3")
SQLITE_MAGIC = b"SQLite format 3\x00"
MAPPING_HEADER = ["gh_repo", "hf_model_id", "hf_url", "hf_license"]

_HF_ID = re.compile(r"[A-Za-z0-9][\w.\-]*(?:/[\w.\-]+)?")
_HF_DATASET_URL = re.compile(r"^https?://huggingface\.co/datasets/([\w.\-]+(?:/[\w.\-]+)?)/?$")
_HF_MODEL_URL = re.compile(r"^https?://huggingface\.co/([\w.\-]+(?:/[\w.\-]+)?)/?$")


# -- reading ---------------------------------------------------------------------------------------

def read_peatmoss(path: Path) -> Iterator[Record]:
    for file in input_files(path, SUFFIXES):
        try:
            with open(file, "rb") as handle:
                head = handle.read(16)
        except OSError as exc:
            raise InputError(located(file, f"cannot open: {exc.strerror or exc}")) from exc
        name = file.name.lower()
        if head == SQLITE_MAGIC:
            yield from _database_records(file)
        elif name.endswith((".csv", ".csv.gz")):
            yield from _mapping_records(file)
        else:
            yield from _json_records(file)


def _decoded_lines(file: Path, raw: Iterator[bytes]) -> Iterator[str]:
    try:
        for number, line in enumerate(raw, start=1):
            try:
                yield line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(located(file, f"not UTF-8: invalid byte at column {exc.start + 1}",
                                         line=number)) from exc
    except READ_FAILURES as exc:
        raise unreadable(file, exc) from exc


def _mapping_records(file: Path) -> Iterator[Record]:
    """Rows of the reuse mapping CSV, streamed; a header row is skipped."""
    with open_binary(file) as raw:
        reader = csv.reader(_decoded_lines(file, raw))
        number = 0
        try:
            for row in reader:
                if not row or row == MAPPING_HEADER:
                    continue
                number += 1
                yield Record(file, number, {"kind": "reuse", "row": row})
        except csv.Error as exc:
            raise InputError(located(file, f"invalid CSV: {exc}", line=reader.line_num)) from exc


def _json_records(file: Path) -> Iterator[Record]:
    number = 0
    for value in iter_json_values(file):
        if not isinstance(value, dict):
            raise InputError(located(file, "expected a JSON object keyed by repository or model id"))
        if "$schema" in value or "tables" in value or "properties" in value or "pre_processed_metadata" in value:
            raise InputError(located(file, "this is a schema, not PeaTMOSS data; give the mapping CSV, the "
                                           "licence, download or metadata JSON, or the SQLite database"))
        for key, item in value.items():
            number += 1
            if item is None or isinstance(item, list):
                kind = "licences"
            elif isinstance(item, int) and not isinstance(item, bool):
                kind = "downloads"
            elif isinstance(item, dict):
                kind = "metadata"
            else:
                kind = "unknown"
            yield Record(file, number, {"kind": kind, "key": key, "value": item})


def _database_records(file: Path) -> Iterator[Record]:
    try:
        connection = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InputError(located(file, f"cannot open the SQLite database: {exc}")) from exc
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = {"model", "model_hub"} - tables
        if missing:
            raise InputError(located(file, f"not a PeaTMOSS database: no table {', '.join(sorted(missing))}"))
        links = {
            "licences": ("license", "model_to_license", "license_id"),
            "datasets": ("dataset", "model_to_dataset", "dataset_id"),
            "papers": ("paper", "model_to_paper", "paper_id"),
            "authors": ("author", "model_to_author", "author_id"),
        }
        cursor = connection.execute(
            "SELECT m.id, m.repo_url, m.downloads, m.likes, h.name, h.url FROM model m "
            "LEFT JOIN model_hub h ON h.id = m.model_hub_id ORDER BY m.id")
        for number, (model_id, repo_url, downloads, likes, hub_name, hub_url) in enumerate(cursor, start=1):
            data: dict[str, Any] = {"kind": "database", "id": model_id, "repo_url": repo_url,
                                    "downloads": downloads, "likes": likes, "hub_name": hub_name, "hub_url": hub_url}
            for field, (table, link, column) in links.items():
                if table in tables and link in tables:
                    data[field] = [row[0] for row in connection.execute(
                        f"SELECT t.name FROM {link} l JOIN {table} t ON t.id = l.{column} "
                        "WHERE l.model_id = ? ORDER BY t.id", (model_id,))]
            if "reuse_repository" in tables and "model_to_reuse_repository" in tables:
                data["reuse_repositories"] = [row[0] for row in connection.execute(
                    "SELECT r.url FROM model_to_reuse_repository l JOIN reuse_repository r "
                    "ON r.id = l.reuse_repository_id WHERE l.model_id = ? ORDER BY r.id", (model_id,))]
            yield Record(file, number, data)
    except sqlite3.Error as exc:
        raise InputError(located(file, f"cannot read the SQLite database: {exc}")) from exc
    finally:
        connection.close()


# -- mapping ---------------------------------------------------------------------------------------

def hf_model_triples(model_id: str, *, page: str | None = None) -> tuple[URIRef, list[Triple]]:
    """A pre-trained model on the Hugging Face Hub, keyed by its repository id, with its owner account."""
    if not _HF_ID.fullmatch(model_id):
        raise RecordError(f"expected a Hugging Face model id such as bert-base-uncased or owner/name, got "
                          f"{model_id!r}", field="hf_model_id")
    iri = instance_iri("model", model_id)
    out = artifact_triples(iri, "model", location="HuggingFaceHub", landing_page=page or f"{HF_HOME}{model_id}",
                           platform_id=model_id)
    if "/" in model_id:
        out += account_triples(iri, "huggingface", model_id.split("/", 1)[0], HF_HOME)[1]
    return iri, out


def hf_dataset_triples(model: URIRef, dataset_id: str) -> list[Triple]:
    """``model`` trained on a dataset of the Hugging Face Hub, keyed by its repository id."""
    dataset = instance_iri("dataset", dataset_id)
    return [*artifact_triples(dataset, "dataset", location="HuggingFaceHub",
                              landing_page=f"{HF_HOME}datasets/{dataset_id}", platform_id=dataset_id),
            (model, ODLM.trainedOn, dataset)]


def _github_repo(value: str, field: str) -> tuple[URIRef, list[Triple]]:
    host_given = "." in value.split("/", 1)[0]  # "github.com/owner/name" rather than "owner/name"
    url = value if "://" in value else f"https://{value}" if host_given else f"https://github.com/{value}"
    found = code_repository_triples(url) if github_repo_key(url) is not None else None
    if found is None:
        raise RecordError(f"expected a GitHub repository (github.com/owner/name), got {value!r}", field=field)
    return found


def map_reuse_row(row: list[str]) -> list[Triple]:
    if len(row) != 4:
        raise RecordError(f"expected 4 columns (gh_repo, hf_model_id, hf_url, hf_license), got {len(row)}")
    gh_repo, model_id, hf_url, hf_license = (cell.strip() for cell in row)
    model, out = hf_model_triples(model_id, page=hf_url or None)
    out += licence_triples(model, hf_license, "hf")
    repo, repo_out = _github_repo(gh_repo, "gh_repo")
    out += repo_out
    out.append((model, ODLM.sourceCode, repo))
    return out


def map_repository_licences(key: str, licences: list[Any] | None) -> list[Triple]:
    repo, out = _github_repo(key, "repository")
    for position, licence in enumerate(licences or []):
        if not isinstance(licence, str):
            raise RecordError(f"expected ScanCode licence keys, got {licence!r}", field=f"{key}[{position}]")
        out += licence_triples(repo, licence, "scancode")
    return out


def observed_at_option(options: LoadOptions) -> Literal | None:
    """The time the counts were taken (option ``observed-at``), checked once per load: a value that is
    not an ISO 8601 date or time is a usage error, not a reason to reject every record."""
    raw = options.extra.get("observed-at")
    if raw is None:
        return None
    found = datetime_literal(raw if "T" in raw else f"{raw}T00:00:00Z")
    if found is None:
        raise UsageError(f"--option observed-at={raw}: expected an ISO 8601 date or time (e.g. 2023-08-01)")
    return found


def map_downloads(key: str, downloads: int, observed: Literal | None) -> list[Triple]:
    if downloads < 0:
        raise RecordError(f"expected a non-negative count, got {downloads}", field=key)
    model, out = hf_model_triples(key)
    out += metric_triples(model, f"model/{key}", "Downloads", downloads, observed)
    return out


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item.strip() for item in items if isinstance(item, str) and item.strip()]


def map_metadata(key: str, metadata: dict[str, Any]) -> list[Triple]:
    """The hand-checked metadata of one model: only values that name something unambiguously are kept
    (Hugging Face dataset and model URLs or ids, GitHub repository URLs, arXiv and DOI links)."""
    model, out = hf_model_triples(key)
    licence = _strings(metadata.get("license"))
    if licence:
        out += licence_triples(model, licence[0], "hf")
    for name in _strings(metadata.get("datasets")):
        match = _HF_DATASET_URL.match(name)
        dataset_id = match.group(1) if match else name if re.fullmatch(r"[\w.\-]+/[\w.\-]+", name) else None
        if dataset_id:
            out += hf_dataset_triples(model, dataset_id)
    for url in _strings(metadata.get("github")):
        out += repository_link_triples(model, url)
    for reference in _strings(metadata.get("paper")):
        out += described_by_triples(model, reference)
    for upstream in _strings(metadata.get("upstream_model")):
        match = _HF_MODEL_URL.match(upstream)
        if match and not match.group(1).startswith(("datasets/", "spaces/")):
            base, base_out = hf_model_triples(match.group(1))
            out += base_out
            out += derivation_triples(model, f"model/{key}", base, f"model/{match.group(1)}")
    return out


def _model_of_database_row(data: dict[str, Any]) -> tuple[URIRef, str, list[Triple]]:
    repo_url = data.get("repo_url")
    if not isinstance(repo_url, str) or not repo_url.strip():
        raise RecordError("missing; expected the model's URL", field="model.repo_url")
    parts = urlsplit(repo_url.strip())
    path = parts.path.strip("/")
    if (parts.hostname or "").lower() == "huggingface.co" and path:
        model, out = hf_model_triples(path, page=repo_url.strip())
        return model, f"model/{path}", out
    hub = str(data.get("hub_name") or "")
    if "pytorch" in hub.lower() or (parts.hostname or "").lower() in {"pytorch.org", "github.com"}:
        key = f"pytorch-hub/{path.rsplit('/', 1)[-1] if 'pytorch.org' in (parts.hostname or '') else path}"
        model = instance_iri("model", key)
        return model, f"model/{key}", artifact_triples(model, "model", location="PyTorchHub",
                                                       landing_page=repo_url.strip(), platform_id=path)
    raise RecordError(f"expected a Hugging Face or PyTorch Hub model URL, got {repo_url!r}", field="model.repo_url")


def map_database_model(data: dict[str, Any], observed: Literal | None) -> list[Triple]:
    model, model_key, out = _model_of_database_row(data)
    for licence in _strings(data.get("licences")):
        out += licence_triples(model, licence, "hf")
    for name in _strings(data.get("datasets")):
        if re.fullmatch(r"[\w.\-]+(?:/[\w.\-]+)?", name):  # Hugging Face dataset ids, as PeaTMOSS took them
            out += hf_dataset_triples(model, name)
    for reference in _strings(data.get("papers")):
        out += described_by_triples(model, reference)
    for url in _strings(data.get("reuse_repositories")):
        if github_repo_key(url) is None:
            continue
        repo, repo_out = _github_repo(url, "reuse_repository.url")
        out += repo_out
        out.append((model, ODLM.sourceCode, repo))
    for metric, field in (("Downloads", "downloads"), ("Likes", "likes")):
        value = data.get(field)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            out += metric_triples(model, model_key, metric, value, observed)
    return out


class PeatmossSource(CrawlSource):
    def __init__(self, options: LoadOptions) -> None:
        super().__init__(NAME, read_peatmoss, self.map_data)
        self.observed_at = observed_at_option(options)

    def map_data(self, data: Any) -> list[Triple]:
        record = require_object(data, "a PeaTMOSS record")
        kind = record.get("kind")
        if kind == "reuse":
            return unique(map_reuse_row(record["row"]))
        if kind == "licences":
            return unique(map_repository_licences(record["key"], record["value"]))
        if kind == "downloads":
            return unique(map_downloads(record["key"], record["value"], self.observed_at))
        if kind == "metadata":
            return unique(map_metadata(record["key"], record["value"]))
        if kind == "database":
            return unique(map_database_model(record, self.observed_at))
        raise RecordError(f"expected a licence list, a download count or a metadata object, got "
                          f"{type(record.get('value')).__name__}", field=str(record.get("key")))


def peatmoss_source(options: LoadOptions | None = None) -> PeatmossSource:
    """The ``peatmoss`` source (factory for the SOURCES registry)."""
    return PeatmossSource(options or LoadOptions())
