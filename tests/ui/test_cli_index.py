"""``reportbot index DIR``: a line per new or changed file and removal, then a summary."""

import re

import pytest

from tests.conftest import FakeEmbedder
from ui.cli import main


@pytest.fixture
def fake(monkeypatch):
    fake = FakeEmbedder()
    monkeypatch.setattr("bot.library.get_embedder", lambda settings: fake)
    monkeypatch.setenv("REPORTBOT_EMBED_MODEL", "fake")
    monkeypatch.setenv("REPORTBOT_DEFAULT_REPORT", "0")
    return fake


def summary(out: str) -> dict[str, float]:
    line = out.strip().splitlines()[-1]
    pairs = re.findall(r"([\d.]+) (files|new|changed|unchanged|removed|chunks|embeddings)", line)
    assert line.endswith(" s"), line
    return {word: float(n) for n, word in pairs}


def test_index_a_folder_twice_then_after_edits(tmp_path, fake, capsys):
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    (shelf / "a.md").write_text("Alpha grew 5%. Beta fell.\n")
    (shelf / "b.md").write_text("Gamma.\n")

    assert main(["index", str(shelf)]) == 0
    first = capsys.readouterr().out
    assert "a.md: 2 sentences, 1 chunks, 3 embeddings computed" in first
    assert summary(first) == {
        "files": 2,
        "new": 2,
        "changed": 0,
        "unchanged": 0,
        "removed": 0,
        "chunks": 2,
        "embeddings": 5,
    }

    assert main(["index", str(shelf)]) == 0
    again = capsys.readouterr().out
    assert again.count("\n") == 1  # only the summary
    assert summary(again)["unchanged"] == 2 and summary(again)["embeddings"] == 0

    (shelf / "a.md").write_text("Alpha grew 6%. Beta fell.\n")
    (shelf / "b.md").unlink()
    assert main(["index", str(shelf)]) == 0
    edited = capsys.readouterr().out
    assert "b.md: removed" in edited
    assert summary(edited) == {
        "files": 1,
        "new": 0,
        "changed": 1,
        "unchanged": 0,
        "removed": 1,
        "chunks": 1,
        "embeddings": 2,
    }
    assert fake.embedded == 7
