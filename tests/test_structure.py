"""The fast section-tree reader agrees with docutils' own parse of the whole file."""

from __future__ import annotations

from pathlib import Path

import pytest

from lpsync.specdoc import _Lines
from lpsync.specdoc.structure import (
    Section,
    literal_lines,
    read_full,
    read_sections,
    read_sections_full,
)

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

TRICKY = {
    "bom and overline title": "\ufeff====\nT\n====\n\nA\n-\n\nB\n=\n",
    "title in a literal block": "Doc\n===\n\nx::\n\n  Not\n  ---\n\nReal\n----\n",
    "title in a comment": "..\n  Hidden\n  ======\n\nShown\n=====\n",
    "inconsistent level": "A\n=\n\nB\n-\n\nC\n~\n\nD\n=\n\nE\n~\n",
    "first candidate is no section": "x::\n\n  F\n  =\n\npara\n\nT\n=\n\nS\n-\n",
    "two top-level sections": "A\n=\n\nB\n=\n",
    "prose before the title": "Intro.\n\nA\n=\n\nB\n-\n",
    "no sections": "Just text.\n",
    "title inside a paragraph": "line one\nTitle\n=====\n\nnext\n",
    "text right under the underline": "A\n=\nText.\n\nB\n-\nMore.\n",
    "a reference and a quote in titles": 'Use name_\n=========\n\n"q" CLI\n-------\n',
    "an enumerator as title": "1. Intro\n--------\n\n2. Next\n--------\n",
    "a short underline": "Long title\n----\n\nB\n-\n",
    "a simple table with a span row": (
        "T\n=\n\n=====  =====\na      b\n\nspan\n------------\nc      d\n=====  =====\n"
    ),
    "an empty comment then a quote": "..\n\n   quoted\n\nA\n=\n",
    "a directive before the title": ".. note:: x\n\nA\n=\n",
    "a quoted literal block": "T\n=\n\nLike this::\n\n`" + "quoted " * 12 + "`\n`more`\n",
    "a long title at an inconsistent level (docutils quotes it in its error)": (
        "A\n=\n\nB\n-\n\nC\n~\n\nD\n=\n\n" + "word " * 16 + "\n" + "~" * 80 + "\n"
    ),
    "long lines: literal in a list, an unknown directive, prose": (
        "T\n=\n\n* item::\n\n    "
        + "code " * 20
        + "\n\n.. todo:: x\n\n   "
        + "todo " * 20
        + "\n\n"
        + "prose " * 15
        + "\n"
    ),
}


@pytest.mark.parametrize("text", TRICKY.values(), ids=TRICKY.keys())
def test_tricky_documents(text: str) -> None:
    assert read_sections(text) == read_sections_full(text)
    # Lint asks whether its long lines are literal, one or a few at a time: each alone
    # must be answered as the whole document's parse answers it.
    lv = _Lines(text)
    for n in [i + 1 for i, line in enumerate(lv.content) if len(line) > 79]:
        assert literal_lines(text, [n]) == read_full(text, [n])[1], n


def test_a_spec_with_a_title_lists_its_sections_at_top_level() -> None:
    tree = read_sections("..\n  licence\n\n=====\nTitle\n=====\n\nA\n-\n\nB\n~\n\nC\n-\n")
    assert tree.titled
    assert tree.top_level == (Section("A", 8, (Section("B", 11),)), Section("C", 14))
    untitled = read_sections("Intro.\n\nA\n=\n\nB\n-\n")
    assert not untitled.titled
    assert [s.title for s in untitled.top_level] == ["A"]


def test_fast_reader_is_docutils_on_every_corpus_spec() -> None:
    """Sections, and which long lines are literal (lint's question), as docutils
    parsing the whole file answers them."""
    files = sorted(p for p in CORPUS.glob("*/specs/**/*.rst") if p.is_file())
    if not files:
        pytest.skip("corpus not present")
    mismatched = []
    literal_seen = 0
    for path in files:
        with open(path, encoding="utf-8", newline="") as handle:
            text = handle.read()
        lv = _Lines(text)
        long = [i + 1 for i, line in enumerate(lv.content) if len(line) > 79]
        tree, literal = read_full(text, long, lv)
        literal_seen += len(literal)
        if read_sections(text, lv) != tree or literal_lines(text, long, lv) != literal:
            mismatched.append(str(path))
    assert mismatched == []
    assert literal_seen > 100  # the corpus has long literal lines: the check has teeth
