"""Fit text into a provider's UTF-8 byte limit without splitting a character."""

from __future__ import annotations


def truncate_utf8(text: str, max_bytes: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 encoding fits in ``max_bytes``."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    cut = max_bytes
    # data[cut] is the first byte left out; a continuation byte (0b10xxxxxx) there
    # means a character straddles the limit, so back up to where it starts.
    while cut > 0 and (data[cut] & 0xC0) == 0x80:
        cut -= 1
    return data[:cut].decode("utf-8")


def split_utf8(text: str, max_bytes: int) -> list[str]:
    """Consecutive pieces of ``text``, each at most ``max_bytes`` in UTF-8.

    A piece ends after the last whitespace in its second half when there is one,
    so a word is not cut in two (each half would be scored as a different word);
    scripts without spaces are cut at a character boundary. Pieces holding only
    whitespace are dropped: there is nothing in them to analyse.
    """
    if max_bytes < 4:
        raise ValueError("max_bytes must hold at least one UTF-8 character (4 bytes)")
    pieces: list[str] = []
    rest = text
    while rest:
        head = truncate_utf8(rest, max_bytes)
        if len(head) < len(rest):
            for i in range(len(head) - 1, len(head) // 2, -1):
                if head[i].isspace():
                    head = head[: i + 1]
                    break
        if head.strip():
            pieces.append(head)
        rest = rest[len(head) :]
    return pieces
