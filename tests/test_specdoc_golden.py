"""Golden tests: fixture specs written for lpsync, one per real-world layout.

Regenerate the expected update outputs with ``LPSYNC_REGEN=1`` and review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lpsync.specdoc import (
    BlueprintValues,
    default_template,
    read_fields,
    read_fields_full,
    update_text,
)

GOLDEN = Path(__file__).parent / "golden"
SPECS = GOLDEN / "specs"

NEW = BlueprintValues(
    "Cache *widgets* per [service]_",
    "https://blueprints.launchpad.net/oslo.cache/+spec/widget-cache",
    "lmartin",
    "hibiscus-1",
)

# file -> (title, [(project, name, url-as-written, malformed)], assignee field?,
#          assignee, milestone field?, milestone)
EXPECTED = {
    # A list of people and a milestone plan: only a lone first word is replaced, and the
    # plan (prose) is left as written for stale_fields to report.
    "multiline_values.rst": (
        "Shard the scheduler's host cache",
        [("nova", "sharded-host-cache", None)],
        True,
        "ravi\n* mchen",
        True,
        "hibiscus-1: land the cache split behind a flag;\n"
        "- hibiscus-2: turn the flag on by default and\n  drop the old code path.",
    ),
    "padded_title_bare_url.rst": (
        "Faster widget caching for services",
        [("oslo.cache", "faster-widgets", None)],
        True,
        "kpatel",
        True,
        "flamingo-2",
    ),
    "hyperlink_wrapped.rst": (
        "Quota Tree Cleanup Work",
        [("keystone", "quota-tree-cleanup", None)],
        True,
        "rmorales",
        False,
        None,
    ),
    "hyperlink_url_split.rst": (
        "Domain scoped application credentials",
        [("keystone", "domain-scoped-app-creds", "wrapped across lines")],
        True,
        "sdiaz (Sofia Diaz)",
        False,
        None,
    ),
    "label_url.rst": (
        "Abort a running volume resize",
        [("cinder", "abort-volume-resize", None)],
        True,
        "Mara Quinn (mquinn)",
        False,
        None,
    ),
    "prose_url.rst": (
        "Backups to object storage buckets",
        [("cinder", "bucket-backup", None), ("nova", "unrelated-work", None)],
        True,
        "tom.ng@example.com",
        False,
        None,
    ),
    "searchtext_bullet.rst": (
        "Quieter library log lines",
        [("oslo", "quieter-logs", None)],
        True,
        "Harriet Lowe",
        True,
        "gazpacho-1",
    ),
    "wrapped_bare_several.rst": (
        "Paginate and filter the migration history API",
        [("nova", "paginate-and-filter-the-migration-history-api", "wrapped across lines")],
        True,
        "dfisher\n  ewong",
        True,
        None,
    ),
    "wrapped_name_angle.rst": (
        "Report changes-since for instance actions",
        [("nova", "report-instance-changes-since-for-actions", "wrapped across lines")],
        True,
        "Ola Berg <oberg>",
        False,
        None,
    ),
    "bug_storyboard.rst": ("Drive port mapping", [], False, None, False, None),
    "comment_example_url.rst": (
        "Retire the legacy hub module",
        [("oslo.service", "retire-legacy-hub", None)],
        True,
        "vcosta",
        True,
        "epoxy-3",
    ),
    "no_url_no_fields.rst": ("Share one rate limiter", [], False, None, False, None),
    "crlf_tabs_no_final_newline.rst": (
        "CRLF and tab handling",
        [("cinder", "crlf-tabs", None)],
        True,
        "jsmith",
        False,
        None,
    ),
}


def _read(name: str) -> str:
    with open(SPECS / name, encoding="utf-8", newline="") as handle:
        return handle.read()


def test_every_fixture_has_expectations() -> None:
    assert sorted(p.name for p in SPECS.glob("*.rst")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_read(name: str) -> None:
    text = _read(name)
    title, links, has_a, assignee, has_m, milestone = EXPECTED[name]
    fields = read_fields(text, name)
    assert fields == read_fields_full(text, name)
    assert fields.title is not None and fields.title.value == title
    assert fields.title_text == title
    assert text[fields.title.start : fields.title.end] == title
    assert [(lk.ref.project, lk.ref.name, lk.malformed) for lk in fields.links] == links
    for link in fields.links:
        assert "".join(text[link.start : link.end].split()) == link.url
    assert fields.has_assignee_field is has_a
    assert (fields.assignee.value if fields.assignee else None) == assignee
    if fields.assignee:
        assert text[fields.assignee.start : fields.assignee.end] == assignee
    assert fields.has_milestone_field is has_m
    assert (fields.milestone.value if fields.milestone else None) == milestone


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_update_matches_golden(name: str) -> None:
    text = _read(name)
    out = update_text(text, NEW, template=default_template())
    expected_path = GOLDEN / "expected" / name
    if os.environ.get("LPSYNC_REGEN"):
        with open(expected_path, "w", encoding="utf-8", newline="") as handle:
            handle.write(out)
    with open(expected_path, encoding="utf-8", newline="") as handle:
        assert out == handle.read()
    assert update_text(out, NEW, template=default_template()) == out
    fields = read_fields(out)
    assert fields.title_text == NEW.title
    assert any(lk.url == NEW.url for lk in fields.links)


# Fixtures without a blueprint link have no "values already present" to update with.
LINKED = sorted(name for name in EXPECTED if read_fields(_read(name)).links)


def test_most_fixtures_have_a_link_to_keep() -> None:
    assert len(LINKED) >= len(EXPECTED) - 2


@pytest.mark.parametrize("name", LINKED)
def test_update_with_present_values_changes_nothing(name: str) -> None:
    text = _read(name)
    fields = read_fields(text)
    link = fields.links[0]
    url = f"https://blueprints.launchpad.net/{link.ref.project}/+spec/{link.ref.name}"
    ids = {
        "Mara Quinn (mquinn)": ("mquinn", None),
        "Ola Berg <oberg>": ("oberg", None),
        "tom.ng@example.com": ("tom.ng", None),
        "sdiaz (Sofia Diaz)": ("sdiaz", None),
        "dfisher\n  ewong": ("ewong", None),
        "ravi\n* mchen": ("mchen", None),
        # A full name names the person through the display name (audit's rule).
        "Harriet Lowe": ("hlowe", "Harriet Lowe"),
    }
    assignee = fields.assignee.value if fields.assignee else None
    lp_id, display_name = ids.get(assignee, (assignee, None)) if assignee else (None, None)
    values = BlueprintValues(
        fields.title_text or "",
        url,
        lp_id,
        fields.milestone.value if fields.milestone else None,
        display_name,
    )
    expected = text
    if link.malformed:
        # A link audit reports as malformed (LPS102) is not "present": it is rewritten.
        expected = text[: link.start] + url + text[link.end :]
    assert update_text(text, values, template=default_template()) == expected
    assert update_text(expected, values, template=default_template()) == expected


def test_crlf_and_missing_final_newline_survive() -> None:
    out = update_text(_read("crlf_tabs_no_final_newline.rst"), NEW)
    assert "\r\n" in out and "\n" not in out.replace("\r\n", "")
    assert not out.endswith("\n")
    assert "\tlmartin\r\n" in out
    assert "widget-cache   \r\n" in out  # trailing blanks after the URL stay
    assert "with a tab and trailing spaces.  \r\n" in out


def test_without_template_no_milestone_is_invented() -> None:
    out = update_text(_read("no_url_no_fields.rst"), NEW)
    assert "Milestone" not in out
    assert "Primary assignee:\n  lmartin\n\nOther contributors:" in out


def test_none_leaves_assignee_and_milestone() -> None:
    text = _read("padded_title_bare_url.rst")
    values = BlueprintValues(NEW.title, NEW.url, None, None)
    out = update_text(text, values, template=default_template())
    assert "  kpatel\n" in out and "completion: flamingo-2\n" in out


def test_searchtext_link_for_same_blueprint_is_kept() -> None:
    text = _read("searchtext_bullet.rst")
    values = BlueprintValues(
        "Quieter library log lines",
        "https://blueprints.launchpad.net/oslo.log/+spec/quieter-logs",
        None,
        None,
    )
    assert update_text(text, values) == text


def test_comment_url_is_never_a_link() -> None:
    fields = read_fields(_read("comment_example_url.rst"))
    assert all(lk.ref.name != "sample-thing" for lk in fields.links)
    out = update_text(_read("comment_example_url.rst"), NEW)
    assert "+spec/sample-thing" in out  # the comment is untouched
