"""Spec repos shaped like the real ones, the stand-in data their blueprints live in, and
the checks their gates run (nova's tests/test_titles.py, doc8, the docs build)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from docutils import nodes
from docutils.core import publish_doctree

from lpsync.sandbox import SandboxData

CODENAMES = {"2023.1": "Antelope", "2026.2": "Hibiscus", "2027.1": "Indri"}


def nova_template(release: str) -> str:
    """nova's per-release template, trimmed: the History table names the release."""
    return f"""\
..
 This work is licensed under a Creative Commons Attribution 3.0 Unported
 License.

 http://creativecommons.org/licenses/by/3.0/legalcode

==========================================
Example Spec - The title of your blueprint
==========================================

https://blueprints.launchpad.net/nova/+spec/example

Introduction paragraph -- why are we doing anything? A single paragraph of
prose that **operators** can understand.

..
  The filename in the git repository should start with the launchpad
  blueprint name, for example a URL of
  https://blueprints.launchpad.net/nova/+spec/awesome-thing should be named
  awesome-thing.rst

Problem description
===================

A detailed description of the problem.

Use Cases
---------

What users want.

Proposed change
===============

Here is where you cover the change you propose to make in detail.

Implementation
==============

Assignee(s)
-----------

Primary assignee:
  <launchpad-id or None>

Other contributors:
  <launchpad-id or None>

Feature Liaison
---------------

Feature liaison:
  <launchpad-id or None>

Work Items
----------

Work items or tasks.

History
=======

.. list-table:: Revisions
   :header-rows: 1

   * - Release Name
     - Description
   * - {release} {CODENAMES.get(release, "")}
     - Introduced
"""


OSLO_TEMPLATE = """\
..
  This template should be in ReSTructured text.

  The filename in the git repository should match the launchpad URL,
  for example a URL of
  https://blueprints.launchpad.net/oslo?searchtext=awesome-thing should be
  named awesome-thing.rst.

  Wrap text at 79 columns.

=============================
 The title of your blueprint
=============================

Include the URL of your launchpad blueprint:

https://blueprints.launchpad.net/oslo?searchtext=awesome-thing

Introduction paragraph -- why are we doing anything?

Problem description
===================

A detailed description of the problem.

Proposed change
===============

Here is where you cover the change you propose to make in detail.

Implementation
==============

Assignee(s)
-----------

Primary assignee:
  <launchpad-id>

Other contributors:
  None

Milestones
----------

Target Milestone for completion:

Work Items
----------

Work items or tasks.
"""


def nova_files() -> dict[str, str]:
    """nova-specs: codename folders up to zed, numbered ones from 2023.1, a template
    per release, approved/ and implemented/ with nova's placeholder links."""
    files = {
        "setup.cfg": "[lpsync]\nproject = nova\nlayout = {series}/approved/{name}.rst\n",
        "specs/zed/implemented/old-thing.rst": OLD_NOVA_SPEC,
        "specs/zed/redirects": "",
        "specs/2023.1/redirects": "",
        "specs/2026.2/redirects": "",
    }
    for release in ("2023.1", "2026.2", "2027.1"):
        files[f"specs/{release}-template.rst"] = nova_template(release)
    return files


def nova_symlinks() -> dict[str, str]:
    links = {}
    for release in ("2023.1", "2026.2"):
        for place in ("approved", "implemented"):
            links[f"specs/{release}/{place}/{release}-template.rst"] = (
                f"../../{release}-template.rst"
            )
    return links


OLD_NOVA_SPEC = """\
========================
An old implemented thing
========================

https://blueprints.launchpad.net/nova/+spec/old-thing

Text.

Problem description
===================

Text.
"""


def oslo_files() -> dict[str, str]:
    """oslo-specs: codename folders only (it kept them after 2023), policy documents
    beside the specs, one template for every release."""
    return {
        "setup.cfg": "[lpsync]\nproject = oslo\n",
        "specs/template.rst": OSLO_TEMPLATE,
        "specs/dalmatian/old-log-thing.rst": OLD_OSLO_SPEC,
        "specs/epoxy/.placeholder": "",
        "specs/policy/deprecation.rst": "===========\nDeprecation\n===========\n\nPolicy.\n",
    }


OLD_OSLO_SPEC = """\
==========
 Old words
==========

https://blueprints.launchpad.net/oslo.log/+spec/old-log-thing

Text.

Problem description
===================

Text.

Proposed change
===============

Text.

Implementation
==============

Assignee(s)
-----------

Primary assignee:
  ana

Other contributors:
  None

Milestones
----------

Target Milestone for completion:
  dalmatian-1

Work Items
----------

Text.
"""

LONG_ESCAPED = "Add ``hw:mem_encryption_*`` extra specs for AMD SEV and Intel TDX"
# 68 characters, 81 once escaped: over nova's 79 however few escapes are used.
TOO_LONG = "Let `*` `|` `<` `>` `[x]` `_` `*` `|` `<` `>` `[y]` `_` be ``cpu_*``"


def model() -> SandboxData:
    data = SandboxData()
    for name, display in (("ana", "Ana Lima"), ("bo", "Bo Chen")):
        data.add_person(name=name, display_name=display)
    data.add_project_group(name="openstack", display_name="OpenStack")
    data.add_project(name="nova", display_name="Nova", project_group="openstack")
    for series in ("zed", "antelope", "hibiscus", "indri", "jackal"):
        data.add_series(project="nova", name=series)
        data.add_milestone(project="nova", name=f"{series}-2", series=series)
    nova = (
        ("mem-encryption", LONG_ESCAPED, "hibiscus-2"),
        ("cpu-modes", TOO_LONG, "hibiscus-2"),
        ("unified-limits", "Use unified limits for quota in nova", "antelope-2"),
        ("next-thing", "Something for indri", "indri-2"),
        ("future-thing", "Something for a release the table does not know", "jackal-2"),
        ("old-thing", "An old implemented thing", "zed-2"),
    )
    for name, title, milestone in nova:
        data.add_blueprint(
            project="nova", name=name, title=title, assignee="ana", milestone=milestone
        )
    data.add_project_group(name="oslo", display_name="Oslo")
    data.add_project(name="oslo.log", display_name="oslo.log", project_group="oslo")
    for series in ("dalmatian", "2025.2", "hibiscus"):
        data.add_series(project="oslo.log", name=series)
        data.add_milestone(project="oslo.log", name=f"{series}-1", series=series)
    oslo = (
        ("quiet-logs", "Quieter logs for ``oslo.log``", "2025.2-1"),
        ("old-log-thing", "New words", "dalmatian-1"),
        ("copied-thing", "Copied across releases", "hibiscus-1"),
    )
    for name, title, milestone in oslo:
        data.add_blueprint(
            project="oslo.log", name=name, title=title, assignee="bo", milestone=milestone
        )
    return data


# -- the gates' checks ------------------------------------------------------------------


def _top_sections(text: str) -> dict[str, list[str]]:
    # publish_doctree promotes a lone top section to the document title: look below it.
    doctree = publish_doctree(text, settings_overrides={"report_level": 5, "halt_level": 5})
    found: dict[str, list[str]] = {}
    for section in doctree.findall(nodes.section):
        parent = section.parent
        if isinstance(parent, nodes.document):
            title = section[0].astext()
            found[title] = [c[0].astext() for c in section if isinstance(c, nodes.section)]
    return found


def gate_problems(text: str, template: str, max_length: int = 79) -> list[str]:
    """What the repo's gate would reject in ``text``: sections missing from the
    template's (History optional, extra subsections allowed), long lines (nova's
    exemptions: URLs, unbreakable words, literal blocks), trailing whitespace, CR,
    and any docutils message at level 2 (warning) or above."""
    problems = []
    want, have = _top_sections(template), _top_sections(text)
    for title, subs in want.items():
        if title not in have:
            if title != "History":
                problems.append(f"missing section {title!r}")
            continue
        problems += [f"missing subsection {title}/{s}" for s in subs if s not in have[title]]
    problems += [f"extra section {title!r}" for title in have if title not in want]
    literal = False
    for n, line in enumerate(text.split("\n"), 1):
        if literal and line and not line[0].isspace():
            literal = False
        if (
            len(line) > max_length
            and "http://" not in line
            and "https://" not in line
            and not re.match(r"\s*[^\s]+$", line)
            and not literal
        ):
            problems.append(f"line {n} is {len(line)} characters")
        if "::" in line:
            literal = True
        if line != line.rstrip(" \t"):
            problems.append(f"line {n} has trailing whitespace")
    if "\r" in text:
        problems.append("carriage return")
    stream = io.StringIO()
    publish_doctree(
        text, settings_overrides={"report_level": 2, "halt_level": 5, "warning_stream": stream}
    )
    if stream.getvalue():
        problems.append(f"docutils: {stream.getvalue().strip()}")
    return problems


def title_renders_as(text: str) -> str:
    """The document title docutils renders for ``text``."""
    doctree = publish_doctree(text, settings_overrides={"report_level": 5, "halt_level": 5})
    return next(doctree.findall(nodes.title)).astext()


def read(repo: Path, rel: str) -> str:
    with open(repo / rel, encoding="utf-8", newline="") as fh:
        return fh.read()
