"""Background activity: calls come and go, panel users change their status."""

from __future__ import annotations

import asyncio
import random
import time

from . import kazoo_features
from .isymphony import STATUS_LABELS, STATUS_TYPES, ISymphonyState
from .kazoo import KazooState

# The park numbers the demo's phones watch (simulator.demo's PARK_SLOTS).
PARK_SLOTS = ("*3101", "*3102", "*3103")

NOTES = ("", "", "Back soon", "Customer call", "Ask Anna", "In the warehouse")


def step(kazoo: KazooState, isymphony: ISymphonyState, rng: random.Random) -> None:
    """Make one random change: a call starts, is answered or ends, or a status moves."""
    unanswered = [c.uuid for c in kazoo.channels.values() if not c.answered]
    answered = [c.uuid for c in kazoo.channels.values() if c.answered]
    idle = sorted(kazoo.registered & set(kazoo.devices))
    max_calls = max(3, len(kazoo.devices) // 10)
    roll = rng.random()
    if unanswered and roll < 0.3:
        call = rng.choice(unanswered)
        # Most calls get picked up; the rest are missed.
        if rng.random() < 0.8:
            kazoo.answer(call)
        else:
            kazoo.hangup(call)
    elif answered and roll < 0.5:
        call = rng.choice(answered)
        # Now and then the phone parks its caller instead of hanging up.
        if not (rng.random() < 0.2 and _park(kazoo, call)):
            kazoo.hangup(call)
    elif kazoo.parked and roll < 0.55:
        _unpark(kazoo, idle, rng)
    elif idle and len(kazoo.channels) < max_calls and roll < 0.8:
        _start_call(kazoo, idle, rng)
    else:
        _change_status(isymphony, rng)


def _start_call(kazoo: KazooState, idle: list[str], rng: random.Random) -> None:
    """A phone calls a colleague, a caller from outside rings a phone, or a phone dials out."""
    kind = rng.random()
    if kind < 0.4 and len(idle) >= 2:
        caller, callee = rng.sample(idle, 2)
        kazoo.start_internal_call(caller, callee)
    elif kind < 0.7:
        kazoo.start_call(
            device_id=rng.choice(idle),
            destination=str(rng.randrange(1000, 1100)),
            direction="outbound",
        )
    else:
        number = f"+1555{rng.randrange(10**7):07d}"
        kazoo.start_call(device_id=rng.choice(idle), destination=number, direction="inbound")


def _park(kazoo: KazooState, call: str) -> bool:
    """Park an outside caller (a phone's answered leg from outside) in a free slot."""
    channel = kazoo.channels[call]
    free = [
        number
        for number in PARK_SLOTS
        if (slot := kazoo_features.slot_of(kazoo, number)) and slot not in kazoo.parked
    ]
    if channel.direction != "outbound" or channel.other_leg in kazoo.channels or not free:
        return False
    kazoo_features.park(kazoo, call, free[0])
    return True


def _unpark(kazoo: KazooState, idle: list[str], rng: random.Random) -> None:
    """Someone picks a parked call up, or the parked caller gives up."""
    slot = rng.choice(sorted(kazoo.parked))
    number = kazoo.parked[slot]["Presence-User"]
    if idle and rng.random() < 0.7:
        kazoo_features.retrieve(kazoo, number, rng.choice(idle))
    else:
        kazoo_features.abandon(kazoo, number)


def _change_status(isymphony: ISymphonyState, rng: random.Random) -> None:
    candidates = [
        (slug, username)
        for slug, core_server in isymphony.core_servers.items()
        for username, user in core_server["users"].items()
        if user["licensed"]
    ]
    if not candidates:
        return
    slug, username = rng.choice(candidates)
    status_type = rng.choice(STATUS_TYPES)
    predefined = [s for s in isymphony.predefined_statuses if s["type"] == status_type]
    # Without an administrator's status of that type, the panel shows the type's own label.
    name = rng.choice(predefined)["name"] if predefined else STATUS_LABELS[status_type]
    return_time = -1
    if status_type in {"away", "xa"}:
        return_time = int((time.time() + rng.randrange(600, 7200)) * 1000)
    isymphony.set_status(
        username,
        name=name,
        type=status_type,
        note=rng.choice(NOTES),
        return_time=return_time,
        user_created=not predefined,
        core_server=slug,
    )


async def run(
    kazoo: KazooState,
    isymphony: ISymphonyState,
    interval: float,
    rng: random.Random,
) -> None:
    """Step every ``interval`` seconds until cancelled."""
    while True:
        await asyncio.sleep(interval)
        step(kazoo, isymphony, rng)
