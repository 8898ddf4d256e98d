"""The reset cooldown: every Kazoo reset alerts the account's administrators."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .const import DOMAIN, RESET_COOLDOWN


class ResetGuard:
    """At most one reset per presentity (or raw extension) within the cooldown."""

    def __init__(self) -> None:
        """Start with no reset sent."""
        self._last_reset: dict[str, datetime] = {}

    @contextmanager
    def __call__(self, key: str, name: str) -> Iterator[None]:
        """Refuse a reset within the cooldown of the last one for `key` that was sent.

        The slot is taken before the request goes out, so parallel calls send one reset;
        a failed request gives it back (the reset may be retried at once).
        """
        now = dt_util.utcnow()
        last = self._last_reset.get(key)
        if last is not None and now - last < RESET_COOLDOWN:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="reset_cooldown",
                translation_placeholders={
                    "name": name,
                    "seconds": str(int(RESET_COOLDOWN.total_seconds())),
                },
            )
        self._last_reset[key] = now
        try:
            yield
        except BaseException:
            if self._last_reset.get(key) == now:
                if last is None:
                    del self._last_reset[key]
                else:
                    self._last_reset[key] = last
            raise
