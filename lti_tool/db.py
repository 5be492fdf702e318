"""Engine, sessions and the declarative base shared by every model."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    DateTime,
    Engine,
    MetaData,
    create_engine,
    event,
    make_url,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from lti_tool.files import create_private_empty, private_dir

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


M = TypeVar("M", bound=Base)


def get_or_create(
    session: Session, model: type[M], keys: Mapping[str, object], **defaults: object
) -> M:
    """The row with these unique-key values, created with `defaults` when missing: once, even
    when two requests or instances create it at the same moment (the unique key refuses the
    second, which then reads the first's row)."""
    query = select(model).filter_by(**keys)
    found = session.scalar(query)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            created = model(**keys, **defaults)
            session.add(created)
        return created
    except IntegrityError:
        return session.scalars(query).one()


INTEGER_MAX = 2**31 - 1
"""The largest value a PostgreSQL INTEGER column holds (ids, revisions, version numbers)."""


def parse_int(raw: object) -> int | None:
    """A non-negative whole number from a form field, query or JSON value that an INTEGER
    column can hold, else None: a browser's 25-digit id matches nothing instead of failing."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        # Python refuses to parse more than 4,300 digits; no id is longer than INTEGER_MAX's.
        raw = int(raw) if len(raw.lstrip("0")) <= len(str(INTEGER_MAX)) else None
    return raw if isinstance(raw, int) and 0 <= raw <= INTEGER_MAX else None


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    """An engine tuned for the backend: SQLite gets WAL and a busy timeout for concurrency.

    `hide_parameters`: a database error's message would otherwise quote the values it was
    writing (reflection text, names) into the logged traceback.
    """
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")
        if not in_memory:
            _create_private_database_file(url)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=StaticPool if in_memory else None,
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    event.listen(engine, "before_cursor_execute", _without_nul, retval=True)
    return engine


def _without_nul(
    _connection: Any,
    _cursor: Any,
    statement: str,
    parameters: Any,
    _context: Any,
    _executemany: bool,
) -> tuple[str, Any]:
    """NUL characters are dropped from every value sent to the database.

    PostgreSQL refuses text containing NUL (the request would fail) and SQLite stores it, so a
    pasted NUL would behave differently per backend; it is never meaningful in people's text,
    so both store the text without it, whatever the column or query.
    """
    return statement, _strip_nul(parameters)


def _strip_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {key: _strip_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_strip_nul(item) for item in value)
    return value


def _create_private_database_file(url: str) -> None:
    """SQLite would create the file with the umask's permissions (often world-readable); it
    holds people's reflections, so it is created owner-only first (SQLite gives its -wal and
    -shm files the same permissions)."""
    database = make_url(url).database
    if database and not database.startswith("file:"):
        path = Path(database)
        create_private_empty(private_dir(path.parent) / path.name)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def write_after_call(session: Session, row: object, **values: object) -> None:
    """After a slow outside call (Canvas over HTTP), start storing what it answered by setting
    `values` on `row`, written first in a new transaction.

    SQLite in WAL mode refuses at once (busy timeout or not) a write from a transaction whose
    read snapshot another connection has committed over, and a delivery thread commits often.
    A transaction that writes before it reads waits for the lock instead, then reads the newest
    data. Callers have no pending writes here; on PostgreSQL this only ends a read."""
    session.commit()
    for name, value in values.items():
        setattr(row, name, value)
        flag_modified(row, name)  # written even when the value is the one already there
    session.flush()


@contextmanager
def transaction(make_session: Callable[[], Session]) -> Iterator[Session]:
    """A new session that commits when the block succeeds and rolls back when it raises."""
    session = make_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
