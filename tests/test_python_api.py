"""The notebook API (issue 19, item 3): ``odlm_kg.query``, ``odlm_kg.sparql`` and ``odlm_kg.queries``.

``store=`` takes what ``--store`` takes (a directory, ``"memory"``, an http(s) endpoint URL) besides an open
store; numbers come back as numeric dtypes, so ``df.plot.bar(x="label", y="published")`` draws."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from loopback import free_port

import odlm_kg
from odlm_kg.queries import ParameterError
from odlm_kg.store import OxigraphStore, open_store

RQ2 = "rq2-model-motivations-barriers"


@pytest.fixture(scope="module")
def built_path(built_store_path: Path) -> Path:
    """The default graph in an on-disk store, closed again (the tests open it by its path)."""
    return built_store_path


@pytest.fixture(scope="module")
def endpoint_url(built_path: Path) -> Iterator[str]:
    """``odlm-kg serve``'s app on loopback over the built store, in a thread."""
    import uvicorn

    from odlm_kg.server.app import ServerSettings, create_app

    store = open_store(str(built_path), "read")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(store, ServerSettings(workers=1)), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/sparql"
    server.should_exit = True
    thread.join(10)
    store.close()


def test_store_takes_a_path_as_text_or_path(built_path: Path) -> None:
    """Regression: ``store="path"`` raised AttributeError (only a Store object was accepted)."""
    from_text = odlm_kg.query(RQ2, store=str(built_path))
    from_path = odlm_kg.query(RQ2, store=built_path)
    assert len(from_text) > 0
    pd.testing.assert_frame_equal(from_text, from_path)


def test_store_takes_an_endpoint_url(built_path: Path, endpoint_url: str) -> None:
    remote = odlm_kg.query(RQ2, store=endpoint_url, include_synthetic=True)
    local = odlm_kg.query(RQ2, store=built_path, include_synthetic=True)
    pd.testing.assert_frame_equal(remote, local)  # the same values and the same dtypes over HTTP
    assert remote.attrs["notice"] == local.attrs["notice"]
    assert len(odlm_kg.sparql("SELECT ?s WHERE { ?s a odlm:Survey }", store=endpoint_url)) >= 1


def test_store_memory_builds_the_default_graph() -> None:
    frame = odlm_kg.query("concepts-by-scheme", store="memory", scheme="vocab:barrier")
    assert len(frame) > 5 and frame["concept"].str.startswith("https://w3id.org/odlm/vocab/barrier/").all()


def test_store_of_another_type_is_refused_with_a_sentence() -> None:
    with pytest.raises(TypeError, match="expected what --store takes"):
        odlm_kg.query(RQ2, store=42)  # type: ignore[arg-type]
    with pytest.raises(Exception, match="expected a directory, 'memory', or an http"):
        odlm_kg.query(RQ2, store="ftp://example.org/sparql")


def test_numbers_are_numeric_and_iris_and_labels_text(built_path: Path) -> None:
    """Regression: decimal columns came back as ``object`` dtype."""
    frame = odlm_kg.query(RQ2, store=built_path, include_synthetic=True)
    assert frame["published"].dtype == "float64" and frame["computed"].dtype == "float64"
    assert frame["numerator"].dtype == "int64" and frame["n"].dtype == "int64"
    assert frame["synthetic"].dtype == bool and frame["curatedSample"].dtype == bool
    assert pd.api.types.is_string_dtype(frame["label"]) and pd.api.types.is_string_dtype(frame["concept"])
    assert all(isinstance(value, str) for value in frame["concept"])
    assert "SYNTHETIC" in frame.attrs["notice"]


def test_an_unbound_integer_cell_keeps_the_column_integer() -> None:
    frame = odlm_kg.sparql("SELECT ?x WHERE { VALUES ?x { 1 UNDEF 3 } }", store=OxigraphStore())
    assert str(frame["x"].dtype) == "Int64" and frame["x"].isna().tolist() == [False, True, False]


def test_plot_bar_of_a_real_answer(built_path: Path) -> None:
    """Regression: ``df.plot.bar(x="label", y="published")`` failed on object columns."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    frame = odlm_kg.query(RQ2, store=built_path)
    published = frame.dropna(subset=["published"])
    axes = published.plot.bar(x="label", y="published")
    try:
        assert len(axes.patches) == len(published) > 0
        assert [tick.get_text() for tick in axes.get_xticklabels()] == published["label"].tolist()
    finally:
        plt.close("all")


def test_sparql_declares_the_project_prefixes(built_path: Path) -> None:
    frame = odlm_kg.sparql("SELECT ?kind ?label WHERE { ?kind skos:inScheme vocab:artifact-kind ; "
                           "skos:prefLabel ?label } ORDER BY ?label", store=built_path)
    assert frame["label"].tolist() == ["code", "data", "model"]
    assert frame["kind"].tolist()[0] == "https://w3id.org/odlm/vocab/artifact-kind/Code"
    with pytest.raises(SyntaxError):
        odlm_kg.sparql("SELECT WHERE {", store=built_path)


def test_sparql_answers_ask_and_construct(built_path: Path) -> None:
    assert odlm_kg.sparql("ASK { ?s a odlm:Survey }", store=built_path)["boolean"].tolist() == [True]
    graph = odlm_kg.sparql("CONSTRUCT { ?s a odlm:Survey } WHERE { ?s a odlm:Survey }", store=built_path)
    assert list(graph.columns) == ["subject", "predicate", "object"] and len(graph) >= 1


def test_queries_is_the_catalogue_as_a_dataframe() -> None:
    import odlm_kg.queries  # importing the module must not hide the call

    catalogue = odlm_kg.queries()
    assert list(catalogue.columns) == ["name", "title", "rq", "evidence", "parameters", "description"]
    shipped = sorted(path.stem for path in odlm_kg.queries.queries_dir().glob("*.rq"))
    assert catalogue["name"].tolist() == shipped
    row = catalogue.set_index("name").loc[RQ2]
    assert "RQ2" in row["rq"] and "include-synthetic (boolean, default false)" in row["parameters"]


def test_an_unknown_prefix_is_refused_in_python_too(built_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"unknown prefix 'vocabulary:'.*vocab:"):
        odlm_kg.query("rq1-where-locations-by-kind", store=built_path, kind="vocabulary:artifact-kind/Model")


@pytest.mark.parametrize("page", ["queries.md", "user-guide.md", "evidence.md"])
def test_docs_python_examples_run(page: str, built_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The Python examples of the page run as written, in a folder whose ``./kg`` is the built store (the
    user guide builds it with ``odlm-kg --store ./kg build``)."""
    (tmp_path / "kg").symlink_to(built_path, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    text = (Path(__file__).resolve().parent.parent / "docs" / page).read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert any("odlm_kg.query" in block or "odlm_kg.sparql" in block for block in blocks)
    for block in blocks:
        exec(compile(block, f"docs/{page}", "exec"), {})
    if page == "user-guide.md":
        assert "['code', 'data', 'model']" in capsys.readouterr().out
