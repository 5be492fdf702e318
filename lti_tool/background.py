"""Grade delivery in the background of the process that serves the tool.

Every request that queues outbox rows hands them to this process's delivery thread (see
`lti_tool.services.background_delivery`). `start_background_delivery` makes that thread the
always-running worker too: the development server (`make run`) calls it, so nothing waits for a
separate `sync run`; production runs `flask --app lti_tool sync run` as a service instead.
"""

from __future__ import annotations

import threading

from flask import Flask

from lti_tool.services.background_delivery import BackgroundDelivery
from lti_tool.services.grade_sync import sender_for, worker_name

EXTENSION = "grade_delivery"
DEFAULT_POLL = 5.0
_create_lock = threading.Lock()


def background_delivery(app: Flask) -> BackgroundDelivery:
    """This app's delivery thread (created on first use, so a forking server starts it in the
    process that serves)."""
    with _create_lock:
        delivery: BackgroundDelivery | None = app.extensions.get(EXTENSION)
        if delivery is None:
            delivery = BackgroundDelivery(sender_for(app, worker_name("web")))
            app.extensions[EXTENSION] = delivery
        return delivery


def start_background_delivery(app: Flask, poll: float = DEFAULT_POLL) -> BackgroundDelivery:
    """Deliver every due row from this process, polling every `poll` seconds at most."""
    delivery = background_delivery(app)
    delivery.keep_polling(poll)
    return delivery
