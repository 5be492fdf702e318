"""The shared storage's claims: one winner per key and period, across instances, at the same
instant (the rate limits on JWKS re-fetching and purging, and the line-item creation guard)."""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask
from sqlalchemy import update

from lti_tool.db import utcnow
from lti_tool.lti.storage import DbStorage
from lti_tool.models import LtiStorageEntry
from lti_tool.web import session_scope


def test_one_claim_wins_among_simultaneous_callers(app: Flask) -> None:
    callers, start, won = 6, threading.Barrier(6), []

    def claim() -> None:
        with session_scope(app) as session:  # each its own connection, like another instance
            start.wait()
            won.append(DbStorage(session).claim_once("line-item-x", 60))

    threads = [threading.Thread(target=claim) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False] * (callers - 1) + [True]


def test_an_expired_claim_can_be_taken_again(app: Flask) -> None:
    with session_scope(app) as session:
        assert DbStorage(session).claim_once("purge-x", 60)
    with session_scope(app) as session:
        assert not DbStorage(session).claim_once("purge-x", 60)
        session.execute(update(LtiStorageEntry).values(expires_at=utcnow() - timedelta(seconds=1)))
    with session_scope(app) as session:
        assert DbStorage(session).claim_once("purge-x", 60)
