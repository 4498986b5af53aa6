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
        ("营收".encode("gbk"), "gbk.txt", "not valid UTF-8"),
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
