from bot.followup import needs_context, resolve


def test_english_pronoun_takes_the_topic_of_the_previous_question():
    q = resolve("How fast did it grow?", [("What was Kuaishou's revenue in H1?", "603.8亿元")])
    assert "revenue" in q and "kuaishou" in q.lower() and q.endswith("How fast did it grow?")


def test_chinese_pronoun_takes_the_topic_of_the_previous_question():
    q = resolve("它生成了多少视频?", [("可灵大模型的使用人数有多少?", "超百万")])
    assert "可灵" in q and q.endswith("它生成了多少视频?")


def test_chains_of_follow_ups_keep_the_original_topic():
    history = [("可灵大模型的使用人数有多少?", "超百万"), ("它生成了多少视频?", "超千万")]
    assert "可灵" in resolve("那它的海外版呢?", history)


def test_standalone_questions_are_left_alone():
    assert not needs_context("快手二季度线上营销服务收入是多少?")
    assert resolve("Who is Kuaishou's CEO?", [("anything", "x")]) == "Who is Kuaishou's CEO?"


def test_a_short_answer_tells_who_he_is():
    history = [("Who is the company's CEO?", "Zhang Wei")]
    resolved = resolve("What did he say about AI?", history)
    assert "zhang" in resolved and "wei" in resolved
    # Long answers (quotes) and refusals are not topic words.
    quoted = [("Who is the CEO?", "From the report:\n\n“" + "长" * 80 + "”")]
    assert resolve("What did he say?", quoted) == "ceo What did he say?"


def test_a_question_that_names_its_thing_stands_alone():
    # "Who is the CFO?" after a figure is about the CFO, not about the figure.
    history = [("What was the revenue in 2025?", "€860 million\n\nFrom the report: …")]
    assert not needs_context("Who is the CFO?")
    assert resolve("Who is the CFO?", history) == "Who is the CFO?"
    assert needs_context("同比增长多少?")  # a measure, no thing: it continues
    assert needs_context("How fast did it grow?")


def test_a_figure_is_never_borrowed_as_the_topic():
    history = [("What was the revenue?", "€860 million")]
    assert "860" not in resolve("And how fast did it grow?", history)
