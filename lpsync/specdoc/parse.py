"""docutils, configured once: how lpsync parses RST and which nodes are not prose."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache

from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser, roles, states
from docutils.utils import new_document

_EXCLUDED = (
    nodes.comment,
    nodes.literal_block,
    nodes.doctest_block,
    nodes.raw,
    nodes.system_message,
    nodes.literal,
    nodes.math_block,
    nodes.substitution_definition,
    nodes.problematic,
)


@lru_cache(maxsize=1)
def _settings():
    settings = get_default_settings(Parser)
    settings.report_level = 5  # Sphinx roles/directives must not error
    settings.halt_level = 5
    settings.file_insertion_enabled = False  # never act on .. include::
    settings.raw_enabled = False
    settings.tab_width = 8
    settings.syntax_highlight = "long"
    return settings


_local = threading.local()


def _parse(lines: Sequence[str]) -> nodes.document:
    """Parse already split lines with no transforms.

    Building docutils' state machine costs more than parsing a short snippet, so one
    machine per thread is reused; each run resets its per-document state."""
    settings = _settings()
    document = new_document("<spec>", settings)
    machine = getattr(_local, "machine", None)
    if machine is None:
        machine = states.RSTStateMachine(
            state_classes=states.state_classes, initial_state="Body", debug=False
        )
        _local.machine = machine
        inliner = states.Inliner()
        inliner.init_customizations(settings)
        # Its regex set-up is costly and the settings never change: skip it next time.
        inliner.init_customizations = lambda _settings: None  # type: ignore[method-assign,assignment]
        _local.inliner = inliner
    text = "\n".join(lines)
    from docutils.statemachine import string2lines

    inputlines = string2lines(text, tab_width=8, convert_whitespace=True)
    if any(len(line) > settings.line_length_limit for line in inputlines):
        return document  # docutils refuses such input as a whole: nothing is prose
    try:
        machine.run(inputlines, document, inliner=_local.inliner)
    finally:
        machine.observers.clear()
        roles._roles.pop("", None)  # type: ignore[attr-defined]  # docutils' role cache
    return document


# --------------------------------------------------------------------------- the raw view
