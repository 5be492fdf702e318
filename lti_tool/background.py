"""Grade delivery in the background of the process that serves the tool.

Every request that queues outbox rows hands them to this process's delivery thread
(`Wiring.background_delivery`, see `lti_tool.services.background_delivery`).
`start_background_delivery` makes that thread the always-running worker too: the development
server (`make run`) calls it, so nothing waits for a separate `sync run`; production runs
`flask --app lti_tool sync run` as a service instead.
"""

from __future__ import annotations

from flask import Flask

from lti_tool.services.background_delivery import BackgroundDelivery
from lti_tool.web import wiring

DEFAULT_POLL = 5.0


def background_delivery(app: Flask) -> BackgroundDelivery:
    """This app's delivery thread (created on first use)."""
    return wiring(app).background_delivery


def start_background_delivery(app: Flask, poll: float = DEFAULT_POLL) -> BackgroundDelivery:
    """Deliver every due row from this process, polling every `poll` seconds at most, and keep
    courses' placed prompts fresh as the `sync run` worker does."""
    delivery = background_delivery(app)
    delivery.keep_polling(poll, chores=wiring(app).refresh_placements)
    return delivery
