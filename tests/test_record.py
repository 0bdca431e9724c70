"""``lpsync record``: a snapshot of what the specs need, which audit reads like Launchpad."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_audit import base_data, bp_url, make_repo, spec
from typer.testing import CliRunner

from lpsync.cli import app
from lpsync.sandbox import Sandbox

GROUPED = "https://example.org/grouped"
SPEC_URL = "https://specs.openstack.org/openstack/nova-specs/{path}"
CLEAN = "https://specs.openstack.org/openstack/nova-specs/specs/zed/clean.html"


@pytest.fixture
def drifted() -> Iterator[Sandbox]:
    """Blueprints that disagree with the specs in every way audit checks, plus ones
    no spec links (which must stay out of the snapshot)."""
    data = base_data()
    # project, name, title, assignee, milestone, definition, implementation, spec URL
    table = [
        ("nova", "clean", "Clean", "jdoe", "zed-1", "Approved", "Started", CLEAN),
        ("nova", "retitled", "New title", "rroe", "zed-2", "Approved", "Implemented", None),
        ("nova", "by-name", "By name", "hberaud", None, "Obsolete", "Unknown", None),
        ("nova", "referenced", "Referenced", None, None, "New", "Unknown", None),
        ("nova", "unlinked", "Nobody links this", "rroe", None, "New", "Unknown", None),
        ("oslo.messaging", "grouped", "Grouped", "jdoe", "zed-1", "New", "Unknown", GROUPED),
        ("oslo.messaging", "also-unlinked", "Unlinked too", None, None, "New", "Unknown", None),
    ]
    for project, name, title, assignee, milestone, definition, impl, url in table:
        data.add_blueprint(
            project=project,
            name=name,
            title=title,
            assignee=assignee,
            milestone=milestone,
            definition_status=definition,
            implementation_status=impl,
            specification_url=url,
        )
    with Sandbox.from_model(data, page_size=2) as server:
        yield server


def specs_repo(tmp_path: Path) -> Path:
    references = (
        "References\n==========\n\n* "
        + bp_url("nova", "referenced")
        + "\n* "
        + bp_url("nova", "gone")
        + "\n"
    )
    return make_repo(
        tmp_path / "repo",
        {
            # The back-link is checked too (LPS701, LPS702), and must replay the same.
            "setup.cfg": f"[lpsync]\nspec_url = {SPEC_URL}\n",
            "specs/zed/clean.rst": spec("Clean", bp_url("nova", "clean"), "jdoe", "zed-1"),
            "specs/zed/approved/retitled.rst": spec(
                "Old title", bp_url("nova", "retitled"), "jdoe", "zed-1"
            )
            + references,
            "specs/zed/approved/by-name.rst": spec(
                "By name", bp_url("nova", "by-name"), "Someone Else"
            ),
            "specs/zed/grouped.rst": spec(
                "Grouped", "https://blueprints.launchpad.net/oslo?searchtext=grouped", "jdoe"
            ),
            "specs/zed/missing.rst": spec("Missing", bp_url("nova", "missing")),
            "specs/zed/nowhere.rst": spec("Nowhere", bp_url("no-such-project", "nowhere")),
        },
    )


def lpsync(root: str, cache: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--service-root", root, "--cache-dir", str(cache), *args])
    return result.exit_code, result.stdout + result.stderr


def record_into(server: Sandbox, cache: Path, repo: Path, output: Path | str) -> tuple[int, str]:
    """``lpsync record --repo REPO --output OUTPUT`` against ``server``."""
    return lpsync(
        server.service_root, cache, "record", "--repo", str(repo), "--output", str(output)
    )


def test_audit_of_the_snapshot_equals_the_live_audit(drifted: Sandbox, tmp_path: Path) -> None:
    repo = specs_repo(tmp_path)
    cache = tmp_path / "cache"
    for fmt in ("text", "json", "github"):
        drifted.clear_requests()
        live = lpsync(
            drifted.service_root, cache / fmt, "audit", "--repo", str(repo), "--format", fmt
        )
        audit_requests = len(drifted.requests)
        assert live[0] == 1
        assert all(code in live[1] for code in ("LPS201", "LPS301", "LPS701", "LPS702"))

    drifted.clear_requests()
    code, out = record_into(drifted, cache / "rec", repo, tmp_path / "snap")
    assert code == 0, out
    # The audit's own reads, plus one all_milestones page per project with milestones.
    milestone_pages = [r for r in drifted.requests if r.path.endswith("/all_milestones")]
    assert len(milestone_pages) == 2  # nova, oslo.messaging
    assert len(drifted.requests) == audit_requests + len(milestone_pages)
    assert not any("+spec" in r.path or "getSpecification" in r.query for r in drifted.requests)

    for fmt in ("text", "json", "github"):
        live = lpsync(
            drifted.service_root, cache / fmt, "audit", "--repo", str(repo), "--format", fmt
        )
        replay = lpsync(
            str(tmp_path / "snap"), cache / "replay", "audit", "--repo", str(repo), "--format", fmt
        )
        # Only the name of the service differs: a local sandbox is named as such.
        named = live[1].replace("on Launchpad", f"in sandbox {tmp_path / 'snap'}")
        assert replay == (live[0], named)


def test_the_snapshot_holds_only_what_the_specs_link(drifted: Sandbox, tmp_path: Path) -> None:
    repo = specs_repo(tmp_path)
    snap = tmp_path / "snap"
    code, out = record_into(drifted, tmp_path / "c", repo, snap)
    assert code == 0, out
    blueprints = json.loads((snap / "blueprints.json").read_text())
    assert [(b["project"], b["name"]) for b in blueprints] == [
        ("nova", "by-name"),
        ("nova", "clean"),
        ("nova", "referenced"),
        ("nova", "retitled"),
        ("oslo.messaging", "grouped"),
    ]
    assert json.loads((snap / "project_groups.json").read_text()) == [
        {"display_name": "oslo", "name": "oslo"}
    ]
    projects = json.loads((snap / "projects.json").read_text())
    assert {
        "display_name": "oslo.messaging",
        "name": "oslo.messaging",
        "project_group": "oslo",
    } in projects
    assert [p["name"] for p in projects] == ["nova", "oslo.messaging"]
    people = {p["name"]: p["display_name"] for p in json.loads((snap / "people.json").read_text())}
    # Display names audit looked up (the spec names someone else than the assignee's
    # id) are recorded; jdoe matched on the id alone, so the id stands in for the name.
    assert people == {"hberaud": "Hervé Beraud", "jdoe": "jdoe", "rroe": "Richard Roe"}
    assert blueprints[-1]["specification_url"] == "https://example.org/grouped"


def test_recording_is_deterministic(drifted: Sandbox, tmp_path: Path) -> None:
    repo = specs_repo(tmp_path)
    texts = []
    for run in ("a", "b"):
        code, out = record_into(drifted, tmp_path / run, repo, tmp_path / f"snap-{run}")
        assert code == 0, out
        texts.append({p.name: p.read_bytes() for p in (tmp_path / f"snap-{run}").iterdir()})
    assert texts[0] == texts[1]
    for name, text in texts[0].items():
        assert text.endswith(b"]\n"), name
        data = json.loads(text)
        keys = [(e.get("project", ""), e["name"]) for e in data]
        assert keys == sorted(keys), name  # entries sorted by what identifies them
        assert (
            text.decode() == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )


def test_an_output_that_is_not_new_or_empty_is_refused(drifted: Sandbox, tmp_path: Path) -> None:
    repo = specs_repo(tmp_path)
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    a_file = tmp_path / "file"
    a_file.write_text("x")
    drifted.clear_requests()
    for output in (full, a_file, tmp_path / "no" / "parent"):
        code, out = record_into(drifted, tmp_path / "c", repo, output)
        assert code == 2, out
        assert len(out.strip().splitlines()) == 1 and str(output) in out
    assert drifted.requests == []  # refused before asking Launchpad anything
    assert [p.name for p in full.iterdir()] == ["keep.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert record_into(drifted, tmp_path / "c", repo, empty)[0] == 0
    assert (empty / "blueprints.json").is_file()


def test_a_launchpad_failure_leaves_nothing_behind(drifted: Sandbox, tmp_path: Path) -> None:
    repo = specs_repo(tmp_path)
    drifted.add_fault(r"all_milestones", status=500)
    code, out = record_into(drifted, tmp_path / "c", repo, tmp_path / "snap")
    assert code == 3, out
    assert "all_milestones" in out and "Traceback" not in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "repo"]


def test_record_takes_the_shared_options_after_its_name(
    drifted: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = specs_repo(tmp_path)
    monkeypatch.setenv("LPSYNC_SERVICE_ROOT", str(tmp_path / "no-such-root"))
    result = CliRunner().invoke(
        app,
        [
            "record",
            "--repo",
            str(repo),
            "--output",
            str(tmp_path / "snap"),
            "--service-root",
            drifted.service_root,
            "--cache-dir",
            str(tmp_path / "c"),
            "--timeout",
            "20",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "snap" / "blueprints.json").is_file()
    assert not (tmp_path / "no-such-root").exists()


def test_the_snapshot_holds_public_data_only(
    drifted: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing of the machine, the session or a credentials file lands in it."""
    secret = "s3cr3t-token-value"
    credentials = tmp_path / "creds"
    credentials.write_text(
        f"[1]\nconsumer_key = lpsync\nconsumer_secret = \naccess_token = {secret}-key\n"
        f"access_secret = {secret}\n"
    )
    monkeypatch.setenv("LPSYNC_CREDENTIALS", str(credentials))
    monkeypatch.setenv("LPSYNC_SECRET_SOMETHING", secret)
    repo = specs_repo(tmp_path)
    cache = tmp_path / "cache-dir-marker"
    code, out = record_into(drifted, cache, repo, tmp_path / "s")
    assert code == 0, out
    text = "".join(p.read_text() for p in sorted((tmp_path / "s").iterdir()))
    port = str(drifted.port)
    for leak in (secret, "cache-dir-marker", str(tmp_path), port, "127.0.0.1", "http://"):
        assert leak not in text, leak
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == [
        "blueprints.json",
        "milestones.json",
        "people.json",
        "project_groups.json",
        "projects.json",
        "series.json",
    ]


def test_an_output_name_the_file_system_refuses_is_one_line(
    drifted: Sandbox, tmp_path: Path
) -> None:
    """A name too long: exit 2 before any request. One near the limit still records:
    the temp folder beside it must not make it longer."""
    repo = specs_repo(tmp_path)
    drifted.clear_requests()
    code, out = record_into(drifted, tmp_path / "c", repo, tmp_path / ("s" * 300))
    assert code == 2, out
    assert out.startswith("lpsync: error: --output ") and out.endswith(": File name too long\n")
    assert drifted.requests == []
    near_limit = tmp_path / ("s" * 250)
    code, out = record_into(drifted, tmp_path / "c", repo, near_limit)
    assert code == 0, out
    assert (near_limit / "blueprints.json").is_file()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_a_folder_that_cannot_take_the_snapshot_is_one_line(
    drifted: Sandbox, tmp_path: Path
) -> None:
    # /proc takes no new folders, even from root (tests may run as root).
    repo = specs_repo(tmp_path)
    code, out = record_into(drifted, tmp_path / "c", repo, "/proc/lpsync-snapshot")
    assert code == 3, out
    assert out.startswith("lpsync: error: /proc/lpsync-snapshot: cannot write the snapshot: ")
    assert len(out.splitlines()) == 1 and "internal error" not in out


def test_an_interrupt_while_writing_leaves_nothing(
    drifted: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C once every file is written, just before the rename: no snapshot, no
    temp folder beside it, and the usual 130."""
    repo = specs_repo(tmp_path)
    renames = []
    replace = os.replace

    def interrupted(src: str, dst: str) -> None:
        if Path(dst) != tmp_path / "snap":  # someone else's rename (a cache, say)
            return replace(src, dst)
        renames.append(src)
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    code, out = record_into(drifted, tmp_path / "c", repo, tmp_path / "snap")
    assert code == 130 and out == "lpsync: interrupted\n"
    assert renames  # the interrupt came where it was meant to
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "repo"]


def test_the_summary_counts_in_words_one_and_many(drifted: Sandbox, tmp_path: Path) -> None:
    repo = specs_repo(tmp_path)
    one = lpsync(
        drifted.service_root,
        tmp_path / "c",
        "record",
        "--repo",
        str(repo),
        "--output",
        str(tmp_path / "one"),
        str(repo / "specs/zed/clean.rst"),
    )
    assert one == (
        0,
        f"{tmp_path / 'one'}: recorded 1 person, 0 project groups, 1 project, 1 series, "
        "1 milestone, 1 blueprint for 1 spec\n",
    )
    code, out = record_into(drifted, tmp_path / "c", repo, tmp_path / "all")
    assert code == 0 and out.endswith(" for 6 specs\n"), out
    assert " 2 projects, " in out and " 1 project group, " in out
