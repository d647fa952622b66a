"""Triples that the platform-crawl sources (GitHub, Zenodo, DataCite, Papers with Code, PyTorch Hub,
TF Hub, PeaTMOSS) all emit in the same shape: an artifact at a sharing location, its owner's account,
its licence, the papers that describe it and dated metric observations.

Every IRI is built from a natural key, so mapping the same record twice gives the same triples.

>>> normalise_doi("https://doi.org/10.5281/ZENODO.58369")
'10.5281/zenodo.58369'
>>> normalise_arxiv_id("https://arxiv.org/abs/1810.04805v2")
'1810.04805'
>>> github_repo_key("https://github.com/PyGithub/PyGithub/blob/main/setup.py")
'pygithub/pygithub'
>>> paper_iri(doi="10.48550/arXiv.1810.04805")
rdflib.term.URIRef('https://w3id.org/odlm/id/paper/1810.04805')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from rdflib import Literal, URIRef
from rdflib import namespace as w3c

from odlm_kg.identifiers import normalise_arxiv_id, normalise_doi
from odlm_kg.licences import ExpressionTree, expression_tree, licence_key, openness_rank
from odlm_kg.licences import normalise as normalise_licence
from odlm_kg.literals import integer_literal, string_literal
from odlm_kg.namespaces import ODLM, TermCache, graph_iri, instance_iri, vocab_iri
from odlm_kg.sources.base import Record, RecordError, Triple, read_json_records

#: The W3C namespaces the crawl mappers use, each term made once (see TermCache).
DCAT, DCTERMS, FOAF, RDF, RDFS, XSD = (TermCache(namespace) for namespace in
                                       (w3c.DCAT, w3c.DCTERMS, w3c.FOAF, w3c.RDF, w3c.RDFS, w3c.XSD))

#: odlm class and artifact-kind concept of each instance kind an artifact can have.
ARTIFACT_CLASSES: dict[str, tuple[URIRef, str]] = {
    "code": (ODLM.SourceCode, "Code"),
    "dataset": (ODLM.Dataset, "Data"),
    "model": (ODLM.PretrainedModel, "Model"),
}

GITHUB_HOME = URIRef("https://github.com/")
UNKNOWN_OPENNESS = vocab_iri("licence-openness", "Unknown")
#: The shape layers crawl records are validated with.
CRAWL_LAYERS: tuple[str, ...] = ("core", "crawl")

_REPO_HOSTS = {"github.com": "github", "gitlab.com": "gitlab", "bitbucket.org": "bitbucket"}
#: Sharing-location concept of each code host whose repositories are mapped.
CODE_HOST_LOCATIONS = {"github": "GitHub", "gitlab": "GitLab", "bitbucket": "Bitbucket"}
_HOST_HOMEPAGES = {host: f"https://{domain}/" for domain, host in _REPO_HOSTS.items()}
_IRI_UNSAFE = re.compile(r"[\s<>\"{}|\\^`]")
#: An ORCID iD (the last path segment of an orcid.org URL).
ORCID_ID = re.compile(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]")


# -- identifiers ------------------------------------------------------------------------------

def repo_host_and_key(url: str) -> tuple[str, str] | None:
    """``("github", "owner/name")`` (lower-cased) for a repository URL on a known code host.

    >>> repo_host_and_key("github.com/LeonGeiger/Kerr.git")
    ('github', 'leongeiger/kerr')
    >>> repo_host_and_key("https://example.org/x") is None
    True
    """
    found = repo_host_and_name(url)
    return (found[0], found[1].lower()) if found else None


def repo_host_and_name(url: str) -> tuple[str, str] | None:
    """Like :func:`repo_host_and_key` but keeping the case of ``owner/name`` as written."""
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if host not in _REPO_HOSTS:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2:
        return None
    name = segments[1].removesuffix(".git")
    return _REPO_HOSTS[host], f"{segments[0]}/{name}"


def github_repo_key(url: str) -> str | None:
    """Lower-cased ``owner/name`` of a GitHub repository URL (None for other hosts)."""
    found = repo_host_and_key(url)
    return found[1] if found and found[0] == "github" else None


def code_iri(host: str, key: str) -> URIRef:
    """IRI of a code repository: GitHub repositories by ``owner/name``, others by ``host/owner/name``."""
    return instance_iri("code", key if host == "github" else f"{host}/{key}")


def paper_iri(*, doi: str | None = None, arxiv_id: str | None = None, other: str | None = None) -> URIRef:
    """IRI of a paper: by arXiv id when it has one (an arXiv DOI counts), else by DOI, else ``other``."""
    if doi and arxiv_id is None:
        arxiv_id = normalise_arxiv_id(doi)  # None unless it is an arXiv DOI (10.48550/arXiv.…)
    if arxiv_id:
        return instance_iri("paper", arxiv_id)
    if doi:
        return instance_iri("paper", doi.lower())
    if other:
        return instance_iri("paper", other)
    raise ValueError("a paper needs a DOI, an arXiv id or another key")


def agent_iri(platform: str, account: str) -> URIRef:
    """IRI of the agent behind an account on a platform (``github``, ``huggingface``, ``zenodo``...)."""
    return instance_iri("agent", f"{platform}/{account.lower()}")


# -- literals ---------------------------------------------------------------------------------

def iri_of_url(value: Any) -> URIRef | None:
    """An http(s) URL as an IRI (characters not allowed in IRIs percent-encoded), else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text.lower().startswith(("http://", "https://")):
        return None
    return URIRef(_IRI_UNSAFE.sub(lambda m: quote(m.group(0)), text))


def datetime_literal(value: Any) -> Literal | None:
    """An ISO 8601 time stamp as an ``xsd:dateTime`` in UTC, or None when it is not one.

    >>> datetime_literal("2018-03-08T17:02:42.230256+00:00")
    rdflib.term.Literal('2018-03-08T17:02:42Z', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#dateTime'))
    """
    if not isinstance(value, str):
        return None
    return _datetime_literal(value)


@lru_cache(maxsize=4096)  # a record's time stamps recur (modified, and the date of each metric)
def _datetime_literal(value: str) -> Literal | None:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Literal(text, datatype=XSD.dateTime, normalize=False)


def date_literal(value: Any) -> Literal | None:
    """``YYYY-MM-DD`` (or the date of a time stamp) as ``xsd:date``; None for anything else, a bare year
    included (the shapes want a whole date for ``dcterms:issued``).

    >>> date_literal("2017-05-08T10:00:00Z")
    rdflib.term.Literal('2017-05-08', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#date'))
    >>> date_literal("2017") is None
    True
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if re.match(r"\d{4}-\d{2}-\d{2}(?:$|T)", text):
        try:
            datetime.strptime(text[:10], "%Y-%m-%d")
        except ValueError:
            return None
        return Literal(text[:10], datatype=XSD.date)
    return None


def text_value(data: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    """A non-empty string field (stripped); None when absent or null; RecordError when of another type
    or when required and missing."""
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RecordError("missing; expected a non-empty string", field=key)
        return None
    if not isinstance(value, str):
        raise RecordError(f"expected a string, got {type(value).__name__}", field=key)
    return value.strip()


def count_value(data: dict[str, Any], key: str) -> int | None:
    """A non-negative integer count field; None when absent or null; RecordError when of another type."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RecordError(f"expected a non-negative integer, got {value!r}", field=key)
    return value


def object_value(data: dict[str, Any], key: str) -> dict[str, Any] | None:
    """A JSON object field; None when absent or null; RecordError when of another type."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RecordError(f"expected an object, got {type(value).__name__}", field=key)
    return value


def list_value(data: dict[str, Any], key: str) -> list[Any]:
    """A JSON array field; [] when absent or null; RecordError when of another type."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"expected an array, got {type(value).__name__}", field=key)
    return value


def require_object(data: Any, what: str) -> dict[str, Any]:
    """The record itself, which must be a JSON object."""
    if not isinstance(data, dict):
        raise RecordError(f"expected a JSON object ({what}), got {type(data).__name__}")
    return data


# -- triples ----------------------------------------------------------------------------------

def artifact_triples(iri: URIRef, kind: str, *, location: str, landing_page: Any = None,
                     platform_id: str | None = None, title: str | None = None) -> list[Triple]:
    """An artifact of ``kind`` ("code", "dataset", "model") shared at a sharing-location concept, labelled
    with its title or else its platform id."""
    cls, kind_concept = ARTIFACT_CLASSES[kind]
    out: list[Triple] = [
        (iri, RDF.type, cls),
        (iri, ODLM.artifactKind, vocab_iri("artifact-kind", kind_concept)),
        (iri, ODLM.sharedAt, vocab_iri("sharing-location", location)),
    ]
    page = iri_of_url(landing_page)
    if page is not None:
        out.append((iri, DCAT.landingPage, page))
    if platform_id:
        out.append((iri, ODLM.platformId, string_literal(platform_id)))
    label = title or platform_id
    if label:
        out.append((iri, RDFS.label, string_literal(label)))
    return out


def code_repository_triples(url: str) -> tuple[URIRef, list[Triple]] | None:
    """A code repository known only by its URL (on GitHub, GitLab or Bitbucket, the hosts with a
    sharing-location concept), or None for URLs of other hosts."""
    found = repo_host_and_name(url)
    if found is None:
        return None
    host, name = found
    iri = code_iri(host, name.lower())
    out = [(iri, RDF.type, ODLM.SourceCode), (iri, ODLM.artifactKind, vocab_iri("artifact-kind", "Code")),
           (iri, DCAT.landingPage, URIRef(_HOST_HOMEPAGES[host] + quote(name))), (iri, ODLM.platformId, string_literal(name)),
           (iri, RDFS.label, string_literal(name)),
           (iri, ODLM.sharedAt, vocab_iri("sharing-location", CODE_HOST_LOCATIONS[host]))]
    return iri, out


#: Platforms whose account names are case-insensitive (``ORG/Model`` and ``org/model`` are one owner's):
#: the account is keyed, and its ``foaf:accountName`` written, in lower case, so every record of the
#: owner describes the same one account whatever case it writes; the name as displayed is the
#: agent's ``rdfs:label``. ORCID iDs, Zenodo and TF Hub names keep their case.
CASE_INSENSITIVE_ACCOUNTS = frozenset({"huggingface", "github", "gitlab", "bitbucket"})


def account_triples(artifact: URIRef | None, platform: str, account_name: str, service_homepage: str, *,
                    agent_class: URIRef = ODLM.Agent) -> tuple[URIRef, list[Triple]]:
    """The agent holding ``account_name`` on a platform; ``artifact`` (when given) is shared by it.

    >>> _, one = account_triples(None, "huggingface", "ORG", "https://huggingface.co/")
    >>> _, other = account_triples(None, "huggingface", "org", "https://huggingface.co/")
    >>> sorted(str(o) for s, p, o in one if p == FOAF.accountName) == sorted(str(o) for s, p, o in other if p == FOAF.accountName)
    True
    """
    agent = agent_iri(platform, account_name)
    account = instance_iri("account", f"{platform}/{account_name.lower()}")
    folded = platform in CASE_INSENSITIVE_ACCOUNTS
    out: list[Triple] = [
        (agent, RDF.type, agent_class),
        (agent, FOAF.account, account),
        (account, RDF.type, FOAF.OnlineAccount),
        (account, FOAF.accountName, string_literal(account_name.lower() if folded else account_name)),
        (account, FOAF.accountServiceHomepage, URIRef(service_homepage)),
    ]
    if folded:
        out.append((agent, RDFS.label, string_literal(account_name)))  # the name as the record displays it
    if agent_class != ODLM.Agent:
        out.append((agent, RDF.type, ODLM.Agent))
    if artifact is not None:
        out.append((artifact, ODLM.sharedBy, agent))
    return agent, out


def orcid_account_triples(artifact: URIRef, orcid: str) -> list[Triple]:
    """The person holding an ORCID iD (an ORCID account, never the person's name) shares ``artifact``."""
    return account_triples(artifact, "orcid", orcid, "https://orcid.org/", agent_class=ODLM.Person)[1]


def licence_triples(artifact: URIRef, raw: str | None, vocabulary: str) -> list[Triple]:
    """The artifact's licence normalised through the licence table (:func:`odlm_kg.licences.normalise`),
    the licence node typed with its openness class (so a batch validates on its own); for a licence the
    table does not know, the raw string is kept as label and ``odlm:licenceText`` (on the licence and on
    the artifact) and the openness is Unknown. The raw string stays on the artifact too whenever the
    openness is Unknown (GitHub's ``NOASSERTION``, Zenodo's ``other-open``...)."""
    if raw is None or not raw.strip():
        return []
    text = raw.strip()
    expression = expression_licence_triples(artifact, text, vocabulary)
    if expression is not None:
        return expression
    found = normalise_licence(text, vocabulary)
    out: list[Triple] = [(artifact, ODLM.licence, found.iri), (found.iri, RDF.type, ODLM.Licence),
                         (found.iri, ODLM.opennessClass, found.openness)]
    if not found.known:
        out += [(found.iri, RDFS.label, string_literal(text)), (found.iri, ODLM.licenceText, string_literal(text))]
    if not found.known or found.openness == UNKNOWN_OPENNESS:
        out.append((artifact, ODLM.licenceText, string_literal(text)))
    return out


def expression_licence_triples(artifact: URIRef, text: str, vocabulary: str) -> list[Triple] | None:
    """The licences of an SPDX expression with ``AND``/``OR`` (:func:`odlm_kg.licences.expression_tree`),
    or None when ``text`` is no such expression. Every licence of the expression is kept, each typed
    with its openness class. ``A AND B``: the artifact has both licences (``odlm:licence`` each), so it
    is open only when both are. ``A OR B``: a choice its user makes; the artifact has one licence, a
    node of the expression (``id/licence/spdx-expression/<expression>``, labelled with it) whose
    openness is the most open of its parts' and which lists them (``dcterms:hasPart``). The expression
    as written stays on the artifact as ``odlm:licenceText``.

    >>> triples = expression_licence_triples(URIRef("urn:m"), "MIT OR cc-by-nc-4.0", "hf")
    >>> sorted(str(o).rsplit("/", 1)[-1] for s, p, o in triples if p == ODLM.opennessClass)
    ['NonCommercial', 'Open', 'Open']
    """
    tree = expression_tree(text)
    if tree is None:
        return None
    out: list[Triple] = []
    licences, _ = _expression_licences(tree, vocabulary, out)
    out += [(artifact, ODLM.licence, licence) for licence in licences]
    out.append((artifact, ODLM.licenceText, string_literal(text)))
    return unique(out)


def _expression_licences(tree: str | ExpressionTree, vocabulary: str, out: list[Triple]) -> tuple[list[URIRef], URIRef]:
    """The licence IRIs an artifact under ``tree`` has, and their openness; their triples into ``out``."""
    if isinstance(tree, str):
        found = normalise_licence(tree, vocabulary)
        out += [(found.iri, RDF.type, ODLM.Licence), (found.iri, ODLM.opennessClass, found.openness)]
        if not found.known:
            out += [(found.iri, RDFS.label, string_literal(tree)), (found.iri, ODLM.licenceText, string_literal(tree))]
        return [found.iri], found.openness
    operator, parts = tree
    results = [_expression_licences(part, vocabulary, out) for part in parts]
    if operator == "AND":
        return [iri for iris, _ in results for iri in iris], min((o for _, o in results), key=openness_rank)
    openness = max((o for _, o in results), key=openness_rank)
    label = expression_text(tree)
    node = instance_iri("licence", f"spdx-expression/{licence_key(label)}")
    out += [(node, RDF.type, ODLM.Licence), (node, ODLM.opennessClass, openness), (node, RDFS.label, string_literal(label))]
    out += [(node, DCTERMS.hasPart, iri) for iris, _ in results for iri in iris]
    return [node], openness


def expression_text(tree: str | ExpressionTree) -> str:
    """An expression tree written back as SPDX text, parts in their order (the key of an OR node).

    >>> expression_text(("AND", [("OR", ["MIT", "Apache-2.0"]), "BSD-3-Clause"]))
    '(MIT OR Apache-2.0) AND BSD-3-Clause'
    """
    if isinstance(tree, str):
        return tree
    operator, parts = tree
    return f" {operator} ".join(f"({expression_text(p)})" if isinstance(p, tuple) else p for p in parts)


def paper_triples(*, doi: str | None = None, arxiv_id: str | None = None, other_key: str | None = None,
                  title: str | None = None, landing_page: Any = None) -> tuple[URIRef, list[Triple]]:
    """A paper with its DOI (lower-cased) and/or arXiv id (no version)."""
    if doi and arxiv_id is None:
        arxiv_id = normalise_arxiv_id(doi)  # None unless it is an arXiv DOI
    iri = paper_iri(doi=doi, arxiv_id=arxiv_id, other=other_key)
    out: list[Triple] = [(iri, RDF.type, ODLM.Paper)]
    if arxiv_id:
        out.append((iri, ODLM.arxivId, string_literal(arxiv_id)))
    if doi:
        out.append((iri, ODLM.doi, string_literal(doi.lower())))
    if title:
        out.append((iri, DCTERMS.title, string_literal(title)))
    page = iri_of_url(landing_page)
    if page is not None:
        out.append((iri, RDFS.seeAlso, page))
    return iri, out


def paper_from_reference(value: str) -> tuple[URIRef, list[Triple]] | None:
    """A paper from a DOI, an arXiv id or an arXiv/doi.org URL; None for anything else."""
    arxiv_id = normalise_arxiv_id(value)
    if arxiv_id:
        return paper_triples(arxiv_id=arxiv_id)
    doi = normalise_doi(value)
    if doi:
        return paper_triples(doi=doi)
    return None


def doi_record_triples(kind: str, doi: str, *, location: str, landing_page: Any, platform_id: str | None,
                       title: str | None, issued: Literal | None) -> tuple[URIRef, list[Triple]]:
    """A record keyed by its DOI (Zenodo, DataCite): a paper when ``kind`` is "paper", else an artifact
    of ``kind`` at ``location`` with ``odlm:doi`` and its title; the issue date on either."""
    if kind == "paper":
        iri, out = paper_triples(doi=doi, title=title, landing_page=landing_page)
    else:
        iri = instance_iri(kind, doi)
        out = artifact_triples(iri, kind, location=location, landing_page=landing_page,
                               platform_id=platform_id, title=title)
        out.append((iri, ODLM.doi, string_literal(doi)))
        if title:
            out.append((iri, DCTERMS.title, string_literal(title)))
    if issued is not None:
        out.append((iri, DCTERMS.issued, issued))
    return iri, out


def repository_link_triples(artifact: URIRef, url: str, *, archive_key: str | None = None) -> list[Triple]:
    """The code repository at ``url`` (:func:`code_repository_triples`) as the artifact's
    ``odlm:sourceCode``, or, given ``archive_key`` (the artifact's key: it is a software release archived
    from the repository), as what the artifact is derived from. [] for URLs of hosts without a
    sharing-location concept."""
    repo = code_repository_triples(url)
    if repo is None:
        return []
    repo_iri, out = repo
    if archive_key is not None:
        out += derivation_triples(artifact, archive_key, repo_iri, str(repo_iri).rsplit("/id/", 1)[1])
    else:
        out.append((artifact, ODLM.sourceCode, repo_iri))
    return out


def described_by_triples(artifact: URIRef, reference: str) -> list[Triple]:
    """The paper a DOI, arXiv id or arXiv/doi.org URL names (:func:`paper_from_reference`) as describing
    ``artifact``; [] for anything else."""
    paper = paper_from_reference(reference)
    if paper is None:
        return []
    return [*paper[1], (artifact, ODLM.describedBy, paper[0])]


def metric_triples(artifact: URIRef, artifact_key: str, metric: str, value: int | None,
                   observed_at: Literal | None) -> list[Triple]:
    """A dated observation of one platform metric (Downloads, Likes, Stars, Forks).

    The observation IRI is keyed by artifact, metric and time, so a reload writes the same node. Without a
    time stamp nothing is emitted: an undated count cannot be compared with others.
    """
    if value is None or observed_at is None:
        return []
    iri = instance_iri("observation", f"{artifact_key}/{metric.lower()}/{observed_at}")
    return [
        (iri, RDF.type, ODLM.MetricObservation),
        (iri, ODLM.observedArtifact, artifact),
        (iri, ODLM.metric, vocab_iri("metric", metric)),
        (iri, ODLM.metricValue, integer_literal(value)),
        (iri, ODLM.observedAt, observed_at),
    ]


def derivation_triples(derived: URIRef, derived_key: str, source: URIRef, source_key: str,
                       pattern: str | None = None) -> list[Triple]:
    """``derived`` was built from ``source``: the ``odlm:derivedFrom`` shortcut, and, when the reuse
    pattern is known, a qualified derivation node typed by it (a derivation always names its pattern)."""
    out: list[Triple] = [(derived, ODLM.derivedFrom, source)]
    if pattern:
        node = instance_iri("derivation", f"{derived_key}/from/{source_key}")
        out += [(derived, ODLM.qualifiedDerivation, node), (node, RDF.type, ODLM.Derivation),
                (node, ODLM.derivationSource, source), (node, ODLM.reusePattern, vocab_iri("reuse-pattern", pattern))]
    return out


def unique(triples: Iterable[Triple]) -> list[Triple]:
    """The triples without repeats, in first-seen order."""
    return list(dict.fromkeys(triples))


# -- the Source objects of the crawl formats -------------------------------------------------------

#: Crawl formats whose records are each the whole description of one artifact (an API response).
REPLACING_SOURCES = frozenset({"github", "zenodo", "datacite"})


class CrawlSource:
    """A crawl format: a reader of records and a mapper of one record to triples, into the named graph
    of the source's name, validated with the core and crawl shape layers."""

    def __init__(self, name: str, reader: Callable[[Path], Iterator[Record]],
                 mapper: Callable[[Any], Iterable[Triple]]) -> None:
        self.name = name
        self.graph = graph_iri(name)
        self.layers = CRAWL_LAYERS
        self._reader = reader
        self._mapper = mapper
        #: A record of a platform's API describes its artifact whole: loading it again replaces what the
        #: graph held about that artifact (see odlm_kg.sources.pipeline); the other crawl formats add.
        self.replaces_artifacts = name in REPLACING_SOURCES

    def read(self, path: Path) -> Iterator[Record]:
        return self._reader(path)

    def map_record(self, record: Record) -> Iterable[Triple]:
        return self._mapper(record.data)


def unwrapped_json_records(path: Path, unwrap: Callable[[Any], Iterable[Any] | None]) -> Iterator[Record]:
    """Records of JSON files where some top-level values wrap a list of records (``{"items": [...]}``):
    ``unwrap(value)`` returns the wrapped records, or None when the value is a record itself. Records are
    numbered from 1 in each file across all its top-level values."""
    numbers: dict[Path, int] = {}
    for outer in read_json_records(path):
        inner = unwrap(outer.data)
        for value in ([outer.data] if inner is None else inner):
            numbers[outer.file] = numbers.get(outer.file, 0) + 1
            yield Record(outer.file, numbers[outer.file], value)


def listed_entries(value: Any) -> list[Any] | None:
    """For :func:`unwrapped_json_records`: the records of ``{"entries": [...]}`` or of an array; None
    when ``value`` is a record itself."""
    if isinstance(value, dict) and isinstance(value.get("entries"), list):
        return value["entries"]
    return value if isinstance(value, list) else None
