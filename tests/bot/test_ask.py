"""ask() end to end: the real model, the real embedded Chroma, the bundled report."""

import json
from pathlib import Path

import pytest

from bot import ask
from bot.evaluate import load_items, report, run
from bot.library import get_library
from index.errors import QuestionError, UnknownReportError

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
OWN = ROOT / "eval" / "questions.jsonl"
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def test_english_question_finds_the_chinese_figure(real_settings):
    a = ask("how much did UAX lift ARPU", settings=real_settings)
    assert a.answered and a.text.startswith("196%")
    assert any("196%" in c.quote for c in a.citations)


def test_chinese_question_answers_with_the_revenue(real_settings):
    a = ask("快手上半年营收多少", settings=real_settings)
    assert a.answered and "603.8亿元" in a.text
    assert any("603.8" in c.quote for c in a.citations)


def test_follow_ups_resolve_it_from_history(real_settings):
    a = ask(
        "How fast did it grow?",
        history=[("What was Kuaishou's revenue in H1?", "603.8亿元")],
        settings=real_settings,
    )
    assert a.answered and "14%" in a.text
    b = ask(
        "它生成了多少视频?",
        history=[("可灵大模型的使用人数有多少?", "超百万")],
        settings=real_settings,
    )
    assert b.answered and "超千万" in b.text


def test_question_outside_the_report_is_refused(real_settings):
    a = ask("快手有多少名员工?", settings=real_settings)
    assert not a.answered and a.citations == [] and "没有找到" in a.text


@pytest.mark.parametrize("path", [OWN, DEV], ids=["own", "dev"])
def test_every_quote_is_the_exact_slice_of_its_report(real_settings, path):
    if not path.exists():
        pytest.skip(f"{path} is not beside this checkout")
    library = get_library(real_settings)
    texts = {r.name: library.store.report_text(r.name) for r in library.reports()}
    outcomes = run(
        load_items(path),
        lambda q, h=None, reports=None: ask(q, h, reports=reports, settings=real_settings),
        texts,
    )
    assert all(o.quotes_exact for o in outcomes)
    figures = report(outcomes)["overall"]
    # Regression floors below what the README reports (own 0.75, dev 0.83 since the answer
    # step was rebuilt to hold on other reports; the rules written for this one report
    # scored 0.99 here, and 0.8 was the floor then): a drop means a real break.
    assert figures["answer_accuracy"] >= 0.65, json.dumps(figures)
    assert figures["citation_accuracy"] >= 0.65, json.dumps(figures)
    assert figures["median_quote_chars"] <= 150


def test_bad_questions_get_clear_errors(real_settings):
    with pytest.raises(QuestionError, match="empty"):
        ask("   ", settings=real_settings)
    with pytest.raises(QuestionError, match="over the limit"):
        ask("营收" * 1000, settings=real_settings)
    with pytest.raises(QuestionError, match="must be text"):
        ask(None, settings=real_settings)  # type: ignore[arg-type]
    with pytest.raises(UnknownReportError, match="nope.txt"):
        ask("营收", reports=["nope.txt"], settings=real_settings)


def test_questions_can_be_scoped_to_one_report(real_settings, tmp_path):
    library = get_library(real_settings)
    other = tmp_path / "weather.md"
    other.write_text("# Weather\n\nThe rainfall in the town reached 812 millimetres in 2023.\n")
    library.index_paths([other])
    a = ask("How much rain fell in the town?", reports=["weather.md"], settings=real_settings)
    assert a.answered and a.citations[0].source == "weather.md" and "812" in a.text
    b = ask("how much did UAX lift ARPU", reports=["kuaishou-2024h1.txt"], settings=real_settings)
    assert all(c.source == "kuaishou-2024h1.txt" for c in b.citations)
    library.remove("weather.md")


def test_failed_index_run_keeps_the_existing_index(real_settings, tmp_path):
    from index.errors import ReportError

    library = get_library(real_settings)
    before = [(r.name, r.sha256) for r in library.reports()]
    good = tmp_path / "good.txt"
    good.write_text("好的报告。")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ReportError, match="bad.txt"):
        library.index_paths([good, bad])
    assert [(r.name, r.sha256) for r in library.reports()] == before
    assert ask("how much did UAX lift ARPU", settings=real_settings).answered


def test_a_thing_no_report_mentions_is_refused_though_its_place_is_named(real_settings, tmp_path):
    # One report names the town, another the kind of site: neither counts crates.
    library = get_library(real_settings)
    boats, depot = tmp_path / "boats.txt", tmp_path / "depot.md"
    boats.write_text("The Turku plant made 4,321 boats in 2024.\n")
    depot.write_text("The Bergen depot stores 812 pallets.\n")
    library.index_paths([boats, depot])
    try:
        a = ask("How many crates does the depot in Turku hold?", settings=real_settings)
        assert not a.answered and a.citations == []
        b = ask("How many boats did the Turku plant make?", settings=real_settings)
        assert b.answered and "4,321" in b.text
    finally:
        library.remove("boats.txt")
        library.remove("depot.md")


def test_after_prepare_a_first_question_in_either_language_imports_nothing(real_settings):
    """The page and the resident call prepare() before anyone waits: the first Chinese
    question must not then import the tagger or the numeral reader (1-2 s)."""
    import os
    import subprocess
    import sys

    script = (
        "import sys; from bot import prepare, ask; prepare(); before = set(sys.modules); "
        "ask('上半年营收多少?'); ask('Who is the chief executive?'); "
        "print(sorted(set(sys.modules) - before))"
    )
    # The same store and model as real_settings (embedded, or a Chroma server).
    env = os.environ | {
        "REPORTBOT_DATA_DIR": str(real_settings.data_dir),
        "REPORTBOT_EMBED_MODEL": real_settings.embed_model,
        "REPORTBOT_CHROMA_URL": real_settings.chroma_url,
    }
    # Twice: the second process reads the keyword side from the cache the first kept
    # (bot.cache), so prepare() must load what that side no longer does (pypinyin).
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip().splitlines()[-1] == "[]"
