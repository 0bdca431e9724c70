"""Release names: order, the two spellings of a release, the folder a repo uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from lpsync.releases import (
    folder_for,
    release_folder,
    release_key,
    same_series,
    series_codename,
    series_key,
    series_number,
)


def key(*folders: str) -> tuple[int, ...]:
    return release_key((*folders, "spec.rst"))


def test_every_known_codename_orders_after_the_one_before() -> None:
    order = ["zed", "antelope", "2023.2", "epoxy", "gazpacho", "hibiscus", "2027.1"]
    assert [key(f, "approved") for f in order] == sorted(key(f, "approved") for f in order)
    assert key("hibiscus") == (2026, 2) and key("indri") == (2027, 1)
    assert key("hibiscus") > key("epoxy") > key("backlog")


@pytest.mark.parametrize(
    ("codename", "release"),
    [("jackal", (2027, 2)), ("kestrel", (2028, 1)), ("zebra", (2035, 2))],
)
def test_a_codename_the_table_does_not_know_follows_the_naming_rule(
    codename: str, release: tuple[int, int]
) -> None:
    # The second cycle started with antelope = 2023.1, two releases a year.
    assert key(codename, "approved") == release
    assert key(codename) > key("indri")
    assert series_number(codename) == f"{release[0]}.{release[1]}"


@pytest.mark.parametrize(
    "folders",
    [
        ("backlog", "approved"),
        ("abandoned",),
        ("policy",),  # oslo's policy documents
        ("keystone", "ongoing"),  # keystone's deliverable folder is no release
        ("untargeted",),
        ("not-implemented",),
        ("approved",),
        ("bobcats",),  # b: that slot is bobcat's, taken
    ],
)
def test_folders_that_are_not_releases_rank_like_backlog(folders: tuple[str, ...]) -> None:
    assert key(*folders) == (-1,)


def test_the_two_spellings_of_a_release() -> None:
    assert series_number("antelope") == "2023.1" and series_codename("2023.1") == "antelope"
    assert series_codename("2026.2") == "hibiscus" and series_number("Indri") == "2027.1"
    assert series_number("zed") is None and series_codename("2030.1") is None
    assert same_series("antelope", "2023.1") and not same_series("antelope", "2023.2")
    assert series_key("juno-implemented") == series_key("juno")
    assert series_key("backlog") is None


def test_the_folder_a_repo_uses_for_a_release(tmp_path: Path) -> None:
    nova = ["zed", "2023.1", "2023.2", "2026.2", "backlog", "abandoned"]
    oslo = ["zed", "dalmatian", "epoxy", "policy"]
    assert folder_for(nova, "antelope") == "2023.1"  # the folder there is
    assert folder_for(nova, "indri") == "2027.1"  # a new one, numbered like nova's
    assert folder_for(nova, "jackal") == "2027.2"
    assert folder_for(nova, "zed") == "zed"
    assert folder_for(oslo, "2025.2") == "flamingo"  # oslo kept codenames
    assert folder_for(oslo, "hibiscus") == "hibiscus"
    assert folder_for(["zed", "antelope", "2023.1"], "antelope") == "antelope"  # exact first
    assert folder_for(["juno", "kilo"], "2023.1") == "2023.1"  # no recent form: as given
    assert folder_for([], "bobcat") == "bobcat"
    for name in nova:
        (tmp_path / name).mkdir()
    assert release_folder(tmp_path, "bobcat") == "2023.2"
    assert release_folder(tmp_path / "missing", "bobcat") == "bobcat"
