"""The ``paperswithcode`` source over real rows of the links-between-papers-and-code dump and edge cases."""

from __future__ import annotations

from pathlib import Path

from crawl_loading import load_source_twice
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF

from odlm_kg.namespaces import ODLM, instance_iri, vocab_iri
from odlm_kg.sources.pipeline import LoadReport
from odlm_kg.store import OxigraphStore

FOLDER = "paperswithcode-links"
SAMPLE = "links-between-papers-and-code_sample.json"
FIXTURES = Path(__file__).resolve().parent / "data" / "paperswithcode"


def load_twice(store: OxigraphStore, path: Path, tmp_path: Path | None = None) -> tuple[LoadReport, Graph]:
    return load_source_twice("paperswithcode", store, path, tmp_path)


def test_every_real_file_is_covered(real_data: Path) -> None:
    names = {p.name for p in (real_data / FOLDER).iterdir() if p.name != "README.md"}
    assert names == {SAMPLE}


def test_real_links(real_data: Path, memory_store: OxigraphStore) -> None:
    report, graph = load_twice(memory_store, real_data / FOLDER / SAMPLE)
    assert (report.read, report.written, report.rejected) == (9, 9, 0)
    # an official link: arXiv id without its version, repository owner/name lower-cased
    paper = instance_iri("paper", "1810.10559")
    repo = instance_iri("code", "paul-buerkner/psis-non-factorized-paper")
    assert (paper, ODLM.arxivId, Literal("1810.10559")) in graph
    assert (repo, ODLM.describedBy, paper) in graph
    assert (repo, ODLM.sharedAt, vocab_iri("sharing-location", "GitHub")) in graph
    # a community implementation, repository name with capitals
    kerr = instance_iri("code", "leongeiger/kerr")
    assert (kerr, ODLM.describedBy, instance_iri("paper", "1601.02063")) in graph
    assert (kerr, ODLM.platformId, Literal("LeonGeiger/Kerr")) in graph
    # an ACL Anthology paper without arXiv id is keyed by its Papers with Code slug
    acl = instance_iri("paper", "pwc/automatic-post-editing-of-machine-translation")
    assert (instance_iri("code", "trangvu/ape-npi"), ODLM.describedBy, acl) in graph
    assert graph.value(acl, DCTERMS.title).startswith("Automatic Post-Editing")
    assert graph.value(acl, ODLM.arxivId) is None
    assert len(set(graph.subjects(RDF.type, ODLM.Paper))) == 9


def test_edge_cases(memory_store: OxigraphStore, tmp_path: Path) -> None:
    report, graph = load_twice(memory_store, FIXTURES / "edge_cases.json", tmp_path)
    assert (report.read, report.written, report.rejected) == (7, 3, 4)
    rejects = (tmp_path / "rejects.jsonl").read_text()
    for expected in ("got '1234.5'", "sourceforge.net", '"field": "repo_url", "reason": "missing',
                     "neither an arXiv id"):
        assert expected in rejects
    # a GitLab repository is kept, at the GitLab sharing location (regression: it was rejected)
    assert "gitlab.com" not in rejects
    gitlab = instance_iri("code", "gitlab/group/project")
    assert (gitlab, ODLM.sharedAt, vocab_iri("sharing-location", "GitLab")) in graph
    # the same link twice (versioned id, differently cased URL with .git) is one paper, one repository
    bert = instance_iri("code", "google-research/bert")
    assert set(graph.objects(bert, ODLM.describedBy)) == {instance_iri("paper", "1810.04805")}
    assert len(set(graph.subjects(RDF.type, ODLM.SourceCode))) == 2
