"""The commits pull makes, as a Gerrit core reviewer sees them: message form, sign-off,
and one review per blueprint (a re-pull amends lpsync's own commit)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from gitrepos import git, make_repo, snapshot
from hypothesis import given
from hypothesis import strategies as st
from test_pull import (  # noqa: F401 (fixtures)
    EXISTING,
    SETUP_CFG,
    TEMPLATE,
    _edit_spec,
    _stage_other_file,
    lpsync,
    repo,
    runner,
)

from lpsync import commitmsg
from lpsync.sandbox import Sandbox

# Like Gerrit's commit-msg hook: add a Change-Id to the footers, only when the message
# has none, through git interpret-trailers (so it joins the footer paragraph).
GERRIT_HOOK = """#!/bin/sh
if git interpret-trailers --parse < "$1" | grep -q '^Change-Id:'; then
    exit 0
fi
id=$( (date +%s%N; cat "$1") | git hash-object --stdin)
git interpret-trailers --in-place --trailer "Change-Id: I$id" "$1"
"""

BP = ("nova", "libvirt-vdpa-hotplug")
NEW_BP = ("nova", "unified-limits-nova")


@pytest.fixture
def gerrit_repo(repo: Path) -> Path:
    hook = repo / ".git/hooks/commit-msg"
    hook.write_text(GERRIT_HOOK)
    hook.chmod(0o755)
    return repo


def _message(repo: Path, rev: str = "HEAD") -> str:
    return git(repo, "log", "-1", "--format=%B", rev)


def _change_ids(message: str) -> list[str]:
    return [line for line in message.splitlines() if line.startswith("Change-Id:")]


def _commits_on(repo: Path, branch: str) -> list[str]:
    return git(repo, "rev-list", f"master..{branch}").split()


def _retitle(sandbox: Sandbox, key: tuple[str, str], title: str, **more: object) -> None:
    sandbox.data.blueprints[key] = replace(sandbox.data.blueprints[key], title=title, **more)


def test_scaffold_then_repull_keeps_one_commit_with_its_change_id(
    gerrit_repo: Path,
    lpsync: Callable[..., object],
    sandbox: Sandbox,
) -> None:
    repo = gerrit_repo
    first = lpsync("pull", "unified-limits-nova", "--repo", str(repo), "--signoff")
    assert first.exit_code == 0, first.output
    branch = "bp/unified-limits-nova"
    [change_id] = _change_ids(_message(repo, branch))
    author = git(repo, "log", "-1", "--format=%an <%ae> %ad", branch)

    _retitle(sandbox, NEW_BP, "Use unified limits for every quota in nova")
    again = lpsync("pull", "unified-limits-nova", "--repo", str(repo), "--signoff")
    assert again.exit_code == 0, again.output
    assert "amended" in again.stdout

    assert len(_commits_on(repo, branch)) == 1
    message = _message(repo, branch)
    assert _change_ids(message) == [change_id]
    assert message.count("Signed-off-by: Spec Author <author@example.org>") == 1
    subject = message.splitlines()[0]
    assert len(subject) <= 72
    assert subject == "Add spec for blueprint unified-limits-nova"
    assert "Use unified limits for every quota in nova" in message
    assert "Implements: blueprint unified-limits-nova" in commitmsg.trailers(message)
    assert git(repo, "log", "-1", "--format=%an <%ae> %ad", branch) == author
    spec = (repo / "specs/antelope/unified-limits-nova.rst").read_text()
    assert "Use unified limits for every quota in nova" in spec


def test_an_update_lists_each_changed_field_and_relates_to_the_blueprint(
    gerrit_repo: Path,
    lpsync: Callable[..., object],
) -> None:
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(gerrit_repo))
    assert result.exit_code == 0, result.output
    message = _message(gerrit_repo)
    lines = message.splitlines()
    assert lines[0] == "Update spec for blueprint libvirt-vdpa-hotplug"
    assert lines[1] == ""
    assert "Title: Hot-plug vDPA ports into live guests -> Support hot-plugging vDPA" in message
    assert "Assignee: bob-nguyen -> alice-k" in lines
    assert "Milestone: zed-2 -> zed-3" in lines
    assert not any(line.startswith("URL:") for line in lines)  # the link was right
    footers = commitmsg.trailers(message)
    assert "Related: blueprint libvirt-vdpa-hotplug" in footers
    assert not any(line.startswith("Implements:") for line in lines)
    assert all(len(line) <= 72 for line in lines)


def test_a_repull_of_an_update_amends_it_and_describes_the_whole_change(
    gerrit_repo: Path,
    lpsync: Callable[..., object],
    sandbox: Sandbox,
) -> None:
    repo = gerrit_repo
    assert lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo)).exit_code == 0
    [change_id] = _change_ids(_message(repo))
    sandbox.data.blueprints[BP] = replace(sandbox.data.blueprints[BP], milestone="zed-1")
    again = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert again.exit_code == 0, again.output
    assert len(_commits_on(repo, "bp/libvirt-vdpa-hotplug")) == 1
    message = _message(repo)
    assert _change_ids(message) == [change_id]
    # Against the commit's parent: zed-2 (what master says) to zed-1, never zed-3.
    assert "Milestone: zed-2 -> zed-1" in message.splitlines()
    assert "zed-3" not in message


def test_a_merged_commit_is_not_amended(
    gerrit_repo: Path,
    lpsync: Callable[..., object],
    sandbox: Sandbox,
) -> None:
    repo = gerrit_repo
    assert lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo)).exit_code == 0
    git(repo, "switch", "-q", "master")
    git(repo, "merge", "-q", "--ff-only", "bp/libvirt-vdpa-hotplug")
    merged = git(repo, "rev-parse", "master").strip()
    _retitle(sandbox, BP, "Hot-plug vDPA, v3")
    assert lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo)).exit_code == 0
    assert git(repo, "rev-parse", "bp/libvirt-vdpa-hotplug~1").strip() == merged
    assert git(repo, "rev-parse", "master").strip() == merged


def test_signoff_from_the_config(
    tmp_path: Path,
    git_env: None,
    lpsync: Callable[..., object],
) -> None:
    repo = make_repo(
        tmp_path / "signed",
        {
            "setup.cfg": SETUP_CFG + "signoff = true\n",
            "specs/template.rst": TEMPLATE,
            "specs/zed/libvirt-vdpa-hotplug.rst": EXISTING,
        },
    )
    assert lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo)).exit_code == 0
    assert "Signed-off-by: Spec Author <author@example.org>" in _message(repo).splitlines()


def test_no_signoff_without_the_option(
    repo: Path,
    lpsync: Callable[..., object],
) -> None:
    assert lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo)).exit_code == 0
    assert "Signed-off-by" not in _message(repo)


def test_a_failed_amend_leaves_the_old_commit_branch_and_tree(
    gerrit_repo: Path,
    lpsync: Callable[..., object],
    sandbox: Sandbox,
) -> None:
    repo = gerrit_repo
    assert lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo)).exit_code == 0
    git(repo, "switch", "-q", "master")
    before = snapshot(repo)
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'spec lint failed' >&2\nexit 1\n")
    hook.chmod(0o755)
    _retitle(sandbox, BP, "Hot-plug vDPA, v4")
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 3
    assert snapshot(repo) == before


def test_a_failed_amend_on_the_branch_itself_restores_it(
    gerrit_repo: Path,
    lpsync: Callable[..., object],
    sandbox: Sandbox,
) -> None:
    repo = gerrit_repo
    assert lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo)).exit_code == 0
    before = snapshot(repo)  # still on bp/libvirt-vdpa-hotplug
    hook = repo / ".git/hooks/commit-msg"
    hook.write_text("#!/bin/sh\nexit 1\n")
    _retitle(sandbox, BP, "Hot-plug vDPA, v5")
    assert lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo)).exit_code == 3
    assert snapshot(repo) == before


def test_a_repull_keeps_the_footers_somebody_added(
    gerrit_repo: Path,
    lpsync: Callable[..., object],
    sandbox: Sandbox,
) -> None:
    repo = gerrit_repo
    assert lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo)).exit_code == 0
    # The author ties the review to another one, as Zuul's cross-repo dependencies do.
    trailer = "Depends-On: https://review.opendev.org/c/openstack/nova/+/900001"
    git(repo, "commit", "-q", "--amend", "--no-edit", "--trailer", trailer)
    [change_id] = _change_ids(_message(repo))
    _retitle(sandbox, BP, "Hot-plug vDPA, v7")
    assert lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo)).exit_code == 0
    assert len(_commits_on(repo, "bp/libvirt-vdpa-hotplug")) == 1
    footers = commitmsg.trailers(_message(repo))
    assert trailer in footers
    assert _change_ids(_message(repo)) == [change_id]
    assert footers[0] == "Related: blueprint libvirt-vdpa-hotplug"


@pytest.mark.parametrize("dry_run", [False, True], ids=["run", "dry-run"])
@pytest.mark.parametrize(
    ("make_state", "message"),
    [
        (_stage_other_file, "the index holds staged changes (README.rst)"),
        (_edit_spec, "specs/zed/libvirt-vdpa-hotplug.rst: has uncommitted changes"),
    ],
)
def test_refusals_on_the_amend_path_leave_the_old_commit(
    gerrit_repo: Path,
    lpsync: Callable[..., object],
    sandbox: Sandbox,
    make_state: Callable[[Path], None],
    message: str,
    dry_run: bool,
) -> None:
    repo = gerrit_repo
    assert lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo)).exit_code == 0
    make_state(repo)  # on bp/libvirt-vdpa-hotplug, whose tip lpsync would amend
    before = snapshot(repo)
    _retitle(sandbox, BP, "Hot-plug vDPA, v8")
    args = ["pull", "libvirt-vdpa-hotplug", "--repo", str(repo)] + (["-n"] if dry_run else [])
    result = lpsync(*args)
    assert result.exit_code == 3, result.output
    assert message in result.stderr
    assert snapshot(repo) == before


def test_dry_run_plans_the_amend_and_changes_nothing(
    gerrit_repo: Path,
    lpsync: Callable[..., object],
    sandbox: Sandbox,
) -> None:
    repo = gerrit_repo
    assert lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo)).exit_code == 0
    tip = git(repo, "rev-parse", "HEAD").strip()
    before = snapshot(repo)
    _retitle(sandbox, BP, "Hot-plug vDPA, v6")
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo), "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"would amend {tip[:12]} on bp/libvirt-vdpa-hotplug" in result.stdout
    assert snapshot(repo) == before


@pytest.mark.parametrize(
    ("key", "footer"),
    [
        (BP, "Related: blueprint libvirt-vdpa-hotplug"),
        (NEW_BP, "Implements: blueprint unified-limits-nova"),
    ],
    ids=["update", "new spec"],
)
def test_a_title_cannot_inject_footers_or_control_bytes_into_the_message(
    repo: Path,
    lpsync: Callable[..., object],
    sandbox: Sandbox,
    key: tuple[str, str],
    footer: str,
) -> None:
    _retitle(sandbox, key, "Evil\n\nImplements: blueprint other\nChange-Id: Iabc\x1b[31m\x07\x00")
    result = lpsync("pull", key[1], "--repo", str(repo))
    assert result.exit_code == 0, result.output
    message = _message(repo)
    assert "\nImplements: blueprint other" not in message
    assert "\nChange-Id: Iabc" not in message
    assert "\x1b" not in message and "\x07" not in message
    assert commitmsg.trailers(message) == [footer]


def test_a_title_that_reads_as_a_footer_stays_out_of_the_footers_when_amended(
    gerrit_repo: Path,
    lpsync: Callable[..., object],
    sandbox: Sandbox,
) -> None:
    repo = gerrit_repo
    evil = "Change-Id: I" + "1" * 40
    _retitle(sandbox, NEW_BP, evil + "\x00")  # a NUL too: git would refuse the message
    first = lpsync("pull", "unified-limits-nova", "--repo", str(repo))
    assert first.exit_code == 0, first.output
    branch = "bp/unified-limits-nova"
    [real] = [t for t in commitmsg.trailers(_message(repo, branch)) if t.startswith("Change")]
    assert real != evil

    _retitle(sandbox, NEW_BP, evil + " v2")
    again = lpsync("pull", "unified-limits-nova", "--repo", str(repo))
    assert again.exit_code == 0, again.output
    message = _message(repo, branch)
    assert commitmsg.trailers(message) == ["Implements: blueprint unified-limits-nova", real]
    parsed = git(repo, "interpret-trailers", "--parse", input=message)
    assert parsed.splitlines() == ["Implements: blueprint unified-limits-nova", real]


# -- the message builder itself ---------------------------------------------------------


def test_a_long_name_gives_a_subject_of_at_most_72_columns() -> None:
    name = "nova-services-graceful-shutdown-part2-task-tracking"
    assert len(f"Update spec for blueprint {name}") == 77
    subject = commitmsg.subject("Update", name)
    assert len(subject) <= 72
    assert subject == f"Update spec for {name}"


@given(
    st.lists(
        st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=30),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(["Add", "Update"]),
)
def test_subjects_fit_and_never_cut_a_word(words: list[str], verb: str) -> None:
    name = "-".join(words)
    subject = commitmsg.subject(verb, name)
    assert len(subject) <= 72
    shown = subject.rsplit(" ", 1)[-1].removesuffix("...")
    # What is shown of the name is whole words of it, from its start.
    assert name == shown or name.startswith(shown + "-")


def test_body_lines_wrap_at_72_but_urls_stay_whole() -> None:
    url = "https://blueprints.launchpad.net/nova/+spec/" + "x" * 60
    message = commitmsg.build(
        "x",
        "t",
        created=False,
        changes=[
            commitmsg.FieldChange("URL", None, url),
            commitmsg.FieldChange("Title", "word " * 20, "other " * 20),
        ],
    )
    for line in message.splitlines():
        assert len(line) <= 72 or url in line
    assert url in message.splitlines() or f"  {url}" in message.splitlines()


_WORDS = st.text("abcdefghij -", min_size=1, max_size=30).filter(str.strip)


@given(
    st.lists(
        st.tuples(st.sampled_from(["Title", "URL", "Assignee", "Milestone"]), _WORDS, _WORDS),
        max_size=4,
    ),
    st.booleans(),
)
def test_the_footers_read_back_are_the_footers_written(
    changes: list[tuple[str, str, str]], created: bool
) -> None:
    # The list of changed fields ("Title: old -> new") reads like trailers: an amend
    # must not carry it into the footers.
    kept = ["Change-Id: I0123456789abcdef", "Signed-off-by: A <a@example.org>"]
    message = commitmsg.build(
        "bp-x",
        "A title",
        created=created,
        changes=[commitmsg.FieldChange(*c) for c in changes],
        trailers=kept,
    )
    footer = "Implements: blueprint bp-x" if created else "Related: blueprint bp-x"
    assert commitmsg.trailers(message) == [footer, *kept]
