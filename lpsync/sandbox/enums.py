"""Launchpad enum titles, as they travel on the wire (devel web service).

Values and their order match the real devel WADL's ``<wadl:option>`` lists; the
cross-check test compares them.
"""

from __future__ import annotations

DEFINITION_STATUSES = (
    "Approved",
    "Pending Approval",
    "Review",
    "Drafting",
    "Discussion",
    "New",
    "Superseded",
    "Obsolete",
)
IMPLEMENTATION_STATUSES = (
    "Unknown",
    "Not started",
    "Deferred",
    "Needs Infrastructure",
    "Blocked",
    "Started",
    "Slow progress",
    "Good progress",
    "Beta Available",
    "Needs Code Review",
    "Deployment",
    "Implemented",
    "Informational",
)
LIFECYCLE_STATUSES = ("Not started", "Started", "Complete")
PRIORITIES = ("Not", "Undefined", "Low", "Medium", "High", "Essential")
INFORMATION_TYPES = (
    "Public",
    "Public Security",
    "Private Security",
    "Private",
    "Proprietary",
    "Embargoed",
)
SHARING_POLICIES = (
    "Public",
    "Public, can be proprietary",
    "Proprietary, can be public",
    "Proprietary",
    "Embargoed, can be proprietary",
    "Forbidden",
)
SERIES_STATUSES = (
    "Experimental",
    "Active Development",
    "Pre-release Freeze",
    "Current Stable Release",
    "Supported",
    "Obsolete",
    "Future",
)
# SpecificationGoalStatus: not exported on the wire, but it decides series listings.
GOAL_STATUSES = ("Accepted", "Declined", "Proposed")
VISIBILITIES = ("Public", "Private")
MEMBERSHIP_POLICIES = ("Open Team", "Delegated Team", "Moderated Team", "Restricted Team")

# Launchpad's rules (lp.blueprints.model.specification): a spec is complete when it is
# Implemented, Obsolete/Superseded, or Informational and Approved; it is started when its
# implementation status is past the "not begun" ones, or it is complete.
_NOT_BEGUN = ("Unknown", "Not started", "Deferred", "Informational")
# valid_specifications hides these (SpecificationFilter.VALID).
INVALID_DEFINITION_STATUSES = ("Obsolete", "Superseded")


def is_complete(definition_status: str, implementation_status: str) -> bool:
    return (
        implementation_status == "Implemented"
        or definition_status in INVALID_DEFINITION_STATUSES
        or (implementation_status == "Informational" and definition_status == "Approved")
    )


def is_started(definition_status: str, implementation_status: str) -> bool:
    return implementation_status not in _NOT_BEGUN or is_complete(
        definition_status, implementation_status
    )


def lifecycle_status(definition_status: str, implementation_status: str) -> str:
    if is_complete(definition_status, implementation_status):
        return "Complete"
    if is_started(definition_status, implementation_status):
        return "Started"
    return "Not started"
