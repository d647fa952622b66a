"""Shared fixtures: where the real samples are, and stores to test against.

Tests that read ``../shared/data/real`` skip when it is absent, except under CI (``CI=true``),
where its absence is a failure so those tests always run there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from odlm_kg.store import OxigraphStore

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REAL_DATA = PROJECT_ROOT.parent / "shared" / "data" / "real"
SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"
TEST_DATA = Path(__file__).resolve().parent / "data"


def _require(path: Path) -> Path:
    if not path.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{path} is missing; CI must run with ../shared beside the checkout")
        pytest.skip(f"{path} is not present")
    return path


@pytest.fixture(scope="session")
def real_data() -> Path:
    """``../shared/data/real``: real samples of every input format (never copied into the project)."""
    return _require(REAL_DATA)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """``../shared/seeds``: the five source documents."""
    return _require(SEEDS)


@pytest.fixture()
def memory_store() -> Iterator[OxigraphStore]:
    store = OxigraphStore()
    yield store
    store.close()


@pytest.fixture()
def disk_store(tmp_path: Path) -> Iterator[OxigraphStore]:
    store = OxigraphStore(tmp_path / "store")
    yield store
    store.close()


@pytest.fixture(scope="session")
def built_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default graph (``odlm-kg build``) in an on-disk store, closed again: tests open it by its path,
    read only. Built once per run."""
    from odlm_kg.build import build

    path = tmp_path_factory.mktemp("built") / "store"
    store = OxigraphStore(path)
    build(store)
    store.close()
    return path
