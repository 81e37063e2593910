"""Logging, configured once by the command that runs the bot."""

from __future__ import annotations

import logging

REDACTED = "<BOT_TOKEN>"


class _RedactToken(logging.Filter):
    """The token is in every Bot API URL; should any library ever log one, the token does not get out."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token in message:
            record.msg, record.args = message.replace(self._token, REDACTED), None
        if record.exc_info and record.exc_info[1] is not None and self._token in str(record.exc_info[1]):
            record.exc_info, record.exc_text = None, None
            record.msg = f"{record.msg} (traceback withheld: it contained the token)"
        return True


def configure_logging(token: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_RedactToken(token))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
