"""Ordering release folders: codenames, ``YYYY.N`` and plain version numbers.

Spec repos copy a re-proposed spec into each release's folder; the newest copy is the
one that speaks for the blueprint.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# OpenStack release codenames in order; the second cycle started with 2023.1 antelope.
# A directory name not listed ranks like backlog (below every release).
FIRST_CYCLE = (
    "austin",
    "bexar",
    "cactus",
    "diablo",
    "essex",
    "folsom",
    "grizzly",
    "havana",
    "icehouse",
    "juno",
    "kilo",
    "liberty",
    "mitaka",
    "newton",
    "ocata",
    "pike",
    "queens",
    "rocky",
    "stein",
    "train",
    "ussuri",
    "victoria",
    "wallaby",
    "xena",
    "yoga",
    "zed",
)
SECOND_CYCLE = (
    "antelope",
    "bobcat",
    "caracal",
    "dalmatian",
    "epoxy",
    "flamingo",
    "gazpacho",
)
VERSION_RE = re.compile(r"\d+(?:\.\d+)*\Z")


def release_key(rel_parts: Sequence[str]) -> tuple[int, ...]:
    """Order of the release directory a spec sits in; (-1,) for backlog, abandoned and
    other places that are not a release (they rank below any release)."""
    for part in rel_parts[:-1]:
        name = part.lower().removesuffix("-implemented")
        if VERSION_RE.match(name):
            return tuple(int(x) for x in name.split("."))
        if name in FIRST_CYCLE:
            index = FIRST_CYCLE.index(name)
            return (2010 + index // 2, index % 2 + 1)
        if name in SECOND_CYCLE:
            index = SECOND_CYCLE.index(name)
            return (2023 + index // 2, index % 2 + 1)
    return (-1,)


def release_aliases(name: str) -> tuple[str, ...]:
    """The names one release goes by, ``name`` first: a numbered release of the second
    cycle and its codename (``2023.1`` and ``antelope``). Folders and Launchpad series
    use either."""
    lowered = name.lower()
    if lowered in SECOND_CYCLE:
        index = SECOND_CYCLE.index(lowered)
        return (name, f"{2023 + index // 2}.{index % 2 + 1}")
    match = re.fullmatch(r"(\d{4})\.([12])", name)
    if match:
        index = (int(match.group(1)) - 2023) * 2 + int(match.group(2)) - 1
        if 0 <= index < len(SECOND_CYCLE):
            return (name, SECOND_CYCLE[index])
    return (name,)
