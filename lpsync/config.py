"""Per-repo configuration, read from the spec repo's root.

Real spec repos have no pyproject.toml, so ``[lpsync]`` in setup.cfg or tox.ini works
too. The first file that has an lpsync section wins, in the order of CONFIG_SOURCES.
"""

from __future__ import annotations

import configparser
import functools
import re
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from lpsync.backlink import PER_SPEC, PLACEHOLDERS
from lpsync.errors import ConfigError
from lpsync.gitrepo import is_valid_branch_name
from lpsync.names import is_valid_name

# (file name, section) in the order they are looked up.
CONFIG_SOURCES: tuple[tuple[str, str], ...] = (
    ("pyproject.toml", "tool.lpsync"),
    ("setup.cfg", "lpsync"),
    ("tox.ini", "lpsync"),
)

LAYOUT_FIELDS = {"series", "name", "project"}
BRANCH_FIELDS = {"name", "project"}
FOLDER_FIELDS = {"release"}
TEMPLATE_FIELDS = {"series"}  # templates/{series}.rst: the release's own template


@dataclass(frozen=True)
class Config:
    project: str | None = None
    specs_dir: str = "specs"
    layout: str = "{series}/{name}.rst"
    template: str | None = None
    branch: str = "bp/{name}"
    signoff: bool = False  # add Signed-off-by to commits (git commit --signoff)
    max_line_length: int = 79
    optional_sections: tuple[str, ...] = ()
    optional_subsections: tuple[str, ...] = ()
    spec_url: str | None = None  # where a spec is published (lpsync.backlink)
    # Where ``move`` puts specs, relative to specs_dir; {release} is the folder above
    # the spec's approved/ folder (nova: specs/<release>/implemented, specs/abandoned).
    implemented_dir: str = "{release}/implemented"
    abandoned_dir: str = "abandoned"
    # Glob patterns relative to the repo root (oslo: specs/policy/*) that audit and
    # lint leave out; see ``is_excluded``.
    exclude: tuple[str, ...] = ()
    source: str | None = None  # "setup.cfg [lpsync]", for messages


KEYS = (
    "project",
    "specs_dir",
    "layout",
    "template",
    "branch",
    "signoff",
    "max_line_length",
    "optional_sections",
    "optional_subsections",
    "spec_url",
    "implemented_dir",
    "abandoned_dir",
    "exclude",
)
_BOOLEANS = {"true": True, "yes": True, "on": True, "1": True}
_BOOLEANS.update({"false": False, "no": False, "off": False, "0": False})
# Keys holding a list: a TOML array, or one title per line (or comma-separated) in ini.
LIST_KEYS = ("optional_sections", "optional_subsections", "exclude")


def load_config(repo_root: Path) -> Config:
    """Read the lpsync section of the repo's config; defaults when there is none."""
    for filename, section in CONFIG_SOURCES:
        path = repo_root / filename
        if not path.is_file():
            continue
        values = _read_section(path, section)
        if values is not None:
            return _validate(values, f"{filename} [{section}]")
    return Config()


def _read_section(path: Path, section: str) -> dict[str, object] | None:
    try:
        if path.suffix == ".toml":
            with path.open("rb") as fh:
                data = tomllib.load(fh)
            node: object = data
            for part in section.split("."):
                if not isinstance(node, dict) or part not in node:
                    return None
                node = node[part]
            if not isinstance(node, dict):
                raise ConfigError(f"{path.name}: [{section}] must be a table")
            return dict(node)
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(path, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path.name}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: invalid TOML: {exc}") from None
    except configparser.Error as exc:
        message = str(exc).splitlines()[0]
        raise ConfigError(f"{path.name}: invalid config: {message}") from None
    if not parser.has_section(section):
        return None
    return dict(parser.items(section))


def _validate(values: dict[str, object], where: str) -> Config:
    for key in values:
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(KEYS)})")
    values = dict(values)
    signoff = _boolean(values.pop("signoff", False), "signoff", where)
    clean: dict[str, str] = {}
    lists: dict[str, tuple[str, ...]] = {}
    for key, value in values.items():
        if key in LIST_KEYS:
            lists[key] = _as_list(value, key, where)
            continue
        if key == "max_line_length" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}: key {key!r} must be a non-empty string")
        clean[key] = value.strip()

    project = clean.get("project")
    if project is not None and not is_valid_name(project):
        raise ConfigError(f"{where}: key 'project': {project!r} is not a valid Launchpad name")
    for key in ("specs_dir", "template"):
        if key in clean:
            _check_relative(clean[key], key, where)
    if "template" in clean:
        _check_format(clean["template"], "template", TEMPLATE_FIELDS, where)
    layout = clean.get("layout", Config.layout)
    _check_format(layout, "layout", LAYOUT_FIELDS, where)
    if not layout.endswith(".rst") or "{name}" not in layout:
        raise ConfigError(
            f"{where}: key 'layout': {layout!r} must contain {{name}} and end in .rst"
        )
    _check_relative(layout, "layout", where)
    branch = clean.get("branch", Config.branch)
    _check_format(branch, "branch", BRANCH_FIELDS, where)
    if not is_valid_branch_name(branch.format(name="example", project="project")):
        raise ConfigError(f"{where}: key 'branch': {branch!r} is not a valid git branch name")
    for key in ("implemented_dir", "abandoned_dir"):
        if key in clean:
            _check_format(clean[key], key, FOLDER_FIELDS, where)
            _check_relative(clean[key], key, where)
    exclude = lists.get("exclude", ())
    for pattern in exclude:
        _check_relative(pattern, "exclude", where)
    length = clean.get("max_line_length", str(Config.max_line_length))
    if not length.isdigit() or int(length) < 1:
        raise ConfigError(f"{where}: key 'max_line_length': {length!r} must be a positive integer")
    spec_url = clean.get("spec_url")
    if spec_url is not None:
        _check_spec_url(spec_url, where)
    return Config(
        project=project,
        specs_dir=clean.get("specs_dir", Config.specs_dir),
        layout=layout,
        template=clean.get("template"),
        branch=branch,
        signoff=signoff,
        max_line_length=int(length),
        optional_sections=lists.get("optional_sections", ()),
        optional_subsections=lists.get("optional_subsections", ()),
        spec_url=spec_url,
        implemented_dir=clean.get("implemented_dir", Config.implemented_dir),
        abandoned_dir=clean.get("abandoned_dir", Config.abandoned_dir),
        exclude=exclude,
        source=where,
    )


def _check_spec_url(value: str, where: str) -> None:
    fields = _check_format(value, "spec_url", set(PLACEHOLDERS), where)
    if any(c.isspace() or not c.isprintable() for c in value):
        raise ConfigError(f"{where}: key 'spec_url': {value!r} has a space or control character")
    example = value.format(**{name: "x" for name in PLACEHOLDERS})
    try:
        parts = urlsplit(example)
        parts.port  # noqa: B018  (parsing the port is what validates it)
    except ValueError as exc:
        raise ConfigError(f"{where}: key 'spec_url': {value!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{where}: key 'spec_url': {value!r} is not an http(s) URL")
    if not fields & set(PER_SPEC):  # {{path}} is a literal "{path}", the same everywhere
        needs = ", ".join(f"{{{name}}}" for name in PER_SPEC)
        raise ConfigError(
            f"{where}: key 'spec_url': {value!r} names the same page for every spec "
            f"(use one of {needs})"
        )


def _boolean(value: object, key: str, where: str) -> bool:
    """A TOML boolean, or an ini file's true/false, yes/no, on/off, 1/0."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOLEANS:
        return _BOOLEANS[value.strip().lower()]
    raise ConfigError(f"{where}: key {key!r}: {value!r} is not true or false")


def _as_list(value: object, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        items = [part for line in value.splitlines() for part in line.split(",")]
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = value
    else:
        raise ConfigError(f"{where}: key {key!r} must be a list of strings")
    return tuple(" ".join(item.split()) for item in items if item.strip())


def _check_relative(value: str, key: str, where: str) -> None:
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or "\\" in value:
        raise ConfigError(f"{where}: key {key!r}: {value!r} must be a path inside the repo")


def placeholders(value: str) -> set[str]:
    """The ``{field}`` names a (checked) format string such as ``layout`` uses."""
    return {f for _, f, _, _ in string.Formatter().parse(value) if f is not None}


def _check_format(value: str, key: str, allowed: set[str], where: str) -> set[str]:
    """The placeholders ``value`` uses: each one of ``allowed``, plain (``{name}``).
    A conversion or format spec (``{name!r}``, ``{name:d}``) would quote the value or
    fail only when a command formats it."""
    try:
        parsed = [(f, conv, spec) for _, f, spec, conv in string.Formatter().parse(value)]
    except ValueError as exc:
        raise ConfigError(f"{where}: key {key!r}: {value!r}: {exc}") from None
    fields = {f for f, _, _ in parsed if f is not None}
    unknown = fields - allowed
    if unknown:
        raise ConfigError(
            f"{where}: key {key!r}: unknown placeholder {{{sorted(unknown)[0]}}} "
            f"(allowed: {', '.join('{' + f + '}' for f in sorted(allowed))})"
        )
    for f, conv, spec in parsed:
        if f is not None and (conv or spec):
            written = f"{{{f}{'!' + conv if conv else ''}{':' + spec if spec else ''}}}"
            raise ConfigError(
                f"{where}: key {key!r}: placeholder {written} takes no conversion or "
                f"format spec (write {{{f}}})"
            )
    return fields


def is_excluded(rel: str, patterns: tuple[str, ...]) -> bool:
    """Whether the repo-relative POSIX path ``rel`` matches an ``exclude`` pattern.

    Patterns are globs relative to the repo root: ``*``, ``?`` and ``[...]`` stay
    within a folder, ``**`` spans folders, and a pattern that matches a folder excludes
    everything below it (``specs/policy`` as ``specs/policy/**``)."""
    return any(_glob_re(p).match(rel) for p in patterns)


@functools.lru_cache(maxsize=64)
def _glob_re(pattern: str) -> re.Pattern[str]:
    out = []
    i, clean = 0, pattern.strip("/")
    while i < len(clean):
        if clean.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif clean.startswith("**", i):
            out.append(".*")
            i += 2
        elif clean[i] == "*":
            out.append("[^/]*")
            i += 1
        elif clean[i] == "?":
            out.append("[^/]")
            i += 1
        elif clean[i] == "[" and "]" in clean[i + 2 :]:
            end = clean.index("]", i + 2)
            body = clean[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end + 1
        else:
            out.append(re.escape(clean[i]))
            i += 1
    return re.compile("".join(out) + r"(?:/.*)?\Z")
