"""Outbox delivery on a thread of the process that queued the rows.

A web request hands the ids it queued to this thread and returns; the thread delivers them. It
used to be a `call_on_close` callback on the response, but a WSGI server only closes a response
whose connection ended cleanly: when the browser resets the connection (Chromium does, after an
autosave request, on a form submit that navigates the frame), Werkzeug skips the close and the
row was never tried, so with no worker running it stayed pending forever. The thread does not
depend on the connection.

With `poll` set, the thread is also the always-running worker (what `make run` starts): it
delivers every row that is due, retries included, and runs the worker's upkeep (`chores`: reading
stale courses' placed prompts), as `sync run` does in production.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from lti_tool.services.delivery import MIN_IDLE, Sender

LOG = logging.getLogger(__name__)


class BackgroundDelivery:
    """One daemon thread per process: delivers handed-off rows, and with `poll` every due row."""

    def __init__(self, sender: Sender, *, poll: float | None = None) -> None:
        self.sender = sender
        self.poll = poll
        self._handed: list[int] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self._chores: Callable[[], Any] | None = None

    def hand_off(self, item_ids: Iterable[int]) -> None:
        """Deliver these rows soon, on the delivery thread; returns at once."""
        with self._lock:
            self._handed.extend(item_ids)
            self._idle.clear()
        self.start()
        self._wake.set()

    def keep_polling(self, poll: float, chores: Callable[[], Any] | None = None) -> None:
        """Become the always-running worker of this process (see the module's docstring)."""
        self.poll = poll
        self._chores = chores
        self.start()
        self._wake.set()

    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._run, name="grade-delivery", daemon=True
                )
                self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once every handed-off row has been tried (tests, and a clean shutdown)."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._next_wait())
            self._wake.clear()
            if self._stop.is_set():
                break
            self._deliver()

    def _next_wait(self) -> float | None:
        if self.poll is None:
            return None
        try:
            due_in = self.sender.seconds_to_next()
        except Exception:
            LOG.exception("grade delivery could not read the outbox")
            return self.poll
        return min(self.poll, max(due_in, MIN_IDLE)) if due_in is not None else self.poll

    def _deliver(self) -> None:
        with self._lock:
            handed, self._handed = self._handed, []
        try:
            if handed:
                self.sender.send(handed)
            if self.poll is not None:
                self.sender.run_due()
                if self._chores is not None:
                    self._chores()
        except Exception:  # the thread must outlive a bad row or a lost database connection
            LOG.exception("grade delivery failed; the rows stay queued")
        finally:
            with self._lock:
                if not self._handed:
                    self._idle.set()
