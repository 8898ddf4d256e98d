"""Answers in words: the integration's translated sentences, and the facts they say."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import intent, translation
from homeassistant.util import dt as dt_util
from unicode_rbnf import RbnfEngine

from ..availability import Availability, Reason, availability
from ..backends.snapshot import (
    CallState,
    Presentity,
    PresentityKind,
    Status,
    StatusType,
    status_state,
)
from ..const import DOMAIN
from ..names import normalize
from .people import Member, Person, voice_error
from .phrases import Vocabulary
from .times import parse_duration, parse_until


@dataclass(frozen=True, slots=True)
class Texts:
    """The integration's translated sentences in one language."""

    common: dict[str, str]
    exceptions: dict[str, str]
    entity: dict[str, str]
    language: str = "en"

    @classmethod
    async def async_load(cls, hass: HomeAssistant, language: str) -> Texts:
        """Load the sentences of `language` (English where a translation is missing)."""

        async def load(category: str) -> dict[str, str]:
            return await translation.async_get_translations(hass, language, category, [DOMAIN])

        return cls(await load("common"), await load("exceptions"), await load("entity"), language)

    @classmethod
    def cached(cls, hass: HomeAssistant, language: str) -> Texts:
        """The sentences already loaded (for callbacks, e.g. the logbook's: see async_load)."""

        def cached(category: str) -> dict[str, str]:
            # A language chosen after setup is not loaded yet: English until it is.
            return translation.async_get_cached_translations(
                hass, language, category, DOMAIN
            ) or translation.async_get_cached_translations(hass, "en", category, DOMAIN)

        return cls(cached("common"), cached("exceptions"), cached("entity"), language)

    def say(self, key: str, **placeholders: str) -> str:
        """A sentence of the `common` section with its placeholders filled in."""
        return self.common[f"component.{DOMAIN}.common.{key}"].format(**placeholders)

    def error(self, err: HomeAssistantError) -> str:
        """What to say for an error: its translated message when it has one."""
        if err.translation_domain == DOMAIN and err.translation_key:
            template = self.exceptions.get(
                f"component.{DOMAIN}.exceptions.{err.translation_key}.message"
            )
            if template is not None:
                return template.format(**(err.translation_placeholders or {}))
        return str(err)

    def words(self, key: str) -> str:
        """A `common` text as it is, without placeholders filled in (the voice_words_*)."""
        return self.common[f"component.{DOMAIN}.common.{key}"]

    def vocabulary(self) -> Vocabulary:
        """The words the language's phrases are made of (voice/phrases.py)."""
        return Vocabulary.load(self.words, self.language.split("-")[0])

    def count(self, number: int) -> str:
        """A number in words, as a sentence starts with it ("Two", "Zwei")."""
        said = RbnfEngine.for_language(self.language.split("-")[0]).format_number(number).text
        return said[:1].upper() + said[1:]

    def status_label(self, status_type: StatusType) -> str:
        """The status type as the Status sensor shows it ("Extended away")."""
        state = status_state(status_type)
        return self.entity[f"component.{DOMAIN}.entity.sensor.status.state.{state}"]

    def status_words(self, status_type: StatusType) -> str:
        """The status type as said after "is" ("extended away", "on do not disturb")."""
        return self.say(f"voice_type_{status_type}")

    def join(self, names: list[str]) -> str:
        """Join names: "Anna", "Anna and Ben", "Anna, Ben and Carla"."""
        if len(names) == 1:
            return names[0]
        return self.say("voice_and", first=", ".join(names[:-1]), last=names[-1])

    def moment(self, when: datetime, today: date | None = None) -> str:
        """A time of day in the user's time zone, with the day when it is not `today`."""
        local = dt_util.as_local(when)
        today = today or dt_util.now().date()
        # The language's clock (12 or 24 hours) and month names come from its translations.
        twelve = self.say("voice_clock_hours") == "12"
        hour = (local.hour % 12 or 12) if twelve else local.hour
        clock = f"{hour}:{local.minute:02d}" if local.minute else str(hour)
        if twelve:
            clock = self.say("voice_pm" if local.hour >= 12 else "voice_am", time=clock)
        else:
            clock = self.say("voice_clock_24", time=clock)
        if local.date() == today:
            return clock
        if local.date() == today + timedelta(days=1):
            return self.say("voice_tomorrow_at", time=clock)
        month = self.say("voice_months").split(",")[local.month - 1].strip()
        date = self.say("voice_date", month=month, day=str(local.day))
        if local.year != today.year:
            date = self.say("voice_date_year", date=date, year=str(local.year))
        return self.say("voice_date_at", date=date, time=clock)


def current(member: Member) -> Presentity:
    """The member's presentity as of now, after checking its server answers."""
    coordinator = member.entry.runtime_data
    if not coordinator.last_update_success:
        raise voice_error("voice_server_unreachable", server=member.entry.title)
    return coordinator.data.presentities.get(member.presentity.key, member.presentity)


def person_availability(person: Person) -> Availability:
    """Whether a person can take a call now, by the one rule (availability.py).

    Only as far as the assistant may see: a phone it may not see is no phone.
    """
    panel = person.member(PresentityKind.PANEL_USER)
    # A Kazoo user's call state, a phone's, else an iSymphony-only site's user's.
    phone = person.member(PresentityKind.USER, PresentityKind.PHONE) or panel
    if phone is not None and not phone.exposed:
        phone = None
    return availability(
        current(phone) if phone is not None else None,
        current(panel) if panel is not None else None,
    )


def panel_status(person: Person) -> Status:
    """The person's iSymphony status; a translated error where they have none to tell."""
    panel = person.member(PresentityKind.PANEL_USER)
    if panel is None:
        raise voice_error("voice_no_status_user", name=person.name)
    presentity = current(panel)
    if not presentity.licensed or presentity.status is None:
        raise voice_error("voice_not_licensed", name=person.name)
    return presentity.status


def is_free(person: Person) -> bool:
    """Free to take a call: an idle phone, and nothing that says otherwise."""
    return person_availability(person).available is True


def free_answer(texts: Texts, person: Person, call: str, found: Availability) -> str:
    """Answer "is Anna free?": yes or no, and why (the call, the DND, the status)."""
    said = status_sentence(texts, person.name, found.status) if found.status else ""
    if found.reason is Reason.NO_PHONE:
        answer = texts.say("voice_not_free_no_phone", name=person.name)
    elif found.reason is Reason.DO_NOT_DISTURB:
        answer = texts.say("voice_not_free_dnd", name=person.name)
    elif found.reason in {Reason.RINGING, Reason.ON_CALL} or not said:
        return texts.say("voice_yes" if found.available else "voice_no", answer=call)
    elif not found.available:
        return texts.say("voice_not_free", call=call, status=said)
    else:
        answer = texts.say("voice_yes", answer=call)
    return f"{answer} {said}".strip()


def call_sentence(texts: Texts, person: Person, state: CallState) -> str:
    """Say a call state: Anna Schmidt is on a call; Lobby phone is ringing."""
    kind = "phone" if person.is_phone else "call"
    return texts.say(f"voice_{kind}_{state}", name=person.name)


def status_sentence(texts: Texts, name: str, status: Status) -> str:
    """Say a status, like: Ben Carter is away (Out to lunch) until 12:45 pm."""
    words = texts.status_words(status.type)
    named = bool(status.name) and normalize(status.name) not in {
        normalize(words),
        normalize(texts.status_label(status.type)),
        status.type.value,
    }
    key = "voice_status_named" if named else "voice_status"
    placeholders = {"name": name, "status": words, "status_name": status.name}
    if status.return_time is not None:
        key = f"{key}_until"
        placeholders["time"] = texts.moment(status.return_time)
    sentence = texts.say(key, **placeholders)
    if status.note:
        sentence = f"{sentence} {texts.say('voice_note', note=status.note)}"
    return sentence


def return_time(until: str | None, duration: str | None, vocab: Vocabulary) -> datetime | None:
    """The return time said as "until 3 pm" or "for 30 minutes", in UTC."""
    now = dt_util.now()
    if duration:
        if (length := parse_duration(duration, vocab)) is None:
            raise voice_error("voice_bad_time", time=duration)
        return dt_util.as_utc(now + length)
    if until:
        if (moment := parse_until(until, now, vocab)) is None:
            raise voice_error("voice_bad_time", time=until)
        return dt_util.as_utc(moment)
    return None


@dataclass(slots=True)
class Facts:
    """What an answer says, as data: speech slots and targets for LLM assistants."""

    slots: dict[str, Any] = field(default_factory=dict)
    targets: list[intent.IntentResponseTarget] = field(default_factory=list)

    def about(
        self,
        person: Person,
        *,
        call_state: CallState | None = None,
        status: Status | None = None,
    ) -> None:
        """Record a person the answer is about, with their call state and status."""
        facts: dict[str, Any] = {"name": person.name}
        if call_state is not None:
            facts["call_state"] = call_state.value
        if status is not None:
            facts |= {
                "status": status_state(status.type),
                "status_name": status.name,
                "note": status.note,
                "return_time": status.return_time.isoformat() if status.return_time else None,
            }
        self.slots = facts if not self.slots else {**self.slots, **facts}
        self.targets.append(
            intent.IntentResponseTarget(
                name=person.name,
                type=intent.IntentResponseTargetType.DEVICE,
                id=person.device_id,
            )
        )
