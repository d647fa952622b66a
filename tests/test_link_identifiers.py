"""Identifier normalisation used for linking: every spelling of one identifier gives one canonical form."""

from __future__ import annotations

import pytest

from odlm_kg.identifiers import (
    normalise_arxiv_id,
    normalise_doi,
    normalise_repository_url,
    repository_url_spellings,
)


@pytest.mark.parametrize("spelling", [
    "10.18653/v1/N19-1423", "10.18653/V1/N19-1423", "https://doi.org/10.18653/v1/N19-1423",
    "http://doi.org/10.18653/v1/n19-1423", "http://dx.doi.org/10.18653/v1/N19-1423", "doi:10.18653/v1/N19-1423",
    "DOI: 10.18653/v1/N19-1423", " https://doi.org/10.18653%2Fv1%2FN19-1423 ", "doi.org/10.18653/v1/N19-1423/",
])
def test_doi_spellings(spelling: str) -> None:
    assert normalise_doi(spelling) == "10.18653/v1/n19-1423"


@pytest.mark.parametrize("value", ["", "10.1/x", "11.1234/abc", "https://example.org/10.1234/x", "arXiv:1810.04805"])
def test_not_dois(value: str) -> None:
    assert normalise_doi(value) is None


@pytest.mark.parametrize(("spelling", "expected"), [
    ("1810.04805", "1810.04805"), ("1810.04805v2", "1810.04805"), ("arXiv:1810.04805v1", "1810.04805"),
    ("arxiv:1810.04805", "1810.04805"), ("https://arxiv.org/abs/1810.04805v3", "1810.04805"),
    ("http://arxiv.org/pdf/1810.04805.pdf", "1810.04805"), ("https://arxiv.org/pdf/1810.04805v2", "1810.04805"),
    ("https://export.arxiv.org/abs/2106.09685", "2106.09685"), ("10.48550/arXiv.2106.09685", "2106.09685"),
    ("0704.0001", "0704.0001"), ("hep-th/9901001", "hep-th/9901001"), ("hep-th/9901001v2", "hep-th/9901001"),
    ("arXiv:hep-th/9901001", "hep-th/9901001"), ("https://arxiv.org/abs/hep-th/9901001v1", "hep-th/9901001"),
    ("math.GT/0309136", "math.GT/0309136"), ("cond-mat/0102536v1", "cond-mat/0102536"),
])
def test_arxiv_spellings(spelling: str, expected: str) -> None:
    assert normalise_arxiv_id(spelling) == expected


@pytest.mark.parametrize("value", ["", "1810.0480", "arXiv", "hep-th/990100", "https://arxiv.org/list/cs.LG/recent"])
def test_not_arxiv_ids(value: str) -> None:
    assert normalise_arxiv_id(value) is None


@pytest.mark.parametrize("spelling", [
    "https://github.com/PyTorch/Vision", "https://github.com/pytorch/vision.git", "http://github.com/pytorch/vision",
    "https://www.github.com/pytorch/vision/", "github.com/pytorch/vision", "git@github.com:pytorch/vision.git",
    "https://github.com/pytorch/vision/tree/main/torchvision", "HTTPS://GITHUB.COM/PYTORCH/VISION",
    "git://github.com/pytorch/vision.git",
])
def test_repository_spellings(spelling: str) -> None:
    assert normalise_repository_url(spelling) == "https://github.com/pytorch/vision"


def test_repository_hosts() -> None:
    assert normalise_repository_url("https://gitlab.com/Group/Project.git") == "https://gitlab.com/group/project"
    assert normalise_repository_url("https://bitbucket.org/Owner/Repo/src") == "https://bitbucket.org/owner/repo"
    # unknown hosts keep the case of their path (it may matter there)
    assert normalise_repository_url("https://git.example.org/Lab/Tool/") == "https://git.example.org/Lab/Tool"
    for value in ("https://github.com/", "https://github.com/owner", "mailto:x@y.org", "not a url"):
        assert normalise_repository_url(value) is None


def test_repository_spellings_cover_what_editors_type() -> None:
    spellings = repository_url_spellings("https://github.com/pytorch/vision", "https://github.com/PyTorch/Vision")
    for typed in ("https://github.com/pytorch/vision", "https://github.com/PyTorch/Vision.git",
                  "http://www.github.com/pytorch/vision/", "https://github.com/PyTorch/Vision/"):
        assert typed in spellings
    assert {normalise_repository_url(s) for s in spellings} == {"https://github.com/pytorch/vision"}
