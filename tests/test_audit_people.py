"""Assignee matching against the forms real specs use (spec-repos research §2.2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lpsync.people import Match, is_placeholder, match


@pytest.mark.parametrize(
    "text",
    [
        "jaypipes",
        "JayPipes",
        "* jaypipes",
        "<jaypipes>",
        "Jay Pipes (jaypipes)",
        "jaypipes (Jay Pipes)",
        "Jay Pipes <jaypipes>",
        "jaypipes@example.com",
        "Jay Pipes (https://launchpad.net/~jaypipes)",
        "`jay <https://launchpad.net/~jaypipes>`_",
        "garyk\njaypipes",
        "Jay Pipes  jaypipes jay@example.com",
        "Jay Pipes - jaypipes",
    ],
)
def test_matches_by_id_without_display_name(text: str) -> None:
    assert match(text, "jaypipes") is Match.YES


@pytest.mark.parametrize(
    "text",
    ["Jay Pipes", "* Jay Pipes", "jay pipes", "Jay Pipes <jay@example.com>", "Jay  Pipes"],
)
def test_full_name_needs_display_name(text: str) -> None:
    assert match(text, "jaypipes") is Match.NEED_NAME
    assert match(text, "jaypipes", "Jay Pipes") is Match.YES


def test_accents_and_case_are_ignored() -> None:
    assert match("herve beraud", "hberaud", "Hervé Beraud") is Match.YES


def test_display_name_must_match_whole_words() -> None:
    assert match("Joanna Smith", "ann", "Ann") is Match.NO


@pytest.mark.parametrize(
    "text",
    ["someone-else", "Other Person", "Other Person <other@example.com>", "<other>"],
)
def test_other_person_is_no(text: str) -> None:
    assert match(text, "jaypipes", "Jay Pipes") is Match.NO


def test_other_profile_url_is_decided_without_a_request() -> None:
    assert match("https://launchpad.net/~other", "jaypipes") is Match.NO


def test_email_alone_is_unverifiable() -> None:
    assert match("<mjdoffma@us.ibm.com>", "jaypipes") is Match.NEED_NAME
    assert match("<mjdoffma@us.ibm.com>", "jaypipes", "Jay Pipes") is Match.UNVERIFIABLE


def test_email_local_part_may_spell_the_display_name() -> None:
    assert match("jay.pipes@example.com", "jp", "Jay Pipes") is Match.YES


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "None",
        "TBD",
        "?",
        "  * TBD",
        "<launchpad-id or None>",
        "<IRC handle, email address, or None>",
        "N/A",
    ],
)
def test_placeholders(text: str | None) -> None:
    assert is_placeholder(text)
    assert match(text, "jaypipes", "Jay Pipes") is Match.EMPTY


def test_none_is_not_a_placeholder_inside_a_name() -> None:
    assert not is_placeholder("Noney McNoneface")


@given(st.text(max_size=60), st.sampled_from(["jaypipes", "a", "sean-k-mooney"]))
def test_match_never_crashes(text: str, lp_id: str) -> None:
    assert isinstance(match(text, lp_id), Match)
    assert isinstance(match(text, lp_id, "Some Body"), Match)
    assert match(f"{text} ({lp_id})", lp_id) is Match.YES
