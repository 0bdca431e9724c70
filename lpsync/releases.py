"""OpenStack releases: ordering release folders and naming a series the way a repo does.

Spec repos copy a re-proposed spec into each release's folder; the newest copy is the
one that speaks for the blueprint. Launchpad names series by codename (``antelope``)
while most repos switched to numbered folders (``2023.1``) in 2023, so one release can
be spelled two ways; ``release_folder`` picks the spelling the repo already uses.

The shared entry points (pull, move and status use them):

* ``series_key(name)``: the order of one release name, None when it names no release;
* ``release_key(parts)``: the order of the folder a spec sits in (backlog ranks lowest);
* ``series_number`` / ``series_codename``: the two spellings of a release;
* ``same_series(a, b)``: whether two names spell the same release;
* ``release_folder(specs_root, series)``: the folder the repo uses (or would use).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

# OpenStack release codenames in order, two releases a year. The first cycle started
# with austin (2010.1); the second with antelope (2023.1), when numbered names began.
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
    "hibiscus",
    "indri",
)
SECOND_CYCLE_START = 2023
VERSION_RE = re.compile(r"\d+(?:\.\d+)*\Z")
NUMBERED_RE = re.compile(r"(\d{4})\.([12])\Z")  # the 2023+ release names: 2023.1
_CODENAME_RE = re.compile(r"[a-z]+\Z")
# Folders of real spec repos that are not releases, though some would pass for a
# future codename by the naming rule (oslo's policy/, keystone's ongoing/, ...).
NOT_RELEASES = frozenset(
    {
        "abandoned",
        "approved",
        "archive",
        "attic",
        "backlog",
        "ideas",
        "implemented",
        "ongoing",
        "policy",
        "postmortem",
        "redirects",
        "retired",
        "stadium",
        "superseded",
        "untargeted",
    }
)
# Folders that sit inside a release folder (nova's approved/ and implemented/).
_LIFECYCLE = frozenset({"approved", "implemented", "postmortem"})


def _cycle_slot(year: int, index: int) -> tuple[int, int]:
    return (year + index // 2, index % 2 + 1)


def _future_codename_key(name: str) -> tuple[int, int] | None:
    """A codename the table does not know yet, ordered by the naming rule: the second
    cycle runs a..z from antelope = 2023.1, two a year. Only letters after the newest
    known codename's can be future releases (the earlier slots are taken)."""
    if name in NOT_RELEASES or not _CODENAME_RE.match(name):
        return None
    index = ord(name[0]) - ord("a")
    if index <= len(SECOND_CYCLE) - 1:
        return None
    return _cycle_slot(SECOND_CYCLE_START, index)


def _known_key(name: str) -> tuple[int, ...] | None:
    if VERSION_RE.match(name):
        return tuple(int(x) for x in name.split("."))
    if name in FIRST_CYCLE:
        return _cycle_slot(2010, FIRST_CYCLE.index(name))
    if name in SECOND_CYCLE:
        return _cycle_slot(SECOND_CYCLE_START, SECOND_CYCLE.index(name))
    return None


def series_key(name: str) -> tuple[int, ...] | None:
    """The order of a release name (codename, ``YYYY.N`` or version number, any case;
    ironic's ``juno-implemented`` counts as juno); None when it names no release."""
    clean = name.lower().removesuffix("-implemented")
    return _known_key(clean) or _future_codename_key(clean)


def release_key(rel_parts: Sequence[str]) -> tuple[int, ...]:
    """Order of the release directory a spec sits in (``rel_parts``: its path below the
    specs dir, file name last); (-1,) for backlog, abandoned and other places that are
    not a release (they rank below any release)."""
    folders = rel_parts[:-1]
    for part in folders:
        known = _known_key(part.lower().removesuffix("-implemented"))
        if known is not None:
            return known
    # A codename the table does not list is trusted only as the folder holding the
    # spec (or its approved/ and implemented/): a deliverable folder such as keystone's
    # specs/keystone/ must not pass for a release.
    inner = [p.lower() for p in folders]
    while inner and inner[-1] in _LIFECYCLE:
        inner.pop()
    if inner:
        future = _future_codename_key(inner[-1])
        if future is not None:
            return future
    return (-1,)


def series_number(name: str) -> str | None:
    """``2023.1`` for ``antelope`` (or ``2023.1``); the naming rule for a codename the
    table does not know yet; None for first-cycle codenames and non-releases."""
    key = series_key(name)
    if key is None or len(key) != 2 or key[0] < SECOND_CYCLE_START:
        return None
    return f"{key[0]}.{key[1]}"


def series_codename(name: str) -> str | None:
    """``antelope`` for ``2023.1`` (or ``antelope``), when the codename is known."""
    lowered = name.lower()
    if lowered in FIRST_CYCLE or lowered in SECOND_CYCLE:
        return lowered
    m = NUMBERED_RE.match(lowered)
    if m:
        index = (int(m.group(1)) - SECOND_CYCLE_START) * 2 + int(m.group(2)) - 1
        if 0 <= index < len(SECOND_CYCLE):
            return SECOND_CYCLE[index]
    return None


def same_series(a: str, b: str) -> bool:
    """Whether two names spell the same release (``antelope`` and ``2023.1``)."""
    if a.lower() == b.lower():
        return True
    key = series_key(a)
    return key is not None and key == series_key(b)


def spellings(series: str) -> list[str]:
    """The names a repo may use for ``series``: as given, then numbered, then codename."""
    names = [series, series_number(series), series_codename(series)]
    return list(dict.fromkeys(n for n in names if n))


def release_aliases(name: str) -> tuple[str, ...]:
    """The names one release goes by, ``name`` first (``2023.1`` and ``antelope``):
    ``spellings`` as a tuple, for move and status."""
    return tuple(spellings(name))


def release_folder(specs_root: Path, series: str) -> str:
    """The folder name, directly below ``specs_root``, that holds ``series``.

    A folder that already spells the release (either way, any case) is used as is.
    Otherwise the name follows the form of the repo's newest release folder: numbered
    (``2026.2``) when that is numbered, else the codename (oslo kept codenames after
    2023). With no folder of 2023 or later, the name is kept as given."""
    try:
        existing = [p.name for p in Path(specs_root).iterdir() if p.is_dir()]
    except OSError:
        existing = []
    return folder_for(existing, series)


def folder_for(existing: Iterable[str], series: str) -> str:
    """``release_folder`` over a list of folder names (a branch's tree, say)."""
    names = list(existing)
    exact = [n for n in names if n.lower() == series.lower()]
    if exact:
        return exact[0]
    for name in sorted(names):
        if same_series(name, series) and not name.lower().endswith("-implemented"):
            return name
    # Only folders of 2023 or later tell the form: before then every repo used codenames.
    recent = [(k, n) for n in names if (k := series_key(n)) and k[0] >= SECOND_CYCLE_START]
    if not recent:
        return series
    _, newest = max(recent)
    if NUMBERED_RE.match(newest):
        return series_number(series) or series
    return series_codename(series) or series
