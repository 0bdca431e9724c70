"""docutils' inline patterns, searched word by word: the very doctree docutils builds,
without its quadratic scans of long words that hold no markup character."""

from __future__ import annotations

import re

from docutils.parsers.rst import states
from docutils.statemachine import string2lines
from docutils.utils import new_document
from hypothesis import given, settings
from hypothesis import strategies as st

from lpsync.specdoc import parse
from lpsync.specdoc.parse import WordSearch, _parse, _settings

FRAGMENTS = [
    "zed-" * 40,
    "~a-" * 40,
    "a" * 60,
    "zed-zed_",
    "zed-zed_x",
    "zed-zed:",
    "zed:zed",
    "http://example.org/a_b?q=1#f",
    "https://blueprints.launchpad.net/nova/+spec/x-y",
    "<http://example.org/>",
    "foo:bar",
    "mailto:a@b.org",
    "a.b@c.org",
    "a@b",
    "a..b@c.d.",
    "\\@",
    "\\:",
    "\\_",
    "name_",
    "name__",
    "`x`_",
    "`x <http://y.org/>`_",
    ":role:`x`",
    ":ref:`y`",
    "[1]_",
    "[#]_",
    "[CIT]_",
    "*em*",
    "**st**",
    "``lit``",
    "_`target`",
    "|sub|",
    "|sub|_",
    "PEP 8",
    "RFC 2822",
    "pep-0008",
    "(",
    ")",
    "-",
    "/",
    ":",
    "@",
    "_",
    "*",
    "`",
    "|",
    "'",
    '"',
    ".",
    ">",
    "~",
]
SEPARATORS = ["", "", " ", "  ", "\n", "-", "/", "(", ")"]

words = st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(SEPARATORS)), max_size=12)


def _join(parts: list[tuple[str, str]]) -> str:
    return "".join(f + s for f, s in parts)


def _stock(text: str) -> str:
    document = new_document("<spec>", _settings())
    machine = states.RSTStateMachine(
        state_classes=states.state_classes, initial_state="Body", debug=False
    )
    machine.run(string2lines(text, tab_width=8, convert_whitespace=True), document, inliner=None)
    return document.pformat()


def _ours(text: str) -> str:
    return _parse(text.split("\n")).pformat()


def _inliner() -> states.Inliner:
    _parse(["x"])  # builds this thread's guarded inliner
    inliner: states.Inliner = parse._local.inliner
    return inliner


def _stock_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    inliner = states.Inliner()
    inliner.init_customizations(_settings())
    return inliner.patterns.initial, inliner.patterns.uri


def _same(a: re.Match[str] | None, b: re.Match[str] | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.span() == b.span() and [a.span(g) for g in range(len(a.regs))] == [
        b.span(g) for g in range(len(b.regs))
    ]


@settings(max_examples=400, deadline=None)
@given(words, st.sampled_from(["", "\x00", " ", "\n"]))
def test_word_search_finds_what_the_pattern_finds(parts: list[tuple[str, str]], lead: str) -> None:
    # escape2null turns "\\x" into "\x00x" before the patterns see the text.
    text = lead + _join(parts).replace("\\", "\x00")
    for pattern, triggers in zip(_stock_patterns(), ("*`_|", ":@"), strict=True):
        assert _same(WordSearch(pattern, triggers).search(text), pattern.search(text))


@settings(max_examples=150, deadline=None)
@given(words, words)
def test_paragraphs_and_field_blocks_parse_as_docutils_parses_them(
    first: list[tuple[str, str]], second: list[tuple[str, str]]
) -> None:
    a, b = _join(first).strip(), _join(second).strip()
    for text in (
        f"{a}\n{b}\n",
        f"Primary assignee:\n  {a}\n  {b}\n",
        f"Target Milestone for completion:\n  {a} {b}\n",
        f"* {a}\n\n  {b}\n",
    ):
        assert _ours(text) == _stock(text)


def test_crafted_runs_take_the_short_path() -> None:
    # 100 lines of ~9,000 characters under a label: docutils' own search scanned the
    # rest of every word from each of its ~2,000 word starts. The guarded search hands
    # the patterns only the label's last word: no other word holds a character any
    # match needs.
    inliner = _inliner()
    initial, uri = inliner.patterns.initial, inliner.implicit_dispatch[0][0]
    assert isinstance(initial, WordSearch) and isinstance(uri, WordSearch)
    for label, unit in (("Primary assignee:", "~a-"), ("Target Milestone for completion:", "zed-")):
        lines = [label, *("  " + unit * (9000 // len(unit)) for _ in range(100))]
        before = initial.scanned + uri.scanned
        document = _parse(lines)
        assert initial.scanned + uri.scanned - before == len(label.split()[-1])
        assert document.astext().count(unit) == 100 * (9000 // len(unit))


def test_a_word_with_markup_is_still_searched_whole() -> None:
    inliner = _inliner()
    uri = inliner.implicit_dispatch[0][0]
    before = uri.scanned
    text = "zed-" * 100 + " mail a@b.org " + "zed-" * 100
    assert "mailto:a@b.org" in _ours(text)
    assert uri.scanned - before == len("a@b.org ")
