"""Branch names lpsync accepts are names git accepts."""

from __future__ import annotations

import subprocess

from hypothesis import given, settings
from hypothesis import strategies as st

from lpsync.gitrepo import is_valid_branch_name

NAME_CHARS = st.sampled_from(list("abz09-_./@{}~^:?*[\\ .lock") + ["/", "..", "@{"])


def _git_accepts(name: str) -> bool:
    done = subprocess.run(
        ["git", "check-ref-format", f"refs/heads/{name}"], capture_output=True, check=False
    )
    return done.returncode == 0


@settings(max_examples=150, deadline=None)
@given(st.lists(NAME_CHARS, min_size=1, max_size=8).map("".join))
def test_every_accepted_branch_name_is_one_git_accepts(name: str) -> None:
    if is_valid_branch_name(name):
        assert _git_accepts(name), name


def test_the_default_branch_names_are_valid() -> None:
    for name in ("bp/awesome-thing", "bp/oslo.messaging-x", "topic/bp/a+b"):
        assert is_valid_branch_name(name) and _git_accepts(name)
