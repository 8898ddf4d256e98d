"""Free to take a call: the one rule behind voice, the switchboard and the Available entity.

A person is available when their phone is idle and nothing says otherwise: not Kazoo's do
not disturb (calls are refused), nor a status of do not disturb, away, extended away or
unavailable. Someone without a phone is neither available nor not: there is nothing to
call them on (None). Everything here reads the neutral snapshot only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .backends.snapshot import (
    NOT_TAKING_CALLS,
    CallState,
    Presentity,
    PresentityKind,
    Status,
    StatusType,
)


class Reason(StrEnum):
    """Why a person is not available, from the most pressing down (the entity's `reason`)."""

    NO_PHONE = "no_phone"
    RINGING = "ringing"
    ON_CALL = "on_call"
    DO_NOT_DISTURB = "do_not_disturb"  # the phone refuses calls (Flex UC / Kazoo)
    STATUS_DND = "status_do_not_disturb"  # the panel status says so; calls still ring
    AWAY = "away"
    EXTENDED_AWAY = "extended_away"
    NOT_AVAILABLE = "not_available"


_STATUS_REASONS = {
    StatusType.DND: Reason.STATUS_DND,
    StatusType.AWAY: Reason.AWAY,
    StatusType.XA: Reason.EXTENDED_AWAY,
    StatusType.UNAVAILABLE: Reason.NOT_AVAILABLE,
}

# The reasons a status gives (not the phone).
STATUS_REASONS = frozenset(_STATUS_REASONS.values())


@dataclass(frozen=True, slots=True)
class Availability:
    """Why a person cannot take a call now (None: they can), and their status."""

    reason: Reason | None
    status: Status | None = None

    @property
    def available(self) -> bool | None:
        """Whether they can take a call; None without a phone to take it on."""
        return None if self.reason is Reason.NO_PHONE else self.reason is None


def availability(phone: Presentity | None, panel: Presentity | None) -> Availability:
    """The rule, for the presentity whose call state counts and the one with the status.

    `phone` is a Kazoo user or phone, or an iSymphony user where no Kazoo user is beside
    it (its call state is polled from its extensions); `panel` the iSymphony user, if any.
    """
    status = panel.status if panel is not None and panel.licensed else None
    return Availability(_reason(phone, status), status)


def _reason(phone: Presentity | None, status: Status | None) -> Reason | None:
    """Why a person is not available; None when they are."""
    if (
        phone is None
        or phone.call_state is None
        or (phone.kind is PresentityKind.USER and not phone.phones)
    ):
        return Reason.NO_PHONE
    if phone.call_state is CallState.RINGING:
        return Reason.RINGING
    if phone.call_state is CallState.BUSY:
        return Reason.ON_CALL
    if phone.dnd_active:
        return Reason.DO_NOT_DISTURB
    if status is not None and status.type in NOT_TAKING_CALLS:
        return _STATUS_REASONS[status.type]
    return None
