"""Spec files: which files are specs (and which are templates), and reading one
from disk or from git blobs as text."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from lpsync.errors import SpecError
from lpsync.specdoc.fields import read_fields
from lpsync.specdoc.model import SpecFields


def read_spec(path: Path) -> tuple[str, SpecFields]:
    """Read a spec as UTF-8 keeping its line endings; SpecError when it cannot be read."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SpecError(path, f"cannot read: {err.strerror or err}") from err
    return spec_from_bytes(data, path)


def spec_from_bytes(data: bytes, path: str | Path) -> tuple[str, SpecFields]:
    """``read_spec`` for bytes already read (audit reads each file once)."""
    text = decode_spec(data, path)
    _refuse_lone_cr(text, path)
    return text, read_fields(text, path)


def decode_spec(data: bytes, path: str | Path) -> str:
    """A spec file's bytes as text, line endings as stored; SpecError (naming the line)
    for a binary file or one that is not UTF-8. Every spec read goes through here."""
    if b"\x00" in data:
        raise SpecError(
            path, "binary file (NUL byte)", data[: data.index(b"\x00")].count(b"\n") + 1
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise SpecError(path, f"not valid UTF-8 (byte {err.start})", line) from None


def _refuse_lone_cr(text: str, path: str | Path) -> None:
    """Old Mac line endings (CR alone): docutils and git disagree on where lines end,
    so an edit could land anywhere; refuse rather than guess."""
    cr = text.replace("\r\n", "").find("\r")
    if cr >= 0:
        line = text[: text.find("\r", cr)].count("\n") + 1
        raise SpecError(path, "line ends with a lone carriage return (CR); use LF or CRLF", line)


def _is_template_name(name: str) -> bool:
    stem = name[:-4] if name.endswith(".rst") else name
    return (
        stem == "template"
        or stem.endswith(("-template", "_template"))
        or stem.startswith(("template-", "template_"))
    )


def is_spec_name(name: str) -> bool:
    """What the file name alone says: an ``.rst`` that is no index, README or template."""
    return (
        name.endswith(".rst")
        and name not in ("index.rst", "README.rst")
        and not (_is_template_name(name))
    )


_EXPORTED_LINK_RE = re.compile(rb"\s*[\w./+-]+\.rst\s*\Z")


def is_spec_file(path: Path, specs_root: Path) -> bool:
    """Whether ``path`` is a spec lpsync manages.

    Not: non-``.rst`` files (nova's ``redirects``), ``index.rst``, ``README.rst``,
    templates (``template.rst``, ``*-template.rst``, ``*_template.rst``; but
    ``deploy-templates.rst`` is a spec), symlinks (ironic's release dirs link into
    ``approved/``, where the real file is read) and symlinks exported as one-line text
    files, and anything outside ``specs_root``."""
    path = Path(path)
    if not is_spec_name(path.name):
        return False
    try:
        Path(os.path.abspath(path)).relative_to(os.path.abspath(specs_root))
    except ValueError:
        return False
    try:
        info = path.lstat()
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return False  # a symlink, a folder, a fifo...
    if info.st_size >= 512:
        return True  # too long for an exported link: no need to open it (audit lists 900)
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    return not (len(head) < 512 and _EXPORTED_LINK_RE.match(head))
