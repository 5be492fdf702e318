"""The guarded client against real loopback servers: size caps, total deadlines, redirects checked
hop by hop, and refusals that happen before any connection is opened."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from lti_tool.http import (
    DestinationPolicy,
    GuardedHttp,
    Limit,
    Refused,
    TimedOut,
    TooLarge,
    Unreachable,
)
from lti_tool.http.guarded import MIB
from tests.hostile import HostileServer, hostile_server

QUICK = Limit(1 * MIB, 2.0)


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with hostile_server() as served:
        yield served


@pytest.fixture
def other() -> Iterator[HostileServer]:
    with hostile_server() as served:
        yield served


def client(production: bool = False, allowed: str = "", **kwargs: Any) -> GuardedHttp:
    policy = DestinationPolicy.from_setting(production=production, allowed_hosts=allowed)
    return GuardedHttp(policy, user_agent="lti-tool-test", **kwargs)


def test_a_json_answer_comes_back_with_status_and_headers(server: HostileServer) -> None:
    answer = client().request("GET", server.url + "/config?x=1", limit=QUICK)
    assert answer.status_code == 200
    assert answer.json() == {"ok": True}
    assert answer.headers["content-type"] == "application/json"
    assert server.requests == ["/config"]
    assert server.headers_seen[0]["User-Agent"] == "lti-tool-test"


def test_a_200_mib_stream_is_cut_at_the_cap(server: HostileServer) -> None:
    started = time.monotonic()
    with pytest.raises(TooLarge):
        client().request("GET", server.url + "/huge", limit=Limit(1 * MIB, 10.0))
    assert time.monotonic() - started < 5.0
    time.sleep(0.2)
    assert server.bytes_sent < 20 * MIB  # the client hung up long before the end


def test_an_announced_oversize_answer_is_refused_before_reading(server: HostileServer) -> None:
    with pytest.raises(TooLarge):
        client().request("GET", server.url + "/huge-declared", limit=QUICK)


@pytest.mark.parametrize("path", ("/drip", "/drip-headers"))
def test_a_one_byte_per_second_drip_is_cut_at_the_total_deadline(
    server: HostileServer, path: str
) -> None:
    started = time.monotonic()
    with pytest.raises(TimedOut):
        client().request("GET", server.url + path, limit=Limit(1 * MIB, 1.5))
    assert 1.4 < time.monotonic() - started < 3.0


def test_redirects_are_followed_only_when_asked_and_each_hop_is_checked(
    server: HostileServer, other: HostileServer
) -> None:
    hop = f"{server.url}/redirect?to={other.url}/config"
    assert client().request("GET", hop, limit=QUICK).status_code == 302
    assert client().request("GET", hop, limit=QUICK, redirects=2).json() == {"ok": True}
    assert other.requests == ["/config"]


@pytest.mark.parametrize(
    "target", ("http://10.0.0.1/latest", "http://169.254.169.254/latest/meta-data/", "file:///etc")
)
def test_a_redirect_to_an_internal_address_is_refused_before_connecting(
    server: HostileServer, target: str
) -> None:
    with pytest.raises(Refused):
        client().request("GET", f"{server.url}/redirect?to={target}", limit=QUICK, redirects=3)


def test_in_production_a_redirect_to_another_loopback_port_is_refused(
    server: HostileServer, other: HostileServer
) -> None:
    """The operator allowed exactly the test platform's origin; the other server stays out."""
    guarded = client(production=True, allowed=server.url)
    assert guarded.request("GET", server.url + "/config", limit=QUICK).ok
    with pytest.raises(Refused):
        guarded.request(
            "GET", f"{server.url}/redirect?to={other.url}/secret", limit=QUICK, redirects=3
        )
    assert other.requests == []


def test_a_redirect_to_another_origin_drops_the_bearer_token(
    server: HostileServer, other: HostileServer
) -> None:
    client().request(
        "GET",
        f"{server.url}/redirect?to={other.url}/config",
        limit=QUICK,
        redirects=1,
        headers={"Authorization": "Bearer secret-token"},
    )
    assert server.headers_seen[0]["Authorization"] == "Bearer secret-token"
    assert "Authorization" not in other.headers_seen[0]


def test_a_post_is_never_redirected(server: HostileServer, other: HostileServer) -> None:
    answer = client().request(
        "POST", f"{server.url}/redirect?to={other.url}/x", limit=QUICK, json={}, redirects=3
    )
    assert answer.status_code == 302
    assert other.requests == []


def test_production_refuses_loopback_and_plain_http(server: HostileServer) -> None:
    with pytest.raises(Refused, match="https"):
        client(production=True).request("GET", server.url + "/config", limit=QUICK)
    https_loopback = f"https://127.0.0.1:{server.server_port}/config"
    with pytest.raises(Refused, match="loopback"):
        client(production=True).request("GET", https_loopback, limit=QUICK)
    assert server.requests == []


def test_a_host_name_is_checked_by_what_it_resolves_to(server: HostileServer) -> None:
    """A public-looking name that resolves to an internal address is refused (DNS rebinding)."""

    def resolve(host: str, port: int, **kwargs: Any) -> list[tuple[Any, ...]]:
        assert host == "canvas.example.edu"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", port))]

    guarded = client(production=True, resolve=resolve)
    with pytest.raises(Refused, match="private"):
        guarded.request("GET", "https://canvas.example.edu/api", limit=QUICK)


def test_calls_can_be_held_to_the_origins_a_registration_vouches_for(
    server: HostileServer, other: HostileServer
) -> None:
    origins = {server.url}
    assert client().request("GET", server.url + "/config", limit=QUICK, origins=origins).ok
    with pytest.raises(Refused, match="vouches"):
        client().request("GET", other.url + "/config", limit=QUICK, origins=origins)
    with pytest.raises(Refused, match="vouches"):
        client().request(
            "GET",
            f"{server.url}/redirect?to={other.url}/config",
            limit=QUICK,
            origins=origins,
            redirects=1,
        )
    assert other.requests == []


def test_a_closed_port_is_unreachable() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(Unreachable):
        client().request("GET", f"http://127.0.0.1:{port}/", limit=QUICK)


def test_forms_and_json_are_encoded(server: HostileServer) -> None:
    client().request("POST", server.url + "/token", limit=QUICK, form={"a": "b c"})
    client().request("POST", server.url + "/scores", limit=QUICK, json={"x": 1})
    assert server.headers_seen[0]["Content-Type"] == "application/x-www-form-urlencoded"
    assert server.headers_seen[1]["Content-Type"] == "application/json"
