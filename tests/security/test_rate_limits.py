"""Rate limits on the anonymous LTI entrances: 429 with Retry-After, counted in the database so
that two instances of the tool count together (run with TEST_DATABASE_URL for PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lti_tool import create_app
from lti_tool.services.rate_limits import RateLimiter, Rule, source_key
from lti_tool.web import wiring
from tests.conftest import _config

LOGIN = {"iss": "https://platform.example", "login_hint": "u1", "target_link_uri": "x"}


@pytest.fixture
def instances(migrated: str, keys_dir: Path, app: Flask) -> Iterator[list[FlaskClient]]:
    """Two app instances over one database, each with a small login limit."""
    limits = {"RATE_LIMITS": {"login": Rule(3, 60), "register": Rule(2, 600)}}
    apps = [create_app(_config(migrated, keys_dir, **limits)) for _ in range(2)]
    yield [instance.test_client() for instance in apps]
    for instance in apps:
        wiring(instance).dispose()


def test_the_fourth_login_across_two_instances_is_refused_with_retry_after(
    instances: list[FlaskClient],
) -> None:
    first, second = instances
    answers = [
        (first if n % 2 else second).post("/lti/login", data=LOGIN).status_code for n in range(3)
    ]
    assert 429 not in answers
    refused = first.post("/lti/login", data=LOGIN)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    page = refused.get_data(as_text=True)
    assert "Too many requests from your network" in page
    assert f"Wait {refused.headers['Retry-After']} seconds" in page
    as_json = second.get("/lti/login", query_string=LOGIN, headers={"Accept": "application/json"})
    assert as_json.status_code == 429
    assert as_json.get_json()["status"] == 429


def test_each_source_address_has_its_own_count(instances: list[FlaskClient]) -> None:
    first, _ = instances
    for _ in range(3):
        first.post("/lti/login", data=LOGIN, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    blocked = first.post("/lti/login", data=LOGIN, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    other = first.post("/lti/login", data=LOGIN, environ_base={"REMOTE_ADDR": "198.51.100.8"})
    assert blocked.status_code == 429
    assert other.status_code != 429


def test_registration_is_limited_too(instances: list[FlaskClient]) -> None:
    first, second = instances
    assert first.get("/lti/register").status_code != 429
    assert second.get("/lti/register").status_code != 429
    assert first.get("/lti/register").status_code == 429


def test_other_pages_are_not_counted(instances: list[FlaskClient]) -> None:
    first, _ = instances
    assert all(first.get("/health").status_code == 200 for _ in range(10))


def test_a_class_of_75_behind_one_address_launching_at_once_is_not_refused(
    client: FlaskClient,
) -> None:
    """The default limits: each of 75 people logs in twice (cookie check) and launches."""
    statuses = [client.post("/lti/login", data=LOGIN).status_code for _ in range(150)]
    statuses += [client.post("/lti/launch", data={}).status_code for _ in range(75)]
    assert 429 not in statuses


def test_the_window_ends_when_retry_after_says(app: Flask) -> None:
    now = [1_000_000.0]
    limiter = RateLimiter(wiring(app).sessions, {"login": Rule(1, 60)}, lambda: now[0])
    assert limiter.hit("login", "203.0.113.5").allowed
    refused = limiter.hit("login", "203.0.113.5")
    assert not refused.allowed and refused.retry_after == 20  # the window started at 999_960
    now[0] += refused.retry_after
    assert limiter.hit("login", "203.0.113.5").allowed


def test_ipv6_addresses_count_by_their_64_block() -> None:
    assert source_key("2001:db8:1:2:aaaa::1") == source_key("2001:db8:1:2:bbbb::9")
    assert source_key("2001:db8:1:3::1") != source_key("2001:db8:1:2::1")
    assert source_key("::ffff:198.51.100.7") == "198.51.100.7"
    assert source_key("not an address") == "unknown"
