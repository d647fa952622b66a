"""odlm-kg: a knowledge graph of how deep-learning models, datasets and code are shared and reused.

>>> from odlm_kg import ODLM, __version__
>>> str(ODLM.DeepLearningModel)
'https://w3id.org/odlm#DeepLearningModel'
"""

from odlm_kg.namespaces import ODLM, ONTOLOGY_VERSION

__version__ = "0.1.0"

__all__ = ["ODLM", "ONTOLOGY_VERSION", "__version__"]
