"""Canvas cloud's environments: the issuer and the three endpoints a registration needs, and
what a registration naming a cloud issuer must use to be believed."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Environment:
    issuer: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str


ENVIRONMENTS = {
    "prod": Environment(
        "https://canvas.instructure.com",
        "https://sso.canvaslms.com/api/lti/authorize_redirect",
        "https://sso.canvaslms.com/login/oauth2/token",
        "https://sso.canvaslms.com/api/lti/security/jwks",
    ),
    "beta": Environment(
        "https://canvas.beta.instructure.com",
        "https://sso.beta.canvaslms.com/api/lti/authorize_redirect",
        "https://sso.beta.canvaslms.com/login/oauth2/token",
        "https://sso.beta.canvaslms.com/api/lti/security/jwks",
    ),
    "test": Environment(
        "https://canvas.test.instructure.com",
        "https://sso.test.canvaslms.com/api/lti/authorize_redirect",
        "https://sso.test.canvaslms.com/login/oauth2/token",
        "https://sso.test.canvaslms.com/api/lti/security/jwks",
    ),
}

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def cloud_environment(issuer: str) -> Environment | None:
    """The Canvas cloud environment (production, beta, test) an issuer names, if any."""
    for environment in ENVIRONMENTS.values():
        if issuer.strip().rstrip("/") == environment.issuer:
            return environment
    return None


def dishonest_cloud_endpoint(
    issuer: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    *,
    allow_loopback: bool = False,
) -> str | None:
    """Why a registration claiming a Canvas cloud issuer is refused, or None when it is honest.

    Canvas cloud serves login, token and keys only from its own hosts (the `sso` host of the
    environment, or the issuer's host in Dynamic Registration's configuration); a registration
    naming Canvas's issuer with anyone else's endpoints would let that someone sign launches.
    `allow_loopback` (outside production): the demo Canvas plays Canvas cloud on this machine.
    """
    environment = cloud_environment(issuer)
    if environment is None:
        return None
    own_hosts = {
        urlsplit(url).hostname
        for url in (environment.issuer, environment.auth_login_url, environment.key_set_url)
    }
    for label, url in (
        ("login", auth_login_url),
        ("token", auth_token_url),
        ("key set", key_set_url),
    ):
        parts = urlsplit(url)
        if allow_loopback and parts.hostname in LOOPBACK_HOSTS:
            continue
        if parts.scheme != "https" or parts.hostname not in own_hosts or parts.port:
            return (
                f"The {label} URL {url!r} is not one of Canvas's own for {environment.issuer}; "
                f"Canvas cloud uses {getattr(environment, _FIELDS[label])}."
            )
    return None


def is_cloud_service_origin(origin: str) -> bool:
    """An institution's Canvas cloud domain (`https://school.instructure.com`), where Canvas
    cloud serves AGS and NRPS for every institution under its one issuer."""
    parts = urlsplit(origin)
    host = parts.hostname or ""
    return parts.scheme == "https" and not parts.port and host.endswith(".instructure.com")


_FIELDS = {"login": "auth_login_url", "token": "auth_token_url", "key set": "key_set_url"}
