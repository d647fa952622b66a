"""Real SPARQL servers on loopback for the cross-engine tests: Debian's Virtuoso Open Source 7.2
(``virtuoso-t``) with a throw-away database, and ``oxigraph serve`` from the venv.

Virtuoso, as configured here (what docs/stores.md tells a user to do on their own server):

- both its ports (the SQL port isql talks to, and the HTTP port) listen on 127.0.0.1 only;
- ``[SPARQL] ResultSetMaxRows`` / ``MaxQueryExecutionTime`` / ``MaxQueryCostEstimationTime`` are set,
  because without them one query can hold the server for ever (and the row limit defaults to 10,000);
- ``grant SPARQL_UPDATE to "SPARQL"``: ``/sparql`` runs as the SQL user ``SPARQL``, which may only
  read until granted. The same grant opens the Graph Store endpoint ``/sparql-graph-crud`` (without it
  a PUT there answers 403 "Permission denied for delete from DB.DBA.RDF_QUAD"); the other one,
  ``/sparql-graph-crud-auth``, needs HTTP digest authentication as a SQL user (``dba``) instead;
- ``DirsAllowed`` includes the work directory, because the bulk loader (``ld_add``/``ld_dir``) reads
  only files under those directories.

A fresh database is not empty: Virtuoso keeps its own mapping schema in the graph
``http://www.openlinksw.com/schemas/virtrdf#`` (2,479 triples in 7.2.5) and two small graphs,
``http://www.w3.org/ns/ldp#`` (3) and ``http://localuriqaserver/sparql`` (14, its service
description), all visible to a query without ``FROM`` and to ``GRAPH ?g``.
:data:`VIRTUOSO_SYSTEM_GRAPHS` names them so that tests comparing graphs leave them out, and
``clear()`` keeps them.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import httpx
import pytest
from loopback import free_port, wait_until_up

VENV_BIN = Path(sys.executable).parent
VIRTUOSO_SYSTEM_GRAPHS = frozenset({"http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#",
                                    "http://localuriqaserver/sparql"})
#: Debian's document root for the HTTP server (the start page); /sparql itself is built into the database.
VIRTUOSO_VSP = Path("/var/lib/virtuoso-opensource-7/vsp")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _missing(what: str) -> NoReturn:
    """Skip where the engine is not installed, except in CI, where .ci/run installs it and its absence
    is a failure."""
    if _in_ci():
        pytest.fail(f"{what} is not installed, but CI is set: .ci/run should have installed it")
    pytest.skip(f"{what} is not installed")


@dataclass
class VirtuosoServer:
    workdir: Path
    sql_port: int
    http_port: int
    process: subprocess.Popen[bytes]
    startup_s: float = 0.0
    isql_program: str = "isql-vt"
    _loaded: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql_url(self) -> str:
        """The SPARQL 1.1 Protocol endpoint (queries and, with the grant, updates)."""
        return f"{self.base}/sparql"

    @property
    def gsp_url(self) -> str:
        """The Graph Store Protocol endpoint that needs no authentication (open by the grant)."""
        return f"{self.base}/sparql-graph-crud"

    @property
    def gsp_auth_url(self) -> str:
        """The Graph Store Protocol endpoint that asks for HTTP digest authentication (user dba, password dba)."""
        return f"{self.base}/sparql-graph-crud-auth"

    def isql(self, sql: str, timeout: float = 600.0) -> str:
        """Run SQL statements (``;``-terminated) as dba through isql; returns what isql printed.
        isql exits 0 even when a statement fails, so its error lines are turned into an exception."""
        done = subprocess.run(
            [self.isql_program, f"127.0.0.1:{self.sql_port}", "dba", "dba", "verbose=off", "banner=off",
             "prompt=off", "echo=off", f"exec={sql}"],
            capture_output=True, timeout=timeout, check=False)
        out = done.stdout.decode(errors="replace")
        err = done.stderr.decode(errors="replace")
        if done.returncode != 0 or "*** Error" in err or "*** Error" in out:
            raise RuntimeError(f"isql failed on {sql!r}: {err.strip() or out.strip()}")
        return out

    def bulk_load(self, path: Path, default_graph: str = "urn:odlm-kg:bulk-default") -> float:
        """Load an N-Quads (or Turtle/N-Triples) file, gzipped or not, with Virtuoso's bulk loader:
        ``ld_add`` registers the file, ``rdf_loader_run`` loads it, ``checkpoint`` makes it durable.
        Quads keep their own graph; ``default_graph`` only receives triples without one. Returns the
        seconds taken; raises with the loader's message when it recorded an error for the file."""
        path = Path(path).resolve()
        if not path.is_relative_to(self.workdir.resolve()):
            raise ValueError(f"{path} is outside DirsAllowed ({self.workdir}); copy it there first")
        name = str(path).replace("'", "''")
        started = time.perf_counter()
        # ld_add skips a file already in the load list; forget an earlier load of the same path.
        self.isql(f"DELETE FROM DB.DBA.LOAD_LIST WHERE ll_file = '{name}'; "
                  f"ld_add('{name}', '{default_graph}'); rdf_loader_run(); checkpoint;")
        elapsed = time.perf_counter() - started
        errors = self.isql(f"SELECT ll_error FROM DB.DBA.LOAD_LIST WHERE ll_file = '{name}' "
                           "AND ll_error IS NOT NULL;").strip()
        if errors:
            raise RuntimeError(f"Virtuoso's bulk loader failed on {path}: {errors}")
        return elapsed

    def select(self, query: str) -> list[dict[str, str]]:
        """A SELECT over HTTP (form-encoded POST, which Virtuoso answers), rows as {variable: value}."""
        response = httpx.post(self.sparql_url, data={"query": query},
                              headers={"Accept": "application/sparql-results+json"}, timeout=120)
        response.raise_for_status()
        body = response.json()
        return [{k: v["value"] for k, v in row.items()} for row in body["results"]["bindings"]]

    def graph_counts(self) -> dict[str, int]:
        """Triples per named graph, Virtuoso's own graphs left out."""
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {r["g"]: int(r["n"]) for r in rows if r["g"] not in VIRTUOSO_SYSTEM_GRAPHS}

    def clear(self) -> None:
        """Delete every graph except Virtuoso's own (and empty the bulk-load list). Per graph
        rather than ``RDF_GLOBAL_RESET()``, which takes ~0.6 s and resets more than the data."""
        for graph in self.graph_counts():
            self.isql(f"SPARQL CLEAR GRAPH <{graph}>;")
        self.isql("DELETE FROM DB.DBA.LOAD_LIST;")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


try:
    # loaded here, not in the child: after fork only the prctl call itself runs (dlopen takes locks
    # that another thread may have held at the fork)
    _LIBC: ctypes.CDLL | None = ctypes.CDLL(None, use_errno=True)
except OSError:
    _LIBC = None
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Run in the child before exec: Linux sends it SIGTERM when the test process dies, so a killed or
    crashed test run leaves no server behind (elsewhere a no-op). Linux ties this to the *thread* that
    started the server: start servers from the main thread (as fixtures do), not from a worker thread."""
    if _LIBC is not None and hasattr(_LIBC, "prctl"):
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _ini(values: dict[str, dict[str, object]]) -> str:
    return "".join(f"[{section}]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items())
                   for section, keys in values.items())


def start_virtuoso(workdir: Path, *, result_set_max_rows: int = 1_000_000, max_query_execution_s: int = 60,
                   extra_ini: dict[str, dict[str, object]] | None = None) -> VirtuosoServer:
    """Debian's ``virtuoso-t +foreground`` on a new database in ``workdir``, both ports on 127.0.0.1,
    with the SPARQL_UPDATE grant. ``extra_ini`` adds or overrides keys: ``{"SPARQL": {...}}``.
    Skips the test where Virtuoso is not installed (fails in CI). Stop it with ``.stop()``."""
    program = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt")
    if program is None or isql is None:
        _missing("Virtuoso (Debian package virtuoso-opensource: virtuoso-t and isql-vt)")
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    db = workdir / "db"
    db.mkdir(exist_ok=True)
    values: dict[str, dict[str, object]] = {
        "Database": {"DatabaseFile": db / "virtuoso.db", "ErrorLogFile": db / "virtuoso.log",
                     "LockFile": db / "virtuoso.lck", "TransactionFile": db / "virtuoso.trx",
                     "xa_persistent_file": db / "virtuoso.pxa", "ErrorLogLevel": 7, "FileExtend": 200,
                     "MaxCheckpointRemap": 2000, "Striping": 0, "TempStorage": "TempDatabase"},
        "TempDatabase": {"DatabaseFile": db / "virtuoso-temp.db", "TransactionFile": db / "virtuoso-temp.trx",
                         "MaxCheckpointRemap": 2000, "Striping": 0},
        "Parameters": {"ServerPort": f"127.0.0.1:{sql_port}", "DisableUnixSocket": 1, "DisableTcpSocket": 0,
                       "CaseMode": 2, "CheckpointInterval": 60, "DirsAllowed": f"., {workdir}",
                       # ~1 GB of 8 kB pages: the size Virtuoso's docs give for a machine with 2 GB free.
                       "NumberOfBuffers": 85000, "MaxDirtyBuffers": 65000, "MaxQueryMem": "512M",
                       "ThreadsPerQuery": 2, "AsyncQueueMaxThreads": 4, "MaxClientConnections": 10},
        "HTTPServer": {"ServerPort": f"127.0.0.1:{http_port}", "ServerRoot": VIRTUOSO_VSP,
                       "MaxClientConnections": 10, "ServerThreads": 10, "Charset": "UTF-8",
                       "EnabledGzipContent": 1},
        "SPARQL": {"ResultSetMaxRows": result_set_max_rows,
                   "MaxQueryExecutionTime": max_query_execution_s,
                   "MaxQueryCostEstimationTime": max_query_execution_s},
    }
    for section, keys in (extra_ini or {}).items():
        values.setdefault(section, {}).update(keys)
    config = workdir / "virtuoso.ini"
    config.write_text(_ini(values), encoding="utf-8")
    started = time.perf_counter()
    log = (workdir / "virtuoso.out").open("wb")
    process = subprocess.Popen([str(program), "+foreground", "+configfile", str(config)], cwd=workdir,
                               stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
    log.close()
    server = VirtuosoServer(workdir, sql_port, http_port, process, isql_program=str(isql))
    try:
        wait_until_up(f"{server.sparql_url}?query=ASK%7B%7D", process, seconds=60)
        server.isql('grant SPARQL_UPDATE to "SPARQL";')
    except BaseException:
        server.stop()
        said = (workdir / "virtuoso.out").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"Virtuoso did not start in {workdir}: {said}") from None
    server.startup_s = time.perf_counter() - started
    return server


@dataclass
class OxigraphServer:
    base: str
    process: subprocess.Popen[bytes]
    startup_s: float = 0.0

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    @property
    def sparql_url(self) -> str:
        return self.query_url

    @property
    def update_url(self) -> str:
        return f"{self.base}/update"

    @property
    def gsp_url(self) -> str:
        return f"{self.base}/store"

    def select(self, query: str) -> list[dict[str, str]]:
        response = httpx.post(self.query_url, data={"query": query},
                              headers={"Accept": "application/sparql-results+json"}, timeout=120)
        response.raise_for_status()
        return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]

    def graph_counts(self) -> dict[str, int]:
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {r["g"]: int(r["n"]) for r in rows}

    def clear(self) -> None:
        httpx.post(self.update_url, content=b"DROP ALL",
                   headers={"Content-Type": "application/sparql-update"}).raise_for_status()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def start_oxigraph(workdir: Path, union_default_graph: bool = True,
                   timeout_s: int | None = None) -> OxigraphServer:
    """``oxigraph serve`` (PyPI's oxigraph, in the test extra) on a database in ``workdir``, on a free
    loopback port; ``--union-default-graph`` unless told otherwise."""
    executable = VENV_BIN / "oxigraph"
    if not executable.exists():
        found = shutil.which("oxigraph")
        if found is None:
            _missing("the oxigraph server (PyPI package 'oxigraph', in the test extra)")
        executable = Path(found)
    workdir = Path(workdir)
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [str(executable), "serve", "--location", str(workdir / "data"), "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        command.append("--union-default-graph")
    if timeout_s is not None:
        command += ["--timeout-s", str(timeout_s)]
    started = time.perf_counter()
    # A log file, not a pipe: nobody reads a pipe while the server runs, and a full one would block it.
    log = (workdir / "oxigraph.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
    log.close()
    server = OxigraphServer(f"http://127.0.0.1:{port}", process)
    try:
        wait_until_up(f"{server.query_url}?query=ASK%7B%7D", process)
    except BaseException:
        server.stop()
        said = (workdir / "oxigraph.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"oxigraph serve did not start in {workdir}: {said}") from None
    server.startup_s = time.perf_counter() - started
    return server
