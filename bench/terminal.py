"""How long a fresh ``reportbot ask`` process takes, with the index present.

Times whole processes (wall clock, median of ``--runs``), each against a bare Python start
(``python -c pass``) run alternately with it, so the ratio holds when the machine's speed
drifts:

- ``ask``: answers in-process (imports, store, keyword index, query embedding);
- ``ask, resident``: the same command while ``reportbot resident`` runs (ui/resident.py);
- ``import bot``: the floor of answering in-process, for reference.

    .venv/bin/python bench/terminal.py [--data DIR] [--runs 7] [--model MODEL] [--question Q]

Without ``--data`` the bundled report is indexed into a temporary data folder first (the
default model converts once and loads torch there: a minute or two), then removed again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTION = "How much did UAX lift ARPU?"


def wall(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    seconds = time.perf_counter() - t
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr.decode()[-2000:]}")
    return seconds


def paired(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float, float]:
    """(median seconds, median bare start, median of the ratios pair by pair)."""
    bare = [sys.executable, "-c", "pass"]
    wall(cmd, env)  # warm-up: file caches
    pairs = [(wall(cmd, env), wall(bare, env)) for _ in range(runs)]
    return (
        statistics.median(a for a, _ in pairs),
        statistics.median(b for _, b in pairs),
        statistics.median(a / b for a, b in pairs),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="a data folder with the index (default: a new one)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--model", default="", help="REPORTBOT_EMBED_MODEL (default: default)")
    parser.add_argument("--question", default=QUESTION, help=f"what to ask (default: {QUESTION})")
    args = parser.parse_args()

    data = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="rb-terminal-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTBOT_")}
    env.update(REPORTBOT_DATA_DIR=str(data), HF_HUB_OFFLINE="1")
    if args.model:
        env["REPORTBOT_EMBED_MODEL"] = args.model
    cli = [sys.executable, "-m", "ui.cli"]
    resident = None
    try:
        wall([*cli, "resident", "--stop"], env)  # the in-process figures need none running
        t = time.perf_counter()
        wall([*cli, "ask", args.question], env)  # indexes the bundled report when needed
        print(f"first ask (prepares the index if missing): {time.perf_counter() - t:.1f} s")
        rows = [
            ("import bot", [sys.executable, "-c", "import bot"]),
            ("ask", [*cli, "ask", args.question]),
        ]
        results = [(name, *paired(cmd, env, args.runs)) for name, cmd in rows]
        resident = subprocess.Popen(
            [*cli, "resident", "--idle", "600"], env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        resident.stderr.readline()  # "answering on …": prepared and listening
        results.append(("ask, resident", *paired([*cli, "ask", args.question], env, args.runs)))
    finally:
        if resident:
            resident.terminate()
            resident.wait()
        if not args.data:
            shutil.rmtree(data, ignore_errors=True)
    load = os.getloadavg()[0]
    print(f"\nfresh processes, median of {args.runs} (load average {load:.1f}):")
    print(f"{'command':<16}{'seconds':>9}{'bare start':>12}{'ratio':>8}")
    for name, seconds, bare, ratio in results:
        print(f"{name:<16}{seconds:>9.2f}{bare:>12.3f}{ratio:>7.1f}x")


if __name__ == "__main__":
    main()
