"""Config is read from the spec repo's root: pyproject.toml, setup.cfg or tox.ini."""

from __future__ import annotations

from pathlib import Path

import pytest

from lpsync.config import Config, is_excluded, load_config
from lpsync.errors import ConfigError


def test_defaults_when_the_repo_has_no_config(tmp_path: Path) -> None:
    assert load_config(tmp_path) == Config()


def test_pyproject_tool_section(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.lpsync]\nproject = "nova"\nlayout = "{series}/approved/{name}.rst"\n'
    )
    config = load_config(tmp_path)
    assert config.project == "nova"
    assert config.layout == "{series}/approved/{name}.rst"
    assert config.branch == "bp/{name}"


@pytest.mark.parametrize("filename", ["setup.cfg", "tox.ini"])
def test_ini_files_real_spec_repos_have(tmp_path: Path, filename: str) -> None:
    (tmp_path / filename).write_text("[metadata]\nname = x\n\n[lpsync]\nproject = oslo\n")
    config = load_config(tmp_path)
    assert config.project == "oslo"
    assert config.source == f"{filename} [lpsync]"


def test_pyproject_without_the_section_falls_through_to_setup_cfg(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 79\n")
    (tmp_path / "setup.cfg").write_text("[lpsync]\nproject = cinder\n")
    assert load_config(tmp_path).project == "cinder"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("projekt = nova", "setup.cfg [lpsync]: unknown key 'projekt'"),
        ("project = Nova_Specs", "key 'project': 'Nova_Specs' is not a valid Launchpad name"),
        ("specs_dir = ../elsewhere", "key 'specs_dir': '../elsewhere' must be a path inside"),
        ("template = /etc/passwd", "key 'template': '/etc/passwd' must be a path inside"),
        ("layout = {release}/{name}.rst", "key 'layout': unknown placeholder {release}"),
        ("layout = {series}/spec.rst", "must contain {name} and end in .rst"),
        ("layout = ../{name}.rst", "must be a path inside the repo"),
        ("branch = bp/{name", "key 'branch'"),
        ("branch = bp/{name!r}", "key 'branch': placeholder {name!r} takes no conversion"),
        ("layout = {series:d}/{name}.rst", "placeholder {series:d} takes no conversion"),
        # Padding an empty release folder name would make "../..": out of the repo.
        (
            "abandoned_dir = {release:.>2}/{release:.>2}/x",
            "key 'abandoned_dir': placeholder {release:.>2} takes no conversion",
        ),
        ("project =", "key 'project' must be a non-empty string"),
        ("template = specs/{release}.rst", "key 'template': unknown placeholder {release}"),
        ("exclude = specs/policy, ../elsewhere/*", "key 'exclude': '../elsewhere/*' must be"),
    ],
)
def test_a_bad_key_or_value_names_the_file_and_key(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "setup.cfg").write_text(f"[lpsync]\n{body}\n")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert message in str(err.value)
    assert err.value.exit_code == 2


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.lpsync\nproject = 1\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml: invalid TOML"):
        load_config(tmp_path)


def test_non_string_toml_value(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.lpsync]\nproject = 3\n")
    with pytest.raises(ConfigError, match=r"key 'project' must be a non-empty string"):
        load_config(tmp_path)


@pytest.mark.parametrize("branch", ["bad..branch", "a b", "@", "x@{-1}", "bp/{name}.lock", "/x"])
def test_a_branch_template_git_would_refuse_is_a_config_error(tmp_path: Path, branch: str) -> None:
    (tmp_path / "setup.cfg").write_text(f"[lpsync]\nbranch = {branch}\n")
    with pytest.raises(ConfigError, match="key 'branch'"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    ("filename", "text", "expected"),
    [
        ("setup.cfg", "[lpsync]\nsignoff = true\n", True),
        ("tox.ini", "[lpsync]\nsignoff = No\n", False),
        ("pyproject.toml", "[tool.lpsync]\nsignoff = true\n", True),
    ],
)
def test_signoff_is_a_boolean(tmp_path: Path, filename: str, text: str, expected: bool) -> None:
    (tmp_path / filename).write_text(text)
    assert load_config(tmp_path).signoff is expected


def test_a_signoff_that_is_not_a_boolean_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[lpsync]\nsignoff = sometimes\n")
    with pytest.raises(ConfigError, match=r"setup.cfg \[lpsync\]: key 'signoff': 'sometimes'"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    ("filename", "text"),
    [
        ("setup.cfg", "[lpsync]\nexclude =\n  specs/policy/*\n  specs/**/draft-*.rst\n"),
        ("tox.ini", "[lpsync]\nexclude = specs/policy/*, specs/**/draft-*.rst\n"),
        ("pyproject.toml", '[tool.lpsync]\nexclude = ["specs/policy/*", "specs/**/draft-*.rst"]\n'),
    ],
)
def test_exclude_is_a_list_of_globs(tmp_path: Path, filename: str, text: str) -> None:
    (tmp_path / filename).write_text(text)
    config = load_config(tmp_path)
    assert config.exclude == ("specs/policy/*", "specs/**/draft-*.rst")


def test_exclude_globs_are_relative_to_the_repo_root() -> None:
    patterns = ("specs/policy/*", "specs/**/draft-*.rst", "specs/attic")
    assert is_excluded("specs/policy/deprecation.rst", patterns)
    assert not is_excluded("specs/policy/sub/x.rst", ("specs/policy/*.rst",))  # * stays in a folder
    assert is_excluded("specs/policy/sub/x.rst", patterns[:1])  # sub/ matches: all below it
    assert is_excluded("specs/draft-x.rst", patterns) and is_excluded(
        "specs/a/b/draft-x.rst", patterns
    )
    assert is_excluded("specs/attic/old/x.rst", patterns)  # a folder: all below it
    assert not is_excluded("specs/attica/x.rst", patterns)
    assert not is_excluded("other/specs/policy/x.rst", patterns)  # anchored at the root
    assert is_excluded("specs/p1.rst", ("specs/p[0-9].rst",))
    assert not is_excluded("specs/p1.rst", ("specs/p[!0-9].rst",))


def test_template_may_name_the_release(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[lpsync]\ntemplate = specs/{series}-template.rst\n")
    assert load_config(tmp_path).template == "specs/{series}-template.rst"
