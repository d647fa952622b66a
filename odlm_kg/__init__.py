"""odlm-kg: a knowledge graph of how deep-learning models, datasets and code are shared and reused.

>>> from odlm_kg import ODLM, __version__
>>> str(ODLM.DeepLearningModel)
'https://w3id.org/odlm#DeepLearningModel'
"""

from odlm_kg.namespaces import ODLM, ONTOLOGY_VERSION

__version__ = "0.1.0"


def query(name: str, store: object = None, **params: object) -> object:
    """Run a named query (``queries/NAME.rq``) and return a pandas DataFrame; see :mod:`odlm_kg.queries`."""
    from odlm_kg.queries import query as run_query

    return run_query(name, store, **params)  # type: ignore[arg-type]


__all__ = ["ODLM", "ONTOLOGY_VERSION", "__version__", "query"]
