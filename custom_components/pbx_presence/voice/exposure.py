"""Assist's privacy rules: voice answers only about people whose entities are exposed.

A person's call state and status are what voice tells; the sensors that show them are what
the user exposes to an assistant (Settings → Voice assistants → Expose). New ones are
exposed once, when first added, unless the entry's options say not to; a choice the user
made afterwards is never overridden.
"""

from __future__ import annotations

from homeassistant.components.homeassistant.const import DATA_EXPOSED_ENTITIES
from homeassistant.components.homeassistant.exposed_entities import (
    async_expose_entity,
    async_should_expose,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from ..backends.snapshot import Presentity, PresentityKind
from ..const import DOMAIN
from ..coordinator import PbxConfigEntry
from ..identifiers import entity_unique_id

# Assist's exposure list: the built-in agent's and that of LLM assistants using Assist.
ASSISTANT = "conversation"
# The sensors whose exposure stands for the person's: what voice answers about.
SPOKEN_SENSORS = ("call_state", "status")
# A call queue's: its agents logged in.
QUEUE_SENSORS = ("queue_agents",)


@callback
def async_expose_once(hass: HomeAssistant, entity_id: str) -> None:
    """Expose a new entity to Assist, unless someone already decided about it."""
    if DATA_EXPOSED_ENTITIES not in hass.data:  # no exposure settings in this instance
        return
    entry = er.async_get(hass).async_get(entity_id)
    if entry is None or "should_expose" in entry.options.get(ASSISTANT, {}):
        return
    async_expose_entity(hass, ASSISTANT, entity_id, should_expose=True)


@callback
def async_is_exposed(
    hass: HomeAssistant, assistant: str | None, entry: PbxConfigEntry, presentity: Presentity
) -> bool:
    """Whether voice may answer about a presentity to this assistant (None: any caller)."""
    if assistant is None or DATA_EXPOSED_ENTITIES not in hass.data:
        return True
    registry = er.async_get(hass)
    server = entry.runtime_data.server
    sensors = [
        entity_id
        for key in (QUEUE_SENSORS if presentity.kind is PresentityKind.QUEUE else SPOKEN_SENSORS)
        if (
            entity_id := registry.async_get_entity_id(
                "sensor", DOMAIN, entity_unique_id(server, presentity.key, key)
            )
        )
    ]
    # Without such a sensor (an unlicensed user) there is nothing to tell but that.
    return not sensors or any(async_should_expose(hass, assistant, e) for e in sensors)
