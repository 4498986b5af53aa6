"""Names in report text: who holds a role, who wrote a piece, and what a name is.

- :func:`people`: the people a sentence names, Chinese (a surname of the common table
  below and a given name of one or two characters, or jieba's person tag) and English
  (capitalised words, not an organisation), with where each stands;
- :func:`role_groups`: the roles a question asks about (chief executive, 董事长,
  analyst, 记者 …), each a group of ways both languages write it;
- :func:`holder`: the person a sentence names with a role of the question's, by the
  grammar of titles ("总经理X表示", "X女士（主席）", "X, chief executive of …",
  "Investor contact: X") and bylines (【记者X／台北报导】, "By X");
- :func:`defined` and :func:`definition`: the name a "what is X?" question asks
  about, and the phrase that says what X is: a modifier before it (AI绘图工具“X”, "the
  X garden pump"), an apposition ("X, a camera …"), or a definition ("“X”：指…").

General language only (titles, surnames, honorifics, function words of both
languages); nothing here knows any report. Matching is on folded text
(:func:`bot.normalize.fold`, same length), so traditional and simplified meet; what is
returned is the text's own characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.normalize import fold

# ---------------------------------------------------------------- roles

# Role -> the ways a question or a report writes it (folded: simplified, lower case).
# A question's role word finds its group; the report may use any way of the group.
ROLES: dict[str, tuple[str, ...]] = {
    "ceo": ("ceo", "chief executive", "首席执行官", "行政总裁", "执行长", "执行总裁"),
    "president": ("president", "总裁", "总经理", "社长"),
    "general manager": ("general manager", "managing director", "总经理"),
    "chair": ("chairman", "chairwoman", "chairperson", "chair", "chairs", "chaired",
              "董事长", "董事会主席", "主席", "主任", "会长"),
    "cfo": ("cfo", "chief financial officer", "finance director", "financial officer",
            "首席财务官", "财务总监", "财务长", "财务负责人"),
    "coo": ("coo", "chief operating officer", "首席运营官", "营运长", "运营总监"),
    "cto": ("cto", "chief technology officer", "首席技术官", "技术长", "技术总监"),
    "founder": ("founder", "co-founder", "founded", "创始人", "联合创始人", "创办人"),
    "analyst": ("analyst", "分析师"),
    "economist": ("economist", "经济学家"),
    "reporter": ("reporter", "journalist", "correspondent", "author", "wrote", "written",
                 "byline", "记者", "作者", "撰文", "撰写", "报导", "报道"),
    "head": ("head", "heads", "headed", "lead", "leads", "led", "runs", "ran", "in charge",
             "responsible", "general manager", "负责人", "负责", "主管", "总经理", "掌管",
             "带领", "领导", "牵头"),
    "contact": ("contact", "联系人", "联络人", "联系"),
    "secretary": ("secretary", "秘书"),
    "spokesperson": ("spokesperson", "spokesman", "spokeswoman", "发言人"),
    "investigator": ("investigator", "principal investigator", "co-investigator", "研究员",
                     "首席研究员"),
    "vice president": ("vice president", "vp", "副总裁", "副总经理"),
    "director": ("director", "董事"),
}  # fmt: skip


def _role_pattern(words) -> re.Pattern:
    en = sorted((w for w in words if w.isascii()), key=len, reverse=True)
    zh = sorted((w for w in words if not w.isascii()), key=len, reverse=True)
    parts = []
    if en:
        parts.append(r"(?<![a-z\-])(?:" + "|".join(map(re.escape, en)) + r")(?![a-z])")
    if zh:
        parts.append("|".join(map(re.escape, zh)))
    return re.compile("|".join(parts))


_ROLE_RE = {name: _role_pattern(ways) for name, ways in ROLES.items()}
_ANY_ROLE = _role_pattern({w for ways in ROLES.values() for w in ways})


def role_groups(question: str) -> list[str]:
    """The roles ``question`` asks about: "Who is the CFO?" -> ["cfo"]."""
    q = fold(question)
    found = [name for name, pat in _ROLE_RE.items() if pat.search(q)]
    # "vice president" is not "president"; "general manager" also reads as "head".
    if "vice president" in found and not re.search(r"(?<!vice )president|(?<!副)总裁", q):
        found = [f for f in found if f != "president"]
    return found


def is_role(word: str) -> bool:
    """Whether ``word`` is a title ("CEO", "首席执行官"): what a question asks about, not a
    name the evidence must hold (a report may write the title another way)."""
    w = fold(word).strip()
    return any(w in ways for ways in ROLES.values())


def role_ways(groups: list[str]) -> re.Pattern | None:
    ways = {w for g in groups for w in ROLES[g]}
    return _role_pattern(ways) if ways else None


# ---------------------------------------------------------------- people

# The common single and compound Chinese surnames (百家姓 and the most frequent modern
# ones), simplified: general language, like a dictionary.
SURNAMES_1 = set(
    """王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林 罗 高 郑 梁 谢 宋 唐 许 韩 冯 邓
    曹 彭 曾 肖 萧 田 董 袁 潘 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪
    范 金 石 廖 贾 夏 韦 付 傅 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 阎 段 雷 侯 龙 史 陶 黎 贺
    顾 毛 郝 龚 邵 万 钱 严 覃 武 戴 莫 孔 向 汤 常 温 康 施 文 牛 樊 葛 邢 安 齐 易 乔 伍
    庞 颜 倪 庄 聂 章 鲁 岳 翟 殷 詹 申 欧 耿 关 兰 焦 俞 左 柳 甘 祝 包 宁 尚 符 舒 阮 柯
    纪 梅 童 凌 毕 单 季 裴 霍 涂 成 苗 谷 盛 曲 翁 冉 骆 蓝 路 游 辛 靳 管 柴 蒙 鲍 华 喻
    祁 蒲 房 滕 屈 饶 解 牟 艾 尤 阳 时 穆 农 司 卓 古 吉 缪 简 车 项 连 芦 麦 褚 娄 窦 戚
    岑 景 党 宫 费 卜 冷 晏 席 卫 米 柏 宗 瞿 桂 全 佟 应 臧 闵 苟 邬 边 卞 姬 师 和 仇 栾
    隋 商 刁 沙 荣 巫 寇 桑 郎 甄 丛 仲 虞 敖 巩 明 佘 池 查 麻 苑 迟 邝 官 封 谈 匡 鞠 惠
    荆 乐 冀 郁 胥 南 班 储 原 栗 燕 楚 鄢 劳 谌 奚 皮 粟 冼 蔺 楼 盘 满 闻 位 厉 伊 仝 区
    郜 海 阚 花 权 强 帅 屠 豆 朴 盖 练 廉 禹 井 祖 漆 巴 丰 支 卿 国 狄 平 计 索 宣 晋 相
    初 门 云 容 敬 来 扈 晁 芮 都 普 阙 浦 戈 伏 鹿 薄 邸 雍 辜 羊 阿 乌 母 裘 亓 修 邰 赫
    杭 况 那 宿 鲜 印 逯 隆 茹 诸 战 慕 危 玉 银 亢 嵇 公 哈 湛 宾 戎 勾 茅 利 於 呼 居 揭
    干 但 尉 冶 斯 元 束 檀 衣 信 展 阴 昝 智 幸 奉 植 衡 富 尧 闭 由""".split()
)
SURNAMES_2 = set(
    """欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离
    宗政 澹台 申屠 太史 端木 闻人 西门 南宫 独孤 百里 呼延 万俟 东郭 公羊 赫连 濮阳
    淳于 单于 拓跋 左丘 段干 司空 第五""".split()
)
# What may follow a Chinese person's name: an honorific, a verb of saying or doing that
# reports put after a name, or a break.
_AFTER_ZH = re.compile(
    r"先生|女士|小姐|博士|教授|医生|律师|老师|院士|表示|说|称|指出|认为|透露|介绍|提到|坦言|强调|"
    r"分析|补充|回应|预计|预估|说明|解释|直言|谈到|谈|指|并|也|则|还|在|于|曾|对|向|等|将|已|亲自|"
    r"担任|负责|带领|主导|出任|兼任|兼|为|是|的|和|与|及|率|领|接受|出席|签署|宣布|【|】|[，。、；：:,;.（()）」”’\"'／/\s]|$"
)
# Honorifics and titles that open an English person's name; words that end an
# organisation's name, which is then no person.
_EN_TITLE = r"(?:(?:Dr|Mr|Mrs|Ms|Prof|Professor|Sir|Dame)\.?\s+)"
_EN_PERSON = re.compile(
    _EN_TITLE + r"?(?P<name>[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?"
    r"(?:\s+(?:[A-Z]\.|(?:de|van|der|von|da|di|du|le|la|bin|al)\s+)?[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?){1,3})"
    r"|" + _EN_TITLE + r"(?P<surname>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)"
)
ORG_WORDS = set(
    """inc inc. ltd ltd. limited ag gmbh sa plc llc llp corp corp. corporation company co co.
    group holdings holding technologies technology tech systems capital securities partners
    bank institute university college school research labs laboratories lab robotics
    energy motors mobility semiconductor semiconductors electronics pharma pharmaceuticals
    foods media networks network solutions services software industries international
    associates agency department ministry council committee board relations investor office
    center centre foundation fund association exchange markets cloud ventures airlines
    logistics insurance trust analytics consulting hospital clinic studio studios press
    news times journal post review daily""".split()
)
NOT_NAME_WORDS = set(
    """The A An In On At For By With From To And Or But This That These Those It Its Our We
    He She They His Her Their According Source Sources Revenue Sales Net Gross Operating
    Total Fiscal Quarter First Second Third Fourth Half Year January February March April
    May June July August September October November December Monday Tuesday Wednesday
    Thursday Friday Saturday Sunday Chief Executive Officer Financial President Vice
    Chairman Chair Director Head Senior General Manager Analyst Reporter Contact
    Investor Editor Editing Reporting Shares Share Stock About Forward Looking Statements
    Note Notes Table Figure Outlook Highlights Summary Press Release Media Mr Mrs Ms Dr
    Prof Professor Sir Dame If When While After Before During As Also Both Each""".split()
)


@dataclass(frozen=True)
class Name:
    start: int
    end: int
    text: str
    person: bool = True


def people(text: str) -> list[Name]:
    """The people ``text`` names, in order, as written."""
    found = _people_zh(text) + _people_en(text)
    found.sort(key=lambda n: n.start)
    out: list[Name] = []
    for n in found:  # overlapping readings: the first, longer one
        if out and n.start < out[-1].end:
            if n.end - n.start > out[-1].end - out[-1].start and n.start == out[-1].start:
                out[-1] = n
            continue
        out.append(n)
    return out


def _people_zh(text: str) -> list[Name]:
    if not re.search(r"[\u4e00-\u9fff]", text):
        return []
    low = fold(text)
    out: list[Name] = []
    tagged = _tagged(text)
    pos = 0
    for word, flag in tagged:
        at = text.find(word, pos)
        if at < 0:
            continue
        pos = at + len(word)
        w = fold(word)
        if flag.startswith("nr") and 2 <= len(word) <= 4 and re.fullmatch(r"[\u4e00-\u9fff]+", w):
            if w[:2] in SURNAMES_2 or w[0] in SURNAMES_1:
                out.append(Name(at, at + len(word), word))
            elif len(w) == 2 and at > 0 and low[at - 1] in SURNAMES_1:
                # jieba cut the surname off the given name.
                out.append(Name(at - 1, at + 2, text[at - 1 : at + 2]))
    # A name right after a role word (总经理X表示, 主席为X女士, 记者X／): jieba often
    # cuts such names apart or tags them as other words.
    for m in _ANY_ROLE.finditer(low):
        i = m.end()
        link = re.match(r"(?:兼[\u4e00-\u9fffa-z]{1,8}?)?(?:为|由|是|：|:)?", low[i:])
        i += link.end() if link else 0
        n = _zh_name_at(low, i)
        if n:
            out.append(Name(i, i + n, text[i : i + n]))
    # A name before an honorific (X先生, X女士), wherever it stands.
    for m in re.finditer(r"先生|女士|博士|教授", low):
        for size in (3, 2, 4):
            i = m.start() - size
            if (
                i >= 0
                and _surname_len(low, i)
                and re.fullmatch(r"[\u4e00-\u9fff]+", low[i : m.start()])
            ):
                if size == 4 and _surname_len(low, i) != 2:
                    continue
                out.append(Name(i, m.start(), text[i : m.start()]))
                break
    return out


def _surname_len(low: str, i: int) -> int:
    if low[i : i + 2] in SURNAMES_2:
        return 2
    return 1 if low[i : i + 1] in SURNAMES_1 else 0


def _zh_name_at(low: str, i: int) -> int:
    """The length of a person's name starting at ``i`` of folded text, or 0: a surname,
    then one or two characters, then what may follow a name. Of two readings, the one
    followed by the longer word wins, and the shorter name on a tie: 周明认为 is 周明
    (认为), not 周明认 (为)."""
    s = _surname_len(low, i)
    if not s:
        return 0
    best, best_after = 0, -1
    for given in (1, 2):
        end = i + s + given
        if end <= len(low) and re.fullmatch(r"[\u4e00-\u9fff]+", low[i:end]):
            after = _AFTER_ZH.match(low, end)
            if after and len(after.group()) > best_after:
                best, best_after = end - i, len(after.group())
    return best


@lru_cache(maxsize=2048)
def _tagged(text: str) -> tuple[tuple[str, str], ...]:
    from bot.terms import _jieba_lock, _tagger

    pseg = _tagger()
    with _jieba_lock:
        return tuple((p.word, p.flag) for p in pseg.cut(text))


def _people_en(text: str) -> list[Name]:
    out: list[Name] = []
    for m in _EN_PERSON.finditer(text):
        key = "name" if m.group("name") else "surname"
        words = m.group(key).split()
        if words[0] in NOT_NAME_WORDS:
            # "Chief executive Petra Osman": the name starts after the title words.
            rest = [w for w in words if w not in NOT_NAME_WORDS]
            if len(rest) < 2 or words[-len(rest) :] != rest:
                continue
            start = m.start(key) + m.group(key).index(rest[0])
            words = rest
        else:
            start = m.start(key) if key == "name" else m.start()
        end = m.end(key)
        if any(w.lower().strip(".") in ORG_WORDS for w in words):
            continue
        if any(w in NOT_NAME_WORDS for w in words):
            continue
        out.append(Name(start, end, text[start:end]))
    return out


def organisations(text: str) -> list[Name]:
    """Capitalised runs that end in an organisation word (Holdings, University), or hold
    "&"; and jieba's organisation tags (nt) in Chinese."""
    out = []
    for m in re.finditer(
        r"(?:the\s+)?[A-Z][\w\-]+(?:\s+(?:of|for|and|&|de)?\s*[A-Z][\w\-.]*)*", text
    ):
        words = [w.strip(".,").lower() for w in m.group().split()]
        if words[0] == "the":
            continue
        if "&" in words or any(w in ORG_WORDS for w in words[1:]):
            out.append(Name(m.start(), m.end(), m.group().rstrip(".,"), person=False))
    pos = 0
    for word, flag in _tagged(text) if re.search(r"[\u4e00-\u9fff]", text) else ():
        at = text.find(word, pos)
        pos = at + len(word) if at >= 0 else pos
        if flag == "nt" and at >= 0:
            out.append(Name(at, at + len(word), word, person=False))
    return out


# ---------------------------------------------------------------- who holds a role

# A byline: 【记者X／城市报导】, 记者X报道, 文／X, "By X", "Reporting by X".
_BYLINE = re.compile(
    r"(?:记者|撰文|作者|文)\s*[／/：:]?\s*(?P<zh>[\u4e00-\u9fff]{2,4}?)\s*(?=[／/]|报导|报道|】|\s|$)"
    r"|(?:^|\(|\b)(?:by|reporting by|written by)\s+(?P<en>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2})",
    re.I,
)


def byline(text: str) -> Name | None:
    """The author a byline names: 【记者X／台北报导】 -> X; "By X" -> X."""
    low = fold(text)
    for m in _BYLINE.finditer(low):
        key = "zh" if m.group("zh") else "en"
        if key == "zh" and not _surname_len(low, m.start(key)):
            continue
        if key == "en" and not re.match(r"[A-Z]", text[m.start(key)]):
            continue
        return Name(m.start(key), m.end(key), text[m.start(key) : m.end(key)])
    return None


def holder(question: str, text: str, anchors: list[int] = ()) -> Name | None:
    """The person ``text`` names in a role the question asks about, or None.

    The name nearest a mention of the role, either side ("总经理X", "X（主席）", "X,
    chief executive of …", "Investor contact: X"); a byline answers "who wrote it".
    The question's own title first ("co-investigator" before "investigator"), and of
    several mentions of it, the one nearest ``anchors`` (where the question's other
    words stand in ``text``: 华东事业部总经理 for "the East China division's head").
    """
    groups = role_groups(question)
    if "reporter" in groups:
        found = byline(text)
        if found:
            return found
    low = fold(text)
    q = fold(question)
    own = {w for g in groups for w in ROLES[g] if _role_pattern([w]).search(q)}
    pat = next(
        (
            p
            for p in (_role_pattern(own) if own else None, role_ways(groups))
            if p and p.search(low)
        ),
        None,
    )
    if pat is None:
        return None
    names = [n for n in people(text) if fold(n.text) not in q]
    best, best_gap = None, 40.0
    for m in pat.finditer(low):
        near = min((abs(a - m.start()) for a in anchors), default=0)
        for n in names:
            if n.start >= m.end():
                gap = n.start - m.end()
                between = low[m.end() : n.start]
            elif n.end <= m.start():
                gap = m.start() - n.end
                between = low[n.end : m.start()]
                if "、" in between:
                    continue  # "董事长X、首席财务官Y": X is another item of the list
            elif n.end - m.end() >= 2 and n.person:
                # The name's cut ran into the role ("官柯敏" of 首席财务官柯敏): the
                # rest, after the role, is the name.
                n = Name(m.end(), n.end, text[m.end() : n.end], True)
                gap, between = 0, ""
            else:
                continue
            if re.search(r"[。；;!?！？]", between):
                continue
            if n.start >= m.end() and re.search(r"[）)]", between):
                continue  # "X先生（主席）、Y": the bracketed role is X's
            # Honorifics and brackets join a name to its role: "X女士（主席）".
            gap -= len("".join(re.findall(r"先生|女士|博士|教授|[（(]", between)))
            # Another person between the role and this name holds the role instead.
            if any(o is not n and _within(o, n, m) for o in names):
                continue
            gap += 4 * len(re.findall(r"[，,、]", between))
            if gap >= 40:
                continue
            gap += 0.1 * min(near, 100)
            if best is None or gap < best_gap:
                best, best_gap = n, gap
    return best


def _within(o: Name, n: Name, m: re.Match) -> bool:
    lo, hi = (m.end(), n.start) if n.start >= m.end() else (n.end, m.start())
    return lo <= o.start and o.end <= hi


# ---------------------------------------------------------------- what a name is

_DEFINE_EN = re.compile(
    r"^\s*what(?:'s|’s| is| are| was| were)\s+(?:the\s+|an?\s+)?(?P<x>.+?)\s*[?.!]*\s*$", re.I
)
_DEFINE_ZH = re.compile(
    r"^\s*(?:请问)?(?P<x>.+?)(?:是|指的是|是指)(?:一[款个种家项])?(?:什么|甚么|什麼|甚麼|啥|哪种|哪类)"
    r"(?:样的|样)?(?:产品|东西|公司|平台|品牌|技术|项目|业务|服务|设备|工具|模型|应用|意思)?\s*[?？。!！]*\s*$"
    r"|^\s*什么是(?P<y>.+?)\s*[?？。]*\s*$"
)


def defined(question: str) -> str:
    """The name a "what is X?" question asks about, as written; "" for other questions.

    >>> defined("What is Vela Cloud?"), defined("“星图”是什么产品?"), defined("What is revenue?")
    ('Vela Cloud', '星图', '')
    """
    m = _DEFINE_EN.match(question) or _DEFINE_ZH.match(fold(question))
    if not m:
        return ""
    x = m.group("x") if "x" in m.groupdict() and m.group("x") else m.group("y")
    if m.re is _DEFINE_ZH:
        start = m.start("x") if m.group("x") else m.start("y")
        x = question[start : start + len(x)]
    x = x.strip(" \t「」“”\"'《》『』‘’")
    # A name: a capital, a digit or a Chinese name; no possessive ("X's revenue"), no
    # "of", no pronoun, not too long.
    if not x or len(x) > 40 or re.search(r"['’]s\b|\bof\b|\s(?:and|in|for|by)\s", x):
        return ""
    if re.fullmatch(r"[a-z\s\-]+", x) or fold(x) in ("这", "那", "它", "这个", "那个", "其"):
        return ""
    if re.search(r"[\u4e00-\u9fff]", x) and not re.search(r"[a-zA-Z0-9]", x):
        if not re.search(r"[「」“”\"《》『』]", question):  # 鲸绘是什么: quoted or a proper noun
            from bot.terms import is_proper

            if not is_proper(fold(x)):
                return ""
    return x


_ZH_STOP_FLAGS = ("x", "u", "c", "p", "r", "t", "y")
_ZH_STOP_WORDS = set(
    """的 之 了 或 和 与 及 以及 、 至 为 是 将 由 在 于 把 被 对 向 从 等 包括 即 已 也 还
    仍 并 均 都 则""".split()
)
_EN_STOP = set(
    """the a an its their our his her this that these those and or but of in on at to for
    from by with as is are was were be been has have had will would which who that said
    says also than then after before""".split()
)


def definition(name: str, text: str, strong: bool = False) -> str:
    """The phrase of ``text`` that says what ``name`` is, or "".

    "“X”：指…的模型" -> "…的模型"; "X, a sonar sensor, …" -> "a sonar sensor"; "the
    X garden pump" -> "garden pump"; "推出AI绘图工具“X”" -> "AI绘图工具".
    ``strong``: only a definition, an apposition, or a modifier of a quoted name (a
    modifier of a bare name may be a verb's subject: 用户使用X).
    """
    low, key = fold(text), fold(name)
    at = low.find(key)
    while at >= 0:
        found = _defined_at(text, low, at, at + len(key), strong)
        if found:
            return found
        at = low.find(key, at + 1)
    return ""


def _defined_at(text: str, low: str, start: int, end: int, strong: bool) -> str:
    close = re.match(r"[」”\"』’》]?", low[end:])
    after = end + close.end()
    # A definition after the name: "“X”：指…", "X，即…", "X是一款…".
    m = re.match(
        r"\s*(?:[：:]\s*(?:指|是指)?|，\s*即|（即|是一[款个种家项]|为一[款个种家项])"
        r"(?P<d>[^，。；;）]{2,60})",
        low[after:],
    )
    if m:
        return text[after + m.start("d") : after + m.end("d")].strip()
    before = text[:start].rstrip("«“\"'「")
    # "a camera module called X", "X is a …", "the X garden pump", "the portable
    # camera X", "X, a camera …", in that order of trust.
    m = re.search(
        r"\b(?:an?|the|its|their|our)\s+(?P<d>(?:[a-z][a-z\-]*\s+){1,4}?)"
        r"(?:called|named|dubbed|known as|branded)\s*$",
        before,
    )
    if m:
        return m.group("d").strip()
    m = re.match(r"\s+(?:is|was)\s+(?P<d>(?:an?|the)\s+[^,.;:()\"“”]{3,80})", text[after:])
    if m and not re.match(r"the\s+(?:first|second|only|largest|biggest|most)\b", m.group("d")):
        return _np(m.group("d"))
    words = before.split()
    if words and words[-1].lower() in _DETERMINERS:
        tail = re.match(r"\s+((?:[a-z][a-z\-]*\s*){1,3})", text[after:])
        kept = []
        for w in tail.group(1).split() if tail else ():
            if w in _EN_STOP:
                break
            kept.append(w)
        if kept:
            return " ".join(kept)
    m = re.search(r"\b(?:an?|the|its|their|our)\s+(?P<d>(?:[a-z][a-z\-]*\s+){1,4}?)$", before)
    if m and not any(w in _EN_STOP for w in m.group("d").split()):
        return m.group("d").strip()
    m = re.match(r"\s*(?:,|\()\s*(?P<d>(?:an?)\s+[^,.;:()\"“”]{3,80})", text[after:])
    if m:
        return _np(m.group("d"))
    # Chinese: the modifier right before the name (AI绘图工具“X”, 德国厨具品牌X).
    quoted = bool(start) and low[start - 1] in '「“"『《'
    if quoted or (not strong and re.search(r"[\u4e00-\u9fff]", text[max(0, start - 2) : start])):
        return _modifier_zh(text, start)
    return ""


_DETERMINERS = ("the", "a", "an", "its", "their", "our", "his", "her")


def _np(phrase: str) -> str:
    """An English noun phrase up to a relative clause or a preposition of purpose."""
    cut = r"\s+(?:that|which|who|with|for|to|from|and|used|designed)\s+"
    return re.split(cut, phrase)[0].strip()


def _modifier_zh(text: str, start: int) -> str:
    open_ = 1 if start and text[start - 1] in '「“"『《‘' else 0
    clause = re.split(r"[，。；;、：:！？!?（）()【】]", text[: start - open_])[-1]
    if not clause:
        return ""
    kept: list[str] = []
    for w, f in reversed(_tagged(clause)):
        cjk = len(re.findall(r"[\u4e00-\u9fff]", "".join(kept)))
        if fold(w) in _ZH_STOP_WORDS or f.startswith(_ZH_STOP_FLAGS) or (f == "m" and not kept):
            break
        # 推出X / 收购了X: a verb before a noun phrase takes it as its object (jieba
        # also tags single characters of names as verbs, which do not count).
        if f == "v" and len(w) >= 2 and cjk >= 2:
            break
        kept.insert(0, w)
        if sum(map(len, kept)) >= 16:
            break
    if kept and _tag(kept[-1]) == "v" and len(kept[-1]) >= 2 and not open_:
        return ""  # 使用X / 支持X: the name is a verb's object, not a thing modified
    phrase = "".join(kept)
    return phrase if len(phrase) >= 2 and re.search(r"[\u4e00-\u9fff]", phrase) else ""


def _tag(word: str) -> str:
    tagged = _tagged(word)
    return tagged[0][1] if len(tagged) == 1 else ""
