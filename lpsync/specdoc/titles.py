"""Blueprint titles as RST: one clean line, escaped to render as written.

Every escape costs a column and nova's gate limits lines to 79 columns, so a title is
escaped only where docutils would otherwise render it differently: the candidate
escapes come from rules (characters that can start or end inline markup), and then
docutils itself decides, escape by escape, which of them are needed.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from docutils import nodes
from docutils.utils import column_width

from lpsync.specdoc.lines import _ADORN_RE
from lpsync.specdoc.parse import _parse, line_length_limit

# Characters that can start or end inline markup; ``_ : @`` only where they could form
# a reference, a URI or an e-mail address (``a_b`` and ``Note: x`` stay readable).
_TITLE_ALWAYS = set("\\`*|<>[]")


def _title_char_may_need_escape(clean: str, k: int) -> bool:
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


def renders_as(source: str, clean: str) -> bool:
    """Whether the title line ``source`` renders as exactly the text ``clean`` and
    nothing else (no markup, no warning), both under an underline alone and between
    an over- and underline: the two title styles of real specs, which docutils reads
    differently (``1. x`` over an underline alone is a list item)."""
    adorn = "=" * max(column_width(source), 4)
    return _renders(("", source, adorn), clean) and _renders((adorn, source, adorn), clean)


def _renders(lines: tuple[str, str, str], clean: str) -> bool:
    document = _parse([line for line in lines if line])
    if len(document.children) != 1 or not isinstance(document[0], nodes.section):
        return False
    section = document[0]
    if len(section.children) != 1 or not isinstance(section[0], nodes.title):
        return False
    title = section[0]
    return all(isinstance(child, nodes.Text) for child in title.children) and (
        title.astext() == clean
    )


@lru_cache(maxsize=512)
def escape_title(title: str) -> str:
    """RST source that renders as exactly ``clean_title(title)`` and nothing else, with
    as few backslashes as docutils needs."""
    clean = clean_title(title)
    marks = [_title_char_may_need_escape(clean, k) for k in range(len(clean))]
    # A title made only of punctuation would read as an adornment line; a leading
    # escape keeps it text.
    if clean and not clean[0].isalnum():
        marks[0] = True

    def source(flags: list[bool]) -> str:
        return "".join("\\" + ch if flag else ch for ch, flag in zip(clean, flags, strict=True))

    if not clean or not renders_as(source(marks), clean):
        return source(marks)  # docutils cannot show it as is anyway: escape by the rules
    for k, flag in enumerate(marks):
        if flag:
            marks[k] = False
            if not renders_as(source(marks), clean):
                marks[k] = True
    return source(marks)


def title_problem(title: str) -> str | None:
    """Why a blueprint's ``title`` cannot be a spec's title, or None: nothing is left
    once cleaned, or it reads as an adornment line ("---") that docutils never takes
    for a title."""
    clean = clean_title(title)
    if not clean:
        return "title is empty"
    if _ADORN_RE.match(escape_title(clean)):
        return f"title {clean!r} cannot be an RST title"
    if len(escape_title(clean)) + 2 > line_length_limit():  # with the over- and underline
        return (
            f"title is {len(clean)} characters long: docutils reads nothing of a spec "
            f"with a line over {line_length_limit()}"
        )
    return None
