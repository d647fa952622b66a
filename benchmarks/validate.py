"""Benchmark: ``odlm-kg validate`` (its default engine, and the SPARQL fast path) against plain pySHACL.

Two kinds of data:

* ``--sizes N…``: synthetic crawl-like triples (Hugging Face-style models with owners and accounts,
  licences, datasets, derivations, metric observations; about 1 record in 100 broken on purpose),
  layers core, crawl and recommended;
* ``--hub-records N`` (issue 16's case): N synthetic Hub model records (``benchmarks/load.py``'s
  generator) mapped by the ``huggingface-models`` loader, as N-Triples, each triple once, every 50th
  ``odlm:licence`` object turned into a string; layers core and crawl (what a crawl is checked against).

Each measurement runs in its own process, so peak RSS is that run's alone, and its seconds are what a
user waits for (interpreter start, imports, parse, validate, the text report).

    python benchmarks/validate.py --sizes 100000 1000000 --pyshacl-timeout 1800
    python benchmarks/validate.py --hub-records 30000 --modes file

Rows:
  graph  validate() on an rdflib graph already in memory (fast path vs pySHACL, same input)
  file   odlm-kg validate FILE.nt: parsing included (Oxigraph's parser vs rdflib's + pySHACL)
Engines: auto (the default: streaming batches on the memory engine), sparql, pyshacl. Results are
compared for identity wherever pySHACL finished.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LAYERS = ("core", "crawl", "recommended")
HF = "https://w3id.org/odlm/vocab/sharing-location/HuggingFaceHub"
ODLM = "https://w3id.org/odlm#"
ID = "https://w3id.org/odlm/id/"
VOCAB = "https://w3id.org/odlm/vocab/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
LICENCES = ["Apache-2.0", "MIT", "CC-BY-4.0", "CC-BY-NC-4.0", "OpenRAIL", "BSD-3-Clause", "GPL-3.0-only",
            "CC-BY-SA-4.0", "Llama-2", "AFL-3.0"]
OPENNESS = ["Open", "Open", "Open", "NonCommercial", "OpenWithUseRestrictions", "Open", "Open", "Open",
            "OpenWithUseRestrictions", "Open"]


def _lit(text: str, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"' + (f"^^<{datatype}>" if datatype else "")


def generate(triples: int, path: Path, seed: int = 7) -> int:
    """Write about ``triples`` triples of crawl-like N-Triples; return the exact count."""
    rnd = random.Random(seed)
    lines: list[str] = []

    def add(s: str, p: str, o: str) -> None:
        lines.append(f"{s} <{p}> {o} .\n")

    for name, openness in zip(LICENCES, OPENNESS, strict=True):
        iri = f"<http://spdx.org/licenses/{name}>"
        add(iri, RDF_TYPE, f"<{ODLM}Licence>")
        add(iri, LABEL, _lit(name))
        add(iri, f"{ODLM}opennessClass", f"<{VOCAB}licence-openness/{openness}>")
    count = len(lines)
    model = 0
    with path.open("w", encoding="utf-8") as out:
        out.writelines(lines)
        while count < triples:
            lines = []
            owner = f"org{model // 5}"
            repo = f"{owner}/model-{model}"
            m = f"<{ID}model/{repo}>"
            broken = rnd.random() < 0.01
            add(m, RDF_TYPE, f"<{ODLM}PretrainedModel>")
            if not (broken and rnd.random() < 0.3):
                add(m, LABEL, _lit(repo))
            add(m, f"{ODLM}platformId", _lit(repo))
            add(m, f"{ODLM}artifactKind", f"<{VOCAB}artifact-kind/Model>")
            add(m, f"{ODLM}sharedAt", f"<{HF}>")
            add(m, "http://www.w3.org/ns/dcat#landingPage",
                _lit(f"https://huggingface.co/{repo}") if broken else f"<https://huggingface.co/{repo}>")
            add(m, f"{ODLM}licence", f"<http://spdx.org/licenses/{rnd.choice(LICENCES)}>")
            add(m, "http://purl.org/dc/terms/issued",
                _lit(f"2023-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}T10:00:00Z", XSD + "dateTime"))
            agent = f"<{ID}agent/huggingface/{owner}>"
            add(m, f"{ODLM}sharedBy", agent)
            if model % 5 == 0:
                account = f"<{ID}account/huggingface/{owner}>"
                add(agent, RDF_TYPE, f"<{ODLM}Organization>")
                add(agent, LABEL, _lit(owner))
                add(agent, "http://xmlns.com/foaf/0.1/account", account)
                add(account, RDF_TYPE, "<http://xmlns.com/foaf/0.1/OnlineAccount>")
                add(account, "http://xmlns.com/foaf/0.1/accountName", _lit(owner))
                add(account, "http://xmlns.com/foaf/0.1/accountServiceHomepage", "<https://huggingface.co>")
            if model % 4 == 0:
                dataset = f"<{ID}dataset/{owner}/data-{model}>"
                add(dataset, RDF_TYPE, f"<{ODLM}Dataset>")
                add(dataset, LABEL, _lit(f"{owner}/data-{model}"))
                add(dataset, f"{ODLM}artifactKind", f"<{VOCAB}artifact-kind/Data>")
                add(dataset, f"{ODLM}platformId", _lit(f"{owner}/data-{model}"))
                add(dataset, f"{ODLM}sharedAt", f"<{HF}>")
                add(m, f"{ODLM}trainedOn", dataset)
            if model > 0 and model % 3 == 0:
                base = f"<{ID}model/org{(model - 1) // 5}/model-{model - 1}>"
                derivation = f"<{ID}derivation/{repo}/0>"
                add(m, f"{ODLM}derivedFrom", base)
                add(m, f"{ODLM}qualifiedDerivation", derivation)
                add(derivation, RDF_TYPE, f"<{ODLM}Derivation>")
                add(derivation, f"{ODLM}derivationSource", base)
                add(derivation, f"{ODLM}reusePattern",
                    f"<{VOCAB}reuse-pattern/{'FineTune' if not broken else 'Finetune'}>")
            for metric in ("Downloads", "Likes"):
                obs = f"<{ID}observation/{repo}/{metric.lower()}/2024-06-01>"
                add(obs, RDF_TYPE, f"<{ODLM}MetricObservation>")
                add(obs, f"{ODLM}observedArtifact", m)
                add(obs, f"{ODLM}metric", f"<{VOCAB}metric/{metric}>")
                add(obs, f"{ODLM}metricValue", _lit(str(rnd.randint(0, 10**6)), XSD + "integer"))
                add(obs, f"{ODLM}observedAt", _lit("2024-06-01T00:00:00Z", XSD + "dateTime"))
            out.writelines(lines)
            count += len(lines)
            model += 1
    return count


HUB_LAYERS = ("core", "crawl")
ODLM_LICENCE = "<https://w3id.org/odlm#licence>"


def generate_hub(records: int, path: Path) -> int:
    """Issue 16's case: ``records`` synthetic Hub model records through the huggingface-models mapper, as
    N-Triples with each triple once (as a load stores them), every 50th licence object a string."""
    sys.path.insert(0, str(Path(__file__).parent))
    from load import write_input  # the loader benchmark's record generator

    from odlm_kg.sources import get_source
    from odlm_kg.sources.batches import to_ntriples

    source = get_source("huggingface-models")
    seen: set[str] = set()
    licences = 0
    with tempfile.TemporaryDirectory(prefix="odlm-bench-hub-") as tmp:
        records_path = Path(tmp) / "models.jsonl"
        write_input(records_path, records)
        with path.open("w", encoding="utf-8") as out:
            for record in source.read(records_path):
                for line in to_ntriples(set(source.map_record(record))).splitlines(keepends=True):
                    if line in seen:
                        continue
                    seen.add(line)
                    subject, predicate, obj = line.split(" ", 2)
                    if predicate == ODLM_LICENCE:
                        licences += 1
                        if licences % 50 == 0:  # an IRI written as a string: a sh:class/nodeKind violation
                            line = f'{subject} {predicate} "{obj[1:-4]}" .\n'
                    out.write(line)
    return len(seen)


# --- one measurement per process ---------------------------------------------------------------------


def run_one(mode: str, engine: str, path: Path, results_out: Path, layers: tuple[str, ...] = LAYERS) -> None:
    """Run one measurement in this process and write {seconds, ...} and the result keys."""
    started = time.perf_counter()
    if mode == "graph":
        from rdflib import Graph

        from odlm_kg.validate import validate

        graph = Graph().parse(path, format="nt")
        parsed = time.perf_counter()
        report = validate(graph, layers, engine=engine)
    else:
        from odlm_kg.validate.files import validate_files

        parsed = started
        report = validate_files([path], layers, engine=engine)  # every result kept, to compare them all
        report.to_text()  # what the command prints (it shows the first 100 results by default)
    finished = time.perf_counter()
    # blank-node shapes get new labels in every process: compare them by their readable name
    keys = sorted((*r.key()[:5], report.shape_label(r.source_shape)) for r in report.results)
    results_out.write_text(json.dumps({"parse_seconds": parsed - started, "validate_seconds": finished - parsed,
                                       "results": len(keys), "keys": keys}))


def measure(mode: str, engine: str, path: Path, timeout: float | None,
            layers: tuple[str, ...] = LAYERS) -> dict[str, object]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    command = [sys.executable, __file__, "--run", mode, engine, str(path), str(out), ",".join(layers)]
    started = time.perf_counter()
    process = subprocess.Popen(command)
    deadline = None if timeout is None else started + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            process.kill()
            pid, status, usage = os.wait4(process.pid, 0)
            return {"timed_out": True, "seconds": time.perf_counter() - started,
                    "peak_rss_mb": usage.ru_maxrss / 1024}
        time.sleep(0.2)
    if status != 0:
        raise SystemExit(f"{mode}/{engine} failed with status {status}")
    data = json.loads(out.read_text())
    out.unlink()
    data["seconds"] = time.perf_counter() - started
    data["peak_rss_mb"] = usage.ru_maxrss / 1024
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--pyshacl-timeout", type=float, default=1800.0,
                        help="seconds before a pySHACL run is stopped (its time is then extrapolated)")
    parser.add_argument("--hub-records", type=int, nargs="*", default=[],
                        help="issue 16's case: this many synthetic Hub records, layers core,crawl")
    parser.add_argument("--modes", nargs="+", default=["graph", "file"])
    parser.add_argument("--engines", nargs="+", default=["auto", "sparql"],
                        help="odlm-kg engines measured against pySHACL")
    parser.add_argument("--run", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        mode, engine, path, out, layers = args.run
        run_one(mode, engine, Path(path), Path(out), tuple(layers.split(",")))
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="odlm-bench-") as tmp:
        cases = [(f"crawl-{size}", generate, size, LAYERS) for size in args.sizes if size]
        cases += [(f"hub-{records}", generate_hub, records, HUB_LAYERS) for records in args.hub_records]
        for name, generator, size, layers in cases:
            path = Path(tmp) / f"{name}.nt"
            triples = generator(size, path)
            for mode in args.modes:
                slow = measure(mode, "pyshacl", path, args.pyshacl_timeout, layers)
                for engine in args.engines:
                    if mode == "graph" and engine == "auto":
                        continue  # validate() on a graph: auto is the SPARQL fast path
                    fast = measure(mode, engine, path, None, layers)
                    row = {"case": name, "triples": triples, "layers": ",".join(layers), "mode": mode,
                           "engine": engine, "fast": {k: v for k, v in fast.items() if k != "keys"},
                           "pyshacl": {k: v for k, v in slow.items() if k != "keys"}}
                    if "keys" in slow and not slow.get("timed_out"):
                        row["identical"] = fast["keys"] == slow["keys"]
                        row["speed_up"] = round(float(slow["seconds"]) / float(fast["seconds"]), 2)
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
