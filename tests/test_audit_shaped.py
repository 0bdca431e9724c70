"""audit on trees shaped like the real ones: excludes, broken symlinks, group searches,
long titles after --fix (issue 8)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gitrepos import make_repo
from shaped_repos import TOO_LONG, model, nova_files, nova_symlinks, oslo_files
from typer.testing import CliRunner

from lpsync.audit import AuditResult, run_audit
from lpsync.cli import app
from lpsync.config import load_config
from lpsync.launchpad import open_launchpad
from lpsync.lint import run_lint
from lpsync.sandbox import Sandbox

POLICY = "specs/policy/deprecation.rst"


@pytest.fixture(scope="module")
def shaped_sandbox() -> Iterator[Sandbox]:
    with Sandbox.from_model(model()) as sandbox:
        sandbox.start()
        yield sandbox


def audit(sandbox: Sandbox, repo: Path, tmp_path: Path, **kwargs: object) -> AuditResult:
    sandbox.clear_requests()
    with open_launchpad(sandbox.service_root, cache_dir=tmp_path / "lpcache") as lp:
        return run_audit(repo, load_config(repo), lp, **kwargs)  # type: ignore[arg-type]


def cli(sandbox: Sandbox, tmp_path: Path, *args: str) -> object:
    sandbox.clear_requests()
    return CliRunner().invoke(
        app, ["--service-root", sandbox.service_root, "--cache-dir", str(tmp_path / "c"), *args]
    )


def spec(title: str, url: str, extra: str = "") -> str:
    bar = "=" * len(title)
    body = f"Problem description\n{'=' * 19}\n\nText.\n"
    return f"{bar}\n{title}\n{bar}\n\n{url}\n\nText.\n\n{body}{extra}"


# -- excludes -----------------------------------------------------------------------


def policy(result: AuditResult) -> list[str]:
    return [f.code for f in result.findings if f.path.startswith("specs/policy/")]


def test_exclude_leaves_oslos_policy_documents_out_of_audit_and_lint(
    shaped_sandbox: Sandbox, tmp_path: Path, git_env: None
) -> None:
    repo = make_repo(tmp_path / "oslo-specs", oslo_files())
    result = audit(shaped_sandbox, repo, tmp_path)
    assert policy(result) == ["LPS101"] and result.checked == 2
    assert "LPS101" in policy(run_lint(repo, load_config(repo)))

    # One pattern per line, or comma-separated; globs relative to the repo root.
    for value in ("\n  specs/policy/*\n  specs/*/drafts/**", "specs/nothing/*, specs/policy"):
        (repo / "setup.cfg").write_text(f"[lpsync]\nproject = oslo\nexclude = {value}\n")
        result = audit(shaped_sandbox, repo, tmp_path)
        assert policy(result) == [] and result.checked == 1, value
        assert policy(run_lint(repo, load_config(repo))) == []
    # Named on the command line (pre-commit passes file names), still left out.
    result = cli(shaped_sandbox, tmp_path, "audit", "--repo", str(repo), str(repo / POLICY))
    assert "LPS101" not in result.output  # type: ignore[attr-defined]


def test_paths_all_excluded_say_so_in_one_line_and_exit_0_in_audit_and_lint(
    shaped_sandbox: Sandbox, tmp_path: Path, git_env: None
) -> None:
    repo = make_repo(tmp_path / "oslo-specs", oslo_files())
    (repo / "setup.cfg").write_text("[lpsync]\nproject = oslo\nexclude = specs/policy\n")
    notice = (
        "warning: the paths given are all excluded by config `exclude` "
        "(setup.cfg [lpsync]): nothing checked"
    )
    for command in ("audit", "lint"):
        for named in (str(repo / POLICY), str(repo / "specs/policy")):
            result = cli(shaped_sandbox, tmp_path, command, "--repo", str(repo), named)
            output = result.output  # type: ignore[attr-defined]
            assert result.exit_code == 0, (command, output)  # type: ignore[attr-defined]
            assert output.count("config `exclude`") == 1 and notice in output, (command, output)
        # A path that holds no spec at all is still audit's usage error; lint's silence.
        other = cli(shaped_sandbox, tmp_path, command, "--repo", str(repo), str(repo / "setup.cfg"))
        assert "config `exclude`" not in other.output  # type: ignore[attr-defined]
    assert shaped_sandbox.requests == []  # nothing to ask Launchpad about


# -- broken symlinks ----------------------------------------------------------------


def test_a_broken_symlink_is_finding_lps104_and_exit_1(
    shaped_sandbox: Sandbox, tmp_path: Path, git_env: None
) -> None:
    links = nova_symlinks() | {"specs/2023.1/approved/gone.rst": "approved/gone.rst"}
    repo = make_repo(tmp_path / "nova-specs", nova_files(), links)
    result = cli(shaped_sandbox, tmp_path, "audit", "--repo", str(repo))
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert (
        "specs/2023.1/approved/gone.rst:1: LPS104 broken symlink: approved/gone.rst does not exist"
        in result.output  # type: ignore[attr-defined]
    )
    assert "error" not in result.output  # type: ignore[attr-defined]
    lint = cli(shaped_sandbox, tmp_path, "lint", "--repo", str(repo))
    assert "LPS104" in lint.output and lint.exit_code == 1  # type: ignore[attr-defined]


def test_a_symlink_out_of_the_repo_is_lps105_and_never_read(
    shaped_sandbox: Sandbox, tmp_path: Path, git_env: None
) -> None:
    secret = tmp_path / "elsewhere" / "unified-limits.rst"
    secret.parent.mkdir()
    url = "https://blueprints.launchpad.net/nova/+spec/unified-limits"
    secret.write_text(spec("TOPSECRET title", url))
    rel = "specs/2023.1/approved/unified-limits.rst"
    repo = make_repo(tmp_path / "nova-specs", nova_files(), nova_symlinks() | {rel: str(secret)})
    line = f"{rel}:1: LPS105 symlink leads outside the repository: {secret}"
    for command in ("audit", "lint"):
        for named in ((), (str(repo / rel),)):
            result = cli(shaped_sandbox, tmp_path, command, "--repo", str(repo), *named)
            output = result.output  # type: ignore[attr-defined]
            assert result.exit_code == 1 and line in output, (command, output)
            assert "TOPSECRET" not in output
    assert not [r for r in shaped_sandbox.requests if "unified-limits" in r.path + r.query]


def test_a_symlink_to_a_spec_elsewhere_in_the_repo_is_checked_under_its_name(
    shaped_sandbox: Sandbox, tmp_path: Path, git_env: None
) -> None:
    url = "https://blueprints.launchpad.net/nova/+spec/unified-limits"
    files = nova_files() | {"drafts/unified-limits.rst": spec("An older title", url)}
    rel = "specs/2023.1/approved/unified-limits.rst"
    links = nova_symlinks() | {rel: "../../../drafts/unified-limits.rst"}
    repo = make_repo(tmp_path / "nova-specs", files, links)
    for named in ((), (str(repo / rel),)):
        result = cli(shaped_sandbox, tmp_path, "audit", "--repo", str(repo), *named)
        output = result.output  # type: ignore[attr-defined]
        assert result.exit_code == 1 and f"{rel}:2: LPS301 " in output, output
    lint = cli(shaped_sandbox, tmp_path, "lint", "--repo", str(repo), str(repo / rel))
    assert "1 spec checked" in lint.output  # type: ignore[attr-defined]


# -- group searches -------------------------------------------------------------------


def test_a_searchtext_reference_costs_no_listing(
    shaped_sandbox: Sandbox, tmp_path: Path, git_env: None
) -> None:
    references = (
        "\nReferences\n==========\n\n"
        "* https://blueprints.launchpad.net/openstack/?searchtext=unified-limits\n"
        "* https://blueprints.launchpad.net/openstack/?searchtext=no-such-thing\n"
    )
    files = nova_files() | {
        "specs/2023.1/approved/unified-limits.rst": spec(
            "Use unified limits for quota in nova",
            "https://blueprints.launchpad.net/nova/+spec/unified-limits",
            references,
        ),
        # A group search as the spec's own link is still resolved, through the listing.
        "specs/2023.1/approved/old-thing.rst": spec(
            "An old implemented thing",
            "https://blueprints.launchpad.net/openstack/?searchtext=old-thing",
        ),
    }
    repo = make_repo(tmp_path / "nova-specs", files, nova_symlinks())
    result = audit(shaped_sandbox, repo, tmp_path)
    assert [f.code for f in result.findings if f.code == "LPS201"] == []
    openstack = [r for r in shaped_sandbox.requests if "/openstack" in r.path]
    # One listing page for the primary group link; the references ask nothing.
    assert len(openstack) == 1, [(r.path, r.query) for r in openstack]
    (repo / "specs/2023.1/approved/old-thing.rst").unlink()
    audit(shaped_sandbox, repo, tmp_path)
    assert [r for r in shaped_sandbox.requests if "/openstack" in r.path] == []


# -- --fix and long titles --------------------------------------------------------------


def test_audit_fix_warns_when_the_fixed_title_line_is_too_long(
    shaped_sandbox: Sandbox, tmp_path: Path, git_env: None
) -> None:
    rel = "specs/2026.2/approved/cpu-modes.rst"
    files = nova_files() | {
        rel: spec("An older title", "https://blueprints.launchpad.net/nova/+spec/cpu-modes")
    }
    repo = make_repo(tmp_path / "nova-specs", files, nova_symlinks())
    result = cli(shaped_sandbox, tmp_path, "audit", "--fix", "--repo", str(repo))
    text = (repo / rel).read_text()
    width = len(text.split("\n")[1])
    assert width > 79 and TOO_LONG.split()[0] in text
    assert (
        f"warning: {rel}:2: the title line is {width} characters wide, over max_line_length 79"
        in result.output  # type: ignore[attr-defined]
    )
    # A title that fits says nothing.
    (repo / rel).unlink()
    short = "specs/2023.1/approved/unified-limits.rst"
    (repo / short).write_text(
        spec("An older title", "https://blueprints.launchpad.net/nova/+spec/unified-limits")
    )
    result = cli(shaped_sandbox, tmp_path, "audit", "--fix", "--repo", str(repo))
    assert "Use unified limits" in (repo / short).read_text()
    assert "title line" not in result.output  # type: ignore[attr-defined]


def test_reading_order_leaves_the_results_in_file_order(
    shaped_sandbox: Sandbox, tmp_path: Path, git_env: None
) -> None:
    # audit reads specs naming their assignee by full name first (their people can be
    # asked for sooner); what it reports and fixes stays in the files' order.
    def assigned(title: str, name: str, who: str) -> str:
        url = f"https://blueprints.launchpad.net/nova/+spec/{name}"
        return spec(title, url, f"\nImplementation\n==============\n\nPrimary assignee:\n  {who}\n")

    files = nova_files() | {
        "specs/2023.1/approved/unified-limits.rst": assigned("Old", "unified-limits", "ana"),
        "specs/2027.1/approved/next-thing.rst": assigned("Old", "next-thing", "A. Lima"),
    }
    repo = make_repo(tmp_path / "nova-specs", files, nova_symlinks())
    result = audit(shaped_sandbox, repo, tmp_path, fix=True)
    assert result.fixed == [
        "specs/2023.1/approved/unified-limits.rst",
        "specs/2027.1/approved/next-thing.rst",
    ]
    people = [r.path for r in shaped_sandbox.requests if "/~" in r.path]
    assert people == ["/devel/~ana"]  # "A. Lima" needs her display name, once


# -- template examples ------------------------------------------------------------------

# nova's real template gives its file-name example in a bullet of the preamble, not in a
# comment: a new spec keeps it (an instruction), and it names no blueprint of the spec.
NOTES = """\
Some notes about using this template:

* The filename in the git repository should match the launchpad URL, for
  example a URL of: https://blueprints.launchpad.net/nova/+spec/awesome-thing
  should be named awesome-thing.rst

"""


def test_a_template_example_kept_in_a_new_spec_is_no_finding(
    shaped_sandbox: Sandbox, tmp_path: Path, git_env: None
) -> None:
    files = nova_files()
    for release in ("2023.1", "2026.2", "2027.1"):
        name = f"specs/{release}-template.rst"
        files[name] = files[name].replace("Problem description\n", NOTES + "Problem description\n")
    repo = make_repo(tmp_path / "nova-specs", files, nova_symlinks())
    pull = cli(shaped_sandbox, tmp_path, "pull", "next-thing", "--repo", str(repo), "--no-commit")
    assert pull.exit_code == 0, pull.output  # type: ignore[attr-defined]
    rel = "specs/2027.1/approved/next-thing.rst"
    assert "+spec/awesome-thing" in (repo / rel).read_text()  # the instruction stays
    result = audit(shaped_sandbox, repo, tmp_path)
    assert [f for f in result.findings if f.path == rel] == []
    # Nothing asked about the example, and a real reference is still checked.
    assert not [r for r in shaped_sandbox.requests if "awesome-thing" in (r.path + r.query)]
    with open(repo / rel, "a") as fh:
        fh.write("\nSee also https://blueprints.launchpad.net/nova/+spec/no-such-thing\n")
    result = audit(shaped_sandbox, repo, tmp_path)
    assert [f.code for f in result.findings if f.path == rel] == ["LPS201"]


# -- --fix against the spec's release template -------------------------------------------


def test_audit_fix_uses_the_specs_release_template_like_pull(
    shaped_sandbox: Sandbox, tmp_path: Path, git_env: None
) -> None:
    # The newest template (2027.1) indents the assignee by four, 2023.1's by two: a
    # missing assignee goes into the 2023.1 spec as its own template has it, so
    # audit --fix and pull write the same bytes.
    files = nova_files()
    newest = "specs/2027.1-template.rst"
    files[newest] = files[newest].replace("Primary assignee:\n  <", "Primary assignee:\n    <")
    rel = "specs/2023.1/approved/unified-limits.rst"
    implementation = "\nImplementation\n==============\n\nWork Items\n----------\n\nSome.\n"
    url = "https://blueprints.launchpad.net/nova/+spec/unified-limits"
    files[rel] = spec("An older title", url, implementation)
    fixed = make_repo(tmp_path / "fixed", files, nova_symlinks())
    pulled = make_repo(tmp_path / "pulled", files, nova_symlinks())
    result = audit(shaped_sandbox, fixed, tmp_path, fix=True)
    assert result.fixed == [rel]
    pull = cli(
        shaped_sandbox, tmp_path, "pull", "unified-limits", "--repo", str(pulled), "--no-commit"
    )
    assert pull.exit_code == 0, pull.output  # type: ignore[attr-defined]
    text = (fixed / rel).read_text()
    assert "Use unified limits" in text and "Primary assignee:\n  ana\n" in text
    assert text == (pulled / rel).read_text()
