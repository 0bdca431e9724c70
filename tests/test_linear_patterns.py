"""Every pattern applied to free spec text runs in time linear in the text.

A pattern whose repeat can start anywhere in a long run and backtrack over all of it
is quadratic (a 900 KB spec once took a minute in the email pattern). The check is
structural, not a timer: each repeat is bounded, or is the pattern's last element
over single characters (it never gives back what it took), so the work per starting
position is bounded by a constant the pattern fixes. The hypothesis test then feeds
long pathological lines through the matcher."""

from __future__ import annotations

import re
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lpsync import lint, people
from lpsync.people import Match, match

_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
_SINGLE = {sre_constants.LITERAL, sre_constants.NOT_LITERAL, sre_constants.IN, sre_constants.ANY}
BOUND = 256  # the largest repeat allowed: work per start is at most this many steps


def _unbounded(items: Any, last_ok: bool) -> list[str]:
    """Repeats that are unbounded (or bounded above BOUND) where that can backtrack."""
    bad: list[str] = []
    items = list(items)
    for index, (op, av) in enumerate(items):
        if op in _REPEATS:
            low, high, body = av
            single = len(body) == 1 and body[0][0] in _SINGLE
            trailing = last_ok and index == len(items) - 1 and single
            if (high is sre_constants.MAXREPEAT or high > BOUND) and not trailing:
                bad.append(f"{op} {{{low},{high}}}")
            bad += _unbounded(body, False)
        elif op is sre_constants.SUBPATTERN:
            bad += _unbounded(av[3], last_ok and index == len(items) - 1)
        elif op is sre_constants.BRANCH:
            for branch in av[1]:
                bad += _unbounded(branch, last_ok and index == len(items) - 1)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            bad += _unbounded(av[1], False)
    return bad


def unbounded(pattern: re.Pattern[str]) -> list[str]:
    return _unbounded(sre_parse.parse(pattern.pattern, pattern.flags), True)


SEARCHED = [*people.TEXT_PATTERNS, lint._URL_RE]


@pytest.mark.parametrize("pattern", SEARCHED, ids=lambda p: p.pattern[:40])
def test_searched_patterns_have_bounded_repeats(pattern: re.Pattern[str]) -> None:
    assert unbounded(pattern) == []


def test_the_check_catches_the_quadratic_forms() -> None:
    # The email and scheme patterns as they were: a long run of letters made every
    # start position scan (and give back) the rest of the run.
    assert unbounded(re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"))
    assert unbounded(re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://"))
    assert not unbounded(re.compile(r"[\s,]+"))


FRAGMENTS = [
    "a" * 500,
    "Zz" * 200,
    "@",
    ".",
    "-",
    " ",
    "(",
    ")",
    "<",
    ">",
    "~",
    ",",
    "\n",
    "x@y",
    "a.b" * 100,
    "https://launchpad.net/~",
    "lp:",
    "IRC:",
]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=20, max_size=120), st.integers(2, 20))
def test_long_pathological_lines(parts: list[str], repeat: int) -> None:
    line = "".join(parts) * repeat
    assert len(line) >= 20
    assert match(line, "zz-id", "Zz Id") is not Match.YES or "zz id" in line.casefold()
    assert match(f"{line}\n(zz-id)", "zz-id") is Match.YES
