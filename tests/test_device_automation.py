"""Device triggers and conditions, through Home Assistant's device automation APIs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import automation
from homeassistant.components.device_automation import (
    DeviceAutomationType,
    async_get_device_automations,
)
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant, State
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    mock_restore_cache_with_extra_data,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator
import voluptuous as vol

from custom_components.pbx_presence.backends.isymphony.adapter import (
    SCAN_INTERVAL as ISYMPHONY_SCAN_INTERVAL,
)
from custom_components.pbx_presence.backends.kazoo.adapter import (
    SCAN_INTERVAL as KAZOO_SCAN_INTERVAL,
)
from custom_components.pbx_presence.const import DOMAIN
from custom_components.pbx_presence.device_condition import CONDITION_SCHEMA
from simulator import DEMO_CORE_SERVER_ID as ISYMPHONY_ID, Simulator

from .conftest import (
    STATUS_TYPES,
    async_poll,
    kazoo_device_id,
    kazoo_user_id,
    setup_entry,
    state_of,
)

FIRED = "pbx_presence_test_fired"
CHECK = "pbx_presence_test_check"


def _device_id(hass: HomeAssistant, identifier: str) -> str:
    device = dr.async_get(hass).async_get_device({(DOMAIN, identifier)})
    assert device is not None, identifier
    return device.id


def _registry_id(hass: HomeAssistant, entity_id: str) -> str:
    entry = er.async_get(hass).async_get(entity_id)
    assert entry is not None, entity_id
    return entry.id


def _anna_kazoo(hass: HomeAssistant, sim: Simulator) -> str:
    return _device_id(hass, f"{sim.kazoo.account_id}_user_{kazoo_user_id(sim, 'anna')}")


async def _add_automations(hass: HomeAssistant, *configs: dict[str, Any]) -> None:
    assert await async_setup_component(hass, automation.DOMAIN, {automation.DOMAIN: list(configs)})
    await hass.async_block_till_done()


def _fire(name: str) -> dict[str, Any]:
    """An action that reports the trigger it ran for."""
    return {
        "event": FIRED,
        "event_data": {
            "automation": name,
            "type": "{{ trigger.type if trigger is defined and 'type' in trigger else '' }}",
            "direction": "{{ trigger.to_state.attributes.direction "
            "if trigger is defined and 'to_state' in trigger else '' }}",
            "new_type": "{{ trigger.to_state.attributes.new_type "
            "if trigger is defined and 'to_state' in trigger else '' }}",
        },
    }


def _ours(found: dict[str, list[dict[str, Any]]], device_id: str) -> list[dict[str, Any]]:
    """This integration's automations of a device (other platforms add their own)."""
    return [item for item in found[device_id] if item["domain"] == DOMAIN]


def _names(events: list[Event]) -> list[str]:
    return [event.data["automation"] for event in events]


async def test_kazoo_user_has_call_triggers_and_conditions(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    """A Kazoo user offers ringing, answered and call ended, and three call conditions."""
    device_id = _anna_kazoo(hass, simulator)
    event_entity = _registry_id(hass, "event.anna_schmidt_call")
    sensor = _registry_id(hass, "sensor.anna_schmidt_call_state")

    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, [device_id])
    assert sorted(_ours(triggers, device_id), key=lambda t: t["type"]) == [
        {
            "platform": "device",
            "domain": DOMAIN,
            "device_id": device_id,
            "entity_id": event_entity,
            "type": trigger_type,
            "metadata": {"secondary": False},
        }
        for trigger_type in ("answered", "call_ended", "ringing")
    ]
    conditions = await async_get_device_automations(
        hass, DeviceAutomationType.CONDITION, [device_id]
    )
    assert sorted(c["type"] for c in _ours(conditions, device_id)) == [
        "is_idle",
        "is_on_call",
        "is_ringing",
    ]
    assert {c["entity_id"] for c in _ours(conditions, device_id)} == {sensor}

    # The server's device and a park slot have none.
    account = simulator.kazoo.account_id
    others = [_device_id(hass, account), _device_id(hass, f"{account}_extension_*3101")]
    for automation_type in (DeviceAutomationType.TRIGGER, DeviceAutomationType.CONDITION):
        found = await async_get_device_automations(hass, automation_type, others)
        assert not any(_ours(found, device) for device in others)


async def test_isymphony_user_has_status_trigger_and_condition(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A panel user offers 'status changes' and 'status is', with a status type choice.

    Anna is licensed and has an extension: her polled call state gives the call conditions.
    """
    device_id = _device_id(hass, f"{ISYMPHONY_ID}_panel_user_anna")
    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, [device_id])
    assert [(t["type"], t["entity_id"]) for t in _ours(triggers, device_id)] == [
        ("status_changed", _registry_id(hass, "event.anna_schmidt_status_change"))
    ]
    conditions = await async_get_device_automations(
        hass, DeviceAutomationType.CONDITION, [device_id]
    )
    call_state = _registry_id(hass, "sensor.anna_schmidt_call_state")
    assert [(c["type"], c["entity_id"]) for c in _ours(conditions, device_id)] == [
        ("is_on_call", call_state),
        ("is_ringing", call_state),
        ("is_idle", call_state),
        ("status_is", _registry_id(hass, "sensor.anna_schmidt_status")),
    ]

    # What the automation editor asks for: the status type, a translated option list.
    assert await async_setup_component(hass, "device_automation", {})
    client = await hass_ws_client(hass)
    for message_type, item, required in (
        (
            "device_automation/trigger/capabilities",
            {"trigger": _ours(triggers, device_id)[0]},
            False,
        ),
        (
            "device_automation/condition/capabilities",
            {"condition": _ours(conditions, device_id)[-1]},  # status_is
            True,
        ),
    ):
        await client.send_json_auto_id({"type": message_type, **item})
        reply = await client.receive_json()
        assert reply["success"], reply
        (field,) = reply["result"]["extra_fields"]
        assert field["name"] == "status_type"
        assert field["required"] is required
        select = field["selector"]["select"]
        assert select["options"] == STATUS_TYPES
        assert select["translation_key"] == "status_type"


async def test_call_triggers_have_no_extra_fields(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Call triggers and conditions need nothing but the device."""
    device_id = _anna_kazoo(hass, simulator)
    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, [device_id])
    conditions = await async_get_device_automations(
        hass, DeviceAutomationType.CONDITION, [device_id]
    )
    assert await async_setup_component(hass, "device_automation", {})
    client = await hass_ws_client(hass)
    for key, item in (
        ("trigger", _ours(triggers, device_id)[0]),
        ("condition", _ours(conditions, device_id)[0]),
    ):
        await client.send_json_auto_id({"type": f"device_automation/{key}/capabilities", key: item})
        reply = await client.receive_json()
        assert reply["success"], reply
        assert reply["result"] == {"extra_fields": []}


async def test_call_triggers_fire_on_simulator_calls(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """'Starts ringing', 'answers a call' and 'call ends' run their automations once each."""
    device_id = _anna_kazoo(hass, simulator)
    entity = _registry_id(hass, "event.anna_schmidt_call")
    await _add_automations(
        hass,
        *(
            {
                "alias": trigger_type,
                "triggers": [
                    {
                        "trigger": "device",
                        "domain": DOMAIN,
                        "device_id": device_id,
                        "entity_id": entity,
                        "type": trigger_type,
                    }
                ],
                "actions": [_fire(trigger_type)],
            }
            for trigger_type in ("ringing", "answered", "call_ended")
        ),
    )
    fired = async_capture_events(hass, FIRED)
    desk = kazoo_device_id(simulator, "Anna Schmidt desk phone")

    call = simulator.kazoo.start_call(device_id=desk, direction="outbound")
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert _names(fired) == ["ringing"]
    assert fired[0].data["type"] == "ringing"
    assert fired[0].data["direction"] == "incoming"

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)  # nothing new
    simulator.kazoo.answer(call)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert _names(fired) == ["ringing", "answered"]

    # An outage and recovery without a change fires nothing...
    simulator.faults.add("status", count=None, status=500)
    for delta in (KAZOO_SCAN_INTERVAL, KAZOO_SCAN_INTERVAL, timedelta(minutes=1)):
        await async_poll(hass, freezer, delta)
    assert state_of(hass, "event.anna_schmidt_call") == STATE_UNAVAILABLE
    simulator.faults.clear()
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert _names(fired) == ["ringing", "answered"]

    # ...while a call that ended during an outage fires once the server is back.
    simulator.faults.add("status", count=None, status=500)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    simulator.kazoo.hangup(call)
    simulator.faults.clear()
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert _names(fired) == ["ringing", "answered", "call_ended"]


async def test_a_restored_event_fires_no_trigger(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """At startup the entity brings back its last event: that is no new call."""
    entity_id = "event.anna_schmidt_call"
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(entity_id, "2026-11-23T08:00:00.000+00:00", {"event_type": "ringing"}),
                {"last_event_type": "ringing", "last_event_attributes": None},
            )
        ],
    )
    # Automations may start before the entry is set up: the device is known, the entity not.
    device_id = (
        dr.async_get(hass)
        .async_get_or_create(
            config_entry_id=kazoo_entry.entry_id,
            identifiers={
                (DOMAIN, f"{simulator.kazoo.account_id}_user_{kazoo_user_id(simulator, 'anna')}")
            },
            name="Anna Schmidt",
        )
        .id
    )
    await _add_automations(
        hass,
        {
            "alias": "ringing",
            "triggers": [
                {
                    "trigger": "device",
                    "domain": DOMAIN,
                    "device_id": device_id,
                    "entity_id": entity_id,
                    "type": "ringing",
                }
            ],
            "actions": [_fire("ringing")],
        },
    )
    fired = async_capture_events(hass, FIRED)
    await setup_entry(hass, kazoo_entry)
    assert state_of(hass, entity_id) == "2026-11-23T08:00:00.000+00:00"
    assert fired == []

    desk = kazoo_device_id(simulator, "Anna Schmidt desk phone")
    simulator.kazoo.start_call(device_id=desk, direction="outbound")
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert _names(fired) == ["ringing"]


async def test_status_trigger_with_and_without_a_type(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """'Status changes' fires on every change; 'status changes to dnd' only on dnd."""
    device_id = _device_id(hass, f"{ISYMPHONY_ID}_panel_user_anna")
    trigger = {
        "trigger": "device",
        "domain": DOMAIN,
        "device_id": device_id,
        "entity_id": _registry_id(hass, "event.anna_schmidt_status_change"),
        "type": "status_changed",
    }
    await _add_automations(
        hass,
        {"alias": "any", "triggers": [trigger], "actions": [_fire("any")]},
        {
            "alias": "dnd",
            "triggers": [{**trigger, "status_type": "dnd"}],
            "actions": [_fire("dnd")],
        },
    )
    fired = async_capture_events(hass, FIRED)

    simulator.isymphony.set_status("anna", name="Away", type="away")
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert _names(fired) == ["any"]
    assert fired[0].data["new_type"] == "away"

    simulator.isymphony.set_status("anna", name="In a meeting", type="dnd")
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert sorted(_names(fired)) == ["any", "any", "dnd"]


async def test_call_conditions(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """'Is on a call', 'is ringing' and 'is not on a call' follow the call state."""
    device_id = _anna_kazoo(hass, simulator)
    sensor = _registry_id(hass, "sensor.anna_schmidt_call_state")
    await _add_automations(
        hass,
        *(
            {
                "alias": condition_type,
                "triggers": [{"trigger": "event", "event_type": CHECK}],
                "conditions": [
                    {
                        "condition": "device",
                        "domain": DOMAIN,
                        "device_id": device_id,
                        "entity_id": sensor,
                        "type": condition_type,
                    }
                ],
                "actions": [_fire(condition_type)],
            }
            for condition_type in ("is_idle", "is_ringing", "is_on_call")
        ),
    )
    fired = async_capture_events(hass, FIRED)

    async def check() -> list[str]:
        fired.clear()
        hass.bus.async_fire(CHECK)
        await hass.async_block_till_done()
        return _names(fired)

    assert await check() == ["is_idle"]
    desk = kazoo_device_id(simulator, "Anna Schmidt desk phone")
    call = simulator.kazoo.start_call(device_id=desk, direction="outbound")
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert await check() == ["is_ringing"]
    simulator.kazoo.answer(call)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert await check() == ["is_on_call"]


async def test_status_condition(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """'Status is available' holds until the status changes."""
    await _add_automations(
        hass,
        {
            "alias": "available",
            "triggers": [{"trigger": "event", "event_type": CHECK}],
            "conditions": [
                {
                    "condition": "device",
                    "domain": DOMAIN,
                    "device_id": _device_id(hass, f"{ISYMPHONY_ID}_panel_user_anna"),
                    "entity_id": _registry_id(hass, "sensor.anna_schmidt_status"),
                    "type": "status_is",
                    "status_type": "available",
                }
            ],
            "actions": [_fire("available")],
        },
    )
    fired = async_capture_events(hass, FIRED)
    hass.bus.async_fire(CHECK)
    await hass.async_block_till_done()
    assert _names(fired) == ["available"]

    simulator.isymphony.set_status("anna", name="Away", type="away")
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    hass.bus.async_fire(CHECK)
    await hass.async_block_till_done()
    assert _names(fired) == ["available"]


def test_status_condition_needs_a_type() -> None:
    """'Status is' without a type is refused when the automation is validated."""
    config = {
        "condition": "device",
        "domain": DOMAIN,
        "device_id": "abc",
        "entity_id": "sensor.anna_schmidt_status",
        "type": "status_is",
    }
    with pytest.raises(vol.Invalid, match="status_type"):
        CONDITION_SCHEMA(config)
    assert CONDITION_SCHEMA({**config, "status_type": "dnd"})["status_type"] == "dnd"
