"""pull on repos shaped like nova-specs and oslo-specs: the release's own template and
folder, every codename, gate-safe output (issue 8)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from clirun import lpsync_runner
from gitrepos import git, make_repo
from shaped_repos import (
    LONG_ESCAPED,
    OLD_OSLO_SPEC,
    OSLO_TEMPLATE,
    TOO_LONG,
    gate_problems,
    model,
    nova_files,
    nova_symlinks,
    nova_template,
    oslo_files,
    read,
    title_renders_as,
)

from lpsync.sandbox import Sandbox


@pytest.fixture(scope="module")
def shaped_sandbox() -> Iterator[Sandbox]:
    with Sandbox.from_model(model()) as sandbox:
        sandbox.start()
        yield sandbox


@pytest.fixture
def lpsync(shaped_sandbox: Sandbox, tmp_path: Path) -> Callable[..., object]:
    return lpsync_runner(shaped_sandbox, tmp_path)


@pytest.fixture
def nova(tmp_path: Path, git_env: None) -> Path:
    return make_repo(tmp_path / "nova-specs", nova_files(), nova_symlinks())


@pytest.fixture
def oslo(tmp_path: Path, git_env: None) -> Path:
    return make_repo(tmp_path / "oslo-specs", oslo_files())


def pulled(lpsync: Callable[..., object], repo: Path, ref: str, *extra: str) -> object:
    result = lpsync("pull", ref, "--repo", str(repo), "--no-commit", *extra)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    return result


def folders(repo: Path) -> list[str]:
    return sorted(p.name for p in (repo / "specs").iterdir() if p.is_dir())


# -- the release's template and folder --------------------------------------------------


def test_a_spec_for_hibiscus_is_made_from_the_2026_2_template(
    nova: Path, lpsync: Callable[..., object]
) -> None:
    pulled(lpsync, nova, "nova/mem-encryption")
    text = read(nova, "specs/2026.2/approved/mem-encryption.rst")
    # Not the newest template (2027.1 Indri): the one of the spec's own release.
    assert "   * - 2026.2 Hibiscus\n" in text
    assert "Indri" not in text
    assert gate_problems(text, nova_template("2026.2")) == []


def test_an_antelope_blueprint_goes_into_the_2023_1_folder(
    nova: Path, lpsync: Callable[..., object]
) -> None:
    before = folders(nova)
    pulled(lpsync, nova, "nova/unified-limits")
    text = read(nova, "specs/2023.1/approved/unified-limits.rst")
    assert "   * - 2023.1 Antelope\n" in text
    # No specs/antelope/ beside specs/2023.1/: nova's test would look for
    # specs/antelope-template.rst and crash.
    assert folders(nova) == before


def test_a_release_without_a_folder_gets_one_in_the_repos_form(
    nova: Path, lpsync: Callable[..., object]
) -> None:
    pulled(lpsync, nova, "nova/next-thing")
    assert (nova / "specs/2027.1/approved/next-thing.rst").is_file()
    assert "indri" not in folders(nova)
    text = read(nova, "specs/2027.1/approved/next-thing.rst")
    assert "   * - 2027.1 Indri\n" in text


def test_a_codename_the_table_does_not_know_is_numbered_by_the_naming_rule(
    nova: Path, lpsync: Callable[..., object]
) -> None:
    # jackal: the 10th letter of the cycle antelope (2023.1) started, so 2027.2.
    result = pulled(lpsync, nova, "nova/future-thing")
    assert (nova / "specs/2027.2/approved/future-thing.rst").is_file()
    assert "jackal" not in folders(nova)
    # nova's gate reads specs/<release>-template.rst for every release folder.
    assert (
        "made from specs/2027.1-template.rst; the repository keeps a template per release "
        "and has no specs/2027.2-template.rst: open release 2027.2 before review" in result.output  # type: ignore[attr-defined]
    )


def test_a_numbered_series_goes_into_oslos_codename_folder(
    oslo: Path, lpsync: Callable[..., object]
) -> None:
    # One template for every release: no release lacks its own.
    assert "warning" not in pulled(lpsync, oslo, "oslo.log/quiet-logs").output  # type: ignore[attr-defined]
    # oslo kept codenames after 2023: 2025.2 is flamingo there.
    text = read(oslo, "specs/flamingo/quiet-logs.rst")
    assert gate_problems(text, OSLO_TEMPLATE) == []
    assert "2025.2" not in folders(oslo)


def test_release_template_in_the_release_folder_and_configured_series_template(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    files = {
        "setup.cfg": "[lpsync]\nproject = nova\n",
        "specs/template.rst": nova_template("generic"),
        "specs/2026.2/template.rst": nova_template("2026.2"),
        "specs/2023.1/.placeholder": "",
    }
    repo = make_repo(tmp_path / "neutron-like", files)
    pulled(lpsync, repo, "nova/mem-encryption")
    assert "2026.2 Hibiscus" in read(repo, "specs/2026.2/mem-encryption.rst")

    files = {
        "setup.cfg": (
            "[lpsync]\nproject = nova\ntemplate = templates/{series}.rst\n"
            "layout = {series}/approved/{name}.rst\n"
        ),
        "templates/2023.1.rst": nova_template("2023.1"),
        "templates/2026.2.rst": nova_template("2026.2"),
        "templates/2027.1.rst": nova_template("2027.1"),
        "specs/2023.1/.placeholder": "",
    }
    repo = make_repo(tmp_path / "configured", files)
    pulled(lpsync, repo, "nova/mem-encryption")
    assert "2026.2 Hibiscus" in read(repo, "specs/2026.2/approved/mem-encryption.rst")
    # A release with no template of its own falls back to the newest one, and says
    # so: nova's gate opens specs/<release>-template.rst for every release folder.
    result = pulled(lpsync, repo, "nova/future-thing")
    assert "2027.1 Indri" in read(repo, "specs/2027.2/approved/future-thing.rst")
    assert (
        "lpsync: warning: specs/2027.2/approved/future-thing.rst: made from "
        "templates/2027.1.rst; the repository keeps a template per release and has "
        "no templates/2027.2.rst: open release 2027.2 before review" in result.output  # type: ignore[attr-defined]
    )
    # A release with its own template: no warning.
    assert "warning" not in pulled(lpsync, repo, "nova/next-thing").output  # type: ignore[attr-defined]


# -- which copy is updated --------------------------------------------------------------


def _copy(name: str, title: str = "Copied across releases") -> str:
    return OLD_OSLO_SPEC.replace("old-log-thing", name).replace("Old words", title[:9])


def test_the_hibiscus_copy_is_updated_not_the_older_epoxy_one(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    files = oslo_files() | {
        "specs/epoxy/copied-thing.rst": _copy("copied-thing"),
        "specs/hibiscus/copied-thing.rst": _copy("copied-thing"),
    }
    repo = make_repo(tmp_path / "oslo-specs", files)
    pulled(lpsync, repo, "oslo.log/copied-thing")
    status = git(repo, "status", "--porcelain").split("\n")
    assert [line[3:] for line in status if line] == ["specs/hibiscus/copied-thing.rst"]


def test_a_copy_under_an_unknown_future_codename_is_the_newest(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    files = oslo_files() | {
        "specs/2027.1/copied-thing.rst": _copy("copied-thing"),
        "specs/jackal/copied-thing.rst": _copy("copied-thing"),
        "specs/backlog/copied-thing.rst": _copy("copied-thing"),
    }
    repo = make_repo(tmp_path / "oslo-specs", files)
    pulled(lpsync, repo, "oslo.log/copied-thing")
    status = git(repo, "status", "--porcelain").split("\n")
    assert [line[3:] for line in status if line] == ["specs/jackal/copied-thing.rst"]


# -- gate-safe output -------------------------------------------------------------------


def test_titles_escape_only_what_docutils_needs(nova: Path, lpsync: Callable[..., object]) -> None:
    pulled(lpsync, nova, "nova/mem-encryption", "--release", "2026.2")
    text = read(nova, "specs/2026.2/approved/mem-encryption.rst")
    title_line = text.split("\n")[7]
    assert "\\:" not in title_line  # not needed once the backticks are escaped
    assert len(title_line) <= 79
    assert title_renders_as(text) == LONG_ESCAPED


def test_a_title_line_over_the_limit_is_one_warning_naming_file_and_width(
    nova: Path, lpsync: Callable[..., object]
) -> None:
    result = pulled(lpsync, nova, "nova/cpu-modes", "--release", "2026.2")
    text = read(nova, "specs/2026.2/approved/cpu-modes.rst")
    width = len(text.split("\n")[7])
    assert width > 79
    assert title_renders_as(text) == TOO_LONG
    warnings = [
        line
        for line in result.output.splitlines()  # type: ignore[attr-defined]
        if "title line" in line
    ]
    assert warnings == [
        f"lpsync: warning: specs/2026.2/approved/cpu-modes.rst:8: the title line is {width} "
        "characters wide, over max_line_length 79; shorten the blueprint's title on Launchpad"
    ]


def test_an_unchanged_title_width_keeps_the_adornment_byte_for_byte(
    oslo: Path, lpsync: Callable[..., object]
) -> None:
    # " Old words" under a 10-column overline: lpsync would centre it with 11.
    pulled(lpsync, oslo, "oslo.log/old-log-thing")
    text = read(oslo, "specs/dalmatian/old-log-thing.rst")
    assert text.startswith("==========\n New words\n==========\n")


def test_every_spec_pull_writes_passes_the_gates(
    nova: Path, oslo: Path, lpsync: Callable[..., object]
) -> None:
    made = [
        ("nova/mem-encryption", nova, "specs/2026.2/approved/mem-encryption.rst", "2026.2"),
        ("nova/unified-limits", nova, "specs/2023.1/approved/unified-limits.rst", "2023.1"),
        ("nova/next-thing", nova, "specs/2027.1/approved/next-thing.rst", "2027.1"),
        ("oslo.log/quiet-logs", oslo, "specs/flamingo/quiet-logs.rst", None),
        ("oslo.log/old-log-thing", oslo, "specs/dalmatian/old-log-thing.rst", None),
    ]
    for ref, repo, rel, release in made:
        pulled(lpsync, repo, ref)
        text = read(repo, rel)
        template = nova_template(release) if release else OSLO_TEMPLATE
        assert gate_problems(text, template) == [], rel
        if ref != "oslo.log/old-log-thing":  # scaffolded: the instructions keep their example
            assert "+spec/awesome-thing" in text or "searchtext=awesome-thing" in text, rel
    # An update of a spec pull made passes too (the titles changed on Launchpad).
    spec = nova / "specs/2026.2/approved/mem-encryption.rst"
    spec.write_text(spec.read_text().replace("Primary assignee:\n  ana", "Primary assignee:\n  x"))
    pulled(lpsync, nova, "nova/mem-encryption")
    assert gate_problems(read(nova, str(spec.relative_to(nova))), nova_template("2026.2")) == []
