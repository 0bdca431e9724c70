"""docutils, configured once: how lpsync parses RST and which nodes are not prose."""

from __future__ import annotations

import re
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


class _ReusedListMachines:
    """docutils builds a new nested state machine (15 states, each compiling its
    transitions) for every list, definition list or field list it meets: a third of
    the time a spec's few blocks take to parse. These states keep the machines of
    finished lists, per thread, and run the next list of the same kind on one of them;
    ``run`` resets a machine's input, node and memo. Only lpsync's parser uses them:
    docutils' own classes (and Sphinx) are untouched."""

    nested_sm_cache: list = []  # docutils' nested_parse cache, kept apart from its own

    def __init__(self, state_machine, debug=False) -> None:  # type: ignore[no-untyped-def]
        super().__init__(state_machine, debug)  # type: ignore[call-arg]
        self.nested_sm_kwargs = {"state_classes": STATE_CLASSES, "initial_state": "Body"}

    def nested_list_parse(  # type: ignore[no-untyped-def]
        self,
        block,
        input_offset,
        node,
        initial_state,
        blank_finish,
        blank_finish_state=None,
        extra_settings={},  # noqa: B006  (docutils' signature; never mutated)
        match_titles=False,
        state_machine_class=None,
        state_machine_kwargs=None,
    ):
        if state_machine_class is not None or state_machine_kwargs is not None or match_titles:
            return super().nested_list_parse(  # type: ignore[misc]
                block,
                input_offset,
                node,
                initial_state,
                blank_finish,
                blank_finish_state,
                extra_settings,
                match_titles,
                state_machine_class,
                state_machine_kwargs,
            )
        spare = _spare_list_machines().setdefault(initial_state, [])
        if spare:
            machine = spare.pop()
        else:
            machine = states.NestedStateMachine(
                state_classes=STATE_CLASSES, initial_state=initial_state, debug=False
            )
        machine.parent_state_machine = self.state_machine  # type: ignore[attr-defined]
        if blank_finish_state is None:
            blank_finish_state = initial_state
        machine.states[blank_finish_state].blank_finish = blank_finish
        for key, value in extra_settings.items():
            setattr(machine.states[initial_state], key, value)
        try:
            machine.run(block, input_offset, memo=self.memo, node=node, match_titles=False)  # type: ignore[attr-defined]
        finally:
            machine.observers.clear()  # run() attaches the document's observer each time
        blank_finish = machine.states[blank_finish_state].blank_finish
        offset = machine.abs_line_offset()
        spare.append(machine)  # only a run that finished goes back
        return offset, blank_finish


def _spare_list_machines() -> dict[str, list[states.NestedStateMachine]]:
    spare = getattr(_local, "lists", None)
    if spare is None:
        spare = _local.lists = {}
    return spare


# docutils' state classes with list machines reused; the same names, as transitions
# name their next state by class name.
STATE_CLASSES = tuple(
    type(cls.__name__, (_ReusedListMachines, cls), {}) for cls in states.state_classes
)


_SPACE_RE = re.compile(r"\s")
_TO_LAST_SPACE_RE = re.compile(r".*\s", re.DOTALL)


class WordSearch:
    """``pattern.search`` for a docutils inline pattern whose every match lies inside
    one word (a run without whitespace) holding one of ``triggers``: it searches only
    such words, each in a window from the word's start (lookbehinds still see the
    text before it) to just past the whitespace that ends it (so lookaheads and ``$``
    decide as in the whole text). The match is the one ``pattern.search(text)`` finds,
    as the same object kind (``match.string`` is the whole text). docutils' standalone
    URI/email and reference patterns try every word start and scan to the word's end:
    quadratic on a long ``zed-zed-...`` line; words without a trigger are now skipped.
    ``scanned`` counts the characters handed to ``pattern``."""

    def __init__(self, pattern: re.Pattern[str], triggers: str) -> None:
        self.pattern = pattern
        self.triggers = re.compile(f"[{re.escape(triggers)}]")
        self.scanned = 0

    def search(self, text: str) -> re.Match[str] | None:
        pos, end = 0, len(text)
        while pos < end:
            hit = self.triggers.search(text, pos)
            if hit is None:
                return None
            back = _TO_LAST_SPACE_RE.match(text, pos, hit.start())
            start = back.end() if back else pos
            space = _SPACE_RE.search(text, hit.end())
            stop = space.end() if space else end
            self.scanned += stop - start
            found = self.pattern.search(text, start, stop)
            if found is not None:
                return found
            pos = stop
        return None


def _guard(inliner: states.Inliner) -> None:
    """Search docutils' quadratic inline patterns word by word (see WordSearch): the
    start-string/reference pattern needs one of ``*`_|`` in its word, the standalone
    URI/email pattern a ``:`` (scheme) or ``@``."""
    inliner.patterns.initial = WordSearch(inliner.patterns.initial, "*`_|")
    inliner.implicit_dispatch = [
        (WordSearch(pattern, ":@") if pattern is inliner.patterns.uri else pattern, method)
        for pattern, method in inliner.implicit_dispatch
    ]


def line_length_limit() -> int:
    """The longest line docutils reads (a longer one and it reads nothing of the file)."""
    return int(_settings().line_length_limit)


def _parse(lines: Sequence[str]) -> nodes.document:
    """Parse already split lines with no transforms.

    Building docutils' state machine costs more than parsing a short snippet, so one
    machine per thread is reused; each run resets its per-document state."""
    settings = _settings()
    document = new_document("<spec>", settings)
    machine = getattr(_local, "machine", None)
    if machine is None:
        machine = states.RSTStateMachine(
            state_classes=STATE_CLASSES, initial_state="Body", debug=False
        )
        _local.machine = machine
        inliner = states.Inliner()
        inliner.init_customizations(settings)
        _guard(inliner)
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
