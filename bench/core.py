"""Benchmark of the core path; prints figures (no pass/fail), writes bench/core.json.

Measured in one run, on a fresh temporary data folder:
- index time of the default report: cold (model conversion + load included) and warm;
- embeddings computed when re-indexing the unchanged report (goal 0);
- first answer in a fresh process with the index present, vs the bare floor (a fresh
  process that imports sentence-transformers and loads the model; goal <= 1.3x);
- warm ask() p50/p95 over the project's eval set, and its p50 vs one bare query encode
  in the same process (goal <= 1.5x);
- peak RSS of this process and of the fresh-process runs.

Usage: python bench/core.py [--questions eval/questions.jsonl] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fresh_process(code: str, env: dict) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of ``python -c code``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code], check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) // 1024


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", default=str(ROOT / "eval" / "questions.jsonl"))
    ap.add_argument("--runs", type=int, default=3, help="fresh-process runs of each kind")
    args = ap.parse_args()

    data = Path(tempfile.mkdtemp(prefix="reportbot-bench-"))
    os.environ["REPORTBOT_DATA_DIR"] = str(data)
    env = dict(os.environ)
    from bot import ask, evaluate
    from bot.library import get_library
    from index import default_report_path
    from index.load import load_report

    out: dict[str, float | int | str] = {}
    library = get_library()
    t = time.perf_counter()
    library.embedder  # noqa: B018 - converts (first use) and loads the model
    out["model_prepare_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    first = library.index_report(load_report(default_report_path()))
    out["index_cold_s"] = round(out["model_prepare_s"] + time.perf_counter() - t, 2)
    out["index_embeddings_cold"] = first.embedded
    t = time.perf_counter()
    again = library.index_report(load_report(default_report_path()))
    out["index_warm_s"] = round(time.perf_counter() - t, 3)
    out["reindex_unchanged_embeddings"] = again.embedded

    question = "How much did UAX lift ARPU?"
    model_dir = data / "models" / "multilingual-e5-small"
    floor_code = (
        "import os; os.environ['HF_HUB_OFFLINE']='1'\n"
        "from sentence_transformers import SentenceTransformer\n"
        f"m = SentenceTransformer({str(model_dir)!r}, device='cpu')\n"
        "m.encode(['query: x'], normalize_embeddings=True)\n"
    )
    ask_code = f"from bot import ask; a = ask({question!r}); assert a.answered\n"
    firsts, floors, rss = [], [], []
    for _ in range(args.runs):
        w, m = fresh_process(ask_code, env)
        firsts.append(w)
        rss.append(m)
        w, _ = fresh_process(floor_code, env)
        floors.append(w)
    out["first_answer_fresh_process_s"] = round(statistics.median(firsts), 2)
    out["bare_floor_fresh_process_s"] = round(statistics.median(floors), 2)
    out["first_answer_vs_floor"] = round(
        statistics.median(a / b for a, b in zip(firsts, floors)), 2
    )
    out["fresh_process_peak_rss_mb"] = max(rss)

    items = evaluate.load_items(args.questions)
    ask(items[0].question)
    secs, stages = [], {}
    for item in items:
        t = time.perf_counter()
        answer = ask(item.question, [tuple(h) for h in item.history])
        secs.append(time.perf_counter() - t)
        for stage, sec in (answer.timings or {}).items():
            stages.setdefault(stage, []).append(sec)
    encodes = []
    for item in items:  # the same questions, so texts of the same lengths
        t = time.perf_counter()
        library.embedder.embed_queries([item.question])
        encodes.append(time.perf_counter() - t)
    out["warm_ask_p50_ms"] = round(pct(secs, 0.5) * 1000, 1)
    out["warm_ask_p95_ms"] = round(pct(secs, 0.95) * 1000, 1)
    out["bare_encode_p50_ms"] = round(pct(encodes, 0.5) * 1000, 1)
    for stage, values in stages.items():  # where the time of a warm ask() goes
        out[f"warm_ask_{stage}_p50_ms"] = round(pct(values, 0.5) * 1000, 2)
    out["warm_ask_vs_encode"] = round(pct(secs, 0.5) / pct(encodes, 0.5), 2)
    out["bench_process_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    out["questions"] = len(items)

    width = max(len(k) for k in out)
    for k, v in out.items():
        print(f"{k:<{width}}  {v}")
    (ROOT / "bench" / "core.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
