"""Verifying JWTs the tool signs (deep-link responses, client assertions) against the tool's JWKS.

Canvas fetches a developer key's ``public_jwk_url`` on each request. The HTTP client is
``app.extensions["demo_canvas"]["http"]``: a ``requests.Session`` unless the config key
``DEMO_CANVAS_HTTP`` supplies another object with the same ``get`` (tests pass one that answers
without a network).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Protocol

import jwt
import requests
from flask import current_app

from demo_canvas.db import EXTENSION_KEY, utcnow

JWKS_TIMEOUT_SECONDS = 5
MAX_IAT_AGE = timedelta(minutes=5)
MAX_IAT_FUTURE = timedelta(seconds=30)


class HttpResponse(Protocol):
    def raise_for_status(self) -> Any: ...

    def json(self) -> Any: ...


class HttpClient(Protocol):
    def get(self, url: str, *, timeout: float) -> HttpResponse: ...


class ToolJwtError(ValueError):
    """The tool's JWT is refused; the message is Canvas-like and safe to return."""


def http_client() -> HttpClient:
    client: HttpClient = current_app.extensions[EXTENSION_KEY]["http"]
    return client


def fetch_tool_key(jwks_url: str, kid: str | None) -> Any:
    """The tool's public key named ``kid``, fetched fresh from its JWKS URL."""
    if not kid:
        raise ToolJwtError("JWS signature invalid.")
    try:
        response = http_client().get(jwks_url, timeout=JWKS_TIMEOUT_SECONDS)
        response.raise_for_status()
        keys = response.json().get("keys", [])
    except (requests.RequestException, ValueError, AttributeError) as error:
        raise ToolJwtError("JWK could not be retrieved from the tool's public_jwk_url") from error
    for key in keys:
        if isinstance(key, dict) and key.get("kid") == kid:
            return jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(key))
    raise ToolJwtError("JWS signature invalid.")


def unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims before verification, to find the developer key and kid."""
    try:
        return jwt.get_unverified_header(token), jwt.decode(
            token, options={"verify_signature": False}
        )
    except jwt.PyJWTError as error:
        raise ToolJwtError("JWT is malformed") from error


def verify(token: str, jwks_url: str, *, audience: str, required: list[str]) -> dict[str, Any]:
    """Signature (RS256, key by kid), ``aud`` (string or list), ``exp``, and the ``iat`` window
    Canvas allows.
    """
    header, _ = unverified(token)
    key = fetch_tool_key(jwks_url, header.get("kid"))
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            options={"verify_aud": False, "verify_iat": False, "require": required},
        )
    except jwt.MissingRequiredClaimError as error:
        raise ToolJwtError(f"the '{error.claim}' is missing") from error
    except jwt.ExpiredSignatureError as error:
        raise ToolJwtError("the 'exp' is invalid") from error
    except jwt.InvalidSignatureError as error:
        raise ToolJwtError("JWS signature invalid.") from error
    except jwt.PyJWTError as error:
        raise ToolJwtError("JWT is invalid") from error
    aud = claims.get("aud")
    if not (aud == audience or (isinstance(aud, list) and audience in aud)):
        raise ToolJwtError("the 'aud' is invalid")
    check_iat(claims.get("iat"))
    return claims


def check_iat(iat: Any) -> None:
    now = utcnow().timestamp()
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        raise ToolJwtError("the 'iat' is invalid")
    if iat < now - MAX_IAT_AGE.total_seconds() or iat > now + MAX_IAT_FUTURE.total_seconds():
        raise ToolJwtError("the 'iat' is invalid")
