"""Benchmark ``lpsync pull`` in a large repo (not a timed test).

Builds a real git repo with N specs in release folders and times one pull through the
core, against the in-process stand-in:

* the first pull, when ``bp/<name>`` does not exist yet (the working tree is read);
* a re-pull after the blueprint changed, from ``master``, when ``bp/<name>`` exists
  and pull reads that branch's tree through git objects.

    python benchmarks/bench_pull.py [--specs 5000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lpsync.launchpad import open_launchpad  # noqa: E402
from lpsync.pull import pull  # noqa: E402
from lpsync.sandbox import Sandbox, SandboxData  # noqa: E402

RELEASES = ("xena", "yoga", "zed", "2023.1", "2023.2", "2024.1", "2024.2", "2025.1")
SPEC = """\
{bar}
{title}
{bar}

https://blueprints.launchpad.net/nova/+spec/{name}

Problem description
===================

The operators need {name}.

Implementation
==============

Assignee(s)
-----------

Primary assignee:
  dev-1
"""
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "b",
    "GIT_AUTHOR_EMAIL": "b@example.org",
    "GIT_COMMITTER_NAME": "b",
    "GIT_COMMITTER_EMAIL": "b@example.org",
}


def build(root: Path, n_specs: int) -> str:
    """The repo; returns the name of the blueprint to pull (its spec is the last)."""
    for i in range(n_specs):
        name = f"feature-{i:05d}"
        title = f"Add {name} support"
        path = root / "specs" / RELEASES[i % len(RELEASES)] / "approved" / f"{name}.rst"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(SPEC.format(bar="=" * len(title), title=title, name=name))
    (root / "setup.cfg").write_text("[lpsync]\nproject = nova\n")
    for args in (["init", "-q", "-b", "master"], ["add", "-A"], ["commit", "-q", "-m", "specs"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    return f"feature-{n_specs - 1:05d}"


def timed_pull(root: Path, name: str, service_root: str, cache: Path) -> float:
    start = time.perf_counter()
    with open_launchpad(service_root, cache_dir=cache) as session:
        result = pull(root, name, lambda: session)
    assert result.changed, result.action
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=5000)
    args = parser.parse_args()
    os.environ.update(GIT_ENV)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        start = time.perf_counter()
        name = build(root, args.specs)
        print(f"repo: {args.specs} specs, built in {time.perf_counter() - start:.1f} s")
        data = SandboxData()
        data.add_person(name="dev-1", display_name="Dev One")
        data.add_person(name="dev-2", display_name="Dev Two")
        data.add_project(name="nova", display_name="Nova")
        data.add_blueprint(project="nova", name=name, title="A new title", assignee="dev-2")
        with Sandbox.from_model(data) as sandbox:
            cache = Path(tmp) / "cache"
            first = timed_pull(root, name, sandbox.service_root, cache)
            subprocess.run(["git", "switch", "-q", "master"], cwd=root, check=True)
            key = ("nova", name)
            data.blueprints[key] = replace(data.blueprints[key], title="A newer title")
            again = timed_pull(root, name, sandbox.service_root, cache)
    print(f"pull, no branch yet:      {first:6.2f} s")
    print(f"pull, bp/{name} exists: {again:6.2f} s (reads the branch through git objects)")
    print(f"ratio: {again / first:.2f}x; budget: both under 1 s")


if __name__ == "__main__":
    main()
