"""Match a header text to a canonical field by its words, with a score, when no synonym matches exactly.

Agencies write "No. Paspor/Passport No", "Nomor Paspor Tenaga Kerja", "Tgl. Lahir (dd-mm-yyyy)", "Jabatan di
Perusahaan", "Kewarganeg." — spellings no synonym list will ever hold completely. A header is split into words;
abbreviations and English words map to one canonical word (``config/sources.yaml: header_words``); a synonym
matches when every one of its words is in the header (exactly, as a prefix of four letters or more, or within
one typo). The score rewards a synonym that covers more of the header and one that starts where the header
starts (Indonesian names the thing first: "Nama Perusahaan" is a company's name, "Jabatan di Perusahaan" a
position). The best field must reach ``threshold`` and beat every other field by ``margin``; a tie is refused.
Every such guess is reported to the steward (``header_guessed``), who confirms or corrects it with ``tka layout``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

_SPLIT = re.compile(r"[^\w]+|_")
_DIGITS = re.compile(r"\d")
THRESHOLD = 0.6
MARGIN = 0.05
MAX_WORDS = 10  # longer texts are titles or data, never a column header
FUZZY_WORD_SCORE = 88.0  # rapidfuzz ratio for one typo in a word of 6+ letters
MIN_PREFIX = 4


@dataclass(frozen=True)
class HeaderGuess:
    """The field a header text was matched to by its words, and how well."""

    field: str
    score: float
    synonym: str  # the synonym whose words matched


_UNTIL = re.compile(r"\bs\s*[/.]\s*d\b\.?")  # "s/d", "s.d." (sampai dengan): until


def words_of(text: str, word_map: Mapping[str, str], stopwords: frozenset[str]) -> list[str]:
    """The canonical words of a text: casefolded, accents and punctuation removed, abbreviations expanded,
    stopwords and repeats dropped ("No. Paspor/Passport No" -> ["nomor", "paspor"])."""
    folded = unicodedata.normalize("NFKD", _UNTIL.sub(" sampai ", text.casefold()))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    out: list[str] = []
    for raw in _SPLIT.split(plain):
        if not raw:
            continue
        for word in word_map.get(raw, raw).split():
            if word not in stopwords and word not in out:
                out.append(word)
    return out


@dataclass
class HeaderVocabulary:
    """Synonyms as word lists, indexed by word, for scoring many header texts against them."""

    synonyms: Mapping[str, list[str]]
    word_map: Mapping[str, str] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    ignored: frozenset[str] = frozenset()  # word keys of header texts the steward said map to nothing
    generic: frozenset[str] = frozenset()  # words that name no field alone ("nomor", "nama", "tanggal")
    subjects: frozenset[str] = frozenset()  # document words: a header naming one is about that document
    heads: Mapping[str, frozenset[str]] = field(default_factory=dict)  # generic word -> fields it can head
    threshold: float = THRESHOLD
    margin: float = MARGIN

    def __post_init__(self) -> None:
        self.entries: list[tuple[str, tuple[str, ...], str]] = []  # (field, words, synonym text)
        self.by_word: dict[str, list[int]] = {}
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for fld, texts in self.synonyms.items():
            for text in [fld.replace("_", " "), *texts]:
                words = tuple(words_of(str(text), self.word_map, self.stopwords))
                if not words or (fld, words) in seen:
                    continue
                seen.add((fld, words))
                index = len(self.entries)
                self.entries.append((fld, words, str(text)))
                for word in words:
                    self.by_word.setdefault(word, []).append(index)
        self.vocabulary = sorted(self.by_word)
        # The documents each field's synonyms speak of ("rptka_end" -> {"rptka"}).
        self.field_subjects: dict[str, set[str]] = {}
        for fld, words, _ in self.entries:
            self.field_subjects.setdefault(fld, set()).update(w for w in words if w in self.subjects)

    def _resolve_word(self, word: str) -> list[tuple[str, float]]:
        """Vocabulary words a header word may stand for: itself, the words it abbreviates, one-typo cousins."""
        if word in self.by_word:
            return [(word, 1.0)]
        found: list[tuple[str, float]] = []
        if len(word) >= MIN_PREFIX and not _DIGITS.search(word):
            found += [(v, 0.9) for v in self.vocabulary if v.startswith(word) and v != word]
        if len(word) >= 6:
            for match, _score, _ in process.extract(word, self.vocabulary, scorer=fuzz.ratio,
                                                   score_cutoff=FUZZY_WORD_SCORE, limit=3):
                if all(match != f for f, _ in found):
                    found.append((match, 0.85))
        return found

    def guess(self, text: str) -> HeaderGuess | None:
        """The field ``text`` names by its words, or None (nothing close, or two fields equally close)."""
        words = words_of(text, self.word_map, self.stopwords)
        if not words or len(words) > MAX_WORDS or "".join(words) in self.ignored:
            return None
        resolved = [self._resolve_word(w) for w in words]
        candidates: set[int] = set()
        for options in resolved:
            for word, _ in options:
                candidates.update(self.by_word.get(word, ()))
        named = {w for options in resolved for w, _ in options if w in self.subjects}
        best: dict[str, tuple[float, str]] = {}
        for index in candidates:
            fld, syn_words, syn_text = self.entries[index]
            if named and not named & self.field_subjects.get(fld, set()):
                continue  # "Tgl Expired Paspor" is about the passport, whatever "Tgl Expired" alone means
            score = self._score(syn_words, resolved, self.generic)
            if score is not None and not self._fits_head(fld, syn_words, resolved):
                score = None
            if score is not None and score > best.get(fld, (0.0, ""))[0]:
                best[fld] = (score, syn_text)
        if not best:
            return None
        ranked = sorted(best.items(), key=lambda kv: -kv[1][0])
        top_field, (top, synonym) = ranked[0]
        if top < self.threshold:
            return None
        if len(ranked) > 1 and top - ranked[1][1][0] < self.margin:
            return None  # a tie: the steward decides
        return HeaderGuess(top_field, round(top, 3), synonym)

    def _fits_head(self, fld: str, syn_words: tuple[str, ...], resolved: list[list[tuple[str, float]]]) -> bool:
        """A header led by a generic word the synonym skips ("Nama Sesuai Paspor", "Nomor HP/WA", "Tgl Expired
        Paspor") names a field of that word's kind only: a name, a number, a date."""
        first = [w for w, _ in resolved[0] if w in self.generic]
        if not first or any(w in syn_words for w, _ in resolved[0]):
            return True
        return any(fld in self.heads.get(w, frozenset()) for w in first)

    @staticmethod
    def _score(syn_words: tuple[str, ...], resolved: list[list[tuple[str, float]]],
               generic: frozenset[str] = frozenset()) -> float | None:
        """Score of one synonym against the header's resolved words; None unless every synonym word is there."""
        used: set[int] = set()
        quality = 1.0
        for word in syn_words:
            hit = next(((i, q) for i, options in enumerate(resolved) if i not in used
                        for w, q in options if w == word), None)
            if hit is None:
                return None
            used.add(hit[0])
            quality = min(quality, hit[1])
        coverage = len(syn_words) / len(resolved)
        if coverage < 1 and all(w in generic for w in syn_words):
            return None  # "No. HP" is no row number, "Nama Ibu" no worker's name
        head = 1.0 if 0 in used else 0.0
        score = (0.5 + 0.3 * coverage + 0.2 * head) * quality
        # A lone word covering little of a header that does not start with it says little ("No. Telp Perusahaan").
        if not head and coverage < 0.5:
            return None
        return score


def vocabulary_from(synonyms: Mapping[str, Iterable[str]], word_map: Mapping[str, str],
                    stopwords: Iterable[str], ignored: Iterable[str] = (),
                    generic: Iterable[str] = (), subjects: Iterable[str] = (),
                    heads: Mapping[str, Iterable[str]] | None = None) -> HeaderVocabulary:
    """A :class:`HeaderVocabulary` from the config's parts (keys casefolded)."""
    words = {str(k).casefold(): str(v).casefold() for k, v in word_map.items()}
    stops = frozenset(str(s).casefold() for s in stopwords)
    ignored_keys = frozenset("".join(words_of(str(t), words, stops)) for t in ignored)
    generic_words = frozenset(w for g in generic for w in words_of(str(g), words, stops))
    subject_words = frozenset(w for g in subjects for w in words_of(str(g), words, stops))
    head_fields = {w: frozenset(str(f) for f in fields) for g, fields in (heads or {}).items()
                   for w in words_of(str(g), words, stops)}
    return HeaderVocabulary({f: [str(t) for t in ts] for f, ts in synonyms.items()}, words, stops, ignored_keys,
                            generic_words, subject_words, head_fields)
