from __future__ import annotations

import pytest
from positive_chat.domain import limits
from positive_chat.domain.errors import ValidationError


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_or_whitespace_text_is_refused(text):
    with pytest.raises(ValidationError, match="empty"):
        limits.check_text(text)


def test_text_at_the_limit_passes_and_one_more_fails():
    assert limits.check_text("a" * 2000) == "a" * 2000
    with pytest.raises(ValidationError, match="2001 characters; the limit is 2000") as err:
        limits.check_text("a" * 2001)
    assert err.value.info == {"field": "text", "limit": 2000}


@pytest.mark.parametrize("bad", ["hi\x00there", "bell\x07", "esc\x1b[31m", "del\x7f", "priv\ue000"])
def test_control_characters_are_refused(bad):
    with pytest.raises(ValidationError, match="control character"):
        limits.check_text(bad)


def test_newlines_tabs_and_emoji_joiners_are_allowed():
    text = "line one\nline\ttwo 👩\u200d💻"
    assert limits.check_text(f"  {text}  ") == text


@pytest.mark.parametrize("client_id", ["short", "has space in it", "x" * 65, "ünïcode-id"])
def test_bad_client_ids(client_id):
    with pytest.raises(ValidationError, match="clientId"):
        limits.check_client_id(client_id)


def test_uuid_client_id_is_fine():
    assert limits.check_client_id("3f1c2a9e-2b7d-4a51-9f8e-7c6d5b4a3f21")


@pytest.mark.parametrize(
    ("raw", "expected"), [("EN", "en"), ("fr", "fr"), ("zh-tw", "zh-TW"), (" pt ", "pt")]
)
def test_language_codes_are_normalised(raw, expected):
    assert limits.check_language(raw) == expected


@pytest.mark.parametrize("raw", ["english", "e", "en_US", "12", ""])
def test_bad_language_codes(raw):
    with pytest.raises(ValidationError, match="language code"):
        limits.check_language(raw)


def test_page_size_bounds():
    assert limits.check_page_size(None) == 20
    assert limits.check_page_size(100) == 100
    for bad in (0, -1, 101):
        with pytest.raises(ValidationError, match="between 1 and 100"):
            limits.check_page_size(bad)


def test_threshold_bounds():
    assert limits.check_threshold(None) == 0.6
    assert limits.check_threshold(0.5) == 0.5
    for bad in (0.49, 1.01):
        with pytest.raises(ValidationError, match="negativityThreshold"):
            limits.check_threshold(bad)


def test_room_name_limits():
    assert limits.check_name("  Lounge ", 80, field="name") == "Lounge"
    with pytest.raises(ValidationError, match="81 characters"):
        limits.check_name("n" * 81, 80, field="name")
