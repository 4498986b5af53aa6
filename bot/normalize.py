"""Text normalisation that keeps offsets: one spelling for full-width and half-width
characters, traditional and simplified Chinese, upper and lower case.

:func:`fold` returns a string of the same length as its input, so a match found in the
folded text is a valid slice of the original: quotes stay exact. It runs on every sentence
of a report at indexing and on every question, so it is one ``str.translate`` with a cached
table plus one OpenCC call: 3-13 ms on 30,000 characters of Chinese, under 1 ms on English
(2 cores; tests/bot/test_normalize.py holds it under 50 ms).

Traditional to simplified uses OpenCC's own dictionaries through the official ``opencc``
package (1.4.x): it ships a compiled wheel with the dictionaries inside (no network, no
system library), converts phrase by phrase (乾燥 -> 干燥 but 乾隆 stays), and converts
30,000 characters in 2-10 ms. The pure-Python ports also install here but are slower on the
same 30,000 characters of traditional text: ``opencc-purepy`` 44 ms and
``opencc-python-reimplemented`` 340 ms against 3 ms; the latter also installs under the
import name ``opencc``, so it cannot sit beside the official package.

Deliberately not done: word segmentation, removing spaces or punctuation (that would move
offsets), Chinese numerals (bot.numbers reads them), and variant forms that OpenCC's t2s
keeps (Taiwan or Hong Kong phrasing: 软件 vs 軟體 is a vocabulary choice, not a script).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

__all__ = ["cjk_pairs", "fold", "script", "to_simplified", "to_traditional", "warm"]


@cache
def _converter(config: str):
    # Import here: importing bot.normalize must stay cheap for code that never folds.
    import opencc

    return opencc.OpenCC(config)


class _FoldTable(dict):
    """Code point -> folded character, computed on first sight (str.translate consults
    ``__missing__``), so the table holds only characters that were actually seen."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        nfkc = unicodedata.normalize("NFKC", ch)
        if len(nfkc) == 1:
            ch = nfkc
        low = ch.lower()
        if len(low) == 1:
            ch = low
        self[code] = ch
        return ch


_TABLE = _FoldTable()
# Runs of Han characters: a length-changing phrase is converted again only within its run.
_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def fold(text: str) -> str:
    """``text`` with one spelling per character, of the same length.

    Per character: NFKC when it yields one character (full-width digits and letters,
    ％, （）), traditional to simplified Chinese (phrase-level where that keeps the
    length, else character by character), then lower case.

    >>> fold("收入１２.５億元，增長４０％（ABC）")
    '收入12.5亿元,增长40%(abc)'
    """
    folded = text.translate(_TABLE)
    if not _HAN.search(folded):
        return folded
    simple = _converter("t2s").convert(folded)
    if len(simple) == len(folded):
        return simple
    return _HAN_RUN.sub(_t2s_same_length, folded)


def cjk_pairs(text: str) -> set[str]:
    """Pairs of adjacent Chinese characters (营收 of 营收为): a Chinese text's words
    without a word cut."""
    runs = re.findall(r"[\u4e00-\u9fff]+", text)
    return {run[i : i + 2] for run in runs for i in range(len(run) - 1)}


def warm() -> None:
    """Load OpenCC's converter now, before the first Chinese text is folded."""
    _converter("t2s")


def _t2s_same_length(m: re.Match) -> str:
    run = m.group(0)
    convert = _converter("t2s").convert
    simple = convert(run)
    if len(simple) == len(run):
        return simple
    out = []
    for ch in run:
        c = convert(ch)
        out.append(c if len(c) == 1 else ch)
    return "".join(out)


def to_simplified(text: str) -> str:
    """Traditional to simplified Chinese, phrase by phrase (the length may change).

    >>> to_simplified("臺灣的頭髮")
    '台湾的头发'
    """
    return _converter("t2s").convert(text)


def to_traditional(text: str) -> str:
    """Simplified to traditional Chinese, phrase by phrase (the length may change).

    >>> to_traditional("头发与发展")
    '頭髮與發展'
    """
    return _converter("s2t").convert(text)


def script(text: str) -> str:
    """Which Chinese script ``text`` is written in: "hant", "hans", or "" when it has no
    character that only one of them uses (no Chinese, or only shared characters).

    >>> script("營業收入"), script("营业收入"), script("收入 revenue")
    ('hant', 'hans', '')
    """
    if not _HAN.search(text):
        return ""
    # Count characters each conversion changes: a traditional text has many that t2s
    # changes and few that s2t would (a simplified one the reverse).
    trad = _changed(text, to_simplified(text))
    simp = _changed(text, to_traditional(text))
    if trad > simp:
        return "hant"
    if simp > trad:
        return "hans"
    return ""


def _changed(a: str, b: str) -> int:
    return abs(len(a) - len(b)) + sum(x != y for x, y in zip(a, b))
