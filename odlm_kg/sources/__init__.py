"""Input formats ("sources") of ``odlm-kg load``, registered by their CLI name.

Each entry names a factory ``module:function`` taking :class:`~odlm_kg.sources.base.LoadOptions` and
returning a :class:`~odlm_kg.sources.base.Source`; modules are imported only when their source is used.
Add a source with ONE line here.

>>> "huggingface-models" in SOURCES
True
"""

from __future__ import annotations

import importlib

from odlm_kg.errors import UsageError
from odlm_kg.sources.base import LoadOptions, Record, RecordError, Source

SOURCES: dict[str, str] = {
    "survey": "odlm_kg.sources.qualtrics:survey_source",
    "github": "odlm_kg.sources.github:github_source",
    "zenodo": "odlm_kg.sources.zenodo:zenodo_source",
    "datacite": "odlm_kg.sources.datacite:datacite_source",
    "paperswithcode": "odlm_kg.sources.paperswithcode:paperswithcode_source",
    "pytorch-hub": "odlm_kg.sources.pytorch_hub:pytorch_hub_source",
    "tfhub": "odlm_kg.sources.tfhub:tfhub_source",
    "peatmoss": "odlm_kg.sources.peatmoss:peatmoss_source",
    "huggingface-models": "odlm_kg.sources.huggingface:models_source",
    "huggingface-datasets": "odlm_kg.sources.huggingface:datasets_source",
    "hf-model-cards": "odlm_kg.sources.huggingface:model_cards_source",
}


def get_source(name: str, options: LoadOptions | None = None) -> Source:
    """The source registered under ``name``; a UsageError lists the known ones otherwise."""
    try:
        target = SOURCES[name]
    except KeyError:
        raise UsageError(f"no source {name!r}. Sources: {', '.join(sorted(SOURCES))}.") from None
    module_name, _, factory = target.partition(":")
    source: Source = getattr(importlib.import_module(module_name), factory)(options or LoadOptions())
    return source


__all__ = ["SOURCES", "LoadOptions", "Record", "RecordError", "Source", "get_source"]
