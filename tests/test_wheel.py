"""The wheel works once installed (issue 2, item 1): it carries the ontology, shapes and queries.

The wheel is built from the checkout and installed with ``--no-deps`` into a fresh virtual environment.
The dependencies are not downloaded again: a ``.pth`` file in the new environment appends the project
environment's site-packages *after* its own, so ``odlm_kg`` is imported from the wheel and rdflib,
typer, … from the project environment. (Paths listed in a ``.pth`` file are not scanned for further
``.pth`` files, so the project's editable install of ``odlm_kg`` stays invisible.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the freshly built wheel installed; returns the venv's directory."""
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(PROJECT_ROOT)],
        cwd=work)
    wheels = sorted(dist.glob("odlm_kg-*.whl"))
    assert len(wheels) == 1, wheels
    names = zipfile.ZipFile(wheels[0]).namelist()
    assert "odlm_kg/shipped/ontology/odlm.ttl" in names
    # every file of the top-level resource folders ships, under odlm_kg/shipped/
    for folder in ("ontology", "shapes", "queries"):
        expected = {f"odlm_kg/shipped/{p.relative_to(PROJECT_ROOT).as_posix()}"
                    for p in (PROJECT_ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts}
        assert expected and expected <= set(names), sorted(expected - set(names))[:5]

    venv = work / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=work)
    python = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
         "--disable-pip-version-check", "--quiet", str(wheels[0])], cwd=work)
    site_packages = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             cwd=work).stdout.strip())
    (site_packages / "zz_project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "ODLM_KG_STORE"}}
    env["PYTHONNOUSERSITE"] = "1"
    return env


def test_the_package_is_imported_from_the_wheel_and_finds_its_ontology_there(installed: Path) -> None:
    python = installed / "bin" / "python"
    out = run([str(python), "-c",
               "import odlm_kg; from odlm_kg.resources import resource_dir; "
               "print(odlm_kg.__file__); print(resource_dir('ontology')); print(resource_dir('queries'))"],
              cwd=installed, env=clean_env()).stdout.splitlines()
    package, ontology, queries = (Path(line).resolve() for line in out)
    assert package.is_relative_to(installed.resolve()), package
    assert ontology == package.parent / "shipped" / "ontology", ontology
    assert queries.is_relative_to(installed.resolve()), queries
    assert (ontology / "odlm.ttl").is_file()


def test_the_console_script_runs_and_reads_the_shipped_ontology(installed: Path, tmp_path: Path) -> None:
    script = installed / "bin" / "odlm-kg"
    env = clean_env()
    help_text = run([str(script), "--help"], cwd=tmp_path, env=env).stdout
    assert "build" in help_text and "query" in help_text
    query = tmp_path / "classes.rq"
    query.write_text("PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
                     "SELECT (COUNT(?c) AS ?n) WHERE { ?c a owl:Class "
                     "FILTER(STRSTARTS(STR(?c), 'https://w3id.org/odlm#')) }\n", encoding="utf-8")
    store = tmp_path / "store"
    built = run([str(script), "--store", str(store), "build"], cwd=tmp_path, env=env)
    assert "ontology" in built.stdout + built.stderr
    counted = run([str(script), "--store", str(store), "query", "--file", str(query), "--format", "csv"],
                  cwd=tmp_path, env=env).stdout.splitlines()
    assert counted[0].strip() == "n" and int(counted[1]) >= 30
