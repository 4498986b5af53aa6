"""Answers beyond one figure: who, why, yes/no and computed comparisons, on invented text."""

import pytest

from bot import kinds
from bot.numbers import quantities


def test_who_leads_with_the_name_the_question_does_not_hold():
    text = "公司首席财务官吴思远在电话会上表示，下半年将控制开支。"
    assert kinds.who_lead("公司的首席财务官是谁?", text, "zh") == "吴思远"
    # An English question about a Chinese name gets its pinyin too.
    assert kinds.who_lead("Who is the CFO?", text, "en") == "吴思远 (Wu Siyuan)"
    en = "Chief executive Maria Halvorsen said the recall would cost €40 million."
    assert kinds.who_lead("Who is the chief executive?", en, "en") == "Maria Halvorsen"


@pytest.mark.parametrize(
    "question, text, lang, name",
    [
        # The surname stays with the given name, in either script.
        (
            "谁是岚港的总经理?",
            "總經理歐陽思遠表示，新廠明年投產。",
            "zh",
            "歐陽思遠",
        ),
        (
            "薪酬委员会主席是谁?",
            "薪酬委员会由四名成员组成，主席为邱慧敏女士，负责审议薪酬。",
            "zh",
            "邱慧敏",
        ),
        # A bracketed role is the name's before it, not the next one's.
        (
            "本公司的主席是誰？",
            "董事會包括執行董事馮立行先生（主席）、苗曉彤女士（行政總裁）。",
            "zh",
            "馮立行",
        ),
        (
            "Who is the CFO?",
            "董事會包括馮立行先生（主席）及苗曉彤女士（首席財務官）。",
            "en",
            "苗曉彤 (Miao Xiaotong)",
        ),
        (
            "Who is Corvane's chief executive?",
            '"We grew," said Odile Fairbank, chief executive officer of Corvane.',
            "en",
            "Odile Fairbank",
        ),
        (
            "Who is the CFO?",
            "Mr. Tam Ka Lok (Chief Executive Officer) and Ms. Wu Siu Yan "
            "(Chief Financial Officer) as executive directors;",
            "en",
            "Wu Siu Yan",
        ),
        (
            "投资者关系的联系人是谁?",
            "Investor relations contact: Rhea Castellane, Corvane",
            "zh",
            "Rhea Castellane",
        ),
        # The question's own title before its kin: co-investigator, not investigator.
        (
            "Who was the co-investigator?",
            "Dr. Ines Marrow, the lead investigator, and Dr. Pavel Lind of Brackley "
            "College, the co-investigator, ran the tests.",
            "en",
            "Pavel Lind",
        ),
        # Bylines answer who wrote the piece.
        (
            "Which reporter wrote this article?",
            "【記者邵嘉琳／台中報導】工具機廠今日公布營收。",
            "en",
            "邵嘉琳 (Shao Jialin)",
        ),
        ("Who wrote the article?", "By Imogen Tarrant", "en", "Imogen Tarrant"),
        # 周明认为: the name ends before the verb.
        (
            "点评业绩的分析师是谁?",
            "北辰证券首席分析师祁明认为，公司订单仍有上行空间。",
            "zh",
            "祁明",
        ),
    ],
)
def test_who_leads_with_the_person_in_the_role_asked(question, text, lang, name):
    assert kinds.who_lead(question, text, lang) == name


def test_of_several_holders_of_a_title_the_one_by_the_question_words_leads():
    text = "泵阀事业部总经理韦思成先生，照明事业部总经理柯一鸣先生，安防事业部总经理莫雨桐女士，"
    anchors = [text.index("照明")]
    assert kinds.who_lead("照明事业部的总经理是谁?", text, "zh", anchors) == "柯一鸣"


@pytest.mark.parametrize(
    "question, text, phrase",
    [
        (
            "“星图”是什么产品?",
            "公司推出了翻译耳机“听风2”、AI绘图工具“星图”，以及轻量版小程序“StarGo”。",
            "AI绘图工具",
        ),
        (
            "What is StarGo?",
            "公司推出了翻译耳机“听风2”，以及面向拉美市场的轻量版小程序“StarGo”。",
            "轻量版小程序",
        ),
        (
            "「雲鵲7」是什麼產品？",
            "鎖定儲能市場的智慧電池管理晶片「雲鵲7」已送樣。",
            "智慧電池管理晶片",
        ),
        ("“云梯”是什么?", "“云梯”：指公司自建的物流调度平台。", "公司自建的物流调度平台"),
        ("What is Vela?", "Vela, a cloud service for banks, grew 20%.", "a cloud service"),
        ("What is Vela?", "Vela is a cloud service for banks.", "a cloud service"),
        (
            "Orla是什么产品?",
            "Its retail arm, which stocks the Orla garden pump, shrank.",
            "garden pump",
        ),
        (
            "What is Tern Eye?",
            "It ships with a sonar sensor called Tern Eye, a charger, a case.",
            "sonar sensor",
        ),
        ("What is Vela?", "The company said Vela grew.", ""),
        ("What is Vela?", "用户也使用Vela的接口进入了欧洲。", ""),
    ],
)
def test_what_is_leads_with_the_phrase_that_says_what_the_name_is(question, text, phrase):
    assert kinds.what_lead(question, text) == phrase


def test_why_leads_with_the_cause_clause():
    cause = kinds.why_lead("毛利率提升至48%，主要得益于高端产品占比提高。")
    assert cause == "主要得益于高端产品占比提高"
    assert (
        kinds.why_lead("Revenue rose 12%, driven by higher prices in Europe.")
        == "driven by higher prices in Europe"
    )
    assert kinds.why_lead("Revenue rose 12% to €2.4 billion.") == ""


@pytest.mark.parametrize(
    "text, cause, effect",
    [
        # the cause after its connective, in either script
        ("財務成本減少，主要由於償還部分銀行借款。", "主要由於償還部分銀行借款", "财务成本"),
        # inside it: 受X影响, then the effect
        ("受北方寒潮影响，暖风机销量同比增长40%。", "受北方寒潮影响", "暖风机销量"),
        # before it: "X, which drove Y", X导致Y
        ("Orders from rail operators doubled, which drove revenue up 9%.",
         "Orders from rail operators doubled", "revenue up"),
        ("铜价上涨导致毛利率下降2个百分点。", "铜价上涨", "毛利率下降"),
        # "attributes ... to"; a cause clause that goes on with 以及 / and
        ("Yields improved, which the growers attribute to the new seed.",
         "attribute to the new seed", "yields improved"),
        ("费用下降主要是由于关闭两家门店，以及裁减外包人员。",
         "主要是由于关闭两家门店，以及裁减外包人员", "费用下降"),
    ],
)  # fmt: skip
def test_a_cause_is_read_from_where_its_connective_puts_it(text, cause, effect):
    found = kinds.causes(text)
    assert [text[c.start : c.end] for c in found] == [cause]
    assert effect in found[0].effect


def test_each_cause_of_a_sentence_explains_its_own_clause():
    text = "北区销量上升主要是新店开业，南区销量下滑则是因为竞争对手降价。"
    north, south = kinds.causes(text)
    assert text[north.start : north.end] == "主要是新店开业"
    assert "北区" in north.effect and "南区" not in north.effect
    assert text[south.start : south.end] == "则是因为竞争对手降价"
    assert "南区销量下滑" in south.effect


def test_an_effect_that_only_points_back_names_nothing_of_its_own():
    assert kinds.points_back("This") and kinds.points_back("这主要")
    assert not kinds.points_back("北区销量")


@pytest.mark.parametrize(
    "question, text, verdict",
    [
        ("Did revenue grow?", "Revenue rose 12% to €2.4 billion.", True),
        ("Did revenue fall?", "Revenue rose 12% to €2.4 billion.", False),
        ("毛利率提高了吗?", "二季度毛利率由45.1%下降至43.2%。", False),
        ("毛利率提高了吗?", "二季度毛利率由45.1%提升至47.2%。", True),
        ("Did the company launch the Vela 9?", "The company launched the Vela 9 in May.", True),
        ("Did the company pay a dividend?", "The board did not declare a dividend.", False),
        ("Did margins improve?", "The company opened two plants.", None),  # does not decide
    ],
)
def test_yes_no_follows_the_deciding_sentence(question, text, verdict):
    assert kinds.yes_no(question, text) is verdict


def test_a_percentage_point_difference_is_computed_from_two_cited_rates():
    text = "毛利率为42.5%，经营利润率为38.1%。"
    done = kinds.compute("毛利率比经营利润率高多少个百分点?", quantities(text), "zh")
    assert done is not None and abs(done.value - 4.4) < 1e-9
    assert done.text == "42.5% − 38.1% = 4.4 个百分点"
    # Every computed answer equals the arithmetic on its cited figures.
    a, b = done.operands
    assert abs(done.value - abs(a.value - b.value)) < 1e-9


def test_ratio_share_and_sum_use_the_figures_as_written():
    text = "Cloud revenue was $1.2 billion and device revenue was $0.4 billion."
    figs = quantities(text)
    question = "How many times larger was cloud revenue than device revenue?"
    ratio = kinds.compute(question, figs, "en")
    assert ratio is not None and abs(ratio.value - 3.0) < 1e-9
    total = kinds.compute("What was cloud and device revenue combined?", figs, "en")
    assert total is not None and abs(total.value - 1.6e9) < 1 and "1.6 billion" in total.text


def test_figures_that_are_not_comparable_are_refused():
    text = "营收为12.5亿元，毛利率为42.5%。"
    assert kinds.compute("营收比毛利率高多少?", quantities(text), "zh") is None


def test_a_list_leads_with_the_items_the_quotes_enumerate():
    zh = "其中园艺、宠物和户外行业商家的订单增长最快，园艺行业订单同比增长超过30%。"
    assert kinds.list_items("哪些行业的订单增长最快?", [zh]) == ["园艺", "宠物", "户外行业"]
    en = (
        "Adjusted figures exclude share-based pay ($12 million in the quarter), "
        "amortization of acquired software and severance costs."
    )
    assert kinds.list_items("Which items are excluded from adjusted figures?", [en]) == [
        "share-based pay",
        "amortization of acquired software",
        "severance costs",
    ]
    people = "董事會包括執行董事王立安先生（主席）、趙敏女士（行政總裁）及孫浩然先生。"
    assert kinds.list_items("Who are the executive directors?", [people]) == [
        "王立安",
        "趙敏",
        "孫浩然",
    ]
    assert kinds.list_items("Which segments grew?", ["Revenue rose 9% to $2.1 billion."]) == []


def test_clauses_strung_with_commas_are_not_list_items():
    text = (
        "Sales for the half reached $2.4 billion, up from $2.1 billion a year earlier, "
        "driven by strong demand in the northern markets and by price increases."
    )
    assert kinds.list_items("Which markets drove demand?", [text]) == []


def test_a_sum_adds_as_many_parts_as_the_question_counts():
    text = "Nordra's July sales were 4.1亿元、August sales 4.3亿元、September sales 4.6亿元."
    done = kinds.compute("七月到九月三个月的销售额合计是多少?", quantities(text), "zh")
    assert done is not None and len(done.operands) == 3
    # Every computed answer equals the arithmetic on its cited figures.
    assert abs(done.value - sum(q.value for q in done.operands)) < 1
    assert done.text == "4.1亿元 + 4.3亿元 + 4.6亿元 = 13亿"
    # Fewer comparable parts than the question counts: no sum.
    two = quantities("七月4.1亿元，八月4.3亿元。")
    assert kinds.compute("三个月合计是多少?", two, "zh") is None
    assert kinds.parts_asked("What was the wheat and rice area combined?") == 2
    assert kinds.parts_asked("第二季度三个业务收入合计多少?") == 3


def test_counts_of_different_things_are_not_added():
    # A count of items in an enumeration and a count of repeats are no sum.
    text = "调研走访6个社区，每个社区回访6次。"
    assert kinds.compute("一共多少个?", quantities(text), "zh") is None
    assert not kinds.comparable(*quantities("48 plots on 312 hectares"))
    assert kinds.comparable(*quantities("48 plots and 12 plots"))


def test_the_two_sides_of_a_computation_are_read_from_the_question():
    assert kinds.sides("北区收入占总收入的比重是多少?") == ("北区收入", "总收入")
    shares = kinds.sides("What share of total revenue came from pumps?")
    assert shares == ("pumps?", "total revenue")
    assert kinds.sides("北区营收比南区多多少亿元?") == ("北区营收", "南区")
    assert kinds.sides("毛利是净利的几倍?") == ("毛利", "净利")


def test_list_items_read_traditional_text_and_runs_after_a_colon():
    tw = "研發投入以快充晶片、馬達驅動與感測模組三大方向為主。"
    assert kinds.list_items("研發投入集中在哪些方向?", [tw]) == [
        "以快充晶片",
        "馬達驅動",
        "感測模組三",
    ]
    bullets = ["- the Tarn 3 firmware, which adds maps.", "- a battery dock.", "Sales rose."]
    assert kinds.run_items("Pellow added two updates:", bullets) == [
        "the Tarn 3 firmware",
        "a battery dock",
    ]
    clauses = ["乙地新产线（约6亿元）；", "丙地改造（约5亿元）。", "上述开支由自有资金解决。"]
    assert kinds.run_items("开支主要投向：甲地工厂（约11亿元）；", clauses) == [
        "甲地工厂",
        "乙地新产线",
        "丙地改造",
    ]
    assert kinds.run_items("开支主要投向甲地工厂。", clauses) == []
    # The people one sentence names together, not every person the quotes name.
    texts = [
        "董事会包括执行董事林一鸣先生（主席）及高思远女士（行政总裁）。",
        "分析师吴可表示看好。",
    ]
    assert kinds.list_items("Who are the executive directors?", texts) == ["林一鸣", "高思远"]


def test_yes_no_reads_the_clause_about_the_thing_asked_and_questions_that_ask_not_a_not_a():
    # The sentence rises in one clause and falls in another: the clause naming the
    # question's thing decides.
    text = "泵阀板块份额提升至18%，营收季减约5%，主要是欧洲客户去库存。"
    assert kinds.yes_no("泵阀板块营收是否成长？", text) is False
    assert kinds.yes_no("泵阀板块份额提升了吗？", text) is True
    # 有没有 / 是不是 ask; they are not the negation the sentence is checked against.
    none = "本集团于期内概无回购其任何股份。"
    assert kinds.yes_no("本期间公司有没有回购股份？", none) is False
    assert kinds.yes_no("公司有没有派发中期股息？", "董事会宣派中期股息每股6.0仙。") is True
    # Above / below a level is a direction too.
    assert kinds.yes_no("股价是否高于发行价？", "收盘价仍低于发行价。") is False
