"""Park slots: a sensor per watched park extension, `empty` or `parked` with who waits.

Kazoo lights a park slot's lamp while a call waits there; the sensor shows the same, with
the parked caller's name and number and, where the park event was seen, since when.
"""

from __future__ import annotations

from typing import Any, Final

from .backends.snapshot import Presentity, PresentityKind

EMPTY: Final = "empty"
PARKED: Final = "parked"


def is_park_slot(presentity: Presentity) -> bool:
    """A watched Kazoo extension that parks calls."""
    return presentity.kind is PresentityKind.EXTENSION and presentity.park_slot is not None


def park_state(presentity: Presentity) -> str:
    """`parked` while a call waits in the slot, else `empty`."""
    return EMPTY if presentity.parked is None else PARKED


def park_attributes(presentity: Presentity) -> dict[str, Any]:
    """The slot, and who waits there since when (None where not known)."""
    parked = presentity.parked
    return {
        "slot": presentity.park_slot,
        "caller_id_name": parked.caller_id_name if parked else None,
        "caller_id_number": parked.caller_id_number if parked else None,
        "parked_since": parked.since.isoformat() if parked and parked.since else None,
    }


PARK_STATES: Final = [EMPTY, PARKED]
