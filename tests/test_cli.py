"""The CLI layer: exit codes, laziness, the standalone sandbox, the in-process one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from lpsync.cli import app

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "launchpad"


def _python(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=60, **kwargs
    )


def test_help_loads_neither_launchpadlib_nor_gitpython() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from lpsync.cli import app\n"
        "for args in (['--help'], ['pull', '--help'], ['audit', '--help']):\n"
        "    assert CliRunner().invoke(app, args).exit_code == 0\n"
        "heavy = [m for m in ('launchpadlib', 'git', 'docutils', 'httplib2') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    done = _python("-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_python_dash_m_runs_the_cli() -> None:
    done = _python("-m", "lpsync", "--version")
    assert done.returncode == 0
    assert done.stdout.startswith("lpsync ")


def test_usage_error_is_exit_2() -> None:
    result = CliRunner().invoke(app, ["pull"])
    assert result.exit_code == 2


def test_unknown_audit_format_is_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["audit", "--repo", str(tmp_path), "--format", "xml"])
    assert result.exit_code == 2
    assert "--format 'xml'" in result.stderr


def test_sandbox_command_serves_until_stopped() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lpsync", "sandbox", "--data", str(FIXTURES)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        root = proc.stdout.readline().strip()
        assert root.startswith("http://127.0.0.1:")
        request = urllib.request.Request(root + "devel/", headers={"Accept": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=10) as reply:
            body = json.load(reply)
        assert body["projects_collection_link"] == root + "devel/projects"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_sandbox_with_bad_data_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "people.json").write_text('[{"name": "Bad Name", "display_name": "x"}]')
    result = CliRunner().invoke(app, ["sandbox", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert "people.json: entry 0" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_service_root_directory_starts_the_stand_in_for_one_command(
    tmp_path: Path, git_env: None
) -> None:
    from gitrepos import make_repo

    repo = make_repo(tmp_path / "specs", {"setup.cfg": "[lpsync]\nproject = nova\n"})
    env = {"LPSYNC_SERVICE_ROOT": str(FIXTURES), "LPSYNC_CACHE_DIR": str(tmp_path / "cache")}
    result = CliRunner().invoke(
        app, ["pull", "ironic-shards", "--release", "zed", "--repo", str(repo)], env=env
    )
    assert result.exit_code == 0, result.output
    assert (repo / "specs/zed/ironic-shards.rst").is_file()


def test_works_without_home(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "XDG_CACHE_HOME")}
    env["PYTHONPATH"] = str(ROOT)
    repo = tmp_path / "specs"
    (repo / "specs").mkdir(parents=True)
    (repo / "setup.cfg").write_text("[lpsync]\nproject = nova\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "lpsync",
            "--service-root",
            str(FIXTURES),
            "pull",
            "ironic-shards",
            "--release",
            "zed",
            "--no-commit",
            "--repo",
            str(repo),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (repo / "specs/zed/ironic-shards.rst").is_file()


def test_audit_of_a_repo_without_its_specs_dir_is_exit_2_not_clean(tmp_path: Path) -> None:
    # A typo in --repo or specs_dir must not pass a CI job as "0 specs, 0 findings".
    (tmp_path / "setup.cfg").write_text("[lpsync]\nproject = nova\nspecs_dir = spesc\n")
    result = CliRunner().invoke(
        app, ["--service-root", str(FIXTURES), "audit", "--repo", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "no specs directory 'spesc'" in result.stderr


def test_sandbox_on_a_port_in_use_is_one_line_exit_3() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["sandbox", "--data", str(FIXTURES), "--port", str(port)])
    assert result.exit_code == 3
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("root", ["http://[::1", "http://:80/", "ftp://example.org/", "nowhere"])
def test_a_bad_service_root_is_one_line_exit_2(tmp_path: Path, root: str) -> None:
    (tmp_path / "specs").mkdir()
    result = CliRunner().invoke(
        app,
        [
            "--service-root",
            root,
            "--cache-dir",
            str(tmp_path / "c"),
            "audit",
            "--repo",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "service root" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args",
    [["pull"], ["--bogus"], ["--timeout", "0", "audit"], ["sandbox", "--port", "70000"]],
)
def test_usage_errors_from_the_console_script_are_one_line_exit_2(args: list[str]) -> None:
    done = _python("-m", "lpsync", *args)
    assert done.returncode == 2
    assert done.stderr.startswith("lpsync: error: ")
    assert len(done.stderr.strip().splitlines()) == 1


def test_the_console_script_keeps_each_exit_code(tmp_path: Path) -> None:
    base = ["-m", "lpsync", "--service-root", str(FIXTURES), "--cache-dir", str(tmp_path / "c")]
    repo = tmp_path / "specs-repo"
    (repo / "specs/zed").mkdir(parents=True)
    (repo / "setup.cfg").write_text("[lpsync]\nproject = nova\n")
    (repo / "specs/zed/ironic-shards.rst").write_text(
        "==========\n Old title\n==========\n\n"
        "https://blueprints.launchpad.net/nova/+spec/ironic-shards\n"
    )
    missing = _python(*base, "pull", "no-such-blueprint", "--repo", str(repo), "--no-commit")
    assert missing.returncode == 1, missing.stderr
    drift = _python(*base, "audit", "--repo", str(repo))
    assert drift.returncode == 1, drift.stderr
    assert "specs/zed/ironic-shards.rst:2: LPS301" in drift.stdout
    fixed = _python(*base, "audit", "--fix", "--repo", str(repo))
    assert fixed.returncode == 1
    clean = _python(*base, "audit", "--repo", str(repo))
    assert clean.returncode == 0, clean.stdout


def test_audit_of_paths_holding_no_spec_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs/template.rst").write_text("Template\n")
    result = CliRunner().invoke(
        app,
        ["--service-root", str(FIXTURES), "audit", "--repo", str(tmp_path), "specs/template.rst"],
    )
    assert result.exit_code == 2
    assert "no spec among the paths given" in result.stderr


# -- the shared options, before and after the command name --------------------------

SHARED_FLAGS = ("--service-root", "--cache-dir", "--timeout")
# Every command lpsync has, read from the app itself: a command added later is held to
# the same contract without anyone remembering to list it here.
COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def _demo_repo(tmp_path: Path) -> Path:
    from gitrepos import make_repo

    return make_repo(
        tmp_path / "specs-repo",
        {
            "setup.cfg": "[lpsync]\nproject = nova\n"
            "spec_url = https://specs.openstack.org/openstack/nova-specs/{path}\n",
            "specs/zed/ironic-shards.rst": "==========\n Old title\n==========\n\n"
            "https://blueprints.launchpad.net/nova/+spec/ironic-shards\n",
        },
    )


# One run of each command whose result the shared options decide or could disturb, and
# the exit code it ends with. A command missing here fails the test below.
RUNS: dict[str, tuple[Callable[[Path, Path], list[str]], int]] = {
    "pull": (lambda repo, tmp: ["pull", "ironic-shards", "--repo", str(repo), "--dry-run"], 0),
    "audit": (lambda repo, tmp: ["audit", "--repo", str(repo), "--format", "json"], 1),
    "lint": (lambda repo, tmp: ["lint", "--repo", str(repo), "--format", "json"], 0),
    "record": (lambda repo, tmp: ["record", "--repo", str(repo), "--output", str(tmp)], 0),
    "push": (lambda repo, tmp: ["push", "--repo", str(repo), "--dry-run"], 0),
    "move": (lambda repo, tmp: ["move", "--repo", str(repo), "--dry-run"], 0),
    "status": (lambda repo, tmp: ["status", "zed", "--repo", str(repo), "--format", "json"], 1),
    # The stand-in takes the options and has no use for them: bad data stays bad.
    "sandbox": (lambda repo, tmp: ["sandbox", "--data", str(tmp / "no-such-data")], 2),
}


def _command_args(command: str, repo: Path) -> list[str]:
    return RUNS[command][0](repo, repo.parent)


def test_every_command_has_a_run_with_the_shared_options() -> None:
    assert sorted(RUNS) == COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_lists_the_shared_options_in_its_help(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    for flag in SHARED_FLAGS:
        assert flag in result.stdout
    # Each is read from its environment variable after the command name too.
    for variable in ("LPSYNC_SERVICE_ROOT", "LPSYNC_CACHE_DIR", "LPSYNC_TIMEOUT"):
        assert variable in " ".join(result.stdout.split()), variable


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_checks_a_shared_option_given_after_its_name(command: str) -> None:
    # The option is parsed, and validated, by the command itself: not "No such option".
    done = _python("-m", "lpsync", command, "--timeout", "0")
    assert done.returncode == 2
    assert "--timeout" in done.stderr and "No such option" not in done.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_shared_options_work_the_same_before_and_after_the_command(
    tmp_path: Path, git_env: None, command: str
) -> None:
    repo = _demo_repo(tmp_path)
    shared = ["--service-root", str(FIXTURES), "--cache-dir", str(tmp_path / "c")]
    shared += ["--timeout", "9"]
    args, code = RUNS[command]
    before = CliRunner().invoke(app, [*shared, *args(repo, tmp_path / "before")], env={})
    after = CliRunner().invoke(app, [*args(repo, tmp_path / "after"), *shared], env={})
    assert before.exit_code == after.exit_code == code, (before.output, after.output)
    assert before.stdout.replace("/before", "/after") == after.stdout
    assert before.stderr.replace("/before", "/after") == after.stderr


@pytest.mark.parametrize("command", ["pull", "audit", "record", "push", "status"])  # ask Launchpad
def test_the_option_after_the_command_wins(tmp_path: Path, git_env: None, command: str) -> None:
    repo = _demo_repo(tmp_path)
    cache = ["--cache-dir", str(tmp_path / "c")]
    args, code = RUNS[command]
    # Before the name: a bad root; after it: the stand-in. The run must use the latter.
    result = CliRunner().invoke(
        app,
        ["--service-root", "nowhere", *args(repo, tmp_path / "a"), "--service-root", str(FIXTURES)]
        + cache,
    )
    assert result.exit_code == code, result.stderr
    # And the other way round: the bad root after the name is the one used.
    result = CliRunner().invoke(
        app,
        ["--service-root", str(FIXTURES), *args(repo, tmp_path / "b"), "--service-root", "nowhere"]
        + cache,
    )
    assert result.exit_code == 2
    assert "service root 'nowhere'" in result.stderr


def test_an_option_after_the_command_wins_over_the_environment(
    tmp_path: Path, git_env: None
) -> None:
    repo = _demo_repo(tmp_path)
    env = {"LPSYNC_SERVICE_ROOT": "nowhere", "LPSYNC_CACHE_DIR": str(tmp_path / "c")}
    result = CliRunner().invoke(
        app, [*_command_args("audit", repo), "--service-root", str(FIXTURES)], env=env
    )
    assert result.exit_code == 1, result.stderr
    from_env = CliRunner().invoke(app, _command_args("audit", repo), env=env)
    assert from_env.exit_code == 2
    assert "service root 'nowhere'" in from_env.stderr


def test_help_texts_keep_their_bracketed_defaults() -> None:
    result = CliRunner().invoke(app, ["pull", "--help"])
    assert "[default: the milestone's series]" in " ".join(result.stdout.split())


@pytest.mark.parametrize("root", ["fixtures", "", "empty"])
def test_a_service_root_directory_without_sandbox_data_is_exit_2(
    tmp_path: Path, git_env: None, root: str
) -> None:
    # A typo (fixtures for fixtures/launchpad) or an empty string (the current
    # directory) used to serve an empty Launchpad: every project "did not exist".
    from gitrepos import make_repo

    repo = make_repo(tmp_path / "specs", {"setup.cfg": "[lpsync]\nproject = nova\n"})
    (tmp_path / "empty").mkdir()
    given = str(ROOT / root) if root == "fixtures" else str(tmp_path / root) if root else ""
    result = CliRunner().invoke(
        app,
        ["--service-root", given, "--cache-dir", str(tmp_path / "c")]
        + ["pull", "ironic-shards", "--release", "zed", "--repo", str(repo)],
    )
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1
    if root:
        assert f"sandbox {given}: no sandbox data: none of people.json" in result.stderr
    else:
        assert "service root is empty" in result.stderr
    assert not (repo / "specs/zed/ironic-shards.rst").exists()


def test_messages_about_a_sandbox_name_the_sandbox_not_launchpad(
    tmp_path: Path, git_env: None
) -> None:
    from gitrepos import make_repo

    data = tmp_path / "data"
    data.mkdir()
    (data / "projects.json").write_text("[]", encoding="utf-8")
    repo = make_repo(tmp_path / "specs", {"setup.cfg": "[lpsync]\nproject = nova\n"})
    result = CliRunner().invoke(
        app,
        ["--service-root", str(data), "--cache-dir", str(tmp_path / "c")]
        + ["pull", "ironic-shards", "--release", "zed", "--repo", str(repo)],
    )
    assert result.exit_code == 1, result.output
    assert result.stderr == f"lpsync: error: project 'nova' does not exist in sandbox {data}\n"


@pytest.mark.parametrize("fault", [{"trickle": 1.0}, {"status": 502}])
def test_timeout_bounds_a_whole_command_retries_included(
    tmp_path: Path, git_env: None, fault: dict[str, object]
) -> None:
    # Headers then a byte a second kept `--timeout 3` running until killed, and
    # launchpadlib's own retries of 502 took 31 s whatever the timeout.
    import time

    from gitrepos import make_repo

    from lpsync.sandbox import Sandbox

    repo = make_repo(tmp_path / "specs", {"setup.cfg": "[lpsync]\nproject = nova\n"})
    with Sandbox(FIXTURES) as sandbox:
        sandbox.add_fault("getSpecification", **fault)  # type: ignore[arg-type]
        began = time.monotonic()
        done = _python(
            "-m", "lpsync", "--service-root", sandbox.service_root, "--timeout", "1",
            "--cache-dir", str(tmp_path / "c"),
            "pull", "ironic-shards", "--release", "zed", "--repo", str(repo),
        )  # fmt: skip
        elapsed = time.monotonic() - began
    assert done.returncode == 3, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "getSpecification nova/ironic-shards" in done.stderr
    assert ("timed out" if "trickle" in fault else "still after 1 s of retries") in done.stderr
    # The timeout, plus starting Python and logging in (generous: the machine is shared).
    assert elapsed < 1 + 5, elapsed
    assert not (repo / "specs/zed/ironic-shards.rst").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_bad_lpsync_timeout_is_a_usage_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    # Checked like the option, for every command, in one line.
    monkeypatch.setenv("LPSYNC_TIMEOUT", "soon" if command == COMMANDS[0] else "0")
    done = _python("-m", "lpsync", *_command_args(command, tmp_path))
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "LPSYNC_TIMEOUT" in done.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_a_timeout_given_after_the_command_overrides_a_bad_lpsync_timeout(
    tmp_path: Path, git_env: None, command: str
) -> None:
    # Issue 9: the option after the command wins over the environment in every case,
    # as one before it does; a bad LPSYNC_TIMEOUT that is not used is no error.
    repo = _demo_repo(tmp_path)
    args, code = RUNS[command]
    bad = "soon" if command == COMMANDS[0] else "0"  # not a number; out of range
    env = {"LPSYNC_TIMEOUT": bad, "LPSYNC_CACHE_DIR": str(tmp_path / "c")}
    root = ["--service-root", str(FIXTURES)]
    before = CliRunner().invoke(
        app, [*root, "--timeout", "9", *args(repo, tmp_path / "before")], env=env
    )
    after = CliRunner().invoke(
        app, [*root, *args(repo, tmp_path / "after"), "--timeout", "9"], env=env
    )
    assert before.exit_code == after.exit_code == code, (before.output, after.output)
    assert "LPSYNC_TIMEOUT" not in after.stderr
    assert before.stdout.replace("/before", "/after") == after.stdout


def test_lpsync_timeout_is_used_below_the_options_and_shown_in_help(
    tmp_path: Path, git_env: None
) -> None:
    # The timeout given shows in the message about 502s retried for as long.
    from lpsync.sandbox import Sandbox

    repo = _demo_repo(tmp_path)
    env = {"LPSYNC_TIMEOUT": "0.3", "LPSYNC_CACHE_DIR": str(tmp_path / "c")}
    pull = _command_args("pull", repo)
    with Sandbox(FIXTURES) as sandbox:
        sandbox.add_fault("getSpecification", status=502)
        root = ["--service-root", sandbox.service_root]
        for args, used in [
            ([*root, *pull], "0.3"),
            (["--timeout", "0.4", *root, *pull], "0.4"),
            (["--timeout", "0.4", *root, *pull, "--timeout", "0.5"], "0.5"),
        ]:
            result = CliRunner().invoke(app, args, env=env)
            assert result.exit_code == 3, result.output
            assert f"still after {used} s of retries" in result.stderr
    assert "LPSYNC_TIMEOUT" in CliRunner().invoke(app, ["--help"]).stdout
