"""Find the shipped ontology, shapes and queries, from an installed wheel or from a checkout.

In the wheel they live in ``odlm_kg/shipped/<name>`` (see pyproject's force-include); in a checkout
(including an editable install) they are the top-level folders beside the package.

>>> (resource_dir("ontology") / "odlm.ttl").is_file()
True
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

ResourceName = Literal["ontology", "shapes", "queries", "data"]

_CHECKOUT_ROOT = Path(__file__).resolve().parent.parent


def resource_dir(name: ResourceName) -> Path:
    """Directory of a shipped resource tree (``ontology``, ``shapes``, ``queries``).

    ``data`` is the package's own data folder (``odlm_kg/data``: findings sources, demo survey,
    shipped crawl samples), which is package data in both layouts.
    """
    if name == "data":
        return Path(str(files("odlm_kg") / "data"))
    shipped: Traversable = files("odlm_kg") / "shipped" / name
    if shipped.is_dir():
        return Path(str(shipped))
    checkout = _CHECKOUT_ROOT / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"the package's {name}/ folder is missing (looked in {shipped} and {checkout})")

