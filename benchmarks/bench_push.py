"""Benchmark ``lpsync record`` and ``lpsync push`` against the stand-in (not a timed test).

Uses bench_audit's nova-shaped repo and data, with ``spec_url`` set and a share of the
blueprints' Specification URLs empty or stale, latency added to every request, and
prints the requests and seconds of: the audit, ``record``, ``push --dry-run``, ``push``
and a second ``push`` (which must write nothing).

    python benchmarks/bench_push.py [--specs 900] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_audit import PROJECT, build  # noqa: E402

from lpsync.audit import run_audit  # noqa: E402
from lpsync.config import load_config  # noqa: E402
from lpsync.launchpad import open_launchpad  # noqa: E402
from lpsync.push import plan, push  # noqa: E402
from lpsync.record import record  # noqa: E402
from lpsync.sandbox import Sandbox  # noqa: E402

SPEC_URL = "https://specs.openstack.org/openstack/nova-specs/{path}"
KEY, SECRET = "bench-key", "bench-secret"


def measure(sandbox: Sandbox, run: Callable[[], object]) -> tuple[float, int, int]:
    """(seconds, GET requests, PATCH requests)."""
    sandbox.clear_requests()
    start = time.perf_counter()
    run()
    wall = time.perf_counter() - start
    requests = sandbox.requests
    patches = sum(1 for r in requests if r.method == "PATCH")
    return wall, len(requests) - patches, patches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=900)
    parser.add_argument("--people", type=int, default=120)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request")
    parser.add_argument("--stale", type=float, default=0.1, help="share of URLs to fix")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lpsync-bench-") as tmp:
        repo, data, linked = build(Path(tmp, "repo"), args.specs, args.people, args.seed)
        with (repo / "setup.cfg").open("a") as fh:
            fh.write(f"spec_url = {SPEC_URL}\n")
        data.add_person(name="spec-bot", display_name="Spec Bot")
        data.add_token(person="spec-bot", key=KEY, secret=SECRET)
        creds = Path(tmp, "creds")
        creds.write_text(
            f"[1]\nconsumer_key = lpsync\nconsumer_secret = \naccess_token = {KEY}\n"
            f"access_secret = {SECRET}\n"
        )
        config = load_config(repo)
        # Point most blueprints at their spec; leave a share empty or stale.
        rng = random.Random(args.seed)
        specs = {p.stem: p for p in (repo / "specs").rglob("*.rst")}
        for name in linked:
            rel = specs[name].relative_to(repo).with_suffix(".html").as_posix()
            roll = rng.random()
            url = None if roll < args.stale / 2 else SPEC_URL.format(path=rel)
            if args.stale / 2 <= roll < args.stale:
                url = SPEC_URL.format(path=f"specs/old/{name}.html")
            data.blueprints[(PROJECT, name)].specification_url = url

        with Sandbox.from_model(data) as sandbox:
            sandbox.add_fault(".", latency=args.latency)
            root = sandbox.service_root
            cache = Path(tmp, "cache")
            rows = []

            def audit() -> None:
                with open_launchpad(root, cache_dir=cache) as lp:
                    run_audit(repo, config, lp)

            def rec() -> None:
                with open_launchpad(root, cache_dir=cache) as lp:
                    record(repo, config, lp, Path(tmp, f"snap-{time.monotonic_ns()}"))

            def pushed(dry: bool) -> Callable[[], None]:
                def run() -> None:
                    with open_launchpad(root, cache, credentials=None if dry else creds) as lp:
                        links, _ = plan(repo, config, lambda: lp)
                        push(links, None if dry else lp.set_specification_url)

                return run

            for label, run in (
                ("audit", audit),
                ("record", rec),
                ("push --dry-run", pushed(True)),
                ("push", pushed(False)),
                ("push (again)", pushed(False)),
            ):
                rows.append((label, *measure(sandbox, run)))

    print(
        f"lpsync record/push benchmark: {args.specs} specs, {len(data.blueprints)} blueprints, "
        f"{args.latency * 1000:.0f} ms added latency per request, "
        f"{args.stale:.0%} of the Specification URLs empty or stale"
    )
    for label, wall, gets, patches in rows:
        print(f"  {label:15s} {wall:6.2f} s wall, {gets:4d} GET, {patches:4d} PATCH")


if __name__ == "__main__":
    main()
