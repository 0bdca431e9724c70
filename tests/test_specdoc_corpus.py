"""Over the real spec repos in ../shared/corpus (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

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
        values = BlueprintValues(
            fields.title_text or "",
            f"https://blueprints.launchpad.net/{link.ref.project}/+spec/{link.ref.name}",
            fields.assignee.value if fields.assignee else None,
            fields.milestone.value if fields.milestone else None,
        )
        if update_text(text, values) != text:
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
