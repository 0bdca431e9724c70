"""Benchmark ``lpsync move`` and ``lpsync status`` against the Launchpad stand-in (not a
timed test).

Builds a nova-shaped repo (``specs/<release>/{approved,implemented}/``, ``redirects``,
``specs/abandoned/``; a real git repo in a temp dir) and a matching data set with series
goals, adds latency to every stand-in request, then runs a real ``move`` (git mv and a
commit) and ``status`` for the newest release. Prints requests and wall time, next to
what nova's ``tools/move_implemented_specs.py`` and ``count_blueprints.py`` would ask
(one ``getSpecification`` per spec in ``approved/``; the series listing plus one per
spec), computed, not run.

    python benchmarks/bench_release.py [--specs 800] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_pull import GIT_ENV, SPEC  # noqa: E402  (the same spec and git identity)

from lpsync.launchpad import open_launchpad  # noqa: E402
from lpsync.move import MoveOptions, move  # noqa: E402
from lpsync.sandbox import Sandbox, SandboxData  # noqa: E402
from lpsync.status import status  # noqa: E402

RELEASES = ("xena", "yoga", "zed", "antelope", "bobcat", "caracal")


def build(root: Path, n_specs: int) -> tuple[SandboxData, int]:
    """The repo and data; returns the data and how many specs sit in approved/."""
    data = SandboxData()
    data.add_project(name="nova", display_name="Nova")
    for release in RELEASES:
        data.add_series(project="nova", name=release)
        for folder in ("approved", "implemented"):
            (root / "specs" / release / folder).mkdir(parents=True)
        (root / "specs" / release / "redirects").write_text("")
    (root / "specs/abandoned").mkdir(parents=True)
    (root / "specs/abandoned/old.rst").write_text("Old.\n")
    (root / "setup.cfg").write_text("[lpsync]\nproject = nova\n")
    approved = 0
    for i in range(n_specs):
        release = RELEASES[i % len(RELEASES)]
        name = f"feature-{i:04d}"
        kind = i % 10  # 3 in 10 implemented, 1 obsolete, the rest still going
        impl = "Implemented" if kind < 3 else "Started"
        definition = "Obsolete" if kind == 3 else ("Approved" if kind < 8 else "Review")
        data.add_blueprint(
            project="nova",
            name=name,
            title=f"Feature {i}",
            series=release,
            definition_status=definition,
            implementation_status=impl,
        )
        folder = "implemented" if kind == 0 else "approved"
        approved += folder == "approved"
        title = f"Feature {i}"
        text = SPEC.format(bar="=" * len(title), title=title, name=name)
        (root / "specs" / release / folder / f"{name}.rst").write_text(text)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "specs"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    return data, approved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=800)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request")
    args = parser.parse_args()
    os.environ.update(GIT_ENV)
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "nova-specs"
        data, approved = build(repo, args.specs)
        newest = RELEASES[-1]
        with Sandbox.from_model(data) as sandbox:
            sandbox.add_fault(".", latency=args.latency)
            print(
                f"{args.specs} specs in {len(RELEASES)} releases ({approved} in approved/), "
                f"{args.latency * 1000:.0f} ms added latency per request"
            )
            for label, run in (
                (
                    f"move --release {newest} --dry-run",
                    lambda lp: move(
                        repo, lambda: lp, options=MoveOptions(release=newest, dry_run=True)
                    ),
                ),
                ("move (all releases, commit)", lambda lp: move(repo, lambda: lp)),
                (f"status {newest}", lambda lp: status(repo, newest, lp)),
            ):
                sandbox.clear_requests()
                start = time.perf_counter()
                with open_launchpad(sandbox.service_root, cache_dir=Path(tmp) / label) as lp:
                    result = run(lp)
                wall = time.perf_counter() - start
                what = (
                    f"{len(result.moves)} moves"
                    if hasattr(result, "moves")
                    else f"{result.targeted} targeted"
                )
                print(f"  {label:<36} {len(sandbox.requests):>4} requests {wall:6.2f} s  ({what})")
            per_release = sum(1 for i in range(args.specs) if i % len(RELEASES) == 0)
            print(
                f"  one by one, as nova's tools/ do:   {2 + approved:>4} requests for move "
                f"(a getSpecification per approved spec), {3 + per_release} for one "
                "release's count (computed)"
            )


if __name__ == "__main__":
    main()
