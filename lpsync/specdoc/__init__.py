"""The spec model: read, surgically update and scaffold the fields lpsync manages in a
spec file.

The four fields are the document title, the blueprint URL, the ``Primary assignee:``
value and the ``Target Milestone for completion:`` value.

How reading works:

* A cheap line scan finds *candidates*: every ``https://blueprints.launchpad.net`` host,
  every assignee/milestone label, every line that could be a section title.
* docutils decides which candidates are real.  Each candidate is *marked* in the text
  given to docutils with a same-length, same-character-class token (``blueprints`` ->
  ``bp00000007``, ``Primary`` -> ``Q000007``, ``Target`` -> ``T00007``) so that the
  doctree tells exactly which candidate became a hyperlink or prose, without relying on
  docutils' unreliable ``.line`` values.  Markers cannot change the structure docutils
  sees because lengths and character classes are unchanged.
* The fast reader gives docutils only the top-level blocks that hold a candidate (a
  block runs from an unindented line after a blank line to the next such line: in RST
  only such a line can start a new body element at section level).  The reference
  reader gives docutils the whole file.  Both then share the same value extraction, so
  they agree wherever docutils agrees on the blocks; a test checks this over the corpus.
* Values (where the URL ends, what follows a label) are taken from the raw text, so
  offsets are exact and updates can splice them byte for byte.

The modules, each owning one thing (the spec model's four concerns: reading, editing,
scaffolding and structure checks):

* ``model``: the public value types (``SpecFields``, ``LinkedBlueprint``, ...);
* ``parse``: docutils, configured once (``_parse``) and the nodes that are not prose;
* ``lines``: the raw line view (``_Lines``, ``split_lines``), adornment and
  title-candidate patterns;
* ``candidates``: finding, marking and deciding field candidates;
* ``sections``: sections with their raw line spans, for the edits and the preamble;
* ``fields``: reading fields and links (``read_fields``, ``primary_link``, ...);
* ``files``: which files are specs or templates, reading one (``read_spec``);
* ``titles``: cleaning and escaping blueprint titles;
* ``edit``: surgical edits (``update_text``, ``stale_fields``);
* ``templates``: the one template finder (``spec_template`` for lint,
  ``find_template`` for pull and ``audit --fix``) and loading a template;
* ``scaffold``: a new spec from a template;
* ``structure``: the section tree and literal blocks lint checks, read fast and
  proved equal to docutils' whole-file parse.
"""

from __future__ import annotations

from lpsync.specdoc.edit import (
    MIN_ADORNMENT,
    long_title,
    names_assignee,
    needs_display_name,
    stale_fields,
    update_text,
)
from lpsync.specdoc.fields import (
    preamble_links,
    primary_link,
    read_fields,
    read_fields_full,
    scan_links,
    stem_names,
)
from lpsync.specdoc.files import (
    decode_spec,
    is_spec_file,
    is_spec_name,
    read_spec,
    spec_from_bytes,
)
from lpsync.specdoc.lines import _ADORN_RE as _ADORN_RE
from lpsync.specdoc.lines import _join_ranges as _join_ranges
from lpsync.specdoc.lines import _Lines as _Lines
from lpsync.specdoc.lines import _title_candidates as _title_candidates
from lpsync.specdoc.model import BlueprintValues, LinkedBlueprint, Located, SpecFields
from lpsync.specdoc.parse import _parse as _parse
from lpsync.specdoc.scaffold import scaffold
from lpsync.specdoc.templates import (
    default_template,
    find_template,
    load_template,
    missing_release_template,
    release_of,
    release_templates,
    spec_template,
    template_links,
    templates_by_release,
)
from lpsync.specdoc.titles import clean_title, escape_title, title_problem

__all__ = [
    "MIN_ADORNMENT",
    "BlueprintValues",
    "LinkedBlueprint",
    "Located",
    "SpecFields",
    "clean_title",
    "decode_spec",
    "default_template",
    "escape_title",
    "find_template",
    "is_spec_file",
    "is_spec_name",
    "load_template",
    "missing_release_template",
    "template_links",
    "templates_by_release",
    "long_title",
    "names_assignee",
    "needs_display_name",
    "preamble_links",
    "primary_link",
    "read_fields",
    "read_fields_full",
    "read_spec",
    "release_of",
    "release_templates",
    "scaffold",
    "scan_links",
    "spec_from_bytes",
    "spec_template",
    "stale_fields",
    "stem_names",
    "title_problem",
    "update_text",
]
