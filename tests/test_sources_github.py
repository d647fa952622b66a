"""The ``github`` source over the real GitHub REST samples and the project's edge-case fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from crawl_loading import load_source_twice
from rdflib import Graph, Literal
from rdflib.namespace import FOAF, RDF, RDFS, XSD

from odlm_kg.errors import InputError
from odlm_kg.namespaces import ODLM, SPDX_LICENSE, instance_iri, vocab_iri
from odlm_kg.sources import get_source
from odlm_kg.sources.pipeline import LoadReport, run_load
from odlm_kg.store import OxigraphStore

FOLDER = "github-api-pygithub"
REAL_FILES = ("repos_PyGithub_PyGithub.json", "search_repositories_2014_first5.json")
FIXTURES = Path(__file__).resolve().parent / "data" / "github"


def load_twice(store: OxigraphStore, path: Path, tmp_path: Path | None = None) -> tuple[LoadReport, Graph]:
    return load_source_twice("github", store, path, tmp_path)


def test_every_real_file_is_covered(real_data: Path) -> None:
    names = {p.name for p in (real_data / FOLDER).iterdir() if p.name != "README.md"}
    assert names == set(REAL_FILES)


def test_pygithub_repository(real_data: Path, memory_store: OxigraphStore) -> None:
    report, graph = load_twice(memory_store, real_data / FOLDER / "repos_PyGithub_PyGithub.json")
    assert (report.read, report.written, report.rejected) == (1, 1, 0)
    repo = instance_iri("code", "pygithub/pygithub")
    assert (repo, RDF.type, ODLM.SourceCode) in graph
    assert (repo, ODLM.sharedAt, vocab_iri("sharing-location", "GitHub")) in graph
    assert (repo, ODLM.platformId, Literal("PyGithub/PyGithub")) in graph
    # GitHub's spdx_id LGPL-3.0 is the deprecated SPDX id of LGPL-3.0-only
    licence = graph.value(repo, ODLM.licence)
    assert licence is not None and str(licence).startswith(str(SPDX_LICENSE)) and "LGPL-3.0" in str(licence)
    agent = instance_iri("agent", "github/pygithub")
    assert (repo, ODLM.sharedBy, agent) in graph
    assert (agent, RDF.type, ODLM.Organization) in graph
    account = graph.value(agent, FOAF.account)
    # account names are case-insensitive on GitHub: the account's name is folded, the login as displayed
    # is the agent's label (tests/test_loader_fixes.py)
    assert graph.value(account, FOAF.accountName) == Literal("pygithub")
    assert (agent, RDFS.label, Literal("PyGithub")) in graph
    stars = {(graph.value(o, ODLM.metric), graph.value(o, ODLM.metricValue), graph.value(o, ODLM.observedAt))
             for o in graph.subjects(ODLM.observedArtifact, repo)}
    when = Literal("2025-01-06T21:35:40Z", datatype=XSD.dateTime)
    assert stars == {(vocab_iri("metric", "Stars"), Literal(7122), when),
                     (vocab_iri("metric", "Forks"), Literal(1793), when)}


def test_search_page_of_2014_without_licence_or_topics(real_data: Path, memory_store: OxigraphStore) -> None:
    report, graph = load_twice(memory_store, real_data / FOLDER / "search_repositories_2014_first5.json")
    assert (report.read, report.written, report.rejected) == (5, 5, 0)
    legit = instance_iri("code", "kennethreitz/legit")
    assert (legit, RDF.type, ODLM.SourceCode) in graph
    assert graph.value(legit, ODLM.licence) is None
    stars = [o for o in graph.subjects(ODLM.observedArtifact, legit)
             if graph.value(o, ODLM.metric) == vocab_iri("metric", "Stars")]
    assert [graph.value(o, ODLM.metricValue) for o in stars] == [Literal(3036)]
    assert len(set(graph.subjects(RDF.type, ODLM.SourceCode))) == 5


def test_edge_cases(memory_store: OxigraphStore, tmp_path: Path) -> None:
    report, graph = load_twice(memory_store, FIXTURES / "edge_cases.json", tmp_path)
    assert (report.read, report.written, report.rejected) == (7, 4, 3)
    rejects = (tmp_path / "rejects.jsonl").read_text()
    assert '"record": 4, "field": "stargazers_count"' in rejects  # wrong type
    assert '"record": 5, "field": "full_name"' in rejects  # no owner/name at all
    assert '"record": 6' in rejects  # not an object
    # the same repository twice (differently cased) is one node; the fork is derived from its parent
    fork = instance_iri("code", "example-org/forked-repo")
    assert (fork, ODLM.derivedFrom, instance_iri("code", "upstream/original")) in graph
    assert (fork, ODLM.licenceText, Literal("NOASSERTION")) in graph  # the raw id is kept
    assert graph.value(graph.value(fork, ODLM.licence), ODLM.opennessClass) == vocab_iri("licence-openness", "Unknown")
    lonely = instance_iri("code", "solo/no-owner-no-licence")
    assert graph.value(lonely, ODLM.sharedBy) is None and graph.value(lonely, ODLM.licence) is None
    mit = instance_iri("code", "mit/licensed")
    assert (mit, ODLM.licence, SPDX_LICENSE["MIT"]) in graph
    assert (instance_iri("agent", "github/mit"), RDF.type, ODLM.Agent) in graph


@pytest.mark.parametrize(("name", "expected"), [("truncated.json", "truncated JSON"),
                                                ("not_utf8.json", "not UTF-8")])
def test_unreadable_files_stop_and_write_nothing(memory_store: OxigraphStore, name: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        run_load(memory_store, get_source("github"), [FIXTURES / name], progress=False, classify=False)
    assert memory_store.is_empty()
