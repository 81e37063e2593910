"""Logging, configured once by the command that runs the bot; and the token kept out of everything said."""

from __future__ import annotations

import logging

REDACTED = "<BOT_TOKEN>"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def redact(text: str, token: str) -> str:
    """`text` without the token and without its secret half (which opens the bot on its own)."""
    secret = token.partition(":")[2]
    text = text.replace(token, REDACTED)
    return text.replace(secret, REDACTED) if secret else text


class _RedactToken(logging.Filter):
    """The token is in every Bot API URL: should a message or a traceback (the exception, its causes, a
    proxy's page quoted in one) ever hold it, it is written with the token taken out."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token
        self._secret = token.partition(":")[2] or token
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._secret in message:
            record.msg, record.args = redact(message, self._token), None
        if record.exc_info and record.exc_info[1] is not None:
            # formatted here, whole chain included, so that the handler's formatter writes this text
            text = record.exc_text or self._formatter.formatException(record.exc_info)
            record.exc_text = redact(text, self._token)
        if record.stack_info and self._secret in record.stack_info:
            record.stack_info = redact(record.stack_info, self._token)
        return True


def configure_logging(token: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(_RedactToken(token))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
