"""odlm-kg: a knowledge graph of how deep-learning models, datasets and code are shared and reused.

In a notebook: ``odlm_kg.queries()`` lists the named queries, ``odlm_kg.query(name, store=…)`` runs one
and ``odlm_kg.sparql(text, store=…)`` runs your own SPARQL, each answering a pandas DataFrame; ``store``
takes what ``--store`` takes (a directory, ``"memory"``, an http(s) SPARQL endpoint URL) or an open store.

>>> from odlm_kg import ODLM, __version__
>>> str(ODLM.DeepLearningModel)
'https://w3id.org/odlm#DeepLearningModel'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# ``queries`` is a module that can be called: ``odlm_kg.queries()`` is the catalogue as a DataFrame (see
# odlm_kg.queries._CallableModule for why it is not a function here).
from odlm_kg import queries
from odlm_kg.namespaces import ODLM, ONTOLOGY_VERSION

if TYPE_CHECKING:
    import os

    import pandas

    from odlm_kg.store.base import Store

__version__ = "0.1.0"


def query(name: str, store: Store | str | os.PathLike[str] | None = None, **params: object) -> pandas.DataFrame:
    """Run a named query (``queries/NAME.rq``) and return a pandas DataFrame; see :func:`odlm_kg.queries.query`."""
    return queries.query(name, store, **params)


def sparql(text: str, store: Store | str | os.PathLike[str] | None = None) -> pandas.DataFrame:
    """Run a SPARQL query and return a pandas DataFrame; see :func:`odlm_kg.queries.sparql`."""
    return queries.sparql(text, store)


__all__ = ["ODLM", "ONTOLOGY_VERSION", "__version__", "queries", "query", "sparql"]
