"""The SYNTHETIC demo survey: a made-up Qualtrics export whose marginals reproduce Dalgali & Crowston's tables.

The original microdata of the Dalgali & Crowston survey are not public. So that the reproduction
queries, the report and the tests have microdata to run on, this module generates, with a fixed seed,
117 synthetic responses in the current Qualtrics export layout (three header rows, ImportId cells as
JSON) for the codebook ``data/survey/dalgali-crowston-codebook.yaml``. No answer in it was given by a
person. The file is ``data/survey/demo-survey-SYNTHETIC.csv``; the build step loads it into graph
``survey-demo`` with ``odlm:synthetic true`` on its survey node.

How the counts follow from the published percentages (docs/survey.md explains the bases):

* 41 of the 117 respondents share models: a number of sharers for which both co-sharing
  shares round to the printed ones (29/41 = 70.7%, 34/41 = 82.9%) and Table 4 (one status per
  sharer, so answers = sharers) all come within one percentage point of the printed values.
* Tables 3, 5, 6 (sharers) and 7 (non-sharers) are shares of answers to multi-select questions. For
  each, :func:`allocate` picks the number of answers and the count of each option that come closest to
  the printed percentages; answers not printed in a table (Tables 3, 5 and 7 do not sum to 100%) go to
  the question's "Other" option.
* The paper prints nothing about non-sharers but their reasons (Table 7) and, in section 4.5, the
  share of non-sharers per age band. So non-sharers answer only the question whether they share a
  model (Q2), Table 7's question (Q7) and their age (Q10, dealt so that the printed age-band shares hold:
  64% of those aged 18-25, 80% of 25-32, half of 32-39 and 1 of 16 (6%) of 46-60 share no model; the
  paper prints nothing for 39-46 and "prefer not to say", whose counts only fill the 117).
  They state no status (Q8), no department (Q9) and no training-data or source-code sharing (Q5, Q6):
  the paper reports none of these for them, and inventing them would invent who shares data and code.
  The relations of section 4.5 that the paper states only as a direction (industry employees share
  least, computer science shares more) are therefore NOT in these data, and no query may read them off.
* Within model sharers, status, department, age and training-data / source-code sharing are each
  dealt independently: their marginals are printed, their joint distribution is not, so any cross
  tabulation among sharers (e.g. the status of sharers who also share code) is noise, not a finding.

The survey node says what it is: ``odlm:synthetic true``, a description starting "SYNTHETIC", and
``prov:wasInfluencedBy`` the paper whose tables it imitates. It has no ``dcterms:source``: nobody
in the paper answered it, so it must not be attributed to the paper's authors.

>>> n, counts, other = allocate([6, 61, 0, 6, 15, 6, 3], 41, 82)
>>> n, counts, other
(67, [4, 41, 0, 4, 10, 4, 2], 2)
>>> max(abs(100 * c / n - p) for c, p in zip(counts, [6, 61, 0, 6, 15, 6, 3])) < 1
True
"""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDFS

from odlm_kg.namespaces import graph_iri, instance_iri
from odlm_kg.resources import resource_dir

SEED = 20180424  # the day the authors searched GitHub for deep-learning repositories
RESPONSES = 117
SHARERS = 41
DEMO_FILE = "demo-survey-SYNTHETIC.csv"
DEMO_CODEBOOK = "demo-survey-SYNTHETIC-codebook.yaml"
DEMO_SALT = "odlm-kg-synthetic-demo"
#: The paper whose published tables the generator imitates (prov:wasInfluencedBy, not dcterms:source).
IMITATED_WORK = instance_iri("work", "dalgali-crowston-2019")  # the data are synthetic: a public salt hides nothing real

#: Published percentages, in the codebook's option order (Tables 3-7 of Dalgali & Crowston 2019).
TABLE_3 = [6, 61, 0, 6, 15, 6, 3]            # Q3 sites, options 1..7 (8 = Other)
TABLE_4 = [13, 22, 3, 25, 10, 19, 10]        # Q8 status, options 1..7
TABLE_5 = [68, 4, 3, 3, 3, 9]                # Q9 department, options 1..6 (7 = Other); 6 = Mathematics
TABLE_6 = [13, 13, 24, 18, 10, 15, 6, 1]     # Q4 reasons for sharing, options 1..8
TABLE_7 = [21, 3, 13, 2, 5, 6, 17, 13, 8, 6]  # Q7 reasons for not sharing, options 1..10 (11 = Other)
SHARE_TRAINING_DATA = 29  # of 41 sharers: 70.7% (published 71%)
SHARE_SOURCE_CODE = 34    # of 41 sharers: 82.9% (published 83%)

# Non-sharers are described only by Table 7 and by the age-band shares of section 4.5: they get no
# status, department, training-data or source-code answer (see the module docstring).
#: Q10 age band (options 1..5, 6 = prefer not to say), following section 4.5: 64% of 18-25 and 80% of
#: 25-32 do not share; half of 32-39 share; 1 of 16 aged 46-60 does not share.
SHARER_AGE = [8, 9, 6, 3, 15, 0]
NON_SHARER_AGE = [14, 36, 6, 7, 1, 12]


def allocate(published: list[int], low: int, high: int, *, other: bool = True,
             max_other_share: float = 0.15, respondents: int | None = None) -> tuple[int, list[int], int]:
    """Number of answers N in [low, high] and whole-number counts whose shares of N come closest to the
    ``published`` percentages (smallest largest difference, then smallest N); the remainder (answers
    the table does not print) goes to "Other" when ``other`` allows, else must be zero. No option may be
    chosen more often than there are ``respondents`` (default ``low``)."""
    respondents = respondents if respondents is not None else low
    best: tuple[float, int, list[int], int] | None = None
    for n in range(low, high + 1):
        counts = [int(p * n / 100 + 0.5) for p in published]
        rest = n - sum(counts)
        if rest < 0 or (rest and not other) or rest > max_other_share * n or max([*counts, rest]) > respondents:
            continue
        error = max(abs(100 * c / n - p) for c, p in zip(counts, published, strict=True))
        if best is None or (round(error, 9), n) < (round(best[0], 9), best[1]):
            best = (error, n, counts, rest)
    if best is None:
        raise ValueError(f"no whole-number counts between {low} and {high} answers fit {published}")
    return best[1], best[2], best[3]


def _spread(respondents: int, counts: dict[str, int], last: tuple[str, ...] = ()) -> list[list[str]]:
    """Deal answers to respondents so that each gets at least one and none gets one option twice.

    Options are dealt round-robin, most frequent first and ``last`` at the end (so that, as the paper
    reports for Mathematics, those options are only ever chosen together with another one)."""
    order = sorted((o for o in counts if o not in last), key=lambda o: -counts[o]) + [o for o in last if o in counts]
    tokens = [option for option in order for _ in range(counts[option])]
    if len(tokens) < respondents or any(c > respondents for c in counts.values()):
        raise ValueError("cannot deal these answers: too few answers or an option chosen more than once")
    chosen: list[list[str]] = [[] for _ in range(respondents)]
    for index, option in enumerate(tokens):
        chosen[index % respondents].append(option)
    return chosen


def _single(counts: list[int], codes: list[str] | None = None) -> list[str]:
    codes = codes or [str(i) for i in range(1, len(counts) + 1)]
    return [code for code, count in zip(codes, counts, strict=True) for _ in range(count)]


def demo_rows(seed: int = SEED) -> list[dict[str, str]]:
    """The 117 synthetic responses as {column: value} (the answers only, before the metadata)."""
    rng = random.Random(seed)
    non_sharers = RESPONSES - SHARERS
    n3, c3, o3 = allocate(TABLE_3, SHARERS, 2 * SHARERS)
    n5, c5, o5 = allocate(TABLE_5, SHARERS, 2 * SHARERS)
    n6, c6, o6 = allocate(TABLE_6, SHARERS, 3 * SHARERS)
    n7, c7, o7 = allocate(TABLE_7, non_sharers, 2 * non_sharers)
    _n4, c4, _o4 = allocate(TABLE_4, SHARERS, SHARERS, other=False)

    def counted(values: list[int], other_code: str | None, other_count: int) -> dict[str, int]:
        found = {str(i): c for i, c in enumerate(values, start=1) if c}
        if other_code and other_count:
            found[other_code] = other_count
        return found

    groups: list[list[dict[str, str]]] = []
    for sharing, size in ((True, SHARERS), (False, non_sharers)):
        rows: list[dict[str, str]] = [{"Q2": "1" if sharing else "2"} for _ in range(size)]
        age = _single(SHARER_AGE if sharing else NON_SHARER_AGE)
        single: dict[str, list[str]] = {"Q10": age}
        if sharing:
            single |= {"Q5": _single([SHARE_TRAINING_DATA, SHARERS - SHARE_TRAINING_DATA]),
                       "Q6": _single([SHARE_SOURCE_CODE, SHARERS - SHARE_SOURCE_CODE]),
                       "Q8": _single(c4)}
            multi = {"Q3": _spread(size, counted(c3, "8", o3)), "Q4": _spread(size, counted(c6, "9", o6)),
                     "Q9": _spread(size, counted(c5, "7", o5), last=("6",))}
        else:  # Table 7 and the age bands only: the paper reports nothing else about non-sharers
            multi = {"Q7": _spread(size, counted(c7, "11", o7))}
        for column in [*single.values(), *multi.values()]:  # each shuffled alone: no invented correlations
            rng.shuffle(column)
        for index, row in enumerate(rows):
            for question, answer in single.items():
                row[question] = answer[index]
            for question, answers in multi.items():
                row[question] = ",".join(answers[index])
        groups.append(rows)
    everyone = groups[0] + groups[1]
    rng.shuffle(everyone)
    assert (n3, n5, n6, n7) and len(everyone) == RESPONSES
    return everyone


def _header(book_path: Path) -> tuple[list[str], list[str], list[str], list[tuple[str, str, str | None]]]:
    """Column names, question-text row, ImportId row, and per answer column (column, question, code)."""
    from odlm_kg.sources.survey_codebook import load_codebook

    book = load_codebook(book_path)
    names = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
             "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
             "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage"]
    texts = ["Start Date", "End Date", "Response Type", "IP Address", "Progress", "Duration (in seconds)",
             "Finished", "Recorded Date", "Response ID", "Recipient Last Name", "Recipient First Name",
             "Recipient Email", "External Data Reference", "Location Latitude", "Location Longitude",
             "Distribution Channel", "User Language"]
    ids = ["startDate", "endDate", "status", "ipAddress", "progress", "duration", "finished", "recordedDate",
           "_recordId", "recipientLastName", "recipientFirstName", "recipientEmail", "externalDataReference",
           "locationLatitude", "locationLongitude", "distributionChannel", "userLanguage"]
    answers: list[tuple[str, str, str | None]] = []
    for question in book.questions:
        qid = "QID" + question.id.removeprefix("Q")
        if question.type == "multi":
            for code, option in question.options.items():
                names.append(f"{question.prefix}_{code}")
                texts.append(f"{question.text} - Selected Choice - {option.label}")
                ids.append(f"{qid}_{code}")
                answers.append((names[-1], question.id, code))
                if option.text_column:
                    names.append(option.text_column)
                    texts.append(f"{question.text} - {option.label} - Text")
                    ids.append(f"{qid}_{code}_TEXT")
                    answers.append((names[-1], question.id, None))
        else:
            names.append(str(question.column))
            texts.append(question.text)
            ids.append(qid)
            answers.append((names[-1], question.id, ""))
    return names, texts, ids, answers


def demo_export(seed: int = SEED) -> str:
    """The synthetic export as CSV text, in the current Qualtrics layout."""
    book_path = resource_dir("data") / "survey" / "dalgali-crowston-codebook.yaml"
    names, texts, ids, answers = _header(book_path)
    rng = random.Random(seed + 1)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    writer.writerow(texts)
    writer.writerow([json.dumps({"ImportId": i}, separators=(",", ":")) for i in ids])
    start = datetime(2018, 4, 25, 9, 0, 0)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    for number, row in enumerate(demo_rows(seed), start=1):
        begin = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 30))
        seconds = rng.randrange(180, 1500)
        end = begin + timedelta(seconds=seconds)
        # IP addresses from the documentation ranges (RFC 5737): they exist only to prove the loader drops them
        ip = f"{rng.choice(['192.0.2', '198.51.100', '203.0.113'])}.{rng.randrange(1, 255)}"
        response_id = "R_SYNTH" + "".join(rng.choice(alphabet) for _ in range(10))
        cells = [f"{begin:%Y-%m-%d %H:%M:%S}", f"{end:%Y-%m-%d %H:%M:%S}", "0", ip, "100", str(seconds), "1",
                 f"{end:%Y-%m-%d %H:%M:%S}", response_id, "", "", "", "", "", "", "anonymous", "EN"]
        for column, question, code in answers:
            if code is None:  # an "Other, please specify" text column
                option_column = column.removesuffix("_TEXT")
                chosen = row.get(question, "").split(",")
                cells.append(f"SYNTHETIC other answer {number}" if option_column.split("_")[-1] in chosen else "")
            elif code == "":
                cells.append(row.get(question, ""))
            else:
                cells.append("1" if code in row.get(question, "").split(",") else "")
        writer.writerow(cells)
    return out.getvalue()


def demo_path() -> Path:
    return resource_dir("data") / "survey" / DEMO_FILE


def demo_codebook_path() -> Path:
    return resource_dir("data") / "survey" / DEMO_CODEBOOK


def write_demo(path: Path | None = None, seed: int = SEED) -> Path:
    """Write the synthetic export (default: the shipped file) and return its path."""
    target = path or demo_path()
    target.write_text(demo_export(seed), encoding="utf-8", newline="")
    return target


def demo_graph(path: Path | None = None) -> Graph:
    """The shipped synthetic export mapped to RDF (what the build step puts in graph ``survey-demo``)."""
    from odlm_kg.sources.qualtrics import QualtricsSource
    from odlm_kg.sources.survey_codebook import load_codebook

    source = QualtricsSource(load_codebook(demo_codebook_path()), DEMO_SALT)
    graph = Graph()
    for record in source.read(path or demo_path()):
        for triple in source.map_record(record):
            graph.add(triple)
    # Influenced by the paper (its tables shaped the generator), never sourced from it: the codebook
    # sets no source_work, so no dcterms:source attributes these made-up answers to the authors.
    graph.add((source.survey, PROV.wasInfluencedBy, IMITATED_WORK))
    graph.add((source.survey, RDFS.comment, Literal(
        "SYNTHETIC: generated by odlm_kg.evidence.survey_demo so that its marginals reproduce Tables 3-7 and "
        "the section 4.5 shares of Dalgali & Crowston (2019); influenced by that paper, not collected by its "
        "authors and not evidence of anything.", lang="en")))
    return graph


def build_step() -> dict[URIRef, Graph]:
    """Build step: the SYNTHETIC demo survey in graph ``survey-demo``."""
    return {graph_iri("survey-demo"): demo_graph()}


if __name__ == "__main__":  # pragma: no cover - regenerate the shipped file
    print(write_demo())
