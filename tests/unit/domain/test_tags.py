from __future__ import annotations

from positive_chat.domain.limits import Limits
from positive_chat.domain.tags import Phrase, normalise_tag, select_tags, tag_delta


def test_normalisation_is_nfkc_casefolded_trimmed():
    assert normalise_tag("  ＲＯＭＥ  ") == "rome"  # full-width letters fold via NFKC
    assert normalise_tag("Straße") == "strasse"  # casefold, not lower()
    assert normalise_tag('"#Sunny   Day!"') == "sunny day"
    assert normalise_tag("the sunny day") == "sunny day"


def test_meaningless_candidates_are_dropped():
    assert normalise_tag("!!") is None
    assert normalise_tag("a") is None
    assert normalise_tag("the") is None


def test_long_tags_are_cut_at_a_word_boundary():
    tag = normalise_tag("word " * 20)
    assert tag is not None
    assert len(tag) <= 40
    assert not tag.endswith(" ")
    assert tag.split(" ")[-1] == "word"


def test_select_tags_deduplicates_bounds_and_orders():
    phrases = [
        Phrase("Rome", 0.9),
        Phrase("rome", 0.95),
        Phrase("ROME!", 0.2),
        Phrase("sunny day", 0.8),
    ]
    phrases += [Phrase(f"topic {i}", 0.5) for i in range(20)]
    tags = select_tags(phrases, Limits(tags_per_message=5))
    assert tags[0] == "rome"
    assert tags[1] == "sunny day"
    assert len(tags) == 5
    assert len(set(tags)) == 5


def test_min_score_filters():
    assert select_tags([Phrase("weak", 0.1), Phrase("strong", 0.9)], min_score=0.3) == ("strong",)


def test_tag_delta():
    added, removed = tag_delta(("a", "b"), ("b", "c"))
    assert added == {"c"}
    assert removed == {"a"}


def test_sentence_fragments_are_not_topics():
    phrases = [
        Phrase("cake with fresh", 0.95),
        Phrase("share the recipe", 0.94),
        Phrase("recipe", 0.8),
    ]
    assert select_tags(phrases) == ("recipe",)
