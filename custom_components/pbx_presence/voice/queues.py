"""Voice: a call queue's agents ("who's in the support queue?").

iSymphony's queues: how many agents are logged in and which of them are free (logged in,
not paused, phone idle). A queue is talked about when its Agents logged in sensor is
exposed to the assistant (exposed once when it is added, as people's sensors are).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.helpers import config_validation as cv, intent
import voluptuous as vol

from ..backends.snapshot import Presentity, PresentityKind
from ..const import DOMAIN
from ..coordinator import PbxConfigEntry
from ..names import normalize
from . import SLOT_NAME
from .answers import Facts, Texts
from .exposure import async_is_exposed
from .handler import PbxIntentHandler
from .people import voice_error

INTENT_GET_QUEUE = "PbxPresenceGetQueue"
_QUEUE = "(queue|call queue|hunt group)"
_FREE = "(free|available|idle)"
# Words around a queue's name that are not part of it.
_AROUND = ("the ", "der ", "die ")
_AFTER = (" call queue", " queue", " warteschlange")

QUEUE_SENTENCES: tuple[tuple[str, Mapping[str, str], tuple[str, ...]], ...] = (
    (
        INTENT_GET_QUEUE,
        {},
        (
            f"(who is|who's|whos) [logged] (in|on|into) [the] {{name}} {_QUEUE} [<now>]",
            f"(is|are) (anyone|anybody|someone|any agents) (in|on) [the] {{name}} [{_QUEUE}]"
            f" {_FREE} [<now>]",
            f"how many (agents|people) are [logged] (in|on|into) [the] {{name}} {_QUEUE} [<now>]",
            f"how many (agents|people) are {_FREE} (in|on) [the] {{name}} {_QUEUE} [<now>]",
            f"<whats> [the] status of the {{name}} {_QUEUE}",
            f"[the] {{name}} {_QUEUE} status",
            "wer ist [<de_now>] in der (Warteschlange|Queue) {name} [angemeldet]",
            "ist [<de_now>] (jemand|irgendjemand|ein Agent) in der (Warteschlange|Queue) {name}"
            " frei",
            "wie viele (Agenten|Leute) sind [<de_now>] in der (Warteschlange|Queue) {name}"
            " [angemeldet|frei]",
        ),
    ),
)


def _queues(entries: list[PbxConfigEntry]) -> list[tuple[PbxConfigEntry, Presentity]]:
    return [
        (entry, presentity)
        for entry in entries
        for presentity in entry.runtime_data.data.presentities.values()
        if presentity.kind is PresentityKind.QUEUE
    ]


def _find_queue(
    queues: list[tuple[PbxConfigEntry, Presentity]], spoken: str
) -> tuple[PbxConfigEntry, Presentity]:
    """The queue a name means: its name or its Asterisk identifier, "the" and "queue" aside."""
    wanted = normalize(spoken)
    wanted = next((wanted.removeprefix(w) for w in _AROUND if wanted.startswith(w)), wanted)
    wanted = next((wanted.removesuffix(w) for w in _AFTER if wanted.endswith(w)), wanted)
    found = [
        (entry, queue)
        for entry, queue in queues
        if wanted in {normalize(queue.name), queue.server_id.lower()}
    ]
    if len(found) != 1:
        raise voice_error("voice_unknown_queue", name=spoken.strip())
    return found[0]


class GetQueueHandler(PbxIntentHandler):
    """Who of a call queue's agents is logged in, and who of them is free."""

    intent_type = INTENT_GET_QUEUE
    description = (
        "Tells how many agents are logged into a call queue of the iSymphony server and "
        "which of them are free to take a call"
    )

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """The queue."""
        return {vol.Required(SLOT_NAME, description="The call queue's name"): cv.string}

    async def async_answer(
        self, intent_obj: intent.Intent, slots: dict[str, Any], texts: Texts, facts: Facts
    ) -> str:
        """Answer like: The Support queue has 2 logged in, 1 free: Anna Schmidt."""
        hass = intent_obj.hass
        entry, queue = _find_queue(
            _queues(hass.config_entries.async_loaded_entries(DOMAIN)), slots[SLOT_NAME]
        )
        if not async_is_exposed(hass, intent_obj.assistant, entry, queue):
            raise voice_error("voice_queue_not_exposed", queue=queue.name)
        if not entry.runtime_data.last_update_success or queue.agents is None:
            raise voice_error("voice_queue_unknown", queue=queue.name)
        free = [agent.name for agent in queue.agents if agent.available]
        facts.slots = {"name": queue.name, "logged_in": len(queue.agents), "available": len(free)}
        if not queue.agents:
            return texts.say("voice_queue_empty", queue=queue.name)
        return texts.say(
            "voice_queue_agents",
            queue=queue.name,
            logged_in=str(len(queue.agents)),
            free=str(len(free)),
            names=f": {', '.join(free)}" if free else "",
        )
