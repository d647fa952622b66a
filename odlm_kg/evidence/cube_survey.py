"""Survey observations of the comparison cube, computed from the microdata of each survey in one graph.

For every ``odlm:Survey`` of a source graph the refresher computes, with aggregate SPARQL over
``GRAPH <source_graph>`` only (so its cost follows the size of that graph):

- the shares of Dalgali & Crowston's Tables 3-7: for each answer option, its answers among the
  answers to that question by the question's population, "Other (please specify)" included in the base
  (population ``ModelSharers`` for sites, status, department and reasons for sharing,
  ``ModelNonSharers`` for reasons for not sharing; share of ``Answers``; n = respondents of the
  population);
- the age-band shares of model sharers (share of their answers to the age question);
- co-sharing: the share of model sharers who share training data (factor ``artifact-kind/Data``) or
  source code (``artifact-kind/Code``), of the model sharers who answered that question
  (share of ``ModelSharingRespondents``);
- the section 4.5 age subgroups: the share of respondents of each age band who share no model
  (population ``AllRespondents``, subgroup the band, factor ``artifact-kind/Model``,
  ``odlm:countsNonSharersOf`` the model kind, share of ``Respondents``).

Every observation is about models (``artifact-kind/Model``): the survey asked model sharers; it says
nothing about who shares data or code. Each is flagged ``synthetic`` when its survey is
(``odlm:synthetic true``), has the survey node as its ``evidenceSource`` and the survey's
``dcterms:date`` when it has one. Options nobody chose have no observation (a reader sees the base
and n on the other rows of the same table).

>>> from odlm_kg.store import OxigraphStore
>>> from odlm_kg.evidence.survey_demo import demo_graph
>>> from odlm_kg.namespaces import graph_iri
>>> store = OxigraphStore()
>>> store.add_graph(demo_graph(), graph_iri("survey-demo"))
>>> observations = survey_observations(store, graph_iri("survey-demo"))
>>> github = next(o for o in observations if str(o.factor).endswith("sharing-location/GitHub"))
>>> (github.numerator, github.base, github.sample_size, github.percentage, github.synthetic)
(41, 67, 41, Decimal('61.2'), True)
>>> survey_observations(store, graph_iri("nothing-here"))
[]
>>> store.close()
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import Literal, URIRef

from odlm_kg.evidence.cube import SURVEY, CubeObservation
from odlm_kg.namespaces import ODLM, vocab_iri
from odlm_kg.store.base import Store

MODEL = vocab_iri("artifact-kind", "Model")
DATA = vocab_iri("artifact-kind", "Data")
CODE = vocab_iri("artifact-kind", "Code")
MODEL_SHARERS = vocab_iri("population", "ModelSharers")
MODEL_NON_SHARERS = vocab_iri("population", "ModelNonSharers")
ALL_RESPONDENTS = vocab_iri("population", "AllRespondents")
ANSWERS = vocab_iri("share-base", "Answers")
RESPONDENTS = vocab_iri("share-base", "Respondents")
MODEL_SHARING_RESPONDENTS = vocab_iri("share-base", "ModelSharingRespondents")


@dataclass(frozen=True)
class Question:
    """A multi-select question whose option shares the cube holds: the property its answers are
    stated with, the local names of its "Other (please specify)" options (stated with
    ``odlm:selectedOption``, counted in the base only) and the population asked."""

    prop: URIRef
    others: tuple[str, ...]
    population: URIRef


#: Tables 3-7 and the age question, by answer property. Codebooks name their "Other" options freely;
#: these are the local names the shipped codebook (docs/survey.md) gives them.
QUESTIONS: tuple[Question, ...] = (
    Question(ODLM.reportsLocation, ("OtherSite",), MODEL_SHARERS),                 # Table 3
    Question(ODLM.role, ("OtherStatus",), MODEL_SHARERS),                          # Table 4
    Question(ODLM.discipline, ("OtherDepartment",), MODEL_SHARERS),                # Table 5
    Question(ODLM.reportsMotivation, ("OtherReasonForSharing",), MODEL_SHARERS),   # Table 6
    Question(ODLM.reportsBarrier, ("OtherReasonForNotSharing",), MODEL_NON_SHARERS),  # Table 7
    Question(ODLM.ageBand, (), MODEL_SHARERS),                                     # age of model sharers
)
_ON_RESPONDENT = (ODLM.role, ODLM.discipline, ODLM.ageBand)


def _rows(store: Store, text: str) -> list[dict[str, object]]:
    return list(getattr(store.query(text), "rows", []))


def _int(term: object) -> int:
    return int(term.toPython()) if isinstance(term, Literal) else int(str(term))


def survey_observations(store: Store, source_graph: URIRef) -> list[CubeObservation]:
    """The survey observations of every survey in ``source_graph`` ([] when it holds none)."""
    graph = source_graph.n3()
    surveys = _rows(store, f"""PREFIX odlm: <{ODLM}>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?survey (SAMPLE(?flag) AS ?synthetic) (SAMPLE(?when) AS ?date) WHERE {{ GRAPH {graph} {{
  ?survey a odlm:Survey .
  OPTIONAL {{ ?survey odlm:synthetic ?flag }}
  OPTIONAL {{ ?survey dcterms:date ?when }}
}} }} GROUP BY ?survey""")
    if not surveys:
        return []
    model = MODEL.n3()
    # respondents per survey and model-sharing answer (the populations' n)
    sizes: dict[tuple[URIRef, URIRef], int] = defaultdict(int)
    for row in _rows(store, f"""PREFIX odlm: <{ODLM}>
SELECT ?survey ?sharing (COUNT(DISTINCT ?response) AS ?n) WHERE {{ GRAPH {graph} {{
  ?response odlm:survey ?survey ; ?sharing {model} .
  FILTER (?sharing IN (odlm:sharesKind, odlm:doesNotShareKind))
}} }} GROUP BY ?survey ?sharing"""):
        population = MODEL_SHARERS if row["sharing"] == ODLM.sharesKind else MODEL_NON_SHARERS
        sizes[(row["survey"], population)] = _int(row["n"])  # type: ignore[index]
    for row in _rows(store, f"""PREFIX odlm: <{ODLM}>
SELECT ?survey (COUNT(DISTINCT ?response) AS ?n) WHERE {{ GRAPH {graph} {{ ?response odlm:survey ?survey }} }}
GROUP BY ?survey"""):
        sizes[(row["survey"], ALL_RESPONDENTS)] = _int(row["n"])  # type: ignore[index]

    # answers per survey, population, question and option (one aggregate query for all questions)
    on_response = ", ".join(q.prop.n3() for q in QUESTIONS if q.prop not in _ON_RESPONDENT)
    on_respondent = ", ".join(p.n3() for p in _ON_RESPONDENT)
    answers: dict[tuple[URIRef, URIRef, URIRef], dict[URIRef, int]] = defaultdict(dict)
    other_of = {other: q.prop for q in QUESTIONS for other in q.others}
    for row in _rows(store, f"""PREFIX odlm: <{ODLM}>
SELECT ?survey ?sharing ?p ?o (COUNT(*) AS ?answers) WHERE {{ GRAPH {graph} {{
  ?response odlm:survey ?survey ; ?sharing {model} .
  FILTER (?sharing IN (odlm:sharesKind, odlm:doesNotShareKind))
  {{ ?response ?p ?o FILTER (?p IN ({on_response}, odlm:selectedOption)) }}
  UNION {{ ?response odlm:respondent ?who . ?who ?p ?o FILTER (?p IN ({on_respondent})) }}
}} }} GROUP BY ?survey ?sharing ?p ?o"""):
        population = MODEL_SHARERS if row["sharing"] == ODLM.sharesKind else MODEL_NON_SHARERS
        prop, option = row["p"], row["o"]
        is_other = prop == ODLM.selectedOption
        if is_other:  # an "Other (please specify)": counted in the base of its question
            prop = other_of.get(str(option).rsplit("/", 1)[-1])
            if prop is None:
                continue
        answers[(row["survey"], population, prop)][option] = _int(row["answers"])  # type: ignore[index]

    # co-sharing: model sharers who answered whether they share training data / source code
    cosharing: dict[tuple[URIRef, URIRef], dict[bool, int]] = defaultdict(dict)
    for row in _rows(store, f"""PREFIX odlm: <{ODLM}>
SELECT ?survey ?kind ?sharing (COUNT(DISTINCT ?response) AS ?n) WHERE {{ GRAPH {graph} {{
  ?response odlm:survey ?survey ; odlm:sharesKind {model} ; ?sharing ?kind .
  FILTER (?sharing IN (odlm:sharesKind, odlm:doesNotShareKind) && ?kind IN ({DATA.n3()}, {CODE.n3()}))
}} }} GROUP BY ?survey ?kind ?sharing"""):
        cosharing[(row["survey"], row["kind"])][row["sharing"] == ODLM.sharesKind] = _int(row["n"])  # type: ignore[index]

    # section 4.5: respondents of each age band, sharing models or not
    by_age: dict[tuple[URIRef, URIRef], dict[bool, int]] = defaultdict(dict)
    for row in _rows(store, f"""PREFIX odlm: <{ODLM}>
SELECT ?survey ?band ?sharing (COUNT(DISTINCT ?response) AS ?n) WHERE {{ GRAPH {graph} {{
  ?response odlm:survey ?survey ; ?sharing {model} ; odlm:respondent ?who .
  ?who odlm:ageBand ?band .
  FILTER (?sharing IN (odlm:sharesKind, odlm:doesNotShareKind))
}} }} GROUP BY ?survey ?band ?sharing"""):
        by_age[(row["survey"], row["band"])][row["sharing"] == ODLM.sharesKind] = _int(row["n"])  # type: ignore[index]

    observations: list[CubeObservation] = []
    for info in surveys:
        survey = info["survey"]
        assert isinstance(survey, URIRef)
        flag = info.get("synthetic")
        common = {"evidence": SURVEY, "source": survey, "kind": MODEL,
                  "synthetic": bool(isinstance(flag, Literal) and flag.toPython() is True),
                  "date": info.get("date") if isinstance(info.get("date"), Literal) else None}
        for question in QUESTIONS:
            counts = answers.get((survey, question.population, question.prop), {})
            base = sum(counts.values())
            if not base:
                continue
            n = sizes.get((survey, question.population), 0)
            for option, chosen in counts.items():
                if str(option).rsplit("/", 1)[-1] in question.others:
                    continue  # in the base, never a row: its free texts are not concepts
                observations.append(CubeObservation(
                    **common, factor=option, population=question.population, share_of=ANSWERS,  # type: ignore[arg-type]
                    numerator=chosen, base=base, sample_size=n))
        sharers = sizes.get((survey, MODEL_SHARERS), 0)
        for kind in (DATA, CODE):
            answered = cosharing.get((survey, kind), {})
            if sum(answered.values()):
                observations.append(CubeObservation(
                    **common, factor=kind, population=MODEL_SHARERS,  # type: ignore[arg-type]
                    share_of=MODEL_SHARING_RESPONDENTS, numerator=answered.get(True, 0),
                    base=sum(answered.values()), sample_size=sharers))
        everyone = sizes.get((survey, ALL_RESPONDENTS), 0)
        for (of_survey, band), split in sorted(by_age.items()):
            if of_survey != survey or not sum(split.values()):
                continue
            observations.append(CubeObservation(
                **common, factor=MODEL, population=ALL_RESPONDENTS, subgroup=(band,),  # type: ignore[arg-type]
                share_of=RESPONDENTS, numerator=split.get(False, 0), base=sum(split.values()),
                sample_size=everyone, extra=((ODLM.countsNonSharersOf, MODEL),)))
    return observations


__all__ = ["QUESTIONS", "Question", "survey_observations"]
