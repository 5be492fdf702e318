"""The tool's RSA signing keys: PEM files in one folder, newest signs, the previous stays published.

Keys live in files (not the database) so an operator can mount one folder on every instance and
back it up apart from course data. File names carry the creation time, which is all the state
rotation needs: a key retires when a newer one is created and is deleted once the overlap ends.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

_PREFIX = "tool-"
_STAMP = "%Y%m%dT%H%M%S%fZ"


@dataclass(frozen=True)
class ToolKey:
    kid: str
    created_at: datetime
    retired_at: datetime | None
    path: Path

    @property
    def private_pem(self) -> str:
        return self.path.read_text()

    @property
    def public_pem(self) -> str:
        return _public_parts(str(self.path), self.path.stat().st_mtime_ns)[1]

    @property
    def public_jwk(self) -> dict[str, Any]:
        jwk = _public_parts(str(self.path), self.path.stat().st_mtime_ns)[0]
        return {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}


class KeyStore:
    def __init__(self, directory: Path, overlap: timedelta) -> None:
        self.directory = directory
        self.overlap = overlap

    def keys(self) -> list[ToolKey]:
        """Every key on disk, newest first; each retires when the next newer one was made."""
        paths = sorted(self.directory.glob(f"{_PREFIX}*.pem"), reverse=True)
        keys: list[ToolKey] = []
        retired_at: datetime | None = None
        for path in paths:
            created_at = datetime.strptime(path.stem.removeprefix(_PREFIX), _STAMP).replace(
                tzinfo=UTC
            )
            kid = _public_parts(str(path), path.stat().st_mtime_ns)[2]
            keys.append(ToolKey(kid, created_at, retired_at, path))
            retired_at = created_at
        return keys

    def published(self, now: datetime | None = None) -> list[ToolKey]:
        now = now or datetime.now(UTC)
        return [k for k in self.keys() if k.retired_at is None or k.retired_at + self.overlap > now]

    def signing_key(self) -> ToolKey:
        keys = self.keys()
        if not keys:
            raise LookupError(
                f"no tool key in {self.directory}; run `flask --app lti_tool keys generate`"
            )
        return keys[0]

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        return {"keys": [key.public_jwk for key in self.published()]}

    def ensure_key(self) -> ToolKey:
        """The embedded default: generate a first key when the folder has none."""
        keys = self.keys()
        return keys[0] if keys else self.generate()

    def generate(self, now: datetime | None = None) -> ToolKey:
        self.directory.mkdir(parents=True, exist_ok=True)
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path = self.directory / f"{_PREFIX}{(now or datetime.now(UTC)).strftime(_STAMP)}.pem"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        return self.keys()[0]

    def rotate(self, now: datetime | None = None) -> tuple[ToolKey, list[ToolKey]]:
        """Make a new signing key and delete the keys whose overlap window has ended."""
        now = now or datetime.now(UTC)
        new_key = self.generate(now)
        expired = [k for k in self.keys() if k.retired_at and k.retired_at + self.overlap <= now]
        for key in expired:
            key.path.unlink()
        return new_key, expired


@lru_cache(maxsize=16)
def _public_parts(path: str, _mtime_ns: int) -> tuple[dict[str, Any], str, str]:
    """Public JWK, public PEM and kid of a key file; cached because parsing RSA keys is slow.

    The kid is the RFC 7638 thumbprint of the public key: stable, and what pylti1p3 computes.
    """
    private_key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    public_key = private_key.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise ValueError(f"{path} is not an RSA key")
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(public_key))
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    kid = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    public_pem = public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return jwk, public_pem, kid
