"""What the sensors of a call queue (iSymphony) show: its agents, counted and listed.

Read-only: the docs name agent actions (log out, pause) but not their paths.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .backends.snapshot import Presentity, QueueAgent


def agent_count(presentity: Presentity, wanted: Callable[[QueueAgent], bool]) -> int | None:
    """How many of a queue's agents are `wanted` (None: its agents are not known)."""
    agents = presentity.agents
    return None if agents is None else sum(1 for agent in agents if wanted(agent))


def agent_attributes(presentity: Presentity) -> dict[str, Any]:
    """Each logged-in agent: name, paused, and the device state of its phone."""
    if presentity.agents is None:
        return {}
    return {
        "agents": [
            {"name": agent.name, "paused": agent.paused, "state": agent.state}
            for agent in presentity.agents
        ]
    }
