"""TensorFlow Hub model documentation (``tensorflow/tfhub.dev``'s ``assets/docs/<publisher>/models/...md``)
as pre-trained models distributed through an ML package repository.

Accepted inputs: the documentation files themselves (``# Module <handle>`` or ``# Model <handle>``
heading, then ``<!-- key: value -->`` metadata lines), and JSON holding parsed entries (a list, or
``{"entries": [...]}``) with ``handle``, ``metadata`` and optionally ``paper_links`` and ``code_links``.

One handle is one model, keyed ``tfhub/<handle>`` (``publisher/name/version``), shared at TensorFlow
Hub (``https://tfhub.dev/<handle>`` as landing page), shared by the publisher's account, under the
``license`` metadata when there is one, described by the arXiv or DOI papers of ``paper_links``, with the
repositories of ``code_links`` as its source code. The ``dataset`` metadata is a TF Hub label (such as
``wikipedia-and-bookscorpus``) that names no dataset on any platform; it is not mapped, since a
crawled dataset must have a platform id and a sharing location.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from odlm_kg.literals import string_literal
from odlm_kg.namespaces import instance_iri
from odlm_kg.sources.base import LoadOptions, Record, RecordError, input_files, read_text
from odlm_kg.sources.crawl_terms import (
    DCTERMS,
    CrawlSource,
    Triple,
    account_triples,
    artifact_triples,
    described_by_triples,
    licence_triples,
    list_value,
    listed_entries,
    object_value,
    repository_link_triples,
    require_object,
    text_value,
    unique,
    unwrapped_json_records,
)

NAME = "tfhub"
TFHUB_HOME = "https://tfhub.dev/"
SUFFIXES = (".json", ".json.gz", ".jsonl", ".md")

_HEADING = re.compile(r"^#\s+(?:Module|Model|Placeholder|Collection)\s+(\S+)\s*$", re.M)
_METADATA = re.compile(r"^<!--\s*([\w\-]+)\s*:\s*(.*?)\s*-->\s*$", re.M)
_HANDLE = re.compile(r"[\w.\-]+(?:/[\w.\-]+)*/\d+")


def parse_doc(text: str) -> dict[str, Any]:
    """The handle and metadata of a TF Hub documentation page.

    >>> parse_doc("# Module google/x/1\\n<!-- dataset: imagenet -->\\nSee https://arxiv.org/abs/1801.04381.")
    {'handle': 'google/x/1', 'metadata': {'dataset': 'imagenet'}, 'paper_links': ['https://arxiv.org/abs/1801.04381']}
    """
    heading = _HEADING.search(text)
    metadata: dict[str, str] = {}
    for match in _METADATA.finditer(text):
        metadata.setdefault(match.group(1), match.group(2))
    papers = list(dict.fromkeys(m.group(0).rstrip(".,)") for m in
                                re.finditer(r"https?://arxiv\.org/(?:abs|pdf)/[\w./\-]+", text)))
    return {"handle": heading.group(1) if heading else None, "metadata": metadata, "paper_links": papers}


def read_tfhub(path: Path) -> Iterator[Record]:
    for file in input_files(path, SUFFIXES):
        if file.name.lower().endswith(".md"):
            if file.name.lower() == "readme.md":
                continue
            yield Record(file, 1, {"source_path": file.name, **parse_doc(read_text(file))})
            continue
        yield from unwrapped_json_records(file, listed_entries)


def map_entry(data: Any) -> list[Triple]:
    """Triples of one TF Hub model page."""
    entry = require_object(data, "a TF Hub model page")
    handle = text_value(entry, "handle", required=True)
    assert handle is not None
    if not _HANDLE.fullmatch(handle):
        raise RecordError(f"expected publisher/name/version, got {handle!r}", field="handle")
    metadata = object_value(entry, "metadata") or {}
    model = instance_iri("model", f"tfhub/{handle}")
    out = artifact_triples(model, "model", location="TensorFlowHub", landing_page=f"{TFHUB_HOME}{handle}",
                           platform_id=handle, title=handle)
    summary = text_value(entry, "summary")
    if summary:
        out.append((model, DCTERMS.description, string_literal(summary)))
    out += account_triples(model, "tfhub", handle.split("/", 1)[0], TFHUB_HOME)[1]

    licence = metadata.get("license")
    if isinstance(licence, str):
        out += licence_triples(model, licence, "spdx")

    for link in list_value(entry, "paper_links"):
        if isinstance(link, str):
            out += described_by_triples(model, link)
    for link in list_value(entry, "code_links"):
        if isinstance(link, str):
            out += repository_link_triples(model, link)
    return unique(out)


def tfhub_source(options: LoadOptions | None = None) -> CrawlSource:
    """The ``tfhub`` source (factory for the SOURCES registry)."""
    return CrawlSource(NAME, read_tfhub, map_entry)
