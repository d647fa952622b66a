"""Benchmark of ``odlm-kg crawl huggingface-models`` against the replay server, beside ``odlm-kg load`` of
the same records from a file.

    .venv/bin/python benchmarks/crawl.py --size 10000
    .venv/bin/python benchmarks/crawl.py --size 100000

The replay server (``tests/crawl/replay.py``) runs in a process of its own and serves N synthetic Hub
model records as 1,000-record pages with ``Link`` headers, each record shaped like the real
``/api/models`` object in ``../shared/data/real/hf-api-aibomgen`` (tags, card data with licence,
datasets and base model, siblings, counts, dates): one owner per 20 models, 500 datasets, a base model
on half of them. Three runs of the command a user types, each in a fresh on-disk store:

- ``crawl only``: ``odlm-kg crawl … --no-load --out F.jsonl.gz`` (HTTP, JSON, checkpoint per page);
- ``load file``: ``odlm-kg load huggingface-models F.jsonl.gz`` (the file the first run wrote);
- ``crawl+load``: ``odlm-kg crawl …`` (fetch, spool, load every 100,000 records through run_load).

Each prints wall time, records/s and peak RSS (``wait4``), and the crawl+load RSS sampled at a quarter,
half and three quarters of its run (flat memory: these stay close). Records come from a seed.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REPLAY = ROOT / "tests" / "crawl" / "replay.py"

PAGE_SIZE = 1000
LICENCES = ["apache-2.0", "mit", "llama2", "cc-by-nc-4.0", "openrail", "other", "gemma", "bsd-3-clause"]
SIBLINGS = [".gitattributes", "README.md", "config.json", "model.safetensors", "pytorch_model.bin",
            "tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json", "LICENSE"]
TEMPLATE: dict[str, Any] = {
    "private": False, "pipeline_tag": "fill-mask", "library_name": "transformers", "gated": False,
    "disabled": False, "mask_token": "[MASK]", "model-index": None,
    "config": {"architectures": ["BertForMaskedLM"], "model_type": "bert", "tokenizer_config": {}},
    "transformersInfo": {"auto_model": "AutoModelForMaskedLM", "pipeline_tag": "fill-mask",
                         "processor": "AutoTokenizer"},
    "spaces": [], "inference": "cold", "usedStorage": 13397387509,
}


def hub_model(i: int) -> dict[str, Any]:
    """Model number ``i``, newest change first (the order of ``sort=lastModified&direction=-1``)."""
    owner = f"owner{i // 20}"
    repo_id = f"{owner}/model-{i}"
    licence = LICENCES[i % len(LICENCES)]
    datasets = [f"data-org{(i * 7 + k) % 50}/corpus-{(i * 7 + k) % 500}" for k in range(1 + i % 3)]
    card: dict[str, Any] = {"language": "en", "tags": ["exbert"], "license": licence, "datasets": datasets}
    tags = ["transformers", "pytorch", "safetensors", "bert", "fill-mask", "en",
            *(f"dataset:{d}" for d in datasets), f"arxiv:{1800 + i % 700}.{i % 99999:05d}",
            f"license:{licence}", "endpoints_compatible", "region:us"]
    if i % 2 and i > 20:
        base = f"owner{(i - 20) // 20}/model-{i - 20}"
        card["base_model"] = base
        tags.append(f"base_model:finetune:{base}")
    seconds = 1_700_000_000 - i * 60
    modified = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(seconds))
    record = copy.deepcopy(TEMPLATE)
    record.update({
        "_id": f"{i:024x}", "id": repo_id, "modelId": repo_id, "author": owner, "tags": tags,
        "downloads": (i * 7919) % 1_000_000, "likes": i % 500, "sha": f"{i:040x}",
        "lastModified": modified, "createdAt": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(seconds - 86400)),
        "cardData": card, "siblings": [{"rfilename": name} for name in SIBLINGS],
    })
    return record


class SyntheticModels(Sequence[dict[str, Any]]):
    """N records made on demand (the server holds no list of them)."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [hub_model(i) for i in range(*index.indices(self.size))]
        return hub_model(index)


def serve(size: int, port_file: Path) -> None:
    """The replay server process: serve until killed."""
    import importlib.util

    # by path: this script is itself named crawl.py, so "crawl.replay" would not be the test package's
    spec = importlib.util.spec_from_file_location("odlm_kg_replay", REPLAY)
    assert spec is not None and spec.loader is not None
    replay = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = replay  # dataclasses look their module up
    spec.loader.exec_module(replay)
    Feed, ReplayServer, hub_page = replay.Feed, replay.ReplayServer, replay.hub_page
    with ReplayServer({"/api/models": Feed(SyntheticModels(size), PAGE_SIZE, hub_page)}) as server:  # type: ignore[arg-type]
        port_file.write_text(server.url)
        while True:
            time.sleep(3600)


def run(label: str, command: list[str], records: int) -> dict[str, Any]:
    """Run one command; wall time, records/s, peak RSS, and RSS sampled over the run."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, int]] = []

    def sample() -> None:
        status = Path(f"/proc/{process.pid}/status")
        while process.poll() is None:
            try:
                for line in status.read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        samples.append((time.perf_counter() - started, int(line.split()[1]) // 1024))
            except OSError:
                return
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    out, err = process.communicate()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{label} failed ({process.returncode}): {err.strip()[-2000:]}")
    at = {}
    if samples:
        for share in (0.25, 0.5, 0.75):
            moment = seconds * share
            at[share] = min(samples, key=lambda s: abs(s[0] - moment))[1]
    return {"label": label, "seconds": seconds, "rate": records / seconds, "peak_mb": usage.ru_maxrss // 1024,
            "rss_over_run": at, "output": out.strip().splitlines()[-1] if out.strip() else ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000, help="number of synthetic model records")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args()
    if args.serve:
        serve(args.size, args.port_file)
        return
    odlm = str(Path(sys.executable).with_name("odlm-kg"))
    with tempfile.TemporaryDirectory(prefix="odlm-kg-crawl-bench-") as work:
        folder = Path(work)
        port_file = folder / "url"
        server = subprocess.Popen([sys.executable, __file__, "--serve", "--size", str(args.size),
                                   "--port-file", str(port_file)])
        try:
            while not port_file.exists() or not port_file.read_text():
                time.sleep(0.05)
            url = port_file.read_text()
            raw = folder / "models.jsonl.gz"
            common = ["crawl", "huggingface-models", "--endpoint", url, "--no-progress", "--since", "all"]
            results = [
                run("crawl only", [odlm, "--store", str(folder / "s1"), *common, "--no-load", "--out", str(raw)],
                    args.size),
                run("load file", [odlm, "--store", str(folder / "s2"), "load", "huggingface-models", str(raw),
                                  "--no-progress"], args.size),
                run("crawl+load", [odlm, "--store", str(folder / "s3"), *common], args.size),
            ]
        finally:
            server.kill()
            server.wait()
    print(f"{args.size:,} Hub model records, pages of {PAGE_SIZE:,}, replay server on 127.0.0.1")
    print(f"{'run':<12} {'seconds':>8} {'records/s':>10} {'peak RSS MB':>12}  RSS at 1/4, 1/2, 3/4 of the run (MB)")
    for result in results:
        over = ", ".join(str(v) for v in result["rss_over_run"].values())
        print(f"{result['label']:<12} {result['seconds']:>8.1f} {result['rate']:>10,.0f} {result['peak_mb']:>12,}  {over}")
    ratio = results[2]["seconds"] / results[1]["seconds"]
    print(f"crawl+load / load file: {ratio:.2f} (target at most 1.2)")
    if args.json:
        args.json.write_text(json.dumps({"size": args.size, "results": results, "ratio": ratio}, indent=1))


if __name__ == "__main__":
    main()
