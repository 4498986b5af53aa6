"""Answers beyond one figure: who, why, yes/no and computed comparisons, on invented text."""

import pytest

from bot import kinds
from bot.numbers import quantities


def test_who_leads_with_the_name_the_question_does_not_hold():
    text = "公司首席财务官顾明远在电话会上表示，下半年将控制开支。"
    assert kinds.who_lead("公司的首席财务官是谁?", text, "zh") == "顾明远"
    # An English question about a Chinese name gets its pinyin too.
    assert kinds.who_lead("Who is the CFO?", text, "en") == "顾明远 (Gu Mingyuan)"
    en = "Chief executive Maria Lindqvist said the recall would cost €40 million."
    assert kinds.who_lead("Who is the chief executive?", en, "en") == "Maria Lindqvist"


def test_why_leads_with_the_cause_clause():
    cause = kinds.why_lead("毛利率提升至48%，主要得益于高端产品占比提高。")
    assert cause == "主要得益于高端产品占比提高"
    assert (
        kinds.why_lead("Revenue rose 12%, driven by higher prices in Europe.")
        == "driven by higher prices in Europe"
    )
    assert kinds.why_lead("Revenue rose 12% to €2.4 billion.") == ""


@pytest.mark.parametrize(
    "question, text, verdict",
    [
        ("Did revenue grow?", "Revenue rose 12% to €2.4 billion.", True),
        ("Did revenue fall?", "Revenue rose 12% to €2.4 billion.", False),
        ("毛利率提高了吗?", "二季度毛利率由45.1%下降至43.2%。", False),
        ("毛利率提高了吗?", "二季度毛利率由45.1%提升至47.2%。", True),
        ("Did the company launch the Vela 9?", "The company launched the Vela 9 in May.", True),
        ("Did the company pay a dividend?", "The board did not declare a dividend.", False),
        ("Did margins improve?", "The company opened two plants.", None),  # does not decide
    ],
)
def test_yes_no_follows_the_deciding_sentence(question, text, verdict):
    assert kinds.yes_no(question, text) is verdict


def test_a_percentage_point_difference_is_computed_from_two_cited_rates():
    text = "毛利率为42.5%，经营利润率为38.1%。"
    done = kinds.compute("毛利率比经营利润率高多少个百分点?", quantities(text), "zh")
    assert done is not None and abs(done.value - 4.4) < 1e-9
    assert done.text == "42.5% − 38.1% = 4.4 个百分点"
    # Every computed answer equals the arithmetic on its cited figures.
    a, b = done.operands
    assert abs(done.value - abs(a.value - b.value)) < 1e-9


def test_ratio_share_and_sum_use_the_figures_as_written():
    text = "Cloud revenue was $1.2 billion and device revenue was $0.4 billion."
    figs = quantities(text)
    question = "How many times larger was cloud revenue than device revenue?"
    ratio = kinds.compute(question, figs, "en")
    assert ratio is not None and abs(ratio.value - 3.0) < 1e-9
    total = kinds.compute("What was cloud and device revenue combined?", figs, "en")
    assert total is not None and abs(total.value - 1.6e9) < 1 and "1.6 billion" in total.text


def test_figures_that_are_not_comparable_are_refused():
    text = "营收为12.5亿元，毛利率为42.5%。"
    assert kinds.compute("营收比毛利率高多少?", quantities(text), "zh") is None
