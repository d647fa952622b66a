"""PyTorch Hub model pages (the ``layout: hub_detail`` front matter of the ``pytorch/hub`` repository's
``*.md`` files) as pre-trained models distributed through an ML package repository.

Accepted inputs: the page files themselves (front matter plus Markdown body, whose
``torch.hub.load('<owner>/<repo>[:ref]', '<entrypoint>')`` calls are read from the body); a YAML file of
front-matter blocks each preceded by ``# source_file: <name>.md``; and JSON holding the parsed entries
(a list, or ``{"entries": [...]}``) with ``source_file`` and ``hub_load_calls``
(``[{"repo_ref", "entrypoint"}]``).

One page is one model, keyed ``pytorch-hub/<page name>``, shared at PyTorch Hub with its page
``https://pytorch.org/hub/<page name>/`` as landing page, each entry point of its load calls as
``odlm:entryPoint``, the GitHub repositories behind it (``github-id`` and the load calls' repositories,
without ``:ref``) as ``odlm:sourceCode``, and the owner of ``github-id`` as the agent sharing it.
The page's ``author`` is a display name and is not kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from odlm_kg.errors import InputError, located
from odlm_kg.literals import string_literal
from odlm_kg.namespaces import ODLM, instance_iri
from odlm_kg.sources.base import (
    LoadOptions,
    Record,
    RecordError,
    input_files,
    read_text,
    split_front_matter,
)
from odlm_kg.sources.crawl_terms import (
    DCTERMS,
    GITHUB_HOME,
    CrawlSource,
    Triple,
    account_triples,
    artifact_triples,
    code_repository_triples,
    list_value,
    listed_entries,
    require_object,
    text_value,
    unique,
    unwrapped_json_records,
)

NAME = "pytorch-hub"
HUB_PAGE = "https://pytorch.org/hub/"
SUFFIXES = (".json", ".json.gz", ".jsonl", ".yaml", ".yml", ".md")

_LOAD_CALL = re.compile(r"""torch\.hub\.load\(\s*['"]([\w.\-]+/[\w.\-]+(?::[\w.\-/]+)?)['"]\s*,\s*['"]([\w.\-]+)['"]""")
_SOURCE_FILE = re.compile(r"^#\s*source_file:\s*(\S+)\s*$", re.M)


def hub_load_calls(markdown: str) -> list[dict[str, str]]:
    """The ``torch.hub.load`` calls of a page body, in order, without repeats.

    >>> hub_load_calls("model = torch.hub.load('pytorch/vision:v0.10.0', 'resnet18', pretrained=True)")
    [{'repo_ref': 'pytorch/vision:v0.10.0', 'entrypoint': 'resnet18'}]
    """
    calls = [{"repo_ref": m.group(1), "entrypoint": m.group(2)} for m in _LOAD_CALL.finditer(markdown)]
    return [dict(c) for c in dict.fromkeys(tuple(c.items()) for c in calls)]  # type: ignore[misc]


def _yaml(file: Path, text: str, line: int) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = line + (mark.line if mark is not None else 0)
        raise InputError(located(file, f"invalid YAML: {getattr(exc, 'problem', None) or exc}", line=where)) from exc


def _front_matter_blocks(file: Path, text: str) -> Iterator[dict[str, Any]]:
    """The blocks of a ``# source_file:``-separated YAML file, each with its ``source_file``."""
    marks = list(_SOURCE_FILE.finditer(text))
    if not marks:
        value = _yaml(file, text, 1)
        yield from (value if isinstance(value, list) else [value])
        return
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
        block = text[mark.end():end].strip().removeprefix("---").strip()
        value = _yaml(file, block, text.count("\n", 0, mark.end()) + 2)
        if isinstance(value, dict):
            value = {"source_file": mark.group(1), **value}
        yield value


def read_pytorch_hub(path: Path) -> Iterator[Record]:
    for file in input_files(path, SUFFIXES):
        name = file.name.lower()
        if name.endswith(".md"):
            if name == "readme.md":
                continue
            front, body = split_front_matter(read_text(file))
            entry = _yaml(file, front, 2) if front is not None else None
            if isinstance(entry, dict):
                entry = {"source_file": file.name, **entry, "hub_load_calls": hub_load_calls(body)}
            yield Record(file, 1, entry)
        elif name.endswith((".yaml", ".yml")):
            for number, entry in enumerate(_front_matter_blocks(file, read_text(file)), start=1):
                yield Record(file, number, entry)
        else:
            yield from unwrapped_json_records(file, listed_entries)


def page_name(entry: dict[str, Any]) -> str:
    source_file = text_value(entry, "source_file", required=True)
    assert source_file is not None
    name = Path(source_file).name.removesuffix(".md")
    if not re.fullmatch(r"[\w.\-]+", name):
        raise RecordError(f"expected a page file name such as pytorch_vision_resnet.md, got {source_file!r}",
                          field="source_file")
    return name


def from_ptmtorrent(entry: dict[str, Any]) -> dict[str, Any]:
    """A PTMTorrent PyTorch Hub record (``ModelName, ModelDescription, ModelURL, GitHubURL...``, by
    ``pytorchhubModelMetadata.schema.json``) in the shape of a page's front matter.

    >>> from_ptmtorrent({"ModelName": "AlexNet", "ModelURL": "https://pytorch.org/hub/pytorch_vision_alexnet/",
    ...                  "GitHubURL": "https://github.com/pytorch/vision"})["source_file"]
    'pytorch_vision_alexnet.md'
    """
    model_url = entry.get("ModelURL")
    segments = [s for s in urlsplit(model_url).path.split("/") if s] if isinstance(model_url, str) else []
    if not segments:
        raise RecordError(f"expected the model's pytorch.org/hub URL, got {model_url!r}", field="ModelURL")
    return {"source_file": f"{segments[-1]}.md", "title": entry.get("ModelName"),
            "summary": entry.get("ModelDescription"), "github-link": entry.get("GitHubURL")}


def map_entry(data: Any) -> list[Triple]:
    """Triples of one PyTorch Hub page (front matter, parsed entry or PTMTorrent record)."""
    entry = require_object(data, "a PyTorch Hub page's front matter")
    if "ModelURL" in entry and "source_file" not in entry:
        entry = from_ptmtorrent(entry)
    if entry.get("layout") not in (None, "hub_detail"):
        raise RecordError(f"not a model page (layout {entry.get('layout')!r})", field="layout")
    name = page_name(entry)
    model = instance_iri("model", f"pytorch-hub/{name}")
    out = artifact_triples(model, "model", location="PyTorchHub", landing_page=f"{HUB_PAGE}{name}/",
                           platform_id=name, title=text_value(entry, "title"))
    summary = text_value(entry, "summary")
    if summary:
        out.append((model, DCTERMS.description, string_literal(summary)))

    repos: list[str] = []
    github_id = text_value(entry, "github-id")
    if github_id:
        repos.append(github_id)
        owner = github_id.split("/", 1)[0]
        out += account_triples(model, "github", owner, str(GITHUB_HOME))[1]
    elif text_value(entry, "github-link"):
        repos.append(str(text_value(entry, "github-link")))

    for position, call in enumerate(list_value(entry, "hub_load_calls")):
        if not isinstance(call, dict):
            raise RecordError(f"expected objects with repo_ref and entrypoint, got {type(call).__name__}",
                              field=f"hub_load_calls[{position}]")
        entrypoint, repo_ref = text_value(call, "entrypoint"), text_value(call, "repo_ref")
        if entrypoint:
            out.append((model, ODLM.entryPoint, string_literal(entrypoint)))
        if repo_ref:
            repos.append(repo_ref.split(":", 1)[0])

    for repo in repos:
        url = repo if "://" in repo else f"https://github.com/{repo}"
        found = code_repository_triples(url)
        if found is None:
            raise RecordError(f"expected a GitHub owner/repo, got {repo!r}", field="github-id")
        out += found[1]
        out.append((model, ODLM.sourceCode, found[0]))
    return unique(out)


def pytorch_hub_source(options: LoadOptions | None = None) -> CrawlSource:
    """The ``pytorch-hub`` source (factory for the SOURCES registry)."""
    return CrawlSource(NAME, read_pytorch_hub, map_entry)
