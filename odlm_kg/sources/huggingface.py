"""Hugging Face Hub sources: model records (``huggingface-models``), dataset records
(``huggingface-datasets``) and model cards (``hf-model-cards``), all into graph ``huggingface``.

Inputs of ``huggingface-models``: the Hub API's model objects (``GET /api/models/{id}``, or
``huggingface_hub.ModelInfo`` serialised, snake_case or camelCase), alone, in arrays or JSON Lines;
model-tree files (``{"models": [{"model_id", "metadata": <JSON text>, …}]}``); and CSV model lists with
a ``modelId`` column. ``huggingface-datasets`` reads dataset objects (``GET /api/datasets/{id}``).
``hf-model-cards`` reads README.md files with YAML front matter, or the front matter alone as .yaml;
the repository id comes from the file name (``owner__name.yaml``, ``owner@name.md``) or from the
folders (``owner/name/README.md``).

What a model record becomes (every IRI from a natural key, so a reload writes the same triples):

- the model (``id/model/<repo id>``) ``a odlm:PretrainedModel`` of kind Model, shared at the Hugging
  Face Hub with its page as ``dcat:landingPage``, ``odlm:platformId`` the repo id, ``dcterms:issued``
  the creation time and ``dcterms:modified`` the last change;
- the owner as an ``odlm:Agent`` holding a ``foaf:OnlineAccount`` on the Hub;
- the licence (card ``license``, ``license:`` tags; for ``other``, ``license_name``/``license_link``)
  normalised through the licence table, with its openness class; a string the table does not know is
  kept as ``odlm:licenceText``;
- training data from ``datasets`` and ``dataset:`` tags (``odlm:trainedOn`` Hub datasets);
- papers from ``arxiv:`` tags, and from arXiv / doi.org links in a card's text (``odlm:describedBy``);
  a ``doi:`` tag is the repository's own DOI (``odlm:doi`` of the model);
- source code from GitHub/GitLab/Bitbucket repository links in a card's text (``odlm:sourceCode``);
- lineage from ``base_model`` (a string or a list), ``base_model_relation`` and
  ``base_model:<relation>:<id>`` tags: ``odlm:derivedFrom`` plus a qualified ``odlm:Derivation`` with
  the reuse pattern FineTune, Adapter, Quantisation or Merge; a relation the vocabulary does not know
  gives ``odlm:derivedFrom`` alone (no pattern is guessed) and is kept as ``odlm:reuseRelationText``;
- ``gated`` (or ``extra_gated_*`` card fields) as release strategy GatedAccess;
- downloads and likes as ``odlm:MetricObservation`` dated by the crawl time of a model-tree file
  (from its name) or else the record's ``lastModified``; an undated count is not kept.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from rdflib import Literal, URIRef

from odlm_kg.licences import licence_key, normalise
from odlm_kg.literals import string_literal
from odlm_kg.namespaces import ODLM, graph_iri, instance_iri, vocab_iri
from odlm_kg.sources.base import (
    CARD_SUFFIXES,
    JSON_SUFFIXES,
    READ_FAILURES,
    LoadOptions,
    Record,
    RecordError,
    Triple,
    input_files,
    iter_json_values,
    open_binary,
    read_card,
    unreadable,
)
from odlm_kg.sources.crawl_terms import (
    CRAWL_LAYERS,
    DCTERMS,
    FOAF,
    RDF,
    RDFS,
    UNKNOWN_OPENNESS,
    account_triples,
    artifact_triples,
    datetime_literal,
    derivation_triples,
    expression_licence_triples,
    iri_of_url,
    metric_triples,
    normalise_arxiv_id,
    normalise_doi,
    paper_triples,
    repository_link_triples,
    unique,
)

GRAPH = graph_iri("huggingface")
HUB = "https://huggingface.co/"
LAYERS = CRAWL_LAYERS

#: Hub relation names (``base_model_relation``, ``base_model:<relation>:`` tags) → reuse-pattern concept.
RELATIONS = {"finetune": "FineTune", "fine-tune": "FineTune", "adapter": "Adapter", "quantized": "Quantisation",
             "quantization": "Quantisation", "quantisation": "Quantisation", "merge": "Merge",
             "distillation": "Distillation"}

_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*(?:/[\w.\-]+)?$")
_CRAWL_TIME = re.compile(r"_(\d{8})_(\d{6})(?:\.json|\.jsonl)?(?:\.gz)?$")
_URL = re.compile(r"https?://[^\s)\]>\"'`]+")
_HF_DOI = "10.57967/hf/"


# -- reading ------------------------------------------------------------------------------------

def read_csv_rows(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a CSV file with a header (UTF-8; gzip allowed)."""
    from odlm_kg.errors import InputError, located

    with open_binary(path) as handle:
        try:
            text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="strict", newline="")
            reader = csv.DictReader(text)
            yield from reader
        except UnicodeDecodeError as exc:
            raise InputError(located(path, f"not UTF-8: invalid byte ({exc.reason})")) from exc
        except csv.Error as exc:
            raise InputError(located(path, f"invalid CSV: {exc}")) from exc
        except READ_FAILURES as exc:
            raise unreadable(path, exc) from exc


def _model_tree_entries(value: Any) -> list[Any] | None:
    """The entries of a model-tree file (``{"models": [...]}``), or None when ``value`` is a record."""
    if isinstance(value, dict) and isinstance(value.get("models"), list) and "id" not in value:
        return value["models"]
    return None


def crawl_time_of(path: Path) -> Literal | None:
    """The crawl time in a model-tree file name (``…_20250404_231041.json``), as xsd:dateTime (UTC)."""
    match = _CRAWL_TIME.search(path.name)
    if not match:
        return None
    try:
        moment = datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    return datetime_literal(moment.isoformat())


def read_hub_records(path: Path, suffixes: tuple[str, ...] = (*JSON_SUFFIXES, ".csv", ".csv.gz")) -> Iterator[Record]:
    """Records of Hub JSON files (objects, arrays, JSON Lines, model-tree files) and CSV model lists."""
    for file in input_files(path, suffixes):
        number = 0
        if file.name.lower().endswith((".csv", ".csv.gz")):
            for row in read_csv_rows(file):
                number += 1
                yield Record(file, number, row)
            continue
        for value in iter_json_values(file):
            entries = _model_tree_entries(value)
            for entry in ([value] if entries is None else entries):
                number += 1
                yield Record(file, number, entry)


def read_card_records(path: Path) -> Iterator[Record]:
    """Model cards of one file or a directory; in a directory a README.md without front matter (the
    folder's own description) is skipped."""
    is_dir = Path(path).is_dir()
    for file in input_files(path, CARD_SUFFIXES):
        record = read_card(file)
        if is_dir and file.name.lower() == "readme.md" and not record.data["card"] and \
                not record.data["text"].lstrip().startswith("---"):
            continue
        yield record


# -- field access -------------------------------------------------------------------------------

def _get(data: dict[str, Any], *keys: str) -> Any:
    """The first of ``keys`` that is present and not null."""
    for key in keys:
        value = data.get(key)
        if value is not None:
            return value
    return None


def _strings(value: Any, field: str) -> list[str]:
    """A string or a list of strings (None → []); RecordError for other types."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        out = []
        for item in value:
            if item is None:
                continue
            if not isinstance(item, str):
                raise RecordError(f"expected a list of strings, found {type(item).__name__} {item!r}", field=field)
            if item.strip():
                out.append(item.strip())
        return out
    raise RecordError(f"expected a string or a list of strings, got {type(value).__name__}", field=field)


def _count(data: dict[str, Any], *keys: str) -> int | None:
    value = _get(data, *keys)
    if value is None:
        return None
    if isinstance(value, bool):
        raise RecordError(f"expected a count, got {value!r}", field=keys[0])
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().replace(".0", "", 1).isdigit():
        value = int(float(value))
    if not isinstance(value, int) or value < 0:
        raise RecordError(f"expected a non-negative count, got {value!r}", field=keys[0])
    return value


def repo_id_of(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise RecordError(f"expected a repository id string, got {type(value).__name__}", field=field)
    text = value.strip().removeprefix(HUB).strip("/")
    if not _REPO_ID.match(text):
        raise RecordError(f"expected a Hub repository id (owner/name), got {value!r}", field=field)
    return text


def _card_of(info: dict[str, Any]) -> dict[str, Any]:
    """The card data of a model object: a dict, or YAML text (model-tree files), or nothing."""
    card = _get(info, "cardData", "card_data")
    if card is None:
        return {}
    if isinstance(card, str):
        try:
            card = yaml.safe_load(card)
        except yaml.YAMLError as exc:
            raise RecordError(f"card data is not valid YAML ({getattr(exc, 'problem', exc)})",
                              field="cardData") from exc
        card = card or {}
    if not isinstance(card, dict):
        raise RecordError(f"expected an object, got {type(card).__name__}", field="cardData")
    return card


# -- triples shared by models and datasets -------------------------------------------------------

def hub_artifact(kind: str, repo_id: str) -> tuple[URIRef, list[Triple]]:
    """A model or dataset repository on the Hub, minimally described (enough to be a valid artifact)."""
    iri, triples = _hub_artifact(kind, repo_id)
    return iri, list(triples)


@lru_cache(maxsize=4096)
def _hub_artifact(kind: str, repo_id: str) -> tuple[URIRef, tuple[Triple, ...]]:
    # datasets and base models recur across records: map each once
    iri = instance_iri(kind, repo_id)
    page = f"{HUB}datasets/{repo_id}" if kind == "dataset" else f"{HUB}{repo_id}"
    return iri, tuple(artifact_triples(iri, kind, location="HuggingFaceHub", landing_page=page,
                                       platform_id=repo_id, title=repo_id))


def licence_node(artifact: URIRef, raw: str, vocabulary: str = "hf", *, name: str | None = None,
                 link: str | None = None, repo_id: str | None = None) -> list[Triple]:
    """The artifact's licence through the licence table, with the licence node typed and classified.

    For ``other`` the ``license_name`` and then ``license_link`` say which licence it is. When neither
    names a licence the table knows, it is the owner's own licence: keyed by the owner of ``repo_id``
    (``id/licence/<owner>/<name>``: two organisations' "research-license" are two licences) and kept
    with its link (``foaf:page``; a link relative to the repository is resolved against its files).
    An SPDX expression (``MIT OR Apache-2.0``) keeps each of its licences (:func:`expression_licence_triples`).
    """
    expression = expression_licence_triples(artifact, raw.strip(), vocabulary)
    if expression is not None:
        return expression
    found = normalise(raw, vocabulary)
    if raw.strip().lower() == "other" and (name or link):
        for candidate in (name, link):
            if candidate:
                better = normalise(candidate, vocabulary)
                if better.known:
                    found = better
                    break
        else:
            return _custom_licence(artifact, name or link or raw, link, repo_id)
    out: list[Triple] = [
        (artifact, ODLM.licence, found.iri),
        (found.iri, RDF.type, ODLM.Licence),
        (found.iri, ODLM.opennessClass, found.openness),
    ]
    if not found.known:
        out += [(found.iri, RDFS.label, string_literal(found.raw.strip())),
                (found.iri, ODLM.licenceText, string_literal(found.raw.strip())),
                (artifact, ODLM.licenceText, string_literal(found.raw.strip()))]
    return out


def _custom_licence(artifact: URIRef, name: str, link: str | None, repo_id: str | None) -> list[Triple]:
    """An owner's own licence (``license: other`` with a name or link the table does not know)."""
    text = name.strip()
    owner = repo_id.split("/", 1)[0].lower() if repo_id and "/" in repo_id else None
    key = licence_key(text if "://" not in text else text.rstrip("/").rsplit("/", 1)[-1] or text)
    iri = instance_iri("licence", f"{owner}/{key}" if owner else key)
    out: list[Triple] = [
        (artifact, ODLM.licence, iri),
        (iri, RDF.type, ODLM.Licence),
        (iri, ODLM.opennessClass, UNKNOWN_OPENNESS),
        (iri, RDFS.label, string_literal(text)),
        (iri, ODLM.licenceText, string_literal(text)),
        (artifact, ODLM.licenceText, string_literal(text)),
    ]
    page = _licence_link(link, repo_id)
    if page is not None:
        out.append((iri, FOAF.page, page))
    return out


def _licence_link(link: str | None, repo_id: str | None) -> URIRef | None:
    """A ``license_link`` as an IRI: absolute as given, or a path in the repository (``LICENSE``,
    ``./LICENSE.md``) resolved against its files on the Hub."""
    if not link or not link.strip():
        return None
    text = link.strip()
    if text.lower().startswith(("http://", "https://")):
        return iri_of_url(text)
    if repo_id and "://" not in text and " " not in text:
        return iri_of_url(f"{HUB}{repo_id}/blob/main/{quote(text.removeprefix('./').lstrip('/'))}")
    return None


def _licence_triples(iri: URIRef, card: dict[str, Any], tags: list[str], repo_id: str | None = None) -> list[Triple]:
    raws = _strings(card.get("license"), "license")
    if not raws:
        raws = [t.split(":", 1)[1] for t in tags if t.startswith("license:") and len(t) > 8]
    name = card.get("license_name")
    link = card.get("license_link")
    out: list[Triple] = []
    for raw in dict.fromkeys(raws):
        out += licence_node(iri, raw, name=name if isinstance(name, str) else None,
                            link=link if isinstance(link, str) else None, repo_id=repo_id)
    return out


def _papers(iri: URIRef, tags: list[str], text: str = "") -> list[Triple]:
    out: list[Triple] = []
    arxiv_ids = [t[6:] for t in tags if t.startswith("arxiv:")]
    dois = [t[4:] for t in tags if t.startswith("doi:")]
    for url in _URL.findall(text or ""):
        if "arxiv.org/" in url:
            arxiv_ids.append(url.rstrip(".,;"))
        elif "doi.org/10." in url:
            dois.append(url.rstrip(".,;"))
    for raw in dict.fromkeys(arxiv_ids):
        arxiv_id = normalise_arxiv_id(raw)
        if arxiv_id:
            paper, triples = _arxiv_paper(arxiv_id)
            out += [*triples, (iri, ODLM.describedBy, paper)]
    for raw in dict.fromkeys(dois):
        doi = normalise_doi(raw)
        if doi is None:
            continue
        if doi.startswith(_HF_DOI):  # the Hub mints DOIs for repositories themselves
            out.append((iri, ODLM.doi, string_literal(doi)))
            continue
        paper, triples = paper_triples(doi=doi)
        out += [*triples, (iri, ODLM.describedBy, paper)]
    return out


@lru_cache(maxsize=4096)
def _arxiv_paper(arxiv_id: str) -> tuple[URIRef, tuple[Triple, ...]]:
    paper, triples = paper_triples(arxiv_id=arxiv_id)
    return paper, tuple(triples)


def _source_code(iri: URIRef, text: str) -> list[Triple]:
    out: list[Triple] = []
    for url in dict.fromkeys(u.rstrip(".,;") for u in _URL.findall(text or "")):
        out += repository_link_triples(iri, url)
    return out


def _owner(iri: URIRef, repo_id: str, author: Any) -> list[Triple]:
    name = author if isinstance(author, str) and author.strip() else (repo_id.split("/")[0] if "/" in repo_id else None)
    if not name:
        return []
    agent, triples = _account(name.strip())
    return [*triples, (iri, ODLM.sharedBy, agent)]


@lru_cache(maxsize=4096)
def _account(name: str) -> tuple[URIRef, tuple[Triple, ...]]:
    agent, triples = account_triples(None, "huggingface", name, HUB)
    return agent, (*triples, (agent, RDFS.label, string_literal(name)))


GATED_ACCESS = vocab_iri("release-strategy", "GatedAccess")


def _gated(iri: URIRef, info: dict[str, Any], card: dict[str, Any]) -> list[Triple]:
    gated = info.get("gated")
    if gated is None:
        gated = any(k.startswith("extra_gated_") for k in card)
    if gated not in (False, None, "false", "False", ""):
        return [(iri, ODLM.releaseStrategy, GATED_ACCESS)]
    return []


def _times(iri: URIRef, info: dict[str, Any]) -> tuple[list[Triple], Literal | None]:
    out: list[Triple] = []
    created = datetime_literal(_get(info, "createdAt", "created_at", "creation_time"))
    modified = datetime_literal(_get(info, "lastModified", "last_modified"))
    if created is not None:
        out.append((iri, DCTERMS.issued, created))
    if modified is not None:
        out.append((iri, DCTERMS.modified, modified))
    return out, modified


def _metrics(iri: URIRef, key: str, info: dict[str, Any], observed_at: Literal | None) -> list[Triple]:
    return (metric_triples(iri, key, "Downloads", _count(info, "downloads"), observed_at)
            + metric_triples(iri, key, "Likes", _count(info, "likes"), observed_at))


# -- models -------------------------------------------------------------------------------------

def _is_dataset_record(info: dict[str, Any]) -> bool:
    tags = info.get("tags") if isinstance(info.get("tags"), list) else []
    modelish = any(k in info for k in ("modelId", "pipeline_tag", "library_name", "safetensors", "config",
                                       "transformersInfo", "transformers_info", "model_index"))
    return not modelish and any(isinstance(t, str) and t.startswith(("task_categories:", "size_categories:"))
                                for t in tags)


def _lineage(iri: URIRef, repo_id: str, card: dict[str, Any], tags: list[str]) -> list[Triple]:
    relation_by_base: dict[str, str | None] = {}
    unknown_relations: list[str] = []  # relation names the vocabulary does not know, as written
    for base in _strings(card.get("base_model"), "base_model"):
        relation_by_base.setdefault(repo_id_of(base, "base_model"), None)
    for tag in tags:
        if not tag.startswith("base_model:"):
            continue
        parts = tag.split(":")
        if len(parts) == 2:
            relation_by_base.setdefault(repo_id_of(parts[1], "tags"), None)
        elif len(parts) >= 3:
            base = repo_id_of(":".join(parts[2:]), "tags")
            pattern = RELATIONS.get(parts[1].lower())
            if pattern is None:
                unknown_relations.append(parts[1])
                pattern = UNKNOWN_RELATION
            relation_by_base[base] = pattern if pattern != UNKNOWN_RELATION \
                else relation_by_base.get(base) or UNKNOWN_RELATION
    relation = card.get("base_model_relation")
    default: str | None = None
    if isinstance(relation, str) and relation.strip():
        default = RELATIONS.get(relation.strip().lower())
        if default is None:  # a relation the vocabulary does not know: kept as written, never guessed
            unknown_relations.append(relation.strip())
            default = UNKNOWN_RELATION
    if default is None:
        # the Hub's own reading when no relation is given: several bases and no relation tag is a
        # merge, anything else a fine-tune
        tagged = any(pattern not in (None, UNKNOWN_RELATION) for pattern in relation_by_base.values())
        default = "Merge" if len(relation_by_base) > 1 and not tagged else "FineTune"
    out: list[Triple] = []
    for base, pattern in relation_by_base.items():
        if base == repo_id:
            continue
        base_iri, base_triples = hub_artifact("model", base)
        out += base_triples
        chosen = pattern or default
        # an unknown relation: odlm:derivedFrom alone, no qualified derivation with a guessed pattern
        out += derivation_triples(iri, repo_id, base_iri, base, None if chosen == UNKNOWN_RELATION else chosen)
    if out:
        out += [(iri, ODLM.reuseRelationText, string_literal(text)) for text in dict.fromkeys(unknown_relations)]
    return out


#: The reuse pattern of a relation name the vocabulary does not know (never written as a concept).
UNKNOWN_RELATION = "unknown"


def map_model(info: Any, *, card: dict[str, Any] | None = None, text: str = "", repo_id: str | None = None,
              observed_at: Literal | None = None) -> list[Triple]:
    """Triples of one Hub model object (``info``; a model card contributes ``card`` and ``text``)."""
    if not isinstance(info, dict):
        raise RecordError(f"expected a JSON object (a Hub model), got {type(info).__name__}")
    if repo_id is None:
        raw_id = _get(info, "id", "modelId", "model_id")
        if raw_id is None:
            raise RecordError("missing; expected the model's repository id (id or modelId)", field="id")
        if _is_dataset_record(info):
            raise RecordError("this is a dataset record; load it with huggingface-datasets", field="id")
        repo_id = repo_id_of(raw_id, "id")
    card = card if card is not None else _card_of(info)
    tags = _strings(info.get("tags"), "tags") + [t for t in _strings(card.get("tags"), "tags")
                                                 if t.startswith(("arxiv:", "doi:", "dataset:", "base_model:"))]
    iri, out = hub_artifact("model", repo_id)
    out += _owner(iri, repo_id, info.get("author"))
    out += _licence_triples(iri, card, tags, repo_id)
    for name in dict.fromkeys(_strings(card.get("datasets"), "datasets")
                              + [t[8:] for t in tags if t.startswith("dataset:")]):
        dataset, triples = hub_artifact("dataset", repo_id_of(name, "datasets"))
        out += [*triples, (iri, ODLM.trainedOn, dataset)]
    out += _papers(iri, tags, text)
    out += _source_code(iri, text)
    out += _lineage(iri, repo_id, card, tags)
    out += _gated(iri, info, card)
    times, modified = _times(iri, info)
    out += times
    out += _metrics(iri, repo_id, info, observed_at or modified)
    return unique(out)


def _model_record(record: Record) -> list[Triple]:
    data = record.data
    observed_at = crawl_time_of(record.file)
    if isinstance(data, dict) and "metadata" in data and "model_id" in data:  # a model-tree entry
        metadata = data["metadata"]
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except json.JSONDecodeError as exc:
                raise RecordError(f"not JSON text ({exc.msg} at character {exc.pos})", field="metadata") from exc
        if metadata is None:
            metadata = {}
        if not isinstance(metadata, dict):
            raise RecordError(f"expected an object or JSON text, got {type(metadata).__name__}", field="metadata")
        return map_model(metadata, repo_id=repo_id_of(data["model_id"], "model_id"), observed_at=observed_at)
    return map_model(data, observed_at=observed_at)


# -- datasets -----------------------------------------------------------------------------------

def map_dataset(info: Any) -> list[Triple]:
    """Triples of one Hub dataset object."""
    if not isinstance(info, dict):
        raise RecordError(f"expected a JSON object (a Hub dataset), got {type(info).__name__}")
    raw_id = info.get("id")
    if raw_id is None:
        raise RecordError("missing; expected the dataset's repository id", field="id")
    repo_id = repo_id_of(raw_id, "id")
    card = _card_of(info)
    tags = _strings(info.get("tags"), "tags")
    iri, out = hub_artifact("dataset", repo_id)
    out += _owner(iri, repo_id, info.get("author"))
    out += _licence_triples(iri, card, tags, repo_id)
    out += _papers(iri, tags)
    out += _gated(iri, info, card)
    times, modified = _times(iri, info)
    out += times
    out += _metrics(iri, f"dataset/{repo_id}", info, modified)
    return unique(out)


# -- model cards --------------------------------------------------------------------------------

def card_repo_id(path: Path, card: dict[str, Any]) -> str:
    """The repository id of a model card, from the card (``model_id``/``id``) or its file name/folders."""
    for key in ("model_id", "id", "modelId"):
        if isinstance(card.get(key), str):
            return repo_id_of(card[key], key)
    name = path.name
    for suffix in (".gz", ".md", ".yaml", ".yml"):
        name = name.removesuffix(suffix)
    if name.lower() == "readme":
        parent = path.parent
        name = parent.name if ("__" in parent.name or "@" in parent.name) else f"{parent.parent.name}/{parent.name}"
    for separator in ("__", "@"):
        if separator in name:
            owner, _, rest = name.partition(separator)
            return repo_id_of(f"{owner}/{rest}", "file name")
    return repo_id_of(name, "file name")


def map_card(record: Record) -> list[Triple]:
    data = record.data
    card = data.get("card")
    if card is None:
        card = {}
    if not isinstance(card, dict):
        raise RecordError(f"expected YAML front matter that is a mapping, got {type(card).__name__}",
                          field="front matter")
    repo_id = card_repo_id(record.file, card)
    return map_model(card, card=card, text=data.get("text") or "", repo_id=repo_id)


# -- the sources --------------------------------------------------------------------------------

class HubSource:
    """A Hugging Face Hub format: reader, mapper, graph ``huggingface``, shape layers core + crawl."""

    graph = GRAPH
    layers: tuple[str, ...] = LAYERS

    def __init__(self, name: str, reader: Any, mapper: Any, *, replaces_artifacts: bool = False) -> None:
        self.name = name
        self._reader = reader
        self._mapper = mapper
        #: An API record is the whole of what the Hub says about a repository: loading it again replaces
        #: what the graph held about it (see odlm_kg.sources.pipeline). A model card is not: it says
        #: nothing of gating or dates, so a card load adds to the graph and replaces nothing.
        self.replaces_artifacts = replaces_artifacts

    def read(self, path: Path) -> Iterator[Record]:
        return self._reader(Path(path))

    def map_record(self, record: Record) -> Iterable[Triple]:
        return self._mapper(record)

    def record_replaces(self, record: Record) -> bool:
        """A row of a CSV model list holds a few columns of a model, not the Hub's whole record of it."""
        return not record.file.name.lower().endswith((".csv", ".csv.gz"))


def map_dataset_record(record: Record) -> list[Triple]:
    return map_dataset(record.data)


def models_source(options: LoadOptions | None = None) -> HubSource:
    return HubSource("huggingface-models", read_hub_records, _model_record, replaces_artifacts=True)


def datasets_source(options: LoadOptions | None = None) -> HubSource:
    return HubSource("huggingface-datasets", read_hub_records, map_dataset_record, replaces_artifacts=True)


def model_cards_source(options: LoadOptions | None = None) -> HubSource:
    return HubSource("hf-model-cards", read_card_records, map_card)
