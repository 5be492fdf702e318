"""Logging set up once, with session tokens and id_tokens scrubbed from every line.

Request logs print URLs, and the tool's URLs carry the session token (`st=`), so a filter on
every handler removes it; reflection text, names and e-mails are never passed to a logger.
"""

from __future__ import annotations

import logging
import re

_SECRET_PARAMS = re.compile(
    r"(?i)\b(st|id_token|ticket|registration_token|client_assertion|JWT|lti_message_hint|login_hint|state|nonce)=[^&\s\"']+"
)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SECRET_PARAMS.sub(lambda m: f"{m.group(1)}=[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(level: int = logging.INFO) -> None:
    root = logging.getLogger()
    if not any(isinstance(f, RedactSecrets) for h in root.handlers for f in h.filters):
        if not root.handlers:
            logging.basicConfig(
                level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
            )
        for handler in root.handlers:
            handler.addFilter(RedactSecrets())
    for noisy in ("alembic.runtime.plugins",):
        logging.getLogger(noisy).setLevel(logging.WARNING)
