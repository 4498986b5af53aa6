from datetime import date

import pytest

from bot.periods import (
    asked,
    bases,
    conflict,
    conflict_ranges,
    counted_per,
    find_periods,
    overlap,
    periods,
    same_span,
)


def test_periods_in_both_languages():
    assert periods("What was revenue in the third quarter of 2024?") == {
        "year": {"2024"},
        "quarter": {"3"},
    }
    assert periods("2024年第二季度,上半年营收512.6亿元,以6月为例") == {
        "year": {"2024"},
        "quarter": {"2"},
        "half": {"1"},
        "month": {"6"},
    }
    assert periods("Sales in May rose; you may ask in Q4 or H2.") == {
        "month": {"5"},
        "quarter": {"4"},
        "half": {"2"},
    }
    assert periods("营收2024亿元") == {}  # an amount, not a year


def test_evidence_about_another_period_conflicts():
    assert conflict(asked("Revenue in Q3?"), ["二季度收入86亿元。"])
    assert not conflict(asked("Buyers in Q2?"), ["2024年第二季度,买家2.47亿。"])
    # No period named nearby: the wider context decides; none at all is no conflict.
    assert conflict(asked("三季度的利润?"), ["利润42.3亿元。", "今年二季度,利润42.3亿元。"])
    assert not conflict(asked("三季度的利润?"), ["利润42.3亿元。"])


def test_a_follow_ups_own_period_wins_over_its_context():
    a = asked("What about in May?", "meituan sales june What about in May?")
    assert a == {"month": {"5"}}
    assert conflict(a, ["以今年6月为例,销售额提升7倍。"])


def test_a_figure_for_another_span_of_the_year_conflicts():
    # A quarter's figure is not answered by the half year's, nor the whole year's by either.
    assert conflict(
        asked("二季度单季的利润是多少?"), ["利润42.3亿元。", "今年上半年,利润42.3亿元。"]
    )
    assert conflict(asked("Revenue for the full year 2023?"), ["2023年上半年营收500亿元。"])
    assert not conflict(asked("上半年的利润?"), ["今年上半年,利润42.3亿元。"])
    # The nearest text naming a span decides; a question naming no span has no conflict.
    assert not conflict(
        asked("二季度的买家数?"), ["二季度买家2.47亿。", "上半年……二季度买家2.47亿。"]
    )
    assert not conflict(asked("利润是多少?"), ["今年上半年,利润42.3亿元。"])


def test_a_change_on_another_base_conflicts():
    # 环比 (on the period before) is not answered by a 同比 (year on year) figure.
    assert conflict(asked("销售额环比提升了多少?"), ["销售额同比提升了超7倍。"])
    assert conflict(asked("How much did sales grow quarter on quarter?"), ["销售额同比增长5%。"])
    assert not conflict(asked("销售额同比提升了多少?"), ["销售额同比提升了超7倍。"])
    # A sentence with both bases, or with none, may answer.
    assert not conflict(asked("营销消耗同比增长了多少?"), ["商家数环比增长18%,消耗同比增长45%。"])
    assert not conflict(asked("销售额环比提升了多少?"), ["销售额提升了3倍。"])


def test_the_base_of_a_change_is_read_from_the_sentence_only():
    sentence = "二季度本地业务日均支付用户环比增速达29%。"
    near = "相关营销投放消耗同比增长超过了45%。" + sentence
    assert conflict(
        asked("What was the year-on-year growth of daily paying users?"), [sentence, near]
    )


def test_a_daily_figure_is_not_a_monthly_one():
    monthly = "2024年第二季度,电商月活跃买家数同比增长9.6%至2.47亿。"
    assert conflict(asked("How many daily active users did it have in Q2?"), [monthly, monthly])
    assert not conflict(asked("How many monthly active buyers did it have?"), [monthly, monthly])
    assert not conflict(asked("日均动销商品数环比增长了多少?"), ["日均动销商品数环比增长26%。"])


def test_older_interface_reads_the_new_spellings():
    # Deliberate improvements over matching words: a run of months and "six months
    # ended" are the half year they cover, and a fiscal or full year says so.
    assert periods("1-6月营收") == {"half": {"1"}}
    assert periods("for the six months ended June 30, 2024") == {"year": {"2024"}, "half": {"1"}}
    assert periods("June quarter sales") == {"quarter": {"2"}}
    assert periods("full year 2023") == {"year": {"2023"}, "whole": {"1"}}


# --- periods as date ranges ---------------------------------------------------------------

Y24 = 2024
# text, kind, first day, last day (a year-less span gives (month, day) pairs)
SPANS = [
    # quarters
    ("Q2", "quarter", (4, 1), (6, 30)),
    ("2Q24", "quarter", date(2024, 4, 1), date(2024, 6, 30)),
    ("Q2 2024", "quarter", date(2024, 4, 1), date(2024, 6, 30)),
    ("Q2 12 stores", "quarter", (4, 1), (6, 30)),  # 12 is not a year here
    ("2024年Q2", "quarter", date(2024, 4, 1), date(2024, 6, 30)),
    ("第2季", "quarter", (4, 1), (6, 30)),
    ("第二季度", "quarter", (4, 1), (6, 30)),
    ("二季度", "quarter", (4, 1), (6, 30)),
    ("2023年第四季度", "quarter", date(2023, 10, 1), date(2023, 12, 31)),
    ("the second quarter", "quarter", (4, 1), (6, 30)),
    ("third-quarter of 2024", "quarter", date(2024, 7, 1), date(2024, 9, 30)),
    ("the June quarter", "quarter", (4, 1), (6, 30)),
    ("4月至6月", "quarter", (4, 1), (6, 30)),
    ("three months ended June 30, 2024", "quarter", date(2024, 4, 1), date(2024, 6, 30)),
    ("截至2024年9月30日止三個月", "quarter", date(2024, 7, 1), date(2024, 9, 30)),
    # halves
    ("H1", "half", (1, 1), (6, 30)),
    ("1H24", "half", date(2024, 1, 1), date(2024, 6, 30)),
    ("H2 2023", "half", date(2023, 7, 1), date(2023, 12, 31)),
    ("the first half of 2024", "half", date(2024, 1, 1), date(2024, 6, 30)),
    ("上半年", "half", (1, 1), (6, 30)),
    ("2024年上半年", "half", date(2024, 1, 1), date(2024, 6, 30)),
    ("下半年", "half", (7, 1), (12, 31)),
    ("1-6月", "half", (1, 1), (6, 30)),
    ("1至6月", "half", (1, 1), (6, 30)),
    ("six months ended June 30, 2024", "half", date(2024, 1, 1), date(2024, 6, 30)),
    ("截至二零二四年六月三十日止六個月", "half", date(2024, 1, 1), date(2024, 6, 30)),
    ("截至2024年6月30日止六个月", "half", date(2024, 1, 1), date(2024, 6, 30)),
    # nine months, years, months, days
    ("前三季度", "nine_months", (1, 1), (9, 30)),
    ("2024年1-9月", "nine_months", date(2024, 1, 1), date(2024, 9, 30)),
    ("nine months ended September 30, 2024", "nine_months", date(2024, 1, 1), date(2024, 9, 30)),
    ("full year", "year", (1, 1), (12, 31)),
    ("全年", "year", (1, 1), (12, 31)),
    ("年度", "year", (1, 1), (12, 31)),
    ("2024年度", "year", date(2024, 1, 1), date(2024, 12, 31)),
    ("year ended December 31, 2023", "year", date(2023, 1, 1), date(2023, 12, 31)),
    ("截至2023年12月31日止年度", "year", date(2023, 1, 1), date(2023, 12, 31)),
    ("2024", "year", date(2024, 1, 1), date(2024, 12, 31)),
    ("2024年", "year", date(2024, 1, 1), date(2024, 12, 31)),
    ("二零二三年", "year", date(2023, 1, 1), date(2023, 12, 31)),
    ("六月", "month", (6, 1), (6, 30)),
    ("6月份", "month", (6, 1), (6, 30)),
    ("in June", "month", (6, 1), (6, 30)),
    ("2024年2月", "month", date(2024, 2, 1), date(2024, 2, 29)),
    ("February 2023", "month", date(2023, 2, 1), date(2023, 2, 28)),
    ("6月30日", "day", (6, 30), (6, 30)),
    ("as of June 30, 2024", "day", date(2024, 6, 30), date(2024, 6, 30)),
    ("2024-06-30", "day", date(2024, 6, 30), date(2024, 6, 30)),
    ("year-to-date", "ytd", (1, 1), (12, 31)),
]


@pytest.mark.parametrize("text, kind, first, last", SPANS)
def test_every_spelling_reads_to_its_date_range(text, kind, first, last):
    (p,) = find_periods(text)
    assert p.kind == kind
    if isinstance(first, date):
        assert (p.start, p.end) == (first, last)
    else:
        assert (p.start, p.end) == (None, None)  # no year written: matches any year
        assert (p.first, p.last) == (first, last)
    assert text[p.start_char : p.end_char] == p.text


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("FY2025", date(2024, 4, 1), date(2025, 3, 31)),
        ("FY25", date(2024, 4, 1), date(2025, 3, 31)),
        ("fiscal 2025", date(2024, 4, 1), date(2025, 3, 31)),
        ("2025财年", date(2024, 4, 1), date(2025, 3, 31)),
        ("Q1 FY25", date(2024, 4, 1), date(2024, 6, 30)),
        ("Q4 FY2025", date(2025, 1, 1), date(2025, 3, 31)),
        ("2025財年第一季度", date(2024, 4, 1), date(2024, 6, 30)),
        ("H2 FY25", date(2024, 10, 1), date(2025, 3, 31)),
    ],
)
def test_fiscal_periods_follow_the_fiscal_year_end(text, start, end):
    (p,) = find_periods(text, fiscal_year_end_month=3)
    assert p.fiscal and (p.start, p.end) == (start, end)


def test_a_fiscal_year_with_no_known_end_is_the_calendar_year():
    (p,) = find_periods("FY2025")
    assert (p.kind, p.start, p.end, p.fiscal) == (
        "fiscal_year",
        date(2025, 1, 1),
        date(2025, 12, 31),
        True,
    )


def test_relative_years_need_a_default_year():
    assert find_periods("去年收入") == []
    (p,) = find_periods("去年收入", default_year=Y24)
    assert (p.start, p.end, p.bare) == (date(2023, 1, 1), date(2023, 12, 31), True)
    (p,) = find_periods("今年上半年", default_year=Y24)
    assert (p.kind, p.start) == ("half", date(2024, 1, 1))
    (p,) = find_periods("revenue last year", default_year=Y24)
    assert p.year == 2023


def test_the_same_period_last_year_is_the_span_before_a_year_earlier():
    now, before = find_periods("2024年上半年收入较去年同期增长")
    assert (now.start, now.end) == (date(2024, 1, 1), date(2024, 6, 30))
    assert (before.kind, before.start, before.end) == ("half", date(2023, 1, 1), date(2023, 6, 30))
    assert before.text == "去年同期" and before.base and not now.base


@pytest.mark.parametrize(
    "text",
    ["营收2024亿元", "you may ask", "一季一会的四季", "增长12%至6.5亿元", "统一", "半年度报告"],
)
def test_text_naming_no_period_gives_none(text):
    assert find_periods(text) == []


def one(text: str, **kw):
    (p,) = find_periods(text, **kw)
    return p


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("Q2", "二季度", True),
        ("Q2", "第2季", True),
        ("Q2", "June quarter", True),
        ("Q2", "4月至6月", True),
        ("Q2 2024", "2024年第二季度", True),
        ("Q2 2024", "2023年第二季度", False),
        ("Q2", "2023年第二季度", True),  # an unknown year matches any year
        ("H1", "上半年", True),
        ("H1 2024", "截至二零二四年六月三十日止六個月", True),
        ("H1", "Q2", False),
        ("全年", "上半年", False),
        ("前三季度", "1-9月", True),
    ],
)
def test_same_span_compares_ranges_not_spellings(a, b, same):
    assert same_span(one(a), one(b)) is same


def test_overlap_of_spans():
    assert overlap(one("Q2"), one("上半年"))
    assert not overlap(one("Q3"), one("上半年"))
    assert overlap(one("2024"), one("Q2"))
    assert not overlap(one("2023年"), one("2024年第二季度"))
    assert overlap(one("FY2025", fiscal_year_end_month=3), one("2024年第四季度"))


@pytest.mark.parametrize(
    "question, evidence, conflicts",
    [
        ("Revenue in Q3?", ["二季度收入86亿元。"], True),
        ("Buyers in Q2?", ["2024年第二季度,买家2.47亿。"], False),
        ("Q2 revenue?", ["Revenue for the June quarter was $5 million."], False),
        ("第二季度的收入?", ["截至2024年6月30日止三個月，收入為5億元。"], False),
        ("二季度的利润?", ["上半年利润42.3亿元。"], True),  # H1 is not Q2
        ("上半年的利润?", ["截至二零二四年六月三十日止六個月，利潤為42.3億元。"], False),
        ("2024年Q2收入?", ["2023年第二季度收入86亿元。"], True),
        ("Revenue for the full year 2023?", ["2023年上半年营收512.6亿元。"], True),
        ("What was revenue in 2024?", ["2024年第二季度收入86亿元。"], False),  # a bare year
        ("利润是多少?", ["今年上半年,利润42.3亿元。"], False),  # nothing asked
        ("三季度的利润?", ["利润42.3亿元。"], False),  # nothing named: no conflict
        # the nearest text naming a period decides
        ("三季度的利润?", ["利润42.3亿元。", "今年二季度,利润42.3亿元。"], True),
        ("二季度的买家数?", ["二季度买家2.47亿。", "上半年……二季度买家2.47亿。"], False),
        # the base of a comparison is not the span the figures are about
        ("H1 2024 revenue?", ["2024年上半年收入较去年同期增长9.6%。"], False),
        ("H1 2023 revenue?", ["2024年上半年收入较去年同期增长9.6%。"], True),
    ],
)
def test_evidence_about_another_span_conflicts(question, evidence, conflicts):
    assert conflict_ranges(find_periods(question), evidence) is conflicts


def test_bases_and_what_a_figure_is_counted_per():
    assert bases("销售额同比增长5%,环比增长3%") == {"y", "p"}
    assert bases("Revenue grew 5% year-over-year") == {"y"}
    assert bases("營收同比增長") == {"y"}  # traditional script too
    assert counted_per("日均订单量") == {"d"} and counted_per("monthly active users") == {"m"}
    assert counted_per("收入增长") == set()


def test_the_examples_in_the_docstrings_hold():
    import doctest

    import bot.periods

    assert doctest.testmod(bot.periods).failed == 0


def test_a_span_something_is_compared_with_is_a_base_not_the_span_reported():
    from bot.periods import asked, conflict, find_periods

    text = "毛利率為41.2%，較第二季的39.5%提高1.7個百分點。"
    assert [p.base for p in find_periods(text)] == [True]
    assert not conflict(asked("第三季毛利率是多少?", "第三季毛利率是多少?"), [text])
    assert [p.base for p in find_periods("Sales rose 4% from the March quarter.")] == [True]
    assert [p.base for p in find_periods("March quarter sales rose 4%.")] == [False]
