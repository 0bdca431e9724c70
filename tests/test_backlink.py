"""The back-link: config ``spec_url``, audit's LPS701/LPS702, merged or not."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_audit import base_data, bp_url, git, make_repo, spec
from typer.testing import CliRunner

from lpsync.backlink import is_review_url, same_url, spec_page
from lpsync.cli import app
from lpsync.sandbox import Sandbox

NOVA = "https://specs.openstack.org/openstack/nova-specs/{path}"
PUBLISHED = "https://specs.openstack.org/openstack/nova-specs/specs/"
REVIEW = "https://review.opendev.org/c/openstack/nova-specs/+/912345"

# name -> the blueprint's specification_url
BLUEPRINTS = {
    "in-step": PUBLISHED + "zed/approved/in-step.html",
    "http-anchor": "http://SPECS.openstack.org/openstack/nova-specs/specs/zed/approved/"
    "http-anchor.html#problem-description",
    "empty": None,
    "blank": "  ",
    "elsewhere": PUBLISHED + "zed/approved/another-spec.html",
    "dead-host": "https://wiki.openstack.org/wiki/Nova/Elsewhere",
    "moved": PUBLISHED + "yoga/approved/moved.html",
    "reviewed": REVIEW,
    "proposed": "https://review.opendev.org/#/c/923456/",
}


@pytest.fixture(scope="module")
def backlinks() -> Iterator[Sandbox]:
    data = base_data()
    for name, url in BLUEPRINTS.items():
        done = "Implemented" if name == "moved" else "Unknown"
        data.add_blueprint(
            project="nova",
            name=name,
            title=name.title(),
            specification_url=url,
            implementation_status=done,
        )
    with Sandbox.from_model(data) as server:
        yield server


def files(spec_url: str | None = NOVA) -> dict[str, str]:
    config = "[lpsync]\nproject = nova\n" + (f"spec_url = {spec_url}\n" if spec_url else "")
    out = {"setup.cfg": config}
    for name in BLUEPRINTS:
        if name in ("moved", "proposed"):
            continue
        out[f"specs/zed/approved/{name}.rst"] = spec(name.title(), bp_url("nova", name))
    # The newest copy speaks for the blueprint; the yoga one is history.
    out["specs/yoga/approved/moved.rst"] = spec("Moved", bp_url("nova", "moved"))
    out["specs/zed/implemented/moved.rst"] = spec("Moved", bp_url("nova", "moved"))
    return out


def lpsync(server: Sandbox, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app,
        [*args, "--service-root", server.service_root, "--cache-dir", str(tmp_path / "c")],
    )
    return result.exit_code, result.stdout, result.stderr


def findings(out: str) -> list[tuple[str, str]]:
    return [
        (line.split(":", 1)[0], line.split()[1]) for line in out.splitlines() if " LPS70" in line
    ]


def test_lps701_and_lps702_with_spec_url_set(backlinks: Sandbox, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files())
    code, out, _ = lpsync(backlinks, tmp_path, "audit", "--repo", str(repo))
    assert code == 1
    assert findings(out) == [
        ("specs/zed/approved/blank.rst", "LPS701"),
        ("specs/zed/approved/dead-host.rst", "LPS702"),
        ("specs/zed/approved/elsewhere.rst", "LPS702"),
        ("specs/zed/approved/empty.rst", "LPS701"),
        # The review of a spec that is merged (on the only branch there is) is stale.
        ("specs/zed/approved/reviewed.rst", "LPS702"),
        ("specs/zed/implemented/moved.rst", "LPS702"),
    ]
    assert (
        "specs/zed/implemented/moved.rst:7: LPS702 nova/moved's specification URL is "
        f"{PUBLISHED}yoga/approved/moved.html, not its spec's page "
        f"{PUBLISHED}zed/implemented/moved.html"
    ) in out
    assert (
        f"specs/zed/approved/reviewed.rst:7: LPS702 nova/reviewed's specification URL is the "
        f"review {REVIEW}, but the spec is merged and published at "
        f"{PUBLISHED}zed/approved/reviewed.html"
    ) in out
    assert (
        "specs/zed/approved/empty.rst:7: LPS701 nova/empty has no specification URL; its spec "
        f"is published at {PUBLISHED}zed/approved/empty.html"
    ) in out


def test_no_lps70x_without_spec_url(backlinks: Sandbox, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files(spec_url=None))
    code, out, _ = lpsync(backlinks, tmp_path, "audit", "--repo", str(repo))
    assert code == 0, out
    assert "LPS7" not in out


def test_json_and_github_carry_them_like_other_findings(backlinks: Sandbox, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files())

    def where(name: str) -> list[str]:
        return ["--repo", str(repo), f"specs/zed/approved/{name}.rst"]

    code, out, _ = lpsync(backlinks, tmp_path, "audit", *where("empty"), "--format", "json")
    assert code == 1
    assert json.loads(out)["findings"] == [
        {
            "path": "specs/zed/approved/empty.rst",
            "line": 7,
            "code": "LPS701",
            "blueprint": "nova/empty",
            "field": "spec_url",
            "expected": PUBLISHED + "zed/approved/empty.html",
            "actual": None,
            "message": "nova/empty has no specification URL; its spec is published at "
            + PUBLISHED
            + "zed/approved/empty.html",
        }
    ]
    code, out, _ = lpsync(backlinks, tmp_path, "audit", *where("elsewhere"), "--format", "github")
    assert code == 1
    assert out.startswith(
        "::warning file=specs/zed/approved/elsewhere.rst,line=7,title=lpsync LPS702::"
    )


def test_a_review_link_is_fine_until_the_spec_is_merged(backlinks: Sandbox, tmp_path: Path) -> None:
    upstream = make_repo(tmp_path / "upstream", files())
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(upstream), str(clone))
    git(clone, "switch", "-q", "-c", "bp/proposed")
    (clone / "specs/zed/approved/proposed.rst").write_text(
        spec("Proposed", bp_url("nova", "proposed"))
    )
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "Propose a spec")  # on review, not merged
    code, out, _ = lpsync(backlinks, tmp_path, "audit", "--repo", str(clone))
    found = findings(out)
    assert ("specs/zed/approved/proposed.rst", "LPS702") not in found
    # reviewed.rst is on origin/master: merged, so its review link is stale.
    assert ("specs/zed/approved/reviewed.rst", "LPS702") in found

    # Merged: the branch's upstream now has it.
    git(upstream, "pull", "-q", "--ff-only", str(clone), "bp/proposed")
    git(clone, "fetch", "-q", "origin")
    code, out, _ = lpsync(backlinks, tmp_path, "audit", "--repo", str(clone))
    assert ("specs/zed/approved/proposed.rst", "LPS702") in findings(out)
    assert (
        "nova/proposed's specification URL is the review https://review.opendev.org/#/c/923456/"
        in out
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("https://specs.example.org/{where}", "unknown placeholder {where}"),
        ("specs.example.org/{path}", "is not an http(s) URL"),
        ("https://specs.example.org/{project}/index.html", "names the same page for every spec"),
        ("https://specs.example.org/{path", "spec_url"),
        ("https://specs.example.org/{{path}}", "names the same page for every spec"),
        ("https://specs.example.org/{path:d}", "placeholder {path:d} takes no conversion"),
        ("https://specs.example.org/{path!r}", "placeholder {path!r} takes no conversion"),
        ("https://x.org/{path!s:{name}}", "placeholder {path!s:{name}} takes no conversion"),
        ("https://[::1/{path}", "is not a valid URL: Invalid IPv6 URL"),
        ("https://specs.example.org:99999/{path}", "is not a valid URL: Port out of range"),
        ("https://specs.example.org/a b/{path}", "has a space or control character"),
    ],
)
def test_a_bad_spec_url_is_a_usage_error(
    backlinks: Sandbox, tmp_path: Path, value: str, problem: str
) -> None:
    repo = make_repo(tmp_path / "repo", files(spec_url=value))
    code, _out, err = lpsync(backlinks, tmp_path, "audit", "--repo", str(repo))
    assert code == 2
    assert err.startswith("lpsync: error: setup.cfg [lpsync]: key 'spec_url'")
    assert problem in err and len(err.splitlines()) == 1


def test_placeholders_for_nova_and_oslo() -> None:
    assert spec_page(NOVA, "specs/2025.1/implemented/a b.rst", "specs", "nova", "ab") == (
        "https://specs.openstack.org/openstack/nova-specs/specs/2025.1/implemented/a%20b.html"
    )
    oslo = "https://specs.openstack.org/openstack/oslo-specs/{path}"
    assert spec_page(oslo, "specs/epoxy/pbr-x.rst", "specs", "oslo.messaging", "x") == (
        "https://specs.openstack.org/openstack/oslo-specs/specs/epoxy/pbr-x.html"
    )
    other = "https://docs.example.org/{project}/{specs_path}?bp={name}"
    assert spec_page(other, "specs/zed/x.rst", "specs", "nova", "x") == (
        "https://docs.example.org/nova/zed/x.html?bp=x"
    )


def test_url_rules() -> None:
    assert same_url("http://Specs.example.org/a.html#x", "https://specs.example.org/a.html")
    assert not same_url("https://specs.example.org/a.html", "https://specs.example.org/b.html")
    assert not same_url(None, "https://specs.example.org/a.html")
    for url in (
        REVIEW,
        REVIEW + "/3",
        "https://review.opendev.org/#/c/923456/",
        "https://review.openstack.org/123456",
    ):
        assert is_review_url(url), url
    for url in ("https://review.example.org/c/x/+/1", "https://review.opendev.org/q/x"):
        assert not is_review_url(url), url


def test_on_the_published_branch_itself_what_it_holds_is_merged(
    backlinks: Sandbox, tmp_path: Path
) -> None:
    """A CI checkout of master after a merge: origin/master may lag behind it."""
    upstream = make_repo(tmp_path / "upstream", files())
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(upstream), str(clone))
    (clone / "specs/zed/approved/proposed.rst").write_text(
        spec("Proposed", bp_url("nova", "proposed"))
    )
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "Merge the spec")  # on master, not on origin/master
    code, out, _ = lpsync(backlinks, tmp_path, "audit", "--repo", str(clone))
    assert ("specs/zed/approved/proposed.rst", "LPS702") in findings(out)
    git(clone, "switch", "-q", "--detach")
    code, out, _ = lpsync(backlinks, tmp_path, "audit", "--repo", str(clone))
    assert ("specs/zed/approved/proposed.rst", "LPS702") in findings(out)
    # Outside git (an unpacked tarball) every spec is merged.
    tarball = tmp_path / "tarball"
    tarball.mkdir()
    for name, text in files().items():
        (tarball / name).parent.mkdir(parents=True, exist_ok=True)
        (tarball / name).write_text(text)
    code, out, _ = lpsync(backlinks, tmp_path, "audit", "--repo", str(tarball))
    assert ("specs/zed/approved/reviewed.rst", "LPS702") in findings(out)
