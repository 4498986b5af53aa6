"""A resident answering process that ``reportbot ask`` reuses when it is running.

A fresh ``reportbot ask`` spends seconds before it can answer: importing Chroma, jieba,
the dictionaries, opening the store, building the keyword index. A resident process has
done all that once; ``ask`` then sends it the question over a Unix socket and prints the
reply, so a fresh process costs a Python start and a round trip.

- ``reportbot resident`` runs one in the foreground; an interactive ``reportbot ask`` (its
  stdin is a terminal) starts one in the background after answering in-process.
- The socket is private to the user (mode 0600, in the temporary folder) and to the
  settings: every ``REPORTBOT_*`` variable and the data folder go into its name, so a
  process with other settings never gets another's answers.
- It exits after :data:`IDLE` seconds without a question. ``reportbot index``, ``reports
  --remove`` and the page's uploads and removals stop it, so the next answer reads the
  new index.

Deliberately not done: no TCP (nothing listens on the network), no chat or LLM mode
through it (those answer in-process), no sharing between users.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

IDLE = 900  # seconds without a question before the resident process exits
CONNECT_TIMEOUT = 0.5
ANSWER_TIMEOUT = 60


def socket_path() -> Path:
    """Where the resident process for this user and these settings listens."""
    settings = sorted((k, v) for k, v in os.environ.items() if k.startswith("REPORTBOT_"))
    digest = hashlib.sha256(json.dumps(settings).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"reportbot-{os.getuid()}-{digest}.sock"


def _call(request: dict, timeout: float = ANSWER_TIMEOUT) -> dict | None:
    path = socket_path()
    if not path.exists():
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(CONNECT_TIMEOUT)
            conn.connect(str(path))
            conn.settimeout(timeout)
            conn.sendall(json.dumps(request).encode() + b"\n")
            reply = conn.makefile("rb").readline()
    except OSError:
        return None
    return json.loads(reply) if reply else None


def ask(question: str, reports: list[str] | None) -> dict | None:
    """The answer (as :func:`ui.cli.answer_dict`) from a running resident process, or
    ``{"error": message}``; None when none is running (the caller answers itself)."""
    return _call({"question": question, "reports": reports})


def stop() -> None:
    """Ask a running resident process to exit (after the index changed)."""
    _call({"stop": True}, timeout=CONNECT_TIMEOUT)


def start_in_background() -> None:
    """Start a resident process for the next ``ask``s; returns at once."""
    if _call({"ping": True}, timeout=CONNECT_TIMEOUT) is not None:
        return  # one is running (a stale socket file left by a killed one does not count)
    subprocess.Popen(
        [sys.executable, "-m", "ui.resident"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # survives the terminal's Ctrl+C and the ask's exit
    )


def _answer(request: dict) -> dict:
    from bot import ReportBotError
    from bot import ask as ask_bot
    from ui.cli import answer_dict

    try:
        answer = ask_bot(request["question"], reports=request.get("reports") or None)
    except ReportBotError as exc:
        return {"error": str(exc)}
    return answer_dict(answer)


def serve(idle: float = IDLE) -> None:
    """Answer questions on :func:`socket_path` until ``idle`` seconds pass without one."""
    import signal

    from bot import prepare

    # `kill` (SIGTERM) ends it as cleanly as Ctrl+C: the socket file is removed.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    prepare()  # everything a first answer would load, before anyone waits on it
    path = socket_path()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    bound = False
    try:
        if path.exists():
            if _call({"ping": True}, timeout=CONNECT_TIMEOUT) is not None:
                return  # another one is already serving
            path.unlink()
        old = os.umask(0o177)  # the socket is the user's alone
        try:
            server.bind(str(path))
            bound = True
        finally:
            os.umask(old)
        server.listen(8)
        server.settimeout(idle)
        print(f"reportbot: answering on {path} (Ctrl+C to stop)", file=sys.stderr, flush=True)
        while True:
            try:
                conn, _ = server.accept()
            except (TimeoutError, KeyboardInterrupt):
                return
            with conn:
                conn.settimeout(ANSWER_TIMEOUT)
                line = conn.makefile("rb").readline()
                request = json.loads(line or b"{}")
                if request.get("stop"):
                    conn.sendall(b'{"stopped": true}\n')
                    return
                reply = {"pong": True} if request.get("ping") else _answer(request)
                conn.sendall(json.dumps(reply, ensure_ascii=False).encode() + b"\n")
    finally:
        server.close()
        if bound:
            path.unlink(missing_ok=True)


if __name__ == "__main__":
    serve()
