from index.split import chunk_report, split_sentences
from index.tokens import counter


def test_offsets_slice_the_source_exactly(report_text):
    for s in split_sentences(report_text):
        assert report_text[s.start : s.end] == s.text
        assert s.text == s.text.strip()


def test_never_splits_inside_numbers():
    text = "营收603.8亿元,同比增长14.1%至1.31亿。Revenue rose 3.5 percent. Next one!"
    texts = [s.text for s in split_sentences(text)]
    assert texts == [
        "营收603.8亿元,同比增长14.1%至1.31亿。",
        "Revenue rose 3.5 percent.",
        "Next one!",
    ]


def test_never_splits_inside_a_quotation():
    text = "他说:“我们取得了突破。还会继续。”随后离开。新的一句。"
    texts = [s.text for s in split_sentences(text)]
    assert texts == ["他说:“我们取得了突破。还会继续。”随后离开。", "新的一句。"]


def test_splits_at_chinese_and_ascii_terminals_and_line_breaks():
    text = "第一句;第二句!第三句?\n标题\n\n第四句。"
    assert [s.text for s in split_sentences(text)] == [
        "第一句;",
        "第二句!",
        "第三句?",
        "标题",
        "第四句。",
    ]


def test_chunks_hold_whole_sentences_within_budget(tmp_path, report_text):
    count = counter(tmp_path)
    chunks = chunk_report("r", report_text, count, budget=120)
    assert len(chunks) > 5
    for c in chunks:
        assert report_text[c.start : c.end] == c.text
        assert c.sentences[0].start == c.start and c.sentences[-1].end == c.end
        if len(c.sentences) > 1:
            assert count(c.text) <= 120 + 10  # separators between sentences
    ids = [c.id for c in chunks]
    assert len(set(ids)) == len(ids)


def test_an_overlong_sentence_is_cut_at_clause_breaks(tmp_path):
    count = counter(tmp_path)
    text = ",".join(["这是一个相当长的分句内容"] * 60) + "。"
    chunks = chunk_report("r", text, count, budget=50)
    assert len(chunks) > 3
    assert "".join(c.text for c in chunks) == text
    assert all(count(c.text) <= 50 for c in chunks)


def test_an_unpunctuated_run_is_cut_at_the_length_bound_in_linear_time():
    import time

    from index.split import chunk_report

    calls = []

    def count(text: str) -> int:
        calls.append(len(text))
        return len(text) // 2

    text = "数" * 100_000
    t0 = time.perf_counter()
    chunks = chunk_report("r", text, count, budget=200, max_chars=300)
    pieces = [s for c in chunks for s in c.sentences]
    assert all(len(s.text) <= 300 for s in pieces) and "".join(s.text for s in pieces) == text
    assert len(pieces) <= 100_000 // 300 * 2 + 2  # grows with the characters, no worse
    assert len(calls) < 20 * len(pieces) and time.perf_counter() - t0 < 5
    for s in pieces:
        assert text[s.start : s.end] == s.text


def test_a_long_run_prefers_a_clause_break():
    from index.split import chunk_report

    text = ("甲" * 30 + "，") * 20
    chunks = chunk_report("r", text, len, budget=1000, max_chars=100)
    pieces = [s.text for c in chunks for s in c.sentences]
    assert all(p.endswith("，") for p in pieces[:-1]) and "".join(pieces) == text
