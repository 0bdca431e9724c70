"""Over the real spec repos in ../shared/corpus (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lpsync import people
from lpsync.names import is_valid_name
from lpsync.people import Match
from lpsync.specdoc import (
    BlueprintValues,
    is_spec_file,
    preamble_links,
    read_fields,
    read_fields_full,
    read_spec,
    update_text,
)

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
GOLDEN = Path(__file__).parent / "golden" / "specs"


def _rst_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.glob("*/specs/**/*.rst") if p.is_file())


@pytest.fixture(scope="module")
def corpus() -> list[tuple[Path, str]]:
    files = _rst_files()
    if not files:
        pytest.skip("corpus not present")
    out = []
    for path in files:
        with open(path, encoding="utf-8", newline="") as handle:
            out.append((path, handle.read()))
    return out


def test_fast_reader_agrees_with_full_docutils(corpus) -> None:
    extra = [(p, p.read_text(encoding="utf-8")) for p in sorted(GOLDEN.glob("*.rst"))]
    mismatched = [
        str(path) for path, text in [*corpus, *extra] if read_fields(text) != read_fields_full(text)
    ]
    assert mismatched == []


def own_ids(value: str | None) -> list[str]:
    """The Launchpad ids the assignee text names by audit's rule (people.match)."""
    if not value:
        return []
    words = {w.strip(".:-_").casefold() for w in people.SEPARATORS_RE.split(value)}
    return sorted(w for w in words if is_valid_name(w) and people.match(value, w) is Match.YES)


def test_own_values_give_zero_diff(corpus) -> None:
    changed = []
    for path, text in corpus:
        if not is_spec_file(path, next(p for p in path.parents if p.name == "specs")):
            continue
        _, fields = read_spec(path)
        own = preamble_links(text, fields)
        if fields.title is None or not own:
            continue
        link = own[0]
        url = f"https://blueprints.launchpad.net/{link.ref.project}/+spec/{link.ref.name}"
        ids = own_ids(fields.assignee.value if fields.assignee else None)
        values = BlueprintValues(
            fields.title_text or "",
            url,
            ids[0] if ids else None,
            fields.milestone.value if fields.milestone else None,
        )
        # A link audit reports as malformed (LPS102) is rewritten; nothing else moves.
        malformed = [lk for lk in own if lk.malformed and lk.ref.name == link.ref.name]
        expected = text
        if malformed and not any(not lk.malformed and lk.ref.name == link.ref.name for lk in own):
            expected = text[: malformed[0].start] + url + text[malformed[0].end :]
        if update_text(text, values) != expected:
            changed.append(str(path))
    assert changed == []


def test_templates_and_exported_symlinks_are_not_specs(corpus) -> None:
    for path, _text in corpus:
        specs_root = next(p for p in path.parents if p.name == "specs")
        name = path.name
        if name in ("template.rst", "policy-template.rst", "new-library-template.rst"):
            assert not is_spec_file(path, specs_root)
        if name == "deploy-templates.rst" and "approved" in path.parts:
            assert is_spec_file(path, specs_root)
