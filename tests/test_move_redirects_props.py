"""Invariants of the redirect lines ``move`` plans, over generated nova-shaped trees:
existing lines keep their order and text (only a target that named a moved spec
changes), every new line leads from the old place to the new one, and afterwards no
line points at a place a spec left."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from lpsync.move import Move, plan_redirects

RELEASES = ("yoga", "zed", "2023.1")
NAMES = ("alpha", "beta", "gamma", "delta")


def _resolve(file: Path, line: str) -> tuple[Path, Path]:
    source, target = line.split()
    src = Path(os.path.normpath(file.parent / source))
    return src, Path(os.path.normpath(src.parent / target))


@st.composite
def trees(draw: st.DrawFn) -> tuple[list[Move], dict[str, str]]:
    specs = draw(
        st.lists(st.tuples(st.sampled_from(RELEASES), st.sampled_from(NAMES)), unique=True)
    )
    moved = draw(st.lists(st.sampled_from(specs), unique=True)) if specs else []
    moves = []
    for release, name in moved:
        dead = draw(st.booleans())
        target = (
            f"specs/abandoned/{name}.rst" if dead else f"specs/{release}/implemented/{name}.rst"
        )
        moves.append(Move(f"specs/{release}/approved/{name}.rst", target, f"nova/{name}", "x"))
    targets = [m.target for m in moves]
    if len(set(targets)) != len(targets):
        moves = moves[:1]
    # Existing redirects: from older releases to a spec (moved or not), and filler.
    files: dict[str, str] = {}
    for release in draw(st.lists(st.sampled_from(RELEASES), unique=True, min_size=1)):
        lines = []
        for older, name in draw(st.lists(st.sampled_from(specs or [("zed", "alpha")]))):
            lines.append(f"approved/{name}-old.rst ../../{older}/approved/{name}.rst")
        ending = draw(st.sampled_from(["", "\n"]))
        files[f"specs/{release}/redirects"] = "\n".join(lines) + (ending if lines else "")
    return moves, files


@settings(max_examples=60, deadline=None)
@given(trees())
def test_redirect_plans_keep_lines_and_lead_to_the_new_places(
    tree: tuple[list[Move], dict[str, str]],
) -> None:
    moves, files = tree
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(os.path.realpath(tmp))
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        edits = {e.path: e for e in plan_redirects(root, root / "specs", moves)}
        new_place = {root / m.source: root / m.target for m in moves}
        for rel in set(files) | set(edits):
            old = files.get(rel, "")
            new = edits[rel].new if rel in edits else old
            file = root / rel
            old_lines, new_lines = old.splitlines(), new.splitlines()
            assert len(new_lines) >= len(old_lines)
            for before, after in zip(old_lines, new_lines, strict=False):
                src, dst = _resolve(file, before)
                assert after.split()[0] == before.split()[0]  # order and sources kept
                expected = new_place.get(dst, dst)
                assert _resolve(file, after) == (src, expected)
            added = new_lines[len(old_lines) :]
            assert added == sorted(added)
            for line in added:
                src, dst = _resolve(file, line)
                assert new_place[src] == dst
            assert rel not in edits or new.endswith("\n")  # an edited file ends its line
            for line in new_lines:
                assert _resolve(file, line)[1] not in new_place  # no line leads to a gap
        assert sum(len(e.added) for e in edits.values()) == len(moves)
