"""Blueprint titles as RST: one clean line, escaped to render as written."""

from __future__ import annotations

import unicodedata

# Characters that can start or end inline markup; escaping each with a backslash makes
# docutils render it literally.  ``_ : @`` are escaped only where they could form a
# reference, a URI or an e-mail address (``a_b`` and ``Note: x`` stay readable).
_TITLE_ALWAYS = set("\\`*|<>[]")


def _title_char_needs_escape(clean: str, k: int) -> bool:
    ch = clean[k]
    if ch in _TITLE_ALWAYS:
        return True
    before = clean[k - 1] if k else " "
    after = clean[k + 1] if k + 1 < len(clean) else " "
    if ch == "_":
        return not (before.isalnum() and after.isalnum())
    if ch in ":@":
        return not after.isspace()
    return False


def clean_title(title: str) -> str:
    """The title as one line: whitespace runs (newlines included) become one space and
    control characters go."""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in title
        if unicodedata.category(ch) != "Cc" or ch.isspace()
    )
    return " ".join(kept.split())


def escape_title(title: str) -> str:
    """RST source that renders as exactly ``clean_title(title)`` and nothing else."""
    clean = clean_title(title)
    out = "".join(
        "\\" + ch if _title_char_needs_escape(clean, k) else ch for k, ch in enumerate(clean)
    )
    # A title made only of punctuation would read as an adornment line; a leading
    # escape keeps it text.  Escaping the first character of every title would be
    # noisier for no gain.
    if out and not out[0].isalnum() and out[0] != "\\":
        out = "\\" + out
    return out
