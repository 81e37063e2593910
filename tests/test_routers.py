"""How the routers are put together."""

from __future__ import annotations

from handlers import build_router


def test_every_handler_and_filter_is_a_coroutine() -> None:
    """aiogram runs a handler or filter that is not a coroutine function in a worker thread: ~0.1 ms a
    call on every update that reaches it (`F.text` did that to every typed search)."""
    synchronous = [
        f"{router.name}.{name}: {getattr(callable_.callback, '__qualname__', callable_.callback)}"
        for router in build_router().chain_tail
        for name, observer in router.observers.items()
        for handler in observer.handlers
        for callable_ in (handler, *(handler.filters or []))
        if not callable_.awaitable
    ]
    assert not synchronous
