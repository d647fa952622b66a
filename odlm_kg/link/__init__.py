"""Linking the graph's papers and code repositories to external scholarly graphs (DESIGN §9).

One module per target (:mod:`~odlm_kg.link.wikidata`, :mod:`~odlm_kg.link.semopenalex`,
:mod:`~odlm_kg.link.dblp`, :mod:`~odlm_kg.link.orkg`), the shared HTTP machinery in
:mod:`~odlm_kg.link.client`, identifier normalisation in :mod:`~odlm_kg.identifiers`, and the
run itself in :mod:`~odlm_kg.link.run`.

>>> sorted(TARGETS)
['dblp', 'orkg', 'semopenalex', 'wikidata']
>>> get_target("dblp").graph
rdflib.term.URIRef('https://w3id.org/odlm/graph/link-dblp')
"""

from __future__ import annotations

import importlib

from odlm_kg.errors import UsageError
from odlm_kg.link.base import Target

#: CLI name -> "module:attribute" of the Target (imported when asked for).
TARGETS: dict[str, str] = {
    "wikidata": "odlm_kg.link.wikidata:TARGET",
    "semopenalex": "odlm_kg.link.semopenalex:TARGET",
    "dblp": "odlm_kg.link.dblp:TARGET",
    "orkg": "odlm_kg.link.orkg:TARGET",
}


def get_target(name: str) -> Target:
    """The target called ``name`` (``openalex`` is accepted for ``semopenalex``)."""
    key = "semopenalex" if name.lower() == "openalex" else name.lower()
    if key not in TARGETS:
        raise UsageError(f"no link target {name!r}. Targets: {', '.join(sorted(TARGETS))}.")
    module, _, attribute = TARGETS[key].partition(":")
    target: Target = getattr(importlib.import_module(module), attribute)
    return target
