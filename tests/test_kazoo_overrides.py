"""Kazoo 5.x through Home Assistant: lamps forced elsewhere, and MWI that costs what it touches.

A BLF override set outside Home Assistant (Monster UI's presence `set`, another client, a
`*`-code callflow) reaches the BLF override select by `presence.update`; probes' online /
offline answers and real calls do not. A voicemail count pushed by MWI builds only the
users whose boxes it names. Real time passes (sockets, no frozen clock).
"""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.backends.kazoo import adapter as adapter_module
from custom_components.pbx_presence.backends.snapshot import CallState
from simulator import Simulator
from simulator.kazoo import KazooState

from .conftest import kazoo_device_id, kazoo_user_id, state_of
from .test_live import setup_live, wait_for_state, wait_until
from .test_select import ANNA, _select

BEN = "select.ben_carter_blf_override"


def _override(entry: MockConfigEntry, sim: Simulator) -> CallState | None:
    """Anna's override as Home Assistant's data has it."""
    return entry.runtime_data.data.presentities[f"user_{kazoo_user_id(sim, 'anna')}"].blf_override


async def _settled(hass: HomeAssistant) -> None:
    """Let pushed events that would change something arrive (they take milliseconds)."""
    for _ in range(20):
        await hass.async_block_till_done()


@pytest.fixture
async def kazoo(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> KazooState:
    """Kazoo 5.x (which has presence bindings), set up with its socket open."""
    simulator.kazoo.blackhole_version = "5"
    await setup_live(hass, simulator, kazoo_entry)
    return simulator.kazoo


async def test_an_override_set_elsewhere_shows_in_the_select(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    kazoo: KazooState,
) -> None:
    """Monster UI's `set`, then a `*`-code, then an end: the select follows each."""
    assert "update.*" in kazoo_entry.runtime_data.backend.live_details()["subscribed"]
    assert state_of(hass, ANNA) == "automatic"
    anna = kazoo_user_id(simulator, "anna")

    # Monster UI (Crossbar's presence `set` on the user): app crossbar, md5 call id.
    kazoo.apply_presence_action("user", anna, "set", "confirmed", kazoo.user_presence_ids(anna))
    await wait_for_state(hass, ANNA, "busy")
    # A `*`-code callflow (cf_manual_presence): app callflow.
    kazoo.manual_presence("1001", "early")
    await wait_for_state(hass, ANNA, "ringing")
    # Ended elsewhere (`set terminated`): back to automatic.
    kazoo.manual_presence("1001", "terminated")
    await wait_for_state(hass, ANNA, "automatic")
    # Someone else's lamp leaves Anna's as it is.
    assert state_of(hass, BEN) == "automatic"


async def test_probes_and_calls_are_not_overrides(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    kazoo: KazooState,
) -> None:
    """ecallmgr's online/offline answers and a real call's lamp leave the select alone."""

    kazoo.presence_probe("1001", online=True)
    kazoo.presence_probe("1001", online=False)
    call = kazoo.start_call(device_id=kazoo_device_id(simulator, "Anna Schmidt desk phone"))
    await wait_for_state(hass, "sensor.anna_schmidt_call_state", "busy")
    await _settled(hass)
    assert state_of(hass, ANNA) == "automatic"
    kazoo.hangup(call)
    # An override after them still shows: the socket got there.
    kazoo.manual_presence("1001", "confirmed")
    await wait_for_state(hass, ANNA, "busy")


async def test_a_command_from_home_assistant_then_one_from_elsewhere(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    kazoo: KazooState,
) -> None:
    """Home Assistant ends an override; the same state forced again elsewhere still shows."""

    kazoo.manual_presence("1001", "confirmed")
    await wait_for_state(hass, ANNA, "busy")
    await _select(hass, ANNA, "automatic")
    # Kazoo sends our own `set` back as an `update`: the override is known to be over.
    await wait_until(lambda: _override(kazoo_entry, simulator) is CallState.IDLE)
    assert state_of(hass, ANNA) == "automatic"
    # `idle` as chosen stays `idle` when its own echo (terminated) arrives.
    await _select(hass, ANNA, "idle")
    await _settled(hass)
    assert state_of(hass, ANNA) == "idle"

    kazoo.manual_presence("1001", "confirmed")
    await wait_for_state(hass, ANNA, "busy")


async def test_a_reset_forgets_the_override(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    kazoo: KazooState,
) -> None:
    """Kazoo's reset sends no `update`: after it the override is unknown, not stale."""
    kazoo.manual_presence("1001", "confirmed")
    await wait_for_state(hass, ANNA, "busy")

    await hass.services.async_call(
        "button", "press", {"entity_id": "button.anna_schmidt_reset_presence"}, blocking=True
    )
    assert state_of(hass, ANNA) == "automatic"
    # The same state forced again elsewhere shows again.
    kazoo.manual_presence("1001", "confirmed")
    await wait_for_state(hass, ANNA, "busy")


async def test_43_subscribes_no_presence_update(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    """4.3 has no presence bindings: nothing asked for, nothing refused."""
    await setup_live(hass, simulator, kazoo_entry)
    live = kazoo_entry.runtime_data.backend.live_details()
    assert not any(binding.startswith("update.") for binding in live["subscribed"])
    assert "presence.update.*" not in live["refused"]


async def test_a_voicemail_count_builds_only_its_owner(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    kazoo: KazooState,
) -> None:
    """An MWI event rebuilds the box owner's presentity only, not the whole snapshot."""
    coordinator = kazoo_entry.runtime_data
    before = dict(coordinator.data.presentities)
    count = int(state_of(hass, "sensor.anna_schmidt_new_voicemails"))
    anna = kazoo_user_id(simulator, "anna")
    box = next(i for i, b in kazoo.vmboxes.items() if b["owner_id"] == anna)

    with patch.object(
        adapter_module, "build_snapshot", wraps=adapter_module.build_snapshot
    ) as full_builds:
        kazoo.leave_voicemail(box, "+15550004444", "A caller")
        await wait_for_state(hass, "sensor.anna_schmidt_new_voicemails", str(count + 1))

    assert full_builds.call_count == 0
    after = coordinator.data.presentities
    changed = {key for key, presentity in after.items() if presentity is not before.get(key)}
    assert changed == {f"user_{anna}"}
    assert coordinator.last_changes == {f"user_{anna}"}


async def test_an_override_from_before_shows_only_when_kazoo_repeats_it(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    """Set before Home Assistant connected: unknown, until Kazoo repeats it.

    Callflow answers a phone's probe with a `*`-code's stored state; Crossbar's is stored
    under another key.
    """
    kazoo = simulator.kazoo
    kazoo.blackhole_version = "5"
    ben = kazoo_user_id(simulator, "ben")
    kazoo.manual_presence("1001", "confirmed")  # a `*`-code, before
    kazoo.apply_presence_action("user", ben, "set", "early", kazoo.user_presence_ids(ben))
    await setup_live(hass, simulator, kazoo_entry)
    assert (state_of(hass, ANNA), state_of(hass, BEN)) == ("automatic", "automatic")

    kazoo.presence_probe("1001", online=True)
    kazoo.presence_probe(kazoo.user_presence_ids(ben)[0], online=True)

    await wait_for_state(hass, ANNA, "busy")
    await _settled(hass)
    assert state_of(hass, BEN) == "automatic"
