"""Delivering the outbox to Canvas: claim a row, send it, record what Canvas said.

Rows are sent right after the web response that committed them (never while the user waits) and
by the `sync run` worker, which retries with exponential backoff and jitter. Several senders may
run at once, in one process or many: the outbox's claim predicates keep each row to one of them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from lti_tool.db import utcnow
from lti_tool.lti.advantage.client import ServiceClient
from lti_tool.lti.advantage.http import ServiceError
from lti_tool.lti.advantage.tokens import Credentials
from lti_tool.lti.canvas import line_items
from lti_tool.lti.canvas.scores import SUBMISSION_EXTENSION
from lti_tool.lti.storage import DbStorage
from lti_tool.models import Registration
from lti_tool.models.grade_sync import OutboxItem, OutboxKind, OutboxStatus
from lti_tool.services.outbox import RESOLVED_URL, claimable, unblocked, unclaimed
from lti_tool.services.result_store import record_results

LOG = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
BACKOFF_BASE = timedelta(seconds=15)
BACKOFF_CAP = timedelta(hours=1)
CLAIM_LEASE = timedelta(minutes=5)
"""Longer than the slowest delivery (a few calls with 30 s read timeouts), so a claim only
lapses when its worker died."""
MIN_IDLE = 0.05
LINE_ITEM_CREATION_SECONDS = 60
"""How long one sender has to create a missing line item before another may try."""


@dataclass(frozen=True)
class _Job:
    """A claimed row, read into plain values so no transaction is open during HTTP calls."""

    id: int
    credentials: Credentials
    course_id: int
    person_id: int
    subject_key: str
    kind: str
    target: dict[str, Any]
    payload: dict[str, Any]
    attempts: int
    uncertain: bool


@dataclass
class _Read:
    """A line item to read back after this round of deliveries, and whose results to keep."""

    credentials: Credentials
    course_id: int
    subject_key: str
    people: dict[str, int]


def worker_name(suffix: str = "") -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{suffix}"[:64]


@dataclass
class Sender:
    """Claims outbox rows and delivers them to Canvas, recording each outcome."""

    sessions: sessionmaker[Session]
    client: ServiceClient
    name: str = field(default_factory=worker_name)
    clock: Callable[[], datetime] = utcnow
    jitter: Callable[[], float] = random.random
    backoff_base: timedelta = BACKOFF_BASE
    lease: timedelta = CLAIM_LEASE
    _line_items: dict[tuple[int, str, str], str] = field(default_factory=dict, init=False)
    _reads: dict[tuple[int, str], _Read] = field(default_factory=dict, init=False)

    def send(self, item_ids: Iterable[int]) -> int:
        """Deliver these rows now if they can be claimed, each followed by the rows of the same
        subject and person that were waiting for it. Returns how many reached Canvas."""
        queue, sent = list(item_ids), 0
        while queue:
            item_id = queue.pop(0)
            if self.claim(item_id) and self.deliver(item_id) == OutboxStatus.SENT:
                sent += 1
                queue[:0] = self._waiting_behind(item_id)
        self.read_back()
        return sent

    def run_due(self, batch: int = 20) -> int:
        """Deliver every row that is due now; returns how many were attempted."""
        attempted = 0
        while True:
            claimed = [i for i in self._due_ids(batch) if self.claim(i)]
            if not claimed:
                return attempted
            for item_id in claimed:
                self.deliver(item_id)
            self.read_back()
            attempted += len(claimed)

    def seconds_to_next(self) -> float | None:
        """How long until a pending row can be claimed; None when nothing is pending."""
        ready = func.coalesce(OutboxItem.claimed_until, OutboxItem.next_attempt_at)
        with self.sessions() as session:
            rows = session.execute(
                select(OutboxItem.next_attempt_at, ready).where(
                    OutboxItem.status == OutboxStatus.PENDING, unblocked()
                )
            ).all()
        if not rows:
            return None
        earliest = min(max(due, claimed) for due, claimed in rows)
        return max((earliest - self.clock()).total_seconds(), 0.0)

    def claim(self, item_id: int) -> bool:
        now = self.clock()
        with self.sessions() as session:
            result = cast(
                CursorResult[Any],
                session.execute(
                    update(OutboxItem)
                    .where(OutboxItem.id == item_id, claimable(now))
                    .values(
                        claimed_until=now + self.lease,
                        claimed_by=self.name,
                        # still named: its last sender stopped mid-delivery, perhaps after
                        # Canvas took the score, so this delivery must check before repeating
                        uncertain=or_(OutboxItem.uncertain, OutboxItem.claimed_by.is_not(None)),
                    )
                    .execution_options(synchronize_session=False)
                ),
            )
            session.commit()
        return result.rowcount == 1

    def deliver(self, item_id: int) -> OutboxStatus:
        """Send one claimed row and record what Canvas said."""
        job = self._load(item_id)
        try:
            target = self._resolve_line_item(job)
            lineitem_url = str(target.get("lineitem_url") or target[RESOLVED_URL])
            self.client.post_score(job.credentials, lineitem_url, self._payload(job, lineitem_url))
        except ServiceError as error:
            return self._failed(job, error)
        except Exception:  # a bug must not leave the row claimed until the lease lapses
            LOG.exception("outbox item %s: unexpected error while sending", job.id)
            return self._failed(job, ServiceError("Unexpected error in the tool", retryable=True))
        self._finish(
            job, status=OutboxStatus.SENT, target=target, sent_at=self.clock(), last_error=None
        )
        LOG.info("outbox item %s sent after %s attempt(s)", job.id, job.attempts + 1)
        if job.kind == OutboxKind.GRADE:
            self._note_read(job, lineitem_url)
        return OutboxStatus.SENT

    def read_back(self) -> None:
        """Canvas's results for the grades just delivered: does Canvas hold what was sent (a
        grade typed in SpeedGrader may have been kept)? One call per line item (paged), or one
        filtered to the person when only one was graded. A failed read changes nothing; the
        pages read again."""
        reads, self._reads = self._reads, {}
        for (_, lineitem_url), read in reads.items():
            only = next(iter(read.people)) if len(read.people) == 1 else None
            try:
                results = self.client.results(read.credentials, lineitem_url, only)
            except ServiceError as error:
                LOG.warning("reading Canvas's results after delivery failed (%s)", error.status)
                continue
            with self.sessions() as session:
                record_results(
                    session,
                    read.course_id,
                    read.subject_key,
                    lineitem_url,
                    results,
                    self.clock(),
                    people=read.people,
                )
                session.commit()

    def _note_read(self, job: _Job, lineitem_url: str) -> None:
        key = (job.credentials.registration_id, lineitem_url)
        read = self._reads.setdefault(
            key, _Read(job.credentials, job.course_id, job.subject_key, {})
        )
        read.people[str(job.payload["userId"])] = job.person_id

    # Steps ------------------------------------------------------------------------------------

    def _due_ids(self, batch: int) -> list[int]:
        now = self.clock()
        with self.sessions() as session:
            return list(
                session.scalars(
                    select(OutboxItem.id)
                    .where(claimable(now))
                    .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
                    .limit(batch)
                )
            )

    def _waiting_behind(self, item_id: int) -> list[int]:
        with self.sessions() as session:
            item = session.get(OutboxItem, item_id)
            if item is None:
                return []
            return list(
                session.scalars(
                    select(OutboxItem.id)
                    .where(
                        OutboxItem.subject_key == item.subject_key,
                        OutboxItem.person_id == item.person_id,
                        OutboxItem.status == OutboxStatus.PENDING,
                        OutboxItem.id > item_id,
                    )
                    .order_by(OutboxItem.id)
                    .limit(1)
                )
            )

    def _load(self, item_id: int) -> _Job:
        with self.sessions() as session:
            item = session.get_one(OutboxItem, item_id)
            registration = session.get_one(Registration, item.registration_id)
            return _Job(
                id=item.id,
                credentials=Credentials.of(registration),
                course_id=item.course_id,
                person_id=item.person_id,
                subject_key=item.subject_key,
                kind=item.kind,
                target=dict(item.target),
                payload=dict(item.payload),
                attempts=item.attempts,
                uncertain=item.uncertain,
            )

    def _resolve_line_item(self, job: _Job) -> dict[str, Any]:
        """The target with a line item URL: the launch's, one found before, or found/created now."""
        target = job.target
        if target.get("lineitem_url") or target.get(RESOLVED_URL):
            return target
        lineitems_url = target.get("lineitems_url")
        if not lineitems_url:
            raise ServiceError(
                "Canvas gave the tool no grade service for this course: add the item to Canvas as "
                "an assignment and open it once from Canvas."
            )
        key = (job.credentials.registration_id, str(lineitems_url), str(target["resource_id"]))
        if key not in self._line_items:
            with _line_item_lock(key):
                self._line_items[key] = self._find_or_create(job.credentials, target)
        return {**target, RESOLVED_URL: self._line_items[key]}

    def _find_or_create(self, credentials: Credentials, target: dict[str, Any]) -> str:
        """The link's own assignment when it is one, else the tool's item for this resource, else
        a new assignment (see `line_items`)."""
        lineitems_url = str(target["lineitems_url"])
        resource_id = str(target["resource_id"])
        if target.get("resource_link_id"):
            found = self.client.find_line_items(
                credentials, lineitems_url, resource_link_id=str(target["resource_link_id"])
            )
            linked = line_items.link_line_item(found, resource_id)
            if linked is not None:
                return linked
        found = self.client.find_line_items(credentials, lineitems_url, resource_id=resource_id)
        if found:
            return str(found[0]["id"])
        if not self._may_create(credentials.registration_id, lineitems_url, resource_id):
            raise ServiceError(
                "Another sender is creating this assignment in Canvas; looking again shortly.",
                retryable=True,
            )
        body = line_items.new_line_item(
            label=str(target["label"]),
            score_maximum=float(target["score_maximum"]),
            resource_id=resource_id,
        )
        return str(self.client.create_line_item(credentials, lineitems_url, body)["id"])

    def _may_create(self, registration_id: int, lineitems_url: str, resource_id: str) -> bool:
        """One sender, whatever its instance, creates a missing line item; the others look for
        it again after their backoff (two would make two gradebook columns)."""
        scope = f"{registration_id} {lineitems_url} {resource_id}".encode()
        key = "create-line-item-" + hashlib.sha256(scope).hexdigest()
        with self.sessions() as session:
            claimed = DbStorage(session).claim_once(key, LINE_ITEM_CREATION_SECONDS)
            session.commit()
        return claimed

    def _payload(self, job: _Job, lineitem_url: str) -> dict[str, Any]:
        """The stored score, stamped now: Canvas refuses a timestamp older than its last update,
        and this row's predecessors may have reached Canvas after it was queued."""
        payload = dict(job.payload)
        queued = datetime.fromisoformat(str(payload["timestamp"]))
        payload["timestamp"] = max(queued, self.client.clock()).isoformat()
        if job.uncertain:
            self._not_twice(job, lineitem_url, payload)
        return payload

    def _not_twice(self, job: _Job, lineitem_url: str, payload: dict[str, Any]) -> None:
        """An earlier try may have reached Canvas unseen (a timeout, a sender that died). Its
        result keeps the tool's last comment: a comment found there is not added again. A
        submission is resent as an update of Canvas's latest attempt when Canvas holds one,
        so a retry never counts as another attempt (assignments may limit them)."""
        results = self.client.results(job.credentials, lineitem_url, str(payload["userId"]))
        comment = payload.get("comment")
        if comment and any(result.get("comment") == comment for result in results):
            del payload["comment"]
        extension = payload.get(SUBMISSION_EXTENSION)
        if job.kind == OutboxKind.SUBMISSION and results and isinstance(extension, dict):
            payload[SUBMISSION_EXTENSION] = {**extension, "new_submission": False}

    def _failed(self, job: _Job, error: ServiceError) -> OutboxStatus:
        attempts = job.attempts + 1
        LOG.warning("outbox item %s attempt %s failed: status %s", job.id, attempts, error.status)
        if not error.retryable or attempts >= MAX_ATTEMPTS:
            self._finish(
                job,
                status=OutboxStatus.NEEDS_ATTENTION,
                last_error=attention_message(error, attempts),
            )
            return OutboxStatus.NEEDS_ATTENTION
        due = self.clock() + self._delay(attempts, error.retry_after)
        if error.status == 429:
            self._defer_registration(job.credentials.registration_id, due)
        self._finish(
            job,
            status=OutboxStatus.PENDING,
            next_attempt_at=due,
            last_error=error.message,
            uncertain=job.uncertain or error.uncertain,
        )
        return OutboxStatus.PENDING

    def _delay(self, attempts: int, retry_after: float | None) -> timedelta:
        """Exponential backoff with jitter (half to all of the step), never sooner than Canvas's
        `Retry-After`."""
        step = min(self.backoff_base * 2 ** (attempts - 1), BACKOFF_CAP)
        delay = step * (0.5 + self.jitter() / 2)
        return max(delay, timedelta(seconds=retry_after or 0))

    def _defer_registration(self, registration_id: int, due: datetime) -> None:
        """Canvas throttles per tool install: every waiting row of it waits out the 429."""
        now = self.clock()
        with self.sessions() as session:
            session.execute(
                update(OutboxItem)
                .where(
                    OutboxItem.registration_id == registration_id,
                    OutboxItem.status == OutboxStatus.PENDING,
                    OutboxItem.next_attempt_at < due,
                    unclaimed(now),
                )
                .values(next_attempt_at=due)
                .execution_options(synchronize_session=False)
            )
            session.commit()

    def _finish(self, job: _Job, **values: Any) -> None:
        """Record the outcome and release the claim, only if this sender still holds it."""
        with self.sessions() as session:
            session.execute(
                update(OutboxItem)
                .where(OutboxItem.id == job.id, OutboxItem.claimed_by == self.name)
                .values(attempts=job.attempts + 1, claimed_until=None, claimed_by=None, **values)
                .execution_options(synchronize_session=False)
            )
            session.commit()


def attention_message(error: ServiceError, attempts: int) -> str:
    if error.status == 404:
        return (
            "Canvas no longer has this assignment (404): it was deleted or the tool lost access. "
            "Re-create or re-link the assignment in Canvas, then retry."
        )
    if error.retryable:
        return f"Canvas did not accept it after {attempts} tries. Last answer: {error.message}"
    return error.message


_line_item_locks: dict[tuple[int, str, str], threading.Lock] = {}
_line_item_locks_guard = threading.Lock()


def _line_item_lock(key: tuple[int, str, str]) -> threading.Lock:
    """Threads of one process find-or-create a line item one at a time, so they wait for it
    rather than back off (instances are kept apart by `Sender._may_create`)."""
    with _line_item_locks_guard:
        return _line_item_locks.setdefault(key, threading.Lock())


@dataclass
class Worker:
    """The `sync run` loop: deliver what is due, then sleep until the next row is due."""

    sender: Sender
    sleep: Callable[[float], Any] = time.sleep
    poll: float = 5.0
    chores: Callable[[], Any] | None = None
    """Background upkeep run on every pass (reading stale courses' placed prompts)."""

    def run(
        self, *, once: bool = False, until_idle: bool = False, stop: threading.Event | None = None
    ) -> int:
        attempted = 0
        while stop is None or not stop.is_set():
            attempted += self.sender.run_due()
            if self.chores is not None:
                self.chores()
            if once:
                break
            wait = self.sender.seconds_to_next()
            if wait is None and until_idle:
                break
            # a floor, so a row another sender holds at this very instant cannot spin the loop
            self.sleep(min(self.poll if wait is None else max(wait, MIN_IDLE), self.poll))
        return attempted
