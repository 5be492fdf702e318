"""Alembic environment: the URL comes from the app (DATABASE_URL), the schema from the models."""

from __future__ import annotations

import os

from alembic import context

from lti_tool import models  # noqa: F401 - registers every table on Base.metadata
from lti_tool.db import Base, UTCDateTime, make_engine

config = context.config
url = config.attributes.get("database_url") or os.environ.get("DATABASE_URL")
if not url:
    raise RuntimeError("DATABASE_URL is not set")


def _render_item(type_: str, obj: object, _autogen_context: object) -> str | bool:
    """Write the portable column type into migrations instead of our Python-side decorator."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
            render_item=_render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
