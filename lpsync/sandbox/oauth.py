"""OAuth 1.0 PLAINTEXT, as Launchpad checks it: who signed a request, if anyone.

launchpadlib signs every request (``Authorization: OAuth ...``); an anonymous one
carries an empty token and the signature ``&``. A PLAINTEXT signature is the consumer
secret and the token secret, each percent-encoded, joined by ``&`` (RFC 5849 3.4.4),
and percent-encoded once more in the header.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote

from lpsync.sandbox.model import Token


@dataclass(frozen=True)
class Signer:
    """The result of checking a request's Authorization header."""

    token: Token | None  # None: anonymous, or refused (see ``refusal``)
    refusal: str | None = None  # why a signed request is not accepted (401 body)


ANONYMOUS = Signer(None)


def parse(header: str) -> dict[str, str] | None:
    """The ``oauth_*`` parameters of an ``OAuth`` Authorization header, or None."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "oauth":
        return None
    params = {}
    for part in rest.split(","):
        key, sep, value = part.strip().partition("=")
        if sep:
            params[key.strip()] = unquote(value.strip().strip('"'))
    return params


def _encode(text: str) -> str:
    return quote(text, safe="~")


def check(header: str | None, tokens: Mapping[str, Token]) -> Signer:
    """Who signed the request. Messages are Launchpad's words and never repeat what
    the client sent (a secret must not come back in a body or a log)."""
    params = parse(header) if header else None
    if params is None or not params.get("oauth_token"):
        return ANONYMOUS
    token = tokens.get(params["oauth_token"])
    if token is None:
        return Signer(None, "Unknown access token.")
    if params.get("oauth_signature_method") != "PLAINTEXT":
        return Signer(None, "Only the PLAINTEXT signature method is accepted.")
    if params.get("oauth_consumer_key") != token.consumer_key:
        return Signer(None, "Unknown access token.")  # a token belongs to its consumer
    expected = f"{_encode(token.consumer_secret)}&{_encode(token.secret)}"
    if not hmac.compare_digest(params.get("oauth_signature", "").encode(), expected.encode()):
        return Signer(None, "Invalid signature.")
    return Signer(token)
