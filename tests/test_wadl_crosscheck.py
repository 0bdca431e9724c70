"""The stand-in's WADL against a capture of the real Launchpad devel WADL.

The capture lives outside the repo (``../shared/launchpad/devel.wadl``, next to the
repo root); without it these tests skip. For every representation and resource type
the stand-in declares: each param exists in the real one, link targets match, enum
options match exactly, and named operations take the same parameters.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lpsync.sandbox import wadl

REAL_WADL = Path(__file__).resolve().parents[1].parent / "shared" / "launchpad" / "devel.wadl"
W = "{http://research.sun.com/wadl/2006/10}"


def _index(root: ET.Element) -> tuple[dict[str, ET.Element], dict[str, ET.Element]]:
    reps = {r.get("id"): r for r in root.iter(f"{W}representation") if r.get("id")}
    types = {t.get("id"): t for t in root.iter(f"{W}resource_type")}
    return reps, types  # type: ignore[return-value]


def _params(rep: ET.Element) -> dict[str, dict]:
    out = {}
    for param in rep.findall(f"{W}param"):
        link = param.find(f"{W}link")
        target = None
        if link is not None and link.get("resource_type"):
            target = link.get("resource_type", "").rsplit("#", 1)[1]
        out[param.get("name")] = {
            "link": target,
            "has_link": link is not None,
            "options": [o.get("value") for o in param.findall(f"{W}option")],
            "type": param.get("type"),
        }
    return out


def _operations(rtype: ET.Element) -> dict[str, set[str]]:
    ops = {}
    for method in rtype.findall(f"{W}method"):
        request = method.find(f"{W}request")
        if method.get("name") != "GET" or request is None:
            continue
        names = {p.get("name") for p in request.findall(f"{W}param")}
        fixed = [p.get("fixed") for p in request.findall(f"{W}param") if p.get("name") == "ws.op"]
        if fixed:
            ops[fixed[0]] = names - {"ws.op"}
    return ops


@pytest.fixture(scope="module")
def real() -> tuple[dict, dict]:
    if not REAL_WADL.is_file():
        pytest.skip(f"no real devel WADL at {REAL_WADL}")
    return _index(ET.parse(REAL_WADL).getroot())


@pytest.fixture(scope="module")
def ours() -> tuple[dict, dict]:
    return _index(ET.fromstring(wadl.render_wadl("http://127.0.0.1:1/devel/")))


def test_every_representation_param_exists_with_the_same_shape(real, ours) -> None:
    real_reps, _ = real
    our_reps, _ = ours
    assert len(our_reps) >= 20
    for rep_id, rep in our_reps.items():
        if rep.get("mediaType") != "application/json":
            continue
        assert rep_id in real_reps, f"#{rep_id} is not a real representation"
        theirs = _params(real_reps[rep_id])
        for name, mine in _params(rep).items():
            assert name in theirs, f"{rep_id}.{name} is not a real field"
            real_param = theirs[name]
            assert mine["link"] == real_param["link"], f"{rep_id}.{name} links elsewhere"
            assert mine["has_link"] == real_param["has_link"], f"{rep_id}.{name}"
            assert mine["options"] == real_param["options"], f"{rep_id}.{name} options differ"
            if mine["type"]:
                assert mine["type"] == real_param["type"], f"{rep_id}.{name} type differs"


def test_resource_types_and_named_operations(real, ours) -> None:
    _, real_types = real
    _, our_types = ours
    for type_id, rtype in our_types.items():
        assert type_id in real_types, f"#{type_id} is not a real resource type"
        theirs = _operations(real_types[type_id])
        for op, params in _operations(rtype).items():
            assert op in theirs, f"{type_id} has no operation {op} on Launchpad"
            assert params == theirs[op], f"{type_id}.{op} parameters differ"


def test_project_groups_really_lack_get_specification(real) -> None:
    _, real_types = real
    assert "getSpecification" in _operations(real_types["project"])
    assert "getSpecification" not in _operations(real_types["project_group"])


def test_the_target_link_pitfall_is_kept(real, ours) -> None:
    for reps, _ in (real, ours):
        assert _params(reps["specification-full"])["target_link"]["link"] == (
            "specification_target"
        )


def test_specification_fields_are_all_there(real, ours) -> None:
    # "All devel fields" of a specification, except none: ours must equal the real set.
    assert set(_params(ours[0]["specification-full"])) == set(
        _params(real[0]["specification-full"])
    )


def _writes(rtype: ET.Element) -> dict[str, str]:
    """method name -> the id of the representation its request takes (PUT, PATCH)."""
    out = {}
    for method in rtype.findall(f"{W}method"):
        rep = method.find(f"{W}request/{W}representation")
        if method.get("name") in ("PUT", "PATCH") and rep is not None:
            out[method.get("name")] = rep.get("href", "").rsplit("#", 1)[1]
    return out  # type: ignore[return-value]


def test_the_specification_patch_is_declared_as_on_launchpad(real, ours) -> None:
    real_reps, real_types = real
    our_reps, our_types = ours
    assert _writes(our_types["specification"]) == {"PATCH": "specification-diff"}
    assert _writes(real_types["specification"])["PATCH"] == "specification-diff"
    # Every field the stand-in lets a PATCH change is in the real diff, optional there too.
    ours_diff = our_reps["specification-diff"].findall(f"{W}param")
    real_diff = {p.get("name"): p for p in real_reps["specification-diff"].findall(f"{W}param")}
    assert [p.get("name") for p in ours_diff] == ["specification_url"]
    for param in ours_diff:
        assert real_diff[param.get("name")].get("required") == param.get("required") == "false"
    # No other type declares a write the stand-in does not serve.
    for type_id, rtype in our_types.items():
        if type_id != "specification":
            assert _writes(rtype) == {}, type_id
