"""How the eval scores an answer (bot/evaluate.py): what a right answer is."""

from bot.evaluate import Item, _computed_right


def computed(value, unit):
    return Item("x", "en", "q", True, "compute", value=value, unit=unit)


def test_a_computed_result_counts_in_its_unit_and_only_after_the_equals_sign():
    # The result read in its unit: 76 million, 21.9亿 (2.19e9), 人民幣74.6百萬元.
    assert _computed_right(computed(76, "million"), "$262 million − $186 million = 76 million")
    assert _computed_right(computed(21.9, "亿元"), "10.5亿元 + 11.4亿元 = 21.9亿")
    assert _computed_right(computed(74.6, "人民幣百萬元"), "= 人民幣74.6百萬元")
    assert _computed_right(computed(232, "家"), "1,284 − 1,052 = 232")  # a count
    assert _computed_right(computed(1.45, "x"), "45亿元 ÷ 31亿元 = 1.45x")
    # An operand is not the result; a wrong result or a bare operand is wrong.
    assert not _computed_right(computed(9.8, "亿元"), "16.2亿元 − 9.8亿元 = 6.4亿")
    assert not _computed_right(computed(3.6, "pp"), "54.8%")
    # A lead without working counts when it is the value.
    assert _computed_right(computed(3.6, "pp"), "3.6个百分点")
