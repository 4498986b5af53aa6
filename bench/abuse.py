"""Abuse benchmark: hostile requests are refused or bounded while normal users keep answering.

In one process, on a fresh temporary data folder with the default report indexed:
- 4 normal users ask the project's own questions (eval/questions.jsonl) in a loop, each
  in its own thread, with and then without an attacker next to them;
- the attacker sends, over and over (a pause of ``--pause`` seconds between requests), a
  question with a 2,000-turn history (about 37 MB, as in issue 12) and a 20 MB report
  with no punctuation to index.

Printed: how long each hostile request takes to be refused (goal <= 2 s), and the normal
users' answer latency p50/p95 alone and under attack (goal p95 <= 1 s). Figures only, no
pass/fail. The hostile requests go through the same public API the UI and CLI use.

Usage: python bench/abuse.py [--seconds 20] [--users 4] [--pause 0.25]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def questions(path: Path) -> list[str]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [i["question"] for i in items if not i.get("history")][:40]


def users(n: int, asked: list[str], seconds: float, stop: threading.Event) -> list[float]:
    """Latencies of ``n`` users asking in a loop for ``seconds`` (or until ``stop``)."""
    from bot import ask

    times: list[float] = []
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def user(k: int) -> None:
        i = k
        while time.monotonic() < end and not stop.is_set():
            t = time.perf_counter()
            ask(asked[i % len(asked)])
            with lock:
                times.append(time.perf_counter() - t)
            i += n

    threads = [threading.Thread(target=user, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def attacker(folder: Path, stop: threading.Event, pause: float) -> dict[str, list[float]]:
    """Hostile requests until ``stop``: seconds each took to be refused."""
    from bot import ReportBotError, ask, index_reports

    history = [("What was the revenue? " * 400, "The revenue was high. " * 400)] * 2000
    big = folder / "no-punctuation.txt"
    big.write_text("数据" * (20 * 1024 * 1024 // 6), encoding="utf-8")  # 20 MB of UTF-8
    out: dict[str, list[float]] = {"history": [], "upload": []}
    while not stop.is_set():
        for kind, call in (
            ("history", lambda: ask("How fast did it grow?", history)),
            ("upload", lambda: index_reports([big])),
        ):
            t = time.perf_counter()
            try:
                call()
                refused = False
            except ReportBotError:
                refused = True
            out[kind].append(time.perf_counter() - t)
            if not refused:
                print(f"warning: the {kind} attack was not refused", file=sys.stderr)
            time.sleep(pause)
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else 0.0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--users", type=int, default=4)
    p.add_argument("--pause", type=float, default=0.25, help="seconds between hostile requests")
    p.add_argument("--questions", default=str(ROOT / "eval" / "questions.jsonl"))
    args = p.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="reportbot-abuse-"))
    os.environ["REPORTBOT_DATA_DIR"] = str(folder / "data")
    sys.path.insert(0, str(ROOT))
    from bot import prepare

    t = time.perf_counter()
    prepare()
    print(f"setup (model + default report): {time.perf_counter() - t:.1f} s")
    asked = questions(Path(args.questions))
    users(args.users, asked, 3.0, threading.Event())  # warm every question path

    alone = users(args.users, asked, args.seconds, threading.Event())
    stop = threading.Event()
    hostile: dict[str, list[float]] = {}
    thread = threading.Thread(target=lambda: hostile.update(attacker(folder, stop, args.pause)))
    thread.start()
    under = users(args.users, asked, args.seconds, threading.Event())
    stop.set()
    thread.join()

    def line(label: str, times: list[float]) -> str:
        return (
            f"{label}: {len(times)} answers, p50 {statistics.median(times) * 1000:.0f} ms, "
            f"p95 {pct(times, 0.95) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
        )

    print(
        f"{args.users} normal users, {args.seconds:g} s each phase, on {os.cpu_count()} CPUs; "
        f"a hostile request every {args.pause:g} s"
    )
    print(line("alone", alone))
    print(line("under attack", under))
    for kind, label in (("history", "2,000-turn history"), ("upload", "20 MB unpunctuated")):
        times = hostile.get(kind) or [0.0]
        print(
            f"{label}: refused {len(times)} times, median {statistics.median(times) * 1000:.0f} "
            f"ms, max {max(times) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
