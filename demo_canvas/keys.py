"""Platform signing keys (past / present / future, timestamp kids, like Canvas) and HMAC secrets."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from demo_canvas.db import utcnow
from demo_canvas.models import Secret, SigningKey

SLOTS = ("past", "present", "future")
HINT_SIGNER = "lti_message_hint"
ACCESS_SIGNER = "access_token"
REGISTRATION_SIGNER = "registration_token"
DATA_SIGNER = "deep_link_data"
"""HMAC secrets: message hints, access tokens, registration tokens, deep-link data."""
SLOT_SPACING = timedelta(days=30)


def ensure_keys(session: Session) -> None:
    """Create the three signing keys and the HMAC secrets once.

    Kids are timestamps a month apart, as Canvas's rotation makes them.
    """
    existing = set(session.scalars(select(SigningKey.slot)))
    now = utcnow().replace(microsecond=0)
    for offset, slot in enumerate(SLOTS, start=-1):
        if slot in existing:
            continue
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        kid = (now + offset * SLOT_SPACING).strftime("%Y-%m-%dT%H:%M:%SZ")
        session.add(SigningKey(slot=slot, kid=kid, private_pem=pem))
    for name in (HINT_SIGNER, ACCESS_SIGNER, REGISTRATION_SIGNER, DATA_SIGNER):
        if session.get(Secret, name) is None:
            session.add(Secret(name=name, value=secrets.token_hex(32)))
    session.flush()


def public_jwks(session: Session) -> dict[str, list[dict[str, Any]]]:
    keys = []
    by_slot = {key.slot: key for key in session.scalars(select(SigningKey))}
    for slot in SLOTS:
        key = by_slot[slot]
        private = serialization.load_pem_private_key(key.private_pem.encode(), password=None)
        if not isinstance(private, rsa.RSAPrivateKey):
            raise TypeError("the demo stores only RSA keys")
        jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
        jwk.update(kid=key.kid, alg="RS256", use="sig")
        keys.append(jwk)
    return {"keys": keys}


def sign_rs256(session: Session, claims: dict[str, Any]) -> str:
    """Sign with the "present" key; the header names its kid."""
    key = session.scalars(select(SigningKey).where(SigningKey.slot == "present")).one()
    return jwt.encode(
        claims, key.private_pem, algorithm="RS256", headers={"kid": key.kid, "typ": "JWT"}
    )


def secret(session: Session, name: str) -> str:
    """A named HMAC secret (all are made by :func:`ensure_keys`, before any request can race)."""
    return session.get_one(Secret, name).value
