from bot.periods import asked, conflict, periods


def test_periods_in_both_languages():
    assert periods("What was revenue in the third quarter of 2024?") == {
        "year": {"2024"},
        "quarter": {"3"},
    }
    assert periods("2024年第二季度,上半年营收603.8亿元,以6月为例") == {
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
    assert conflict(asked("Revenue in Q3?"), ["二季度收入175亿元。"])
    assert not conflict(asked("Buyers in Q2?"), ["2024年第二季度,买家1.31亿。"])
    # No period named nearby: the wider context decides; none at all is no conflict.
    assert conflict(asked("三季度的利润?"), ["利润90.7亿元。", "今年二季度,利润90.7亿元。"])
    assert not conflict(asked("三季度的利润?"), ["利润90.7亿元。"])


def test_a_follow_ups_own_period_wins_over_its_context():
    a = asked("What about in May?", "meituan sales june What about in May?")
    assert a == {"month": {"5"}}
    assert conflict(a, ["以今年6月为例,销售额提升38倍。"])


def test_a_figure_for_another_span_of_the_year_conflicts():
    # A quarter's figure is not answered by the half year's, nor the whole year's by either.
    assert conflict(
        asked("二季度单季的利润是多少?"), ["利润90.7亿元。", "今年上半年,利润90.7亿元。"]
    )
    assert conflict(asked("Revenue for the full year 2023?"), ["2023年上半年营收500亿元。"])
    assert not conflict(asked("上半年的利润?"), ["今年上半年,利润90.7亿元。"])
    # The nearest text naming a span decides; a question naming no span has no conflict.
    assert not conflict(
        asked("二季度的买家数?"), ["二季度买家1.31亿。", "上半年……二季度买家1.31亿。"]
    )
    assert not conflict(asked("利润是多少?"), ["今年上半年,利润90.7亿元。"])


def test_a_change_on_another_base_conflicts():
    # 环比 (on the period before) is not answered by a 同比 (year on year) figure.
    assert conflict(asked("销售额环比提升了多少?"), ["销售额同比提升了超38倍。"])
    assert conflict(asked("How much did sales grow quarter on quarter?"), ["销售额同比增长5%。"])
    assert not conflict(asked("销售额同比提升了多少?"), ["销售额同比提升了超38倍。"])
    # A sentence with both bases, or with none, may answer.
    assert not conflict(asked("营销消耗同比增长了多少?"), ["商家数环比增长22%,消耗同比增长60%。"])
    assert not conflict(asked("销售额环比提升了多少?"), ["销售额提升了3倍。"])


def test_the_base_of_a_change_is_read_from_the_sentence_only():
    sentence = "二季度本地业务日均支付用户环比增速达37%。"
    near = "相关营销投放消耗同比增长超过了60%。" + sentence
    assert conflict(
        asked("What was the year-on-year growth of daily paying users?"), [sentence, near]
    )


def test_a_daily_figure_is_not_a_monthly_one():
    monthly = "2024年第二季度,电商月活跃买家数同比增长14.1%至1.31亿。"
    assert conflict(asked("How many daily active users did it have in Q2?"), [monthly, monthly])
    assert not conflict(asked("How many monthly active buyers did it have?"), [monthly, monthly])
    assert not conflict(asked("日均动销商品数环比增长了多少?"), ["日均动销商品数环比增长33%。"])
