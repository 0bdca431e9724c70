"""Benchmark ``lpsync audit`` against the Launchpad stand-in (not a timed test).

Builds a nova-shaped spec repo (a real git repo in a temp dir) and a matching data set,
adds latency to every stand-in request, and compares:

* lpsync's audit: blueprints read in bulk per project, display names only where needed;
* the one-by-one approach of OpenStack's existing scripts: ``getSpecification`` +
  ``.assignee.name`` + ``.milestone.name`` per spec through the real launchpadlib. It is
  run on a sample and extrapolated (the output says so).

The stand-in runs in a child process, as real Launchpad runs on another machine: its
CPU (serving 1,200 blueprints as JSON) is not charged to lpsync, and it takes no share
of lpsync's GIL. ``--in-process`` serves it from a thread of this process instead, as
the tests do; the audit is then slower by the stand-in's CPU and the GIL it holds.

    python benchmarks/bench_audit.py [--specs 900] [--latency 0.1] [--sample 30] [--runs 3]
        [--in-process]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lpsync.audit import run_audit  # noqa: E402
from lpsync.config import load_config  # noqa: E402
from lpsync.launchpad import LaunchpadSession, open_launchpad  # noqa: E402
from lpsync.sandbox import RequestRecord, Sandbox, SandboxData  # noqa: E402

PROJECT = "nova"
RELEASES = ("xena", "yoga", "zed", "2023.1", "2023.2", "2024.1")
SPEC = """\
..
 Licensed under CC BY 3.0.

{bar}
{title}
{bar}

https://blueprints.launchpad.net/{project}/+spec/{name}

Problem description
===================

The operators need {name}. This paragraph stands in for the usual few screens of
prose, with a ``literal``, a :ref:`role` and a link to `docs <https://docs.openstack.org>`_.

Proposed change
===============

* Change one thing.
* Change another thing.

Implementation
==============

Assignee(s)
-----------

Primary assignee:
  {assignee}

Other contributors:
  None

Milestones
----------

Target Milestone for completion:
  {milestone}

Work Items
----------

* Write the code.
"""


def build(
    root: Path, n_specs: int, n_people: int, seed: int
) -> tuple[Path, SandboxData, list[str]]:
    """The data set and the repo; returns (repo, data, names of the linked blueprints)."""
    rng = random.Random(seed)
    data = SandboxData()
    people = [f"dev-{i:03d}" for i in range(n_people)]
    for i, person in enumerate(people):
        data.add_person(name=person, display_name=f"Developer {chr(65 + i % 26)}{i:03d} Smith")
    data.add_project(name=PROJECT, display_name="Nova")
    for release in RELEASES:
        series = release.replace(".", "-")
        data.add_series(project=PROJECT, name=f"s-{series}")
        for m in (1, 2, 3):
            data.add_milestone(project=PROJECT, name=f"{series}-{m}", series=f"s-{series}")
    # More blueprints than specs, as on real Launchpad (nova: 564 blueprints, 807 files).
    n_blueprints = n_specs + n_specs // 3
    names = [f"feature-{i:04d}" for i in range(n_blueprints)]
    records = {}
    for name in names:
        release = rng.choice(RELEASES)
        impl = rng.choice(["Implemented", "Started", "Good progress", "Not started"])
        records[name] = dict(
            project=PROJECT,
            name=name,
            title=f"Add {name.replace('-', ' ')} support",
            assignee=rng.choice(people),
            milestone=f"{release.replace('.', '-')}-{rng.randint(1, 3)}",
            definition_status="Approved",
            implementation_status=impl,
        )
        data.add_blueprint(**records[name])
    linked = rng.sample(names, n_specs)

    root.mkdir(parents=True)
    (root / "setup.cfg").write_text(f"[lpsync]\nproject = {PROJECT}\n")
    for index, name in enumerate(linked):
        record = records[name]
        person = record["assignee"]
        display = data.people[person].display_name
        # The assignee forms of real specs; a few percent drift or cannot be matched.
        roll = index % 20
        assignee = (
            person
            if roll < 10
            else f"{display} ({person})"
            if roll < 14
            else display
            if roll < 17
            else f"<{person}>"
            if roll < 18
            else f"{person}@example.com"
            if roll < 19
            else rng.choice(people)
        )
        title = record["title"] if index % 25 else "An older title"
        release = record["milestone"].rsplit("-", 1)[0].replace("-", ".")
        folder = "implemented" if record["implementation_status"] == "Implemented" else "approved"
        if index % 30 == 0:
            folder = "approved"  # not moved after implementation
        path = root / "specs" / release / folder / f"{name}.rst"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            SPEC.format(
                bar="=" * len(title),
                title=title,
                project=PROJECT,
                name=name,
                assignee=assignee,
                milestone=record["milestone"],
            ),
            encoding="utf-8",
        )
    env = {
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "PATH": "/usr/bin:/bin",
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@example.org",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@example.org",
    }
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "specs"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)
    return root, data, linked


class StandIn:
    """The stand-in serving ``data`` with ``latency`` added to every request, from a
    forked child process (which inherits ``data`` as built) or, ``in_process``, from a
    thread of this one. The request log and the server's CPU time are asked for through
    a pipe."""

    def __init__(self, data: SandboxData, latency: float, in_process: bool = False) -> None:
        self.in_process = in_process
        if in_process:
            self._sandbox = Sandbox.from_model(data).start()
            self._sandbox.add_fault(".", latency=latency)
            self.service_root = self._sandbox.service_root
            return
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(data, latency, child), daemon=True)
        self._process.start()
        self.service_root = self._conn.recv()

    def _ask(self, what: str) -> object:
        self._conn.send(what)
        return self._conn.recv()

    def clear_requests(self) -> None:
        if self.in_process:
            self._sandbox.clear_requests()
        else:
            self._ask("clear")

    @property
    def requests(self) -> list[RequestRecord]:
        if self.in_process:
            return self._sandbox.requests
        return self._ask("requests")  # type: ignore[return-value]

    def cpu(self) -> float:
        """The serving process's CPU seconds so far (this process's when in-process)."""
        return _cpu() if self.in_process else self._ask("cpu")  # type: ignore[return-value]

    def __enter__(self) -> StandIn:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.in_process:
            self._sandbox.stop()
        else:
            self._ask("stop")
            self._process.join(timeout=10)


def _serve(data: SandboxData, latency: float, conn: Any) -> None:
    with Sandbox.from_model(data) as sandbox:
        sandbox.add_fault(".", latency=latency)
        conn.send(sandbox.service_root)
        while True:
            what = conn.recv()
            if what == "clear":
                sandbox.clear_requests()
                conn.send(None)
            elif what == "requests":
                conn.send(sandbox.requests)
            elif what == "cpu":
                conn.send(_cpu())
            else:
                conn.send(None)
                return


def bench_bulk(
    sandbox: StandIn, repo: Path, cache: Path
) -> tuple[float, float, int, int, int, int]:
    """(wall seconds, CPU seconds, stand-in CPU seconds, requests, of which people,
    specs checked, findings) for lpsync. The CPU time (this process, every thread; the
    stand-in's too when it runs in-process) does not depend on what else the machine
    runs; the wall time does."""
    sandbox.clear_requests()
    served = sandbox.cpu()
    start = time.perf_counter()
    cpu = _cpu()
    with contextlib.ExitStack() as stack:

        def session(*, background: bool = False) -> LaunchpadSession:
            # Opened by audit itself, as the CLI's lazy session is: audit logs in from a
            # thread while it reads the specs.
            opened = open_launchpad(sandbox.service_root, cache_dir=cache, background=background)
            return stack.enter_context(opened)

        result = run_audit(repo, load_config(repo), session)
    wall = time.perf_counter() - start
    cpu = _cpu() - cpu
    served = sandbox.cpu() - served
    requests = sandbox.requests
    people = sum(1 for r in requests if r.path.startswith("/devel/~"))
    return wall, cpu, served, len(requests), people, result.checked, len(result.findings)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bench_one_by_one(
    sandbox: StandIn, names: list[str], cache: Path
) -> tuple[float, int, float, int]:
    """(login seconds, login requests, seconds per spec, requests per spec) measured on
    ``names`` the way nova's tools do it, through launchpadlib Entry objects."""
    sandbox.clear_requests()
    start = time.perf_counter()
    with open_launchpad(sandbox.service_root, cache_dir=cache) as session:
        login = time.perf_counter() - start
        login_requests = len(sandbox.requests)
        project = session.lp.projects(PROJECT)
        start = time.perf_counter()
        for name in names:
            spec = project.getSpecification(name=name)
            _ = spec.title, spec.assignee.name, spec.milestone.name
        each = (time.perf_counter() - start) / len(names)
    per_spec = (len(sandbox.requests) - login_requests) / len(names)
    return login, login_requests, each, round(per_spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=900)
    parser.add_argument("--people", type=int, default=120)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request")
    parser.add_argument("--sample", type=int, default=30, help="specs for the one-by-one run")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--runs", type=int, default=3, help="lpsync runs; the best is shown")
    parser.add_argument(
        "--in-process", action="store_true", help="serve the stand-in from a thread of this process"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lpsync-bench-") as tmp:
        t0 = time.perf_counter()
        repo, data, linked = build(Path(tmp, "repo"), args.specs, args.people, args.seed)
        built = time.perf_counter() - t0
        with StandIn(data, args.latency, args.in_process) as sandbox:
            runs = [bench_bulk(sandbox, repo, Path(tmp, f"c1-{k}")) for k in range(args.runs)]
            first_wall, first_cpu = runs[0][:2]  # a cold process, as a CLI run is
            wall, cpu, served, requests, people, checked, findings = min(runs)
            lowest_cpu = min(run[1] for run in runs)
            sample = linked[: args.sample]
            login, login_req, each, per_spec = bench_one_by_one(sandbox, sample, Path(tmp, "c2"))

    n = args.specs
    ms = args.latency * 1000
    print(
        f"lpsync audit benchmark: {n} specs, {len(data.blueprints)} blueprints in one "
        f"project, {len(data.people)} people, {ms:.0f} ms added latency per request "
        f"(repo built in {built:.1f} s; stand-in "
        f"{'in this process' if args.in_process else 'in a child process'})"
    )
    stand_in = "" if args.in_process else f" + {served:.2f} s the stand-in's"
    median = statistics.median(run[0] for run in runs)
    print(
        f"  lpsync (bulk):  {wall:6.2f} s wall, {cpu:.2f} s CPU{stand_in} (best of {args.runs} "
        f"runs; median {median:.2f} s wall; lowest CPU {lowest_cpu:.2f} s; "
        f"first run {first_wall:.2f} s wall, "
        f"{first_cpu:.2f} s CPU), {requests} requests "
        f"(2 login + {requests - 2 - people} listing pages + {people} people), "
        f"{checked} specs checked, {findings} findings"
    )
    total = login + each * n
    print(
        f"  one by one:     {total:6.1f} s wall, {login_req + per_spec * n} requests "
        f"(extrapolated from {len(sample)} specs measured: {each * 1000:.0f} ms and "
        f"{per_spec} requests per spec, + {login_req} login)"
    )
    print(
        f"  speed-up:       {total / wall:.0f}x wall, "
        f"{(login_req + per_spec * n) / requests:.0f}x fewer requests"
    )


if __name__ == "__main__":
    main()
