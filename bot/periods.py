"""Time periods named in a question and in its evidence: years, halves, quarters, months,
the base of a change (year on year, or on the period before) and what a figure is counted
per (a day, a month).

A question about "Q3" answered by a sentence about the second quarter is a near miss,
not an answer. :func:`conflict` finds such cases: the question names a period of some
kind (a year, a half, a quarter, a month), the evidence names periods of that kind, and
none of them is the one asked about. Evidence that names no period of that kind is no
conflict: the period may be implied by the text around it. General calendar language
in Chinese and English; nothing about any report.
"""

from __future__ import annotations

import re

_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_ZH_NUM = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}
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

_PATTERNS: list[tuple[str, re.Pattern, callable]] = [
    (
        "year",
        re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)(?!\s*(?:亿|万|元|%|个|家|人))"),
        lambda m: m.group(1),
    ),
    ("quarter", re.compile(r"\bq([1-4])\b", re.I), lambda m: m.group(1)),
    (
        "quarter",
        re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)[- ]quarter", re.I),
        lambda m: str(_ORD[m.group(1).lower()]),
    ),
    (
        "quarter",
        re.compile(r"第?([一二三四1-4])季度"),
        lambda m: str(_ZH_NUM.get(m.group(1), m.group(1))),
    ),
    ("half", re.compile(r"\bh([12])\b", re.I), lambda m: m.group(1)),
    (
        "half",
        re.compile(r"\b(first|second)[- ]half", re.I),
        lambda m: "1" if m.group(1).lower() == "first" else "2",
    ),
    ("half", re.compile(r"([上下])半年"), lambda m: "1" if m.group(1) == "上" else "2"),
    # The whole year, said explicitly: a part of it (a half, a quarter) is another span.
    ("whole", re.compile(r"full[- ]year|whole year|annual|全年|全年度"), lambda m: "1"),
    # The base of a change: against the same period a year before, or the one before.
    (
        "basis",
        re.compile(r"同比|\byoy\b|year[- ]on[- ]year|year[- ]over[- ]year", re.I),
        lambda m: "y",
    ),
    (
        "basis",
        re.compile(
            r"环比|\b(?:qoq|mom)\b|(?:quarter|month)[- ]on[- ](?:quarter|month)|sequential",
            re.I,
        ),
        lambda m: "p",
    ),
    # What a figure is counted per: a day's average is not a month's.
    ("per", re.compile(r"日均|日活|每日|每天|\bdaily\b|\bper day\b|\bdau\b", re.I), lambda m: "d"),
    ("per", re.compile(r"周均|每周|\bweekly\b|\bper week\b", re.I), lambda m: "w"),
    ("per", re.compile(r"月均|月活|每月|\bmonthly\b|\bper month\b|\bmau\b", re.I), lambda m: "m"),
    ("month", re.compile(r"(?<![\d.])(1[0-2]|[1-9])月"), lambda m: m.group(1)),
    (
        "month",
        re.compile(r"(十[一二]?|[一二三四五六七八九])月"),
        lambda m: str(_ZH_NUM[m.group(1)]),
    ),
    (
        "month",
        re.compile(r"\b(" + "|".join(_MONTHS) + r")\b", re.I),
        lambda m: str(_MONTHS.index(m.group(1).lower()) + 1),
    ),
]


def periods(text: str) -> dict[str, set[str]]:
    """Periods named in ``text``, by kind: {"quarter": {"3"}, "year": {"2024"}}."""
    found: dict[str, set[str]] = {}
    for kind, pattern, value in _PATTERNS:
        for m in pattern.finditer(text):
            if (
                kind == "month"
                and m.group(0).lower() == "may"
                and not re.search(r"\bin may\b|\bmay \d", text, re.I)
            ):
                continue  # "may" is usually the verb
            found.setdefault(kind, set()).add(value(m))
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
    for kind, wanted in asked.items():
        # The base of a change, and what a figure is counted per, are said with the
        # figure: only the sentence itself counts.
        for text in evidence[:1] if kind in ("basis", "per") else evidence:
            named = periods(text).get(kind)
            if named:
                if not named & wanted:
                    return True
                break
    parts = [k for k in _PARTS if k in asked]
    if parts:
        for text in evidence:
            named = {k for k in _PARTS if k in periods(text)}
            if named:
                return not named & set(parts)
    return False
