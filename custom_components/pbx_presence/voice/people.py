"""Find the people a voice request names, across every loaded server of both kinds.

A person is what a speaker means by a name: the Kazoo user and the iSymphony user with
the same name are one person; a phone named on its own ("the lobby phone") is one too.
Names are compared without case, accents or punctuation, and match a full name, a first
or last name, a device's name as renamed in Home Assistant, or an alias of one of the
device's entities.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er, intent

from ..backends.snapshot import Presentity, PresentityKind
from ..const import CONF_SELF_LINKS, DOMAIN
from ..coordinator import PbxConfigEntry
from ..names import normalize
from .exposure import async_is_exposed

# What people say when they mean themselves.
SELF_WORDS = frozenset({"", "me", "my", "i", "myself", "mine", "ich", "mich", "mein", "meinen"})
# What a speaker says before one of their own phones ("my desk phone", "meinem Telefon").
_MY = frozenset({"my", "mein", "meinem", "meinen", "meiner"})
# A phone, in general: "my phone" means the speaker's only phone.
_ANY_PHONE = frozenset({"phone", "telephone", "telefon"})
# Words a sentence's wildcard may take in after a name ("is Anna currently ...").
_FILLER_WORDS = frozenset(
    {
        *("talking", "currently", "now", "right", "still", "really", "please", "today"),
        *("gerade", "jetzt", "noch", "bitte", "heute"),
    }
)
# Ambiguous names list at most this many candidates.
MAX_CANDIDATES = 5
_PEOPLE_KINDS = frozenset({PresentityKind.USER, PresentityKind.PANEL_USER})


@dataclass(frozen=True, slots=True)
class Member:
    """One presentity of a person, with the entry it belongs to."""

    entry: PbxConfigEntry
    presentity: Presentity
    # Whether the assistant asking may hear about it (Assist's exposure settings).
    exposed: bool = True


@dataclass(slots=True)
class Person:
    """Everything the servers know under one name."""

    name: str
    is_phone: bool
    members: list[Member] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # normalized names it answers to
    device_id: str | None = None  # the person's (first) device, for structured answers

    def exposed_only(self) -> Person:
        """The person as the assistant may see them; a translated refusal when not at all."""
        members = [member for member in self.members if member.exposed]
        if not members:
            raise voice_error("voice_not_exposed", name=self.name)
        return replace(self, members=members)

    def member(self, *kinds: PresentityKind) -> Member | None:
        """The first presentity of one of these kinds (the order says which first)."""
        for kind in kinds:
            for member in self.members:
                if member.presentity.kind is kind:
                    return member
        return None


def voice_error(key: str, **placeholders: str) -> HomeAssistantError:
    """A translated error that the intents speak."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def async_people(hass: HomeAssistant, assistant: str | None = None) -> list[Person]:
    """Every person and phone of every loaded entry, each part marked exposed or not."""
    devices = dr.async_get(hass)
    entities = er.async_get(hass)
    people: dict[tuple[bool, str], Person] = {}
    entries: Iterable[PbxConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
    for entry in entries:
        coordinator = entry.runtime_data
        for presentity in coordinator.data.presentities.values():
            if presentity.kind in {PresentityKind.EXTENSION, PresentityKind.QUEUE}:
                continue  # park slots and queues are nobody
            is_phone = presentity.kind not in _PEOPLE_KINDS
            key = (is_phone, normalize(presentity.name))
            person = people.setdefault(key, Person(presentity.name, is_phone))
            exposed = async_is_exposed(hass, assistant, entry, presentity)
            person.members.append(Member(entry, presentity, exposed))
            person.names.add(key[1])
            device = devices.async_get_device(
                identifiers={coordinator.device_identifier(presentity.key)}
            )
            if device is None:
                continue
            person.device_id = person.device_id or device.id
            if device.name_by_user:
                person.names.add(normalize(device.name_by_user))
            for entity in er.async_entries_for_device(entities, device.id):
                person.names.update(normalize(alias) for alias in entity.aliases if alias)
    return list(people.values())


def _contains(words: list[str], name: str) -> bool:
    """Whether the words appear in the name in this order ("anna" in "anna schmidt")."""
    remaining = iter(name.split())
    return all(word in remaining for word in words)


async def async_find_person(
    hass: HomeAssistant, spoken: str | None, context: Context, assistant: str | None = None
) -> Person:
    """The one person a name means, as far as the assistant may see them.

    A translated error when none or several fit, or when the person is not exposed.
    """
    people = async_people(hass, assistant)
    if spoken is None or normalize(spoken) in SELF_WORDS:
        return (await _async_find_self(people, hass, context)).exposed_only()
    return find_person(people, spoken).exposed_only()


def find_person(people: list[Person], spoken: str) -> Person:
    """The one person a name means among `people`."""
    wanted = normalize(spoken).removeprefix("the ")
    while (words := wanted.split())[-1:] and words[-1] in _FILLER_WORDS and len(words) > 1:
        wanted = " ".join(words[:-1])
    exact = _matching(people, wanted)
    if not exact and wanted.endswith("s"):  # a possessive typed without its apostrophe
        exact = _matching(people, wanted[:-1])
    if len(exact) == 1:
        return exact[0]
    if not exact:
        raise voice_error("voice_unknown_name", name=spoken.strip())
    names = sorted(person.name for person in exact)[:MAX_CANDIDATES]
    raise voice_error("voice_ambiguous_name", name=spoken.strip(), candidates=", ".join(names))


def _matching(people: list[Person], wanted: str) -> list[Person]:
    """Who a name fits: exactly, else as words of a longer name ("anna", "schmidt")."""
    exact = [person for person in people if wanted in person.names]
    if exact or not wanted:
        return exact
    words = wanted.split()
    partial = [person for person in people if any(_contains(words, name) for name in person.names)]
    # "Anna" means the person Anna Schmidt, not also her phones.
    return [person for person in partial if not person.is_phone] or partial


async def _async_find_self(people: list[Person], hass: HomeAssistant, context: Context) -> Person:
    """The speaker: the person (or user) name of the Home Assistant user who asks."""
    user = await hass.auth.async_get_user(context.user_id) if context.user_id else None
    if user is None:
        raise voice_error("voice_unknown_self")
    persons = [
        state
        for state in hass.states.async_all("person")
        if state.attributes.get("user_id") == user.id
    ]
    # A link by hand in an entry's options wins over names.
    linked = {
        (entry.entry_id, key)
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
        for person in persons
        if (key := entry.options.get(CONF_SELF_LINKS, {}).get(person.entity_id)) is not None
    }
    for person in people:
        if any((m.entry.entry_id, m.presentity.key) in linked for m in person.members):
            return person
    names = [state.name for state in persons]
    if user.name:
        names.append(user.name)
    for name in names:
        try:
            return find_person(people, name)
        except HomeAssistantError:
            continue
    raise voice_error("voice_unknown_self")


async def async_meant(intent_obj: intent.Intent, spoken: str | None) -> Person:
    """Who a request means, as far as the assistant asking may see them.

    The speaker for no name or "me"; one of the speaker's phones for "my desk phone";
    else the person or phone named. A translated error when it is nobody, or not one.
    """
    hass, assistant = intent_obj.hass, intent_obj.assistant
    words = normalize(spoken or "").split()
    if words[:1] and words[0] in _MY and words[1:]:
        speaker = await async_find_person(hass, None, intent_obj.context, assistant)
        return _own_phone(async_people(hass, assistant), speaker, words[1:]).exposed_only()
    return await async_find_person(hass, spoken, intent_obj.context, assistant)


def _own_phone(people: list[Person], speaker: Person, words: list[str]) -> Person:
    """One of the speaker's phones, by the words after "my" ("desk phone")."""
    user = speaker.member(PresentityKind.USER)
    phones = (
        []
        if user is None
        else [
            person
            for person in people
            if person.is_phone
            and any(
                m.presentity.owner == user.presentity.key and m.entry is user.entry
                for m in person.members
            )
        ]
    )
    wanted = [word for word in words if word not in _ANY_PHONE]
    fitting = [
        phone
        for phone in phones
        if all(any(word in name.split() for name in phone.names) for word in wanted)
    ]
    if len(fitting) == 1:
        return fitting[0]
    spoken = " ".join(words)
    if not fitting:
        raise voice_error("voice_unknown_phone", name=speaker.name, phone=spoken)
    names = ", ".join(sorted(phone.name for phone in fitting))
    raise voice_error("voice_ambiguous_phone", name=speaker.name, candidates=names)
