"""Materialise odlm:OpenDeepLearningModel with a SPARQL rule that mirrors its OWL definition.

The ontology defines an open deep-learning model as a DeepLearningModel that has some licence which is
an OpenLicence (a Licence whose openness class is Open) and is shared at some PublicSharingLocation.
Which licences are open is said by the licence table (graph ``licences``, and by the licence nodes a
loader writes with the records); which sharing locations are public is said by the vocabulary
(graph ``vocab``). The rule therefore reads every graph, and writes the inferred type into the graph
that holds the model's sharing location, so it is replaced together with that graph.

A test checks that the rule and HermiT (owlready2) agree on a sample of models.
"""

from __future__ import annotations

from rdflib import Dataset

from odlm_kg.namespaces import sparql_prefixes, vocab_iri
from odlm_kg.store.base import Store

OPEN = vocab_iri("licence-openness", "Open")

#: Every graph is matched explicitly (``GRAPH ?x``), so the rule means the same on Oxigraph (whose
#: update default graph is the real default graph) and on an rdflib Dataset.
CLASSIFY_OPEN_MODELS = sparql_prefixes(["odlm", "rdf", "rdfs"]) + f"""
INSERT {{ GRAPH ?g {{ ?model a odlm:OpenDeepLearningModel }} }}
WHERE {{
  GRAPH ?g {{ ?model odlm:sharedAt ?location }}
  GRAPH ?gm {{ ?model a ?modelClass }}
  {{ VALUES ?modelClass {{ odlm:DeepLearningModel odlm:PretrainedModel }} }}
  UNION
  {{ GRAPH ?go {{ ?modelClass rdfs:subClassOf+ odlm:DeepLearningModel }} }}
  GRAPH ?gl {{ ?model odlm:licence ?licence }}
  GRAPH ?gt {{ ?licence a odlm:Licence ; odlm:opennessClass <{OPEN}> }}
  GRAPH ?gp {{ ?location a odlm:PublicSharingLocation }}
  FILTER NOT EXISTS {{ GRAPH ?g {{ ?model a odlm:OpenDeepLearningModel }} }}
}}
"""


def classify_open_models(store: Store) -> None:
    """Add ``a odlm:OpenDeepLearningModel`` for every model the rule classifies (idempotent)."""
    store.update(CLASSIFY_OPEN_MODELS)


def classify_dataset(dataset: Dataset) -> None:
    """The same rule over an rdflib Dataset (used by build steps before anything is in a store)."""
    dataset.update(CLASSIFY_OPEN_MODELS)
