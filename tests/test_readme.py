"""The README's examples, as docutils reads them: what they run must work as shown."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from docutils import nodes
from docutils.core import publish_doctree

ROOT = Path(__file__).resolve().parents[1]
SHARED_FLAGS = ("--service-root", "--cache-dir", "--timeout")


def _examples() -> list[str]:
    """The README's literal and code blocks."""
    tree = publish_doctree(
        (ROOT / "README.rst").read_text(encoding="utf-8"),
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
