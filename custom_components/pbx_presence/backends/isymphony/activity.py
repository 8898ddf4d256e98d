"""iSymphony: what no event reports, read by polling: call state, queues and their agents.

Call state comes from the call segments of each licensed user's extensions (`U/extensions`,
then `CS/extensions/getByName/{number}/callSegments`): one request per extension per read.
The docs define a segment's `incoming` ("being dialed by another call segment, i.e.
receiving a call") but not whether it rings or is answered: any segment counts as a call
(busy), never as ringing. No call event is documented, so this is polled.

Queues (`CS/queues`) and their agents (`CS/queues/getByName/{identifier}/agents`): the
list says who is logged in, paused and in which device state. `agentLogin` / `agentLogout`
events add and remove agents; no pause or device-state event is documented.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from ...pbx import PbxLicenseError, PbxNotFoundError, PbxResponseError, PbxValidationError
from ...pbx.isymphony import (
    ISymphonyAgent,
    ISymphonyAgentEvent,
    ISymphonyCallSegment,
    ISymphonyClient,
    ISymphonyQueue,
)
from ..base import MAX_CONCURRENT_REQUESTS, gather_limited
from ..snapshot import CallDirection, CallInfo, CallState, Presentity, PresentityKind, QueueAgent

# A reply that costs only the part it was for: that user's calls, that queue's agents.
PART_ERRORS = (PbxLicenseError, PbxNotFoundError, PbxResponseError, PbxValidationError)
# Which extensions a user has changes seldom: read again this often (and for new users).
EXTENSIONS_RECHECK_INTERVAL = timedelta(minutes=30)


def queue_key(identifier: str) -> str:
    """Presentity key of a queue: its identifier is stable, its live id is not."""
    return f"queue_{identifier}"


class CallReader:
    """Licensed users' call state from their extensions' call segments."""

    def __init__(self, client: ISymphonyClient) -> None:
        """Nothing read yet."""
        self._client = client
        # username -> the numbers of its extensions
        self.extensions: dict[str, tuple[str, ...]] = {}
        self._extensions_at: datetime | None = None
        # number -> its segments; None: that extension could not be read
        self._segments: dict[str, tuple[ISymphonyCallSegment, ...] | None] = {}

    @property
    def numbers(self) -> list[str]:
        """Every extension read per poll (each once, even when two users share it)."""
        return sorted({number for numbers in self.extensions.values() for number in numbers})

    def recheck(self) -> None:
        """Read every user's extensions again with the next poll (a resync)."""
        self._extensions_at = None

    async def async_read_extensions(self, usernames: Iterable[str], now: datetime) -> None:
        """Learn the extensions of these (licensed) users: all when due, else new ones."""
        wanted = set(usernames)
        for gone in set(self.extensions) - wanted:
            del self.extensions[gone]
        due = self._extensions_at is None or now - self._extensions_at >= (
            EXTENSIONS_RECHECK_INTERVAL
        )
        todo = sorted(wanted if due else wanted - self.extensions.keys())

        async def read(username: str) -> None:
            try:
                extensions = await self._client.get_user_extensions(username)
            except PART_ERRORS:
                extensions = []
            self.extensions[username] = tuple(extension.number for extension in extensions)

        await gather_limited(MAX_CONCURRENT_REQUESTS, (read(username) for username in todo))
        if due:
            self._extensions_at = now

    async def async_read_segments(self) -> bool:
        """Read the call segments of every extension; whether anything changed."""

        async def read(number: str) -> tuple[str, tuple[ISymphonyCallSegment, ...] | None]:
            try:
                return number, tuple(await self._client.get_call_segments(number))
            except PART_ERRORS:
                return number, None

        read_now = dict(
            await gather_limited(MAX_CONCURRENT_REQUESTS, (read(n) for n in self.numbers))
        )
        changed = read_now != self._segments
        self._segments = read_now
        return changed

    def call_of(self, username: str) -> tuple[CallState | None, CallInfo | None]:
        """A user's call state and call; (None, None) where it cannot be known."""
        numbers = self.extensions.get(username, ())
        read = [self._segments.get(number) for number in numbers]
        if not any(segments is not None for segments in read):
            return None, None
        segments = [segment for found in read if found for segment in found]
        if not segments:
            return CallState.IDLE, None
        return CallState.BUSY, call_info(segments, numbers)

    def diagnostics(self) -> dict[str, object]:
        """How many extensions are read per poll, and which could not be."""
        return {
            "extensions_polled": len(self.numbers),
            "unreadable_extensions": sorted(n for n, s in self._segments.items() if s is None),
        }


def call_info(segments: Sequence[ISymphonyCallSegment], own: Sequence[str]) -> CallInfo:
    """The call shown: the first segment not on hold, else the first.

    The other party is the segment's caller ID; an outgoing segment's caller ID is taken
    as the number dialled, unless it is one of the user's own extensions (the docs do not
    say whose caller ID an outgoing segment carries).
    """
    shown = min(segments, key=lambda segment: segment.on_hold)
    number = shown.caller_id_number
    if number in own:
        number = None
    direction = CallDirection.INCOMING if shown.incoming else CallDirection.OUTGOING
    incoming = direction is CallDirection.INCOMING
    return CallInfo(
        answered=True,  # not documented either way; any segment counts as a call
        direction=direction,
        caller_id_name=shown.caller_id_name if incoming else None,
        caller_id_number=number if incoming else None,
        destination=None if incoming else number,
        call_id=shown.id,
        legs=tuple(sorted(segment.id for segment in segments)),
        on_hold=shown.on_hold,
    )


class QueueReader:
    """The core server's queues and their agents."""

    def __init__(self, client: ISymphonyClient) -> None:
        """Nothing read yet."""
        self._client = client
        self.queues: list[ISymphonyQueue] = []
        # identifier -> agents by live id; None: that queue's agents could not be read
        self._agents: dict[str, dict[str, ISymphonyAgent] | None] = {}

    async def async_read(self, *, with_list: bool) -> bool:
        """Read the agents of every queue (and the queue list first); whether it changed."""
        before = (list(self.queues), dict(self._agents))
        if with_list:
            try:
                self.queues = await self._client.get_queues()
            except PART_ERRORS:
                self.queues = []  # a server without queues, or one that will not say

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
        if event.logged_in:
            agents[event.agent_id] = ISymphonyAgent(
                id=event.agent_id,
                name=event.agent or (before.name if before else ""),
                paused=before.paused if before else False,
                state=event.state or (before.state if before else None),
                dynamic=before.dynamic if before else True,
            )
            return agents[event.agent_id] != before
        return agents.pop(event.agent_id, None) is not None

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
                agents=None
                if agents is None
                else tuple(
                    QueueAgent(
                        name=agent.name,
                        paused=agent.paused,
                        state=agent.state.lower() if agent.state else None,
                        dynamic=agent.dynamic,
                    )
                    for agent in sorted(agents.values(), key=lambda a: (a.name.lower(), a.id))
                ),
            )
        return found
