"""Find the sentences that may answer a question: dense + keyword, fused by rank.

Four ranked lists are fused with reciprocal rank fusion (RRF):
sentences by cosine (Chroma), sentences by BM25, and their chunks by cosine and by BM25
(a sentence inherits its chunk's rank, so context counts). The keyword index is BM25
over jieba tokens with the statistics of rank_bm25's ``BM25Okapi`` (the model inside
LangChain's ``BM25Retriever``), turned into postings once per version of the index
(never per question), and English questions
reach Chinese text through :class:`bot.terms.Bridge`. We fuse ourselves instead of
using ``EnsembleRetriever`` because the answer step needs each list's scores, which the
ensemble drops.

This module ranks; it does not choose or phrase an answer.
"""

from __future__ import annotations

import bisect
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot import cache
from bot.analyze import form, intent, name_groups, numbered_names
from bot.names import is_role
from bot.normalize import fold
from bot.terms import (
    GLOSSARY,
    Bridge,
    content_terms,
    in_dictionary,
    language,
    lemmas,
    maker,
    measured,
    owner,
    proper_nouns,
    qualified,
    synonyms,
    tokens,
)
from index.embed import Embedder
from index.store import Record, Store

RRF_K = 60
SENTENCE_POOL = 30
CHUNK_POOL = 10
RECHECK = 0.5  # seconds between reads of the index version (see Retriever._refresh)


@dataclass(frozen=True)
class Query:
    """A question as retrieval sees it."""

    text: str
    lang: str
    terms: list[str]  # content words in the question's language
    bridged: dict[str, list[str]] = field(default_factory=dict)  # English word -> Chinese
    # What the answer's evidence should contain: (ways to say it, weight) per question
    # word; the weight is the word's rarity in the indexed reports (IDF).
    units: list[tuple[tuple[str, ...], float]] = field(default_factory=list)
    own: str = ""  # the user's own words, before follow-up resolution added context
    names: list[str] = field(default_factory=list)  # proper nouns the reports mention
    standalone: str = ""  # a model's rewrite of a follow-up, for the answer prompt
    previous: str = ""  # the earlier question a follow-up continues
    # The thing a quantity question measures (see terms.measured): per word, the forms
    # the reports contain; () for a word that translates, yet no report contains.
    measured: list[tuple[str, ...]] = field(default_factory=list)
    # A Chinese question's measured head word and its synonyms (用户数 of 日活跃用户数).
    head: tuple[str, ...] = ()
    # (qualifier, word) pairs of that thing, both in the reports (see terms.qualified).
    qualified: list[tuple[str, str]] = field(default_factory=list)
    # What that thing is for or of, in English ("orders for X's teapot"): per word,
    # the forms the reports contain; () for a word that translates, yet no report has.
    owner: list[tuple[str, ...]] = field(default_factory=list)
    # Who made the figure ("did X's streaming business make"): forms per word, to be
    # found in the sentence or the one before it (the maker is often said there).
    maker: list[tuple[str, ...]] = field(default_factory=list)
    # The words of the indexed reports (shared, not copied), for checks on the evidence.
    vocabulary: Collection[str] = frozenset()
    # What the message is (bot.analyze.intent): a question, a greeting, thanks, an
    # instruction to the bot. Only questions are answered from the report.
    intent: str = "question"
    # What form of answer it wants (bot.analyze.form): a fact, a summary, who, why,
    # yes/no, a list or a computed comparison.
    form: str = "fact"
    # Names the question mentions that no report in scope does (a rival company, a
    # "Model 9" where the report has "Model 7"): the report cannot answer it.
    absent: list[str] = field(default_factory=list)
    # Chinese question words -> English words of the reports they translate to.
    glossed: dict[str, list[str]] = field(default_factory=dict)

    @property
    def keywords(self) -> list[str]:
        words = list(self.terms)
        for zh in self.bridged.values():
            words.extend(zh)
        for en in self.glossed.values():
            words.extend(w for form in en for w in form.split())
        return words


@dataclass(frozen=True)
class Hit:
    """A retrieved sentence with its chunk and the evidence for it."""

    sentence: Record
    chunk: Record | None
    score: float  # fused RRF score
    dense: float  # cosine(question, sentence); 0 when not in the dense pool
    chunk_dense: float
    keyword: float  # BM25 of the sentence, scaled so the best in the pool is 1
    before: str = ""  # the sentence just before it in the same paragraph, for context


class KeywordIndex:
    """BM25 over one kind of record: postings per word, built once from the statistics
    of rank_bm25's ``BM25Okapi`` (k1, b, and its idf with a floor for words in more
    than half of the records), the model LangChain's ``BM25Retriever`` wraps.

    That retriever's scoring walks every record in Python for each query word (5 ms
    per question at 1,000 reports, growing with the index); here each word's BM25
    weight in each record that holds it is computed once, so a question costs one
    ``scores[ids] += weights`` per query word, the same scores. rank_bm25 is used
    directly because importing ``langchain_community`` for the wrapper costs 0.45 s
    of every process's first answer.
    """

    def __init__(self, records: list[Record], postings: dict | None = None):
        """``postings``: :meth:`state` of an index over the same records (a cached copy),
        instead of tokenizing and weighing them again."""
        self.records = records
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        names = sorted({r.source for r in records})
        self._code = {name: i for i, name in enumerate(names)}
        self._sources = np.array([self._code[r.source] for r in records], dtype=np.int64)
        if postings is not None:
            self.postings = {
                w: (np.frombuffer(ids, dtype=np.int64), np.frombuffer(weights, dtype=np.float64))
                for w, (ids, weights) in postings.items()
            }
        elif records:
            # Folded (simplified, half-width, lower case): a traditional-Chinese report and
            # a simplified question meet on the same words.
            self._build([tokens(fold(r.text)) for r in records])
        self.df: Counter[str] = Counter({w: len(ids) for w, (ids, _) in self.postings.items()})
        self._sorted: list[str] | None = None

    def _build(self, toks: list[list[str]]) -> None:
        from rank_bm25 import BM25Okapi

        bm25 = BM25Okapi(toks)  # texts are tokenised once, by the caller
        k1, b, avgdl = bm25.k1, bm25.b, bm25.avgdl
        ids: dict[str, list[int]] = {}
        weights: dict[str, list[float]] = {}
        for i, (freqs, dl) in enumerate(zip(bm25.doc_freqs, bm25.doc_len)):
            norm = k1 * (1 - b + b * dl / avgdl)
            for word, tf in freqs.items():
                ids.setdefault(word, []).append(i)
                # rank_bm25's expression, in its order, so the scores are the same
                weights.setdefault(word, []).append(bm25.idf[word] * (tf * (k1 + 1) / (tf + norm)))
        self.postings = {
            w: (np.array(ids[w], dtype=np.int64), np.array(weights[w], dtype=np.float64))
            for w in ids
        }

    def state(self) -> dict[str, tuple[bytes, bytes]]:
        """The postings as plain values (for :mod:`bot.cache`), bit for bit."""
        return {w: (ids.tobytes(), ws.tobytes()) for w, (ids, ws) in self.postings.items()}

    @property
    def vocabulary(self) -> set[str]:
        return set(self.df)

    def starting(self, prefix: str) -> bool:
        """Whether some word of the index starts with ``prefix`` ("rain": rainfall)."""
        if self._sorted is None:
            self._sorted = sorted(self.df)
        i = bisect.bisect_left(self._sorted, prefix)
        return i < len(self._sorted) and self._sorted[i].startswith(prefix)

    def idf(self, word: str) -> float:
        return math.log((len(self.records) + 1) / (self.df.get(word, 0) + 0.5))

    def scores(self, words: list[str]) -> np.ndarray:
        """BM25 of every record for ``words`` (a repeated word counts again)."""
        out = np.zeros(len(self.records))
        for word in words:
            posting = self.postings.get(word)
            if posting is not None:
                ids, weights = posting
                out[ids] += weights  # ids are distinct within one posting list
        return out

    def mask(self, sources: list[str]) -> np.ndarray:
        """Which records come from one of ``sources``."""
        wanted = [self._code[s] for s in sources if s in self._code]
        return np.isin(self._sources, wanted)


class Retriever:
    """Hybrid retrieval over a :class:`Store`; rebuilds its keyword side when it changes."""

    def __init__(self, store: Store, embedder: Callable[[], Embedder], cache: Path | None = None):
        """``cache``: a file keeping the keyword side between processes (see
        :meth:`_refresh`); None builds it in every process."""
        self.store = store
        self._embedder = embedder  # a function: the model may still be loading
        self._cache = cache
        self._lock = threading.Lock()
        self._version: str | None = None
        self._checked = 0.0
        self._writes = -1

    def _refresh(self) -> None:
        # Changes made through this store are seen at once; another process's (a
        # `reportbot index` next to a running UI) within RECHECK seconds: one read of the
        # index version per question cost a tenth of a warm ask().
        # The keyword side of one index version is kept in the cache file, keyed by the
        # version (rewritten by every commit and removal) and the code that builds it:
        # a fresh process reads it there instead of reading every record from the store,
        # tokenizing it and importing pypinyin (0.4 s of a `reportbot ask` with one
        # report, seconds with a thousand).
        if (
            self._version is not None
            and self.store.writes == self._writes
            and time.monotonic() - self._checked < RECHECK
        ):
            return
        writes = self.store.writes
        version = self.store.fingerprint()
        with self._lock:
            self._writes = writes
            self._checked = time.monotonic()
            if version == self._version:
                return
            derived = _derived_from() if self._cache else None
            key = (version, derived)
            kept = cache.load(self._cache, key) if derived else None
            if kept is not None:
                sentences = [Record(*values) for values in kept["sentences"]]
                chunks = [Record(*values) for values in kept["chunks"]]
                self.sentences = KeywordIndex(sentences, kept["sentence_postings"])
                self.chunks = KeywordIndex(chunks, kept["chunk_postings"])
                self.bridge = Bridge(self.sentences.vocabulary, kept["pinyin"])
                self.texts = kept["texts"]
            else:
                sentences = self.store.records("sentence")
                chunks = self.store.records("chunk")
                self._build(sentences, chunks)
                if derived:
                    cache.save(self._cache, key, self._state(sentences, chunks))
            self._has_english = any(
                len(w) > 2 and w.isascii() and w.isalpha() for w in self.sentences.df
            )
            self.chunk_by_id = {c.id: c for c in chunks}
            self.by_id = {r.id: r for r in sentences} | self.chunk_by_id
            self.sentences_of: dict[str, list[Record]] = {}
            for r in sentences:
                self.sentences_of.setdefault(r.chunk_id, []).append(r)
            self._version = version
            self._checked = time.monotonic()  # building took a while: count from now

    def _build(self, sentences: list[Record], chunks: list[Record]) -> None:
        self.sentences = KeywordIndex(sentences)
        self.chunks = KeywordIndex(chunks)
        self.bridge = Bridge(self.sentences.vocabulary)
        joined: dict[str, list[str]] = {}
        for r in sentences:
            joined.setdefault(r.source, []).append(r.text)
        # Each report's text, folded, to tell which reports mention a name.
        self.texts = {src: fold(" ".join(parts)) for src, parts in joined.items()}

    def _state(self, sentences: list[Record], chunks: list[Record]) -> dict:
        """What :meth:`_build` computed, as plain values for :mod:`bot.cache`."""
        return {
            "sentences": [_fields(r) for r in sentences],
            "chunks": [_fields(r) for r in chunks],
            "sentence_postings": self.sentences.state(),
            "chunk_postings": self.chunks.state(),
            "pinyin": self.bridge.state(),
            "texts": self.texts,
        }

    def query(self, text: str, lang: str | None = None, own: str = "") -> Query:
        """``text`` prepared for retrieval; ``lang`` is the user's language (default:
        detected from ``text``). English words are bridged to Chinese in any text, since
        a resolved follow-up can mix both languages."""
        self._refresh()
        lang = lang or language(text)
        original, text = text, fold(text)
        bridged = self.bridge.translate(text)
        idf = self.sentences.idf
        glossed: dict[str, list[str]] = {}
        # A single character says little on its own (用, 比, 年): it weighs less.
        # A finance term counts in any of its written forms (收入 is found as 营收).
        units: list[tuple[tuple[str, ...], float]] = []
        for t in content_terms(text, search=False):
            if language(t) != "zh":
                continue
            # A Chinese word reaches English reports through the dictionary, read the
            # other way (营收: revenue), restricted to words the reports contain.
            english = self.bridge.to_english(t) if self._has_english else []
            if english:
                glossed[t] = english
            ways = (t, *self._synonyms(t), *english)
            seen = [idf(w) for w in ways if w in self.sentences.df]
            weight = max(seen) if seen else idf(t)
            units.append((ways, weight * (0.3 if len(t) == 1 else 1.0)))
        for word, zh in bridged.items():
            ways = (word, *zh)
            seen = [w for w in ways if w in self.sentences.df]
            if seen:
                weight = max(idf(w) for w in seen)
            elif zh or self.bridge.known(word):
                weight = idf(word)  # translatable, yet nowhere in the reports
            else:
                weight = 0.35 * idf(word)  # a name or term we cannot check
            units.append((ways, weight))
        asked = fold(own) if own else text  # the checks read the user's own words
        raw = own or original
        names = [n for n in proper_nouns(raw) if fold(n) in self.sentences.df and not is_role(n)]
        thing = measured(asked)
        return Query(
            text=original,
            lang=lang,
            intent=intent(raw),
            form=form(raw),
            glossed=glossed,
            terms=content_terms(text),
            bridged=bridged,
            units=units,
            own=raw,
            names=[fold(n) for n in names] + self.bridge.names(raw, bridged),
            measured=self._judged(thing, bridged),
            head=self._head(thing) if language(asked) == "zh" else (),
            vocabulary=self.sentences.df.keys(),
            owner=self._judged(owner(asked), bridged),
            maker=self._maker(asked, bridged),
            qualified=[
                (a, b)
                for a, b in qualified(asked)
                if a in self.sentences.df and b in self.sentences.df
            ],
        )

    def mentioning(self, query: Query, sources: list[str] | None) -> tuple[list[str], list[str]]:
        """(names of the question that no report in ``sources`` mentions, the reports
        in ``sources`` that mention every name the question names).

        A name is checked as written (folded) and through its translations: "Model 9"
        must be in the text as such; "Tesla" is found as itself or as 特斯拉; a Chinese
        company name as written.
        """
        self._refresh()
        scope = sources or list(self.texts)
        texts = {s: self.texts.get(s, "") for s in scope}
        own = query.own or query.text
        checks: list[tuple[str, tuple[str, ...]]] = []
        for name in numbered_names(own):
            # "Xingtu 7" may be written 星图7: a word of the name through pinyin or the
            # dictionary, then the rest of the name as written.
            words = name.split()
            forms = [name, name.replace(" ", ""), name.replace(" ", "-")]
            for i, w in enumerate(words[:-1]):
                rest = words[i + 1 :]
                for zh in self._senses(w):
                    forms += [zh + "".join(rest), f"{zh} {' '.join(rest)}"]
            checks.append((name, tuple(forms)))
        for name in proper_nouns(own, kinds=("nr", "ns", "nt")):
            f = fold(name).strip("和与及的在对从向")
            if language(f) != "zh" or len(f) < 2 or _TIME_WORD.search(f):
                continue
            if not any(f in n for n, _ in checks):
                checks.append((f, (f, *self.bridge.to_english(f))))
        for group in name_groups(own) + _latin_in_chinese(own):
            if any(w in n for w in group for n, _ in checks):
                continue
            # A name of several words is there when any of its words is: "Nanshan
            # Securities" in 南山证券 is found through 南山.
            whole = " ".join(group)
            forms = tuple(f for w in {*group, whole} for f in (w, *self._senses(w)))
            checks.append((" ".join(group), forms))
        absent, holders = [], set(scope)
        for name, forms in checks:
            having = {s for s, t in texts.items() if any(f and f in t for f in forms)}
            if not having:
                absent.append(name)
            else:
                holders &= having
        if not checks or holders == set(scope):
            return absent, list(sources or [])  # no narrowing
        return absent, [s for s in scope if s in holders]

    def _senses(self, word: str) -> tuple[str, ...]:
        """Chinese forms of an English word for finding a name in a text: the bridge's
        words, and every dictionary sense (the reports' tokens may cut a name otherwise:
        南山证券 holds 证券 without jieba making it a word)."""
        forms = dict.fromkeys(self.bridge.translate(word).get(word, []))
        forms.update(dict.fromkeys(self.bridge.senses(word)))
        return tuple(forms)

    def _synonyms(self, word: str) -> tuple[str, ...]:
        return tuple(w for w in synonyms(word) if w in self.sentences.df)

    def _forms(self, word: str, bridged: dict[str, list[str]]) -> tuple[str, ...]:
        """An English word as the reports may hold it: itself or a word it starts, its
        lemmas, and the Chinese words it translates to, alone or (``bridged``, the
        question's translations) in a phrase: "gross" of "gross margin" is 毛利率."""
        zh = dict.fromkeys([*bridged.get(word, ()), *self.bridge.translate(word).get(word, [])])
        own = [f for f in (word, *lemmas(word)) if self.sentences.starting(f)]
        return tuple(own) + tuple(w for w in zh if w in self.sentences.df)

    def _maker(self, question: str, bridged: dict[str, list[str]]) -> list[tuple[str, ...]]:
        # Only words the reports hold count: the bridge misses too many (a text's short
        # form is often not the dictionary's word) to refuse on a word found nowhere.
        return [f for f in (self._forms(w, bridged) for w in maker(question)) if f]

    def _head(self, words: list[str]) -> tuple[str, ...]:
        """The measured thing's head word (first of ``words``) and its synonyms."""
        if not words:
            return ()
        head = words[0]
        # jieba cuts unknown text into pieces (总营收 -> 总营 / 收): a piece that neither
        # its dictionary nor the reports know as a word is no head to insist on.
        if head not in self.sentences.df and not in_dictionary(head):
            return ()
        return (head, *self._synonyms(head))

    def _judged(self, words: list[str], bridged: dict[str, list[str]]) -> list[tuple[str, ...]]:
        """The forms the reports hold of each word (a thing measured, or its owner); ()
        for an English word that translates, yet no report contains. Words we cannot
        judge (a Chinese word the tokens do not hold, an unknown English one) are left
        out."""
        out = []
        for word in words:
            if language(word) == "zh":
                if word in self.sentences.df:
                    out.append((word, *self._synonyms(word)))
                continue
            forms = self._forms(word, bridged)
            if forms or self.bridge.known(word):
                out.append(forms)
        return out

    def search(
        self, query: Query, sources: list[str] | None = None, timings: dict | None = None
    ) -> list[Hit]:
        """Sentences ranked for ``query`` (from :meth:`query`, which brought the keyword
        index up to date), best first, at most ``SENTENCE_POOL``."""
        timings = {} if timings is None else timings
        t = time.perf_counter()
        vector = self._embedder().embed_queries([query.text])[0].tolist()
        timings["encode"] = time.perf_counter() - t

        t = time.perf_counter()
        # One search over sentences and chunks together: one round trip to the store.
        nearest = self.store.dense(
            vector, None, SENTENCE_POOL + CHUNK_POOL, sources, known=self.by_id
        )
        dense_s = [(r, s) for r, s in nearest if r.kind == "sentence"][:SENTENCE_POOL]
        dense_c = [(r, s) for r, s in nearest if r.kind == "chunk"][:CHUNK_POOL]
        timings["dense"] = time.perf_counter() - t

        t = time.perf_counter()
        words = query.keywords
        kw_s = _top(self.sentences, words, SENTENCE_POOL, sources)
        kw_c = _top(self.chunks, words, CHUNK_POOL, sources)
        timings["keyword"] = time.perf_counter() - t

        t = time.perf_counter()
        hits = self._fuse(dense_s, dense_c, kw_s, kw_c)
        missing = [h.sentence.id for h in hits if h.dense == 0.0]
        if missing:  # cosines for pool members the dense list did not reach
            vecs = self.store.vectors_by_id(missing)
            cos = {i: float(np.dot(v, vector)) for i, v in vecs.items()}
            hits = [
                replace(h, dense=cos.get(h.sentence.id, 0.0)) if h.dense == 0.0 else h for h in hits
            ]
        timings["fuse"] = time.perf_counter() - t
        return hits

    def _fuse(self, dense_s, dense_c, kw_s, kw_c) -> list[Hit]:
        fused: dict[str, float] = {}
        sentence: dict[str, Record] = {}
        cos = {r.id: s for r, s in dense_s}
        chunk_cos = {r.id: s for r, s in dense_c}
        best_kw = max((s for _, s in kw_s), default=0.0) or 1.0
        kw = {r.id: s / best_kw for r, s in kw_s}

        def add(rec: Record, rank: int) -> None:
            sentence[rec.id] = rec
            fused[rec.id] = fused.get(rec.id, 0.0) + 1.0 / (RRF_K + rank)

        for rank, (rec, _) in enumerate(dense_s):
            add(rec, rank)
        for rank, (rec, _) in enumerate(kw_s):
            add(rec, rank)
        chunk_rank: dict[str, list[int]] = {}
        for ranked in (dense_c, kw_c):
            for rank, (rec, _) in enumerate(ranked):
                chunk_rank.setdefault(rec.id, []).append(rank)
        # A sentence inherits the ranks of its chunk; chunks' other sentences join the pool.
        for chunk_id, ranks in chunk_rank.items():
            for rec in self.sentences_of.get(chunk_id, ()):
                for rank in ranks:
                    add(rec, rank)
        order = sorted(fused, key=lambda i: -fused[i])[:SENTENCE_POOL]
        return [
            Hit(
                sentence=sentence[i],
                chunk=self.chunk_by_id.get(sentence[i].chunk_id),
                score=fused[i],
                dense=cos.get(i, 0.0),
                chunk_dense=chunk_cos.get(sentence[i].chunk_id, 0.0),
                keyword=kw.get(i, 0.0),
                before=self._before(sentence[i]),
            )
            for i in order
        ]

    def _before(self, rec: Record) -> str:
        siblings = self.sentences_of.get(rec.chunk_id, [])
        for prev, cur in zip(siblings, siblings[1:]):
            if cur.id == rec.id:
                gap = (
                    self.chunk_by_id[rec.chunk_id].text if rec.chunk_id in self.chunk_by_id else ""
                )
                # Only within a paragraph: a blank line means a new thought.
                between = gap[prev.end - siblings[0].start : cur.start - siblings[0].start]
                return "" if "\n" in between else prev.text
        return ""


def _latin_in_chinese(question: str) -> list[list[str]]:
    """Names in Latin letters inside a Chinese question ("Nordvik的营收"): capitalised
    words of three letters or more that are not terms of the glossary, lower case. Short
    acronyms (CEO, ARR) are left out: a report may spell them out."""
    if len(_CJK_CHARS.findall(question)) < len(re.findall(r"[A-Za-z]+", question)):
        return []  # mostly English: capitalised words are read by name_groups
    words = re.findall(r"[A-Z][A-Za-z&\-]+", question)
    return [
        [w.lower()]
        for w in words
        if not (w.isupper() and len(w) <= 4) and w.lower() not in GLOSSARY and len(w) >= 3
    ]


_CJK_CHARS = re.compile(r"[\u4e00-\u9fff]")
_TIME_WORD = re.compile(r"[年月日季]|周|星期|上旬|中旬|下旬|今天|昨天")


_RECORD_FIELDS = tuple(f.name for f in fields(Record))


def _fields(record: Record) -> tuple:
    return tuple(getattr(record, name) for name in _RECORD_FIELDS)


@lru_cache(maxsize=1)
def _derived_from() -> tuple | None:
    """What the keyword side is computed with besides the index's records (the cache's
    key): this module, the tokens and the folding of bot.terms and bot.normalize, the
    Record type, and the libraries behind them. None: not known, nothing is cached."""
    from bot import normalize, terms
    from index import store

    files = [__file__, terms.__file__, normalize.__file__, store.__file__, cache.__file__]
    return cache.sources_key(files, ("jieba", "opencc", "pypinyin", "rank_bm25", "numpy"))


def _top(index: KeywordIndex, words: list[str], k: int, sources: list[str] | None):
    scores = index.scores(words)
    if sources:
        scores = np.where(index.mask(sources), scores, 0.0)
    order = np.argsort(-scores)[:k]
    return [(index.records[i], float(scores[i])) for i in order if scores[i] > 0]
