"""Two instances behind one address share nothing but the database and the keys folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask

from tests.platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER, TestPlatform
from tests.servers import ServedApp, free_server, instance_config, serve


@pytest.fixture
def instances(
    app: Flask, migrated: str, keys_dir: Path, platform: TestPlatform
) -> Iterator[tuple[ServedApp, ServedApp]]:
    """Instance A's address stands for the load balancer; B is a second process's app."""
    server_a, server_b = free_server(), free_server()
    base_url = f"http://127.0.0.1:{server_a.server_port}"
    with (
        serve(server_a, instance_config(migrated, keys_dir, base_url)) as a,
        serve(server_b, instance_config(migrated, keys_dir, base_url)) as b,
    ):
        yield a, b


def _login(instance: ServedApp, base_url: str, session: requests.Session) -> dict[str, list[str]]:
    response = session.post(
        instance.url + "/lti/login",
        data={
            "iss": ISSUER,
            "login_hint": "hint",
            "client_id": CLIENT_ID,
            "lti_deployment_id": DEPLOYMENT_ID,
            "target_link_uri": base_url + "/lti/launch",
            "new_window": "1",
        },
        allow_redirects=False,
    )
    assert response.status_code == 302
    return parse_qs(urlsplit(response.headers["Location"]).query)


def _launch(
    instance: ServedApp, session: requests.Session, platform: TestPlatform, token: str, state: str
) -> requests.Response:
    return session.post(
        instance.url + "/lti/launch",
        data={"id_token": token, "state": state},
        allow_redirects=False,
    )


def test_login_on_one_launch_on_the_other(
    instances: tuple[ServedApp, ServedApp], platform: TestPlatform
) -> None:
    a, b = instances
    session = requests.Session()
    query = _login(a, a.url, session)
    claims = platform.claims(query["nonce"][0])
    claims["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"] = a.url + "/lti/launch"
    response = _launch(b, session, platform, platform.sign(claims), query["state"][0])
    assert response.status_code == 303
    landing = urlsplit(response.headers["Location"])
    page = session.get(b.url + landing.path, params=parse_qs(landing.query))
    assert page.status_code == 200
    assert session.get(a.url + landing.path, params=parse_qs(landing.query)).status_code == 200


def test_nonce_used_on_one_is_refused_on_the_other(
    instances: tuple[ServedApp, ServedApp], platform: TestPlatform
) -> None:
    a, b = instances
    session = requests.Session()
    query = _login(a, a.url, session)
    token = platform.sign(platform.claims(query["nonce"][0]))
    assert _launch(a, session, platform, token, query["state"][0]).status_code == 303
    state = query["state"][0]
    session.cookies.set(f"lti1p3-{state}", state, path="/lti")  # a replay by that same browser
    replay = _launch(b, session, platform, token, state)
    assert replay.status_code == 400 and "already used" in replay.text
