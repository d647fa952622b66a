"""The example notebook (docs/notebook.ipynb) runs from top to bottom, as pyoxigraph runs its doc examples.

The notebook is committed executed (readers see its answers and chart); this test runs it again in a fresh
kernel, so a change of the API that breaks it fails here. It builds the default graph into a temporary store;
it took 11 s on the 2-core development machine."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "notebook.ipynb"
#: Far above the measured run time (11 s), low enough to catch a notebook that builds or loads too much.
TIME_LIMIT_SECONDS = 90


def _outputs(cell: nbformat.NotebookNode) -> str:
    texts = []
    for output in cell.get("outputs", []):
        texts.append(output.get("text", ""))
        texts.extend(str(value) for value in output.get("data", {}).values())
    return "\n".join(texts)


def test_the_committed_notebook_is_executed() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(cell.execution_count for cell in code), "re-execute docs/notebook.ipynb before committing"
    assert not [o for cell in code for o in cell.outputs if o.output_type == "error"]


def execute(notebook: nbformat.NotebookNode, folder: Path) -> float:
    """Run every cell in a fresh kernel whose working folder is ``folder``; the seconds it took."""
    from jupyter_client.manager import KernelManager

    # IPC sockets in ``folder``: the kernel listens on no TCP port
    kernel = KernelManager(kernel_name="python3", transport="ipc", ip=str(folder / "kernel"))
    client = nbclient.NotebookClient(notebook, km=kernel, timeout=120, record_timing=False,
                                     resources={"metadata": {"path": str(folder)}})
    started = time.monotonic()
    try:
        client.execute()  # raises CellExecutionError, with the cell and its traceback, when a cell fails
    finally:
        if kernel.has_kernel:  # nbclient stops only a kernel it started itself
            kernel.shutdown_kernel(now=True)
    return time.monotonic() - started


def test_the_notebook_runs(tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    seconds = execute(notebook, tmp_path)
    print(f"docs/notebook.ipynb ran in {seconds:.1f} s")
    assert seconds < TIME_LIMIT_SECONDS
    cells = {cell.source.splitlines()[0]: cell for cell in notebook.cells if cell.cell_type == "code"}
    dtypes = _outputs(cells['why.dtypes[["label", "published", "synthetic"]]'])
    assert "float64" in dtypes and "bool" in dtypes
    plot = next(cell for cell in notebook.cells if "plot.barh" in cell.source)
    assert any("image/png" in output.get("data", {}) for output in plot.outputs)
    assert "NOTICE:" in "".join(_outputs(cell) for cell in notebook.cells if "include_synthetic=True" in cell.source)
    assert "vocab/sharing-location" in _outputs(next(c for c in notebook.cells if c.cell_type == "code" and "odlm_kg.sparql(" in c.source))


if __name__ == "__main__":  # re-execute the committed notebook after editing it: python tests/test_notebook.py
    import tempfile

    executed = nbformat.read(NOTEBOOK, as_version=4)
    with tempfile.TemporaryDirectory() as folder:
        print(f"executed in {execute(executed, Path(folder)):.1f} s")
    nbformat.write(executed, NOTEBOOK)
