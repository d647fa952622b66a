"""Materialise odlm:OpenDeepLearningModel with SPARQL rules that mirror its OWL definition.

The ontology defines an open deep-learning model as a PretrainedModel (its trained weights are shared)
that carries at least one licence, every licence it carries being an OpenLicence (a Licence whose
openness class is Open), and whose deposit is open to the public: ``dcterms:accessRights`` the EU
access-right ``PUBLIC``. Gated or otherwise controlled access is not open, whatever the licence.

Two rules run, in this order:

1. :data:`DERIVE_ACCESS_RIGHTS`: a deposit whose record states no access rights gets them from its own
   record: ``RESTRICTED`` when the record gives it a controlled-access release strategy (gated access,
   API-only access, or any strategy under ``ControlledAccess``), else ``PUBLIC`` when the crawl reached
   it at a public sharing location. The platform alone never makes a deposit public: a gated deposit on
   the Hugging Face Hub is restricted.
2. :data:`CLASSIFY_OPEN_MODELS`: the OWL definition, reading the licences a graph states as all of the
   model's licences (the closed-world reading of ``owl:allValuesFrom``). Which licences are open is said
   by the licence table (graph ``licences``, and the licence nodes a loader writes with the records).

Both rules read every graph and write into the graph that holds the model's sharing location, so what
they derive is replaced together with that graph. A test checks that the rules and HermiT (owlready2)
agree on a sample of models.
"""

from __future__ import annotations

from rdflib import Dataset, URIRef

from odlm_kg.namespaces import sparql_prefixes, vocab_iri
from odlm_kg.store.base import Store

OPEN = vocab_iri("licence-openness", "Open")
CONTROLLED_ACCESS = vocab_iri("release-strategy", "ControlledAccess")
#: Values of dcterms:accessRights (the EU access-right authority table, as DCAT-AP uses it).
ACCESS_PUBLIC = URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC")
ACCESS_RESTRICTED = URIRef("http://publications.europa.eu/resource/authority/access-right/RESTRICTED")

#: Every graph is matched explicitly (``GRAPH ?x``), so the rules mean the same on Oxigraph (whose
#: update default graph is the real default graph) and on an rdflib Dataset.
DERIVE_ACCESS_RIGHTS = sparql_prefixes(["odlm", "skos", "dcterms"]) + f"""
INSERT {{ GRAPH ?g {{ ?artifact dcterms:accessRights ?access }} }}
WHERE {{
  GRAPH ?g {{ ?artifact odlm:sharedAt ?location }}
  FILTER NOT EXISTS {{ GRAPH ?ga {{ ?artifact dcterms:accessRights ?stated }} }}
  BIND(EXISTS {{
    GRAPH ?gs {{ ?artifact odlm:releaseStrategy ?strategy }}
    GRAPH ?gv {{ ?strategy skos:broader* <{CONTROLLED_ACCESS}> }}
  }} AS ?controlled)
  OPTIONAL {{ GRAPH ?gp {{ ?location a odlm:PublicSharingLocation }} BIND(true AS ?public) }}
  FILTER(?controlled || BOUND(?public))
  BIND(IF(?controlled, <{ACCESS_RESTRICTED}>, <{ACCESS_PUBLIC}>) AS ?access)
}}
"""

CLASSIFY_OPEN_MODELS = sparql_prefixes(["odlm", "rdf", "rdfs", "dcterms"]) + f"""
INSERT {{ GRAPH ?g {{ ?model a odlm:OpenDeepLearningModel }} }}
WHERE {{
  GRAPH ?g {{ ?model dcterms:accessRights <{ACCESS_PUBLIC}> }}
  GRAPH ?gm {{ ?model a ?modelClass }}
  {{ VALUES ?modelClass {{ odlm:PretrainedModel }} }}
  UNION
  {{ GRAPH ?go {{ ?modelClass rdfs:subClassOf+ odlm:PretrainedModel }} }}
  GRAPH ?gl {{ ?model odlm:licence ?licence }}
  GRAPH ?gt {{ ?licence a odlm:Licence ; odlm:opennessClass <{OPEN}> }}
  FILTER NOT EXISTS {{
    GRAPH ?gl2 {{ ?model odlm:licence ?other }}
    FILTER NOT EXISTS {{ GRAPH ?gt2 {{ ?other a odlm:Licence ; odlm:opennessClass <{OPEN}> }} }}
  }}
  FILTER NOT EXISTS {{ GRAPH ?g {{ ?model a odlm:OpenDeepLearningModel }} }}
}}
"""


def classify_open_models(store: Store) -> None:
    """Derive access rights, then add ``a odlm:OpenDeepLearningModel`` where the rule holds (idempotent)."""
    store.update(DERIVE_ACCESS_RIGHTS)
    store.update(CLASSIFY_OPEN_MODELS)


def classify_dataset(dataset: Dataset) -> None:
    """The same rules over an rdflib Dataset (used by build steps before anything is in a store)."""
    dataset.update(DERIVE_ACCESS_RIGHTS)
    dataset.update(CLASSIFY_OPEN_MODELS)
