"""The stand-in's one write: a PATCH of a specification, signed with OAuth PLAINTEXT
by a token in its data, made by the real launchpadlib with credentials from a file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers_audit import base_data
from lazr.restfulclient.errors import HTTPError, Unauthorized

from lpsync.errors import LaunchpadError, UsageError
from lpsync.launchpad import load_credentials, open_launchpad
from lpsync.sandbox import DataError, Sandbox, SandboxData

KEY, SECRET = "bot-token-key", "bot-token-secret"
URL = "https://specs.example.org/specs/zed/one.html"


def credentials_file(path: Path, key: str = KEY, secret: str = SECRET) -> Path:
    path.write_text(
        "[1]\nconsumer_key = lpsync\nconsumer_secret = \n"
        f"access_token = {key}\naccess_secret = {secret}\n"
    )
    return path


@pytest.fixture
def writable() -> Iterator[Sandbox]:
    data = base_data()
    data.add_person(name="spec-bot", display_name="Spec Bot")
    data.add_token(person="spec-bot", key=KEY, secret=SECRET)
    data.add_blueprint(project="nova", name="one", title="One")
    data.add_blueprint(project="nova", name="two", title="Two", specification_url=URL + "x")
    with Sandbox.from_model(data) as server:
        yield server


def signed(server: Sandbox, tmp_path: Path, **creds: str) -> Any:
    """The real launchpadlib, with Credentials loaded from a file."""
    from launchpadlib.launchpad import Launchpad

    return Launchpad(
        load_credentials(credentials_file(tmp_path / "creds", **creds)),
        None,
        None,
        service_root=server.service_root,
        cache=str(tmp_path / "cache"),
        version="devel",
        proxy_info=None,
    )


def spec_of(lp: Any, server: Sandbox, name: str) -> Any:
    return lp.load(f"{server.service_root}devel/nova/+spec/{name}")


def test_a_signed_patch_is_applied_and_logged(writable: Sandbox, tmp_path: Path) -> None:
    lp = signed(writable, tmp_path)
    spec = spec_of(lp, writable, "one")
    writable.clear_requests()
    spec.specification_url = URL
    spec.lp_save()
    (patch,) = writable.requests
    assert (patch.method, patch.path, patch.status) == ("PATCH", "/devel/nova/+spec/one", 209)
    assert json.loads(patch.body) == {"specification_url": URL}
    assert writable.data.blueprints[("nova", "one")].specification_url == URL
    assert spec.specification_url == URL  # the 209 representation replaced the old one
    assert SECRET not in repr(writable.requests)


def test_anonymous_writes_are_401_as_on_launchpad(writable: Sandbox, tmp_path: Path) -> None:
    from launchpadlib.launchpad import Launchpad

    lp = Launchpad.login_anonymously(
        "lpsync",
        service_root=writable.service_root,
        launchpadlib_dir=str(tmp_path),
        version="devel",
        proxy_info=None,
    )
    spec = spec_of(lp, writable, "one")
    spec.specification_url = URL
    with pytest.raises(Unauthorized):
        spec.lp_save()
    assert writable.requests[-1][:2] == ("PATCH", "/devel/nova/+spec/one")
    assert writable.requests[-1].status == 401
    assert writable.data.blueprints[("nova", "one")].specification_url is None


@pytest.mark.parametrize("creds", [{"secret": "wrong"}, {"key": "unknown-key"}])
def test_a_bad_signature_or_token_is_401_even_to_read(
    writable: Sandbox, tmp_path: Path, creds: dict[str, str]
) -> None:
    with pytest.raises(Unauthorized):
        signed(writable, tmp_path, **creds)
    assert [r.status for r in writable.requests] == [401]


def test_what_launchpad_refuses_is_refused(writable: Sandbox, tmp_path: Path) -> None:
    lp = signed(writable, tmp_path)
    browser = lp._browser
    spec = f"{writable.service_root}devel/nova/+spec/one"
    for change, status, says in [
        ({"title": "New"}, 400, b"read-only attribute"),
        ({"colour": "red"}, 400, b"nonexistent attribute"),
        (
            {"specification_url": URL + "x"},
            400,
            b'already registered by <a href="https://blueprints.launchpad.net/nova/+spec/two">Two',
        ),
        ({"specification_url": "not a url"}, 400, b"Not a valid URL"),
    ]:
        with pytest.raises(HTTPError) as caught:
            browser.patch(spec, change, {})
        assert caught.value.response.status == status and says in caught.value.content
    with pytest.raises(HTTPError) as caught:
        browser.patch(spec, {"specification_url": URL}, {"If-Match": '"stale"'})
    assert caught.value.response.status == 412
    with pytest.raises(HTTPError) as caught:
        browser.patch(f"{writable.service_root}devel/nova", {"title": "x"}, {})
    assert caught.value.response.status == 405
    assert writable.data.blueprints[("nova", "one")].specification_url is None


def test_lpsync_session_writes_with_a_credentials_file(writable: Sandbox, tmp_path: Path) -> None:
    creds = credentials_file(tmp_path / "creds")
    with open_launchpad(writable.service_root, tmp_path / "c", credentials=creds) as lp:
        writable.clear_requests()
        lp.set_specification_url("nova", "one", URL)
        assert [(r.method, r.status) for r in writable.requests] == [("PATCH", 209)]
        with pytest.raises(LaunchpadError) as caught:
            lp.set_specification_url("nova", "one", URL + "x")  # two's URL
    assert str(caught.value).endswith(
        f"nova/one: HTTP 400 Bad Request: specification_url: {URL}x is already registered by Two."
    )
    assert writable.data.blueprints[("nova", "one")].specification_url == URL


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("not an ini file", "not a launchpadlib credentials file"),
        ("[1]\nconsumer_key = lpsync\n", "not a launchpadlib credentials file"),
        (
            "[1]\nconsumer_key = lpsync\nconsumer_secret = \naccess_token = \naccess_secret = \n",
            "holds no access token",
        ),
    ],
)
def test_a_bad_credentials_file_is_one_line_without_its_content(
    tmp_path: Path, text: str, says: str
) -> None:
    path = tmp_path / "creds"
    path.write_text(text + "\n# " + SECRET)
    with pytest.raises(UsageError) as caught:
        load_credentials(path)
    assert says in str(caught.value) and str(path) in str(caught.value)
    assert SECRET not in str(caught.value) and "lpsync" not in str(caught.value).split(":")[-1]
    with pytest.raises(UsageError, match="cannot read"):
        load_credentials(tmp_path / "missing")


def test_tokens_load_from_their_file_and_are_checked(tmp_path: Path) -> None:
    (tmp_path / "people.json").write_text('[{"name": "bot", "display_name": "Bot"}]')
    (tmp_path / "tokens.json").write_text(
        json.dumps([{"person": "bot", "key": "k", "secret": "s"}])
    )
    assert SandboxData.load(tmp_path).tokens["k"].person == "bot"
    (tmp_path / "tokens.json").write_text(
        json.dumps([{"person": "nobody", "key": "k", "secret": SECRET}])
    )
    with pytest.raises(DataError) as caught:
        SandboxData.load(tmp_path)
    assert "person 'nobody' is not a known person" in str(caught.value)
    assert SECRET not in str(caught.value)
