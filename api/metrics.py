"""What `GET /metrics` shows (Prometheus' text format), in a registry of the service's own: a test runs
several services in one process, and the library's global registry would refuse the second."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST
# a tap takes milliseconds; an export or a chart up to seconds
UPDATE_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.updates = Counter(
            "dialogs_bot_updates", "Telegram updates handled, by kind", ["kind"], registry=registry
        )
        self.update_seconds = Histogram(
            "dialogs_bot_update_seconds",
            "Time from an update's arrival to the end of its handling",
            buckets=UPDATE_BUCKETS,
            registry=registry,
        )
        self.telegram_errors = Counter(
            "dialogs_bot_telegram_errors",
            "Failed Bot API requests, by HTTP status ('network': no answer)",
            ["code"],
            registry=registry,
        )
        self.ingested = Counter(
            "dialogs_bot_ingested_dialogs",
            "Dialogs stored through the ingestion API and the connectors, by source and result",
            ["source", "result"],
            registry=registry,
        )
        self.rejected = Counter(
            "dialogs_bot_rejected_items",
            "Items the ingestion API and the connectors could not store, by source",
            ["source"],
            registry=registry,
        )
        self.queue_depth = Gauge(
            "dialogs_bot_queue_depth",
            "Work accepted and not yet done, by queue",
            ["queue"],
            registry=registry,
        )

        self.chatwoot_failing = Gauge(
            "dialogs_bot_chatwoot_failing_jobs",
            "Chatwoot conversations still queued after 5 or more failed fetches in a row",
            registry=registry,
        )

    def watch_queue(self, queue: str, depth: Callable[[], float]) -> None:
        """The queue's depth is read from `depth` whenever the metrics are read."""
        self.queue_depth.labels(queue).set_function(depth)

    def watch_chatwoot_failing(self, count: Callable[[], float]) -> None:
        self.chatwoot_failing.set_function(count)

    def stored(self, source: str, added: int, updated: int, rejected: int) -> None:
        self.ingested.labels(source, "added").inc(added)
        self.ingested.labels(source, "updated").inc(updated)
        self.rejected.labels(source).inc(rejected)

    def render(self) -> bytes:
        return generate_latest(self.registry)
