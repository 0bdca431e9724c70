"""Blueprint references: names are checked before they can become paths."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lpsync.errors import InvalidNameError
from lpsync.names import BlueprintRef, is_valid_name, parse_blueprint_url, parse_ref


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("awesome-thing", BlueprintRef("oslo", "awesome-thing")),
        ("nova/flavor-class", BlueprintRef("nova", "flavor-class")),
        (
            "https://blueprints.launchpad.net/cinder/+spec/quota-system",
            BlueprintRef("cinder", "quota-system"),
        ),
        (
            "https://blueprints.launchpad.net/oslo?searchtext=quiet-libraries",
            BlueprintRef("oslo", "quiet-libraries"),
        ),
        (
            "oslo.messaging/remove-double-reply",
            BlueprintRef("oslo.messaging", "remove-double-reply"),
        ),
    ],
)
def test_parse_ref_forms(ref: str, expected: BlueprintRef) -> None:
    assert parse_ref(ref, default_project="oslo") == expected


@pytest.mark.parametrize(
    "ref",
    [
        "../../etc/passwd",
        "Awesome",
        "-leading-dash",
        ".hidden",
        "nova/../x",
        "a/b/c",
        "",
        "x y",
        "https://bugs.launchpad.net/nova/+bug/1",
        "nova/",
        "/abs",
    ],
)
def test_parse_ref_rejects_what_is_not_a_launchpad_name(ref: str) -> None:
    with pytest.raises(InvalidNameError) as err:
        parse_ref(ref, default_project="nova")
    assert err.value.exit_code == 2


def test_a_bare_name_needs_a_project() -> None:
    with pytest.raises(InvalidNameError, match="names no project"):
        parse_ref("awesome-thing", default_project=None)


def test_bug_and_storyboard_urls_are_not_blueprints() -> None:
    assert parse_blueprint_url("https://bugs.launchpad.net/ironic/+bug/1234") is None
    assert parse_blueprint_url("https://storyboard.openstack.org/#!/story/2001") is None


@given(st.text())
def test_a_valid_name_is_always_one_safe_path_component(name: str) -> None:
    if is_valid_name(name):
        assert "/" not in name and "\\" not in name and "\0" not in name
        assert name not in (".", "..") and not name.startswith(".")
