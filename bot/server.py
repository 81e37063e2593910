"""The HTTP server of `dialogs-bot run` (DESIGN §8): Telegram's webhook, /healthz, /metrics and the
ingestion API, on HTTP_HOST:HTTP_PORT, in polling mode too.

Stopping takes new requests no more and waits for those under way (`DRAIN_SECONDS` at most): an update
being handled or a batch of dialogs being stored finishes first, so nothing accepted is lost.
"""

from __future__ import annotations

import logging

from aiohttp import web

from api.chatwoot_hook import ChatwootHook
from api.health import Health
from api.ingest import Ingestion
from api.metrics import CONTENT_TYPE, Metrics
from bot.webhook import Webhook

log = logging.getLogger(__name__)

DRAIN_SECONDS = 10.0
MAX_UPDATE_BYTES = 1 << 20  # an update is a few kilobytes; the ingestion API reads its own bodies


class ListenError(Exception):
    """The server could not listen where the settings say (the port is taken, the host is not ours)."""


class Server:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        health: Health,
        metrics: Metrics,
        ingestion: Ingestion,
        chatwoot: ChatwootHook,
        webhook: tuple[str, Webhook] | None = None,
        drain_seconds: float = DRAIN_SECONDS,
    ) -> None:
        """`webhook`: the path Telegram posts to, and what handles the posts (None: long polling)."""
        self.host = host
        self.port = port
        self._metrics = metrics
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_get("/healthz", health.handle)
        app.router.add_get("/metrics", self._metrics_page)
        app.router.add_post("/api/v1/dialogs", ingestion.handle)
        app.router.add_post("/hooks/chatwoot/{token}", chatwoot.handle)
        if webhook is not None:
            path, handler = webhook
            app.router.add_post(path, handler.handle)
        # no access log: a path may hold a token (the Chatwoot hook's), and logs carry no secrets
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=drain_seconds)

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError as error:
            await self._runner.cleanup()
            reason = error.strerror or error
            raise ListenError(f"cannot listen on {self.host}:{self.port}: {reason}") from None
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        if sockets:  # the port the system gave, when 0 was asked for
            self.port = sockets[0].getsockname()[1]
        log.info("HTTP on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        """Stops listening, then waits for the requests under way."""
        await self._runner.cleanup()

    async def _metrics_page(self, _request: web.Request) -> web.Response:
        return web.Response(body=self._metrics.render(), headers={"Content-Type": CONTENT_TYPE})
