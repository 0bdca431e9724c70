"""Does a spec's free-text assignee name a given Launchpad person?

Real specs write the person as a Launchpad id (``jaypipes``), a full name
(``Artom Lifshitz``), ``Name (id)``, ``<id>``, an email or a profile URL
(``https://launchpad.net/~mzoeller``), often with bullets or several people. Exact
equality would flag about half of the real corpus; containment would take ``dmitri``
to be named by ``Dmitri Petrov``. So an id counts only where it stands in an *id
position*: alone in an entry (a line, or a part between commas or `` - ``), in
``(id)`` or ``<id>``, in a profile URL, as ``~id``, ``@id`` or ``lp:id``, as an email's
local part, or as a lowercase word beside a capitalised name (``Jay Pipes jaypipes``).
A value that reads as a full name is compared with the person's display name.

Matching runs in two steps so that a person is fetched only when needed: ``match``
with ``display_name=None`` decides everything the Launchpad id alone can decide and
answers NEED_NAME otherwise; the caller fetches the display name (once per person)
and calls ``match`` again.

Every pattern here runs in time linear in the text: each repeat is bounded, or a
lookbehind lets it start only at the beginning of a run (a 9,000-letter line once
took seconds per pattern).
"""

from __future__ import annotations

import enum
import re
import unicodedata


class Match(enum.Enum):
    YES = "yes"  # the text names the person
    NO = "no"  # the text names someone else (or nobody)
    UNVERIFIABLE = "unverifiable"  # only emails, none of which can be tied to the person
    NEED_NAME = "need-name"  # undecided without the person's display name
    EMPTY = "empty"  # None, TBD, ?, or a template placeholder


PROFILE_RE = re.compile(
    r"https?://(?:www\.)?launchpad\.net/~([a-z0-9][a-z0-9+.\-]{0,63})(?![a-z0-9+.\-])", re.I
)
# Starts only where a run of local-part characters starts: linear on long runs.
EMAIL_RE = re.compile(r"(?<![\w.+\-])[\w.+\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63}){1,8}")
# (id) or <id>: a bracketed group on one line, of bounded length.
BRACKETS_RE = re.compile(r"[(<]([^()<>\n]{0,200})[)>]")
# Punctuation that wraps or separates people in real specs: bullets, <id>, (id), commas.
SEPARATORS_RE = re.compile(r"[\s*<>()\[\],;/|`'\"]+")
# What separates people (or a name from an id) in one value.
_EMAIL_SEPARATORS_RE = re.compile(r"[._\-+]+")
ENTRIES_RE = re.compile(r"[\n,;|/]|\s(?:[-\u2013\u2014]{1,2}|and|&)\s")
ID_PREFIXES = ("~", "@", "lp:")
# The patterns applied to a spec's assignee text (tests check that each is linear).
TEXT_PATTERNS = (PROFILE_RE, EMAIL_RE, BRACKETS_RE, SEPARATORS_RE, ENTRIES_RE)
PLACEHOLDER_MAX = 200  # no placeholder, the templates' included, is longer
PLACEHOLDERS = frozenset({"", "none", "tbd", "tba", "?", "n/a", "na", "unknown", "nobody", "-"})


def _fold(text: str) -> str:
    """Case- and accent-insensitive form with whitespace collapsed."""
    if not text.isascii():  # ASCII has nothing to decompose (and long text is costly)
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


def is_placeholder(text: str | None) -> bool:
    """True for an empty assignee: None, TBD, ?, or the template's ``<launchpad-id or None>``."""
    if text is None:
        return True
    if len(text) > PLACEHOLDER_MAX:
        return False
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
    if lp_id in id_positions(rest):
        return Match.YES
    words = [t for t in SEPARATORS_RE.split(rest.casefold()) if any(c.isalnum() for c in t)]
    if not words and not emails and profiles:
        return Match.NO  # only profile URLs, all naming someone else
    if display_name is None:
        return Match.NEED_NAME
    name = _fold(display_name)
    if name and _contains_words(_fold(" ".join(SEPARATORS_RE.split(rest))), name):
        return Match.YES
    # john.smith@example.com may name "John Smith".
    for email in emails:
        local = _EMAIL_SEPARATORS_RE.sub(" ", email.partition("@")[0])
        if name and _fold(local) == name:
            return Match.YES
    if emails and not words:
        return Match.UNVERIFIABLE
    return Match.NO


def id_positions(text: str) -> set[str]:
    """The (casefolded) words of ``text`` that stand where an id stands; profile URLs
    and emails are read before, by ``match``."""
    found: set[str] = set()

    def bracketed(m: re.Match[str]) -> str:
        # (id), <id>, (IRC: nick, lp: id); (Rushi Agrawal) or (spec, docs) is an aside.
        found.update(_entry_ids(m.group(1)))
        return " " if len(_words(m.group(1))) <= 1 else f"\n{m.group(1)}\n"

    for _ in range(3):  # (wanghong <email>): the inner group first
        text, count = BRACKETS_RE.subn(bracketed, text)
        if not count:
            break
    found.update(_entry_ids(text))
    return found


def _entry_ids(text: str) -> set[str]:
    found: set[str] = set()
    for entry in ENTRIES_RE.split(text):
        words: list[tuple[str, set[str]]] = []  # each word, with the forms of an id it gives
        labelled = False
        for word, raw in _tokens(entry):
            if word.endswith(":") and len(word) <= 12:
                labelled = True  # "IRC: dtantsur", "LP: divius": a label names what follows
                continue
            if word.isdigit():
                continue  # "1. luqitao": a list's number
            # "jaypipes." ends a sentence, but "a-" and "x." are valid ids too: both count.
            forms = {word.casefold(), raw.casefold()}
            prefixed = {  # ~id, @id, lp:id
                form[len(prefix) :]
                for form in forms
                for prefix in ID_PREFIXES
                if form.startswith(prefix) and len(form) > len(prefix)
            }
            found |= prefixed
            if labelled:
                found |= forms
                labelled = False
            words.append((word, forms | prefixed))
        if len(words) == 1:
            found.update(words[0][1])  # the id alone
        elif any(_capitalised(w) for w, _ in words):
            # "Jay Pipes jaypipes": a lowercase word beside a capitalised name.
            found.update(*(f for w, f in words if not _capitalised(w)))
        else:
            # "jay pipes" reads as a name; "w-wanghong foo" still holds an id's shape.
            found.update(*(f for w, f in words if not w.isalpha()))
    return found


def _words(text: str) -> list[str]:
    """The words of ``text``, a label's colon kept (``IRC:``)."""
    return [word for word, _raw in _tokens(text)]


def _tokens(text: str) -> list[tuple[str, str]]:
    """The words of ``text``, each with its raw form: the word is stripped of the
    ``.-_`` that punctuation puts around it (``jaypipes.``, ``-jaypipes``); the raw form
    keeps what a Launchpad id may end with (``a-``, ``x.``: ``[a-z0-9][a-z0-9+.-]+``)."""
    tokens = []
    for token in SEPARATORS_RE.split(text):
        word = _label_colon(token.strip(".-_"))
        if any(c.isalnum() for c in word):
            raw = _label_colon(token.lstrip(".-_").rstrip("_"))
            tokens.append((word, word if raw.endswith(":") else raw))
    return tokens


def _label_colon(word: str) -> str:
    return word[:-1].rstrip(":") + ":" if word.endswith(":") else word.strip(":")


def _capitalised(word: str) -> bool:
    first = next((c for c in word if c.isalpha()), "")
    return first.isupper()


def _contains_words(haystack: str, needle: str) -> bool:
    """``needle`` occurs in ``haystack`` on word boundaries (so "Ann" is not in "Joanna").
    A scan, not a regex per display name: audit asks this for every assignee."""
    start = haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        if not (start and _is_word(haystack[start - 1])) and not (
            end < len(haystack) and _is_word(haystack[end])
        ):
            return True
        start = haystack.find(needle, start + 1)
    return False


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what \w matches
