"""Reading errors, spec-file selection, template discovery, scaffolding."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lpsync.errors import SpecError
from lpsync.specdoc import (
    BlueprintValues,
    default_template,
    find_template,
    is_spec_file,
    read_fields,
    read_spec,
    scaffold,
    spec_template,
    stale_fields,
    update_text,
)

GOLDEN_SPECS = Path(__file__).parent / "golden" / "specs"

VALUES = BlueprintValues(
    "Share one rate limiter",
    "https://blueprints.launchpad.net/oslo.limit/+spec/one-limiter",
    "jdoe",
    "hibiscus-2",
)


def test_bad_encoding_is_a_spec_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.rst"
    path.write_bytes(b"=====\nTitle\n=====\n\ncaf\xe9\n")
    with pytest.raises(SpecError) as err:
        read_spec(path)
    assert err.value.line == 5 and err.value.path == str(path)


def test_binary_and_missing_files_are_spec_errors(tmp_path: Path) -> None:
    path = tmp_path / "bin.rst"
    path.write_bytes(b"abc\n\x00\x01")
    with pytest.raises(SpecError) as err:
        read_spec(path)
    assert err.value.line == 2
    with pytest.raises(SpecError):
        read_spec(tmp_path / "missing.rst")


def test_read_spec_keeps_crlf(tmp_path: Path) -> None:
    path = tmp_path / "x.rst"
    path.write_bytes(b"=====\r\nTitle\r\n=====\r\n")
    text, fields = read_spec(path)
    assert text.count("\r\n") == 3 and fields.title is not None


def test_odd_input_never_crashes() -> None:
    for text in ["", "\n", "=\n", "..\n", "====\n\n====", "\ufeff=====\nT\n=====\n", "a\x0cb\n"]:
        read_fields(text)


def test_is_spec_file(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    (specs / "2026.2" / "approved").mkdir(parents=True)
    for name in ["template.rst", "2026.2-template.rst", "index.rst", "policy-template.rst"]:
        (specs / name).write_text("x\n")
        assert not is_spec_file(specs / name, specs)
    spec = specs / "2026.2" / "approved" / "deploy-templates.rst"
    spec.write_text("=====\nTitle\n=====\n")
    assert is_spec_file(spec, specs)
    (specs / "2026.2" / "redirects").write_text("a.rst ../b.rst\n")
    assert not is_spec_file(specs / "2026.2" / "redirects", specs)
    link = specs / "2026.2" / "link.rst"
    os.symlink(spec, link)
    assert not is_spec_file(link, specs)
    exported = specs / "2026.2" / "exported.rst"
    exported.write_text("../approved/deploy-templates.rst")
    assert not is_spec_file(exported, specs)
    assert not is_spec_file(tmp_path / "elsewhere.rst", specs)


def test_find_template_order(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    assert find_template(tmp_path) is None
    (specs / "2025.2-template.rst").write_text("a\n")
    (specs / "2026.2-template.rst").write_text("b\n")
    (specs / "backlog-template.rst").write_text("c\n")
    assert find_template(tmp_path) == specs / "2026.2-template.rst"
    (specs / "template.rst").write_text("d\n")
    assert find_template(tmp_path) == specs / "template.rst"
    (tmp_path / "mine.rst").write_text("e\n")
    assert find_template(tmp_path, configured="mine.rst") == tmp_path / "mine.rst"
    with pytest.raises(SpecError):
        find_template(tmp_path, configured="nope.rst")


def test_spec_template_is_the_repos_own_for_the_release(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    (specs / "2026.1").mkdir(parents=True)
    (specs / "2026.2-template.rst").write_text("newest\n")
    # A spec is never held to another release's template nor to the packaged one,
    # though pull would scaffold a new spec from the newest.
    assert spec_template(tmp_path, series="2026.1") is None
    assert find_template(tmp_path, series="2026.1") == specs / "2026.2-template.rst"
    (specs / "template.rst").write_text("plain\n")
    assert spec_template(tmp_path, series="2026.1") == specs / "template.rst"
    (specs / "2026.1" / "template.rst").write_text("nested\n")
    assert spec_template(tmp_path, series="2026.1") == specs / "2026.1" / "template.rst"
    (specs / "2026.1-template.rst").write_text("flat\n")
    for finder in (spec_template, find_template):
        assert finder(tmp_path, series="2026.1") == specs / "2026.1-template.rst"
        assert finder(tmp_path, series=None) == specs / "template.rst"
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "2026.1.rst").write_text("configured\n")
    per_release = "tpl/{series}.rst"
    assert spec_template(tmp_path, configured=per_release, series="2026.1") == (
        tmp_path / "tpl" / "2026.1.rst"
    )
    # A release without a configured file has its own template, else the plain one.
    assert spec_template(tmp_path, configured=per_release, series="2026.2") == (
        specs / "2026.2-template.rst"
    )
    assert spec_template(tmp_path, configured=per_release, series="zed") == specs / "template.rst"
    with pytest.raises(SpecError):
        spec_template(tmp_path, configured="nope.rst", series="2026.1")


def test_scaffold_from_default_template() -> None:
    out = scaffold(default_template(), VALUES)
    fields = read_fields(out)
    assert fields.title_text == VALUES.title
    assert [lk.url for lk in fields.links] == [VALUES.url]
    assert fields.assignee is not None and fields.assignee.value == "jdoe"
    assert fields.milestone is not None and fields.milestone.value == "hibiscus-2"
    assert out.startswith("..\n")  # the instruction comment stays
    assert "example-project/+spec/short-name\n  belongs" in out
    assert scaffold(out, VALUES) == out
    for line in out.splitlines():
        assert line == line.rstrip()
        assert len(line) <= 79 or "https://" in line


def test_scaffold_keeps_template_layout_without_milestone_field() -> None:
    template = (
        "=================\nExample Spec Name\n=================\n\n"
        "https://blueprints.launchpad.net/nova/+spec/example\n\nIntro.\n\n"
        "Implementation\n==============\n\nAssignee(s)\n-----------\n\n"
        "Primary assignee:\n  <launchpad-id or None>\n\nFeature Liaison\n---------------\n"
    )
    out = scaffold(template, VALUES)
    assert "Milestone" not in out
    assert "Primary assignee:\n  jdoe\n" in out
    assert "+spec/one-limiter\n" in out and "+spec/example" not in out


def test_stale_fields_names_what_an_update_had_to_leave_as_written() -> None:
    text = (GOLDEN_SPECS / "multiline_values.rst").read_text()
    values = BlueprintValues(
        "Shard the scheduler's host cache",
        "https://blueprints.launchpad.net/nova/+spec/sharded-host-cache",
        "lmartin",
        "hibiscus-3",
    )
    updated = update_text(text, values)
    assert "* lmartin\n* mchen\n" in updated  # the lone first word, not the list
    assert "- hibiscus-2: turn the flag on by default and\n  drop the old code path." in updated
    assert stale_fields(updated, values) == ["milestone"]
    assert stale_fields(text, values) == ["assignee", "milestone"]


UNTITLED = """..
  Licence notice.

https://blueprints.launchpad.net/nova/+spec/unified-limits-nova

Problem description
===================

Text.
"""


def test_a_heading_after_the_url_is_a_section_not_the_title() -> None:
    assert read_fields(UNTITLED).title is None
    values = BlueprintValues(
        "Use unified limits",
        "https://blueprints.launchpad.net/nova/+spec/unified-limits-nova",
        None,
        None,
    )
    updated = update_text(UNTITLED, values)
    assert updated == UNTITLED.replace(
        "\n\nhttps://", "\n\n==================\nUse unified limits\n==================\n\nhttps://"
    )
    assert "Problem description\n===================\n" in updated


def test_a_byte_order_mark_keeps_the_overline_in_step() -> None:
    text = "\ufeff=====\nTitle\n=====\n\nhttps://blueprints.launchpad.net/nova/+spec/x\n"
    values = BlueprintValues(
        "A longer title", "https://blueprints.launchpad.net/nova/+spec/x", None, None
    )
    updated = update_text(text, values)
    assert updated.startswith("\ufeff==============\nA longer title\n==============\n")
    assert read_fields(updated).title_text == "A longer title"


def test_lone_carriage_returns_are_refused_not_guessed(tmp_path: Path) -> None:
    text = "=====\rTitle\r=====\r\rhttps://blueprints.launchpad.net/nova/+spec/x\r"
    values = BlueprintValues("Title", "https://blueprints.launchpad.net/nova/+spec/x", "a", None)
    with pytest.raises(SpecError, match="lone carriage return"):
        update_text(text, values)
    spec = tmp_path / "x.rst"
    spec.write_bytes(("ok\n" + text).encode())
    with pytest.raises(SpecError) as caught:
        read_spec(spec)
    assert caught.value.line == 2


def test_scaffold_rewrites_the_spec_link_and_keeps_the_instruction_example() -> None:
    template = (
        "=======================\n Title of the spec\n=======================\n\n"
        "https://blueprints.launchpad.net/cinder/+spec/example\n\n"
        "* Name the file after the blueprint: a URL of\n"
        "  https://blueprints.launchpad.net/cinder/+spec/awesome-thing\n"
        "  belongs in awesome-thing.rst.\n\n"
        "Problem description\n===================\n\nText.\n"
    )
    url = "https://blueprints.launchpad.net/cinder/+spec/real-thing"
    text = scaffold(template, BlueprintValues("Real thing", url, None, None))
    example = "https://blueprints.launchpad.net/cinder/+spec/awesome-thing"
    # The spec's own link names the blueprint; the instruction keeps its example.
    assert [link.url for link in read_fields(text).links] == [url, example]
    assert f"a URL of\n  {example}\n  belongs in awesome-thing.rst." in text
    assert "belongs in awesome-thing.rst." in text  # the guidance itself stays
