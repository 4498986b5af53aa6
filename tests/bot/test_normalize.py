import time

import pytest

from bot.normalize import fold, script, to_simplified, to_traditional


@pytest.mark.parametrize(
    "text, folded",
    [
        ("１２.５億元", "12.5亿元"),  # full-width digits, traditional scale word
        ("增長４０％（同比）", "增长40%(同比)"),
        ("ＡＢＣ Revenue", "abc revenue"),
        ("營業收入為人民幣", "营业收入为人民币"),
        ("乾燥的頭髮", "干燥的头发"),  # phrase level: 乾 -> 干 here ...
        ("乾隆年間", "乾隆年间"),  # ... but not in a name
        ("臺灣與香港", "台湾与香港"),
        ("plain ascii 123", "plain ascii 123"),
    ],
)
def test_fold_gives_one_spelling(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    "text",
    [
        "收入…增长",  # NFKC would make "..." (three characters): kept
        "面積100㎡",  # NFKC would make "m2": kept
        "Straße İstanbul ½",  # lower() or NFKC would lengthen these: kept
        "二噁英 𠀋 😀 ﬁ",  # rare and supplementary characters
        "截至二零二四年六月三十日止六個月",
    ],
)
def test_fold_keeps_the_length_so_offsets_stay_valid(text):
    folded = fold(text)
    assert len(folded) == len(text)


def test_a_match_in_the_folded_text_is_a_slice_of_the_original():
    text = "本集團於截至六月三十日止六個月的收入為１２.５億元。"
    i = fold(text).index("收入为12.5亿元")
    assert text[i : i + len("收入为12.5亿元")] == "收入為１２.５億元"


def test_fold_is_fast_on_a_long_report():
    sentence = "截至六月三十日止六個月，本集團收入為人民幣３,４５６.７百萬元。Revenue ROSE 5%. "
    text = (sentence * 1000)[:30_000]
    fold(text)  # the converter is built once
    best = min(_seconds(fold, text) for _ in range(3))
    assert best < 0.05, f"fold took {best * 1000:.1f} ms on 30,000 characters"


def _seconds(fn, arg) -> float:
    t = time.perf_counter()
    fn(arg)
    return time.perf_counter() - t


def test_conversions_between_scripts_work_by_phrase():
    assert to_simplified("頭髮與發展") == "头发与发展"
    assert to_traditional("头发与发展") == "頭髮與發展"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("營業收入同比增長", "hant"),
        ("营业收入同比增长", "hans"),
        ("收入 revenue", ""),  # only characters both scripts share
        ("revenue grew", ""),
        ("", ""),
    ],
)
def test_script_tells_which_chinese_script_a_text_uses(text, expected):
    assert script(text) == expected


def test_the_examples_in_the_docstrings_hold():
    import doctest

    import bot.normalize

    assert doctest.testmod(bot.normalize).failed == 0
