"""Outbound HTTP: the guarded client every call to a platform goes through."""

from lti_tool.http.destinations import DestinationPolicy, DestinationRefused, url_origin
from lti_tool.http.guarded import (
    CONFIGURATION,
    KEY_SET,
    SERVICE_PAGE,
    TOKEN,
    Answer,
    GuardedHttp,
    Limit,
    OutboundError,
    Refused,
    TimedOut,
    TooLarge,
    Unreachable,
)

__all__ = [
    "CONFIGURATION",
    "KEY_SET",
    "SERVICE_PAGE",
    "TOKEN",
    "Answer",
    "DestinationPolicy",
    "DestinationRefused",
    "GuardedHttp",
    "Limit",
    "OutboundError",
    "Refused",
    "TimedOut",
    "TooLarge",
    "Unreachable",
    "url_origin",
]
