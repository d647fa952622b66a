"""Benchmark of the loader pipeline on synthetic Hugging Face model records.

    .venv/bin/python benchmarks/load.py --size 10000            # all three modes, a table on stdout
    .venv/bin/python benchmarks/load.py --size 1000000 --modes pipeline,ceiling

Modes, each run in its own subprocess so its peak RSS is its own:

- ``pipeline``: the whole path of ``odlm-kg load huggingface-models`` (check pass, parse, map,
  validate each batch with SHACL, write the validated batches to an on-disk Oxigraph store in 32 MB
  bulk loads, classify, provenance), with its default worker processes;
- ``pipeline-1``: the same in one process (``--workers 1``);
- ``ceiling``: the same triples (mapped beforehand, not timed) handed to pyoxigraph's ``bulk_load``
  as one N-Triples file: the fastest Oxigraph can take them in;
- ``rdflib``: the same pipeline writing to rdflib's in-memory Dataset (the baseline a user would write).

Records are generated from a seed, so a size always gives the same input.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LICENCES = ["apache-2.0", "mit", "llama2", "cc-by-nc-4.0", "openrail", "other", "gemma", "bsd-3-clause"]
RELATIONS = ["finetune", "adapter", "quantized", "merge"]

#: Record shapes: ``hub`` (the default) in the Hub's proportions, ``uniform`` the earlier records (997
#: owners and 211 datasets at any size, few fields), kept so that old figures can be re-run.
SHAPES = ("hub", "uniform")

#: Licence tags weighted roughly as on the Hub (most models carry one of a few licences; many none).
HUB_LICENCES = [("apache-2.0", 30), ("mit", 20), (None, 20), ("other", 6), ("cc-by-nc-4.0", 5), ("openrail", 4),
                ("llama2", 3), ("cc-by-4.0", 3), ("gemma", 2), ("creativeml-openrail-m", 2), ("bsd-3-clause", 1),
                ("llama3.1", 2), ("cc-by-sa-4.0", 1), ("gpl-3.0", 1)]
PIPELINES = ["text-generation", "text-classification", "token-classification", "automatic-speech-recognition",
             "text-to-image", "feature-extraction", "image-classification", "fill-mask", "translation",
             "sentence-similarity", "summarization", "question-answering"]
LIBRARIES = ["transformers", "transformers", "transformers", "diffusers", "sentence-transformers", "peft",
             "timm", "gguf", "mlx", "keras", "adapter-transformers"]
FILES = ["config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json", "tokenizer_config.json",
         "special_tokens_map.json", "vocab.txt", "merges.txt", "generation_config.json", "training_args.bin",
         "adapter_config.json", "adapter_model.safetensors", "model.safetensors.index.json", ".gitattributes",
         "README.md"]
#: Distinct datasets the models cite (the issue's realistic shape: 500 for 10^5 models).
HUB_DATASETS = 500


def synthetic_record(i: int, rng: random.Random) -> dict[str, object]:
    """One record of the ``uniform`` shape: 997 owners, 211 datasets, a third fine-tuned, few fields."""
    org = f"org{i % 997}"
    tags = ["transformers", "pytorch", f"license:{rng.choice(LICENCES)}", f"dataset:data-org/corpus-{i % 211}",
            f"arxiv:{2000 + i % 500}.{i % 99999:05d}", "region:us"]
    if i and i % 3 == 0:
        base = f"org{(i // 3) % 997}/model-{i // 3}"
        tags += [f"base_model:{base}", f"base_model:{rng.choice(RELATIONS)}:{base}"]
    return {
        "id": f"{org}/model-{i}", "modelId": f"{org}/model-{i}", "author": org, "tags": tags,
        "pipeline_tag": "text-generation", "library_name": "transformers",
        "downloads": rng.randrange(10**6), "likes": rng.randrange(1000), "gated": i % 17 == 0,
        "createdAt": "2024-01-02T03:04:05.000Z", "lastModified": f"2025-{1 + i % 12:02d}-01T00:00:00.000Z",
        "cardData": {"license": None, "datasets": [f"data-org/corpus-{i % 211}"]},
    }


def owner_of(i: int, owners: int) -> str:
    """Model ``i``'s owner, from its own seed (so a fine-tune can name its base's owner): skewed, a few
    organisations own many models and most accounts a handful, ``owners`` accounts in all on average."""
    return f"user{int(owners * random.Random(i).random() ** 2.5)}"


def hub_record(i: int, rng: random.Random, size: int) -> dict[str, object]:
    """One model in the Hub's proportions, shaped like ``HfApi.list_models(expand=…, full=True)`` output
    (the fields of the real sample in ../shared/data/real/hf-api-aibomgen): one owner per 20 models,
    500 datasets, 0–3 datasets a model, lineage on half of the models (a base published earlier, with
    a relation tag), card data with licence, languages and tags, and 5–15 sibling files."""
    owners = max(1, size // 20)
    owner = owner_of(i, owners)
    repo = f"{owner}/model-{i}"
    licence = rng.choices([name for name, _ in HUB_LICENCES], [w for _, w in HUB_LICENCES])[0]
    pipeline = rng.choice(PIPELINES)
    library = rng.choice(LIBRARIES)
    datasets = sorted({f"ds{k % 50}/corpus-{k}" for k in
                       (rng.randrange(HUB_DATASETS) for _ in range(rng.choices([0, 1, 2, 3], [40, 35, 15, 10])[0]))})
    languages = rng.sample(["en", "zh", "fr", "de", "es", "ja", "ru", "ar", "multilingual"], rng.randrange(0, 3))
    tags = [library, rng.choice(["pytorch", "safetensors", "tensorboard"]), pipeline, *languages,
            *(f"dataset:{name}" for name in datasets), "endpoints_compatible", "region:us"]
    if licence:
        tags.append(f"license:{licence}")
    if rng.random() < 0.2:
        tags.append(f"arxiv:{rng.randrange(1800, 2500)}.{rng.randrange(100000):05d}")
    card: dict[str, object] = {"license": licence, "language": languages, "tags": [pipeline],
                               "datasets": datasets, "library_name": library, "pipeline_tag": pipeline}
    if licence == "other":
        card |= {"license_name": f"{owner}-research-license", "license_link": "LICENSE"}
    if i and i % 2 == 0:
        j = rng.randrange(i)
        base = f"{owner_of(j, owners)}/model-{j}"
        relation = rng.choice(RELATIONS)
        tags += [f"base_model:{base}", f"base_model:{relation}:{base}"]
        card["base_model"] = base
    files = rng.sample(FILES, rng.randrange(5, 16))
    downloads = int(rng.lognormvariate(3.0, 2.5))
    return {
        "_id": f"{i:024x}", "id": repo, "modelId": repo, "author": owner, "sha": f"{rng.getrandbits(160):040x}",
        "private": False, "disabled": False, "gated": rng.choice(["auto", "manual"]) if i % 17 == 0 else False,
        "pipeline_tag": pipeline, "library_name": library, "tags": tags,
        "downloads": downloads, "likes": int(downloads ** 0.5 * rng.random()),
        "createdAt": f"20{rng.randrange(20, 26)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T03:04:05.000Z",
        "lastModified": f"2025-{1 + i % 12:02d}-01T00:00:00.000Z",
        "config": {"architectures": ["AutoModel"], "model_type": rng.choice(["bert", "llama", "t5", "gpt2"])},
        "transformersInfo": {"auto_model": "AutoModel", "pipeline_tag": pipeline, "processor": "AutoTokenizer"},
        "cardData": card,
        "siblings": [{"rfilename": name} for name in files],
        "spaces": [f"{owner}/demo-{i}"] if rng.random() < 0.05 else [],
        "safetensors": {"parameters": {"F32": rng.randrange(10**6, 10**10)}, "total": rng.randrange(10**6, 10**10)},
        "usedStorage": rng.randrange(10**6, 10**11),
    }


def write_input(path: Path, size: int, shape: str = "hub") -> None:
    rng = random.Random(20261122)  # seeded: a size and a shape always give the same input
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(size):
            record = hub_record(i, rng, size) if shape == "hub" else synthetic_record(i, rng)
            handle.write(json.dumps(record) + "\n")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_peak_rss_mb() -> float:
    """The largest peak of the worker processes this one started and waited for (0 without workers)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


# -- modes (each runs in a subprocess) ---------------------------------------------------------------

def run_pipeline(input_path: Path, workdir: Path, batch_size: int, workers: int | None = None) -> dict[str, float]:
    from odlm_kg.sources import get_source
    from odlm_kg.sources.pipeline import run_load
    from odlm_kg.store import OxigraphStore

    store = OxigraphStore(workdir / "store")
    started = time.perf_counter()
    report = run_load(store, get_source("huggingface-models"), [input_path], batch_size=batch_size, progress=False,
                      workers=workers)
    store.flush()
    seconds = time.perf_counter() - started
    store.close()
    return {"records": report.read, "rejected": report.rejected, "triples": report.triples, "seconds": seconds,
            "check_seconds": report.check_seconds}


def run_one_process(input_path: Path, workdir: Path, batch_size: int) -> dict[str, float]:
    return run_pipeline(input_path, workdir, batch_size, workers=1)


def run_rdflib(input_path: Path, workdir: Path, batch_size: int) -> dict[str, float]:
    from odlm_kg.sources import get_source
    from odlm_kg.sources.pipeline import run_load

    store = RdflibStore()
    started = time.perf_counter()
    # the baseline store has no SPARQL query method, which the comparison cube's refresh needs
    report = run_load(store, get_source("huggingface-models"), [input_path], batch_size=batch_size, progress=False,
                      workers=1, refresh_cube=False)
    seconds = time.perf_counter() - started
    return {"records": report.read, "rejected": report.rejected, "triples": report.triples, "seconds": seconds}


def run_ceiling(input_path: Path, workdir: Path, batch_size: int) -> dict[str, float]:
    import pyoxigraph as ox

    from odlm_kg.sources import get_source
    from odlm_kg.sources.batches import to_ntriples

    source = get_source("huggingface-models")
    nt_path = workdir / "triples.nt"
    records = 0
    with open(nt_path, "w", encoding="utf-8") as handle:  # not timed: the mapping is the pipeline's
        for record in source.read(input_path):
            records += 1
            handle.write(to_ntriples(set(source.map_record(record))))
    store = ox.Store(str(workdir / "ceiling-store"))
    started = time.perf_counter()
    store.bulk_load(path=str(nt_path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(
        "https://w3id.org/odlm/graph/huggingface"))
    store.flush()
    seconds = time.perf_counter() - started
    return {"records": records, "rejected": 0, "triples": len(store), "seconds": seconds}


def run_cli(input_path: Path, workdir: Path, batch_size: int) -> dict[str, float]:
    """The command a user runs, timed from outside (interpreter start, imports and exit included)."""
    command = [str(Path(sys.executable).parent / "odlm-kg"), "--store", str(workdir / "store"), "load",
               "huggingface-models", str(input_path), "--batch-size", str(batch_size), "--no-progress"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"odlm-kg load exited {done.returncode}:\n{done.stderr[-2000:]}")
    import pyoxigraph as ox

    store = ox.Store.read_only(str(workdir / "store"))
    graph = ox.NamedNode("https://w3id.org/odlm/graph/huggingface")
    triples = sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
    with open(input_path, encoding="utf-8") as handle:
        records = sum(1 for _ in handle)
    return {"records": records, "rejected": 0, "triples": triples, "seconds": seconds}


MODES = {"cli": run_cli, "pipeline": run_pipeline, "pipeline-1": run_one_process, "ceiling": run_ceiling, "rdflib": run_rdflib}


class RdflibStore:
    """Just enough of odlm_kg.store.Store over an rdflib Dataset for run_load (the baseline)."""

    kind = "rdflib-memory"

    def __init__(self) -> None:
        from rdflib import Dataset

        self.dataset = Dataset()

    def load_text(self, data: str | bytes, fmt: str, graph: object = None) -> None:
        from rdflib import URIRef

        target = self.dataset.graph(URIRef(str(graph))) if graph is not None else self.dataset.default_graph
        target.parse(data=data, format=fmt)

    bulk_write_bytes = 32 * 2**20

    def append_text(self, data: str | bytes, fmt: str, graph: object = None) -> None:
        self.load_text(data, fmt, graph)

    def append_file(self, path: Path, fmt: str, graph: object = None, *, iris_checked: bool = False) -> None:
        self.load_text(Path(path).read_bytes(), fmt, graph)

    def update(self, sparql: str) -> None:
        self.dataset.update(sparql)

    def count(self, graph: object = None) -> int:
        from rdflib import URIRef

        return len(self.dataset.graph(URIRef(str(graph)))) if graph is not None else len(self.dataset)

    def query(self, sparql: str) -> object:
        result = self.dataset.query(sparql)
        return result.askAnswer if result.type == "ASK" else list(result)


# -- driver -----------------------------------------------------------------------------------------

def child(mode: str, input_path: str, workdir: str, batch_size: int) -> None:
    result = MODES[mode](Path(input_path), Path(workdir), batch_size)
    result["peak_rss_mb"] = peak_rss_mb()
    result["worker_rss_mb"] = worker_peak_rss_mb()
    print(json.dumps(result))


def measure(mode: str, input_path: Path, batch_size: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix=f"odlm-bench-{mode}-") as workdir:
        done = subprocess.run([sys.executable, __file__, "--child", mode, "--input", str(input_path),
                               "--workdir", workdir, "--batch-size", str(batch_size)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{mode} failed:\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000, help="number of synthetic model records")
    parser.add_argument("--modes", default="cli,pipeline,pipeline-1,ceiling,rdflib")
    parser.add_argument("--shape", choices=SHAPES, default="hub",
                        help="records in the Hub's proportions (default) or the earlier uniform ones")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--child")
    parser.add_argument("--input")
    parser.add_argument("--workdir")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.input, args.workdir, args.batch_size)
        return
    with tempfile.TemporaryDirectory(prefix="odlm-bench-input-") as tmp:
        input_path = Path(tmp) / f"models-{args.shape}-{args.size}.jsonl"
        write_input(input_path, args.size, args.shape)
        size_mb = input_path.stat().st_size / 1e6
        print(f"input: {args.size:,} {args.shape}-shaped records, {size_mb:,.1f} MB JSON Lines; batch size {args.batch_size}; "
              f"{os.cpu_count()} CPUs", flush=True)
        print("| size | mode | records | rejected | triples | seconds | records/s | triples/s | peak RSS MB "
              "| worker peak RSS MB |")
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|", flush=True)
        for mode in args.modes.split(","):
            r = measure(mode, input_path, args.batch_size)
            print(f"| {args.size:,} | {mode} | {r['records']:,.0f} | {r['rejected']:,.0f} | {r['triples']:,.0f} | "
                  f"{r['seconds']:,.1f} | {r['records'] / r['seconds']:,.0f} | {r['triples'] / r['seconds']:,.0f} | "
                  f"{r['peak_rss_mb']:,.0f} | {r['worker_rss_mb']:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
