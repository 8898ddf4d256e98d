"""iSymphony: the core server's call queues and their agents.

`CS/queues` lists the enabled queues; `CS/queues/getByName/{identifier}/agents` says who
is logged in, paused and in which (Asterisk) device state, one request per queue. The
list is read with every poll, the agents between events too: `agentLogin` /
`agentLogout` events add and remove agents, but no pause or device-state event is
documented. Read-only: the docs name agent actions (log out, pause) but not their paths.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ...pbx import PbxLicenseError, PbxNotFoundError
from ...pbx.isymphony import ISymphonyAgent, ISymphonyAgentEvent, ISymphonyClient, ISymphonyQueue
from ..base import MAX_CONCURRENT_REQUESTS, gather_limited
from ..snapshot import Presentity, PresentityKind, QueueAgent
from . import PART_ERRORS


def queue_key(identifier: str) -> str:
    """Presentity key of a queue: its identifier is stable, its live id is not."""
    return f"queue_{identifier}"


class QueueReader:
    """The core server's queues and their agents."""

    def __init__(self, client: ISymphonyClient) -> None:
        """Nothing read yet."""
        self._client = client
        self.queues: list[ISymphonyQueue] = []
        # identifier -> agents by live id; None: that queue's agents could not be read
        self._agents: dict[str, dict[str, ISymphonyAgent] | None] = {}

    async def async_read(self, *, with_list: bool) -> bool:
        """Read the agents of every queue (and the queue list first); whether it changed.

        A server without queues (or that refuses them) has none; a list that cannot be
        read this time keeps the last one, so the queues do not come and go.
        """
        before = (list(self.queues), dict(self._agents))
        if with_list:
            try:
                self.queues = await self._client.get_queues()
            except (PbxNotFoundError, PbxLicenseError):
                self.queues = []
            except PART_ERRORS:
                pass

        async def read(identifier: str) -> tuple[str, dict[str, ISymphonyAgent] | None]:
            try:
                agents = await self._client.get_queue_agents(identifier)
            except PART_ERRORS:
                return identifier, None
            return identifier, {agent.id: agent for agent in agents}

        identifiers = [queue.identifier for queue in self.queues]
        self._agents = dict(
            await gather_limited(MAX_CONCURRENT_REQUESTS, (read(i) for i in identifiers))
        )
        return (self.queues, self._agents) != before

    def knows(self, queue_id: str | None) -> bool:
        """Whether a live queue id is one of this core server's (as last listed)."""
        return any(queue.id == queue_id for queue in self.queues)

    def apply(self, event: ISymphonyAgentEvent) -> bool | None:
        """An agent logged in or out: whether that changed anything; None: unknown queue."""
        queue = next((queue for queue in self.queues if queue.id == event.queue_id), None)
        if queue is None:
            return None
        agents = self._agents.get(queue.identifier)
        if agents is None:
            return False  # its agents are not known: the next read tells
        before = agents.get(event.agent_id)
        if not event.logged_in:
            return agents.pop(event.agent_id, None) is not None
        agents[event.agent_id] = ISymphonyAgent(
            id=event.agent_id,
            name=event.agent or (before.name if before else ""),
            paused=before.paused if before else False,
            state=event.state or (before.state if before else None),
            dynamic=before.dynamic if before else True,
        )
        return agents[event.agent_id] != before

    def presentities(self) -> Mapping[str, Presentity]:
        """A presentity per queue, with its agents (None where they could not be read)."""
        found: dict[str, Presentity] = {}
        for queue in self.queues:
            agents = self._agents.get(queue.identifier)
            key = queue_key(queue.identifier)
            found[key] = Presentity(
                key=key,
                kind=PresentityKind.QUEUE,
                name=queue.display_name or queue.identifier,
                server_id=queue.identifier,
                extension=queue.identifier,
                agents=None if agents is None else _agents(agents.values()),
            )
        return found

    def diagnostics(self) -> dict[str, object]:
        """How many queues, and whose agents could not be read."""
        return {
            "queues": len(self.queues),
            "unreadable_queues": sorted(i for i, agents in self._agents.items() if agents is None),
        }


def _agents(agents: Iterable[ISymphonyAgent]) -> tuple[QueueAgent, ...]:
    """A queue's agents as the snapshot holds them, by name."""
    return tuple(
        QueueAgent(
            name=agent.name,
            paused=agent.paused,
            state=agent.state.lower() if agent.state else None,
            dynamic=agent.dynamic,
        )
        for agent in sorted(agents, key=lambda a: (a.name.lower(), a.id))
    )
