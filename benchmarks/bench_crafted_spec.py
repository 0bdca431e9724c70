"""Benchmark ``lpsync audit`` of a crafted spec (not a timed test).

A 900 KB spec whose ``Primary assignee:`` block holds 100 lines of 9,000 letters, the
input that once took a minute (the email pattern backtracked over every long run).
It is audited through the core against the stand-in's fixtures; the budget is 1 s.

    python benchmarks/bench_crafted_spec.py [--lines 100] [--width 9000]
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

Primary assignee:
{block}

Work Items
----------

None.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--width", type=int, default=9000)
    args = parser.parse_args()
    letters = "abcdefghijklmnopqrstuvwxyz"
    block = "\n".join("  " + letters[i % 26] * args.width for i in range(args.lines))
    with tempfile.TemporaryDirectory() as tmp, Sandbox(FIXTURES) as sandbox:
        repo = Path(tmp) / "repo"
        (repo / "specs" / "zed").mkdir(parents=True)
        (repo / "setup.cfg").write_text("[lpsync]\nproject = nova\n")
        spec = repo / "specs" / "zed" / "libvirt-vdpa-hotplug.rst"
        spec.write_text(SPEC.format(block=block), encoding="utf-8")
        with open_launchpad(sandbox.service_root, Path(tmp) / "cache", timeout=10) as session:
            sandbox.clear_requests()
            began = time.perf_counter()
            result = run_audit(repo, load_config(repo), session)
            elapsed = time.perf_counter() - began
        codes = sorted({f.code for f in result.findings})
        size = spec.stat().st_size
        print(f"spec: {size / 1000:.0f} KB, {args.lines} lines of {args.width} letters")
        print(f"audit: {elapsed:.2f} s, {len(sandbox.requests)} requests, findings {codes}")
        print("budget: under 1 s")


if __name__ == "__main__":
    main()
