"""Device links: one person, one device, across the entries of two servers.

An iSymphony user's entities join the same person's Kazoo device.

A device may belong to several config entries, so the panel user's entities are attached to
the Kazoo user's device (the Kazoo device keeps its name, model and place); the panel user's
own device is then removed. Who is the same person, in this order:

1. the iSymphony entry's options: a person linked by hand, or separated by hand;
2. the same extension: the panel username is the Kazoo user's extension (iSymphony
   usernames are often extension numbers);
3. the same username on both servers (case does not matter);
4. the same full name (case, accents and punctuation do not matter).

Each rule merges only a pair that is unique on both sides: two Kazoo users who could be one
panel user merge with neither. A merge stays when the Kazoo entry is unloaded or removed
(the entities stay where they are, so automations that name the device keep working); it
is undone only by separating the person in the options.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .backends.snapshot import Presentity, PresentityKind
from .const import CONF_PERSON_LINKS, CONF_PERSON_UNLINKS, DOMAIN
from .coordinator import PbxConfigEntry
from .entity import MODEL_NAMES
from .identifiers import (
    device_signal,
    entity_unique_id,
    presentity_identifier,
    presentity_signal,
)
from .names import normalize
from .sensor import SENSORS

# The entity whose device tells where a panel user's entities are.
STATUS_SENSOR_KEY = "status"
# What steps aside for the other server's entity once a person is linked (the call state).
OFF_WHEN_LINKED = frozenset(d.key for d in SENSORS if d.disabled_when_linked)


@dataclass(frozen=True, slots=True)
class KazooPerson:
    """A Kazoo user of a loaded entry, with its device's identifier."""

    identifier: tuple[str, str]
    presentity: Presentity


def kazoo_people(hass: HomeAssistant, also: PbxConfigEntry | None = None) -> list[KazooPerson]:
    """The Kazoo users of every loaded entry, and of `also` (an entry being set up)."""
    entries: set[PbxConfigEntry] = set(hass.config_entries.async_loaded_entries(DOMAIN))
    if also is not None:
        entries.add(also)
    return [
        KazooPerson(presentity_identifier(entry.runtime_data.server, key), presentity)
        for entry in entries
        for key, presentity in entry.runtime_data.unfiltered.presentities.items()
        if presentity.kind is PresentityKind.USER
    ]


type _Key = Callable[[Presentity], str | None]
# The automatic rules, in order: what each compares of a panel user and of a Kazoo user.
_RULES: tuple[tuple[_Key, _Key], ...] = (
    (lambda panel: panel.server_id.lower(), lambda user: user.extension),
    (lambda panel: panel.server_id.lower(), lambda user: (user.username or "").lower() or None),
    (lambda panel: normalize(panel.name) or None, lambda user: normalize(user.name) or None),
)


def automatic_links(
    panel_users: Iterable[Presentity], people: Iterable[KazooPerson]
) -> dict[str, tuple[str, str]]:
    """Panel username -> the Kazoo device it joins, by the automatic rules."""
    panel_users = list(panel_users)
    people = list(people)
    links: dict[str, tuple[str, str]] = {}
    for panel_key, user_key in _RULES:
        unmatched = [p for p in panel_users if p.server_id not in links]
        taken = set(links.values())
        free = [person for person in people if person.identifier not in taken]
        panel_by_value = _unique(unmatched, panel_key)
        people_by_value = _unique(free, _of_person(user_key))
        for value, panel in panel_by_value.items():
            if value is not None and (person := people_by_value.get(value)) is not None:
                links[panel.server_id] = person.identifier
    return links


def _of_person(key: _Key) -> Callable[[KazooPerson], str | None]:
    return lambda person: key(person.presentity)


def _unique[T](items: Iterable[T], key: Callable[[T], str | None]) -> dict[str | None, T]:
    """Items by key, leaving out every key that more than one item has."""
    found: dict[str | None, T] = {}
    doubled: set[str | None] = set()
    for item in items:
        value = key(item)
        if value in found:
            doubled.add(value)
        found[value] = item
    return {value: item for value, item in found.items() if value not in doubled}


def person_links(
    hass: HomeAssistant, entry: PbxConfigEntry, also: PbxConfigEntry | None = None
) -> dict[str, tuple[str, str]]:
    """Presentity key -> the other server's device its entities belong on.

    Only an iSymphony entry's panel users join other devices; for a Kazoo entry it is empty.

    Links by hand come first; then the automatic ones, while a Kazoo entry is loaded; then
    where the entities already are (a merge outlives the Kazoo entry).
    """
    options = entry.options
    separated = set(options.get(CONF_PERSON_UNLINKS, []))
    by_hand = {
        username: (DOMAIN, value)
        for username, value in options.get(CONF_PERSON_LINKS, {}).items()
        if username not in separated
    }
    panel_users = [
        p
        for p in entry.runtime_data.unfiltered.presentities.values()
        if p.kind is PresentityKind.PANEL_USER and p.server_id not in separated
    ]
    people = [p for p in kazoo_people(hass, also) if p.identifier not in by_hand.values()]
    automatic = automatic_links((p for p in panel_users if p.server_id not in by_hand), people)
    links = {**_current_links(hass, entry, panel_users), **automatic, **by_hand}
    devices = dr.async_get(hass)
    keys = {p.server_id: p.key for p in panel_users}
    return {
        keys[username]: identifier
        for username, identifier in links.items()
        if username in keys and devices.async_get_device({identifier}) is not None
    }


def _current_links(
    hass: HomeAssistant, entry: PbxConfigEntry, panel_users: list[Presentity]
) -> dict[str, tuple[str, str]]:
    """Panel users whose entities are on another server's device now (a link made before).

    Entities only ever move onto the device of the person they were linked to.
    """
    entities = er.async_get(hass)
    devices = dr.async_get(hass)
    server = entry.runtime_data.server
    links: dict[str, tuple[str, str]] = {}
    for panel in panel_users:
        unique_id = entity_unique_id(server, panel.key, STATUS_SENSOR_KEY)
        entity_id = entities.async_get_entity_id("sensor", DOMAIN, unique_id)
        entity = entities.async_get(entity_id) if entity_id else None
        device = devices.async_get(entity.device_id) if entity and entity.device_id else None
        if device is None or presentity_identifier(server, panel.key) in device.identifiers:
            continue
        for identifier in device.identifiers:
            if identifier[0] == DOMAIN:
                links[panel.server_id] = identifier
    return links


@callback
def async_relink(hass: HomeAssistant, new_entry: PbxConfigEntry) -> None:
    """Join the devices of people who became known to both servers once `new_entry` is up.

    Entries set up together each see the other half done: the last to finish links both.
    The entities move in the registries (no reload); their own devices are then removed.
    Separating people happens in the options, which reload the entry.
    """
    devices = dr.async_get(hass)
    entities = er.async_get(hass)
    entries: list[PbxConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
    for entry in {new_entry, *entries}:
        coordinator = entry.runtime_data
        links = person_links(hass, entry, also=new_entry)
        new = {k: v for k, v in links.items() if coordinator.device_links.get(k) != v}
        if entry is new_entry:  # joined at setup: those devices show its part too now
            for identifier in coordinator.device_links.values():
                async_dispatcher_send(hass, device_signal(identifier))
        if not new:
            continue
        coordinator.device_links = links
        for key, identifier in new.items():
            target = devices.async_get_device({identifier})
            own = devices.async_get_device({presentity_identifier(coordinator.server, key)})
            if target is None or own is None:
                continue
            devices.async_update_device(target.id, add_config_entry_id=entry.entry_id)
            for entity in er.async_entries_for_device(entities, own.id, True):  # noqa: FBT003
                if entity.config_entry_id == entry.entry_id:
                    _move(entities, entity, target.id)
            # What the joined device shows now comes from both (the Available entity).
            async_dispatcher_send(hass, device_signal(identifier))
            async_dispatcher_send(hass, presentity_signal(entry.entry_id, key))
        coordinator.stale_devices.async_remove(everything=True)


def _move(entities: er.EntityRegistry, entity: er.RegistryEntry, device_id: str) -> None:
    """Put an entity on its person's device; it steps aside as if it had been made there.

    Entries set up together may make the entity before the link is known.
    """
    if entity.translation_key in OFF_WHEN_LINKED and entity.disabled_by is None:
        entities.async_update_entity(
            entity.entity_id, device_id=device_id, disabled_by=er.RegistryEntryDisabler.INTEGRATION
        )
    else:
        entities.async_update_entity(entity.entity_id, device_id=device_id)


def link_lines(hass: HomeAssistant, links: dict[str, str]) -> list[str]:
    """Links by hand as the options form shows them: `username = Kazoo user's name`."""
    names = {person.identifier[1]: person.presentity.name for person in kazoo_people(hass)}
    return [f"{username} = {names.get(value, value)}" for username, value in links.items()]


def parse_link_lines(
    hass: HomeAssistant, entry: PbxConfigEntry, lines: Iterable[str]
) -> dict[str, str]:
    """Links by hand from the options form: panel username -> Kazoo device identifier.

    Each line is `<iSymphony username> = <Kazoo user's name or extension>` (or a stored
    identifier, as the form shows one whose Kazoo entry is not loaded); both sides must
    name exactly one user. Raises ValueError for the first line that does not.
    """
    usernames = {
        p.server_id.lower(): p.server_id
        for p in entry.runtime_data.unfiltered.presentities.values()
        if p.kind is PresentityKind.PANEL_USER
    }
    people = kazoo_people(hass)
    resting = _registered_users(hass, entry)
    links: dict[str, str] = {}
    for line in lines:
        if not line.strip():
            continue
        left, equals, right = line.partition("=")
        username = usernames.get(left.strip().lower())
        wanted = right.strip()
        matches = [
            person.identifier[1]
            for person in people
            if wanted
            and (
                person.presentity.extension == wanted
                or normalize(person.presentity.name) == normalize(wanted)
                or person.identifier[1] == wanted
            )
        ] + [
            identifier
            for identifier, name in resting
            if wanted and (normalize(name) == normalize(wanted) or identifier == wanted)
        ]
        if not equals or username is None or len(matches) != 1:
            raise ValueError(line)
        links[username] = matches[0]
    return links


def _registered_users(hass: HomeAssistant, entry: PbxConfigEntry) -> list[tuple[str, str]]:
    """(identifier, name) of the user devices of the other entries that are not loaded.

    An entry in setup retry, or reloading after its options were saved, has no runtime
    data; its users' devices are still in the registry, by name (extensions are not).
    """
    devices = dr.async_get(hass)
    user_model = MODEL_NAMES[PresentityKind.USER]
    return [
        (identifier[1], device.name or "")
        for other in hass.config_entries.async_entries(DOMAIN)
        if other.entry_id != entry.entry_id and other.state is not ConfigEntryState.LOADED
        for device in dr.async_entries_for_config_entry(devices, other.entry_id)
        if device.model == user_model
        for identifier in device.identifiers
        if identifier[0] == DOMAIN
    ]
