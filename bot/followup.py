"""Turn a follow-up question into one that stands on its own, using the history.

A follow-up replaces the words of the earlier question that play the role its own words
play, and keeps the rest:

- a period ("What was it in the second quarter?", "第一季呢?") replaces the earlier
  question's period; a comparison's base ("a year earlier", "去年同期", "from the first
  quarter") is added to it instead, since the figure compared is still the earlier one;
- a measure ("毛利率呢?", "What about its operating margin?") replaces the earlier measure;
- a name with a number ("And the V4?") replaces such a name, a name a name, and any other
  thing ("And tools?") the earlier question's thing that is neither (so "lamp
  revenue" becomes "tools revenue", keeping the measure);
- a pronoun (he, she, it, 他, 她, 它, 该公司) after a who/which question stands for the
  name the previous answer gave ("Who runs the lab?" - "Ada Quist." - "What did she
  say?" asks what Ada Quist said).

A follow-up with no question word of its own ("And tools?", "环比呢?") becomes the
earlier question rewritten; one with its own ("What was it in Q2?") keeps its words and
takes the earlier question's words of the roles it does not fill. Only questions that
look like follow-ups (a pronoun, "and …?", "那…呢", or no thing of their own) are
rewritten. An LLM rewriter can replace this (see ``prompts/``). Deliberately not done:
resolving "it" to anything but the earlier topic or a named answer (no coreference model).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot import kinds, periods
from bot.analyze import form, numbered_names
from bot.names import _zh_name_at, organisations, people
from bot.normalize import fold
from bot.terms import (
    _CHANGE_VERBS,
    _GENERIC_EN,
    _MEASURE_WORDS,
    _ZH_LINK,
    EN_STOP,
    PRONOUNS_EN,
    PRONOUNS_ZH,
    ZH_STOP,
    _jieba,
    _jieba_lock,
    content_terms,
    english_words,
    language,
    proper_nouns,
)

_EN_OPENERS = ("and ", "what about", "how about", "also ", "then ")
# Words that only say "this continues": left out of the rewritten question.
_OPENER = re.compile(
    r"^\s*(?:(?:and|also|then|so)\b,?\s*(?:(?:what|how) about\b)?|(?:what|how) about\b|"
    r"那么|那|还有|另外)",
    re.I,
)
_ZH_MARKERS = ("那", "那么", "还有", "另外")


def needs_context(question: str) -> bool:
    """Whether a question cannot stand alone: it points back (a pronoun, "and …?",
    "那…呢"), or names no thing of its own ("同比增长多少?", "去年同期是多少?", "How
    fast?"). "Who is the CFO?" names one, so it stands alone, whatever was asked before."""
    q = fold(question.strip())
    if language(q) == "zh":
        return (
            any(p in q for p in PRONOUNS_ZH)
            or q.startswith(_ZH_MARKERS)
            or bool(re.search(r"呢[?？]?$", q))
            or not _things(q)
        )
    words = english_words(q)
    return any(w in PRONOUNS_EN for w in words) or q.startswith(_EN_OPENERS) or not _things(q)


def _things(question: str) -> list[str]:
    """Content words that name a thing, not a measure, a change (growth, 同比) or a
    period (去年同期, 年底: when, not what)."""
    spans = _period_spans(question)
    out = []
    pos = 0
    for t in content_terms(question, search=False):
        at = question.lower().find(t, pos)
        if at >= 0:
            pos = at + len(t)
        if (
            t in _MEASURE_WORDS
            or t in _ZH_LINK
            or re.fullmatch(_CHANGE_VERBS, t)
            or t.replace(".", "").isdigit()
            or _TIME_WORD.fullmatch(t.rstrip("前后") or t)  # 年底前
            or (at >= 0 and any(s <= at < e for s, e in spans))
        ):
            continue
        out.append(t)
    return out


# Words of time that periods.py reads only with a year to anchor them.
_TIME_WORD = re.compile(
    r"前|后|去年|上年|今年|同期|去年同期|上年同期|年底|年末|年初|季末|月末|期末|上季|上季度|上月|"
    r"earlier|ago|previous|prior|last|year|quarter|month|period|same|corresponding"
)


def resolve(question: str, history: list[tuple[str, str]] | None) -> str:
    """``question`` rewritten to stand alone when it needs the conversation.

    >>> resolve("And tools?", [("How much did lamp revenue grow?", "12%")])
    'How much did tools revenue grow?'
    >>> resolve("她说了什么?", [("谁负责研发?", "是林晓岚。")])
    '林晓岚说了什么?'
    """
    if not history:
        return question
    # Earlier questions may be follow-ups themselves: resolve the chain in order.
    asked, answer = "", ""
    for prev, prev_answer in history:
        asked = _resolve_one(prev, asked, answer)[0]
        answer = prev_answer
    return _resolve_one(question, asked, answer)[0]


def _resolve_one(question: str, earlier: str, answer: str) -> tuple[str, str]:
    """(words to search with, the question rewritten): for "What was it in Q2?" the
    earlier topic words and the question; for "And tools?" the rewrite, twice."""
    if not earlier or not needs_context(question):
        return question, question
    referent = _referent(earlier, answer)
    pointing = _pronoun(question)
    if referent and pointing:
        question = pointing.sub(referent, question, count=1)
    question = _OPENER.sub("", question).strip() or question
    new = _roles(question, follow_up=True)
    old = _roles(earlier)
    filled = {role for role, _, _ in new.spans if role not in ("base", "ask")}
    if pointing:
        # A pronoun stands for what the earlier question named or described ("the head
        # of the lamp unit", or the unit itself): those words stay, and only a period or
        # a measure of the follow-up replaces the earlier one.
        filled &= {"period", "measure"}
    if not _asks(question):
        rewritten = _rewrite(earlier, old, question, new, filled)
        return rewritten, rewritten
    # The follow-up asks in its own words: the earlier question's words of the roles it
    # leaves open come first, as topic words.
    keep = [
        w
        for role, s, e in old.spans
        if role not in filled and role != "ask"
        for w in content_terms(earlier[s:e])
    ]
    own = set(content_terms(question))
    topic = [w for w in dict.fromkeys(keep) if w not in own]
    return (" ".join(topic + [question]) if topic else question), question


# ---------------------------------------------------------------- the roles of words

# Generic business measures (what is counted), either language: not any report's words.
_MEASURE_EN = set(
    """revenue revenues sales turnover income profit profits loss losses margin margins
    earnings ebit ebitda eps dividend dividends cash flow expenses expense costs cost
    spending capex price prices yield capacity volume orders users share shares
    gross net operating adjusted diluted per""".split()
)
_MEASURE_ZH = re.compile(
    r"(?:营业|经营|净|毛|税后|税前)?(?:收入|营收|利润|毛利|利率|亏损|开支|费用|现金流|股息|分红|销量|"
    r"销售额|销售|份额|产能|产量|价格|目标价|成本|市值|净利|率|营业额|订单|用户)$|^(?:营业|经营|净|毛)$"
)
_ASK_EN = re.compile(
    r"\b(?:what|how|who|whom|which|when|where|why|did|does|do|is|was|were|are|has|have|had)\b",
    re.I,
)
_ASK_ZH = re.compile(r"多少|几|什么|谁|哪|吗|如何|怎么|怎样|是否|多大|多高|多长|多久")
_BASE_BEFORE = re.compile(
    r"(?:(?:from|than|versus|vs\.?|compared (?:with|to)|against|over)\s+(?:the\s+)?|"
    r"(?:same|corresponding) period (?:of|in)\s+(?:the\s+)?|[较比]|同期)$",
    re.I,
)
_FILLER = set("and about also then so whole entire full overall as s 呢 那 那么 还有 另外".split())


@dataclass
class _Roles:
    spans: list[tuple[str, int, int]]  # (role, start, end) of each word, in order


def _roles(text: str, follow_up: bool = False) -> _Roles:
    """Each word of ``text`` with its role: period, base (a comparison's base period),
    measure, numbered (a name with a number), name, thing, ask (question and function
    words, pronouns)."""
    spans: list[tuple[str, int, int]] = []
    low = fold(text)
    taken = [False] * (len(text) + 1)
    for s, e, base in _period_spans(text, with_base=True):
        spans.append(("base" if base else "period", s, e))
        taken[s:e] = [True] * (e - s)
    for name in numbered_names(text):
        at = low.find(name)
        if at >= 0 and not any(taken[at : at + len(name)]):
            spans.append(("numbered", at, at + len(name)))
            taken[at : at + len(name)] = [True] * len(name)
    names = {
        fold(n)
        for n in proper_nouns(text, kinds=("nr", "ns", "nt", "nz"))
        if not (n.isascii() and len(n) <= 4)  # CEO, AI: a report may spell them out
    }
    for m in re.finditer(r"(?<=[\w,'’\"“)] )[A-Z][A-Za-z\-]*|^[A-Z][A-Za-z\-]*(?=['’]s\b)", text):
        word = fold(m.group())
        if (len(word) > 4 or not m.group().isupper()) and word not in _GENERIC_EN:
            names.add(word)  # not CEO, AI (a report may spell them out), nor "Company"
    with _jieba_lock:
        words = list(_jieba().tokenize(low))
    for word, s, e in words:
        if not word.strip() or any(taken[s:e]) or not any(c.isalnum() for c in word):
            continue
        if not word.isascii() and (periods.bases(word) or kinds.direction(word)):
            role = "base"  # 环比, 同比增长: how it changed, added to the earlier question
        elif (
            word in EN_STOP
            or word in ZH_STOP
            or word in _ZH_LINK
            or word in PRONOUNS_EN
            or word in PRONOUNS_ZH
            or _ASK_EN.fullmatch(word)
            or _ASK_ZH.search(word)
            or word in _FILLER
        ):
            role = "ask"
        elif word in _MEASURE_EN or _MEASURE_ZH.search(word) or word in _MEASURE_WORDS:
            role = "measure"
        elif word in names:
            role = "name"
        elif re.fullmatch(_CHANGE_VERBS, word) or _TIME_WORD.fullmatch(word):
            role = "base"  # how it changed, or against when: added, never replacing
        else:
            role = "thing"
        spans.append((role, s, e))
    spans.sort(key=lambda x: x[1])
    if follow_up:
        # A follow-up's words next to its measure qualify it ("its segment operating
        # margin"): they replace the earlier measure, not the earlier thing.
        for i, (role, s, e) in enumerate(spans):
            if role == "thing" and any(
                r == "measure" for r, _, _ in spans[i + 1 : i + 3] if r in ("thing", "measure")
            ):
                spans[i] = ("measure", s, e)
    return _Roles(spans)


def _period_spans(text: str, with_base: bool = False):
    out = []
    for p in periods.find_periods(text):
        base = p.base or bool(_BASE_BEFORE.search(fold(text[: p.start_char])))
        out.append((p.start_char, p.end_char, base) if with_base else (p.start_char, p.end_char))
    return out


def _asks(question: str) -> bool:
    """Whether a follow-up has a question word of its own ("What was it in Q2?"), not
    only words to put into the earlier question ("And tools?", "第一季呢?")."""
    rest = _OPENER.sub("", fold(question))
    return bool(_ASK_ZH.search(rest) or _ASK_EN.search(rest))


# A name, a name with a number and any other thing stand for one another when the
# earlier question has no word of the follow-up's own kind.
_KIN = {"thing": ("name", "numbered"), "name": ("thing", "numbered"), "numbered": ("name", "thing")}


def _rewrite(earlier: str, old: _Roles, question: str, new: _Roles, filled: set[str]) -> str:
    """The earlier question with the follow-up's words in place of those of their role;
    the follow-up's other words (a base, a change) go before its question word."""
    out = earlier
    # Right to left, so earlier offsets stay valid.
    edits: list[tuple[int, int, str]] = []
    for role in filled:
        olds = _first_run(earlier, old, role)
        for other in _KIN.get(role, ()):
            if not olds and other not in filled:  # a thing for a name: 'And Acme?'
                olds = _first_run(earlier, old, other)
        run = _first_run(question, new, role)
        text = question[run[0] : run[1]] if run else ""
        edits.append((*olds, text) if olds else (-1, -1, text))
    rest = [question[s:e] for r, s, e in new.spans if r == "base"]
    added = [t for s, e, t in edits if s < 0] + rest
    for s, e, text in sorted((x for x in edits if x[0] >= 0), reverse=True):
        out = out[:s] + text + out[e:]
    if added:
        zh = language(out) == "zh"
        extra = ("" if zh else " ") + ("" if zh else " ").join(added)
        m = _ASK_ZH.search(out) if zh else re.search(r"\s*[?？]?\s*$", out)
        at = m.start() if m else len(out)
        if zh and at > 0 and out[at - 1] == "是":
            at -= 1  # 是多少: before 是
        out = out[:at] + extra + out[at:]
    return re.sub(r"\s{2,}", " ", out).strip()


def _first_run(text: str, roles: _Roles, role: str) -> tuple[int, int] | None:
    """Where the first run of words of ``role`` is (garden-lamp, 茶饮 业务)."""
    run = None
    for r, s, e in roles.spans:
        if run and (r != role or not re.fullmatch(r"[\s\-]*", text[run[1] : s])):
            break
        if r == role:
            run = (run[0] if run else s, e)
    return run


# ---------------------------------------------------------------- pronouns

_PRONOUN_EN = re.compile(r"\b(?:he|she|it|they|him|her|them)\b", re.I)
_POSSESSIVE_EN = re.compile(r"\b(?:his|its|their)\b", re.I)
_PRONOUN_ZH = re.compile(
    r"该公司|该集团|该企业|这家公司|这家|那家|他们|她们|它们|他|她|它|其(?!中|他|余|实|次)"
)


def _pronoun(question: str) -> re.Pattern | None:
    if _CJK_RE.search(question) and _PRONOUN_ZH.search(question):
        return _PRONOUN_ZH
    if _PRONOUN_EN.search(question):
        return _PRONOUN_EN
    if _POSSESSIVE_EN.search(question):
        return _POSSESSIVE_EN
    return None


_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def _referent(earlier: str, answer: str) -> str:
    """The name a who/which answer gave: the first person, organisation or name of its
    lead (the text before its quotes) that the question did not name; "" for an answer
    to any other question (then "it" is the earlier question's topic)."""
    if form(earlier) not in ("who", "list") and not re.search(r"哪|\bwhich\b", fold(earlier)):
        return ""
    lead = (answer or "").strip().split("\n", 1)[0]
    asked = fold(earlier)
    found: list[tuple[int, str]] = []
    for n in people(lead) + organisations(lead):
        found.append((n.start, n.text))
    for m in re.finditer(r"[A-Z][A-Za-z\-]*(?:\s+[A-Z][A-Za-z\-]*)*", lead):
        if len(m.group()) > 4 or not m.group().isupper():
            found.append((m.start(), m.group()))
    low = fold(lead)
    for n in proper_nouns(lead, kinds=("nr", "ns", "nt", "nz")):
        at = lead.find(n)
        if _CJK_RE.search(n) and at >= 0:
            # jieba may cut a person's name after the surname (X / YZ): read it whole.
            found.append((at, lead[at : at + max(len(n), _zh_name_at(low, at))]))
    for at, name in sorted(found, key=lambda x: (x[0], -len(x[1]))):
        if fold(name) not in asked and not any(w in asked for w in fold(name).split()):
            # A name given in both languages counts in both: "Northfield (北原)".
            other = re.match(r"\s*[(（]([^()（）]{1,20})[)）]", lead[at + len(name) :])
            return f"{name} ({other.group(1)})" if other else name
    return ""
