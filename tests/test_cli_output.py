"""What the command line prints: no terminal escapes from Launchpad's data, one line for
a bug, the bare command, and the stand-in's warning and request log."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from lpsync import cli
from lpsync.cli import app
from lpsync.console import clean
from lpsync.sandbox import Sandbox, SandboxData

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "launchpad"
HOSTILE = "Evil \x1b]0;owned\x07title \x1b[2J\x1b[1A\x9b31m\u202eend\x00"


def _python(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("env", {**os.environ, "PYTHONPATH": str(ROOT)})
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=60, **kwargs
    )


def _controls(text: str) -> set[str]:
    return {c for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n"} | {
        c for c in text if c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    }


# -- cleaning ---------------------------------------------------------------------------


@given(st.text())
def test_clean_leaves_no_control_character_and_is_idempotent(text: str) -> None:
    cleaned = clean(text)
    assert not _controls(cleaned)
    assert clean(cleaned) == cleaned
    cleaned.encode("utf-8")  # lone surrogates are replaced, so the terminal can take it


@given(st.text(alphabet=st.characters(categories=("L", "N", "P", "S", "Zs"))))
def test_clean_keeps_printable_text(text: str) -> None:
    if not _controls(text) and not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        assert clean(text) == text


def test_styled_text_keeps_only_lpsyncs_own_colours() -> None:
    assert clean("\x1b[1mpath:\x1b[0m \x1b[33mLPS301\x1b[0m", styled=True) == (
        "\x1b[1mpath:\x1b[0m \x1b[33mLPS301\x1b[0m"
    )
    assert clean("\x1b[1mx\x1b[0m \x1b]0;t\x07\x1b[2J", styled=True) == "\x1b[1mx\x1b[0m "


@pytest.fixture
def hostile_sandbox() -> Sandbox:
    data = SandboxData()
    data.add_person(name="mallory", display_name="Mal \x1b[8mhidden\x1b[0m lory")
    data.add_project(name="nova", display_name="Nova")
    data.add_series(project="nova", name="zed")
    data.add_milestone(project="nova", name="zed-1", series="zed")
    data.add_blueprint(
        project="nova", name="evil", title=HOSTILE, assignee="mallory", milestone="zed-1"
    )
    with Sandbox.from_model(data) as sb:
        yield sb


def _spec_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "specs-repo"
    (repo / "specs/zed").mkdir(parents=True)
    (repo / "setup.cfg").write_text("[lpsync]\nproject = nova\n")
    (repo / "specs/zed/evil.rst").write_text(
        "==========\n Old title\n==========\n\n"
        "https://blueprints.launchpad.net/nova/+spec/evil\n\n"
        "Assignee(s)\n-----------\n\nPrimary assignee:\n  Someone Else\n"
    )
    return repo


def _on_terminal(tmp_path: Path, sb: Sandbox, *args: str) -> Any:
    return CliRunner().invoke(
        app,
        [*args, "--service-root", sb.service_root, "--cache-dir", str(tmp_path / "c")],
        color=True,  # as on a terminal: click would otherwise strip ANSI sequences itself
    )


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_audit_prints_no_escape_from_launchpad(
    tmp_path: Path, hostile_sandbox: Sandbox, fmt: str
) -> None:
    repo = _spec_repo(tmp_path)
    result = _on_terminal(tmp_path, hostile_sandbox, "audit", "--repo", str(repo), "--format", fmt)
    assert result.exit_code == 1, result.output
    assert "LPS301" in result.stdout
    assert "Mal hidden lory" in result.stdout  # the text is shown, only its controls go
    assert not _controls(result.stdout + result.stderr)


def test_pull_dry_run_prints_no_escape_from_launchpad(
    tmp_path: Path, hostile_sandbox: Sandbox, git_env: None
) -> None:
    repo = _spec_repo(tmp_path)
    args = ["pull", "evil", "--repo", str(repo), "-n", "--no-commit"]  # no git here
    result = _on_terminal(tmp_path, hostile_sandbox, *args)
    assert result.exit_code == 0, result.output
    assert "specs/zed/evil.rst" in result.stdout
    assert not _controls(result.stdout + result.stderr)


def test_every_print_goes_through_the_one_output_path() -> None:
    # Printing around lpsync.console.echo would bypass the cleaning.
    for path in (ROOT / "lpsync").rglob("*.py"):
        if path.name == "console.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "typer.echo(" not in text, path
        assert not re.search(r"(?<![\w.])print\(|sys\.std(out|err)\.write\(", text), path


# -- bugs and interrupts ----------------------------------------------------------------


def _crash(*args: object, **kwargs: object) -> None:
    raise ValueError("unexpected value\nsecond line")


def test_an_escaping_exception_is_one_line_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bug stands in for one: the config reader raises what no code expects.
    monkeypatch.setattr("lpsync.config.load_config", _crash)
    monkeypatch.delenv("LPSYNC_DEBUG", raising=False)
    result = CliRunner().invoke(app, ["audit", "--repo", str(tmp_path)])
    assert result.exit_code == 3
    assert result.stderr == (
        "lpsync: internal error: ValueError: unexpected value "
        "(LPSYNC_DEBUG=1 shows the traceback)\n"
    )


def test_lpsync_debug_shows_the_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("lpsync.config.load_config", _crash)
    result = CliRunner().invoke(app, ["audit", "--repo", str(tmp_path)], env={"LPSYNC_DEBUG": "1"})
    assert result.exit_code == 3
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "in _crash" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("lpsync: internal error: ValueError")


def test_the_console_script_maps_an_escaping_exception_to_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("lpsync.config.load_config", _crash)
    monkeypatch.delenv("LPSYNC_DEBUG", raising=False)
    monkeypatch.setattr(sys, "argv", ["lpsync", "audit", "--repo", str(tmp_path)])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 3
    assert capsys.readouterr().err.startswith("lpsync: internal error: ValueError")


def test_ctrl_c_is_interrupted_exit_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("lpsync.config.load_config", interrupt)
    result = CliRunner().invoke(app, ["audit", "--repo", str(tmp_path)])
    assert result.exit_code == 130
    assert result.stderr == "lpsync: interrupted\n"


FINALISER_INTERRUPTED = """
import sys
import lpsync.config
from lpsync import cli

class Finalised:
    def __del__(self):
        raise KeyboardInterrupt

def drop_one(*args):
    Finalised()
    raise ValueError("carried on")

lpsync.config.load_config = drop_one
sys.argv = ["lpsync", "audit", "--repo", sys.argv[1]]
cli.main()
"""


def test_ctrl_c_inside_a_finaliser_prints_no_traceback(tmp_path: Path) -> None:
    # Ctrl-C can land in a __del__ (GitPython's config parser has one): Python would
    # print "Exception ignored in ..." with a traceback, then carry on.
    env = {k: v for k, v in os.environ.items() if k != "LPSYNC_DEBUG"}
    done = _python("-c", FINALISER_INTERRUPTED, str(tmp_path), env={**env, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 3
    assert done.stderr.startswith("lpsync: internal error: ValueError: carried on")
    assert len(done.stderr.splitlines()) == 1


def test_bare_lpsync_prints_the_help_and_no_error() -> None:
    done = _python("-m", "lpsync")
    assert done.returncode == 2
    assert done.stdout.startswith("Usage: ")
    assert "Commands:" in done.stdout
    assert done.stderr == ""


# -- the stand-in -----------------------------------------------------------------------


def _serve(*args: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lpsync", "sandbox", "--data", str(FIXTURES), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def _get(url: str) -> None:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as reply:
            reply.read()
    except urllib.error.HTTPError:
        pass


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.terminate()
    _, err = proc.communicate(timeout=10)
    return err


def test_sandbox_log_writes_one_json_line_per_request(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    proc, root = _serve("--log", str(log))
    try:
        _get(root + "devel/")
        _get(root + "devel/nova?ws.op=nothing")
        _get(root + "devel/no-such-project")
    finally:
        err = _stop(proc)
    assert "warning" not in err  # loopback: nothing to warn about
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(e["method"], e["path"], e["query"]) for e in entries] == [
        ("GET", "/devel/", ""),
        ("GET", "/devel/nova", "ws.op=nothing"),
        ("GET", "/devel/no-such-project", ""),
    ]
    assert entries[0]["status"] == 200
    assert entries[2]["status"] == 404
    assert all(e["time"].endswith("+00:00") for e in entries)


def test_sandbox_log_that_cannot_be_opened_is_one_line_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["sandbox", "--data", str(FIXTURES), "--log", str(tmp_path / "no/such/dir/log")]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("lpsync: error: --log ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_sandbox_on_a_network_address_warns_that_it_serves_the_network() -> None:
    proc, root = _serve("--host", "0.0.0.0")
    try:
        assert root.startswith("http://0.0.0.0:")
    finally:
        err = _stop(proc)
    assert err.startswith("lpsync: warning: --host 0.0.0.0: the stand-in serves its data")


# -- progress ---------------------------------------------------------------------------


def _demo_repo(tmp_path: Path) -> Path:
    import shutil

    repo = tmp_path / "demo"
    shutil.copytree(ROOT / "fixtures/demo-specs", repo)
    return repo


def test_audit_shows_rich_progress_on_a_terminal_only(tmp_path: Path) -> None:
    import pty

    repo = _demo_repo(tmp_path)
    args = [sys.executable, "-m", "lpsync", "audit", "--repo", str(repo)]
    args += ["--service-root", str(FIXTURES), "--cache-dir", str(tmp_path / "c")]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=follower, env=env, text=True)
        os.close(follower)
        proc.communicate(timeout=60)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: everything is read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    specs = len(list((repo / "specs").rglob("*.rst"))) - 1  # the template is no spec
    assert b"reading specs" in shown
    assert f"{specs}/{specs}".encode() in shown
    # The network phase too, counted, and shown finished (N/N) before the bars clear.
    assert re.search(rb"asking Launchpad[^\r\n]*?(?<!\d)(\d+)/\1(?!\d)", shown)

    piped = _python(*args[1:])
    assert piped.stderr == ""  # not a terminal: no progress at all


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["status"], "(see lpsync status --help)"),
        (["pull"], "(see lpsync pull --help)"),
        (["audit", "--no-such-option"], "(see lpsync audit --help)"),
        (["--no-such-option"], "(see lpsync --help)"),
    ],
)
def test_a_usage_error_points_at_the_help_of_its_command(
    argv: list[str], hint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `lpsync --help` lists no command's arguments: the hint names the command's help.
    monkeypatch.setattr(sys, "argv", ["lpsync", *argv])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("lpsync: error: ") and err.endswith(f"{hint}\n")
    assert len(err.splitlines()) == 1
