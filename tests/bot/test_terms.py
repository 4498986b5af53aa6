"""The English -> Chinese bridge: dictionary, business glossary, word forms, pinyin."""

from bot.terms import Bridge, english_words, lemmas


def test_business_terms_reach_the_reports_own_words():
    bridge = Bridge({"毛利率", "研发", "营收", "举办", "北京"})
    found = bridge.translate("What was the gross margin and R&D spending?")
    assert found["gross"] == ["毛利率"]
    assert found["r&d"] == ["研发"]
    # Only words the reports contain: no 净利润 here.
    assert bridge.translate("net profit")["net"] == []


def test_irregular_verbs_and_pinyin():
    assert "hold" in lemmas("held") and "grow" in lemmas("grew")
    bridge = Bridge({"举办", "北京"})
    found = bridge.translate("Where was it held? In Beijing?")
    assert found["held"] == ["举办"] and found["beijing"] == ["北京"]
    assert english_words("R&D costs") == ["r&d", "costs"]


def test_a_surname_alone_finds_the_person_not_other_words_with_that_sound():
    bridge = Bridge({"程一笑", "成长", "城市", "王伟"})
    found = bridge.translate("How does Cheng describe it? And Wang?")
    assert found["cheng"] == ["程一笑"] and found["wang"] == ["王伟"]


def test_acronyms_are_names_the_evidence_must_hold():
    from bot.terms import proper_nouns

    assert proper_nouns("What was the GMV in Q2 for AI-generated ads?") == ["gmv"]
    assert "uax" in proper_nouns("UAX是哪一年推出的?")


def test_cached_dictionary_equals_a_fresh_parse_and_a_broken_cache_is_rebuilt(
    tmp_path, monkeypatch
):
    from bot import cache, terms

    monkeypatch.setenv("REPORTBOT_DATA_DIR", str(tmp_path))
    files = [terms._cache_path(name) for name in ("cedict", "cedict-reverse")]
    assert all(f is not None and f.parent == tmp_path / "cache" for f in files)

    def fresh():
        for fn in (terms._cedict, terms._reverse_cedict, terms._cedict_tables):
            fn.cache_clear()

    fresh()
    try:
        parsed = terms._cedict(), terms._reverse_cedict()  # parses, then writes the cache
        assert all(f.exists() for f in files) and "revenue" in parsed[0]
        assert "revenue" in parsed[1]["营收"]
        fresh()
        cached = terms._cedict(), terms._reverse_cedict()  # read back from the cache
        assert all(isinstance(t, cache.Table) for t in cached)
        assert cached == parsed
        # The order of a headword's glosses is the dictionary's (to_english keeps six).
        assert all(cached[1][h] == glosses for h, glosses in parsed[1].items())
        for f in files:
            f.write_bytes(b"\x00broken")
            fresh()
            assert (terms._cedict(), terms._reverse_cedict()) == parsed
            assert f.read_bytes() != b"\x00broken"
    finally:
        fresh()


JIEBA_TEXTS = [
    "今年上半年营收同比增长,同款发卡的搜索量环比增长。",
    "How much did UAX lift ARPU? 快手的CEO程一笑表示,AI大模型可灵已上线。",
]


def test_cached_jieba_tables_segment_and_tag_like_jiebas_own_start(tmp_path):
    """jieba's word list and its parts of speech, read from our shards, are jieba's own
    tables entry for entry, and cut and tag every text the same."""
    import os
    import subprocess
    import sys

    code = (
        "import hashlib, sys, jieba; jieba.setLogLevel(60)\n"
        "if sys.argv[1] == 'ours':\n"
        "    from bot.terms import _jieba, _tagger; _jieba(); _tagger()\n"
        "    assert jieba.dt.initialized\n"
        "import jieba.posseg as pseg\n"
        "jieba.dt.check_initialized()\n"
        "for t in sys.argv[2:]:\n"
        "    print('|'.join(jieba.lcut_for_search(t)), '|'.join(jieba.lcut(t)))\n"
        "    print('|'.join(f'{w}/{f}' for w, f in pseg.cut(t)))\n"
        "for table in (jieba.dt.FREQ, pseg.dt.word_tag_tab):\n"
        "    table = table.whole() if hasattr(table, 'whole') else table\n"
        "    print(len(table), hashlib.sha256(repr(sorted(table.items())).encode()).hexdigest())\n"
        "print(jieba.dt.total, type(jieba.dt.FREQ).__name__)\n"
    )
    env = os.environ | {"REPORTBOT_DATA_DIR": str(tmp_path)}

    def run(way: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", code, way, *JIEBA_TEXTS],
            capture_output=True, text=True, check=True, env=env,
        )  # fmt: skip
        return done.stdout.splitlines()

    own = run("jieba")
    first, second = run("ours"), run("ours")  # builds the shards, then reads them
    assert own[-1].endswith(" dict") and first[-1].endswith(" dict")
    assert second[-1].endswith(" Table")
    assert own[:-1] == first[:-1] == second[:-1]
    assert own[-1].split()[0] == second[-1].split()[0]  # the total frequency
    assert "|" in own[0] and "/nr" in "".join(own)


def test_the_measured_thing_of_a_quantity_question():
    from bot.terms import measured

    assert measured("By how much did orders for the hair clip grow?") == ["orders"]
    assert measured("How many parameters does the model have?") == ["parameters"]
    assert measured("How many monthly active buyers did the app have?") == ["active", "buyers"]
    assert measured("What was the growth of Acme's daily paying users?") == ["paying", "users"]
    assert measured("Who founded the company?") == []
    assert measured("其中付费用户有多少?") == ["用户", "付费"]
    assert measured("公司有多少名员工?") == ["员工"]
    assert measured("文章是哪一年写的?") == []


def test_an_english_name_of_a_person_or_company_in_the_reports_must_be_in_the_evidence():
    bridge = Bridge({"黄雨婷", "快手", "发卡", "美团"})
    question = "Did orders for Huang Yuting's hair clip grow on Kuaishou?"
    assert bridge.names(question, bridge.translate(question)) == ["huang"]
    question = "How many buyers did Meituan have?"
    assert bridge.names(question, bridge.translate(question)) == ["meituan"]


def test_place_names_reach_their_abbreviations_in_stock_codes():
    assert "hk" in Bridge({"hk", "快手"}).translate("the Hong Kong exchange")["hong"]


def test_a_finance_term_is_found_in_its_other_written_forms():
    from bot.terms import measured, synonyms

    assert "营收" in synonyms("收入") and "收入" in synonyms("营收")
    assert synonyms("发卡") == ()
    # 比去年同期 is the base of the comparison, not the thing measured.
    assert measured("公司今年的收入比去年同期增长了百分之几?") == ["收入"]


def test_qualifiers_of_the_measured_thing():
    from bot.terms import owner, qualified

    assert ("乒乓球", "用品") in qualified("乒乓球用品的GMV增长了多少?")
    assert ("用品", "gmv") in qualified("乒乓球用品的GMV增长了多少?")
    assert qualified("公司的营收是多少?") == []  # a stand-in for a name qualifies nothing
    assert qualified("谁是创始人?") == []
    assert owner("By how much did orders for Jane Doe's hair clip grow?") == [
        "jane",
        "doe",
        "hair",
        "clip",
    ]
    assert owner("How much did revenue grow in 2023?") == []
    assert owner("乒乓球用品的订单量增长了多少?") == ["用品", "乒乓球"]
    assert owner("公司的营收是多少?") == []  # one word: a possessor, maybe said earlier


def test_who_made_the_figure_and_live_streaming():
    from bot.terms import maker

    assert maker("How much revenue did Acme's live-streaming business make in Q2?") == [
        "live-streaming"
    ]
    assert maker("How many buyers did the shop have?") == []
    # The glossary's whole word, not its parts ("live" is also 生活, to live).
    assert Bridge({"直播", "生活"}).translate("live-streaming revenue")["live-streaming"] == [
        "直播"
    ]


def test_what_was_a_figure_names_the_thing_measured():
    from bot.terms import measured

    assert measured("What was Acme's net profit margin in H1?") == ["net", "profit", "margin"]
    assert measured("What was the average daily spend on ads in June?") == ["spend"]
    assert measured("What is the name of the drama?") == []  # not a figure


def test_a_word_jieba_glues_to_a_link_verb_is_split_off():
    from bot.terms import measured

    # jieba cuts 买家数是多少 as 买家 / 数是 / 多少: the head is 买家, not 数是.
    assert measured("电商二季度月活跃买家数是多少?")[0] == "买家"


def test_times_are_not_the_thing_measured():
    from bot.terms import measured

    assert measured("公司今年上半年的净利润是多少?") == ["净利润"]


def test_an_english_role_title_reaches_every_chinese_way_of_writing_it():
    bridge = Bridge({"财务", "营收"})
    # A Taiwanese report writes 財務長, a mainland one 首席财务官 or 财务总监: the question's
    # "CFO" or "chief financial officer" must reach each, even where jieba cuts them.
    for question in ("Who is Lindqvist's CFO?", "Who is Lindqvist's chief financial officer?"):
        ways = {w for found in bridge.translate(question).values() for w in found}
        assert {"财务长", "首席财务官", "财务总监"} <= ways
    assert not {"财务长", "首席财务官"} & {
        w for found in bridge.translate("What was Lindqvist's revenue?").values() for w in found
    }
