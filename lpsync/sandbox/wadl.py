"""The stand-in's WADL, generated from one table of resource types and their fields.

The table is a subset of the real Launchpad devel web service: names, link types and
enum options match it (``tests/test_wadl_crosscheck.py`` checks that against a real
capture). The client (wadllib) reads every attribute, link and named operation from
this document, so a field missing here is invisible to launchpadlib.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from lpsync.sandbox import enums

WADL_MEDIA_TYPE = "application/vnd.sun.wadl+xml"


@dataclass(frozen=True)
class Field:
    name: str
    link: str | None = None  # resource type id the link points at, e.g. "person"
    options: tuple[str, ...] = ()
    type: str | None = None  # e.g. "xsd:dateTime"


@dataclass(frozen=True)
class Operation:
    """A named GET operation (``?ws.op=NAME&param=json``)."""

    name: str
    params: tuple[str, ...]
    returns: str  # representation id, e.g. "specification-full"


@dataclass(frozen=True)
class EntryType:
    id: str
    fields: tuple[Field, ...]
    operations: tuple[Operation, ...] = ()
    paged: bool = True  # declare "<id>-page-resource" / "<id>-page" for collections of it
    # Fields a PATCH may change ("<id>-diff", as in the real WADL); none: no PATCH.
    diff: tuple[Field, ...] = ()


@dataclass(frozen=True)
class CollectionType:
    """A top-level collection (its id matters: launchpadlib picks ProjectSet etc. by it)."""

    id: str
    entry: str


def _link(name: str, target: str) -> Field:
    return Field(name, link=target)


def _page(name: str, entry: str) -> Field:
    return Field(name, link=f"{entry}-page-resource")


def _dt(name: str) -> Field:
    return Field(name, type="xsd:dateTime")


_SPEC_TARGET_LINKS = (
    _page("all_specifications_collection_link", "specification"),
    _page("valid_specifications_collection_link", "specification"),
)
# What projects and project groups ("pillars") both carry.
_PILLAR_FIELDS = (
    Field("name"),
    Field("display_name"),
    Field("title"),
    Field("summary"),
    Field("active"),
    Field("homepage_url"),
    _dt("date_created"),
    _link("owner_link", "person"),
    *_SPEC_TARGET_LINKS,
)
_MILESTONE_LINKS = (
    _page("active_milestones_collection_link", "milestone"),
    _page("all_milestones_collection_link", "milestone"),
)
_PERSON_FIELDS = (
    Field("name"),
    Field("display_name"),
    Field("is_team"),
    Field("karma"),
    Field("time_zone"),
    Field("private"),
    Field("visibility", options=enums.VISIBILITIES),
    _dt("date_created"),
)
_BY_NAME = ("name",)

# The one table. Order is irrelevant; ids and field names are Launchpad's.
ENTRY_TYPES: tuple[EntryType, ...] = (
    EntryType(
        "project",
        (
            *_PILLAR_FIELDS,
            Field("official_blueprints"),
            Field("information_type", options=enums.INFORMATION_TYPES),
            Field("specification_sharing_policy", options=enums.SHARING_POLICIES),
            _link("project_group_link", "project_group"),
            _link("development_focus_link", "project_series"),
            _page("series_collection_link", "project_series"),
            *_MILESTONE_LINKS,
        ),
        (
            Operation("getSpecification", _BY_NAME, "specification-full"),
            Operation("getMilestone", _BY_NAME, "milestone-full"),
            Operation("getSeries", _BY_NAME, "project_series-full"),
        ),
    ),
    # A project group has no getSpecification (the real service answers 400 to it).
    EntryType(
        "project_group",
        (
            *_PILLAR_FIELDS,
            _page("projects_collection_link", "project"),
        ),
    ),
    EntryType(
        "specification",
        (
            Field("name"),
            Field("title"),
            Field("summary"),
            Field("specification_url"),
            Field("whiteboard"),
            Field("workitems_text"),
            Field("definition_status", options=enums.DEFINITION_STATUSES),
            Field("implementation_status", options=enums.IMPLEMENTATION_STATUSES),
            Field("lifecycle_status", options=enums.LIFECYCLE_STATUSES),
            Field("priority", options=enums.PRIORITIES),
            Field("information_type", options=enums.INFORMATION_TYPES),
            Field("direction_approved"),
            Field("has_accepted_goal"),
            Field("is_complete"),
            Field("is_started"),
            _dt("date_created"),
            _dt("date_started"),
            _dt("date_completed"),
            _link("assignee_link", "person"),
            _link("drafter_link", "person"),
            _link("approver_link", "person"),
            _link("owner_link", "person"),
            _link("starter_link", "person"),
            _link("completer_link", "person"),
            _link("milestone_link", "milestone"),
            # As in the real WADL: not "#project". Reading spec.target.name fails client-side.
            _link("target_link", "specification_target"),
            _page("bugs_collection_link", "bug"),
            _page("dependencies_collection_link", "specification"),
            _page("linked_branches_collection_link", "specification_branch"),
        ),
        # The real specification-diff has more; the stand-in writes only this one.
        diff=(Field("specification_url"),),
    ),
    EntryType(
        "specification_target",
        _SPEC_TARGET_LINKS,
        (Operation("getSpecification", _BY_NAME, "specification-full"),),
        paged=False,
    ),
    EntryType("person", _PERSON_FIELDS),
    EntryType(
        "team",
        (
            *_PERSON_FIELDS,
            Field("membership_policy", options=enums.MEMBERSHIP_POLICIES),
            _link("team_owner_link", "person"),
        ),
    ),
    EntryType(
        "milestone",
        (
            Field("name"),
            Field("title"),
            Field("code_name"),
            Field("summary"),
            Field("is_active"),
            Field("date_targeted", type="xsd:date"),
            _link("target_link", "has_milestones"),
            _link("series_target_link", "has_milestones"),
        ),
    ),
    EntryType("has_milestones", _MILESTONE_LINKS, paged=False),
    EntryType(
        "project_series",
        (
            Field("name"),
            Field("display_name"),
            Field("title"),
            Field("summary"),
            Field("active"),
            Field("status", options=enums.SERIES_STATUSES),
            _dt("date_created"),
            _link("project_link", "project"),
            *_MILESTONE_LINKS,
            *_SPEC_TARGET_LINKS,
        ),
        (Operation("getSpecification", _BY_NAME, "specification-full"),),
    ),
    # Only so that the spec's collection links resolve; the stand-in serves them empty.
    EntryType("bug", (Field("title"), Field("description"), _dt("date_created"))),
    EntryType(
        "specification_branch",
        (_link("specification_link", "specification"), _link("registrant_link", "person")),
    ),
)

COLLECTION_TYPES: tuple[CollectionType, ...] = (
    CollectionType("projects", "project"),
    CollectionType("project_groups", "project_group"),
    CollectionType("people", "person"),
)

# Fields every entry representation has, before its own ones.
COMMON_FIELDS = ("self_link", "web_link", "resource_type_link", "http_etag")
PAGE_FIELDS = (
    "resource_type_link",
    "total_size",
    "start",
    "next_collection_link",
    "prev_collection_link",
    "entries",
    "entry_links",
)


def entry_type(type_id: str) -> EntryType:
    for entry in ENTRY_TYPES:
        if entry.id == type_id:
            return entry
    raise KeyError(type_id)


def field_names(type_id: str) -> list[str]:
    """The JSON keys of a ``<type_id>-full`` representation, in WADL order."""
    return [*COMMON_FIELDS, *(f.name for f in entry_type(type_id).fields)]


def declared_resource_types() -> set[str]:
    ids = {"service-root", *(c.id for c in COLLECTION_TYPES)}
    for entry in ENTRY_TYPES:
        ids.add(entry.id)
        if entry.paged:
            ids.add(f"{entry.id}-page-resource")
    return ids


# -- rendering ---------------------------------------------------------------------------


def _param(field: Field) -> str:
    attrs = f'style="plain" name={quoteattr(field.name)} path={quoteattr(f"$[{field.name!r}]")}'
    if field.type:
        attrs += f" type={quoteattr(field.type)}"
    inner = "".join(f"<wadl:option value={quoteattr(o)}/>" for o in field.options)
    if field.link:
        inner += f'<wadl:link resource_type="#{field.link}"/>'
    elif field.link == "":  # a link the client does not follow (web_link etc.)
        inner += "<wadl:link/>"
    if not inner:
        return f"    <wadl:param {attrs}/>"
    return f"    <wadl:param {attrs}>{inner}</wadl:param>"


def _operation(type_id: str, op: Operation) -> str:
    params = "".join(
        f'<wadl:param style="query" name={quoteattr(p)} required="true"/>' for p in op.params
    )
    return (
        f'  <wadl:method name="GET" id="{type_id}-{op.name}"><wadl:request>'
        f'<wadl:param style="query" name="ws.op" required="true" fixed={quoteattr(op.name)}/>'
        f"{params}</wadl:request><wadl:response>"
        f'<wadl:representation href="#{op.returns}"/></wadl:response></wadl:method>'
    )


def _get(type_id: str, representation: str) -> str:
    return (
        f'  <wadl:method name="GET" id="{type_id}-get"><wadl:response>'
        f'<wadl:representation href="#{representation}"/>'
        f'<wadl:representation mediaType="{WADL_MEDIA_TYPE}" id="{type_id}-wadl"/>'
        "</wadl:response></wadl:method>"
    )


def _patch(entry: EntryType) -> list[str]:
    """The PATCH method and its ``-diff`` representation, shaped as the real ones."""
    if not entry.diff:
        return []
    diff = f"{entry.id}-diff"
    return [
        f'  <wadl:method name="PATCH" id="{entry.id}-patch"><wadl:request>'
        f'<wadl:representation href="#{diff}"/></wadl:request></wadl:method>',
    ]


def _diff_parts(entry: EntryType) -> list[str]:
    if not entry.diff:
        return []
    return [
        f'<wadl:representation mediaType="application/json" id="{entry.id}-diff">',
        *(
            _param(f).replace("<wadl:param ", '<wadl:param required="false" ', 1)
            for f in entry.diff
        ),
        "</wadl:representation>",
    ]


def _entry_parts(entry: EntryType) -> list[str]:
    parts = [
        f'<wadl:resource_type id="{entry.id}">',
        _get(entry.id, f"{entry.id}-full"),
        *_patch(entry),
        *(_operation(entry.id, op) for op in entry.operations),
        "</wadl:resource_type>",
        *_diff_parts(entry),
        f'<wadl:representation mediaType="application/json" id="{entry.id}-full">',
        _param(Field("self_link", link=entry.id)),
        _param(Field("web_link", link="")),
        _param(Field("resource_type_link", link="")),
        _param(Field("http_etag")),
        *(_param(f) for f in entry.fields),
        "</wadl:representation>",
    ]
    if entry.paged:
        page = f"{entry.id}-page"
        parts += [
            f'<wadl:resource_type id="{page}-resource">',
            f'  <wadl:method name="GET" id="{page}-resource-get"><wadl:response>'
            f'<wadl:representation href="#{page}"/></wadl:response></wadl:method>',
            "</wadl:resource_type>",
            f'<wadl:representation mediaType="application/json" id="{page}">',
            _param(Field("resource_type_link", link="")),
            _param(Field("total_size")),
            _param(Field("start")),
            _param(Field("next_collection_link", link=f"{page}-resource")),
            _param(Field("prev_collection_link", link=f"{page}-resource")),
            _param(Field("entries")),
            '    <wadl:param style="plain" name="entry_links"'
            " path=\"$['entries'][*]['self_link']\">"
            f'<wadl:link resource_type="#{entry.id}"/></wadl:param>',
            "</wadl:representation>",
        ]
    return parts


def render_wadl(versioned_root: str) -> bytes:
    """The whole WADL document; ``versioned_root`` is e.g. ``http://127.0.0.1:PORT/devel/``."""
    root_fields = [Field(f"{c.id}_collection_link", link=c.id) for c in COLLECTION_TYPES]
    parts = [
        '<?xml version="1.0"?>',
        '<wadl:application xmlns:wadl="http://research.sun.com/wadl/2006/10"'
        ' xmlns:xsd="http://www.w3.org/2001/XMLSchema">',
        f"<wadl:resources base={quoteattr(versioned_root)}>"
        '<wadl:resource path="" type="#service-root"/></wadl:resources>',
        '<wadl:resource_type id="service-root">',
        '  <wadl:method name="GET" id="service-root-get"><wadl:response>'
        '<wadl:representation href="#service-root-json"/>'
        f'<wadl:representation mediaType="{WADL_MEDIA_TYPE}" id="service-root-wadl"/>'
        "</wadl:response></wadl:method>",
        "</wadl:resource_type>",
        '<wadl:representation mediaType="application/json" id="service-root-json">',
        *(_param(f) for f in root_fields),
        _param(Field("resource_type_link", link="")),
        "</wadl:representation>",
    ]
    for coll in COLLECTION_TYPES:
        parts += [
            f'<wadl:resource_type id="{coll.id}">',
            f'  <wadl:method name="GET" id="{coll.id}-get"><wadl:response>'
            f'<wadl:representation href="#{coll.entry}-page"/>'
            f'<wadl:representation mediaType="{WADL_MEDIA_TYPE}" id="{coll.id}-wadl"/>'
            "</wadl:response></wadl:method>",
            "</wadl:resource_type>",
        ]
    for entry in ENTRY_TYPES:
        parts += _entry_parts(entry)
    parts.append("</wadl:application>")
    return ("\n".join(parts) + "\n").encode("utf-8")
