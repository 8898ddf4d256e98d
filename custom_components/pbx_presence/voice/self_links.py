"""Who "me" is: a Home Assistant person linked by hand to a person of the phone system.

Each entry's options may hold lines `<Home Assistant person> = <name or extension>`; the
person is named by entity id (`person.anna`) or name, the other side by a user's full name
or extension on this entry's server. Without a link, "me" is found by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from homeassistant.core import HomeAssistant

from ..backends.snapshot import Presentity, PresentityKind
from ..coordinator import PbxConfigEntry
from ..names import normalize

PERSON_DOMAIN = "person"
_PEOPLE_KINDS = frozenset({PresentityKind.USER, PresentityKind.PANEL_USER})


def _people(entry: PbxConfigEntry) -> list[Presentity]:
    return [
        presentity
        for presentity in entry.runtime_data.unfiltered.presentities.values()
        if presentity.kind in _PEOPLE_KINDS
    ]


def _ha_person(hass: HomeAssistant, text: str) -> str | None:
    """The entity id of the Home Assistant person a line names (by id or by name)."""
    wanted = text.strip()
    matches = [
        state.entity_id
        for state in hass.states.async_all(PERSON_DOMAIN)
        if state.entity_id == wanted.lower() or normalize(state.name) == normalize(wanted)
    ]
    return matches[0] if len(matches) == 1 else None


def parse_self_lines(
    hass: HomeAssistant, entry: PbxConfigEntry, lines: Iterable[str]
) -> dict[str, str]:
    """Home Assistant person entity id -> presentity key, from the options form's lines.

    Raises ValueError for the first line that does not name exactly one of each.
    """
    people = _people(entry)
    links: dict[str, str] = {}
    for line in lines:
        if not line.strip():
            continue
        left, equals, right = line.partition("=")
        person = _ha_person(hass, left)
        wanted = right.strip()
        matches = [
            presentity.key
            for presentity in people
            if wanted
            and (presentity.extension == wanted or normalize(presentity.name) == normalize(wanted))
        ]
        if not equals or person is None or len(matches) != 1:
            raise ValueError(line)
        links[person] = matches[0]
    return links


def self_lines(entry: PbxConfigEntry, links: Mapping[str, str]) -> list[str]:
    """The links as the options form shows them: `person.anna = Anna Schmidt`."""
    names = {presentity.key: presentity.name for presentity in _people(entry)}
    return [f"{person} = {names.get(key, key)}" for person, key in links.items()]
