"""When Stillpoint must say, unprompted, that it is an AI: first use, after a week away, and
every three hours of continuous use (see `dialogue.honesty.disclosure_due`). The last time is
kept in the store, so it holds across sessions and restarts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from dialogue.honesty import disclosure_due
from dialogue.store import Store

KEY = "last_disclosed_at"


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class DisclosureClock:
    def __init__(self, store: Store, now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self.store = store
        self.now = now
        self.last_active = _parse(store.last_activity())  # before this session began

    def due(self) -> bool:
        return disclosure_due(self.now(), _parse(self.store.meta(KEY)), self.last_active)

    def mark(self) -> None:
        self.store.set_meta(KEY, self.now().isoformat(timespec="seconds"))
