"""lpsync lint on real files: each code, the template finder, config keys, the CLI."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lpsync.cli import app
from lpsync.config import Config, load_config
from lpsync.lint import run_lint
from lpsync.sandbox import Sandbox

TEMPLATE = """\
..
 This work is licensed under a Creative Commons Attribution 3.0 Unported
 License.

==========================================
Example Spec - The title of your blueprint
==========================================

https://blueprints.launchpad.net/nova/+spec/example

Problem description
===================

Use Cases
---------

Proposed change
===============

Alternatives
------------

Implementation
==============

Assignee(s)
-----------

Feature Liaison
---------------

History
=======
"""


def spec_text(name: str = "clean", *, body: str = "", drop: tuple[str, ...] = ()) -> str:
    """A spec written to TEMPLATE, without the sections or subsections in ``drop``."""
    parts = [
        "..",
        " This work is licensed under a Creative Commons Attribution 3.0 Unported",
        " License.",
        "",
        "============",
        "A clean spec",
        "============",
        "",
        f"https://blueprints.launchpad.net/nova/+spec/{name}",
        "",
    ]
    for title, char in (
        ("Problem description", "="),
        ("Use Cases", "-"),
        ("Proposed change", "="),
        ("Alternatives", "-"),
        ("Implementation", "="),
        ("Assignee(s)", "-"),
        ("Feature Liaison", "-"),
        ("History", "="),
    ):
        if title not in drop:
            parts += [title, char * len(title), "", "Words.", ""]
    return "\n".join(parts) + body


def make_specs(tmp_path: Path, files: dict[str, str | bytes], config: str = "") -> Path:
    repo = tmp_path / "specs-repo"
    (repo / "specs").mkdir(parents=True)
    (repo / "specs" / "template.rst").write_text(TEMPLATE)
    if config:
        (repo / "setup.cfg").write_text("[lpsync]\n" + config)
    for rel, content in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return repo


def codes(repo: Path, *paths: Path) -> list[tuple[str, int, str]]:
    result = run_lint(repo, load_config(repo), paths)
    assert result.errors == []
    return [(f.path, f.line, f.code) for f in result.findings]


SPEC = "specs/zed/clean.rst"


def test_a_spec_written_to_its_template_is_clean(tmp_path: Path) -> None:
    repo = make_specs(tmp_path, {SPEC: spec_text()})
    result = run_lint(repo, load_config(repo))
    assert (result.checked, result.findings, result.exit_code) == (1, [], 0)


def test_missing_section_and_missing_subsection(tmp_path: Path) -> None:
    repo = make_specs(
        tmp_path, {SPEC: spec_text(drop=("Implementation", "Assignee(s)", "Use Cases"))}
    )
    # Dropping a section drops its subsections with it: one LPS801, and Use Cases is
    # an LPS803 on the section that lacks it.
    result = run_lint(repo, load_config(repo))
    found = [(f.code, f.line, f.expected) for f in result.findings]
    assert found == [
        ("LPS801", 6, "Implementation"),
        ("LPS803", 11, "Use Cases"),
    ]
    assert "section 'Implementation' of specs/template.rst is missing" in (
        result.findings[0].message
    )


def test_optional_sections_and_subsections_may_be_missing(tmp_path: Path) -> None:
    files = {SPEC: spec_text(drop=("History", "Feature Liaison"))}
    assert [c for *_, c in codes(make_specs(tmp_path, files))] == ["LPS801", "LPS803"]
    repo = make_specs(
        tmp_path / "cfg",
        files,
        "optional_sections = History\noptional_subsections =\n  Feature Liaison\n  Other\n",
    )
    assert codes(repo) == []


def test_extra_top_level_section_is_reported_but_extra_subsection_is_fine(
    tmp_path: Path,
) -> None:
    body = "\nSpeculation\n-----------\n\nAn extra subsection.\n\nAppendix\n========\n\nMore.\n"
    repo = make_specs(tmp_path, {SPEC: spec_text(body=body)})
    result = run_lint(repo, load_config(repo))
    assert [(f.code, f.line, f.actual) for f in result.findings] == [("LPS802", 56, "Appendix")]


def test_long_lines_and_their_exemptions(tmp_path: Path) -> None:
    long_prose = "word " * 17  # 85 characters with its trailing space stripped below
    body = "\n".join(
        [
            "",
            long_prose.strip(),  # line 51: reported
            "",
            "See https://example.org/" + "x" * 80 + " for the details.",  # a URL
            "",
            "/" + "a" * 90,  # no whitespace at all
            "",
            "An example::",
            "",
            "    " + ("code " * 20).strip(),  # a literal block after ::
            "",
            ".. code-block:: python",
            "",
            "   " + ("x = 1; " * 15).strip(),  # a code directive is literal too
            "",
            "* " + long_prose.strip(),  # prose in a list: reported
            "",
        ]
    )
    repo = make_specs(tmp_path, {SPEC: spec_text(body=body)})
    result = run_lint(repo, load_config(repo))
    assert [(f.line, f.code, f.actual) for f in result.findings] == [
        (51, "LPS804", "84"),
        (65, "LPS804", "86"),
    ]
    assert (
        codes(make_specs(tmp_path / "wide", {SPEC: spec_text(body=body)}, "max_line_length = 99\n"))
        == []
    )


def test_trailing_whitespace(tmp_path: Path) -> None:
    repo = make_specs(tmp_path, {SPEC: spec_text(body="\nTrailing space \nTab\t\n")})
    assert [(line, code) for _p, line, code in codes(repo)] == [(51, "LPS805"), (52, "LPS805")]


def test_crlf_is_read_from_the_bytes(tmp_path: Path) -> None:
    text = spec_text().replace("\n", "\r\n")
    repo = make_specs(tmp_path, {SPEC: text.encode()})
    result = run_lint(repo, load_config(repo))
    # One finding for the file, at its first CR, not one per line; and the CRs are not
    # trailing whitespace.
    assert [(f.line, f.code, f.actual) for f in result.findings] == [(1, "LPS806", "49")]


def test_zero_width_space(tmp_path: Path) -> None:
    repo = make_specs(tmp_path, {SPEC: spec_text(body="\nzero\u200bwidth\n")})
    result = run_lint(repo, load_config(repo))
    assert [(f.line, f.code) for f in result.findings] == [(51, "LPS806")]
    assert "U+200B" in result.findings[0].message


def test_a_leading_bom_is_neither_a_finding_nor_a_character(tmp_path: Path) -> None:
    first = ".. " + "c" * 76  # 79 characters after the BOM
    text = "\ufeff" + first + "\n\n" + spec_text()
    repo = make_specs(tmp_path, {SPEC: text.encode()})
    assert codes(repo) == []
    stray = make_specs(tmp_path / "stray", {SPEC: spec_text(body="\nstray\ufeffmark\n")})
    assert [c for *_, c in codes(stray)] == ["LPS806"]


def test_offline_link_checks_are_audits(tmp_path: Path) -> None:
    files = {
        "specs/zed/nolink.rst": spec_text().replace(
            "https://blueprints.launchpad.net/nova/+spec/clean", "No link here."
        ),
        "specs/zed/other.rst": spec_text("something-else"),
        "specs/zed/double.rst": spec_text().replace("nova/+spec/clean", "nova//+spec/double"),
    }
    repo = make_specs(tmp_path, files, "project = nova\n")
    assert sorted((p, c) for p, _l, c in codes(repo)) == [
        ("specs/zed/double.rst", "LPS102"),
        ("specs/zed/nolink.rst", "LPS101"),
        ("specs/zed/other.rst", "LPS103"),
    ]


def test_the_release_template_wins_over_the_repo_template(tmp_path: Path) -> None:
    release_template = TEMPLATE.replace("History\n=======\n", "Upgrade\n=======\n")
    files = {SPEC: spec_text(), "specs/zed-template.rst": release_template}
    result = run_lint(repo := make_specs(tmp_path, files), load_config(repo))
    assert [(f.code, f.expected or f.actual) for f in result.findings] == [
        ("LPS801", "Upgrade"),
        ("LPS802", "History"),
    ]
    assert "specs/zed-template.rst" in result.findings[0].message
    nested = {SPEC: spec_text(), "specs/zed/template.rst": release_template}
    assert len(codes(make_specs(tmp_path / "nested", nested))) == 2


def test_configured_template_with_series(tmp_path: Path) -> None:
    files = {
        SPEC: spec_text(drop=("History",)),
        "templates/zed.rst": TEMPLATE.replace("History\n=======\n", ""),
    }
    repo = make_specs(tmp_path, files, "template = templates/{series}.rst\n")
    assert codes(repo) == []
    # A release without its own configured template falls back to specs/template.rst.
    other = make_specs(
        tmp_path / "other",
        {**files, "specs/yoga/clean.rst": spec_text(drop=("History",))},
        "template = templates/{series}.rst\n",
    )
    assert codes(other) == [("specs/yoga/clean.rst", 6, "LPS801")]


def test_a_series_template_matching_no_file_is_one_warning_and_lines_are_checked(
    tmp_path: Path,
) -> None:
    # pull refuses such a template (exit 2); lint says so once and checks the lines.
    files = {SPEC: spec_text() + "trailing \n", "specs/yoga/clean.rst": spec_text()}
    repo = make_specs(tmp_path, files, "template = templates/{series}.rst\n")
    warning = (
        "warning: setup.cfg [lpsync]: key 'template': no file matches "
        "templates/{series}.rst for any release; "
    )
    result = CliRunner().invoke(app, ["lint", "--repo", str(repo)])
    assert result.exit_code == 1, result.output
    assert result.output.count(warning) == 1
    assert f"{warning}specs are held to specs/template.rst" in result.output
    assert "LPS805" in result.output
    (repo / "specs/template.rst").unlink()
    result = CliRunner().invoke(app, ["lint", "--repo", str(repo)])
    assert f"{warning}sections are not checked against a template" in result.output
    assert "LPS805" in result.output and result.exit_code == 1
    # Once a release has its template, nothing to say.
    (repo / "templates").mkdir()
    (repo / "templates/zed.rst").write_text(TEMPLATE)
    result = CliRunner().invoke(app, ["lint", "--repo", str(repo)])
    assert "warning" not in result.output


def test_a_configured_template_that_does_not_exist_is_exit_2(tmp_path: Path) -> None:
    repo = make_specs(tmp_path, {SPEC: spec_text()}, "template = templates/mine.rst\n")
    result = CliRunner().invoke(app, ["lint", "--repo", str(repo)])
    assert result.exit_code == 2
    assert "key 'template': templates/mine.rst does not exist" in result.stderr


def test_a_template_placeholder_other_than_series_is_a_config_error(tmp_path: Path) -> None:
    repo = make_specs(tmp_path, {SPEC: spec_text()}, "template = templates/{release}.rst\n")
    result = CliRunner().invoke(app, ["lint", "--repo", str(repo)])
    assert result.exit_code == 2
    assert "key 'template': unknown placeholder {release}" in result.stderr


def test_without_a_template_only_the_line_checks_apply(tmp_path: Path) -> None:
    repo = make_specs(tmp_path, {SPEC: spec_text(drop=("History",), body="\ntrailing \n")})
    (repo / "specs" / "template.rst").unlink()
    # Neither the packaged template nor a newer release's: the spec was not written
    # to them.
    (repo / "specs" / "zzz-template.rst").write_text(TEMPLATE.replace("History", "Later"))
    assert [c for *_, c in codes(repo)] == ["LPS805"]


def test_excluded_files_are_left_out_even_when_named(tmp_path: Path) -> None:
    # oslo keeps policy documents, which are no blueprint specs, under specs/policy/.
    bad = spec_text("x", drop=("History",), body="\ntrailing \n")
    files = {
        SPEC: spec_text(),
        "specs/policy/process.rst": bad,
        "specs/zed/draft-notes.rst": bad,
        "specs/policy/redirects": "gone.rst ../nowhere.rst\n",
    }
    every = run_lint(repo := make_specs(tmp_path, files), load_config(repo))
    assert {f.path for f in every.findings} == {
        "specs/policy/process.rst",
        "specs/policy/redirects",
        "specs/zed/draft-notes.rst",
    }
    config = "exclude = specs/policy\n  specs/*/draft-*.rst\n"
    repo = make_specs(tmp_path / "excluded", files, config)
    result = run_lint(repo, load_config(repo))
    assert (result.checked, result.findings) == (1, [])
    # pre-commit names the files it was given: the exclusion still holds.
    named = [repo / "specs/policy/process.rst", repo / "specs/zed/draft-notes.rst"]
    assert run_lint(repo, load_config(repo), named).checked == 0


def test_exclude_patterns_stay_inside_the_repo(tmp_path: Path) -> None:
    from lpsync.errors import ConfigError

    (tmp_path / "setup.cfg").write_text("[lpsync]\nexclude = ../elsewhere\n")
    with pytest.raises(ConfigError, match="key 'exclude'"):
        load_config(tmp_path)


def test_redirects(tmp_path: Path) -> None:
    files = {
        "specs/zed/implemented/moved.rst": spec_text("moved"),
        "specs/zed/approved/kept.rst": spec_text("kept"),
        "specs/zed/redirects": (
            "approved/moved.rst ../implemented/moved.rst\n"
            "approved/kept.rst ../implemented/kept.rst\n"
            "\n"
            "approved/gone.rst ../implemented/nowhere.rst\n"
            "just-one-field\n"
        ),
    }
    repo = make_specs(tmp_path, files)
    result = run_lint(repo, load_config(repo))
    redirects = [(f.line, f.message) for f in result.findings if f.code == "LPS807"]
    assert redirects == [
        (2, "redirect source approved/kept.rst still exists (its page would be hidden)"),
        (2, "redirect target ../implemented/kept.rst does not exist"),
        (4, "redirect target ../implemented/nowhere.rst does not exist"),
        (5, "not 'source target': 'just-one-field'"),
    ]
    # Given file names, lint checks just those.
    only = run_lint(repo, load_config(repo), [repo / "specs/zed/redirects"])
    assert only.checked == 0 and len(only.findings) == 4


def test_given_paths_limit_the_run(tmp_path: Path) -> None:
    files = {SPEC: spec_text(), "specs/zed/bad.rst": spec_text("bad", body="\nx \n")}
    repo = make_specs(tmp_path, files)
    assert run_lint(repo, load_config(repo), [repo / SPEC]).findings == []
    assert len(run_lint(repo, load_config(repo)).findings) == 1
    # A template or index among the files pre-commit passes is not a spec: nothing to do.
    none = run_lint(repo, load_config(repo), [repo / "specs/template.rst"])
    assert (none.checked, none.exit_code) == (0, 0)


def test_cli_formats_and_exit_codes(tmp_path: Path) -> None:
    repo = make_specs(tmp_path, {SPEC: spec_text(body="\nx \n")})
    runner = CliRunner()
    text = runner.invoke(app, ["lint", "--repo", str(repo)])
    assert text.exit_code == 1
    assert text.stdout == (
        "specs/zed/clean.rst:51: LPS805 trailing whitespace\n"
        "lpsync lint: 1 spec checked, 1 finding\n"
    )
    document = json.loads(
        runner.invoke(app, ["lint", "--repo", str(repo), "--format", "json"]).stdout
    )
    assert document == {
        "version": 1,
        "checked": 1,
        "findings": [
            {
                "path": SPEC,
                "line": 51,
                "code": "LPS805",
                "blueprint": None,
                "field": "line",
                "expected": None,
                "actual": None,
                "message": "trailing whitespace",
            }
        ],
        "errors": [],
    }
    github = runner.invoke(app, ["lint", "--repo", str(repo), "--format", "github"])
    assert github.stdout.startswith(
        "::warning file=specs/zed/clean.rst,line=51,title=lpsync LPS805::trailing whitespace\n"
    )
    (repo / SPEC).write_text(spec_text())
    assert runner.invoke(app, ["lint", "--repo", str(repo)]).exit_code == 0
    assert runner.invoke(app, ["lint", "--repo", str(repo), "--format", "xml"]).exit_code == 2
    missing = runner.invoke(app, ["lint", "--repo", str(repo), "specs/nowhere.rst"])
    assert missing.exit_code == 2
    assert "specs/nowhere.rst: no such file or directory" in missing.stderr


def test_an_unreadable_spec_is_exit_3(tmp_path: Path) -> None:
    repo = make_specs(tmp_path, {SPEC: spec_text(), "specs/zed/latin1.rst": b"caf\xe9\n"})
    result = CliRunner().invoke(app, ["lint", "--repo", str(repo)])
    assert result.exit_code == 3
    assert "specs/zed/latin1.rst:1: error: not valid UTF-8 (byte 3)" in result.stdout
    # The line of the first bad byte, in every format.
    (repo / "specs/zed/latin1.rst").write_bytes(b"fine\nstill fine\ncaf\xe9\n")
    runner = CliRunner()
    result = runner.invoke(app, ["lint", "--repo", str(repo), "--format", "json"])
    assert json.loads(result.stdout)["errors"] == [
        {"path": "specs/zed/latin1.rst", "line": 3, "message": "not valid UTF-8 (byte 19)"}
    ]
    result = runner.invoke(app, ["lint", "--repo", str(repo), "--format", "github"])
    assert "::error file=specs/zed/latin1.rst,line=3,title=lpsync lint::" in result.stdout


def test_an_unreadable_template_is_exit_3_naming_it(tmp_path: Path) -> None:
    repo = make_specs(tmp_path, {SPEC: spec_text()})
    (repo / "specs" / "template.rst").write_bytes(b"caf\xe9\n")
    result = CliRunner().invoke(app, ["lint", "--repo", str(repo)])
    assert result.exit_code == 3
    assert (
        "specs/zed/clean.rst: error: its template specs/template.rst: not valid UTF-8 (byte 3)"
        in result.stdout
    )


def test_a_bad_config_value_is_exit_2(tmp_path: Path) -> None:
    repo = make_specs(tmp_path, {SPEC: spec_text()}, "max_line_length = wide\n")
    result = CliRunner().invoke(app, ["lint", "--repo", str(repo)])
    assert result.exit_code == 2
    assert "max_line_length" in result.stderr


def test_lint_sends_no_request(tmp_path: Path, sandbox: Sandbox) -> None:
    repo = make_specs(tmp_path, {SPEC: spec_text(body="\nx \n")}, "project = nova\n")
    sandbox.clear_requests()
    result = CliRunner().invoke(
        app, ["--service-root", sandbox.service_root, "lint", "--repo", str(repo)]
    )
    assert result.exit_code == 1
    assert sandbox.requests == []
    # The same stand-in answers audit, so the log is live: audit's requests show up.
    CliRunner().invoke(app, ["--service-root", sandbox.service_root, "audit", "--repo", str(repo)])
    assert sandbox.requests != []


@pytest.mark.parametrize("value", ["0", "-3", "79.5"])
def test_max_line_length_must_be_a_positive_integer(tmp_path: Path, value: str) -> None:
    from lpsync.errors import ConfigError

    (tmp_path / "setup.cfg").write_text(f"[lpsync]\nmax_line_length = {value}\n")
    with pytest.raises(ConfigError, match="max_line_length"):
        load_config(tmp_path)


def test_toml_lists_and_integers(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.lpsync]\nmax_line_length = 99\noptional_sections = ["History", "Use Cases"]\n'
    )
    config = load_config(tmp_path)
    assert (config.max_line_length, config.optional_sections) == (99, ("History", "Use Cases"))


CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def test_real_specs_defects_their_own_gates_miss_and_a_quoted_literal_block() -> None:
    """On the corpus (read only): what ironic's and keystone's gates let through."""
    ironic, keystone = CORPUS / "ironic-specs", CORPUS / "keystone-specs"
    if not (ironic.is_dir() and keystone.is_dir()):
        pytest.skip("corpus not present")
    nic = ironic / "specs/approved/nic-firmware-updates.rst"
    rbac = ironic / "specs/approved/secure-rbac.rst"
    found = {(f.path, f.line, f.code) for f in run_lint(ironic, Config(), [nic, rbac]).findings}
    # "Challenges" underlined with "=": the template's subsections of "Proposed change"
    # fall under it.
    assert ("specs/approved/nic-firmware-updates.rst", 52, "LPS802") in found
    assert ("specs/approved/nic-firmware-updates.rst", 30, "LPS803") in found
    # ".. TODO::" with no blank line before it is prose of a list item, 144 columns.
    assert ("specs/approved/secure-rbac.rst", 530, "LPS804") in found
    # Unindented lines after "::" that start with '"' are a quoted literal block.
    token = keystone / "specs/keystone/mitaka/add-isdomain-to-token.rst"
    assert [f for f in run_lint(keystone, Config(), [token]).findings if f.code == "LPS804"] == []


def test_a_section_title_written_twice_counts_the_subsections_under_either(
    tmp_path: Path,
) -> None:
    # keystone's kilo/trusts-redelegation.rst has "Proposed Change" twice, the template's
    # subsections under the second: none of them is missing.
    text = spec_text(drop=("Alternatives",)).replace(
        "Implementation\n",
        "Proposed change\n===============\n\nAlternatives\n------------\n\n"
        "Words.\n\nImplementation\n",
        1,
    )
    assert codes(make_specs(tmp_path, {SPEC: text})) == []


def test_prose_that_repeats_a_literal_line_is_still_prose(tmp_path: Path) -> None:
    command = (
        "openstack server create --flavor m1.small --image cirros --network private --wait vm1"
    )
    body = f"\nRun::\n\n    {command}\n\n{command}\n"  # the same 85 characters, then as prose
    repo = make_specs(tmp_path, {SPEC: spec_text(body=body)})
    assert codes(repo) == [(SPEC, 55, "LPS804")]


def test_a_code_block_is_found_where_it_is_not_where_its_text_first_appears(
    tmp_path: Path,
) -> None:
    command = (
        "openstack server create --flavor m1.small --image cirros --network private --wait vm1"
    )
    # The same two lines as prose, then as a code block, whose docutils line points
    # past its first line: the prose is reported, the code is not.
    lines = f"{command}\necho done\n"
    body = f"\n{lines}\n.. code-block:: console\n\n{textwrap.indent(lines, '   ')}\nMore.\n"
    repo = make_specs(tmp_path, {SPEC: spec_text(body=body)})
    assert codes(repo) == [(SPEC, 51, "LPS804")]
