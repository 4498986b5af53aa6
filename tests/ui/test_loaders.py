"""index.loaders (PDF, .docx, HTML) through load_report: text out, clear errors for bad files."""

from __future__ import annotations

import zipfile

import pytest

from index import saved
from index.errors import ReportError
from index.load import load_report, page_at
from tests.ui.conftest import make_pdf


def test_pdf_lines_join_into_sentences_and_pages_into_paragraphs(tmp_path):
    path = make_pdf(
        tmp_path / "r.pdf",
        [
            [
                "Acme Widgets sold 12,345 widgets",
                "in 2023, a record.",
                "Revenue rose to 42.7 million.",
            ],
            ["Page two (with parentheses) is here."],
        ],
    )
    report = load_report(path)
    assert report.name == "r.pdf"
    assert report.text == (
        "Acme Widgets sold 12,345 widgets in 2023, a record.\n"
        "Revenue rose to 42.7 million.\n\n"
        "Page two (with parentheses) is here."
    )


def test_pdf_keeps_where_each_page_begins_and_a_blank_page_starts_with_the_next(tmp_path):
    pages = [["The first page has 3 lines", "of text."], [], ["Second text page."], ["Last."]]
    report = load_report(make_pdf(tmp_path / "r.pdf", pages))
    assert report.text == "The first page has 3 lines of text.\n\nSecond text page.\n\nLast."
    second, last = report.text.index("Second"), report.text.index("Last.")
    assert report.pages == (0, second, second, last)
    assert [page_at(report.pages, i) for i in (0, second - 3, second, last + 2)] == [1, 1, 3, 4]
    saved.save(tmp_path / "data", report)  # kept for a rebuild too
    assert saved.saved(tmp_path / "data")[0].pages == report.pages


def test_reports_without_pages_have_none(tmp_path):
    (tmp_path / "n.md").write_text("No pages here.\n", encoding="utf-8")
    report = load_report(tmp_path / "n.md")
    assert report.pages == () and page_at(report.pages, 3) is None


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"MZ\x90\x00 this is an exe", "not a PDF"),
        (b"%PDF-1.4\n garbage without objects", "not a readable PDF"),
    ],
)
def test_bad_pdf_is_a_report_error(tmp_path, data, problem):
    path = tmp_path / "bad.pdf"
    path.write_bytes(data)
    with pytest.raises(ReportError, match=problem):
        load_report(path)


def test_pdf_without_text_says_so(tmp_path):
    path = make_pdf(tmp_path / "scan.pdf", [[]])
    with pytest.raises(ReportError, match="no extractable text"):
        load_report(path)


def test_docx_paragraphs_and_tables_in_order(tmp_path):
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.add_heading("Annual report", 1)
    doc.add_paragraph("快手上半年营收603.8亿元。")
    table = doc.add_table(rows=2, cols=2)
    for r, row in enumerate([("Quarter", "Revenue"), ("Q2", "310")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    doc.add_paragraph("After the table.")
    doc.save(tmp_path / "r.docx")
    assert load_report(tmp_path / "r.docx").text == (
        "Annual report\n\n快手上半年营收603.8亿元。\n\n"
        "Quarter | Revenue\nQ2 | 310\n\nAfter the table."
    )


def test_not_a_docx_is_a_report_error(tmp_path):
    (tmp_path / "fake.docx").write_text("just text")
    with pytest.raises(ReportError, match="not a Word .docx file"):
        load_report(tmp_path / "fake.docx")
    with zipfile.ZipFile(tmp_path / "empty.docx", "w") as zf:
        zf.writestr("hello.txt", "no word document here")
    with pytest.raises(ReportError, match="not a readable .docx"):
        load_report(tmp_path / "empty.docx")


def test_html_keeps_visible_text_only_with_blocks_as_paragraphs(tmp_path):
    (tmp_path / "r.htm").write_text(
        "<html><head><title>T</title><style>p{}</style><script>alert(1)</script></head><body>"
        "<h1>Annual\nreport</h1><p>Revenue grew <b>14%</b> to\n 60 billion.<br>Second line.</p>"
        "<div>快手上半年\n营收603.8亿元。</div><img src=x onerror=alert(2)>"
        "<table><tr><th>Q</th><th>Rev</th></tr><tr><td>Q1</td><td>29</td></tr></table>"
        "<p>&lt;script&gt;alert(3)&lt;/script&gt;</p></body></html>",
        encoding="utf-8",
    )
    assert load_report(tmp_path / "r.htm").text == (
        "Annual report\n\nRevenue grew 14% to 60 billion.\nSecond line.\n\n"
        "快手上半年营收603.8亿元。\n\nQ | Rev\nQ1 | 29\n\n<script>alert(3)</script>"
    )


def test_html_in_a_declared_charset(tmp_path):
    page = '<html><head><meta charset="gb2312"></head><body><p>营收603.8亿元。</p></body></html>'
    (tmp_path / "gb.html").write_bytes(page.encode("gb2312"))
    assert load_report(tmp_path / "gb.html").text == "营收603.8亿元。"


def test_html_without_visible_text(tmp_path):
    (tmp_path / "blank.html").write_text("<html><script>alert(1)</script><p> </p></html>")
    with pytest.raises(ReportError, match="no visible text"):
        load_report(tmp_path / "blank.html")
