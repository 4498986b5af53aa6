"""Time periods named in a question and in its evidence, read as date ranges: years,
fiscal years, halves, quarters, nine months, months and days; plus the base of a change
(year on year, or on the period before) and what a figure is counted per (a day, a month).

A question about "Q3" answered by a sentence about the second quarter is a near miss, not
an answer. :func:`find_periods` reads every spelling of a period into a :class:`Period`
with its range, so Q2, 二季度, 第2季, "June quarter", 4月至6月 and "three months ended
June 30" are one span, and :func:`conflict_ranges` compares spans, not words.

A period whose year is not written (Q2, 上半年, 6月) has ``start`` and ``end`` None; its
``first`` and ``last`` (month, day) pairs still say which part of a year it covers, and it
matches that part of any year. A year named alone ("2024", 去年) is ``bare``: it sets the
year a text talks about, so any span within it answers it; "full year 2024", 全年 and
"year ended December 31" are the whole year only.

:func:`periods`, :func:`asked` and :func:`conflict` are the older interface (periods by
kind as strings), now read from the same ranges. General calendar language in Chinese and
English; nothing about any report.

Deliberately not done: weeks, seasons (四季 are not quarters), dates with no month
(the 30th), and periods spanning several years (2022-2024 gives two years).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache, partial

from bot.normalize import fold
from bot.numbers import quantities

__all__ = [
    "Period",
    "asked",
    "bases",
    "conflict",
    "conflict_ranges",
    "counted_per",
    "find_periods",
    "overlap",
    "periods",
    "same_span",
]


@dataclass(frozen=True)
class Period:
    """A span of time named in a text.

    start, end: first and last day, or None when the year is not written.
    kind: "year" | "fiscal_year" | "half" | "quarter" | "nine_months" | "ytd" | "month"
        | "day" (a run of months that is none of these, such as 2-4月, is "month").
    fiscal: named as a fiscal period (FY25, 2025财年, Q2 FY25).
    text, start_char, end_char: the words that name it, and where.
    first, last: (month, day) of the first and last day, also when the year is unknown.
    bare: a year named alone (2024, 去年): any span within it answers it.
    base: named as the base of a comparison (去年同期, "the same period last year"): the
        text's figures are not about it.
    """

    start: date | None
    end: date | None
    kind: str
    fiscal: bool = False
    text: str = ""
    start_char: int = 0
    end_char: int = 0
    first: tuple[int, int] = (1, 1)
    last: tuple[int, int] = (12, 31)
    bare: bool = False
    base: bool = False

    @property
    def year(self) -> int | None:
        """The year the period ends in (a fiscal year is named by it), or None."""
        return self.end.year if self.end else None


# --- general calendar words ---------------------------------------------------------------

_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_EN_N = {"three": 3, "six": 6, "nine": 9, "twelve": 12}
_YEAR = r"(?:19|20)\d{2}"
_CN_YEAR = r"[〇零一二三四五六七八九]{4}"
_N = r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九]|[一二三]?十[一二三四五六七八九]?)"
_ZH_DATE = rf"(?:(?P<y>{_YEAR}|{_CN_YEAR})\s*年\s*)?(?P<m>{_N})\s*月\s*(?P<d>{_N})\s*[日号]"
_EN_DATE = (
    rf"(?:(?P<mon>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon2>{_MONTH}))(?:,?\s*(?P<y>{_YEAR}))?"
)
_SPAN_MONTHS = {"three": 3, "six": 6, "nine": 9, "twelve": 12, "三": 3, "六": 6, "九": 9}


def _short_part(letter: str, numbers: str) -> re.Pattern:
    """Q2, 2Q24, Q2 2024, Q2'24, Q2 FY25 (or H1, 1H24, ...): a two-digit year only glued
    to the part or after FY, so "Q2 12 stores" is not the second quarter of 2012."""
    return re.compile(
        rf"(?<![a-z0-9])(?:{letter}(?P<n>[{numbers}])|(?P<n2>[{numbers}]){letter})"
        rf"(?:\s*'?(?P<fy>fy)\s*'?(?P<fyy>\d{{4}}|\d{{2}})(?!\d)|\s*(?P<y4>{_YEAR})(?!\d)"
        rf"|'?(?P<y2>\d{{2}})(?!\d))?(?![\da-z])"
    )


# (how to read it, pattern); earlier patterns claim their span first.
_PATTERNS: list[tuple[str, re.Pattern]] = [
    # Six months ended June 30, 2024 / 截至2024年6月30日止六个月 / year ended ...
    (
        "ended",
        re.compile(
            rf"\b(?P<n>three|six|nine|twelve|3|6|9|12)[- ]months?\s+(?:period\s+)?"
            rf"end(?:ed|ing)\s+(?:on\s+)?{_EN_DATE}"
        ),
    ),
    (
        "ended",
        re.compile(
            rf"\b(?:fiscal\s+|financial\s+)?(?P<unit>year|quarter|half[- ]year)\s+"
            rf"end(?:ed|ing)\s+(?:on\s+)?{_EN_DATE}"
        ),
    ),
    (
        "ended",
        re.compile(
            rf"截至{_ZH_DATE}\s*止?\s*(?:(?P<n>\d{{1,2}}|十二|[三六九])\s*个月|(?P<unit>年度|财年|全年|年))"
        ),
    ),
    # 1-6月, 1月至6月, 一至六月, January to June
    (
        "months",
        re.compile(
            rf"(?:(?P<y>{_YEAR}|{_CN_YEAR})\s*年\s*)?(?P<m1>{_N})\s*(?:月份?)?\s*(?:-|~|至|到|—)"
            rf"\s*(?P<m2>{_N})\s*月(?:份)?"
        ),
    ),
    (
        "months",
        re.compile(
            rf"\b(?P<mon1>{_MONTH})\s*(?:-|to|through|–)\s*(?P<mon2>{_MONTH})(?:\s+(?P<y>{_YEAR}))?\b"
        ),
    ),
    (
        "nine",
        re.compile(r"前三(?:个)?季度|first (?:three quarters|nine months)|(?:9m|9m\s*fy)(?=\d|\b)"),
    ),
    # Quarters: Q2, 2Q24, Q2 2024, Q2 FY25, 第二季度, 二季度, 第2季, second quarter, June quarter
    ("quarter", _short_part("q", "1-4")),
    ("quarter", re.compile(r"第(?P<n>[一二三四1-4])\s*季(?:度)?|(?P<n2>[一二三四1-4])\s*季度")),
    ("quarter", re.compile(r"\b(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)[- ]quarter")),
    ("quarter", re.compile(r"\b(?P<mon>march|june|september|december)[- ]quarter")),
    # Halves: H1, 1H24, H1 FY25, 上半年, first half
    ("half", _short_part("h", "12")),
    ("half", re.compile(r"(?P<zh>[上下])半年(?:度)?")),
    ("half", re.compile(r"\b(?P<ord>first|second|1st|2nd)[- ]half")),
    ("ytd", re.compile(r"\byear[- ]to[- ]date\b|\bytd\b|年初至今")),
    # Fiscal years: FY2025, FY25, fiscal 2025, fiscal year 2025, 2025财年, 2024/25财年
    (
        "fiscal",
        re.compile(
            rf"(?<![a-z0-9])(?:fy|fiscal(?:\s+year)?)\s*'?(?P<fyy>{_YEAR}|\d{{2}})(?!\d)"
            rf"|(?P<y>{_YEAR})\s*(?:/\s*(?P<y2>\d{{2}}|{_YEAR}))?\s*财(?:政)?年(?:度)?"
        ),
    ),
    # The whole year said in words: 全年, full year 2023, 2024年度
    (
        "whole",
        re.compile(
            rf"(?:(?P<y>{_YEAR}|{_CN_YEAR})\s*年度|全年(?:度)?|本年度|\bfull[- ]year\b|"
            rf"\bwhole year\b|\bannual\b|(?<!半)年度)(?:\s+(?:of\s+)?(?P<y2>{_YEAR})(?!\d))?"
        ),
    ),
    ("day", re.compile(_ZH_DATE)),
    ("day", re.compile(rf"\b{_EN_DATE}\b")),
    (
        "day",
        re.compile(
            rf"(?<![\d.])(?P<y>{_YEAR})[-/.](?P<m>0?[1-9]|1[0-2])[-/.](?P<d>0?[1-9]|[12]\d|3[01])(?!\d)"
        ),
    ),
    (
        "month",
        re.compile(
            rf"(?:(?P<y>{_YEAR}|{_CN_YEAR})\s*年\s*)?(?<![\d.])(?P<m>{_N})\s*月(?:份)?(?!\s*{_N}\s*[日号])"
        ),
    ),
    ("month", re.compile(rf"\b(?P<mon>{_MONTH})(?:\s+(?P<y>{_YEAR}))?\b")),
    # 同期, 去年同期: the span named before, a year earlier.
    (
        "same",
        re.compile(
            r"(?:去年|上年|上年度)?同期|prior[- ]year period"
            r"|(?:same|corresponding) period (?:of |in )?(?:the )?(?:last|prior|previous) year"
        ),
    ),
    (
        "relative",
        re.compile(
            r"今年|本年|去年|上年|前年|明年"
            r"|\b(?:this year|last year|prior year|previous year|next year)\b"
        ),
    ),
]
_RELATIVE = {
    "今年": 0,
    "本年": 0,
    "this year": 0,
    "去年": -1,
    "上年": -1,
    "last year": -1,
    "prior year": -1,
    "previous year": -1,
    "前年": -2,
    "明年": 1,
    "next year": 1,
}
_YEAR_BEFORE = re.compile(
    rf"(?:(?P<fy>{_YEAR})\s*财年(?:度)?|(?P<y>{_YEAR}|{_CN_YEAR})\s*年?(?:度)?"
    r"|(?P<rel>今年|本年|去年|上年|前年|明年))\s*(?:的|,)?\s*$"
)
_YEAR_AFTER = re.compile(
    rf"\s*(?:of\s+)?(?:(?:the\s+)?fiscal\s+(?:year\s+)?(?P<fy>{_YEAR})|(?P<y>{_YEAR}))\b"
)


def find_periods(
    text: str, default_year: int | None = None, fiscal_year_end_month: int | None = None
) -> list[Period]:
    """Every period named in ``text``, in order, as date ranges.

    ``default_year`` reads 今年/去年/"last year"; with None they are left out.
    ``fiscal_year_end_month`` (1-12) places fiscal periods (FY25 ending in March is
    April 2024 to March 2025); with None a fiscal year is read as a calendar year.

    >>> [(p.kind, p.start, p.end) for p in find_periods("2024年上半年")]
    [('half', datetime.date(2024, 1, 1), datetime.date(2024, 6, 30))]
    """
    if fiscal_year_end_month is not None and not 1 <= fiscal_year_end_month <= 12:
        raise ValueError(f"fiscal_year_end_month must be 1-12, not {fiscal_year_end_month}")
    found = list(_find_periods(text, default_year, fiscal_year_end_month))
    # A span named as what a figure is compared with (較第二季的45.1%, "up from the first
    # quarter", "compared with Q2") is a base too, not the span the sentence reports.
    return [
        replace(p, base=True)
        if not p.base and _COMPARED_WITH.search(text[max(0, p.start_char - 14) : p.start_char])
        else p
        for p in found
    ]


_COMPARED_WITH = re.compile(
    r"(?:较|較|比|相比|相较于?|相較於?|对比|對比|高于|低于|高於|低於|\bthan|\bfrom|\bversus|"
    r"\bvs\.?|\bcompared (?:with|to)|\bagainst)\s*(?:the\s+|in\s+the\s+)?$",
    re.I,
)


@lru_cache(maxsize=4096)
def _find_periods(text: str, default_year: int | None, fiscal_year_end_month: int | None):
    # Cached: the same evidence is checked against several questions and candidates.
    f = fold(text)
    taken = [False] * (len(f) + 1)
    found: list[Period] = []
    fy_end = fiscal_year_end_month or 12
    for how, pattern in _PATTERNS:
        for m in pattern.finditer(f):
            if any(taken[m.start() : m.end()]):
                continue
            if how == "month" and m.group("mon" if "mon" in m.re.groupindex else "m") == "may":
                if not re.search(r"\bin may\b|\bmay\s+\d", f[max(0, m.start() - 3) : m.end() + 5]):
                    continue  # "may" is usually the verb
            p = _read(how, m, f, found, default_year, fy_end)
            if p is None:
                continue
            p = replace(p, text=text[p.start_char : p.end_char])
            taken[p.start_char : p.end_char] = [True] * (p.end_char - p.start_char)
            found.append(p)
    for q in quantities(text):
        if q.kind == "year" and not any(taken[q.start : q.end]):
            y = int(q.value)
            fiscal = bool(re.match(r"fy|fiscal", f[q.start : q.end]))
            p = _year(y, fy_end if fiscal else 12, "fiscal_year" if fiscal else "year", fiscal)
            found.append(
                replace(p, text=q.text, start_char=q.start, end_char=q.end, bare=not fiscal)
            )
    found.sort(key=lambda p: p.start_char)
    return tuple(found)


def _read(how: str, m: re.Match, f: str, found: list[Period], default_year, fy_end):
    """One match as a Period (text is filled in by the caller), or None."""
    return _READERS[how](m.groupdict(), m, f, found, default_year, fy_end)


def _read_relative(g, m, f, found, default_year, fy_end):
    if default_year is None:
        return None
    p = _year(default_year + _RELATIVE[m.group(0)], 12, "year", False)
    return replace(p, start_char=m.start(), end_char=m.end(), bare=True)


def _read_same(g, m, f, found, default_year, fy_end):
    before = [p for p in found if p.end_char <= m.start() and p.kind != "day"]
    if not before:
        return None  # 同期 with nothing named before it: no span to shift
    anchor = max(before, key=lambda p: p.end_char)
    return replace(
        anchor,
        start=_shift(anchor.start, -1),
        end=_shift(anchor.end, -1),
        start_char=m.start(),
        end_char=m.end(),
        base=True,
    )


def _read_ended(g, m, f, found, default_year, fy_end):
    month = _month_of(g.get("m"), g.get("mon") or g.get("mon2"))
    day = _num(g.get("d") or g.get("d2"))
    if not month or not day:
        return None
    unit, n = g.get("unit") or "", g.get("n")
    if n:
        months = 12 if n == "十二" else _SPAN_MONTHS.get(n) or int(n)
    else:
        months = 3 if unit == "quarter" else 6 if unit.startswith("half") else 12
    kind = {3: "quarter", 6: "half", 9: "nine_months", 12: "year"}.get(months, "month")
    return _months_back(_year_of(g.get("y")), month, day, months, kind, m.start(), m.end())


def _read_months(g, m, f, found, default_year, fy_end):
    m1 = _month_of(g.get("m1"), g.get("mon1"))
    m2 = _month_of(g.get("m2"), g.get("mon2"))
    if not m1 or not m2 or m2 < m1:
        return None
    n = m2 - m1 + 1
    if m1 == 1 and n in (9, 12):
        kind = "nine_months" if n == 9 else "year"
    elif n == 6 and m1 in (1, 7):
        kind = "half"
    elif n == 3 and m1 in (1, 4, 7, 10):
        kind = "quarter"
    else:
        kind = "month"
    return _span(_year_of(g.get("y")), m1, n, kind, False, m.start(), m.end())


def _read_from_january(months: int, kind: str):
    def read(g, m, f, found, default_year, fy_end):
        y, start, end = _attach_year(f, m.start(), m.end(), default_year)
        return _span(y, 1, months, kind, False, start, end)

    return read


def _read_part(g, m, f, found, default_year, fy_end, size: int):
    """A quarter (``size`` 3) or a half (6), of a calendar or fiscal year."""
    if g.get("mon"):
        n = _MONTHS.index(g["mon"]) // 3 + 1  # the June quarter
    elif g.get("zh"):
        n = 1 if g["zh"] == "上" else 2
    elif g.get("ord"):
        n = _ORD[g["ord"]]
    else:
        part = g.get("n") or g.get("n2")
        n = int(part) if part.isdigit() else _CN[part]
    start, end = m.start(), m.end()
    fiscal = bool(g.get("fy"))
    y = _year_of(g.get("fyy") or g.get("y4") or g.get("y2"))
    if y is None:
        y, start, end = _attach_year(f, start, end, default_year)
        fiscal = fiscal or (y is not None and bool(re.search("fiscal|财年", f[start:end])))
    first = fy_end % 12 + 1 if fiscal else 1
    if y is not None and fiscal and fy_end != 12:
        y -= 1  # a fiscal year starts in the calendar year before the one it is named by
    kind = "quarter" if size == 3 else "half"
    return _span(y, first + size * (n - 1), size, kind, fiscal, start, end)


def _read_fiscal(g, m, f, found, default_year, fy_end):
    y = _year_of(g.get("fyy") or g.get("y2") or g.get("y"))
    return replace(_year(y, fy_end, "fiscal_year", True), start_char=m.start(), end_char=m.end())


def _read_whole(g, m, f, found, default_year, fy_end):
    start, end = m.start(), m.end()
    y = _year_of(g.get("y") or g.get("y2"))
    if y is None and m.group(0).startswith("本"):
        y = default_year  # 本年度
    elif y is None:
        y, start, end = _attach_year(f, start, end, default_year)
    return replace(_year(y, 12, "year", False), start_char=start, end_char=end)


def _read_day(g, m, f, found, default_year, fy_end):
    month = _month_of(g.get("m"), g.get("mon") or g.get("mon2"))
    day = _num(g.get("d") or g.get("d2"))
    if not month or not day or day > 31:
        return None
    return _span(_year_of(g.get("y")), month, 1, "day", False, m.start(), m.end(), day=day)


def _read_month(g, m, f, found, default_year, fy_end):
    month = _month_of(g.get("m"), g.get("mon"))
    if not month:
        return None
    return _span(_year_of(g.get("y")), month, 1, "month", False, m.start(), m.end())


_READERS = {
    "relative": _read_relative,
    "same": _read_same,
    "ended": _read_ended,
    "months": _read_months,
    "nine": _read_from_january(9, "nine_months"),
    "ytd": _read_from_january(12, "ytd"),
    "quarter": partial(_read_part, size=3),
    "half": partial(_read_part, size=6),
    "fiscal": _read_fiscal,
    "whole": _read_whole,
    "day": _read_day,
    "month": _read_month,
}


def _attach_year(f: str, start: int, end: int, default_year) -> tuple[int | None, int, int]:
    """The year written just before or after a part of a year (2024年上半年, Q2 of 2024)."""
    before = _YEAR_BEFORE.search(f, max(0, start - 12), start)
    if before:
        if before.group("y") or before.group("fy"):
            return _year_of(before.group("y") or before.group("fy")), before.start(), end
        if default_year is not None:
            return default_year + _RELATIVE[before.group("rel")], before.start(), end
    after = _YEAR_AFTER.match(f, end)
    if after:
        return _year_of(after.group("fy") or after.group("y")), start, after.end()
    return None, start, end


def _year_of(s: str | None) -> int | None:
    if not s:
        return None
    if s.isdigit():
        return int(s) if len(s) == 4 else 2000 + int(s)
    return int("".join(str("〇一二三四五六七八九".index(c) if c != "零" else 0) for c in s))


def _num(s: str | None) -> int | None:
    """1 to 31 in Arabic or Chinese numerals."""
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN[tens] if tens else 1) * 10 + (_CN[ones] if ones else 0)
    return _CN.get(s)


def _month_of(number: str | None, name: str | None) -> int | None:
    if name:
        prefix = name.rstrip(".")[:3]
        return next(i + 1 for i, full in enumerate(_MONTHS) if full.startswith(prefix))
    n = _num(number)
    return n if n and 1 <= n <= 12 else None


def _shift(d: date | None, years: int) -> date | None:
    if d is None:
        return None
    day = min(d.day, calendar.monthrange(d.year + years, d.month)[1])
    return d.replace(year=d.year + years, day=day)


def _last_day(year: int | None, month: int) -> int:
    # A year-less February ends on the 29th: the span covers any year's February.
    return calendar.monthrange(year if year else 2000, month)[1]


def _span(
    year: int | None,
    month: int,
    months: int,
    kind: str,
    fiscal: bool,
    start: int,
    end: int,
    day: int | None = None,
) -> Period:
    """``months`` months from ``month`` (1-based, may pass 12 into the next year) of
    ``year``; one day when ``day`` is given."""
    y0, m0 = year, (month - 1) % 12 + 1
    if year is not None:
        y0 = year + (month - 1) // 12
    last_index = month - 1 + months - 1
    m1 = last_index % 12 + 1
    y1 = year + last_index // 12 if year is not None else None
    if day is not None:
        first, last = (m0, day), (m0, day)
    else:
        first, last = (m0, 1), (m1, _last_day(y1, m1))
    try:
        d0 = date(y0, *first) if y0 is not None else None
        d1 = date(y1, *last) if y1 is not None else None
    except ValueError:
        d0 = d1 = None  # 2月30日: keep the span year-less rather than fail
    return Period(d0, d1, kind, fiscal, "", start, end, first, last)


def _year(year: int | None, fy_end: int, kind: str, fiscal: bool) -> Period:
    if fy_end == 12:
        return _span(year, 1, 12, kind, fiscal, 0, 0)
    return _span(None if year is None else year - 1, fy_end + 1, 12, kind, fiscal, 0, 0)


def _months_back(year, month: int, day: int, months: int, kind: str, start: int, end: int):
    """The ``months`` months that end on ``month``/``day`` of ``year``."""
    first_month = month - months + 1
    if year is None:
        p = _span(None, (first_month - 1) % 12 + 1, months, kind, False, start, end)
    else:
        p = _span(
            year + (first_month - 1) // 12,
            (first_month - 1) % 12 + 1,
            months,
            kind,
            False,
            start,
            end,
        )
    return replace(p, last=(month, day), end=date(year, month, day) if year else None)


# --- comparing spans ------------------------------------------------------------------------


def _days(p: Period) -> list[tuple[int, int]]:
    """The year-less span as day-of-year intervals in a leap year (a wrap gives two)."""
    a = date(2000, *p.first).timetuple().tm_yday
    b = date(2000, *p.last).timetuple().tm_yday
    return [(a, b)] if a <= b else [(a, 366), (1, b)]


def overlap(a: Period, b: Period) -> bool:
    """True when ``a`` and ``b`` share a day; a period with no year is compared by its
    months and days (Q2 overlaps 2024年上半年)."""
    if a.start and a.end and b.start and b.end:
        return a.start <= b.end and b.start <= a.end
    return any(x0 <= y1 and y0 <= x1 for x0, x1 in _days(a) for y0, y1 in _days(b))


def same_span(a: Period, b: Period) -> bool:
    """True when ``a`` and ``b`` cover the same days (Q2 = 二季度 = 4月至6月); a period
    with no year matches that span in any year; year to date matches any span from the
    start of the year."""
    if "ytd" in (a.kind, b.kind):
        return a.first == b.first and (a.start is None or b.start is None or a.start == b.start)
    if a.start and b.start and a.end and b.end:
        return a.start == b.start and a.end == b.end
    return a.first == b.first and a.last == b.last


def _answers(evidence: Period, asked: Period) -> bool:
    if asked.bare or evidence.bare:
        return overlap(evidence, asked)
    return same_span(evidence, asked)


def conflict_ranges(
    asked: list[Period],
    evidence: list[str],
    default_year: int | None = None,
    fiscal_year_end_month: int | None = None,
) -> bool:
    """True when the evidence names only other spans than those ``asked``.

    ``evidence`` goes from nearest to widest (the sentence, then its surroundings): the
    first text that names a period decides. A span answers a question when it is the same
    span (H1 does not answer Q2, nor a half the full year); a year named alone, on either
    side, only needs to overlap. Evidence naming no period is no conflict.
    """
    if not asked:
        return False
    for text in evidence:
        named = [p for p in find_periods(text, default_year, fiscal_year_end_month) if not p.base]
        if named:
            return not any(_answers(e, a) for a in asked for e in named)
    return False


# --- the base of a change, and what a figure is counted per -------------------------------

_BASES = [
    ("y", re.compile(r"同比|\byoy\b|year[- ]on[- ]year|year[- ]over[- ]year")),
    (
        "p",
        re.compile(r"环比|\b(?:qoq|mom)\b|(?:quarter|month)[- ]on[- ](?:quarter|month)|sequential"),
    ),
]
_PER = [
    ("d", re.compile(r"日均|日活|每日|每天|\bdaily\b|\bper day\b|\bdau\b")),
    ("w", re.compile(r"周均|每周|\bweekly\b|\bper week\b")),
    ("m", re.compile(r"月均|月活|每月|\bmonthly\b|\bper month\b|\bmau\b")),
]


def bases(text: str) -> set[str]:
    """The base of a change a text names: "y" (同比, year on year), "p" (环比, on the
    period before)."""
    f = fold(text)
    return {name for name, pattern in _BASES if pattern.search(f)}


def counted_per(text: str) -> set[str]:
    """What a figure is counted per: "d" (日均, daily), "w" (weekly), "m" (月活, monthly)."""
    f = fold(text)
    return {name for name, pattern in _PER if pattern.search(f)}


# --- the older interface: periods by kind, as strings ---------------------------------------


def periods(text: str) -> dict[str, set[str]]:
    """Periods named in ``text``, by kind: {"quarter": {"3"}, "year": {"2024"}}.

    Kinds: "year", "quarter", "half", "month" (1-12 as strings), "whole" (the whole year
    said in words), "basis" ("y" or "p") and "per" ("d", "w", "m").
    """
    found: dict[str, set[str]] = {}
    for p in find_periods(text):
        if p.base:
            continue
        if p.year is not None:
            found.setdefault("year", set()).add(str(p.year))
        if p.kind in ("quarter", "half"):
            size = 3 if p.kind == "quarter" else 6
            found.setdefault(p.kind, set()).add(str((p.first[0] - 1) // size + 1))
        elif p.kind in ("month", "day"):
            found.setdefault("month", set()).add(str(p.first[0]))
        elif p.kind == "year" and not p.bare:
            found.setdefault("whole", set()).add("1")
    if b := bases(text):
        found["basis"] = b
    if c := counted_per(text):
        found["per"] = c
    return found


def asked(question: str, context: str = "") -> dict[str, set[str]]:
    """Periods a question asks about: its own words first, then its context (a follow-up
    "What about in May?" asks about May even when the previous question said June)."""
    found = periods(question)
    for kind, values in periods(context).items():
        found.setdefault(kind, values)
    return found


# Spans of a year: a figure for one of them is not a figure for another.
_PARTS = ("whole", "quarter", "half", "month")


def conflict(asked: dict[str, set[str]], evidence: list[str]) -> bool:
    """True when the evidence names only other periods than those ``asked``.

    ``evidence`` goes from nearest to widest (the sentence, then its surroundings): for
    each kind asked about, the first text naming a period of that kind decides. And a
    question about a part of the year (a quarter) is not answered by evidence whose
    nearest period is another kind of part (the half year): that figure covers another
    span.
    """
    named_in = [periods(text) for text in evidence]
    for kind, wanted in asked.items():
        # The base of a change, and what a figure is counted per, are said with the
        # figure: only the sentence itself counts.
        for named_all in named_in[:1] if kind in ("basis", "per") else named_in:
            named = named_all.get(kind)
            if named:
                if not named & wanted:
                    return True
                break
    parts = [k for k in _PARTS if k in asked]
    if parts:
        for named_all in named_in:
            named = {k for k in _PARTS if k in named_all}
            if named:
                return not named & set(parts)
    return False
