"""lpsync's docutils parser reuses list state machines; it must build the very doctree
docutils' own classes build."""

from __future__ import annotations

from pathlib import Path

import pytest
from docutils.parsers.rst import states
from docutils.statemachine import string2lines
from docutils.utils import new_document

from lpsync.specdoc.parse import _parse, _settings

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
GOLDEN = Path(__file__).parent / "golden" / "specs"

NESTED_LISTS = """\
=====
Title
=====

* a

  * b

    #. c
    #. d

Term
  Definition

  :field: value
  :other: * x
          * y

- e

  Nested term
    nested definition

1. f
2. g

   -o  option
   --long  other
"""


def _stock(text: str) -> str:
    document = new_document("<spec>", _settings())
    machine = states.RSTStateMachine(
        state_classes=states.state_classes, initial_state="Body", debug=False
    )
    lines = string2lines(text, tab_width=8, convert_whitespace=True)
    machine.run(lines, document, inliner=None)
    return document.pformat()


def _ours(text: str) -> str:
    return _parse(text.split("\n")).pformat()


def _samples() -> list[Path]:
    files = sorted(GOLDEN.glob("*.rst"))
    if CORPUS.is_dir():
        files += sorted(CORPUS.glob("*/specs/**/*.rst"))[::40]  # a spread, kept quick
    return [p for p in files if p.is_file() and not p.is_symlink()]


def test_nested_lists_parse_as_docutils_parses_them() -> None:
    # Twice: the second run goes through the machines the first one left behind.
    assert _ours(NESTED_LISTS) == _stock(NESTED_LISTS)
    assert _ours(NESTED_LISTS) == _stock(NESTED_LISTS)
    assert "enumerated_list" in _ours(NESTED_LISTS) and "option_list" in _ours(NESTED_LISTS)


@pytest.mark.parametrize("path", _samples(), ids=lambda p: p.name)
def test_real_specs_parse_as_docutils_parses_them(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert _ours(text) == _stock(text)
