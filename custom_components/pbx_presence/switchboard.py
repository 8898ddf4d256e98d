"""The switchboard's model: one tile per person (across both servers), phone and park slot.

A person's tile is their Home Assistant device: a Kazoo user and the iSymphony user linked
to it (device_links.py) share one device, so they share one tile. Phones that belong to a
user are part of that user's tile (the user's call state already covers them); phones that
belong to nobody (a lobby phone, a conference room) and watched extensions (park slots)
get tiles of their own. Tiles are plain JSON-ready dicts: the websocket command sends
them as they are, and compares them to send only what changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    translation,
)

from .backends import Capability
from .backends.snapshot import (
    NOT_TAKING_CALLS,
    STATUS_STATES,
    CallDirection,
    CallInfo,
    CallState,
    Presentity,
    PresentityKind,
    status_state,
)
from .const import DOMAIN
from .coordinator import PbxConfigEntry
from .voice.answers import is_free
from .voice.people import Member, Person

# The lamps a tile can show, from the most urgent down.
LAMP_RINGING = "ringing"
LAMP_BUSY = "busy"
LAMP_AWAY = "away"  # on DND, away, extended away or unavailable: not taking calls
LAMP_FREE = "free"
LAMP_NO_PHONE = "no_phone"
LAMP_OFFLINE = "offline"  # a shared phone that is not registered
LAMP_UNKNOWN = "unknown"  # the server does not answer: nothing to say
LAMP_PARK = "park"  # a park slot: no call state known

TILE_PERSON = "person"
TILE_PHONE = "phone"
TILE_PARK = "park"
TILE_QUEUE = "queue"

_PEOPLE = frozenset({PresentityKind.USER, PresentityKind.PANEL_USER})

# A presentity of one entry: (entry id, presentity key).
type MemberKey = tuple[str, str]


@dataclass(slots=True)
class Index:
    """Which presentities make up which tile (a tile's id is its device's id)."""

    members: dict[str, list[MemberKey]] = field(default_factory=dict)
    # Every presentity whose changes touch a tile, owned phones included.
    tile_of: dict[MemberKey, str] = field(default_factory=dict)


def loaded_entries(hass: HomeAssistant) -> list[PbxConfigEntry]:
    """The integration's loaded entries, with data to show."""
    entries: Iterable[PbxConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
    return [entry for entry in entries if entry.runtime_data.data is not None]


def build_index(hass: HomeAssistant) -> Index:
    """Group every presentity of every loaded entry into the tile of its device."""
    devices = dr.async_get(hass)
    index = Index()
    owned: list[tuple[MemberKey, MemberKey]] = []
    for entry in loaded_entries(hass):
        coordinator = entry.runtime_data
        presentities = coordinator.data.presentities
        for key, presentity in presentities.items():
            member = (entry.entry_id, key)
            if presentity.owner is not None and presentity.owner in presentities:
                owner = (entry.entry_id, presentity.owner)
                owned.append((member, owner))
                continue
            device = devices.async_get_device(identifiers={coordinator.device_identifier(key)})
            if device is None:  # its entities are not added yet
                continue
            index.members.setdefault(device.id, []).append(member)
            index.tile_of[member] = device.id
    for phone, owner in owned:
        if (tile_id := index.tile_of.get(owner)) is not None:
            index.tile_of[phone] = tile_id
    return index


def build_tile(hass: HomeAssistant, index: Index, tile_id: str) -> dict[str, Any] | None:
    """The tile of one device; None when it has nothing to show (any more)."""
    device = dr.async_get(hass).async_get(tile_id)
    members = _members(hass, index.members.get(tile_id, ()))
    if device is None or not members:
        return None
    kinds = {member.presentity.kind: member for member in members}
    user = kinds.get(PresentityKind.USER)
    panel = kinds.get(PresentityKind.PANEL_USER)
    main = user or panel or members[0]
    presentity = main.presentity
    area = ar.async_get(hass).async_get_area(device.area_id) if device.area_id else None
    tile: dict[str, Any] = {
        "id": tile_id,
        "kind": _tile_kind(presentity),
        "name": device.name_by_user or device.name or presentity.name,
        "extension": (user or main).presentity.extension if panel is not main else None,
        "area": area.name if area else None,
        "servers": sorted({member.entry.title for member in members}),
        "call": _call(presentity) if presentity.kind is not PresentityKind.PANEL_USER else None,
        "status": None,
        "voicemail": presentity.voicemail,
        "watchers": presentity.blf_watchers
        if presentity.kind is PresentityKind.EXTENSION
        else None,
        # Who waits in a park slot (None: empty, or not a slot).
        "parked": _parked(presentity),
        "agents": _agents(presentity),
        "registered": presentity.registered,
        "entities": _entities(hass, tile_id),
    }
    if panel is not None and panel.presentity.licensed and (status := panel.presentity.status):
        tile["status"] = {
            "type": status_state(status.type),
            "name": status.name,
            "note": status.note,
            "until": status.return_time.isoformat() if status.return_time else None,
        }
    tile["lamp"] = _lamp(members)
    return tile


def _members(hass: HomeAssistant, keys: Iterable[MemberKey]) -> list[Member]:
    members = []
    for entry_id, key in keys:
        entry: PbxConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
        if entry is None or not hasattr(entry, "runtime_data"):
            continue
        presentity = entry.runtime_data.data.presentities.get(key)
        if presentity is not None:
            members.append(Member(entry, presentity))
    return members


def _tile_kind(presentity: Presentity) -> str:
    if presentity.kind in _PEOPLE:
        return TILE_PERSON
    if presentity.kind is PresentityKind.QUEUE:
        return TILE_QUEUE
    return TILE_PHONE if presentity.kind is PresentityKind.PHONE else TILE_PARK


def _call(presentity: Presentity) -> dict[str, Any] | None:
    """The live call: its state, who is on the other end, and since when."""
    call: CallInfo | None = presentity.call
    if presentity.call_state in (None, CallState.IDLE) or call is None:
        return None
    if call.direction is CallDirection.OUTGOING:
        party = call.destination or call.caller_id_name or call.caller_id_number
    else:
        names = (call.caller_id_name, call.caller_id_number)
        party = " ".join(dict.fromkeys(name for name in names if name)) or None
    return {
        "state": str(presentity.call_state),
        "direction": str(call.direction) if call.direction else None,
        "party": party,
        "started": call.started.isoformat() if call.started else None,
        "answered": call.answered,
    }


def available(members: list[Member]) -> bool:
    """Free to take a call: the same rule voice answers "is Anna free?" by."""
    person = Person(members[0].presentity.name, is_phone=False, members=members)
    try:
        return is_free(person)
    except HomeAssistantError:  # a server that does not answer: not known to be free
        return False


def _parked(presentity: Presentity) -> dict[str, Any] | None:
    """The call waiting in a park slot: who, and since when where known."""
    parked = presentity.parked
    if parked is None:
        return None
    return {
        "caller": parked.caller_id_name or parked.caller_id_number,
        "number": parked.caller_id_number,
        "since": parked.since.isoformat() if parked.since else None,
    }


def _agents(presentity: Presentity) -> dict[str, int] | None:
    """A queue's agents: how many are logged in, and how many of them are free."""
    if presentity.kind is not PresentityKind.QUEUE or presentity.agents is None:
        return None
    agents = presentity.agents
    return {
        "logged_in": len(agents),
        "available": sum(1 for agent in agents if agent.available),
    }


def _queue_lamp(agents: dict[str, int] | None) -> str:
    """Free while an agent is free; busy while all are taken; offline with nobody in."""
    if agents is None:
        return LAMP_UNKNOWN
    if agents["available"]:
        return LAMP_FREE
    return LAMP_BUSY if agents["logged_in"] else LAMP_OFFLINE


def _lamp(members: list[Member]) -> str:
    """One lamp for call state and availability together."""
    if not all(member.entry.runtime_data.last_update_success for member in members):
        return LAMP_UNKNOWN
    kinds = {member.presentity.kind: member.presentity for member in members}
    main = kinds.get(PresentityKind.USER) or next(iter(kinds.values()))
    if main.call_state is CallState.RINGING:
        return LAMP_RINGING
    if main.call_state is CallState.BUSY:
        return LAMP_BUSY
    if main.kind is PresentityKind.EXTENSION:
        # A call waiting in the slot lights it as busy; else it is a plain park lamp.
        return LAMP_BUSY if main.parked is not None else LAMP_PARK
    if main.kind is PresentityKind.PHONE:
        return LAMP_FREE if main.registered else LAMP_OFFLINE
    if main.kind is PresentityKind.QUEUE:
        return _queue_lamp(_agents(main))
    panel = kinds.get(PresentityKind.PANEL_USER)
    status = panel.status if panel is not None and panel.licensed else None
    if status is not None and status.type in NOT_TAKING_CALLS:
        return LAMP_AWAY
    user = kinds.get(PresentityKind.USER)
    if user is None or not user.phones:  # a user without a phone is not free on one
        return LAMP_NO_PHONE
    return LAMP_FREE if available(members) else LAMP_AWAY


def _entities(hass: HomeAssistant, device_id: str) -> dict[str, str]:
    """The device's entities of this integration, as "<domain>.<translation key>": id.

    Generic on purpose: controls other parts add (a DND switch, a forwarding number)
    appear in the tile's dialog as soon as their entities exist.
    """
    found: dict[str, str] = {}
    for entity in er.async_entries_for_device(er.async_get(hass), device_id):
        if entity.platform == DOMAIN and entity.translation_key and not entity.disabled_by:
            found.setdefault(f"{entity.domain}.{entity.translation_key}", entity.entity_id)
    return found


def status_choices(hass: HomeAssistant) -> list[dict[str, str]]:
    """The statuses a tile's dialog offers: the 11 types, then administrators' names."""
    choices = [{"type": state, "name": ""} for state in STATUS_STATES]
    seen: set[tuple[str, str]] = set()
    for entry in loaded_entries(hass):
        backend = entry.runtime_data.backend
        if Capability.STATUS not in backend.capabilities:
            continue
        named = {(status_state(kind), name) for kind, name in backend.predefined_statuses.items()}
        for presentity in entry.runtime_data.data.presentities.values():
            status = presentity.status
            if status is not None and not status.user_created and status.name:
                named.add((status_state(status.type), status.name))
        seen |= named
    order = {state: position for position, state in enumerate(STATUS_STATES)}
    for state, name in sorted(seen, key=lambda item: (order[item[0]], item[1].casefold())):
        choices.append({"type": state, "name": name})
    return choices


async def async_texts(hass: HomeAssistant, language: str) -> dict[str, dict[str, str]]:
    """The integration's own words the panel shows: status labels and error messages."""

    async def load(category: str) -> dict[str, str]:
        return await translation.async_get_translations(hass, language, category, [DOMAIN])

    entity, exceptions = await load("entity"), await load("exceptions")
    prefix = f"component.{DOMAIN}.entity.sensor.status.state."
    errors = f"component.{DOMAIN}.exceptions."
    return {
        "status": {
            state: entity[prefix + state] for state in STATUS_STATES if prefix + state in entity
        },
        "errors": {
            key.removeprefix(errors).removesuffix(".message"): text
            for key, text in exceptions.items()
            if key.startswith(errors) and key.endswith(".message")
        },
    }
