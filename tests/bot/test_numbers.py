import pytest

from bot.numbers import Quantity, convert, lead_text, quantities, same


def one(text: str, **kw) -> Quantity:
    found = [q for q in quantities(text, **kw) if q.is_figure]
    assert len(found) == 1, found
    return found[0]


# text, value in base units, unit, currency, kind, the span read
FIGURES = [
    ("营收512.6亿元", 5.126e10, "", "CNY", "amount", "512.6亿元"),
    ("１２.５億元", 1.25e9, "", "CNY", "amount", "１２.５億元"),
    ("增長40％", 40.0, "%", "", "rate", "40％"),
    ("共1,234家", 1234.0, "", "", "count", "1,234家"),
    ("收入為人民幣3,456.7百萬元", 3.4567e9, "", "CNY", "amount", "人民幣3,456.7百萬元"),
    ("revenue of US$1.2 billion", 1.2e9, "", "USD", "amount", "US$1.2 billion"),
    ("sales of €48.2 million", 4.82e7, "", "EUR", "amount", "€48.2 million"),
    ("profit of RMB 3.5bn", 3.5e9, "", "CNY", "amount", "RMB 3.5bn"),
    ("HK$12.3 million", 1.23e7, "", "HKD", "amount", "HK$12.3 million"),
    ("營業額為港幣12.3億元", 1.23e9, "", "HKD", "amount", "港幣12.3億元"),
    ("NT$500 million", 5e8, "", "TWD", "amount", "NT$500 million"),
    ("£2.4bn", 2.4e9, "", "GBP", "amount", "£2.4bn"),
    ("12亿美元", 1.2e9, "", "USD", "amount", "12亿美元"),
    ("rose 3.2 percent", 3.2, "%", "", "rate", "3.2 percent"),
    ("cut by 150 basis points", 150.0, "bp", "", "rate", "150 basis points"),
    ("up 2.5 percentage points", 2.5, "pp", "", "rate", "2.5 percentage points"),
    ("提升2.5个百分点", 2.5, "pp", "", "rate", "2.5个百分点"),
    ("增長1.5倍", 1.5, "x", "", "rate", "1.5倍"),
    ("grew 1.5x", 1.5, "x", "", "rate", "1.5x"),
    ("grew 1.5 times", 1.5, "x", "", "rate", "1.5 times"),
    ("a three-fold rise", 3.0, "x", "", "rate", "three-fold"),
    ("twenty-five percent", 25.0, "%", "", "rate", "twenty-five percent"),
    ("two million users", 2e6, "", "", "count", "two million"),
    # Chinese numerals
    ("投入两千万元", 2e7, "", "CNY", "amount", "两千万元"),
    ("占百分之二十", 20.0, "%", "", "rate", "百分之二十"),
    ("约三成", 30.0, "%", "", "rate", "三成"),
    ("三点五亿元", 3.5e8, "", "CNY", "amount", "三点五亿元"),
    ("用户超百万", 1e6, "", "", "count", "百万"),
    ("提价两次", 2.0, "", "", "count", "两次"),
    ("员工人数三千人", 3000.0, "", "", "count", "三千人"),
    ("下降两个百分点", 2.0, "pp", "", "rate", "两个百分点"),
    # signs as written: a table's (12.3) is negative, 下降 is not
    ("(12.3)", -12.3, "", "", "count", "(12.3)"),
    ("（1,234）", -1234.0, "", "", "count", "（1,234）"),
    ("-3.2%", -3.2, "%", "", "rate", "-3.2%"),
    ("下降3.2%", 3.2, "%", "", "rate", "3.2%"),
    # a year-like number with a scale is an amount
    ("营收2024亿元", 2.024e11, "", "CNY", "amount", "2024亿元"),
    ("1.31亿人", 1.31e8, "", "", "count", "1.31亿人"),
    ("日均1,200万单", 1.2e7, "", "", "count", "1,200万单"),
    ("5km", 5.0, "", "", "count", "5km"),
]


@pytest.mark.parametrize("text, value, unit, currency, kind, span", FIGURES)
def test_every_figure_reads_to_base_units(text, value, unit, currency, kind, span):
    q = one(text)
    assert q.value == pytest.approx(value)
    assert (q.unit, q.currency, q.kind, q.text) == (unit, currency, kind, span)
    assert text[q.start : q.end] == q.text


@pytest.mark.parametrize(
    "text, span",
    [
        ("$0.42 per diluted share", "$0.42 per diluted share"),
        ("每股基本盈利0.35元", "0.35元"),
        ("每股基本盈利人民幣0.35元", "人民幣0.35元"),
        ("Diluted earnings per share were $1.05", "$1.05"),
        ("派息0.8元/股", "0.8元/股"),
    ],
)
def test_per_share_amounts_say_so(text, span):
    q = one(text)
    assert q.per_share and q.kind == "amount" and q.text == span


def test_an_amount_in_brackets_is_an_aside_not_a_negative():
    text = (
        "Revenues were RMB86.2 billion (US$11.9 billion). Net income per ADS was RMB4.35 (US$0.60)."
    )
    found = [(q.text, q.value, q.per_share) for q in quantities(text)]
    assert found == [
        ("RMB86.2 billion", 8.62e10, False),
        ("US$11.9 billion", 1.19e10, False),
        ("RMB4.35", 4.35, True),
        ("US$0.60", 0.6, True),
    ]


def test_a_total_is_not_per_share():
    assert not one("净利润0.35亿元").per_share


@pytest.mark.parametrize(
    "text, counter",
    [
        ("门店45家", "家"),
        ("推出3款新品", "款"),
        ("1.31亿人", "人"),
        ("5,000 stores", "stores"),
        ("12 million users", "users"),
        ("About 300 new stores", "stores"),
        ("增长14%", ""),
    ],
)
def test_the_counter_is_the_word_after_the_number(text, counter):
    assert one(text).counter == counter


def test_a_range_is_two_quantities_with_the_written_unit():
    low, high = quantities("预计增长10-12%")
    assert (low.value, low.unit, high.value, high.unit) == (10.0, "%", 12.0, "%")
    low, high = quantities("10至12亿元")
    assert (low.value, low.currency, high.value) == (1e9, "CNY", 1.2e9)
    assert [q.value for q in quantities("between 10 to 12 million")] == [1e7, 1.2e7]


def test_a_table_header_scale_applies_to_bare_figures():
    amount, rate = quantities("收入 3,456.7 12.5%", scale=1e6)
    assert amount.value == pytest.approx(3.4567e9)
    assert amount.tolerance == pytest.approx(5e4)
    assert rate.value == 12.5  # a percentage keeps its own unit


# Numbers that are not figures, by kind: an answer never leads with them.
NOT_FIGURES = [
    ("2024", "year"),
    ("2024年", "year"),
    ("FY2025", "year"),
    ("FY25", "year"),
    ("二零二四年", "year"),
    ("二〇二三年", "year"),
    ("6月30日", "date"),
    ("June 30, 2024", "date"),
    ("30 June 2024", "date"),
    ("2024-06-30", "date"),
    ("截至二零二四年六月三十日", "date"),
    ("Q2", "date"),
    ("2Q24", "date"),
    ("H1 2024", "date"),
    ("1H24", "date"),
    ("第二季", "date"),
    ("第二季度", "date"),
    ("前三季度", "date"),
    ("1-6月", "date"),
    ("北斗7号", "name"),
    ("Model 3", "name"),
    ("iPhone 15", "name"),
    ("Aurora 5", "name"),
    ("4G", "name"),
    ("5G", "name"),
    ("GPT-4", "name"),
    ("A100", "name"),
    ("00700.HK", "code"),
    ("HK|01024", "code"),
    ("600519", "code"),
    ("股份代號：700", "code"),
    ("+86 10 1234 5678", "code"),
    ("(852) 2345 6789", "code"),
    ("13812345678", "code"),
    ("第3", "ordinal"),
    ("第一", "ordinal"),
    ("3rd", "ordinal"),
    ("No. 1", "ordinal"),
    ("(2) 营业收入", "ordinal"),
    ("10:30 am", "date"),
    ("iPhone 15 Pro", "name"),
    ("ｉＰｈｏｎｅ １５", "name"),
    ("ＧＰＴ-４", "name"),
]


def test_a_scale_hint_must_be_positive():
    with pytest.raises(ValueError, match="scale must be a positive number"):
        quantities("3,456.7", scale=0)


@pytest.mark.parametrize("text, kind", NOT_FIGURES)
def test_numbers_that_are_not_figures_are_marked(text, kind):
    found = quantities(text)
    assert found, text
    assert {q.kind for q in found} == {kind}
    assert not any(q.is_figure for q in found)


@pytest.mark.parametrize(
    "text",
    [
        "统一标准",
        "一些用户",
        "十分重要",
        "万一出错",
        "一成不变",
        "千万不要",
        "一次性收入",
        "数十家门店",
        "几百万用户",
        "周三开会",
        "you may ask",
    ],
)
def test_words_that_only_look_like_numbers_are_not_numbers(text):
    assert quantities(text) == []


def test_a_sentence_mixes_figures_and_dates():
    text = "2024年上半年，公司收入12.5億元，同比增長15.2％，門店達1,234家。"
    found = [(q.text, q.kind) for q in quantities(text)]
    assert found == [
        ("2024年", "year"),
        ("12.5億元", "amount"),
        ("15.2％", "rate"),
        ("1,234家", "count"),
    ]


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ("12.5亿元", "1,250 million yuan", True),
        ("12.5亿元", "RMB1.25bn", True),
        ("12.5亿元", "12.4亿元", False),
        ("12亿元", "12.3亿元", True),  # 12亿 is only good to half a 亿
        ("14%", "14个百分点", False),  # a percentage is not percentage points
        ("12.5亿元", "12.5亿美元", False),  # another currency
        ("12.5亿", "12.5亿元", True),  # a currency on one side only
        ("三成", "30%", True),
        ("百分之二十", "20%", True),
        ("2024", "2024年", True),  # two years
        ("2024", "2,024", False),  # a year is not a count
    ],
)
def test_same_compares_values_within_the_written_precision(a, b, expected):
    assert same(quantities(a)[0], quantities(b)[0]) is expected


@pytest.mark.parametrize(
    "text, nth, lead",
    [
        ("Sales rose 8% to €48.2 million.", 1, "€48.2 million"),
        ("营收达512.6亿元，同比增长", 0, "512.6亿元"),
        ("revenue of US$1.2 billion", 0, "US$1.2 billion"),
        ("EPS was $0.42 per diluted share.", 0, "$0.42 per diluted share"),
        ("收入為１２.５億元", 0, "１２.５億元"),
        ("毛利率提升2.5个百分点", 0, "2.5个百分点"),
        ("预计增长10-12%", 0, "10-12%"),
        ("预计增长10-12%", 1, "10-12%"),
        ("毛利率10%至12%", 0, "10%"),  # each end has its unit: a change, not a range
        ("from 10 to 12 million users", 0, "10 to 12 million"),
    ],
)
def test_lead_text_keeps_the_unit_and_currency(text, nth, lead):
    q = quantities(text)[nth]
    assert lead_text(q, text) == lead


def test_lead_text_finds_the_figure_in_another_copy_of_the_text():
    q = quantities("营收512.6亿元")[0]
    assert lead_text(q, "据公告，营收512.6亿元。") == "512.6亿元"


@pytest.mark.parametrize(
    "text, lang, rendered",
    [
        ("营收512.6亿元", "en", "51.26 billion yuan"),
        ("两千万元", "en", "20 million yuan"),
        ("增长14.1%", "en", "14.1%"),
        ("提升2.5个百分点", "en", "2.5 percentage points"),
        ("增长1.5倍", "en", "1.5 times"),
        ("门店1,234家", "en", "1,234"),
        ("1.31亿人", "en", "131 million people"),
        ("US$1.2 billion", "zh", "12亿美元"),
        ("€48.2 million", "zh", "4820万欧元"),
        ("2.5 percentage points", "zh", "2.5个百分点"),
    ],
)
def test_convert_renders_a_figure_in_the_other_language(text, lang, rendered):
    assert convert(one(text), lang) == rendered


def test_convert_rejects_an_unknown_language():
    with pytest.raises(ValueError, match="to_lang"):
        convert(one("14%"), "fr")


def test_every_span_is_a_slice_of_the_input():
    text = (
        "截至2024年6月30日止六個月，收入為人民幣3,456.7百萬元（2023年：(12.3)），"
        "Q2 revenue rose 8% to US$1.2 billion; Model 3 sales 5,000 units, 00700.HK."
    )
    for q in quantities(text):
        assert text[q.start : q.end] == q.text


def test_the_examples_in_the_docstrings_hold():
    import doctest

    import bot.numbers

    assert doctest.testmod(bot.numbers).failed == 0


def test_a_lone_point_character_is_no_numeral():
    # 点 on its own (重点, 观点) once emptied the numeral and raised IndexError.
    assert quantities("这是重点。") == [] and quantities("点") == []


def test_a_bare_number_closing_a_quoted_chinese_name_is_part_of_the_name():
    found = quantities("数位控制器「星河7」自今年3月量产以来，已累计出货120万颗。")
    assert [(q.value, q.kind) for q in found if q.is_figure] == [(1200000.0, "count")]
    assert [q.kind for q in quantities("推出大模型“青岚5”")] == ["name"]
    assert [q.kind for q in quantities("排名升至第“3”位")] == ["count"]  # a counter follows
