"""The destination rules alone: which URLs and resolved addresses the tool refuses to call."""

from __future__ import annotations

import ipaddress

import pytest

from lti_tool.http.destinations import (
    AllowedHost,
    DestinationPolicy,
    DestinationRefused,
    url_origin,
)

PRODUCTION = DestinationPolicy.from_setting(production=True)
DEVELOPMENT = DestinationPolicy.from_setting(production=False)
REFUSED_EVERYWHERE = (
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.1.1",
    "100.100.100.200",
    "100.64.0.1",
    "0.0.0.0",  # noqa: S104 (an address to refuse, not one to bind)
    "224.0.0.1",
    "239.255.255.250",
    "fd00:ec2::254",
    "fc00::1",
    "fe80::1",
    "ff02::1",
    "::",
)
LOOPBACK = ("127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1")


@pytest.mark.parametrize("address", REFUSED_EVERYWHERE + LOOPBACK)
def test_production_refuses_internal_addresses(address: str) -> None:
    with pytest.raises(DestinationRefused):
        PRODUCTION.check_address("canvas.example.edu", 443, ipaddress.ip_address(address))


@pytest.mark.parametrize("address", REFUSED_EVERYWHERE + ("::ffff:10.0.0.1",))
def test_development_refuses_internal_addresses_too(address: str) -> None:
    with pytest.raises(DestinationRefused):
        DEVELOPMENT.check_address("localhost", 80, ipaddress.ip_address(address))


@pytest.mark.parametrize("address", LOOPBACK)
def test_development_allows_loopback(address: str) -> None:
    DEVELOPMENT.check_address("localhost", 5000, ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ("93.184.215.14", "2606:4700::1111"))
def test_public_addresses_are_allowed(address: str) -> None:
    PRODUCTION.check_address("canvas.example.edu", 443, ipaddress.ip_address(address))


def test_an_allowed_host_may_be_private_but_never_a_metadata_service() -> None:
    policy = DestinationPolicy.from_setting(
        production=True, allowed_hosts="canvas.internal, lms.local:8443"
    )
    policy.check_address("canvas.internal", 443, ipaddress.ip_address("10.1.2.3"))
    policy.check_address("lms.local", 8443, ipaddress.ip_address("192.168.0.9"))
    with pytest.raises(DestinationRefused):
        policy.check_address("lms.local", 443, ipaddress.ip_address("192.168.0.9"))
    with pytest.raises(DestinationRefused):
        policy.check_address("other.internal", 443, ipaddress.ip_address("10.1.2.3"))
    with pytest.raises(DestinationRefused, match="metadata"):
        policy.check_address("canvas.internal", 443, ipaddress.ip_address("169.254.169.254"))


def test_production_calls_https_only_unless_an_http_origin_is_allowed() -> None:
    assert PRODUCTION.check_url("https://canvas.example.edu/api?x=1").target == "/api?x=1"
    with pytest.raises(DestinationRefused, match="https"):
        PRODUCTION.check_url("http://canvas.example.edu/api")
    with pytest.raises(DestinationRefused, match="https"):
        PRODUCTION.check_url("http://localhost:5000/api")
    policy = DestinationPolicy.from_setting(production=True, allowed_hosts="http://127.0.0.1:8123")
    assert policy.check_url("http://127.0.0.1:8123/jwks").origin == "http://127.0.0.1:8123"
    with pytest.raises(DestinationRefused):
        policy.check_url("http://127.0.0.1:8124/jwks")
    assert DEVELOPMENT.check_url("http://localhost:5000/x").port == 5000
    assert DEVELOPMENT.check_url("http://127.0.0.1:5000/x").port == 5000
    with pytest.raises(DestinationRefused, match="https"):
        DEVELOPMENT.check_url("http://lms.example/x")


@pytest.mark.parametrize(
    "url",
    (
        "ftp://canvas.example.edu/x",
        "file:///etc/passwd",
        "https:///no-host",
        "https://user:pass@canvas.example.edu/",
        "https://canvas.example.edu:99999/",
        "javascript:alert(1)",
        "",
    ),
)
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(DestinationRefused):
        DEVELOPMENT.check_url(url)


@pytest.mark.parametrize("entry", ("https://x/path", "ftp://x", "x:notaport", ""))
def test_a_bad_allowed_host_entry_is_a_configuration_error(entry: str) -> None:
    with pytest.raises(ValueError):
        AllowedHost.parse(entry)


def test_origins_drop_default_ports_and_lower_case_hosts() -> None:
    assert url_origin("https://Canvas.Example.edu:443/a") == "https://canvas.example.edu"
    assert url_origin("http://127.0.0.1:8000/a?b") == "http://127.0.0.1:8000"
    assert url_origin("https://[::1]:8443/") == "https://[::1]:8443"
    assert url_origin("javascript:alert(1)") is None


@pytest.mark.parametrize(
    "url",
    (
        "https://x.test;script-src */c",
        "https://x.test%3Bscript-src/c",
        "https://exa mple.test/",
        "https://exämple.test/",
        "https://x.test/a b",
        "https://x.test\\@evil.test/",
        "https://under_score.test/",
    ),
)
def test_host_names_must_be_plain_dns_names_or_addresses(url: str) -> None:
    with pytest.raises(DestinationRefused):
        DEVELOPMENT.check_url(url)
