"""The raw view of a spec: its lines split as docutils splits them, with offsets
into the original text, and the line patterns (adornments, title candidates)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence

# docutils' adornment rule: one repeated punctuation character from column 0.
_ADORN_RE = re.compile(r"([!-/:-@\[-`{-~])\1*[ \t]*\Z")


_SEP_RE = re.compile(r"\r\n|\r|\n|\x1c|\x1d|\x1e|\x85|\u2028|\u2029")
# What makes a text more than lines separated by "\n".
_SPECIAL_RE = re.compile("[\r\x1c\x1d\x1e\x85\u2028\u2029\v\f]")


class _Lines:
    """The text split the way docutils splits it, with offsets into the original."""

    def __init__(self, text: str) -> None:
        self.text = text
        if _SPECIAL_RE.search(text) is None:
            self._split_lf(text)  # the common file: "\n" only, split in C
        else:
            self._split(text)
        self.bom = bool(self.content) and self.content[0].startswith("\ufeff")

    def _split(self, text: str) -> None:
        # docutils turns \v and \f into spaces before splitting; str.splitlines would
        # split on them, so mask them (same length) to keep line numbers in step.
        masked = text.replace("\v", " ").replace("\f", " ")
        starts = [0]
        ends = []
        eols = []
        for m in _SEP_RE.finditer(masked):
            ends.append(m.start())
            eols.append(m.group())
            starts.append(m.end())
        if starts[-1] == len(text) and len(starts) > 1:
            starts.pop()
        else:
            ends.append(len(text))
            eols.append("")
        self.starts = starts
        self.ends = ends
        self.eols = eols
        self.content = [masked[s:e] for s, e in zip(starts, ends, strict=True)]

    def _split_lf(self, text: str) -> None:
        """``_split`` for a text whose only separator is ``\n``: the same lists."""
        content = text.split("\n")
        if len(content) > 1 and not content[-1]:
            content.pop()  # a final newline ends the last line, it starts none
            eols = ["\n"] * len(content)
        else:
            eols = ["\n"] * (len(content) - 1) + [""]
        starts = [0]
        for line in content[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        self.starts = starts
        self.ends = [start + len(line) for start, line in zip(starts, content, strict=True)]
        self.eols = eols
        self.content = content

    def __len__(self) -> int:
        return len(self.content)

    def line_of(self, offset: int) -> int:
        """0-based index of the line holding ``offset``."""
        import bisect

        return bisect.bisect_right(self.starts, offset) - 1

    def blank(self, i: int) -> bool:
        return not self.content[i].strip()

    def indent(self, i: int) -> int:
        line = self.content[i].expandtabs(8)
        return len(line) - len(line.lstrip())

    def is_block_start(self, i: int) -> bool:
        """An unindented non-blank line after a blank line (or at the start)."""
        line = self.content[i]
        if not line or line[0] in " \t" or not line.strip():
            return False
        return i == 0 or self.blank(i - 1)

    def block_bounds(self, i: int) -> tuple[int, int]:
        s = i
        while s > 0 and not self.is_block_start(s):
            s -= 1
        e = i + 1
        while e < len(self) and not self.is_block_start(e):
            e += 1
        return s, e

    def eol_near(self, i: int) -> str:
        for j in range(i, -1, -1):
            if j < len(self.eols) and self.eols[j]:
                return self.eols[j]
        for e in self.eols:
            if e:
                return e
        return "\n"


@functools.lru_cache(maxsize=4)
def split_lines(text: str) -> _Lines:
    """``_Lines(text)``, shared: lint reads a spec's fields, links, lines and sections,
    each from the same split (nothing changes a ``_Lines`` once made)."""
    return _Lines(text)


def _title_candidates(lv: _Lines) -> Iterator[int]:
    """0-based lines that could be a section title's text: every docutils section title
    is a non-blank line followed by an adornment line, so this is a superset."""
    content = lv.content
    for i in range(len(content) - 1):
        if content[i].strip() and _ADORN_RE.match(content[i + 1]):
            yield i


def _join_ranges(
    marked: Sequence[str], ranges: Iterable[tuple[int, int]]
) -> tuple[list[str], list[int]]:
    merged: list[list[int]] = []
    for s, e in sorted(ranges):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    lines: list[str] = []
    line_map: list[int] = []
    for s, e in merged:
        if lines:
            lines.append("")
            line_map.append(-1)
        lines.extend(marked[s:e])
        line_map.extend(range(s, e))
    return lines, line_map
