import codecs
import hashlib

import pytest

from index import default_report_path
from index.errors import ReportError
from index.load import load_report


def test_default_report_ships_byte_for_byte():
    data = default_report_path().read_bytes()
    shared = default_report_path().parents[2] / ".." / "shared" / "report" / "kuaishou-2024h1.txt"
    if shared.exists():  # beside a checkout, as on the developers' machines and in CI
        assert data == shared.read_bytes()
    assert data.decode("utf-8").rstrip().endswith("财联社") or "来源:财联社" in data.decode()


@pytest.mark.parametrize(
    "content, name, message",
    [
        (None, "missing.txt", "does not exist"),
        (b"", "empty.txt", "empty"),
        (b"   \n\t \n", "blank.md", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "image.txt", "binary"),
        (bytes(range(0x80, 0x100)) * 3, "noise.txt", "not text in an encoding we can detect"),
        (b"\xff\xfe\x00bin", "marked.txt", "binary"),
        (b"text", "report.exe", "unsupported type"),
    ],
)
def test_bad_files_are_named_with_their_problem(tmp_path, content, name, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ReportError) as err:
        load_report(path)
    assert message in str(err.value) and name in str(err.value)


def test_oversized_file_is_rejected_before_reading(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * (2 * 1024 * 1024))
    with pytest.raises(ReportError, match="over the 1 MB limit"):
        load_report(path, max_mb=1)


def test_crlf_and_bom_are_normalised(tmp_path):
    path = tmp_path / "r.txt"
    path.write_bytes("\ufeff第一行\r\n第二行".encode())
    report = load_report(path)
    assert report.text == "第一行\n第二行" and report.name == "r.txt"


@pytest.mark.parametrize(
    "encoding, marked, named",
    [
        ("gbk", b"", "gb18030"),
        ("gb18030", b"", "gb18030"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be"),
        ("utf-32-le", codecs.BOM_UTF32_LE, "utf-32-le"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
    ],
)
def test_encodings_are_detected_and_the_bytes_are_the_identity(tmp_path, encoding, marked, named):
    text = "星河公司2025年营收为8.6亿元，同比增长12%。\n公司员工共有450人。\n"
    raw = marked + text.encode(encoding)
    path = tmp_path / "r.txt"
    path.write_bytes(raw)
    report = load_report(path)
    assert report.text == text and report.encoding == named
    assert report.sha256 == hashlib.sha256(raw).hexdigest() and report.original == raw


def test_big5_is_detected(tmp_path):
    text = "星河公司2025年營收為8.6億元，同比增長12%。\n公司員工共有450人。\n"
    (tmp_path / "r.txt").write_bytes(text.encode("big5"))
    report = load_report(tmp_path / "r.txt")
    assert report.text == text and report.encoding == "big5"
