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
