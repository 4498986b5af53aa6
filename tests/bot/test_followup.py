"""Follow-ups about invented companies: what the resolved question carries."""

from bot.followup import needs_context, resolve


def test_english_pronoun_takes_the_topic_of_the_previous_question():
    q = resolve("How fast did it grow?", [("What was Quillmoor's revenue in H1?", "€61.2 million")])
    assert "revenue" in q and "quillmoor" in q.lower() and q.endswith("How fast did it grow?")


def test_chinese_pronoun_takes_the_topic_of_the_previous_question():
    q = resolve("它生成了多少视频?", [("绘影大模型的使用人数有多少?", "超百万")])
    assert "绘影" in q and q.endswith("它生成了多少视频?")


def test_chains_of_follow_ups_keep_the_original_topic():
    history = [("绘影大模型的使用人数有多少?", "超百万"), ("它生成了多少视频?", "超千万")]
    assert "绘影" in resolve("那它的海外版呢?", history)


def test_standalone_questions_are_left_alone():
    assert not needs_context("岚桥科技二季度广告收入是多少?")
    assert resolve("Who is Quillmoor's CEO?", [("anything", "x")]) == "Who is Quillmoor's CEO?"


def test_a_question_that_names_its_thing_stands_alone():
    # "Who is the CFO?" after a figure is about the CFO, not about the figure.
    history = [("What was the revenue in 2025?", "€860 million\n\nFrom the report: …")]
    assert not needs_context("Who is the CFO?")
    assert resolve("Who is the CFO?", history) == "Who is the CFO?"
    assert needs_context("同比增长多少?")  # a measure, no thing: it continues
    assert needs_context("How fast did it grow?")


def test_a_period_alone_is_no_thing_of_its_own():
    assert needs_context("去年同期是多少?")
    assert needs_context("年底前是多少?")


def test_a_figure_is_never_borrowed_as_the_topic():
    history = [("What was the revenue?", "€860 million")]
    assert "860" not in resolve("And how fast did it grow?", history)


def test_a_new_period_replaces_the_old_one():
    history = [("What was Quillmoor's operating income in Q3?", "€12.1 million.")]
    q = resolve("What was it in the second quarter?", history)
    assert "second quarter" in q and "q3" not in q.lower()
    assert "operating" in q and "quillmoor" in q.lower()
    q = resolve("第一季呢?", [("岚桥第二季毛利率多少?", "第二季毛利率为31.5%。")])
    assert q == "岚桥第一季毛利率多少?"


def test_a_base_period_is_added_not_swapped():
    history = [("What was net income in the June quarter?", "$41 million")]
    q = resolve("And a year earlier?", history)
    assert "june quarter" in q.lower() and "year earlier" in q
    q = resolve("去年同期呢?", [("岚桥三季度经营亏损是多少?", "0.8亿元")])
    assert "三季度" in q and "去年同期" in q and "经营亏损" in q


def test_a_new_subject_replaces_the_old_one_keeping_the_measure():
    q = resolve("And tools?", [("How much did lamp revenue grow?", "Lamp revenue grew 12%.")])
    assert q == "How much did tools revenue grow?"
    q = resolve("那鹭岛呢?", [("鸥城二季度毛利率是多少?", "16.8%")])
    assert q == "鹭岛二季度毛利率是多少?"
    q = resolve("And the V4?", [("How much water did the Harlan V6 use per hectare?", "2.1 m3")])
    assert "V4" in q and "V6" not in q and "water" in q


def test_a_new_measure_replaces_the_old_one():
    q = resolve("毛利率呢?", [("2024年园艺板块营业收入是多少?", "12.3亿元")])
    assert q == "2024年园艺板块毛利率是多少?"


def test_a_pronoun_after_who_stands_for_the_name_the_answer_gave():
    history = [("Who is Quillmoor's CEO?", "Ada Pennick is the chief executive.")]
    q = resolve("What did she promise customers?", history)
    assert "What did Ada Pennick promise customers?" in q
    q = resolve("她说下一步要做什么?", [("谁负责研发?", "是林晓岚。")])
    assert q.endswith("林晓岚说下一步要做什么?")
    history = [("Which region grew fastest?", "Northfield (北原), up 30%.")]
    q = resolve("How much revenue did it generate?", history)
    assert "Northfield (北原)" in q


def test_it_after_a_figure_is_the_earlier_topic_not_a_name():
    history = [("What was Quillmoor's revenue in Q2?", "Revenue was €61 million, led by Europe.")]
    q = resolve("How much did it grow?", history)
    assert "europe" not in q.lower() and "quillmoor" in q.lower()


def test_a_follow_up_asking_only_how_it_changed_keeps_its_change_words():
    # "环比呢?" asks the earlier question again, on the period before: 环比 must not be
    # dropped as a linking word.
    earlier = [("青岚六月季度营收是多少?", "3.2亿元")]
    assert resolve("环比呢?", earlier) == "青岚六月季度营收环比是多少?"
    assert "同比增长" in resolve("同比增长呢?", [("二季度订单量是多少?", "120万单")])
