"""The licence table: every row valid, one openness per licence, and the identifiers of the real
samples (Hub ids, ScanCode keys, GitHub spdx_ids, Zenodo and DataCite ids) all known to it."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS

from odlm_kg.licences import LICENCES_GRAPH, build_step, licence_graph, load_table, normalise
from odlm_kg.namespaces import ODLM, SPDX_LICENSE, instance_iri, vocab_iri


def openness(name: str) -> URIRef:
    return vocab_iri("licence-openness", name)


@pytest.mark.parametrize(("raw", "vocabulary", "spdx", "klass"), [
    ("bsd-new", "scancode", "BSD-3-Clause", "Open"),
    ("bsd-simplified", "scancode", "BSD-2-Clause", "Open"),
    ("gpl-1.0-plus", "scancode", "GPL-1.0-or-later", "Open"),
    ("apache-2.0 WITH llvm-exception", "scancode", "Apache-2.0", "Open"),
    ("apache-2.0", "hf", "Apache-2.0", "Open"),
    ("mit", "hf", "MIT", "Open"),
    ("afl-3.0", "hf", "AFL-3.0", "Open"),
    ("bsd-3-clause", "hf", "BSD-3-Clause", "Open"),
    ("gpl-3.0", "hf", "GPL-3.0-only", "Open"),
    ("cc-by-4.0", "hf", "CC-BY-4.0", "Open"),
    ("cc-by-nc-4.0", "hf", "CC-BY-NC-4.0", "NonCommercial"),
    ("cc-by-nc-sa-4.0", "hf", "CC-BY-NC-SA-4.0", "NonCommercial"),
    ("LGPL-3.0", "github-spdx", "LGPL-3.0-only", "Open"),
    ("Apache-2.0", "zenodo", "Apache-2.0", "Open"),
    ("cc-pddc", "datacite", "CC-PDDC", "Open"),
    ("https://creativecommons.org/licenses/by/4.0/legalcode", "datacite", "CC-BY-4.0", "Open"),
    ("https://opensource.org/licenses/GPL-3.0", "datacite", "GPL-3.0-only", "Open"),
    ("https://choosealicense.com/licenses/apache-2.0/", "hf", "Apache-2.0", "Open"),
])
def test_spdx_licences(raw: str, vocabulary: str, spdx: str, klass: str) -> None:
    found = normalise(raw, vocabulary)
    assert (found.iri, found.openness, found.raw, found.known) == (SPDX_LICENSE[spdx], openness(klass), raw, True)


@pytest.mark.parametrize(("raw", "vocabulary", "key", "klass"), [
    ("openrail", "hf", "openrail", "OpenWithUseRestrictions"),
    ("openrail++", "hf", "openrail++", "OpenWithUseRestrictions"),
    ("creativeml-openrail-m", "hf", "creativeml-openrail-m", "OpenWithUseRestrictions"),
    ("stable-diffusion-2022-08-22", "scancode", "creativeml-openrail-m", "OpenWithUseRestrictions"),
    ("bigscience-openrail-m", "hf", "bigscience-openrail-m", "OpenWithUseRestrictions"),
    ("bigscience-bloom-rail-1.0", "hf", "bigscience-bloom-rail-1.0", "OpenWithUseRestrictions"),
    ("llama2", "hf", "llama2", "OpenWithUseRestrictions"),
    ("llama3", "hf", "llama3", "OpenWithUseRestrictions"),
    ("llama3.1", "hf", "llama3.1", "OpenWithUseRestrictions"),
    ("gemma", "hf", "gemma", "OpenWithUseRestrictions"),
    ("deepfloyd-if-license", "hf", "deepfloyd-if-license", "NonCommercial"),
    ("proprietary-license", "scancode", "proprietary", "Proprietary"),
    ("other-closed", "zenodo", "proprietary", "Proprietary"),
    ("other", "hf", "other", "Unknown"),
    ("unknown", "hf", "unknown", "Unknown"),
    ("NOASSERTION", "github", "noassertion", "Unknown"),
])
def test_licences_spdx_lacks(raw: str, vocabulary: str, key: str, klass: str) -> None:
    found = normalise(raw, vocabulary)
    assert (found.iri, found.openness, found.known) == (instance_iri("licence", key), openness(klass), True)


def test_unknown_string_keeps_raw_and_is_unknown() -> None:
    found = normalise("Non Commercial License Dyna1", "hf")
    assert found.iri == instance_iri("licence", "non-commercial-license-dyna1")
    assert (found.openness, found.raw, found.known) == (openness("Unknown"), "Non Commercial License Dyna1", False)


def test_unknown_vocabulary_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown licence vocabulary"):
        normalise("mit", "nosuch")


def test_table_rows_are_valid_and_each_licence_has_one_openness_and_label() -> None:
    rows = load_table()
    assert {row.vocabulary for row in rows} == {"hf", "github-spdx", "scancode", "zenodo", "datacite", "spdx"}
    graph = licence_graph()
    classes: dict[URIRef, set[URIRef]] = defaultdict(set)
    for licence, klass in graph.subject_objects(ODLM.opennessClass):
        classes[licence].add(klass)
    assert classes and all(len(found) == 1 for found in classes.values()), \
        {str(k): v for k, v in classes.items() if len(v) > 1}
    for licence in graph.subjects(RDF.type, ODLM.Licence):
        assert len(list(graph.objects(licence, RDFS.label))) == 1, licence
    assert set(build_step()) == {LICENCES_GRAPH}


def test_hub_licence_ids_are_all_in_the_table() -> None:
    hub = {row.raw_id for row in load_table() if row.vocabulary == "hf"}
    assert {"apache-2.0", "mit", "openrail", "openrail++", "creativeml-openrail-m", "bigscience-openrail-m",
            "bigscience-bloom-rail-1.0", "llama2", "llama3", "llama3.1", "gemma", "cc-by-4.0", "cc-by-nc-4.0",
            "cc-by-nc-sa-4.0", "afl-3.0", "bsd-3-clause", "gpl-3.0", "other", "unknown"} <= hub


def test_every_licence_of_the_peatmoss_sample_is_known(real_data: Path) -> None:
    folder = real_data / "peatmoss"
    keys = {key for value in json.loads((folder / "github_repo_licenses_sample.json").read_text()).values()
            for key in (value or [])}
    unknown = sorted(k for k in keys if not normalise(k, "scancode").known)
    assert unknown == []
    with open(folder / "hf_model_to_github_reuse_mapping_sample.csv", encoding="utf-8", newline="") as handle:
        hub_ids = {row[3] for row in csv.reader(handle) if len(row) > 3}
    assert sorted(h for h in hub_ids if not normalise(h, "hf").known) == []


def test_licences_of_the_hub_card_samples_are_known(real_data: Path) -> None:
    import yaml

    raws = set()
    for folder in ("hf-model-cards-asgaardlab", "hf-model-cards-weixinliang"):
        for path in (real_data / folder).glob("*.yaml"):
            card = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            value = card.get("license")
            raws.update([value] if isinstance(value, str) else value or [])
    assert raws and sorted(r for r in raws if not normalise(r, "hf").known) == []


def test_an_id_written_as_words_finds_the_known_licence() -> None:
    # regression: "CreativeML OpenRAIL-M" minted an Unknown licence whose IRI clashed with the known one
    from odlm_kg.licences import normalise

    spaced = normalise("CreativeML OpenRAIL-M", "hf")
    assert spaced.known
    assert spaced.iri == normalise("creativeml-openrail-m", "hf").iri
    assert str(spaced.openness).endswith("/OpenWithUseRestrictions")
    assert spaced.raw == "CreativeML OpenRAIL-M"
