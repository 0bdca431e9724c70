"""The stand-in, driven by the real launchpadlib over HTTP (never mocked)."""

from __future__ import annotations

import dataclasses
import json
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from lpsync.errors import UsageError
from lpsync.sandbox import DataError, Sandbox, SandboxData, enums, wadl
from lpsync.sandbox.model import FILES
from lpsync.sandbox.resources import Site


def _login(sb: Sandbox, cache: Path):
    from launchpadlib.launchpad import Launchpad

    return Launchpad.login_anonymously(
        "t", service_root=sb.service_root, version="devel",
        launchpadlib_dir=str(cache), proxy_info=None, timeout=5,
    )  # fmt: skip


def _get(url: str, accept: str = "application/json") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


# -- data set -------------------------------------------------------------------------


def test_fixture_data_covers_every_status(fixtures_dir: Path) -> None:
    data = SandboxData.load(fixtures_dir)
    specs = list(data.blueprints.values())
    assert len(specs) >= 20
    assert {b.definition_status for b in specs} == set(enums.DEFINITION_STATUSES)
    assert {b.implementation_status for b in specs} == set(enums.IMPLEMENTATION_STATUSES)
    assert {b.lifecycle_status for b in specs} == set(enums.LIFECYCLE_STATUSES)
    assert any(b.assignee is None for b in specs) and any(b.milestone is None for b in specs)
    assert {p.name for p in data.members("oslo")} == {"oslo.messaging", "oslo.config"}
    assert {s.name for s in data.series.values()} == {"zed", "antelope"}


@pytest.mark.parametrize(
    ("filename", "entry", "expected"),
    [
        ("blueprints.json", {"definition_status": "Done"}, "definition_status 'Done'"),
        ("blueprints.json", {"assignee": "nobody"}, "assignee 'nobody' is not a known person"),
        ("blueprints.json", {"colour": "red"}, "unknown field(s) colour"),
        ("blueprints.json", {"milestone": "zed-9"}, "milestone 'zed-9'"),
        ("blueprints.json", {"name": "Bad Name"}, "is not a valid Launchpad name"),
        ("people.json", {"is_team": "yes"}, "field 'is_team' has the wrong type"),
    ],
)
def test_bad_data_is_one_clear_line(
    fixtures_dir: Path, tmp_path: Path, filename: str, entry: dict, expected: str
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(fixtures_dir, data_dir)
    path = data_dir / filename
    entries = json.loads(path.read_text(encoding="utf-8"))
    entries[1].update(entry)
    path.write_text(json.dumps(entries), encoding="utf-8")
    with pytest.raises(DataError) as info:
        Sandbox(data_dir)
    message = str(info.value)
    assert isinstance(info.value, UsageError)
    assert "\n" not in message
    assert message.startswith(f"{path}: entry 1 (")
    assert expected in message


@pytest.mark.parametrize("filename", list(FILES))
def test_null_optional_fields_take_their_defaults(
    fixtures_dir: Path, tmp_path: Path, filename: str
) -> None:
    # fixtures/launchpad/README.rst: optional fields "may be omitted or null".
    record_type = FILES[filename]
    optional = {f.name: f.default for f in dataclasses.fields(record_type)}
    optional = {k: v for k, v in optional.items() if v is not dataclasses.MISSING}
    data_dir = tmp_path / "data"
    shutil.copytree(fixtures_dir, data_dir)
    path = data_dir / filename
    if not path.exists():  # the demo data has no tokens: one of the first person's
        person = json.loads((data_dir / "people.json").read_text(encoding="utf-8"))[0]
        path.write_text(json.dumps([{"person": person["name"], "key": "k", "secret": "s"}]))
    entries = json.loads(path.read_text(encoding="utf-8"))
    entries[0].update(dict.fromkeys(optional))
    path.write_text(json.dumps(entries), encoding="utf-8")
    data = SandboxData.load(data_dir)
    records = {
        "people.json": data.people,
        "tokens.json": data.tokens,
        "project_groups.json": data.groups,
        "projects.json": data.projects,
        "series.json": data.series,
        "milestones.json": data.milestones,
        "blueprints.json": data.blueprints,
    }[filename]
    record = next(iter(records.values()))  # the file's first entry, as loaded
    assert {k: getattr(record, k) for k in optional} == optional


def test_bad_json_and_missing_dir(tmp_path: Path) -> None:
    (tmp_path / "people.json").write_text("[{", encoding="utf-8")
    with pytest.raises(DataError, match=r"people\.json: cannot read JSON"):
        SandboxData.load(tmp_path)
    with pytest.raises(DataError, match="not a directory"):
        SandboxData.load(tmp_path / "nope")


def test_representations_match_the_wadl_table(fixtures_dir: Path) -> None:
    data = SandboxData.load(fixtures_dir)
    site = Site(data, "http://127.0.0.1:1/")
    reps = {
        "project": site.project(data.projects["nova"]),
        "project_group": site.group(data.groups["oslo"]),
        "specification": site.spec(next(iter(data.blueprints.values()))),
        "person": site.person(data.people["alice-k"]),
        "team": site.person(data.people["nova-drivers"]),
        "milestone": site.milestone(next(iter(data.milestones.values()))),
        "project_series": site.series(next(iter(data.series.values()))),
    }
    for type_id, rep in reps.items():
        assert list(rep) == wadl.field_names(type_id) or set(rep) == set(
            wadl.field_names(type_id)
        ), type_id
        assert rep["resource_type_link"] == f"http://127.0.0.1:1/devel/#{type_id}"
        for field in wadl.entry_type(type_id).fields:
            if field.options and rep[field.name] is not None:
                assert rep[field.name] in field.options


def test_wadl_links_only_to_declared_types() -> None:
    declared = wadl.declared_resource_types()
    for entry in wadl.ENTRY_TYPES:
        for field in entry.fields:
            assert not field.link or field.link in declared, (entry.id, field.name)
        for op in entry.operations:
            assert op.returns.removesuffix("-full") in declared


# -- HTTP basics ----------------------------------------------------------------------


def test_root_wadl_json_and_404(sandbox: Sandbox) -> None:
    root = sandbox.service_root
    assert root.startswith("http://127.0.0.1:") and root.endswith("/")
    status, headers, body = _get(f"{root}devel/", wadl.WADL_MEDIA_TYPE)
    assert status == 200 and body.startswith(b"<?xml")
    assert f'base="{root}devel/"'.encode() in body
    assert "max-age" in headers["Cache-Control"]
    status, headers, body = _get(f"{root}devel/")
    assert status == 200 and headers["Content-Type"] == "application/json"
    rep = json.loads(body)
    assert rep["projects_collection_link"] == f"{root}devel/projects"
    assert rep["resource_type_link"] == f"{root}devel/#service-root"
    for path in ("devel/nope", "devel/nova/+spec/nope", "devel/~nobody", "1.0/nova", "x"):
        assert _get(root + path)[0] == 404, path
    # getSpecification: unknown name is 200 + null; on a group it is an unknown op (400).
    assert _get(f"{root}devel/nova?ws.op=getSpecification&name=%22nope%22")[2] == b"null"
    assert _get(f"{root}devel/oslo?ws.op=getSpecification&name=%22x%22")[0] == 400
    assert _get(f"{root}devel/nova?ws.op=frobnicate")[0] == 400


def test_etag_and_paging_limits(sandbox: Sandbox, make_model) -> None:
    root = sandbox.service_root
    status, headers, _ = _get(f"{root}devel/~alice-k")
    request = urllib.request.Request(
        f"{root}devel/~alice-k", headers={"If-None-Match": headers["ETag"]}
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code == 304
    with Sandbox.from_model(make_model(700)) as big:
        page = json.loads(_get(f"{big.service_root}devel/big/all_specifications?ws.size=1000")[2])
        assert page["total_size"] == 700 and len(page["entries"]) == 300
        assert "ws.start=300" in page["next_collection_link"]
        page = json.loads(_get(f"{big.service_root}devel/big/all_specifications?ws.start=690")[2])
        assert len(page["entries"]) == 10 and "next_collection_link" not in page
        assert "ws.start=615" in page["prev_collection_link"]
        assert _get(f"{big.service_root}devel/big/all_specifications?ws.size=x")[0] == 400


def test_valid_specifications_hide_obsolete_and_superseded(lp_client, sandbox) -> None:
    nova = lp_client.projects("nova")
    all_names = {s.name for s in nova.all_specifications}
    valid = list(nova.valid_specifications)
    assert {s.definition_status for s in valid}.isdisjoint({"Obsolete", "Superseded"})
    assert {"cells-v1-removal", "xenapi-vgpu-support"} <= all_names - {s.name for s in valid}


# -- the real launchpadlib against it ------------------------------------------------


def test_login_costs_two_requests(sandbox: Sandbox, tmp_path: Path) -> None:
    lp = _login(sandbox, tmp_path / "c")
    log = sandbox.requests
    assert [(r.path, r.accept) for r in log] == [
        ("/devel/", wadl.WADL_MEDIA_TYPE),
        ("/devel/", "application/json"),
    ]
    assert lp.projects  # the collection exists
    # Cache-Control on the root: a second login with the same cache costs nothing.
    sandbox.clear_requests()
    _login(sandbox, tmp_path / "c")
    assert sandbox.requests == []


def test_project_spec_person_milestone(lp_client, sandbox, count_requests) -> None:
    with count_requests(sandbox) as n:
        nova = lp_client.projects["nova"]
    assert len(n) == 1 and nova.display_name == "OpenStack Compute (nova)"
    with count_requests(sandbox) as n:
        spec = nova.getSpecification(name="libvirt-vdpa-hotplug")
        fields = (spec.title, spec.web_link, spec.assignee_link, spec.milestone_link)
        statuses = (spec.definition_status, spec.implementation_status, spec.lifecycle_status)
    assert len(n) == 1
    assert fields[1] == "https://blueprints.launchpad.net/nova/+spec/libvirt-vdpa-hotplug"
    assert fields[2] == f"{sandbox.service_root}devel/~alice-k"
    assert fields[3] == f"{sandbox.service_root}devel/nova/+milestone/zed-3"
    assert statuses == ("Approved", "Implemented", "Complete")
    assert spec.date_completed.year == 2022
    with count_requests(sandbox) as n:
        assert nova.getSpecification(name="no-such-spec") is None
    assert len(n) == 1
    with count_requests(sandbox) as n:
        assert lp_client.people["ines"].display_name == "Inês Duarte"
    assert len(n) == 1
    with count_requests(sandbox) as n:
        milestone = nova.getMilestone(name="antelope-1")
        assert milestone.series_target_link.endswith("/devel/nova/antelope")
        assert nova.getSeries(name="antelope").status == "Active Development"
    assert len(n) == 2
    assert lp_client.people["nova-drivers"].is_team is True
    # Pitfall J: target_link is typed #specification_target, which has no name.
    with pytest.raises(AttributeError):
        spec.target.name  # noqa: B018
    with pytest.raises(KeyError):
        lp_client.projects["no-such-project"]


def test_group_spans_members_and_has_no_getspecification(lp_client, sandbox) -> None:
    from lazr.restfulclient.errors import BadRequest

    oslo = lp_client.projects["oslo"]
    assert sorted(p.name for p in oslo.projects) == ["oslo.config", "oslo.messaging"]
    owners = {s.target_link.rsplit("/", 1)[1] for s in oslo.all_specifications}
    assert owners == {"oslo.config", "oslo.messaging"}
    with pytest.raises(AttributeError):
        oslo.getSpecification  # noqa: B018  (the WADL says groups have none)
    with pytest.raises(BadRequest):
        lp_client.projects("oslo").getSpecification(name="yaml-source-driver")


@pytest.mark.parametrize("pillar", ["big", "grp"])
def test_iteration_across_pages(make_model, tmp_path: Path, pillar: str) -> None:
    data = make_model(11)
    data.add_project_group(name="grp", display_name="Group")
    data.add_project(name="member", display_name="Member", project_group="grp")
    for i in range(7):
        data.add_blueprint(project="member", name=f"m-{i}", title=f"M {i}")
    data.projects["big"].project_group = "grp"
    with Sandbox.from_model(data, page_size=4) as sb:
        lp = _login(sb, tmp_path)
        sb.clear_requests()
        names = [s.name for s in lp.projects(pillar).all_specifications]
        expected = 11 + (7 if pillar == "grp" else 0)
        assert len(names) == len(set(names)) == expected
        # The lazy pillar is fetched once (for the collection link), then one per page.
        assert [r.path for r in sb.requests[:1]] == [f"/devel/{pillar}"]
        pages = [r for r in sb.requests[1:] if r.path.endswith("/all_specifications")]
        assert len(pages) == len(sb.requests) - 1 == -(-expected // 4) >= 3


def test_request_log_and_faults_api(sandbox: Sandbox) -> None:
    root = sandbox.service_root
    sandbox.add_fault(r"^/devel/nova$", status=500, times=1)
    assert _get(f"{root}devel/nova")[0] == 500
    assert _get(f"{root}devel/nova")[0] == 200
    sandbox.add_fault(r"~alice", malformed=True)
    status, _, body = _get(f"{root}devel/~alice-k")
    assert status == 200
    with pytest.raises(ValueError):
        json.loads(body)
    sandbox.clear_faults()
    assert _get(f"{root}devel/~alice-k")[0] == 200
    log = sandbox.requests
    assert [r.status for r in log] == [500, 200, 200, 200]
    assert log[0].method == "GET" and log[0].path == "/devel/nova" and log[0].query == ""
    sandbox.clear_requests()
    assert sandbox.requests == []


def test_hang_is_released_by_stop(fixtures_dir: Path) -> None:
    import time

    sb = Sandbox(fixtures_dir).start()
    sb.add_fault("nova", hang=True)
    try:
        with pytest.raises(OSError):  # timeout
            urllib.request.urlopen(f"{sb.service_root}devel/nova", timeout=0.3)
    finally:
        began = time.monotonic()
        sb.stop()
    assert time.monotonic() - began < 2
    assert sb.requests[-1].status == 0


def test_serve_forever_returns_when_stopped(fixtures_dir: Path) -> None:
    import threading

    for started in (True, False):
        sb = Sandbox(fixtures_dir)
        if started:
            sb.start()
        root = sb.service_root
        timer = threading.Timer(0.3, sb.stop)
        timer.start()
        threading.Timer(0.1, lambda r=root: _get(f"{r}devel/nova")).start()
        sb.serve_forever()  # returns once stop() ran
        timer.join()
        assert [r.path for r in sb.requests] == ["/devel/nova"]


def test_series_listings_hold_the_blueprints_with_an_accepted_goal(lp_client) -> None:
    # Launchpad's notion of "targeted to the series": an accepted goal, and
    # valid_specifications leaves out Obsolete and Superseded ones.
    zed = lp_client.projects["nova"].getSeries(name="zed")
    valid = {s.name for s in zed.valid_specifications}
    everything = {s.name for s in zed.all_specifications}
    assert valid == {"libvirt-vdpa-hotplug", "nova-manage-image-properties", "nova-api-policy-docs"}
    assert everything == valid | {"cells-v1-removal", "xenapi-vgpu-support"}
    antelope = lp_client.projects["nova"].getSeries(name="antelope")
    # A proposed goal is not targeted yet.
    assert "vnc-console-tls" not in {s.name for s in antelope.valid_specifications}
    assert zed.getSpecification(name="ironic-shards").name == "ironic-shards"
    assert (
        lp_client.projects["nova"].getSpecification(name="vnc-console-tls").has_accepted_goal
        is False
    )
