"""Canvas cloud's environments: the issuer and the three endpoints a registration needs."""

from __future__ import annotations

from dataclasses import dataclass


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
