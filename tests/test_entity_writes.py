"""A change writes only the entities of the presentities it changed; a quiet poll writes none."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.backends.kazoo.adapter import (
    DIRECTORY_REFRESH_INTERVAL,
    SCAN_INTERVAL as KAZOO_SCAN_INTERVAL,
)
from simulator import Simulator

from .conftest import async_poll, kazoo_device_id, kazoo_user_id, state_of


def _record_writes(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    """Every state write of the entry's entities from now on, changed or not."""
    ours = {
        e.entity_id for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    }
    writes: list[str] = []

    @callback
    def record(event: Event[Any]) -> None:
        writes.append(event.data["entity_id"])

    @callback
    def is_ours(event_data: Mapping[str, Any]) -> bool:
        return event_data["entity_id"] in ours

    for event_type in (EVENT_STATE_CHANGED, EVENT_STATE_REPORTED):
        hass.bus.async_listen(event_type, record, event_filter=is_ours)
    return writes


def _entities_of(hass: HomeAssistant, *device_ids: str | None) -> set[str]:
    registry = er.async_get(hass)
    return {
        e.entity_id
        for device_id in device_ids
        if device_id
        for e in er.async_entries_for_device(registry, device_id)
    }


async def test_a_call_writes_only_its_presentities_entities(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    writes = _record_writes(hass, init_kazoo)

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert writes == []  # nothing changed: nothing written

    desk = kazoo_device_id(simulator, "Anna Schmidt desk phone")
    simulator.kazoo.start_call(device_id=desk, destination="+15550001111", direction="inbound")
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    assert state_of(hass, "sensor.anna_schmidt_call_state") == "busy"
    assert state_of(hass, "sensor.anna_schmidt_desk_phone_call_state") == "busy"
    registry = er.async_get(hass)
    anna = registry.async_get("sensor.anna_schmidt_call_state")
    phone = registry.async_get("sensor.anna_schmidt_desk_phone_call_state")
    assert anna is not None
    assert phone is not None
    changed = _entities_of(hass, anna.device_id, phone.device_id)
    assert writes
    assert set(writes) <= changed
    assert len(writes) == len(set(writes))  # each entity once
    # Others, such as Anna's voicemail count or another phone, were not written.
    assert len(changed) < len(er.async_entries_for_config_entry(registry, init_kazoo.entry_id))


async def test_a_removed_phone_rewrites_only_itself_and_its_owner(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    registry = er.async_get(hass)
    phone = registry.async_get("sensor.anna_schmidt_desk_phone_call_state")
    anna = registry.async_get("sensor.anna_schmidt_call_state")
    assert phone is not None
    assert anna is not None
    await async_poll(hass, freezer, DIRECTORY_REFRESH_INTERVAL)
    writes = _record_writes(hass, init_kazoo)
    allowed = _entities_of(hass, phone.device_id, anna.device_id)

    del simulator.kazoo.devices[kazoo_device_id(simulator, "Anna Schmidt desk phone")]
    await async_poll(hass, freezer, DIRECTORY_REFRESH_INTERVAL)

    assert hass.states.get("sensor.anna_schmidt_desk_phone_call_state") is None  # removed
    assert writes
    assert set(writes) <= allowed


async def test_a_quiet_poll_keeps_the_same_objects(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Nothing changed: the adapter and the coordinator hand on the objects they had.

    So a quiet poll leaves nothing new alive, and no full garbage collection comes due.
    """
    coordinator = init_kazoo.runtime_data
    snapshot = coordinator.data
    everything = dict(coordinator.unfiltered.presentities)

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    assert coordinator.data is snapshot
    assert all(p is everything[k] for k, p in coordinator.unfiltered.presentities.items())

    desk = kazoo_device_id(simulator, "Anna Schmidt desk phone")
    simulator.kazoo.start_call(device_id=desk, destination="+15550001111", direction="inbound")
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    new = {k for k, p in coordinator.unfiltered.presentities.items() if p is not everything[k]}
    anna = kazoo_user_id(simulator, "anna")
    assert new == {f"user_{anna}", f"phone_{desk}"}  # only the call's presentities are new
