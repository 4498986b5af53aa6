"""Answers beyond one figure: who/which, why, yes or no, lists and computed comparisons.

Each takes the candidates the scorer ranked (:meth:`bot.answer.ExtractiveAnswerer.rank`)
and phrases the answer from their exact words:
- who: the name in the best sentence that the question does not already hold (with its
  pinyin for an English question about a Chinese name);
- why: the cause a sentence gives, read from where its connective puts it (由于X, 受X影响,
  "X, which drove Y"), with the effect it explains;
- yes/no: the direction or negation the deciding sentence states, against the question's;
- list: every sentence above the threshold, each with its own citation;
- compute: two figures of one unit from the cited sentences, and the arithmetic on them,
  shown ("42.5% − 38.1% = 4.4 percentage points").

Connectives, directions and negations are general language of both languages; nothing
here knows any report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot import numbers
from bot.normalize import cjk_pairs, fold

# ---------------------------------------------------------------- who

_EN_NAME = re.compile(r"\b[A-Z][a-zA-Z&.\-]+(?:\s+(?:[A-Z][a-zA-Z&.\-]+|de|van|von|of|&))*")
_NOT_A_NAME = set(
    """The A An In On At For By With From To And Or But This That These Those It Its Our We
    He She They His Her Their According Source Sources Revenue Sales Net Gross Operating
    Total Fiscal Quarter First Second Third Fourth Half Year January February March April
    May June July August September October November December Inc Ltd Co""".split()
)


def who_lead(question: str, text: str, lang: str, anchors: list[int] = ()) -> str:
    """The name in ``text`` that answers a who/which question, with its pinyin for an
    English question about a Chinese name.

    A person in the role the question asks about comes first ("Who is the CFO?":
    "首席财务官吴思远表示" -> 吴思远; a byline for "who wrote it"); then, for a question
    about a person, the person the sentence names nearest the question's words; else
    any name (a company, a product) the question does not already hold.
    """
    from bot import names

    found = None if asks_organisation(question) else names.holder(question, text, anchors)
    if found is None and asks_person(question):
        q = fold(question)
        people = [n for n in names.people(text) if fold(n.text) not in q]
        if people:
            anchors = _anchors(q, text)
            found = min(people, key=lambda n: min((abs(n.start - a) for a in anchors), default=0))
    name = found.text if found else _any_name(question, text)
    if name and lang == "en" and re.search(r"[\u4e00-\u9fff]", name):
        return f"{name} ({_pinyin(name)})"
    return name


_PERSON_ASKED = re.compile(
    r"\bwho(?:m|se)?\b|谁|哪位|什么人|\bwhich (?:person|executive|analyst|reporter|journalist|"
    r"researcher|director|manager|official|author|economist|investigator|scientist|engineer)\b"
)
_ORG_ASKED = re.compile(
    r"哪家|哪所|什么公司|哪个(?:公司|企业|机构|品牌)|\bwhich (?:company|companies|firm|bank|"
    r"university|institute|rival|competitor|partner|supplier|customer|brand|agency|broker)\b"
)


def role_holder(question: str, text: str, anchors: list[int] = ()) -> str:
    """The person ``text`` names in the role the question asks about, or "" (and ""
    when the question asks for a company: "which bank's analyst" names one)."""
    from bot import names

    found = None if asks_organisation(question) else names.holder(question, text, anchors)
    return found.text if found else ""


def asks_title(question: str) -> bool:
    """Whether a who question names a title (CFO, 董事长, reporter), not only a task
    ("who runs …", 负责人)."""
    from bot import names

    return any(g not in ("head", "contact") for g in names.role_groups(question))


def asks_person(question: str) -> bool:
    """Whether a who/which question asks for a person, not a company or a product."""
    return bool(_PERSON_ASKED.search(fold(question))) and not asks_organisation(question)


def asks_organisation(question: str) -> bool:
    """Whether a which question asks for a company, a bank, a rival (哪家公司)."""
    q = fold(question)
    return bool(_ORG_ASKED.search(q)) and not re.search(r"谁|\bwho\b", q)


def what_lead(question: str, text: str, strong: bool = False) -> str:
    """What ``text`` says the thing a "what is X?" question names is: its defining
    phrase ("AI绘图工具“星图”" -> AI绘图工具; "Vela, a cloud service for banks" -> a
    cloud service), or "" when the sentence does not say."""
    from bot import names

    name = names.defined(question)
    return names.definition(name, text, strong) if name else ""


def _anchors(q: str, text: str) -> list[int]:
    low = fold(text)
    return [low.find(t) for t in re.findall(r"[\w\-]{2,}", q) if t in low]


def _any_name(question: str, text: str) -> str:
    """A person, company or product ``text`` names that the question does not already
    name, nearest the question's own words."""
    from bot.terms import is_proper, words_of

    q = fold(question)
    names: list[tuple[int, str]] = []
    pos = 0
    for w in words_of(text):
        at = text.find(w, pos)
        pos = at + len(w) if at >= 0 else pos
        if len(w) >= 2 and re.search(r"[\u4e00-\u9fff]", w) and is_proper(w) and fold(w) not in q:
            names.append((at, w))
    # Chinese news names a person after the role, before what they said:
    # 首席财务官吴思远表示 / 分析师林可认为 (jieba often cuts such names apart).
    for m in _ROLE_NAME.finditer(text):
        if fold(m.group("name")) not in q:
            names.append((m.start("name"), m.group("name")))
    for m in _EN_NAME.finditer(text):
        w = m.group().strip()
        first = w.split()[0]
        if first in _NOT_A_NAME or w.lower() in q or (m.start() == 0 and " " not in w):
            continue
        names.append((m.start(), w))
    if not names:
        return ""
    anchors = _anchors(q, text)
    at, name = min(names, key=lambda n: min((abs(n[0] - a) for a in anchors), default=n[0]))
    return name


_ROLE_NAME = re.compile(
    r"(?:董事长|副董事长|总裁|副总裁|总经理|首席[\u4e00-\u9fff]{1,4}官|CEO|CFO|CTO|COO|创始人|"
    r"联合创始人|负责人|分析师|主席|行政总裁|董事|总监|经理|教授|研究员|主任|部长|发言人|"
    r"董事長|副董事長|總裁|副總裁|總經理|創始人|負責人|分析師|執行長|財務長|發言人|總監|經理)"
    r"(?:兼[\u4e00-\u9fffA-Z]{1,8}?)?"
    r"(?P<name>[\u4e00-\u9fff]{2,3}?)"
    r"(?=表示|称|說|说|在|透露|认为|認為|指出|介绍|介紹|提到|坦言|强调|強調|则|則|也|还|還|[,，:：、（(])"
)


def _pinyin(name: str) -> str:
    """A Chinese person's or company's name in pinyin, capitalised: 林振宏 -> Lin Zhenhong."""
    from pypinyin import lazy_pinyin

    syl = lazy_pinyin(name)
    if len(syl) in (2, 3):  # a person's name: surname, given name
        return f"{syl[0].capitalize()} {''.join(syl[1:]).capitalize()}"
    return "".join(syl).capitalize()


# ---------------------------------------------------------------- why

# Causal connectives, matched on folded text (由於 is 由于, 因為 is 因为), by where the
# cause stands: after the connective (由于X, due to X), inside it (受X影响), or before it
# (X导致Y, "X, which drove Y").
_AFTER = re.compile(
    r"(?:(?:主要|部分|主因|亦|则|也)?(?:是)?(?:由于|因为|得益于|受益于|受惠于|归因于|归功于|源于|源自|"
    r"在于|是因为)|(?:主要)?原因(?:是|为|在于|包括)|主要是)|"
    r"\b(?:(?:driven|fuell?ed|helped|boosted|led|supported|offset|hurt|weighed down|caused|"
    r"spurred|lifted|dragged down|held back|pressured|affected|hit) (?:\w+ )?by|"
    r"due (?:\w+ )?to|thanks (?:\w+ )?to|because(?: of)?|as a (?:\w+ )?result of|owing to|"
    r"on the back of|reflect(?:s|ed|ing)|attribut(?:ed|es|able|e)\b[^.;:!?]{0,60}?\bto|"
    r"result(?:ed|ing)? from|stem(?:med|ming|s)? from|(?:mainly|largely|primarily|partly) from|"
    r"amid|(?<=, )(?:after|following)|(?<=, )as(?= (?:a|an|the|more|fewer|higher|lower|"
    r"stronger|weaker|demand|prices|costs|customers|[a-z]+ (?:was|were|rose|fell|grew)\b)))\b",
)
_WRAP = re.compile(
    r"(?:主要|部分)?(?:是)?受(?![惠益])(?:到)?(?P<cause>[^,;。!?]{1,40}?)(?:的)?"
    r"(?:影响|拖累|带动|推动|冲击|驱动|拉动|提振)"
)
_BEFORE = re.compile(
    r"(?<!受)(?:导致|致使|使得|带动了?|推动了?|拉动了?|拖累了?|因此|所以|从而|进而)|"
    r"\b(?:which |that )?(?:drove|led to|resulted in|caused|contributed to|weighed on|"
    r"pushed (?:up|down))\b|(?<=, )(?:so|therefore|hence|consequently)\b"
)
# Where a cause ends: the end of its clause, unless the next clause adds to it (以及, and).
_BREAK = re.compile(rf"[;。!?\n]|{numbers.COMMA}|\.(?:\s|$)")
_AND = re.compile(r"\s*(?:以及|及|和|并且?|加上|同时|and |as well as |plus )")


@dataclass(frozen=True)
class Cause:
    """A cause a sentence gives: ``text[start:end]`` (with its connective), and the
    words of the rest of the sentence it explains (its effect)."""

    start: int
    end: int
    effect: str


def _clause_end(low: str, at: int) -> int:
    while True:
        m = _BREAK.search(low, at)
        if not m:
            return len(low)
        if low[m.start()] in ";。!?\n." or not _AND.match(low, m.end()):
            return m.start()
        at = m.end() + 1


def _clause_start(low: str, at: int, floor: int) -> int:
    starts = [m.end() for m in _BREAK.finditer(low, floor, at)]
    return starts[-1] if starts else floor


def causes(text: str) -> list[Cause]:
    """The causes ``text`` gives, in order, each with the effect it explains.

    >>> [text[c.start:c.end] for text in ["受需求放缓影响，收入下降5%。"] for c in causes(text)]
    ['受需求放缓影响']
    """
    low = fold(text)
    spans: list[tuple[int, int, str]] = []  # (start, end, where the effect stands)

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e, _ in spans)

    for m in _WRAP.finditer(low):
        spans.append((m.start(), m.end(), "around"))
    for m in _AFTER.finditer(low):
        if free(m.start(), m.end()):
            end = _clause_end(low, m.end())
            if end - m.end() >= 2:
                spans.append((m.start(), end, "before"))
    for m in _BEFORE.finditer(low):
        back = len(low[: m.start()].rstrip(" ,"))  # "X, which drove Y": X ends at the comma
        if free(m.start(), m.end()):
            floor = max([e for _, e, _ in spans if e <= m.start()], default=0)
            start = _clause_start(low, back, floor)
            if back - start >= 2:
                spans.append((start, back, "after"))
    spans.sort()
    out = []
    for i, (start, end, side) in enumerate(spans):
        floor = spans[i - 1][1] if i else 0
        ceil = spans[i + 1][0] if i + 1 < len(spans) else len(text)
        before, after = low[floor:start], low[end:ceil]
        if side == "before" and not re.search(r"\w", before):
            side = "after"  # 由于X,Y下降: the effect follows
        effect = {"before": before, "after": after, "around": before + " " + after}[side]
        while end > start and text[end - 1] in " ,，、":
            end -= 1
        out.append(Cause(start, end, effect.strip(" ,;")))
    return out


def why_lead(text: str) -> str:
    """The first cause ``text`` gives, as it writes it."""
    found = causes(text)
    return text[found[0].start : found[0].end].strip(" ,，。.;；") if found else ""


# What a sentence says before its cause when it only points back at the sentence before
# ("这主要是由于…", "This reflects …", "The company attributed the increase to …").
_POINTING = re.compile(
    r"这一?|此|该|上述|其|变化|情况|增长|增加|下降|减少|提升|主要|公司|管理层|"
    r"\b(?:this|that|these|those|it|which|the|company|management|increase|rise|decline|"
    r"drop|growth|fall|change|improvement|decrease|was|is|were|are|mainly|largely|partly|"
    r"primarily|said|says|in|of)\b"
)


def points_back(effect: str) -> bool:
    """Whether ``effect`` (what a sentence says before its cause) names nothing of its own."""
    return not re.search(r"\w", _POINTING.sub("", fold(effect)))


# Words that ask for a cause rather than name the thing asked about.
_ASKING = re.compile(
    r"^(?:why|reasons?|cause[sd]?|caus|drive[sn]?|drove|driving|driver|behind|explain(?:s|ed)?|"
    r"led|lead|fuell?ed|contribut\w*|原因|为什么|为何|导致|驱动|带动|推动|因素|由于|因为)$"
)


def asks_cause(word: str) -> bool:
    """Whether a question word asks for a cause (drove, 原因) rather than naming a thing."""
    return bool(_ASKING.match(fold(word)))


def direction(text: str) -> int:
    """1 when ``text`` states a rise, -1 a fall, 0 neither or both."""
    low = fold(text)
    up, down = bool(_UP.search(low)), bool(_DOWN.search(low))
    return int(up) - int(down)


# ---------------------------------------------------------------- yes / no

_UP = re.compile(
    r"增长|增加|提高|提升|上升|上涨|改善|扩大|走高|走扬|攀升|成长|[年季月]增|创新高|高于|超过|超出|"
    r"\b(?:grow|grew|grown|growth|rise|rose|risen|increase[sd]?|improve[sd]?|higher|expand(?:ed)?|"
    r"gain(?:ed)?|up|jump(?:ed)?|climb(?:ed)?|surge[sd]?|beat|exceed(?:ed)?|widen(?:ed)?|above)\b",
    re.I,
)
_DOWN = re.compile(
    r"下降|减少|下滑|降低|降至|下跌|收窄|萎缩|衰退|亏损|[年季月]减|低于|不及|"
    r"\b(?:fall|fell|fallen|decline[sd]?|drop(?:ped)?|below|"
    r"decrease[sd]?|lower|shrink|shrank|down|slip(?:ped)?|narrow(?:ed)?|miss(?:ed)?|loss|"
    r"contract(?:ed)?|worsen(?:ed)?)\b",
    re.I,
)
_NEGATION = re.compile(
    r"未|没有|并非|不是|不会|尚未|无|\b(?:not|no|never|none|neither|without|yet to)\b", re.I
)
# A question's A-not-A form (有没有, 是不是, 会不会, 有无) asks; it does not negate.
_A_NOT_A = re.compile(r"(.)[不没]\1|有没有|有无|是否")
_CLAUSE = re.compile(rf"[，；;。：]|{numbers.COMMA}")  # not the comma of 268,000
YES = {"en": "Yes.", "zh": "是的。"}
NO = {"en": "No.", "zh": "不是。"}


def yes_no(question: str, text: str) -> bool | None:
    """True (yes), False (no) or None (the sentence does not decide) for a yes/no
    question answered by ``text``: the direction the question asks about against the
    one the sentence states; else the sentence affirms unless it negates."""
    q, t = fold(question), fold(text)
    asked_up, asked_down = bool(_UP.search(q)), bool(_DOWN.search(q))
    said = _asked_clause(q, t)
    said_up, said_down = bool(_UP.search(said)), bool(_DOWN.search(said))
    negated = bool(_NEGATION.search(t)) and not _NEGATION.search(_A_NOT_A.sub(" ", q))
    if asked_up != asked_down and said_up != said_down:
        same = asked_up == said_up
        return same != negated
    if asked_up != asked_down:
        if _negative_figure(text):
            return asked_down
        return None  # a direction is asked about, and this sentence states none
    return not negated


_MORE = r"高|多|大|好|快|长|贵|higher|more|greater|larger|bigger|above|better|faster|longer"
_LESS = r"低|少|小|差|慢|短|便宜|lower|less|fewer|smaller|below|worse|slower|shorter|cheaper"
# Not the 比 of 同比, 环比, 比例, 比重, 比率.
_COMPARED_ZH = re.compile(
    rf"^(?P<a>.+?)(?<![同环])比(?![例重率])(?P<b>.+?)(?:还|更)?(?P<how>{_MORE}|{_LESS})"
)
_COMPARED_EN = re.compile(rf"^(?P<a>.+?)\b(?P<how>{_MORE}|{_LESS})\b(?P<mid>.*?)\bthan\b(?P<b>.+)$")


@dataclass(frozen=True)
class Comparison:
    """A yes/no question comparing two things: "A比B高吗?", "Was A higher than B?"."""

    subject: str  # the words naming A (folded)
    other: str  # the words naming B
    more: bool  # whether it asks if A is the greater


def comparison(question: str) -> Comparison | None:
    q = fold(question)
    m = _COMPARED_ZH.search(q) or _COMPARED_EN.search(q)
    if not m:
        return None
    more = re.fullmatch(_MORE, m.group("how")) is not None
    subject = m.group("a") + (m.groupdict().get("mid") or "")
    return Comparison(subject, m.group("b"), more)


def _asked_clause(q: str, t: str) -> str:
    """The clause of ``t`` whose direction is about the question's thing (营业收入12.4亿元，
    同比下降2.5%，比重提升…: the revenue clause for a question about revenue), or all of
    ``t`` when no clause, or more than one, fits best. A clause fits by how near the
    question's words stand before its direction word (营收季减: what fell), then by how
    many of them it holds."""
    pairs = cjk_pairs(q)
    words = set(re.findall(r"[a-z]{3,}", q))

    def shared(text: str) -> int:
        return sum(p in text for p in pairs) + sum(
            bool(re.search(rf"\b{w}", text)) for w in words
        )

    def attached(clause: str) -> float:
        # How close the question's nearest word stands before the direction word.
        at = min(x.start() for x in (_UP.search(clause), _DOWN.search(clause)) if x)
        before = clause[:at]
        ends = [before.rfind(p) + 2 for p in pairs if p in before]
        ends += [m.end() for w in words for m in re.finditer(rf"\b{w}\w*", before)][-1:]
        return max((1.0 / (1 + at - e) for e in ends), default=0.0)

    stating = [c for c in _CLAUSE.split(t) if _UP.search(c) or _DOWN.search(c)]
    if len(stating) < 2:
        return t
    for fit in (attached, shared):
        scored = sorted(((fit(c), c) for c in stating), reverse=True)
        if scored[0][0] > 0 and scored[0][0] > scored[1][0]:
            return scored[0][1]
    return t


def _negative_figure(text: str) -> bool:
    return any(q.value < 0 for q in numbers.quantities(text) if q.unit == "%")


# ---------------------------------------------------------------- list

# "Which executives / directors / people …", "哪些人 / 高管 / 董事": the items are people.
_ASKS_PEOPLE = re.compile(
    r"\b(?:who|executives?|directors?|people|persons|analysts?|officers?|managers?|quoted|"
    r"spokes(?:man|woman|people))\b|谁|哪些人|哪几位|哪些高管|高管|董事|人士|分析师|负责人",
    re.I,
)
_ITEM_SEP_ZH = "、"
_MAX_ITEM_WORDS, _MAX_ITEM_CHARS = 6, 14  # longer parts of a run are clauses, not items
_LEAD_IN_ZH = re.compile(r"^.*(?:其中|包括|包含|涵盖|分别为|分别是|例如|比如|诸如|如|即)")
_LAST_ZH = re.compile(r"以及|和|及|与|、")
_ENUM_EN = re.compile(r"(?P<run>[^,;:()]+(?:,\s*[^,;:()]+)+,?\s+(?:and|or)\s+[^,;:().]+)")


_LEAD_IN = re.compile(
    r"^.*\b(?:are|were|is|was|include[sd]?|including|exclude[sd]?|excluding|such as|namely|"
    r"like|comprise[sd]?|comprising|cover(?:s|ed)?)\s+",
    re.I,
)


def list_items(question: str, texts: list[str]) -> list[str]:
    """The items a list question asks for, as the quoted sentences write them: the
    people they name (for "which executives…"), else the first enumeration ("A、B和C",
    "A, B and C") of the best sentence that has one. Items are cut to the length of the
    enumeration's inner items, so "其中A" and "C行业广告主的投放" give A and C行业."""
    from bot import names

    if _ASKS_PEOPLE.search(fold(question)):
        # The people one sentence names together ("executive directors A, B and C"),
        # else those all the quoted sentences name.
        each = [list(dict.fromkeys(n.text for n in names.people(t))) for t in texts]
        together = next((found for found in each if len(found) >= 2), [])
        found = together or list(dict.fromkeys(n for found in each for n in found))
        if len(found) >= 2:
            return found
    for text in texts:
        items = _enumeration_zh(text) or _enumeration_en(text)
        if len(items) >= 2:
            return items
    return []


def _enumeration_zh(text: str) -> list[str]:
    """ "A、B和C" (and 與, 及 of traditional text: matched folded, cut from the text as
    written; folding keeps every offset)."""
    from bot.terms import words_of

    low, at = fold(text), 0
    for piece in re.split(r"[，,；;。：:（）()]", low):
        clause, at = text[at : at + len(piece)], at + len(piece) + 1
        if _ITEM_SEP_ZH not in clause:
            continue
        parts = clause.split(_ITEM_SEP_ZH)
        inner = parts[1:-1]
        budget = max(len(p) for p in inner) + 2 if inner else 4  # a name is 2-4 characters
        if budget > _MAX_ITEM_CHARS:
            continue  # clauses, not items
        m = _LAST_ZH.search(fold(parts[-1]))
        if m and not inner and m.start() <= _MAX_ITEM_CHARS:
            budget = max(budget, m.start() + 2)  # "A、B與C": B's length measures an item
        if m and m.start() <= budget:  # "B和C…": the last two items
            parts = parts[:-1] + [parts[-1][: m.start()], parts[-1][m.end() :]]
        first = _within(words_of(_LEAD_IN_ZH.sub("", parts[0])), budget, from_end=True)
        last = _within(words_of(parts[-1]), budget, from_end=False)
        items = [first, *parts[1:-1], last] if len(parts) > 1 else []
        items = [i.strip() for i in items if i.strip()]
        if len(items) >= 2:
            return items
    return []


_MARKER = re.compile(
    r"^\s*(?:[-•*·]|[一二三四五六七八九十]是|[（(][一二三四五六七八九十\d]{1,2}[）)]|\d{1,2}[.、)]|[a-z][.)])\s*"
)
_ITEM_END = re.compile(r"[（(，,；;。:：]|\s+(?:which|that|to|for|with)\s")


def run_items(intro: str, following: list[str]) -> list[str]:
    """The items of a list a sentence introduces with a colon and the sentences after it
    give, one each ("three updates:" then "- the X firmware, which …"; "资金用途：A（约
    11亿元）；B（约6亿元）；"): each item is the head of its sentence, up to its first
    bracket or comma, without its bullet or number. [] when ``intro`` ends no colon or
    fewer than two items follow."""
    head, colon, rest = intro.rpartition("：") if "：" in intro else intro.rpartition(":")
    if not colon or (rest.strip() and not re.search(r"[；;]\s*$", rest)):
        return []
    texts = ([rest] if rest.strip() else []) + following
    # A run of bullets goes on while its sentences carry a bullet or number; a run of
    # clauses while each ends with a semicolon (the last ends the sentence).
    bullets = bool(following) and bool(_MARKER.match(following[0]))
    items: list[str] = []
    for i, t in enumerate(texts):
        if i and (not _MARKER.match(t) if bullets else not re.search(r"[；;]\s*$", texts[i - 1])):
            break
        item = _ITEM_END.split(_MARKER.sub("", t), maxsplit=1)[0].strip(" .")
        if not item or len(item) > 60:
            break
        items.append(item)
    return items if len(items) >= 2 else []


def _within(words: list[str], budget: int, from_end: bool) -> str:
    """Whole words of a segment, from its end (or start), up to ``budget`` characters."""
    seq = list(reversed(words)) if from_end else words
    kept: list[str] = []
    for w in seq:
        if kept and sum(map(len, kept)) + len(w) > budget:
            break
        kept.append(w)
    return "".join(reversed(kept) if from_end else kept)


def _enumeration_en(text: str) -> list[str]:
    m = _ENUM_EN.search(re.sub(r"\s*\([^)]*\)", "", text))  # glosses in brackets are no items
    if not m:
        return []
    parts = [
        p.strip() for p in re.split(r",\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+", m.group("run"))
    ]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return []
    inner = parts[1:-1] or parts[-1:]
    budget = max(len(p.split()) for p in inner) + 1
    # What a list is introduced with ("… were A", "excludes A", "such as A") is not its item.
    parts[0] = re.sub(_LEAD_IN, "", parts[0])
    parts[0] = " ".join(parts[0].split()[-budget:])
    parts[-1] = " ".join(parts[-1].split()[:budget])
    if budget > _MAX_ITEM_WORDS + 1:
        return []  # clauses strung with commas, not items
    return parts


# ---------------------------------------------------------------- compute


@dataclass(frozen=True)
class Computed:
    text: str  # the working: "42.5% − 38.1% = 4.4 percentage points"
    value: float
    operands: tuple[numbers.Quantity, ...]  # two, or the parts of a sum


_OP_RATIO = re.compile(r"几倍|倍|\b(?:ratio|times|multiple)\b", re.I)
_OP_SHARE = re.compile(r"占|比例|比重|\b(?:share|percentage|proportion|fraction) of\b", re.I)
_OP_SUM = re.compile(
    r"合计|加起来|合起来|一共|总计|总共|\b(?:combined|sum|together|in total)\b", re.I
)
_OP_GROWTH = re.compile(
    r"增长了?百分之|增长率|增幅|增速|\b(?:grow|growth|rise|increase)\b.*%|"
    r"by what percent",
    re.I,
)


# What the result of a change or comparison question is, when the question says: a
# difference in percentage points, a multiple, a percentage change, or an amount.
_RESULT = (
    ("pp", re.compile(r"百分点|\bpercentage points?\b|\bpp\b|\bhow many points\b", re.I)),
    ("x", re.compile(r"多少倍|几倍|\bhow many times\b|\bratio\b", re.I)),
    (
        "%",
        re.compile(
            r"百分之多少|百分之几|增长率|\bby what percent(?:age)?\b|"
            r"\bwhat percent(?:age)? (?:increase|growth|rise|decline|drop|change)\b",
            re.I,
        ),
    ),
    (
        "amount",
        re.compile(
            r"多了多少|少了多少|增加了多少|减少了多少|\bin absolute terms\b|"
            r"\bhow many (?:more|fewer)\b|\bby how many (?!percent|points)\w+",
            re.I,
        ),
    ),
)


def result_unit(question: str) -> str | None:
    """ "pp", "x", "%" or "amount": what a change or comparison question wants its
    answer in (多少个百分点, how many times, by what percentage, in absolute terms)."""
    q = fold(question)
    return next((unit for unit, pattern in _RESULT if pattern.search(q)), None)


def in_unit(figure: numbers.Quantity, unit: str) -> bool:
    """Whether ``figure`` is a result of the kind :func:`result_unit` names."""
    if unit == "amount":
        return figure.unit not in ("%", "pp", "bp", "x")
    return figure.unit == unit or (unit == "pp" and figure.unit == "bp")


def asks_share(question: str) -> bool:
    """A share of a total (占比, what percentage of): a figure reports often state."""
    return bool(_OP_SHARE.search(fold(question)))


def compute(question: str, operands: list[numbers.Quantity], lang: str) -> Computed | None:
    """The arithmetic a comparison question asks for, on the first two comparable
    ``operands`` (same unit, same currency, both rates or both amounts), or for a sum on
    as many parts as the question counts (三个业务, "the three segments"; two unless it
    says). None when no two are comparable, or fewer parts than the question counts:
    then the report does not give what the comparison needs."""
    q = fold(question)
    if _OP_SUM.search(q) and not _OP_SHARE.search(q):
        parts = _parts(operands, parts_asked(q))
        if parts is None:
            return None
        v = sum(p.value for p in parts)
        shown = " + ".join(_show(p) for p in parts)
        return Computed(f"{shown} = {_amount(v, parts[0], lang)}", v, parts)
    pair = _comparable(operands)
    if pair is None:
        return None
    a, b = pair
    if a.unit == "%" and _OP_SHARE.search(q) and result_unit(q) != "pp":
        return None  # a share is stated, not the difference of two percentages
    if a.unit == "%" and b.unit == "%" and not _OP_RATIO.search(q):
        v = a.value - b.value
        unit = "个百分点" if lang == "zh" else "percentage points"
        return Computed(f"{_show(a)} − {_show(b)} = {_fmt(abs(v))} {unit}", abs(v), pair)
    if _OP_SHARE.search(q):
        big, small = (a, b) if a.value >= b.value else (b, a)
        v = 100 * small.value / big.value
        return Computed(f"{_show(small)} ÷ {_show(big)} = {_fmt(v)}%", v, pair)
    if _OP_RATIO.search(q):
        big, small = (a, b) if a.value >= b.value else (b, a)
        v = big.value / small.value
        times = "倍" if lang == "zh" else "x"
        return Computed(f"{_show(big)} ÷ {_show(small)} = {_fmt(v)}{times}", v, pair)
    if _OP_GROWTH.search(q):
        new, old = a, b
        v = 100 * (new.value - old.value) / old.value
        return Computed(f"({_show(new)} − {_show(old)}) ÷ {_show(old)} = {_fmt(v)}%", v, pair)
    v = abs(a.value - b.value)
    return Computed(f"{_show(a)} − {_show(b)} = {_amount(v, a, lang)}", v, pair)


_SHARE_ZH = re.compile(r"(?P<a>.+?)占(?P<b>.+?)(?:的)?(?:比例|比重|多少|百分之|几成|份额|%)")
_SHARE_EN = re.compile(
    r"\b(?:share|percentage|proportion|fraction|%) of (?P<b>.+?)\s+"
    r"(?:came|comes|come|was|is|were|are|did|does) (?:from )?(?P<a>.+)$"
)
_TIMES_ZH = re.compile(r"(?P<a>.+?)是(?P<b>.+?)的(?:几|多少)倍")


def sides(question: str) -> tuple[str, str] | None:
    """The words naming the two things a computation takes, in its order (folded): A and B
    of "A比B高多少" or "how much higher was A than B", the part and the whole of "A占B的
    比重" or "what share of B came from A", the A of "A是B的几倍". None when the question
    does not set them apart."""
    q = fold(question)
    found = comparison(q)
    if found:
        return found.subject, found.other
    m = _SHARE_ZH.search(q) or _SHARE_EN.search(q) or _TIMES_ZH.search(q)
    return (m.group("a"), m.group("b")) if m else None


def asks_sum(question: str) -> bool:
    """Whether a question asks for parts added up (合计, combined), not a share of a total."""
    q = fold(question)
    return bool(_OP_SUM.search(q)) and not _OP_SHARE.search(q)


_COUNTED = re.compile(
    r"(?<!第)(?P<n>[两二三四五六七八九十]|\d{1,2})\s*(?:个|项|家|款|大|类|种|间|条|座|只|位|部|块|段)|"
    r"\b(?P<en>two|three|four|five|six|seven|eight|nine|ten|both)\b"
)
_NUMBER_WORDS = {
    **{w: i for i, w in enumerate("一两三四五六七八九十", 1)},
    "二": 2,
    **{w: i for i, w in enumerate("one two three four five six seven eight nine ten".split(), 1)},
    "both": 2,
}


def parts_asked(question: str) -> int:
    """How many parts a sum adds: the count the question gives ("三个业务", "the three
    segments", "both"), else two."""
    m = _COUNTED.search(fold(question))
    if not m:
        return 2
    word = m.group("n") or m.group("en")
    n = int(word) if word.isdigit() else _NUMBER_WORDS[word]
    return n if 2 <= n <= 12 else 2


def _parts(ops: list[numbers.Quantity], n: int) -> tuple[numbers.Quantity, ...] | None:
    """The first ``n`` operands comparable with the first one that is comparable with
    another, each figure once (a figure a report repeats is one part)."""
    for i, a in enumerate(ops):
        if a.value == 0:
            continue
        parts = [a]
        for b in ops[i + 1 :]:
            if len(parts) == n:
                break
            same = any((b.start, b.text) == (p.start, p.text) or b.text == p.text for p in parts)
            if not same and b.value != 0 and _comparable([a, b]) is not None:
                parts.append(b)
        if len(parts) == n:
            return tuple(parts)
        if len(parts) > 1:
            return None  # comparable parts, but fewer than the question counts
    return None


def comparable(a: numbers.Quantity, b: numbers.Quantity) -> bool:
    """Two figures one can compare: same unit, currency and per-share basis."""
    return _comparable([a, b]) is not None


def _comparable(ops: list[numbers.Quantity]):
    for i, a in enumerate(ops):
        for b in ops[i + 1 :]:
            if (a.start, a.text) == (b.start, b.text) or a.value == 0 or b.value == 0:
                continue
            if a.unit == b.unit and a.currency == b.currency and a.per_share == b.per_share:
                if a.unit in ("%", "pp", "x") or (a.kind == b.kind and _same_counter(a, b)):
                    return a, b
    return None


def _same_counter(a: numbers.Quantity, b: numbers.Quantity) -> bool:
    """Whether two counts count the same thing: 4个 and 4次, "48 plots" and "312
    hectares" do not add up; a bare number (a table's cell) goes with any."""
    x, y = (fold(q.counter).strip().removesuffix("s") for q in (a, b))
    return not x or not y or x == y


def _show(q: numbers.Quantity) -> str:
    return q.text.strip()


def _fmt(v: float) -> str:
    return f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) < 1e4 else f"{v:,.0f}"


_SCALES = [(1e8, "亿"), (1e4, "万")]


def _amount(v: float, like: numbers.Quantity, lang: str) -> str:
    """``v`` written in the scale of ``like`` (亿, million)."""
    text = like.text
    for size, word in (
        (1e12, "万亿"),
        (1e8, "亿"),
        (1e4, "万"),
        (1e9, "billion"),
        (1e6, "million"),
        (1e3, "thousand"),
    ):
        if word in fold(text):
            return f"{_fmt(v / size)}{'' if re.search('[a-z]', word) is None else ' '}{word}"
    return _fmt(v)
