"""Benchmark ``lpsync audit`` of crafted specs (not a timed test).

Three 900 KB specs, each with 100 lines of ~9,000 characters in one field's block:

- ``letters``: ``Primary assignee:`` over runs of one letter, the input that once took
  a minute (lpsync's email pattern backtracked over every long run);
- ``tilde``: ``Primary assignee:`` over ``~a-~a-~a-...``, and
- ``dashed``: ``Target Milestone for completion:`` over ``zed-zed-zed-...``, which
  took two to three minutes in docutils' own inline patterns (standalone URI and
  email recognition scanned the rest of the line from every word start).

Each is audited through the core against the stand-in's fixtures; the budget is 1 s.

    python benchmarks/bench_crafted_spec.py [--lines 100] [--width 9000] [--shape NAME]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lpsync.audit import run_audit  # noqa: E402
from lpsync.config import load_config  # noqa: E402
from lpsync.launchpad import open_launchpad  # noqa: E402
from lpsync.sandbox import Sandbox  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "launchpad"
SPEC = """\
====================================
Support hot-plugging vDPA interfaces
====================================

https://blueprints.launchpad.net/nova/+spec/libvirt-vdpa-hotplug

Implementation
==============

Assignee(s)
-----------

{label}
{block}

Work Items
----------

None.
"""


def _line(shape: str, i: int, width: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    unit = {"letters": letters[i % 26], "tilde": "~a-", "dashed": "zed-"}[shape]
    return "  " + (unit * (width // len(unit) + 1))[:width]


LABELS = {
    "letters": "Primary assignee:",
    "tilde": "Primary assignee:",
    "dashed": "Target Milestone for completion:",
}


def bench(shape: str, lines: int, width: int) -> None:
    block = "\n".join(_line(shape, i, width) for i in range(lines))
    with tempfile.TemporaryDirectory() as tmp, Sandbox(FIXTURES) as sandbox:
        repo = Path(tmp) / "repo"
        (repo / "specs" / "zed").mkdir(parents=True)
        (repo / "setup.cfg").write_text("[lpsync]\nproject = nova\n")
        spec = repo / "specs" / "zed" / "libvirt-vdpa-hotplug.rst"
        spec.write_text(SPEC.format(label=LABELS[shape], block=block), encoding="utf-8")
        with open_launchpad(sandbox.service_root, Path(tmp) / "cache", timeout=10) as session:
            sandbox.clear_requests()
            began = time.perf_counter()
            result = run_audit(repo, load_config(repo), session)
            elapsed = time.perf_counter() - began
        codes = sorted({f.code for f in result.findings})
        size = spec.stat().st_size
        print(
            f"{shape:8} {size / 1000:.0f} KB, {lines} lines of {width} chars under"
            f" {LABELS[shape]!r}: audit {elapsed:.2f} s, {len(sandbox.requests)} requests,"
            f" findings {codes}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--width", type=int, default=9000)
    parser.add_argument("--shape", choices=sorted(LABELS), action="append")
    args = parser.parse_args()
    for shape in args.shape or list(LABELS):
        bench(shape, args.lines, args.width)
    print("budget: under 1 s each")


if __name__ == "__main__":
    main()
