"""Assignee matching against the forms real specs use (spec-repos research §2.2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given, settings
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
    ("text", "lp_id"),
    [
        # Launchpad names are [a-z0-9][a-z0-9+.-]+: an id may end with "-" or "." (the
        # punctuation stripped from prose words must not be stripped from the id).
        ("A- (a-)", "a-"),
        ("a-", "a-"),
        ("* x.", "x."),
        ("<ab->", "ab-"),
        ("~ab-", "ab-"),
        ("IRC: ab.", "ab."),
        ("Jay Pipes jay-", "jay-"),
        ("a-b (a-b)", "a-b"),
        ("x.y (x.y)", "x.y"),
        ("a+b <a+b>", "a+b"),
        ("A+B <a+b>", "a+b"),
        ("Ab.Cd (ab.cd)", "ab.cd"),
        ("jaypipes.", "jaypipes"),  # a sentence's full stop still goes
    ],
)
def test_ids_with_launchpad_punctuation_match(text: str, lp_id: str) -> None:
    assert match(text, lp_id) is Match.YES


def test_trailing_punctuation_does_not_name_a_longer_id() -> None:
    assert match("Alice Smith (ab)", "ab-", "Other Person") is Match.NO


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


# The forms of spec-repos.md §2.2 (and a few more from the corpus), each with the id
# it gives in an id position: all must match on the id alone, with no request.
CORPUS_FORMS = [
    ("Doug Hellmann (doug-hellmann)", "doug-hellmann"),
    ("rushiagr (Rushi Agrawal)", "rushiagr"),
    ("Oleksii Zamiatin (ozamiatin@mirantis.com)", "ozamiatin"),
    ("yorik-sar (Yuriy Taraday, YorikSar @ freenode)", "yorik-sar"),
    ("* balazs-gibizer (Balazs Gibizer)", "balazs-gibizer"),
    ("Przemyslaw Czesnowicz <pczesno>", "pczesno"),
    ("* <gessau> Henry Gessau", "gessau"),
    ("Markus Zoeller (https://launchpad.net/~mzoeller)", "mzoeller"),
    ("`miguel-lavalle <https://launchpad.net/~minsel>`_", "minsel"),
    ("Adam Young  ayoung ayoung@redhat.com", "ayoung"),
    ("Samuel de Medeiros Queiroz - samueldmq", "samueldmq"),
    ("Lance Bragstad <lbragstad@gmail.com> lbragstad", "lbragstad"),
    ("moshele (moshele@mellanox.com)", "moshele"),
    ("boris-42\ndinabelova\nharlowja\nzhiyan", "harlowja"),
    ("* Harlowja", "harlowja"),
    ("natsume-takashi", "natsume-takashi"),
    ("Dmitry Tantsur (lp: divius, irc: dtantsur)", "divius"),
    ("Dmitry Tantsur, IRC: dtantsur, LP: divius", "divius"),
    ("oslo.log work: dhellmann", "dhellmann"),
    ("eharney and akerr (?)", "akerr"),
    ("eharney (spec, some implementation)", "eharney"),
    ("1. luqitao (qtlu@fiberhome.com)\n  2. tommylikehu(tommylikehu@gmail.com)", "luqitao"),
    ("w-wanghong (wanghong <w.wanghong@huawei.com>)", "wanghong"),
    ("Leo McGann <ljmcgann> lmcgann@redhat.com\n  Danni Shi <sdanni>", "sdanni"),
    ("Jay Faulkner (JayF)", "jayf"),
    ("~dmitri", "dmitri"),
    ("@dmitri on IRC", "dmitri"),
    ("lp:dmitri", "dmitri"),
]


@pytest.mark.parametrize(("text", "lp_id"), CORPUS_FORMS)
def test_corpus_forms_match_on_the_id_alone(text: str, lp_id: str) -> None:
    assert match(text, lp_id) is Match.YES


@pytest.mark.parametrize(
    "text",
    [
        "Dmitri Petrov",
        "* Dmitri Petrov",
        "Dmitri Petrov <dpetrov@example.com>",
        "Dmitri Petrov (https://launchpad.net/~dpetrov)",
        "Dmitri Petrov (Dmitri Petrov)",
        "dmitri-petrov",
        "dmitri.petrov",
        "xdmitri",
    ],
)
def test_an_id_is_not_matched_inside_another_name(text: str) -> None:
    # Blueprint assignee dmitri ("Dmitri Volkov"): the id spelled as a word of
    # someone else's full name is no match; the full name is compared with the
    # display name.
    assert match(text, "dmitri") is not Match.YES
    assert match(text, "dmitri", "Dmitri Volkov") is Match.NO


def test_a_full_name_matches_the_display_name() -> None:
    assert match("Dmitri Volkov", "dmitri") is Match.NEED_NAME
    assert match("Dmitri Volkov", "dmitri", "Dmitri Volkov") is Match.YES


def test_audit_reports_someone_else_who_shares_a_word_with_the_id(tmp_path: Path) -> None:
    # Blueprint assignee dmitri ("Dmitri Volkov"); the spec names Dmitri Petrov.
    from lpsync.audit import run_audit
    from lpsync.config import load_config
    from lpsync.launchpad import open_launchpad
    from lpsync.sandbox import Sandbox, SandboxData

    data = SandboxData()
    data.add_person(name="dmitri", display_name="Dmitri Volkov")
    data.add_project(name="nova", display_name="Nova")
    data.add_blueprint(project="nova", name="x-feature", title="X feature", assignee="dmitri")
    spec = tmp_path / "specs" / "zed" / "x-feature.rst"
    spec.parent.mkdir(parents=True)
    (tmp_path / "setup.cfg").write_text("[lpsync]\nproject = nova\n")
    body = (
        "=========\nX feature\n=========\n\nhttps://blueprints.launchpad.net/nova/+spec/x-feature\n"
    )
    for written, codes in (("Dmitri Petrov", ["LPS401"]), ("Dmitri Volkov", []), ("dmitri", [])):
        spec.write_text(f"{body}\nPrimary assignee:\n  {written}\n", encoding="utf-8")
        with (
            Sandbox.from_model(data) as sandbox,
            open_launchpad(sandbox.service_root, tmp_path / "c", timeout=5) as session,
        ):
            result = run_audit(tmp_path, load_config(tmp_path), session)
        assert [f.code for f in result.findings] == codes, written


# Launchpad's rule for names (lp.app.validators.name): at least two characters, and "+",
# "." and "-" anywhere after the first, the end included. An id made of digits alone
# reads as a list's number ("1. luqitao"), and a placeholder word as no one.
person_ids = st.from_regex(r"[a-z0-9][a-z0-9+.\-]{1,20}", fullmatch=True).filter(
    lambda i: any(c.isalpha() for c in i) and not is_placeholder(i)
)


@settings(max_examples=300)
@given(
    person_ids,
    st.sampled_from(
        [
            "{id}",
            "* {id}",
            "<{id}>",
            "{Id} ({id})",
            "Jay Pipes ({id})",
            "Jay Pipes <{id}>",
            "~{id}",
            "https://launchpad.net/~{id}",
            "IRC: {id}",
            "Jay Pipes - {id}",
            "Jay Pipes {id}",
            "  * {id}\n",
        ]
    ),
)
def test_every_valid_id_matches_in_an_id_position(lp_id: str, form: str) -> None:
    text = form.format(id=lp_id, Id=lp_id.title())
    assert match(text, lp_id) is Match.YES, text


@settings(max_examples=300)
@given(person_ids, person_ids, st.sampled_from(["{id}", "<{id}>", "Other Body ({id})", "~{id}"]))
def test_another_valid_id_is_no_match(lp_id: str, other: str, form: str) -> None:
    # A trailing "." or "-" may be a sentence's punctuation ("ask jaypipes."), so ids
    # that differ by it alone are not told apart.
    assume(lp_id.rstrip(".-") != other.rstrip(".-"))
    assert match(form.format(id=other), lp_id, "Some Body") is Match.NO
