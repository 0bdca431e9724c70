"""The README's offline quick start, at release time: the demo spec repository and the
stand-in's data set let ``move`` and ``status`` show what they do."""

from __future__ import annotations

import shutil
from pathlib import Path

from gitrepos import git
from typer.testing import CliRunner

from lpsync.cli import app

ROOT = Path(__file__).resolve().parents[1]


def test_demo_moves_the_done_and_dead_specs_then_reports_the_series(
    tmp_path: Path, git_env: None, fixtures_dir: Path
) -> None:
    demo = tmp_path / "demo"
    shutil.copytree(ROOT / "fixtures/demo-specs", demo)
    git(demo, "init", "-q")
    git(demo, "add", "-A")
    git(demo, "commit", "-q", "-m", "Demo specs")
    shared = ["--service-root", str(fixtures_dir), "--cache-dir", str(tmp_path / "cache")]
    runner = CliRunner()

    moved = runner.invoke(app, ["move", "--release", "zed", "--repo", str(demo), *shared])
    assert moved.exit_code == 0, moved.output
    assert moved.output.splitlines()[:2] == [
        "moved specs/zed/approved/libvirt-vdpa-hotplug.rst -> "
        "specs/zed/implemented/libvirt-vdpa-hotplug.rst (nova/libvirt-vdpa-hotplug: Implemented)",
        "moved specs/zed/approved/xenapi-vgpu-support.rst -> "
        "specs/abandoned/xenapi-vgpu-support.rst (nova/xenapi-vgpu-support: Obsolete)",
    ]
    assert (demo / "specs/zed/redirects").read_text() == (
        "approved/libvirt-vdpa-hotplug.rst ../implemented/libvirt-vdpa-hotplug.rst\n"
        "approved/xenapi-vgpu-support.rst ../../abandoned/xenapi-vgpu-support.rst\n"
    )

    status = runner.invoke(app, ["status", "zed", "--repo", str(demo), *shared])
    assert status.exit_code == 1
    assert status.output == (
        "nova zed: 3 targeted, 2 approved, 1 implemented\n"
        "specs whose blueprint needs approval (1):\n"
        "  specs/zed/approved/nova-manage-image-properties.rst\n"
        "approved blueprints without a spec (1):\n"
        "  nova/nova-api-policy-docs\n"
    )
