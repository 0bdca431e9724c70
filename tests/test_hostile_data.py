"""Hostile data from Launchpad and the repo: text no file can hold, templates from
elsewhere, failures halfway through a write. Each ends in one line naming the cause,
with nothing changed and no temp file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from gitrepos import git, snapshot
from helpers_audit import audit, audit_sandbox, make_repo, spec  # noqa: F401 (fixtures)
from test_pull import lpsync, repo, runner  # noqa: F401 (fixtures)

from lpsync.fileio import write_atomic
from lpsync.sandbox import Sandbox

BP = ("nova", "libvirt-vdpa-hotplug")
LONE = "lone \ud800 surrogate"


def _temp_files(repo: Path) -> list[Path]:
    return list(repo.rglob("*.lpsync-tmp"))


@pytest.mark.parametrize(
    "command", [["pull", "libvirt-vdpa-hotplug"], ["audit"], ["audit", "--fix"]]
)
def test_a_lone_surrogate_in_a_title_is_a_launchpad_error_naming_blueprint_and_field(
    repo: Path, lpsync: Callable[..., object], sandbox: Sandbox, command: list[str]
) -> None:
    sandbox.data.blueprints[BP] = replace(sandbox.data.blueprints[BP], title=LONE)
    before = snapshot(repo)
    result = lpsync(*command, "--repo", str(repo))
    assert result.exit_code == 3, result.output
    assert result.stderr.count("\n") == 1
    assert "blueprint nova/libvirt-vdpa-hotplug: field 'title' is not valid Unicode" in (
        result.stderr
    )
    assert "internal error" not in result.stderr
    assert snapshot(repo) == before
    assert _temp_files(repo) == []


def test_a_write_that_fails_for_any_reason_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "spec.rst"
    target.write_text("as it was\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, LONE)
    assert target.read_text() == "as it was\n"
    assert [p.name for p in tmp_path.iterdir()] == ["spec.rst"]


def test_audit_fix_writes_nothing_until_every_new_text_is_computed(
    tmp_path: Path, audit, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lpsync import audit as audit_module

    real = audit_module.specdoc.update_text
    calls: list[object] = []

    def fail_on_the_second(*args: object, **kwargs: object) -> str:
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("a bug in the second spec's update")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(audit_module.specdoc, "update_text", fail_on_the_second)
    nova = "https://blueprints.launchpad.net/nova/+spec/"
    repo = make_repo(
        tmp_path / "repo",
        {
            "setup.cfg": "[lpsync]\nproject = nova\n",
            "specs/zed/reassigned.rst": spec("Old one", nova + "reassigned", "jdoe"),
            "specs/zed/retitled.rst": spec("Old two", nova + "retitled", "jdoe"),
        },
    )
    before = snapshot(repo)
    with pytest.raises(RuntimeError, match="second spec"):
        audit(repo, fix=True)
    assert len(calls) == 2
    assert snapshot(repo) == before


# -- templates must be the repo's own files -------------------------------------------


@pytest.mark.parametrize("how", ["symlinked file", "configured through a symlinked folder"])
def test_a_template_outside_the_repo_is_refused_naming_it(
    tmp_path: Path, repo: Path, lpsync: Callable[..., object], how: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = (repo / "specs/template.rst").read_text() + "\nSECRET=hunter2\n"
    (outside / "template.rst").write_text(secret)
    if how == "symlinked file":
        (repo / "specs/template.rst").unlink()
        (repo / "specs/template.rst").symlink_to(outside / "template.rst")
        named = "specs/template.rst"
    else:
        (repo / "tpl").symlink_to(outside)
        (repo / "setup.cfg").write_text("[lpsync]\nproject = nova\ntemplate = tpl/template.rst\n")
        named = "tpl/template.rst"
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a template from elsewhere")
    before = snapshot(repo)
    for command in (["pull", "unified-limits-nova"], ["audit", "--fix"]):
        result = lpsync(*command, "--repo", str(repo))
        assert result.exit_code == 2, result.output
        assert f"{named}: template resolves outside the repository" in result.stderr
        assert result.stderr.count("\n") == 1
        assert snapshot(repo) == before
    assert "hunter2" not in git(repo, "log", "--all", "-p")


def test_a_lone_surrogate_in_a_display_name_is_a_launchpad_error_naming_the_field(
    repo: Path, lpsync: Callable[..., object], sandbox: Sandbox
) -> None:
    person = sandbox.data.people["alice-k"]
    sandbox.data.people["alice-k"] = replace(person, display_name=LONE)
    result = lpsync("audit", "--repo", str(repo))
    assert result.exit_code == 3, result.output
    assert "person alice-k: field 'display_name' is not valid Unicode text" in result.stderr
    assert result.stderr.count("\n") == 1


# -- titles no RST reader takes, and lines docutils refuses ------------------------------


@pytest.mark.parametrize(
    "title", ["", "   ", "A" * 9999], ids=["empty", "blank", "over-the-line-limit"]
)
def test_a_title_no_spec_can_carry_is_launchpads_data_exit_3(
    repo: Path, lpsync: Callable[..., object], sandbox: Sandbox, title: str
) -> None:
    # docutils reads nothing of a file with a line over 10,000 characters: a pull that
    # wrote one would leave a spec no reader (audit, Sphinx) can read.
    sandbox.data.blueprints[BP] = replace(sandbox.data.blueprints[BP], title=title)
    before = snapshot(repo)
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 3, result.output
    assert result.stderr.count("\n") == 1
    assert "blueprint nova/libvirt-vdpa-hotplug on Launchpad: its title is " in result.stderr
    assert snapshot(repo) == before


def test_a_spec_line_docutils_refuses_is_named_not_read_as_a_spec_without_link(
    repo: Path, lpsync: Callable[..., object]
) -> None:
    path = repo / "specs/zed/libvirt-vdpa-hotplug.rst"
    text = path.read_text()
    path.write_text(text + "\n" + "x" * 10001 + "\n")
    line = text.count("\n") + 2
    git(repo, "commit", "-qam", "a very long line")
    result = lpsync("audit", "--repo", str(repo), "specs/zed/libvirt-vdpa-hotplug.rst")
    assert result.exit_code == 3, result.output
    assert "LPS101" not in result.stdout
    assert f"libvirt-vdpa-hotplug.rst:{line}: error: line is 10001 characters long" in result.output
