"""Does a spec's free-text assignee name a given Launchpad person?

Real specs write the person as a Launchpad id (``jaypipes``), a full name
(``Artom Lifshitz``), ``Name (id)``, ``<id>``, an email or a profile URL
(``https://launchpad.net/~mzoeller``), often with bullets or several people. Exact
equality would flag about half of the real corpus, so matching is by containment.

Matching runs in two steps so that a person is fetched only when needed: ``match``
with ``display_name=None`` decides everything the Launchpad id alone can decide and
answers NEED_NAME otherwise; the caller fetches the display name (once per person)
and calls ``match`` again.
"""

from __future__ import annotations

import enum
import re
import unicodedata

from lpsync.names import contains_token


class Match(enum.Enum):
    YES = "yes"  # the text names the person
    NO = "no"  # the text names someone else (or nobody)
    UNVERIFIABLE = "unverifiable"  # only emails, none of which can be tied to the person
    NEED_NAME = "need-name"  # undecided without the person's display name
    EMPTY = "empty"  # None, TBD, ?, or a template placeholder


PROFILE_RE = re.compile(r"https?://(?:www\.)?launchpad\.net/~([a-z0-9][a-z0-9+.\-]*)", re.I)
EMAIL_RE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# Punctuation that wraps or separates people in real specs: bullets, <id>, (id), commas.
SEPARATORS_RE = re.compile(r"[\s*<>()\[\],;/|`'\"]+")
PLACEHOLDERS = frozenset({"", "none", "tbd", "tba", "?", "n/a", "na", "unknown", "nobody", "-"})


def _fold(text: str) -> str:
    """Case- and accent-insensitive form with whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def is_placeholder(text: str | None) -> bool:
    """True for an empty assignee: None, TBD, ?, or the template's ``<launchpad-id or None>``."""
    if text is None:
        return True
    folded = _fold(text).strip(" *-:.")
    if folded.strip("<>()").strip() in PLACEHOLDERS:
        return True
    # Template text left in place, e.g. "<launchpad-id or None>" or
    # "<IRC handle, email address, or None>".
    return folded.startswith("<") and folded.endswith("or none>")


def match(text: str | None, lp_id: str, display_name: str | None = None) -> Match:
    """Decide whether ``text`` names the person ``lp_id`` (display name when known)."""
    if is_placeholder(text):
        return Match.EMPTY
    assert text is not None
    if contains_token(text, lp_id):  # the rule update_text uses: @id, lp:id, ``id``
        return Match.YES
    lp_id = lp_id.casefold()
    profiles = [p.casefold() for p in PROFILE_RE.findall(text)]
    if lp_id in profiles:
        return Match.YES
    rest = PROFILE_RE.sub(" ", text)
    emails = [e.casefold() for e in EMAIL_RE.findall(rest)]
    # ozamiatin@mirantis.com names ~ozamiatin: accept the local part as an id.
    if any(e.partition("@")[0] == lp_id for e in emails):
        return Match.YES
    rest = EMAIL_RE.sub(" ", rest)
    tokens = [t for t in SEPARATORS_RE.split(rest.casefold()) if t]
    if lp_id in tokens or lp_id in (t.strip(".:-") for t in tokens):
        return Match.YES
    words = [t for t in tokens if any(c.isalnum() for c in t)]
    if not words and not emails and profiles:
        return Match.NO  # only profile URLs, all naming someone else
    if display_name is None:
        return Match.NEED_NAME
    name = _fold(display_name)
    if name and _contains_words(_fold(" ".join(SEPARATORS_RE.split(rest))), name):
        return Match.YES
    # john.smith@example.com may name "John Smith".
    for email in emails:
        local = re.sub(r"[._\-+]+", " ", email.partition("@")[0])
        if name and _fold(local) == name:
            return Match.YES
    if emails and not words:
        return Match.UNVERIFIABLE
    return Match.NO


def _contains_words(haystack: str, needle: str) -> bool:
    """``needle`` occurs in ``haystack`` on word boundaries (so "Ann" is not in "Joanna")."""
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack) is not None
