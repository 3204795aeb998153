"""Topic normalisation: raw key phrases and entities -> bounded, comparable tags."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .limits import DEFAULT_LIMITS, Limits

_SPACES = re.compile(r"\s+")
# Leading/trailing punctuation and symbols (quotes, '#', brackets) are not part of a topic.
_EDGE = "\"'`#@.,;:!?()[]{}<>«»“”‘’¿¡-_*/\\|~^"
# Articles and determiners that key-phrase extractors keep at the front ("the sunny day").
# fmt: off
_LEADING_STOPWORDS = frozenset({
    "a", "an", "the", "this", "that", "these", "those", "my", "your", "our", "their",
    "le", "la", "les", "un", "une", "des", "el", "los", "las", "una", "il", "lo", "gli",
    "der", "die", "das", "ein", "eine", "o", "os", "as", "um", "uma",
})
# Function words that make a phrase a fragment of a sentence rather than a topic
# ("cake with fresh", "share the recipe", "day in rome"): such phrases are dropped; the
# topic words they contain usually come as candidates of their own.
_FUNCTION_WORDS = _LEADING_STOPWORDS | frozenset({
    "and", "or", "but", "with", "without", "of", "in", "on", "at", "to", "for", "from", "by",
    "is", "are", "was", "were", "be", "it", "its", "i", "you", "we", "they", "he", "she",
    "et", "ou", "avec", "de", "du", "dans", "sur", "pour", "en", "est", "je", "tu", "nous",
    "y", "con", "del", "por", "para", "es", "und", "mit", "von", "im", "ist", "e", "di",
    "per", "com", "do", "da", "em", "no", "na",
})
# fmt: on


@dataclass(frozen=True)
class Phrase:
    """A candidate topic from an NLP provider; ``score`` in [0, 1], higher is better."""

    text: str
    score: float


def normalise_tag(raw: str, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """NFKC, case-fold, trim punctuation and articles, collapse spaces; None if nothing is left."""
    text = unicodedata.normalize("NFKC", raw).casefold()
    text = _SPACES.sub(" ", text).strip().strip(_EDGE).strip()
    words = text.split(" ")
    while len(words) > 1 and words[0] in _LEADING_STOPWORDS:
        words = words[1:]
    text = " ".join(words)
    if text in _LEADING_STOPWORDS or len(text) < 2 or not any(ch.isalnum() for ch in text):
        return None
    if len(text) > limits.tag_max_chars:
        # Cut at a word boundary where possible so tags stay readable.
        cut = text[: limits.tag_max_chars]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return text


def select_tags(
    phrases: Iterable[Phrase], limits: Limits = DEFAULT_LIMITS, *, min_score: float = 0.0
) -> tuple[str, ...]:
    """Best-scored distinct tags, at most ``limits.tags_per_message``.

    Duplicates after normalisation are merged keeping the best score; ties are
    broken alphabetically so the result is deterministic.
    """
    best: dict[str, float] = {}
    for phrase in phrases:
        if phrase.score < min_score:
            continue
        tag = normalise_tag(phrase.text, limits)
        if tag is None or any(word in _FUNCTION_WORDS for word in tag.split(" ")):
            continue
        if phrase.score > best.get(tag, -1.0):
            best[tag] = phrase.score
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    return tuple(tag for tag, _ in ranked[: limits.tags_per_message])


def tag_delta(old: Iterable[str], new: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """(added, removed) between two tag sets, for counter updates on edit/delete."""
    before, after = frozenset(old), frozenset(new)
    return after - before, before - after
