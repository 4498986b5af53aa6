"""One number grammar for the bot: every number written in a Chinese (simplified or
traditional), English or mixed text, as a :class:`Quantity` with its value in base units,
its unit, currency and span.

Figures (kind "amount", "rate", "count") are what an answer may lead with. Numbers that
are not figures are still returned, marked by kind, so that no caller mistakes them for
one: years ("year"), dates and period names such as Q2, 1H24, 第二季度, 1-6月 ("date"),
digits inside names such as GPT-4, 5G, Model 3, 北斗7号 ("name"), stock codes, phone
numbers and long digit runs ("code"), and ordinals such as 第3, 3rd, (2) ("ordinal").
For these the value is the first number written (a year: the year, FY25 -> 2025) and
carries no unit; :mod:`bot.periods` reads dates and periods as date ranges.

The text is read through :func:`bot.normalize.fold`, so full-width digits, ％ and
traditional characters (億, 萬, 幣) need no rules of their own, and spans index the
original text. Chinese numerals are converted by ``cn2an`` (imported on first use: it
takes about 0.3 s to import).

Deliberately not done: words for numbers beyond small cardinals in English ("a dozen",
"hundreds of"), approximate Chinese amounts (数百万, 几十家) which have no value, the sign
of a change said in words (下降 12% keeps 12: the sign written is the sign read), units
of measure beyond a counter (5 km is a count of 5 with counter "km"), fractions (2/3 is
two counts) and other dollars (S$, A$ read as US dollars). A bare 4-digit number from
1900 to 2099 is a year unless a scale, unit, currency or Chinese classifier follows
(2024亿元, 2024家); a bracketed number is negative only as a table writes it: no
currency, scale or unit, and a decimal point, a separator or three digits ((12.3),
(1,234); "(2)" is a list marker).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from bot.normalize import fold

__all__ = ["Quantity", "convert", "lead_text", "quantities", "same"]

FIGURES = ("amount", "rate", "count")


@dataclass(frozen=True)
class Quantity:
    """A number as written, read into base units.

    value: in base units ("12.5亿元" -> 1.25e9, "14%" -> 14.0, "2.5个百分点" -> 2.5).
    unit: "" | "%" | "pp" (percentage points) | "bp" (basis points) | "x" (倍, times, -fold).
    currency: ISO code ("CNY", "USD", "HKD", "EUR", "GBP", "JPY", "TWD") or "".
    per_share: the amount is per share (每股, "per diluted share").
    counter: the Chinese classifier or English noun right after the number (家, users).
    kind: "amount" | "rate" | "count" (figures) or "year" | "date" | "name" | "code" |
        "ordinal" (numbers that are not figures).
    start, end, text: the span in the input; ``text == input[start:end]``.
    decimals: digits written after the decimal point.
    tolerance: half a unit of the last written digit, in base units ("12.5亿" -> 5e6).
    """

    value: float
    unit: str = ""
    currency: str = ""
    per_share: bool = False
    counter: str = ""
    kind: str = "count"
    start: int = 0
    end: int = 0
    text: str = ""
    decimals: int = 0
    tolerance: float = 0.5

    @property
    def is_figure(self) -> bool:
        """True for amounts, rates and counts: numbers an answer may lead with."""
        return self.kind in FIGURES


# --- general language: scales, units, currencies, classifiers -------------------------

_CN_SCALE = {
    "万亿": 1e12,
    "千亿": 1e11,
    "百亿": 1e10,
    "十亿": 1e9,
    "亿": 1e8,
    "千万": 1e7,
    "百万": 1e6,
    "十万": 1e5,
    "万": 1e4,
    "千": 1e3,
    "百": 1e2,
}
_EN_SCALE = {
    "trillion": 1e12,
    "tn": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "million": 1e6,
    "mn": 1e6,
    "mm": 1e6,
    "m": 1e6,
    "thousand": 1e3,
    "k": 1e3,
}
_SCALE = re.compile(
    r"(万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千(?![克米瓦])|百(?!分))"
    r"|\s*(trillion|billion|million|thousand)\b|\s?(tn|bn|mn)\b|(mm|k|m|b)(?![a-z0-9])"
)
_UNITS = [
    ("pp", re.compile(r"\s*(?:%|percent|per cent)\s*points?\b")),
    ("pp", re.compile(r"\s*个?百分点")),
    ("pp", re.compile(r"\s*(?:percentage|pct\.?)\s*points?\b|\s*ppts?\b|\s*pp\b")),
    ("bp", re.compile(r"\s*个?基点|\s*basis\s*points?\b|\s*bps?\b")),
    ("%", re.compile(r"\s*%|\s*(?:percent|per cent|pct)\b")),
    ("x", re.compile(r"倍|[x×](?![a-z0-9])|\s*times\b|\s*-?\s*fold\b")),
    # 三成 is 30%: only after a small number, and not the start of a word (成本, 成为).
    ("成", re.compile(r"成(?!本|员|为|功|立|交|绩|熟|长|果|就|都|型|品|效|年|不变|分|的)")),
]
_CURRENCY_WORDS = {
    "人民币": "CNY",
    "元": "CNY",
    "块": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "yuan": "CNY",
    "renminbi": "CNY",
    "¥": "CNY",
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "美元": "USD",
    "us dollar": "USD",
    "us dollars": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "hk$": "HKD",
    "hkd": "HKD",
    "港元": "HKD",
    "港币": "HKD",
    "hk dollar": "HKD",
    "hk dollars": "HKD",
    "€": "EUR",
    "eur": "EUR",
    "欧元": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "英镑": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "jpy": "JPY",
    "日元": "JPY",
    "yen": "JPY",
    "nt$": "TWD",
    "twd": "TWD",
    "新台币": "TWD",
    "台币": "TWD",
}
_CUR_BEFORE = re.compile(
    r"(?:(?<![a-z])(us\$|hk\$|nt\$|rmb|cny|usd|hkd|eur|gbp|jpy|twd)|(人民币|美元|港币|港元|欧元"
    r"|英镑|日元|新台币)|([$¥€£]))\s*$"
)
_CUR_AFTER = re.compile(
    r"(美元|港元|港币|日元|欧元|英镑|新台币|台币|人民币|元|块(?!钱?的))"
    r"|\s*(yuan|renminbi|rmb|cny|usd|hkd|eur|gbp|jpy|twd|us dollars?|hk dollars?|dollars?"
    r"|euros?|pounds?|yen)\b"
)
_PER_SHARE_AFTER = re.compile(
    r"\s*(?:(?:per|a|/)\s*(?:basic\s+|diluted\s+)?(?:ordinary\s+|class\s+[ab]\s+)?"
    r"(?:share|ads|adr)s?\b|/股|每股)"
)
_PER_SHARE_BEFORE = re.compile(
    r"每股|per\s+(?:basic\s+|diluted\s+)?(?:ordinary\s+)?(?:share|ads|adr)|\beps\b"
)
PER_SHARE = _PER_SHARE_BEFORE  # a question or label about one share (每股, EPS, per share)
# A comma or colon between two digits is part of a figure (268,000; 10:30), not the end
# of a clause: every clause split of a sentence uses this.
COMMA = r"(?:(?<!\d)[,:]|[,:](?!\d))"
_CLAUSE_END = re.compile(rf"[，;；。!?\n]|{COMMA}|\.\s")
_CN_COUNTER = re.compile(
    r"[多余]?(个月|平方米|平方公里|公里|公斤|千克|小时|分钟|[个人家次款项名位座台辆件种份所间条只张"
    r"部户单笔架艘栋套枚颗本篇首场届批块吨天周岁年城国股])"
)
_EN_COUNTER = re.compile(r"\s+(?:new\s+|more\s+|additional\s+|active\s+)?([a-z][a-z-]+)")
_EN_NOT_COUNTER = set(
    """a an the and or of in on at to for from by with as than that which who whom whose
    is are was were be been being has have had will would could should may might can
    year-on-year yoy compared versus vs over under up down rise rose increase decrease
    fell fall year years month months quarter quarters day days week weeks ended ending
    respectively approximately about around nearly almost while when where if into
    per each this these those it its their our we they he she after before since until
    during through while also only just more less higher lower""".split()
)
_EN_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_EN_WORDS.update(
    {
        w: 10 * (i + 2)
        for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())
    }
)

# --- numbers that are not figures ---------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_CN_D = r"[〇零一二三四五六七八九]"
_CN_MONTH = r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])"
_CN_DAY = r"(?:\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_YEAR = r"(?:19|20)\d{2}"
# Order matters: a longer form claims its span before a shorter one inside it.
_NOT_FIGURES: list[tuple[str, re.Pattern]] = [
    (
        "code",
        re.compile(
            r"(?<![\w.])\d{3,6}\.(?:hk|sh|sz|ss|bj|tw|us|n|o)\b"
            r"|\b(?:hk|sh|sz|hkex|sehk|nyse|nasdaq)\s*[|:]\s*\d{1,6}(?!\d)"
            r"|(?:股份代号|股票代码|证券代码|股份代码|stock code)\s*[::]?\s*\d{1,6}(?!\d)"
        ),
    ),
    (
        "code",
        re.compile(
            r"(?<![\w.])(?:\+\d{1,3}[ -]?\(?\d{1,4}\)?[ -]?\d{3,4}[ -]?\d{4}"
            r"|\(\d{2,4}\)\s?\d{3,4}[ -]?\d{4}|\d{3,4}-\d{7,8}|\d{3}-\d{3}-\d{4}"
            r"|1[3-9]\d{9})(?![\d.])"
        ),
    ),
    ("date", re.compile(r"(?<![\d.:])\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\b\.?)?(?![\d:])")),
    (
        "date",
        re.compile(
            rf"(?<![\d.])(?:{_YEAR}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])"
            rf"|(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|1[0-2])/{_YEAR})(?![\d.])"
        ),
    ),
    (
        "date",
        re.compile(
            rf"(?:(?:{_YEAR}|{_CN_D}{{4}})\s*年\s*)?(?:{_CN_MONTH}\s*(?:-|~|至|到)\s*)?"
            rf"{_CN_MONTH}\s*月(?:份)?(?:\s*{_CN_DAY}\s*[日号])?"
        ),
    ),
    (
        "date",
        re.compile(
            rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s*{_YEAR}(?!\d))?"
            rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\b(?:,?\s*{_YEAR}(?!\d))?"
            rf"|\b{_MONTH}\s+{_YEAR}(?!\d)"
        ),
    ),
    # Period names: Q2, 2Q24, Q2 2024, H1, 1H24, 第二季度, 前三季度, six months ended.
    (
        "date",
        re.compile(
            r"(?<![a-z0-9])(?:q[1-4]|[1-4]q|h[12]|[12]h)"
            rf"(?:\s*'?fy\s*'?(?:{_YEAR}|\d{{2}})|\s*{_YEAR}|'?\d{{2}})?(?![\da-z])"
            r"|(?:第|前)?[一二三四1-4]\s*季度?"
            r"|(?:止|前|首)(?:\d{1,2}|十二|[一二三四五六七八九])\s*个月"
            r"|\b(?:\d{1,2}|three|six|nine|twelve)[- ]months?(?=\s+end)"
        ),
    ),
    (
        "year",
        re.compile(
            rf"(?<![a-z0-9])(?:fy|fiscal(?:\s+year)?)\s*'?(?:{_YEAR}|\d{{2}})(?!\d)"
            rf"|(?<![\d.,]){_YEAR}\s*/\s*(?:\d{{2}}|{_YEAR})(?!\d)(?:\s*财年)?"
            rf"|{_CN_D}{{4}}\s*年(?:度)?"
        ),
    ),
    (
        "ordinal",
        re.compile(
            r"第\s*(?:\d+|[零一二两三四五六七八九十百千]+)"
            r"|\b\d+(?:st|nd|rd|th)\b|\bno\.\s*\d+\b"
        ),
    ),
    ("name", re.compile(r"(?<![\d.])\d+(?:\.\d+)?\s*(?:号(?!码)|型|代(?!表|码))")),
]
# Each starts with one of these characters: checking that first skips most positions
# (about twice as fast on a long text).
_NOT_FIGURES = [
    (kind, re.compile(r"(?=[\d〇零一二两三四五六七八九十a-z+(第止前首股证])(?:" + p.pattern + ")"))
    for kind, p in _NOT_FIGURES
]

_ARABIC = re.compile(r"(?<![\d.])([-−]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\d])")
_CN_NUM = re.compile(r"[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟点]+")
_CN_DIGIT = re.compile(r"[零〇一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾]")
_CN_APPROX = re.compile(r"(?:超过|超|近|逾|约|达|破|过|上)$")
_EN_NUM = re.compile(
    r"\b(" + "|".join(sorted(_EN_WORDS, key=len, reverse=True)) + r")(?:-(one|two|three|four"
    r"|five|six|seven|eight|nine))?\b"
    # "a million": one of a scale, said with the article
    r"|\b(an?)(?=\s+(?:hundred|thousand|million|billion|trillion)\b)"
)
_MEASURE = re.compile(r"(?:km|kg|kwh|mwh|gwh|twh|kw|mw|gw|gb|tb|mb|ghz|mhz|nm|sqm|m2|m3)(?![a-z])")
_RANGE = re.compile(r"\s*(?:-|–|—|~|～|至|到|to)\s*")
_LATIN_BEFORE = re.compile(r"[a-z]+-?$")
# A product-like word before a number: Model 3, iPhone 15 (not an acronym: GMV 500).
# (Glued to Chinese too: 上一代Corvo 3, where no word boundary stands before Corvo.)
_CAP_WORD_BEFORE = re.compile(r"(?<![A-Za-z])([A-Z][a-z][A-Za-z]*|[a-z]+[A-Z][A-Za-z]*)\s+$")
_CAP_NOT_NAME = set(
    """About Around Over Under Nearly Almost Approximately Some Only Just More Less Up In
    On By At To From Of And Or The A An Total Top First Last Next Since Until With For As
    Than To Into Per Each Every All Both Another Were Was Are Is Be Rose Fell Grew Reached
    Increased Decreased Down Between Among Some Of Than Our Its Their Approx Exceeding""".split()
)


@dataclass
class _Raw:
    start: int
    end: int
    value: float
    decimals: int
    tolerance: float
    scale: float = 1.0
    unit: str = ""
    currency: str = ""
    per_share: bool = False
    counter: str = ""
    kind: str = ""
    separators: bool = False
    digits: str = ""


def quantities(text: str, scale: float | None = None) -> list[Quantity]:
    """Every number in ``text``, figures and not, in order of position.

    ``scale`` is a hint for table lines whose header gives the scale (人民幣百萬元,
    "in millions": pass 1e6): it multiplies figures written with no scale or unit.

    >>> [(q.value, q.unit, q.currency, q.kind) for q in quantities("收入12.5億元,增長40％")]
    [(1250000000.0, '', 'CNY', 'amount'), (40.0, '%', '', 'rate')]
    """
    if scale is not None and not scale > 0:
        raise ValueError(f"scale must be a positive number such as 1e6, not {scale!r}")
    return list(_quantities(text, scale))


@lru_cache(maxsize=4096)
def _quantities(text: str, scale: float | None) -> tuple[Quantity, ...]:
    # Cached: the answer step reads the same sentences again (lead_text, checks).
    if not text:
        return ()
    # A full-width comma separates clauses, never thousands: keep it out of numbers.
    f = fold(text.replace("，", "\0")).replace("\0", "，")
    taken = [False] * (len(f) + 1)
    out: list[_Raw] = []
    for kind, pattern in _NOT_FIGURES:
        for m in pattern.finditer(f):
            if not re.search(r"[\d〇零一二两三四五六七八九十]", m.group(0)):
                continue
            if any(taken[m.start() : m.end()]):
                continue
            out.append(_not_figure(kind, m))
            taken[m.start() : m.end()] = [True] * (m.end() - m.start())
    for raw in _cores(f, taken):
        _read_context(raw, f)
        if any(taken[raw.start : raw.end]):
            continue
        taken[raw.start : raw.end] = [True] * (raw.end - raw.start)
        out.append(raw)
    out.sort(key=lambda r: r.start)
    _share_ranges(out, f)
    result = []
    for r in out:
        if not r.kind:
            r.kind = _figure_kind(r, text, f)
        if scale and r.kind in FIGURES and r.scale == 1.0 and r.unit == "":
            r.scale = scale
        result.append(
            Quantity(
                value=r.value * r.scale if r.kind in FIGURES else r.value,
                unit=r.unit,
                currency=r.currency,
                per_share=r.per_share,
                counter=r.counter,
                kind=r.kind,
                start=r.start,
                end=r.end,
                text=text[r.start : r.end],
                decimals=r.decimals,
                tolerance=r.tolerance * r.scale if r.kind in FIGURES else 0.5,
            )
        )
    return tuple(result)


def _not_figure(kind: str, m: re.Match) -> _Raw:
    numbers = _written_numbers(m.group(0))
    value = numbers[0] if numbers else 0.0
    if kind == "year":
        year = next((n for n in numbers if 1900 <= n < 2100), None)
        value = year if year else 2000.0 + value % 100  # FY25
    return _Raw(m.start(), m.end(), value, 0, 0.5, kind=kind)


def _written_numbers(s: str) -> list[float]:
    """The numbers in a short span, Arabic or Chinese (二零二四 -> 2024)."""
    out = []
    for m in re.finditer(r"\d+|[〇零一二两三四五六七八九十]+", s):
        v = float(m.group(0)) if m.group(0).isdigit() else _cn_value(m.group(0))
        if v is not None:
            out.append(v)
    return out


def _cores(f: str, taken: list[bool]):
    """Numbers not yet claimed: Arabic, Chinese numerals and small English words."""
    for m in _ARABIC.finditer(f):
        if taken[m.start()]:
            continue
        sign, whole, frac = m.group(1), m.group(2), m.group(3) or ""
        start = m.start()
        if sign and start > 0 and re.match(r"[0-9a-z]", f[start - 1]):
            start += 1  # 10-12: a range, not minus twelve
            sign = ""
        value = float(whole.replace(",", "") + ("." + frac if frac else ""))
        if sign:
            value = -value
        yield _Raw(
            start,
            m.end(),
            value,
            len(frac),
            0.5 * 10 ** -len(frac),
            separators="," in whole,
            digits=whole + ("." + frac if frac else ""),
        )
    for m in _CN_NUM.finditer(f):
        raw = _cn_core(f, m, taken)
        if raw:
            yield raw
    for m in _EN_NUM.finditer(f):
        if taken[m.start()]:
            continue
        if m.group(3):
            value = 1
        else:
            value = _EN_WORDS[m.group(1)] + (_EN_WORDS[m.group(2)] if m.group(2) else 0)
        after = f[m.end() : m.end() + 24]
        if re.match(
            r"\s*-?\s*(?:fold|times|percent|per cent|%|percentage|basis|trillion"
            r"|billion|million|thousand)\b",
            after,
        ):
            yield _Raw(m.start(), m.end(), float(value), 0, _trailing_tolerance(value))


def _cn_core(f: str, m: re.Match, taken: list[bool]) -> _Raw | None:
    s, start = m.group(0), m.start()
    if taken[start]:
        return None
    # Strip what cannot end a numeral (点), and words that only look like numbers.
    while s and s[-1] == "点":
        s = s[:-1]
    if not s:
        return None  # only 点: no numeral at all
    before = f[max(0, start - 3) : start]
    if before.endswith(("第", "星期", "周")):
        return None  # an ordinal or a weekday
    if before.endswith(("几", "数")) and s[0] in "十百千万亿":
        return None  # 数十家, 几百万: no value
    # 超百万: a scale with no digit before it counts one of it, after words of degree only.
    implicit_one = s[0] in "百千万亿" and bool(_CN_APPROX.search(before))
    if s[0] == "点" or not (implicit_one or _CN_DIGIT.search(s)):
        return None
    if s[0] in "百千万亿" and not implicit_one:
        return None
    end = start + len(s)
    after = f[end : end + 4]
    prefix_pct = before.endswith("百分之")
    # A numeral is a figure only when a unit, scale or counter says so: 一些, 统一, 十分
    # and 万一 are words.
    if not prefix_pct and not (
        _CN_COUNTER.match(after)
        or _CUR_AFTER.match(after)
        or re.match(r"个?百分点|个?基点|倍|成|%", after)
        or s[-1] in "万亿"
    ):
        return None
    if s == "一" and not (prefix_pct or re.match(r"[倍成次]|个?百分点|元", after)):
        return None  # 一个, 一家: an article more often than a count
    if re.match(r"成不变|次性|[一二三四五六七八九十]", after):
        return None
    value = _cn_value(("一" + s) if implicit_one else s)
    if value is None:
        return None
    fraction = re.search(r"点([^万亿]*)", s)
    raw = _Raw(
        start, end, value, len(fraction.group(1)) if fraction else 0, _trailing_tolerance(value)
    )
    if prefix_pct:
        raw.start -= 3
        raw.unit = "%"
    return raw


def warm() -> None:
    """Import cn2an now (half a second) instead of on the first Chinese numeral."""
    _cn_value("三百")


@cache
def _cn_value(s: str) -> float | None:
    import cn2an  # slow to import: only when a text has a Chinese numeral

    try:
        return float(cn2an.cn2an(s, "smart"))
    except (ValueError, KeyError, IndexError):
        pass
    # cn2an reads 三点五 but not 三点五亿: read the scale ourselves.
    m = re.fullmatch(r"(.+?)(万亿|亿|万)", s)
    if m and "点" in m.group(1):
        head = _cn_value(m.group(1))
        return None if head is None else head * _CN_SCALE[m.group(2)]
    return None


def _trailing_tolerance(value: float) -> float:
    """Half the place value of the last non-zero digit of a number written in words."""
    if value == 0:
        return 0.5
    place = 1.0
    v = abs(value)
    while v >= place * 10 and math.isclose(v % (place * 10), 0, abs_tol=1e-6 * place):
        place *= 10
    if v != int(v):
        place = 10 ** -len(repr(v).split(".")[1])
    return place / 2


def _read_context(r: _Raw, f: str) -> None:
    """Widen a number to its currency, scale, unit, per-share phrase and classifier."""
    pos = r.end
    m = _SCALE.match(f, pos)
    if m and r.unit != "%":
        word = next(g for g in m.groups() if g)
        r.scale = _CN_SCALE.get(word) or _EN_SCALE[word]
        pos = m.end()
    if not r.unit:
        for unit, pattern in _UNITS:
            m = pattern.match(f, pos)
            if m:
                if unit == "成":
                    if r.scale != 1.0 or not 0 < r.value <= 10:
                        continue
                    r.value *= 10
                    r.tolerance *= 10
                    unit = "%"
                r.unit = unit
                pos = m.end()
                break
    m = _CUR_BEFORE.search(f, max(0, r.start - 10), r.start)
    if m:
        r.currency = _CURRENCY_WORDS[next(g for g in m.groups() if g)]
        r.start = m.start()
    if not r.unit:
        m = _CUR_AFTER.match(f, pos)
        if m:
            r.currency = r.currency or _CURRENCY_WORDS[next(g for g in m.groups() if g)]
            pos = m.end()
    m = _PER_SHARE_AFTER.match(f, pos)
    if m and not r.unit:
        r.per_share = True
        pos = m.end()
    elif not r.unit and (r.currency or r.decimals):
        clause = _CLAUSE_END.split(f[max(0, r.start - 40) : r.start])[-1]
        r.per_share = bool(_PER_SHARE_BEFORE.search(clause))
    if not r.unit and not r.currency:
        m = _CN_COUNTER.match(f, pos)
        if m:
            r.counter = m.group(1)
            pos = m.end()
        else:
            m = _EN_COUNTER.match(f, pos)
            if m and m.group(1) not in _EN_NOT_COUNTER and m.group(1) not in _EN_SCALE:
                r.counter = m.group(1)
    # A negative figure in a table: (12.3); "(US$1.2 billion)" is an aside, not a sign.
    if (
        r.start > 0
        and not r.currency
        and not r.unit
        and r.scale == 1.0
        and f[r.start - 1] == "("
        and f[pos : pos + 1] == ")"
        and r.value > 0
        and (r.decimals or r.separators or r.value >= 100)
    ):
        r.start -= 1
        pos += 1
        r.value = -r.value
    r.end = pos


def _share_ranges(out: list[_Raw], f: str) -> None:
    """10-12% is two rates, 10至12亿元 two amounts: the first takes the second's unit."""
    for a, b in zip(out, out[1:]):
        if a.kind or b.kind or a.unit or a.currency or a.scale != 1.0 or a.counter:
            continue
        if not _RANGE.fullmatch(f, a.end, b.start):
            continue
        a.unit = b.unit
        a.currency = a.currency or b.currency
        a.scale = b.scale
        a.counter = b.counter
        a.per_share = b.per_share


def _figure_kind(r: _Raw, text: str, f: str) -> str:
    if r.currency or r.per_share:
        return "amount"
    if r.unit:
        return "rate"
    digits = r.digits
    # Only a bare integer (no scale, decimals or separators; no Chinese classifier but 年)
    # can be a year, a code or part of a name: 2024 stores is a year, 2024家 a count.
    cn_counter = bool(r.counter) and not r.counter.isascii() and r.counter != "年"
    if not digits or r.scale != 1.0 or r.decimals or r.separators or cn_counter:
        return "count"
    if len(digits) == 4 and 1900 <= r.value <= 2099:
        r.counter = ""
        return "year"
    if not r.counter and (len(digits) >= 6 or (digits[0] == "0" and len(digits) >= 4)):
        return "code"
    glued = _LATIN_BEFORE.search(f, max(0, r.start - 30), r.start)
    if glued:
        r.counter = ""
        return "name"  # GPT-4, A100
    if re.match(r"[a-z]", f[r.end : r.end + 1]):
        m = _MEASURE.match(f, r.end)
        if m:
            r.counter = m.group(0)
            r.end = m.end()
            return "count"
        return "name"  # 5G, 3D
    # Case is lost in the folded text: read the original, full-width letters made plain.
    m = _CAP_WORD_BEFORE.search(unicodedata.normalize("NFKC", text[max(0, r.start - 30) : r.start]))
    if m and m.group(1) not in _CAP_NOT_NAME and not _CURRENCY_WORDS.get(m.group(1).lower()):
        r.counter = ""
        return "name"  # Model 3, iPhone 15 Pro
    if f[r.start - 1 : r.start] == "(" and f[r.end : r.end + 1] == ")" and r.value < 100:
        return "ordinal"  # a list marker: (2)
    if (
        not r.counter
        and _CJK_BEFORE.match(f[r.start - 1 : r.start])
        and f[r.end : r.end + 1] in _CLOSING_QUOTES
    ):
        return "name"  # 「极光9」, “鲸语9”: a bare number closing a quoted name
    return "count"


_CJK_BEFORE = re.compile(r"[\u4e00-\u9fff]")
_CLOSING_QUOTES = set("」』”\"》〉’'")


def same(a: Quantity, b: Quantity) -> bool:
    """True when ``a`` and ``b`` are the same figure: equal within the coarser tolerance,
    the same unit (a percentage is not percentage points), the same currency when both
    name one, and both figures or both of the same non-figure kind.

    >>> same(quantities("12.5億元")[0], quantities("1,250 million yuan")[0])
    True
    """
    if a.is_figure != b.is_figure or (not a.is_figure and a.kind != b.kind):
        return False
    if a.unit != b.unit:
        return False
    if a.currency and b.currency and a.currency != b.currency:
        return False
    tol = max(a.tolerance, b.tolerance) + 1e-9 * max(abs(a.value), abs(b.value))
    return abs(a.value - b.value) <= tol


def lead_text(q: Quantity, source_text: str) -> str:
    """The figure as an answer should lead with it: the words written in ``source_text``
    with the currency, scale and unit around the number, and both ends of a range.

    ``q`` is a quantity found in ``source_text`` (or whose text occurs in it).

    >>> text = "Sales rose 8% to €48.2 million."
    >>> lead_text(quantities(text)[1], text)
    '€48.2 million'
    """
    start, end = q.start, q.end
    if source_text[start:end] != q.text:
        start = source_text.find(q.text)
        if start < 0:
            return q.text
        end = start + len(q.text)
    found = {(x.start, x.end): x for x in quantities(source_text)}
    spans = sorted(found)
    i = next((k for k, s in enumerate(spans) if s[0] <= start < s[1]), None)
    if i is None:
        return source_text[start:end]
    start, end = spans[i]
    f = fold(source_text)
    # Both ends of a range whose unit is written once: 10-12%, 10 to 12 million. (In
    # "10%至12%" each end has its own unit: more likely a change from one to the other.)
    if i + 1 < len(spans) and _shares_unit(spans[i], spans[i + 1], f, found):
        end = spans[i + 1][1]
    if i > 0 and _shares_unit(spans[i - 1], spans[i], f, found):
        start = spans[i - 1][0]
    return source_text[start:end].strip()


def _shares_unit(a: tuple[int, int], b: tuple[int, int], f: str, found) -> bool:
    """A range whose unit is written once, after its second end."""
    return (
        bool(_RANGE.fullmatch(f, a[1], b[0]))
        and found[a].kind == found[b].kind
        and f[a[1] - 1].isdigit()
        and not f[b[1] - 1].isdigit()
    )


_EN_CURRENCY = {
    "CNY": ("", " yuan"),
    "USD": ("US$", ""),
    "HKD": ("HK$", ""),
    "EUR": ("€", ""),
    "GBP": ("£", ""),
    "JPY": ("", " yen"),
    "TWD": ("NT$", ""),
}
_ZH_CURRENCY = {
    "CNY": "元",
    "USD": "美元",
    "HKD": "港元",
    "EUR": "欧元",
    "GBP": "英镑",
    "JPY": "日元",
    "TWD": "新台币",
}
_EN_COUNTERS = {"人": "people", "次": "times", "家": "", "个": "", "款": "", "名": "people"}


def convert(q: Quantity, to_lang: str) -> str:
    """A figure written in the other language, at the precision it was written.

    >>> convert(quantities("营收512.6亿元")[0], "en")
    '51.26 billion yuan'
    >>> convert(quantities("US$1.2 billion")[0], "zh")
    '12亿美元'
    """
    if to_lang not in ("en", "zh"):
        raise ValueError(f"to_lang must be 'en' or 'zh', not {to_lang!r}")
    if not q.is_figure:
        return q.text
    if q.unit:
        return _render_unit(q, to_lang)
    if to_lang == "en":
        scales = [(1e12, " trillion"), (1e9, " billion"), (1e6, " million")]
    else:
        scales = [(1e12, "万亿"), (1e8, "亿"), (1e4, "万")]
    word, size = "", 1.0
    for size_, word_ in scales:
        if abs(q.value) >= size_:
            word, size = word_, size_
            break
    number = _digits(q.value / size, q.tolerance / size, grouped=to_lang == "en")
    if to_lang == "en":
        before, after = _EN_CURRENCY.get(q.currency, ("", ""))
        counter = _EN_COUNTERS.get(q.counter, q.counter if q.counter.isascii() else "")
        sign = "-" if number.startswith("-") else ""
        text = f"{sign}{before}{number.lstrip('-')}{word}{after}"
        if q.per_share:
            text += " per share"
        return f"{text} {counter}".strip()
    text = f"{number}{word}{_ZH_CURRENCY.get(q.currency, '')}"
    return ("每股" + text) if q.per_share else text


def _render_unit(q: Quantity, to_lang: str) -> str:
    number = _digits(q.value, q.tolerance)
    if to_lang == "en":
        return {
            "%": f"{number}%",
            "pp": f"{number} percentage points",
            "bp": f"{number} basis points",
            "x": f"{number} times",
        }[q.unit]
    return {
        "%": f"{number}%",
        "pp": f"{number}个百分点",
        "bp": f"{number}个基点",
        "x": f"{number}倍",
    }[q.unit]


def _digits(value: float, tolerance: float, grouped: bool = False) -> str:
    """``value`` with as many decimals as its tolerance allows (no more); ``grouped``
    writes thousands separators (1,234)."""
    step = 2 * tolerance
    places = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    text = f"{value:{',' if grouped else ''}.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
