"""The README's examples, as docutils reads them: what they run must work as shown."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from docutils import nodes
from docutils.core import publish_doctree
from gitrepos import git
from typer.testing import CliRunner

from lpsync.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.rst").read_text(encoding="utf-8")
SHARED_FLAGS = ("--service-root", "--cache-dir", "--timeout")


def _examples() -> list[str]:
    """The README's literal and code blocks."""
    tree = publish_doctree(
        README,
        settings_overrides={"report_level": 5, "halt_level": 5},
    )
    return [node.astext() for node in tree.findall(nodes.literal_block)]


def test_the_examples_put_the_shared_options_after_the_command() -> None:
    examples = "\n".join(_examples())
    assert "lpsync audit" in examples and "--service-root" in examples
    for flag in SHARED_FLAGS:
        assert not re.search(rf"\blpsync\s+(?:--\S+\s+\S+\s+)*{flag}", examples), flag


def _installed(example: str) -> list[str]:
    """What the example's pip commands and tox ``deps`` install."""
    wanted: list[str] = []
    for line in example.splitlines():
        line = line.split(" #", 1)[0].strip()
        if match := re.match(r"deps\s*=\s*(.+)", line):
            wanted.append(match.group(1).strip())
        for command in re.split(r"&&|;", line):
            if not re.search(r"\bpip3?\s.*\binstall\b", command):
                continue
            words = shlex.split(command.replace("${{", "").replace("}}", ""))
            if "pip" in (Path(w).name for w in words[:3]) and "install" in words:
                after = words[words.index("install") + 1 :]
                wanted += [w for w in after if not w.startswith("-")]
    return wanted


def test_no_example_installs_lpsync_from_the_package_index() -> None:
    # lpsync is not on PyPI: "pip install lpsync" or tox's "deps = lpsync" would fail
    # (or, worse, install somebody else's package of that name).
    installed = [what for example in _examples() for what in _installed(example)]
    assert "." in installed  # the quick start installs the clone itself
    assert any(what.startswith("git+") or " @ git+" in what for what in installed)
    for what in installed:
        name = re.split(r"[\s\[<>=!~;@]", what, maxsplit=1)[0]
        assert name != "lpsync" or "git+" in what, what


def test_the_offline_quick_start_exits_as_its_paragraph_says(
    tmp_path: Path, git_env: None, fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The line's lpsync steps, run as the shell would (`&&` stops at a failure, `;`
    # does not), against what the paragraph before it says each one exits with.
    paragraph, block = README.split("Run lpsync offline:", 1)[1].split("::\n", 1)
    line = block.strip().splitlines()[0]
    demo = tmp_path / "demo"
    shutil.copytree(ROOT / "fixtures/demo-specs", demo)
    git(demo, "init", "-q")
    git(demo, "add", "-A")
    git(demo, "commit", "-q", "-m", "Demo specs")
    monkeypatch.setenv("LPSYNC_SERVICE_ROOT", str(fixtures_dir))
    monkeypatch.setenv("LPSYNC_CACHE_DIR", str(tmp_path / "cache"))
    codes: dict[str, int] = {}
    outputs: dict[str, str] = {}
    status = 0
    for operator, step in re.findall(r"(^|&&|;)\s*([^&;]+)", line):
        words = shlex.split(step)
        if Path(words[0]).name != "lpsync" or (operator == "&&" and status != 0):
            continue  # the setup is done above; after a failure `&&` runs nothing
        result = CliRunner().invoke(app, [w.replace("$demo", str(demo)) for w in words[1:]])
        status = codes[words[1]] = result.exit_code
        outputs[words[1]] = result.output
    assert list(codes) == ["pull", "move", "status", "audit"], codes
    said = " ".join(paragraph.split())
    claims = {name: int(code) for name, code in re.findall(r"``(\w+)``.*?\bexits? (\d)", said)}
    assert claims == {name: codes[name] for name in claims} and claims, (claims, outputs)
    whole = re.search(r"exits (\d), the exit status of the whole line", said)
    assert whole is not None and int(whole.group(1)) == status
    for quoted in re.findall(r"``([^`]*\bfindings)``", said):
        assert quoted in outputs["audit"]


def test_the_listing_page_size_is_the_one_lpsync_asks_for() -> None:
    # Audit asks for ws.size=300, Launchpad's largest page (its default is 75).
    from lpsync.launchpad import BATCH_SIZE

    sizes = re.findall(r"``all_specifications``, (?:up to )?(\d+) a page", README)
    assert sizes == [str(BATCH_SIZE)]
