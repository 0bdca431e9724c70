"""`lpsync status SERIES` against the stand-in's data set (fixtures/launchpad).

nova's zed series there targets libvirt-vdpa-hotplug (Approved, Implemented),
nova-manage-image-properties (Review) and nova-api-policy-docs (Approved); its
Superseded and Obsolete blueprints are not in valid_specifications.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from clirun import lpsync_runner
from gitrepos import make_repo
from helpers_audit import bp_url, spec
from typer.testing import CliRunner

from lpsync.cli import app
from lpsync.sandbox import Sandbox

NOVA = {
    "setup.cfg": "[lpsync]\nproject = nova\n",
    "specs/zed-template.rst": spec("Example", bp_url("nova", "example")),
    "specs/zed/redirects": "",
    "specs/zed/implemented/libvirt-vdpa-hotplug.rst": spec(
        "vDPA hot-plug", bp_url("nova", "libvirt-vdpa-hotplug")
    ),
    # In the approved folder, its blueprint still in Review.
    "specs/zed/approved/nova-manage-image-properties.rst": spec(
        "Image properties", bp_url("nova", "nova-manage-image-properties")
    ),
    # Misnamed, and its blueprint targets antelope.
    "specs/zed/approved/pci-tracking.rst": spec(
        "PCI in placement", bp_url("nova", "pci-device-tracking-in-placement")
    ),
    "specs/2023.1/approved/unified-limits-nova.rst": spec(
        "Unified limits", bp_url("nova", "unified-limits-nova")
    ),
}


@pytest.fixture
def lpsync(sandbox: Sandbox, tmp_path: Path) -> Callable[..., object]:
    return lpsync_runner(sandbox, tmp_path)


@pytest.fixture
def nova(tmp_path: Path, git_env: None) -> Path:
    return make_repo(tmp_path / "nova-specs", NOVA)


def test_counts_and_lists_as_json(
    nova: Path, lpsync: Callable[..., object], sandbox: Sandbox
) -> None:
    result = lpsync("status", "zed", "--repo", str(nova), "--format", "json")
    assert result.exit_code == 1, result.output
    assert json.loads(result.output) == {
        "version": 1,
        "project": "nova",
        "series": "zed",
        "targeted": 3,
        "approved": 2,
        "implemented": 1,
        "needs_approval": ["specs/zed/approved/nova-manage-image-properties.rst"],
        "without_spec": ["nova/nova-api-policy-docs"],
        "not_targeted": ["specs/zed/approved/pci-tracking.rst"],
    }
    # Login 2, the pillar 1, the series' listing 1, the project's listing 1 (the
    # folder's specs): bulk reads only.
    assert [r.path for r in sandbox.requests] == [
        "/devel/",
        "/devel/",
        "/devel/nova",
        "/devel/nova/zed/valid_specifications",
        "/devel/nova/all_specifications",
    ]


def test_text_output_is_a_summary_then_the_lists(nova: Path, lpsync: Callable[..., object]) -> None:
    result = lpsync("status", "zed", "--repo", str(nova))
    assert result.exit_code == 1
    assert result.output == (
        "nova zed: 3 targeted, 2 approved, 1 implemented\n"
        "specs whose blueprint needs approval (1):\n"
        "  specs/zed/approved/nova-manage-image-properties.rst\n"
        "approved blueprints without a spec (1):\n"
        "  nova/nova-api-policy-docs\n"
        "specs not targeted to zed (1):\n"
        "  specs/zed/approved/pci-tracking.rst\n"
    )


def test_a_spec_elsewhere_counts_by_its_link_or_its_name(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    files = {k: v for k, v in NOVA.items() if "/zed/approved/" not in k}
    # Linked from a misnamed file in another folder: the blueprint has its spec.
    files["specs/backlog/approved/policy.rst"] = spec(
        "Policy docs", bp_url("nova", "nova-api-policy-docs")
    )
    # Named after the blueprint, without a link.
    files["specs/zed/nova-manage-image-properties.rst"] = spec("Image properties", None)
    repo = make_repo(tmp_path / "nova-specs", files)
    result = lpsync("status", "zed", "--repo", str(repo), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["needs_approval"], report["without_spec"], report["not_targeted"]) == (
        [],
        [],
        [],
    )


def test_a_flat_series_folder_is_its_approved_folder(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    files = {
        "setup.cfg": "[lpsync]\nproject = nova\n",
        "specs/zed/nova-manage-image-properties.rst": spec(
            "Image properties", bp_url("nova", "nova-manage-image-properties")
        ),
    }
    repo = make_repo(tmp_path / "flat", files)
    result = lpsync("status", "zed", "--repo", str(repo), "--format", "json")
    report = json.loads(result.output)
    assert report["needs_approval"] == ["specs/zed/nova-manage-image-properties.rst"]


def test_series_by_number_finds_the_codename_series_and_the_numbered_folder(
    nova: Path, lpsync: Callable[..., object], sandbox: Sandbox
) -> None:
    result = lpsync("status", "2023.1", "--repo", str(nova), "--format", "json")
    report = json.loads(result.output)
    assert report["series"] == "antelope"
    assert report["not_targeted"] == []
    # unified-limits-nova has its spec; pci-device-tracking-in-placement is linked from
    # specs/zed, and the other Approved ones have none.
    assert report["without_spec"] == [
        "nova/libvirt-sev-es-guests",
    ]
    assert report["targeted"] == 3  # vnc-console-tls: a proposed goal only
    paths = [r.path for r in sandbox.requests]
    assert "/devel/nova/2023.1/valid_specifications" in paths  # tried first: a 404
    assert "/devel/nova/antelope/valid_specifications" in paths


def test_a_project_group_sums_its_members_series(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object], sandbox: Sandbox
) -> None:
    files = {
        "setup.cfg": "[lpsync]\nproject = oslo\n",
        "specs/zed/rabbit-quorum-queues.rst": spec(
            "Quorum queues", "https://blueprints.launchpad.net/oslo?searchtext=rabbit-quorum-queues"
        ),
    }
    repo = make_repo(tmp_path / "oslo-specs", files)
    result = lpsync("status", "zed", "--repo", str(repo), "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    # oslo.messaging: rabbit-quorum-queues (Approved, Implemented), heartbeat-in-pthread
    # (Review); oslo.config: config-validator-schema (Approved).
    assert (report["targeted"], report["approved"], report["implemented"]) == (3, 2, 1)
    assert report["without_spec"] == ["oslo.config/config-validator-schema"]
    assert report["needs_approval"] == report["not_targeted"] == []
    paths = [r.path for r in sandbox.requests]
    assert paths[2:5] == [
        "/devel/oslo",
        "/devel/oslo/projects",
        "/devel/oslo.config/zed/valid_specifications",
    ]
    assert len(paths) == 7  # + oslo.messaging's series, the group's listing


def test_unknown_series_and_missing_project_are_usage_errors(
    nova: Path, tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    unknown = lpsync("status", "bobcat", "--repo", str(nova))
    assert unknown.exit_code == 2
    assert "series bobcat or 2023.2 does not exist in nova on Launchpad" in unknown.output
    other = make_repo(tmp_path / "other", {"setup.cfg": "[lpsync]\nproject = neutron\n"})
    missing = lpsync("status", "zed", "--repo", str(other))
    assert missing.exit_code == 2  # no specs folder: checked before any request
    (other / "specs").mkdir()
    missing = lpsync("status", "zed", "--repo", str(other))
    assert missing.exit_code == 1
    assert "project 'neutron' does not exist on Launchpad" in missing.output
    bare = make_repo(tmp_path / "bare", {"specs/zed/x.rst": "x\n"})
    no_project = lpsync("status", "zed", "--repo", str(bare))
    assert no_project.exit_code == 2
    assert "status needs the Launchpad project" in no_project.output


def test_shared_options_work_after_the_command_name(
    nova: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    args = ["status", "zed", "--repo", str(nova), "--service-root", sandbox.service_root]
    result = CliRunner().invoke(app, [*args, "--cache-dir", str(tmp_path / "c")])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("nova zed: 3 targeted")


def test_an_unreadable_spec_in_the_series_folder_is_exit_3(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    repo = make_repo(tmp_path / "nova-specs", NOVA)
    (repo / "specs/zed/approved/broken.rst").write_bytes(b"caf\xe9\n")
    result = lpsync("status", "zed", "--repo", str(repo), "--format", "json")
    assert result.exit_code == 3
    assert "specs/zed/approved/broken.rst: not valid UTF-8 (byte 3)" in result.output
