"""Settings read once from the environment, with embedded defaults outside production."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lti_tool.files import create_private_once, private_dir
from lti_tool.http.destinations import DestinationPolicy

ENVIRONMENTS = ("development", "testing", "production")
DEFAULT_AUDIT_RETENTION_DAYS = 730
"""Two years: a course's run, its certificates and any complaint about them."""


class ConfigurationError(RuntimeError):
    """The tool cannot start with these settings; the message says which one to fix."""


@dataclass(frozen=True)
class Settings:
    env: str
    secret_key: str
    database_url: str
    base_url: str
    keys_dir: Path
    key_overlap_hours: int
    audit_retention_days: int
    """How long the audit log keeps events; `purge` deletes older ones (0 keeps them all)."""
    outbound_allowed_hosts: str = ""
    """LTI_TOOL_OUTBOUND_ALLOWED_HOSTS: hosts (or http origins) the operator lets the tool call
    although they resolve to private addresses, such as a self-hosted Canvas."""

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def destinations(self) -> DestinationPolicy:
        return DestinationPolicy.from_setting(
            production=self.is_production, allowed_hosts=self.outbound_allowed_hosts
        )

    def to_flask_config(self) -> dict[str, Any]:
        return {
            "LTI_TOOL_ENV": self.env,
            "SECRET_KEY": self.secret_key,
            "DATABASE_URL": self.database_url,
            "LTI_TOOL_BASE_URL": self.base_url,
            "LTI_TOOL_KEYS_DIR": str(self.keys_dir),
            "LTI_TOOL_KEY_OVERLAP_HOURS": self.key_overlap_hours,
            "LTI_TOOL_AUDIT_RETENTION_DAYS": self.audit_retention_days,
            "LTI_TOOL_OUTBOUND_ALLOWED_HOSTS": self.outbound_allowed_hosts,
            "TESTING": self.env == "testing",
            # Forms carry at most a long reflection; anything bigger is refused with 413.
            "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        }


def load_settings(instance_path: Path, overrides: Mapping[str, Any] | None = None) -> Settings:
    """Read settings from overrides, then the environment, then embedded defaults."""
    source: dict[str, Any] = {**os.environ, **(overrides or {})}
    env = str(source.get("LTI_TOOL_ENV") or "development")
    if env not in ENVIRONMENTS:
        raise ConfigurationError(f"LTI_TOOL_ENV must be one of {', '.join(ENVIRONMENTS)}")
    if env == "production":
        return _production_settings(source)
    return Settings(
        env=env,
        secret_key=str(source.get("SECRET_KEY") or _instance_secret(instance_path)),
        database_url=str(source.get("DATABASE_URL") or _instance_database(instance_path)),
        base_url=_normalise_base_url(
            str(source.get("LTI_TOOL_BASE_URL") or "http://localhost:5000")
        ),
        keys_dir=Path(str(source.get("LTI_TOOL_KEYS_DIR") or _default_keys_dir())),
        key_overlap_hours=int(source.get("LTI_TOOL_KEY_OVERLAP_HOURS") or 72),
        audit_retention_days=_audit_retention_days(source),
        outbound_allowed_hosts=_outbound_allowed_hosts(source),
    )


def _production_settings(source: Mapping[str, Any]) -> Settings:
    missing = [
        name for name in ("SECRET_KEY", "DATABASE_URL", "LTI_TOOL_BASE_URL") if not source.get(name)
    ]
    if missing:
        raise ConfigurationError(
            "Production needs explicit settings; missing: " + ", ".join(missing)
        )
    base_url = _normalise_base_url(str(source["LTI_TOOL_BASE_URL"]))
    if urlsplit(base_url).scheme != "https":
        raise ConfigurationError("LTI_TOOL_BASE_URL must be an https:// URL in production")
    if len(str(source["SECRET_KEY"])) < 32:
        raise ConfigurationError("SECRET_KEY must be at least 32 characters in production")
    return Settings(
        env="production",
        secret_key=str(source["SECRET_KEY"]),
        database_url=str(source["DATABASE_URL"]),
        base_url=base_url,
        keys_dir=Path(str(source.get("LTI_TOOL_KEYS_DIR") or _default_keys_dir())),
        key_overlap_hours=int(source.get("LTI_TOOL_KEY_OVERLAP_HOURS") or 72),
        audit_retention_days=_audit_retention_days(source),
        outbound_allowed_hosts=_outbound_allowed_hosts(source),
    )


def _audit_retention_days(source: Mapping[str, Any]) -> int:
    value = source.get("LTI_TOOL_AUDIT_RETENTION_DAYS")
    raw = str(DEFAULT_AUDIT_RETENTION_DAYS if value in (None, "") else value).strip()
    if not raw.isdigit():
        raise ConfigurationError("LTI_TOOL_AUDIT_RETENTION_DAYS must be a whole number of days")
    return int(raw)


def _outbound_allowed_hosts(source: Mapping[str, Any]) -> str:
    value = str(source.get("LTI_TOOL_OUTBOUND_ALLOWED_HOSTS") or "")
    try:
        DestinationPolicy.from_setting(production=True, allowed_hosts=value)
    except ValueError as error:
        raise ConfigurationError(f"LTI_TOOL_OUTBOUND_ALLOWED_HOSTS: {error}") from error
    return value


def _normalise_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError("LTI_TOOL_BASE_URL must be an absolute http(s) URL")
    return url.rstrip("/")


def _default_keys_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "keys"


def _instance_database(instance_path: Path) -> str:
    """The embedded SQLite database, in an owner-only folder (it holds people's reflections)."""
    return f"sqlite:///{private_dir(instance_path) / 'lti_tool.db'}"


def _instance_secret(instance_path: Path) -> str:
    """A secret generated once per machine, so sessions survive a restart in development."""
    path = private_dir(instance_path) / "secret_key"
    if not path.exists():
        # Two processes starting at once: one file wins, and both read that one.
        create_private_once(path, secrets.token_urlsafe(48))
    return path.read_text().strip()
