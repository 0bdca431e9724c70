"""nova's ``redirects`` files: one ``source target`` pair a line, the source relative
to the file's folder and the target relative to the source's (``approved/foo.rst
../implemented/foo.rst``). ``move`` writes them, ``lint`` checks them."""

from __future__ import annotations

import os
import re
from pathlib import Path

REDIRECTS = "redirects"
# indent, source, separator, target, trailing space: a line rewritten keeps its form.
LINE_RE = re.compile(r"(\s*)(\S+)(\s+)(\S+)(\s*)")


def is_comment(body: str) -> bool:
    return body.lstrip().startswith("#")


def resolve(file: Path, source: str, target: str) -> tuple[Path, Path]:
    """The paths a line of ``file`` names, normalised (``..`` folded, links kept)."""
    src = Path(os.path.normpath(file.parent / source))
    return src, Path(os.path.normpath(src.parent / target))
