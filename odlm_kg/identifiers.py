"""Identifier normalisation for linking: one canonical form per DOI, arXiv id and repository URL, and the
spellings a target may have stored, so that a lookup by exact value still finds them.

DOIs are case-insensitive; the canonical form is lower case without resolver or ``doi:`` prefix:

>>> normalise_doi("https://doi.org/10.1038/NATURE14539")
'10.1038/nature14539'
>>> normalise_doi("http://dx.doi.org/10.18653/v1/N19-1423")
'10.18653/v1/n19-1423'
>>> normalise_doi("doi:10.5281/zenodo.58369"), normalise_doi("DOI: 10.5281/Zenodo.58369 ")
('10.5281/zenodo.58369', '10.5281/zenodo.58369')
>>> normalise_doi("https://doi.org/10.1000%2Fxyz"), normalise_doi("not a doi") is None
('10.1000/xyz', True)

arXiv ids lose version suffix, ``arXiv:`` prefix and abs/pdf URL; old-style ids keep their archive:

>>> normalise_arxiv_id("arXiv:1810.04805v2"), normalise_arxiv_id("https://arxiv.org/pdf/1810.04805v1.pdf")
('1810.04805', '1810.04805')
>>> normalise_arxiv_id("hep-th/9901001v3"), normalise_arxiv_id("http://arxiv.org/abs/math.GT/0309136")
('hep-th/9901001', 'math.GT/0309136')
>>> normalise_arxiv_id("10.48550/arXiv.2106.09685"), normalise_arxiv_id("1810.0480") is None
('2106.09685', True)

Repository URLs: https, no ``www.``, no trailing ``.git`` or slash; owner and name lower-cased on the
hosts where they are case-insensitive (GitHub, GitLab, Bitbucket):

>>> normalise_repository_url("http://www.GitHub.com/PyTorch/Vision.git/")
'https://github.com/pytorch/vision'
>>> normalise_repository_url("github.com/google-research/bert/tree/master/README.md")
'https://github.com/google-research/bert'
>>> normalise_repository_url("git@github.com:huggingface/transformers.git")
'https://github.com/huggingface/transformers'
>>> normalise_repository_url("https://git.example.org/Lab/Tool.git")
'https://git.example.org/Lab/Tool'
>>> normalise_repository_url("https://github.com/onlyowner") is None
True
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

_DOI = re.compile(r"^(?:doi:\s*|(?:https?://)?(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", re.I)
_ARXIV_NEW = re.compile(r"^(\d{4}\.\d{4,5})(?:v\d+)?$")
_ARXIV_OLD = re.compile(r"^([a-z][a-z\-]*(?:\.[A-Za-z]{2})?/\d{7})(?:v\d+)?$", re.I)
_ARXIV_URL = re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?/?$", re.I)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)
#: Hosts whose owner and repository names are case-insensitive, and how many path segments name a repo.
CASE_INSENSITIVE_HOSTS = {"github.com": 2, "gitlab.com": 2, "bitbucket.org": 2, "codeberg.org": 2}


def normalise_doi(value: str) -> str | None:
    """A DOI lower-cased without ``https://doi.org/``, ``http://dx.doi.org/`` or ``doi:``; None if not one."""
    text = unquote(value.strip())
    match = _DOI.match(text)
    return match.group(1).rstrip("/.").lower() if match else None


def doi_spellings(doi: str) -> list[str]:
    """The bare spellings a target may store for a normalised DOI: as given, upper case.

    >>> doi_spellings("10.1038/nature14539")
    ['10.1038/nature14539', '10.1038/NATURE14539']
    """
    return list(dict.fromkeys([doi, doi.upper()]))


def normalise_arxiv_id(value: str) -> str | None:
    """An arXiv id without version, ``arXiv:`` prefix, URL or arXiv DOI prefix; None if not one."""
    text = value.strip()
    url = _ARXIV_URL.match(text)
    if url:
        text = url.group(1)
    doi = _ARXIV_DOI.match(text)
    if doi:
        text = doi.group(1)
    if text.lower().startswith("arxiv:"):
        text = text[6:].strip()
    match = _ARXIV_NEW.match(text)
    if match:
        # YYMM.NNNN from April 2007 to December 2014, YYMM.NNNNN since January 2015
        yymm, number = match.group(1).split(".")
        return match.group(1) if (len(number) == 5) == (yymm >= "1501") and yymm >= "0704" else None
    match = _ARXIV_OLD.match(text)
    return match.group(1) if match else None


def normalise_repository_url(value: str) -> str | None:
    """The canonical URL of a source-code repository, or None when ``value`` names no repository."""
    text = value.strip()
    scp = re.match(r"^git@([^:/]+):(.+)$", text)  # git@github.com:owner/name.git
    if scp:
        text = f"https://{scp.group(1)}/{scp.group(2)}"
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https", "git", "ssh"):
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host or "." not in host:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if host in CASE_INSENSITIVE_HOSTS:
        if len(segments) < CASE_INSENSITIVE_HOSTS[host]:
            return None
        segments = [s.lower() for s in segments[: CASE_INSENSITIVE_HOSTS[host]]]
    if not segments:
        return None
    segments[-1] = segments[-1].removesuffix(".git")
    if not segments[-1]:
        return None
    return f"https://{host}/" + "/".join(segments)


def repository_url_spellings(url: str, as_written: str | None = None) -> list[str]:
    """Spellings of a repository URL that targets store: https and http, with and without ``www.``,
    ``.git`` or a trailing slash, in the case given and in the canonical case.

    >>> spellings = repository_url_spellings("https://github.com/pytorch/vision", "https://github.com/PyTorch/vision")
    >>> spellings[:3]
    ['https://github.com/pytorch/vision', 'https://github.com/pytorch/vision/', 'https://github.com/pytorch/vision.git']
    >>> "http://www.github.com/PyTorch/vision" in spellings, len(spellings)
    (True, 20)
    """
    canonical = normalise_repository_url(url) or url
    paths = [canonical.split("://", 1)[1]]
    if as_written:
        written = as_written.strip().split("://", 1)[-1].removeprefix("www.").rstrip("/").removesuffix(".git")
        if normalise_repository_url(written) == canonical:
            paths.append(written)
    out: list[str] = []
    for path in dict.fromkeys(paths):
        for scheme, www in (("https", ""), ("http", ""), ("https", "www."), ("http", "www.")):
            base = f"{scheme}://{www}{path}"
            out += [base, base + "/"] if www else [base, base + "/", base + ".git"]
    return list(dict.fromkeys(out))
