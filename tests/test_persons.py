"""One person, one device: an iSymphony user joins the same person's Kazoo device."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.backends.snapshot import Presentity, PresentityKind
from custom_components.pbx_presence.const import CONF_PERSON_LINKS, CONF_PERSON_UNLINKS, DOMAIN
from custom_components.pbx_presence.device_links import KazooPerson, automatic_links
from simulator import DEMO_CORE_SERVER_ID as ISYMPHONY_ID, Simulator

from .conftest import kazoo_entry_data, kazoo_user_id, setup_entry, state_of


def device_of(hass: HomeAssistant, entity_id: str) -> dr.DeviceEntry:
    """The device an entity is on."""
    entity = er.async_get(hass).async_get(entity_id)
    assert entity is not None, entity_id
    device = dr.async_get(hass).async_get(entity.device_id or "")
    assert device is not None, entity_id
    return device


def own_device(hass: HomeAssistant, username: str) -> dr.DeviceEntry | None:
    """A panel user's own device, where it has one."""
    identifier = (DOMAIN, f"{ISYMPHONY_ID}_panel_user_{username}")
    return dr.async_get(hass).async_get_device({identifier})


async def set_options(hass: HomeAssistant, entry: MockConfigEntry, **changes: Any) -> None:
    """Submit the options form with these changes, as the UI would."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(result["flow_id"], changes)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    await hass.async_block_till_done()


async def test_the_same_person_is_one_device(
    hass: HomeAssistant,
    simulator: Simulator,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    kazoo_entry, isymphony_entry = init_both

    anna = device_of(hass, "sensor.anna_schmidt_call_state")
    assert device_of(hass, "sensor.anna_schmidt_status") == anna
    assert device_of(hass, "select.anna_schmidt_set_status") == anna
    assert anna.config_entries == {kazoo_entry.entry_id, isymphony_entry.entry_id}
    assert anna.name == "Anna Schmidt"  # once
    assert anna.model == "User"
    assert own_device(hass, "anna") is None  # the panel user's own device is gone
    # Matched by username (anna), or by full name where the usernames differ.
    assert device_of(hass, "sensor.sofia_garcia_status") == device_of(
        hass, "sensor.sofia_garcia_call_state"
    )
    # An unlicensed panel user has no entities, so nothing joins.
    assert own_device(hass, "lukas") is None
    assert state_of(hass, "sensor.anna_schmidt_status") == "available"


async def test_the_order_of_setup_does_not_matter(
    hass: HomeAssistant, simulator: Simulator, init_isymphony: MockConfigEntry
) -> None:
    """The iSymphony entry first: it joins the devices once the Kazoo entry is there."""
    assert own_device(hass, "anna") is not None
    kazoo_entry = MockConfigEntry(
        domain=DOMAIN,
        title="acme",
        unique_id=simulator.kazoo.account_id,
        data=kazoo_entry_data(simulator),
    )
    kazoo_entry.add_to_hass(hass)

    await setup_entry(hass, kazoo_entry)
    await hass.async_block_till_done()  # the iSymphony entry reloads

    assert device_of(hass, "sensor.anna_schmidt_status") == device_of(
        hass, "sensor.anna_schmidt_call_state"
    )
    assert own_device(hass, "anna") is None
    # The same entities, with their ids, moved.
    assert er.async_get(hass).async_get("sensor.anna_schmidt_status") is not None
    assert hass.states.get("sensor.anna_schmidt_status_2") is None


async def test_removing_one_entry_keeps_the_others_entities_on_the_device(
    hass: HomeAssistant,
    simulator: Simulator,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    kazoo_entry, isymphony_entry = init_both
    anna = device_of(hass, "sensor.anna_schmidt_status")

    assert await hass.config_entries.async_remove(kazoo_entry.entry_id)
    await hass.async_block_till_done()

    assert device_of(hass, "sensor.anna_schmidt_status").id == anna.id
    device = dr.async_get(hass).async_get(anna.id)
    assert device is not None
    assert device.config_entries == {isymphony_entry.entry_id}
    assert er.async_get(hass).async_get("sensor.anna_schmidt_call_state") is None

    # A reload keeps them there (automations that name the device keep working).
    assert await hass.config_entries.async_reload(isymphony_entry.entry_id)
    await hass.async_block_till_done()
    assert device_of(hass, "sensor.anna_schmidt_status").id == anna.id
    assert state_of(hass, "sensor.anna_schmidt_status") == "available"


async def test_people_kept_apart_and_linked_by_hand(
    hass: HomeAssistant,
    simulator: Simulator,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    _, isymphony_entry = init_both
    merged = device_of(hass, "sensor.anna_schmidt_status")

    # Keep Anna apart; link Max's panel user to Ben by hand (a deliberate mix-up).
    await set_options(
        hass,
        isymphony_entry,
        **{CONF_PERSON_UNLINKS: ["anna"], CONF_PERSON_LINKS: ["max = Ben Carter"]},
    )

    apart = device_of(hass, "sensor.anna_schmidt_status")
    assert apart.id != merged.id
    assert apart.identifiers == {(DOMAIN, f"{ISYMPHONY_ID}_panel_user_anna")}
    assert apart.config_entries == {isymphony_entry.entry_id}
    ben = device_of(hass, "sensor.ben_carter_call_state")
    assert device_of(hass, "sensor.max_weber_status") == ben
    ben_id = f"{simulator.kazoo.account_id}_user_{kazoo_user_id(simulator, 'ben')}"
    assert isymphony_entry.options[CONF_PERSON_LINKS] == {"max": ben_id}

    # The form shows the link in words; linking by extension works too.
    result = await hass.config_entries.options.async_init(isymphony_entry.entry_id)
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description
    }
    assert suggested[CONF_PERSON_LINKS] == ["max = Ben Carter"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_PERSON_UNLINKS: [], CONF_PERSON_LINKS: ["max = 1012"]}
    )
    await hass.async_block_till_done()
    assert device_of(hass, "sensor.anna_schmidt_status").id == merged.id  # merged again
    assert device_of(hass, "sensor.max_weber_status") == device_of(
        hass, "sensor.max_weber_call_state"
    )


async def test_a_link_by_hand_must_name_one_user_on_each_side(
    hass: HomeAssistant,
    simulator: Simulator,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    _, isymphony_entry = init_both
    before = dict(isymphony_entry.options)

    for line in ("max Ben Carter", "nobody = Ben Carter", "max = Nobody Here", "max ="):
        result = await hass.config_entries.options.async_init(isymphony_entry.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_PERSON_LINKS: [line]}
        )
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {CONF_PERSON_LINKS: "invalid_person_link"}
        hass.config_entries.options.async_abort(result["flow_id"])

    assert dict(isymphony_entry.options) == before  # nothing changed


def _user(key: str, name: str, *, extension: str | None, username: str | None) -> KazooPerson:
    presentity = Presentity(
        key=key,
        kind=PresentityKind.USER,
        name=name,
        server_id=key,
        extension=extension,
        username=username,
    )
    return KazooPerson((DOMAIN, f"acct_{key}"), presentity)


def _panel(username: str, name: str) -> Presentity:
    return Presentity(
        key=f"panel_user_{username}",
        kind=PresentityKind.PANEL_USER,
        name=name,
        server_id=username,
        extension=username,
        username=username,
    )


def test_matching_order_and_ambiguity() -> None:
    """Extension, then username, then full name; a pair that is not unique never merges."""
    people = [
        _user("u1", "Anna Schmidt", extension="1001", username="anna.s"),
        _user("u2", "Ben Carter", extension="4224", username="ben"),
        _user("u3", "Chris Young", extension="1003", username="cy"),
        _user("u4", "Chris Young", extension="1004", username="cy2"),
        _user("u5", "Dana Lee", extension="1005", username="dana"),
    ]
    panels = [
        _panel("4224", "Ben C."),  # extension
        _panel("DANA", "D. Lee"),  # username, any case
        _panel("anna", "Anna Schmidt"),  # full name
        _panel("chris", "Chris Young"),  # two Kazoo users of that name: neither
        _panel("zoe", "Zoe Adams"),  # nobody
    ]

    links = automatic_links(panels, people)

    assert links == {
        "4224": (DOMAIN, "acct_u2"),
        "DANA": (DOMAIN, "acct_u5"),
        "anna": (DOMAIN, "acct_u1"),
    }
    # Two panel users of one name leave the Kazoo user of that name alone too.
    twins = [_panel("a1", "Anna Schmidt"), _panel("a2", "Anna Schmidt")]
    assert automatic_links(twins, people) == {}


async def test_services_on_a_merged_device(
    hass: HomeAssistant,
    simulator: Simulator,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    """Reset reaches the person's Kazoo user, a status the person's iSymphony user."""
    anna = device_of(hass, "sensor.anna_schmidt_status").id

    await hass.services.async_call(DOMAIN, "reset_presence", {"device_id": anna}, blocking=True)
    await hass.services.async_call(
        DOMAIN, "set_user_status", {"device_id": anna, "type": "dnd"}, blocking=True
    )

    assert [(a["target"], a["id"]) for a in simulator.kazoo.presence_actions] == [
        ("user", kazoo_user_id(simulator, "anna"))
    ]
    assert simulator.isymphony.status_of("anna")["type"] == "dnd"


async def test_a_link_by_hand_while_the_kazoo_entry_reloads(
    hass: HomeAssistant,
    simulator: Simulator,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    """The Kazoo entry is not loaded (saving its options reloads it): its users still count."""
    kazoo_entry, isymphony_entry = init_both
    assert await hass.config_entries.async_unload(kazoo_entry.entry_id)

    result = await hass.config_entries.options.async_init(isymphony_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_PERSON_LINKS: ["max = Ben Carter"]}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    ben_id = f"{simulator.kazoo.account_id}_user_{kazoo_user_id(simulator, 'ben')}"
    assert isymphony_entry.options[CONF_PERSON_LINKS] == {"max": ben_id}
    for line in ("max = Nobody Here", "max = 1012"):  # extensions are not in the registry
        result = await hass.config_entries.options.async_init(isymphony_entry.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_PERSON_LINKS: [line]}
        )
        assert result["errors"] == {CONF_PERSON_LINKS: "invalid_person_link"}
        hass.config_entries.options.async_abort(result["flow_id"])
