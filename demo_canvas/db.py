"""The demo Canvas's own database: engine, declarative base and sessions.

It is a development fixture, so tables are made with ``create_all`` (no Alembic) and nothing is
shared with the tool's database.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import DateTime, Engine, MetaData, create_engine
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

EXTENSION_KEY = "demo_canvas"


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC as naive datetimes (SQLite keeps no zone) and hands back aware UTC values."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix__%(table_name)s__%(column_0_name)s",
            "uq": "uq__%(table_name)s__%(column_0_name)s",
            "fk": "fk__%(table_name)s__%(column_0_name)s__%(referred_table_name)s",
            "pk": "pk__%(table_name)s",
        }
    )
    type_annotation_map = {datetime: UTCDateTime}


def utcnow() -> datetime:
    return datetime.now(UTC)


def database_url(app: Flask) -> str:
    url = app.config.get("DEMO_CANVAS_DATABASE_URL")
    if url:
        return str(url)
    os.makedirs(app.instance_path, exist_ok=True)
    return "sqlite:///" + os.path.join(app.instance_path, "demo_canvas.db")


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets a busy timeout because the tool and the demo share one threaded
    server.
    """
    kwargs: dict[str, Any] = {"hide_parameters": True}  # no personal data in logged errors
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
    return create_engine(url, **kwargs)


def session_factory(app: Flask) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = app.extensions[EXTENSION_KEY]["sessionmaker"]
    return factory


def get_db() -> Session:
    """The demo's Session for the current request, closed at the end of the app context."""
    if "_demo_canvas_db" not in g:
        g._demo_canvas_db = session_factory(current_app)()
    session: Session = g._demo_canvas_db
    return session


def close_db(_error: BaseException | None = None) -> None:
    session: Session | None = g.pop("_demo_canvas_db", None)
    if session is not None:
        session.close()


def demo_session(app: Flask) -> AbstractContextManager[Session]:
    """A Session outside a request (seeding, tests, helpers); commits on success."""
    return session_factory(app).begin()
