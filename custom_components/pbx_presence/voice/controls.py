"""Voice for the phone controls: do not disturb and call forwarding, with their sentences.

"Put me on do not disturb" turns on the real thing (Flex UC / Kazoo: calls are refused)
where the person has it; a person known only to iSymphony gets the panel status instead,
and the answer says that the phone keeps ringing. Like every intent, these act only on
people the assistant may see (voice/exposure.py), and "me" is the speaker
(voice/self_links.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv, intent
import voluptuous as vol

from ..backends.snapshot import PresentityKind, StatusType
from ..controls import async_set_dnd, async_set_forward, forward_number, has_call_forward, has_dnd
from . import INTENT_SET_DND, INTENT_SET_FORWARD, SLOT_NAME, SLOT_NUMBER, SLOT_STATE
from .answers import Facts, Texts, current
from .handler import PbxIntentHandler
from .people import Member, Person, async_meant, voice_error

ON, OFF = "on", "off"
_NAME = (
    "The person or phone as people say it (first or full name); leave it out for the "
    "person speaking"
)
_DND = "(do not disturb|dnd|don't disturb)"
_FORWARDING = "(call forwarding|forwarding|call forward)"
_DE_DND = "[„]nicht stören[“]"
_DE_FORWARDING = "(Rufumleitung|Umleitung|Anrufumleitung)"

# (intent, slots the sentence itself implies, sentences), matched before the status
# sentences: "put me on do not disturb" means the phone, where there is one.
CONTROL_SENTENCES: tuple[tuple[str, Mapping[str, str], tuple[str, ...]], ...] = (
    (
        INTENT_SET_DND,
        {SLOT_STATE: ON},
        (
            f"(put|set|switch) me (on|to) {_DND}",
            f"(turn|switch) on {_DND} [for me]",
            f"(enable|activate) {_DND} [for me]",
            f"(put|set|switch) {{name}} (on|to) {_DND}",
            f"(turn|switch) on {_DND} for {{name}}",
            f"(enable|activate) {_DND} for {{name}}",
            f"(schalte|stelle|setze) mich auf {_DE_DND}",
            f"schalte {_DE_DND} (ein|an)",
            f"schalte {_DE_DND} für {{name}} (ein|an)",
            f"(schalte|stelle|setze) {{name}} auf {_DE_DND}",
            f"{_DE_DND} für {{name}} (einschalten|anschalten|aktivieren)",
        ),
    ),
    (
        INTENT_SET_DND,
        {SLOT_STATE: OFF},
        (
            f"(turn|switch) off {_DND} [for me]",
            f"(disable|deactivate|end) {_DND} [for me]",
            f"take me off {_DND}",
            f"(turn|switch) off {_DND} for {{name}}",
            f"(disable|deactivate|end) {_DND} for {{name}}",
            f"take {{name}} off {_DND}",
            f"schalte {_DE_DND} aus",
            f"schalte {_DE_DND} für {{name}} aus",
            f"beende {_DE_DND} [für mich]",
            f"beende {_DE_DND} für {{name}}",
            f"{_DE_DND} für {{name}} (ausschalten|abschalten|beenden|deaktivieren)",
        ),
    ),
    (
        INTENT_SET_FORWARD,
        {SLOT_STATE: ON},
        (
            "forward my calls to {number}",
            "forward (the|all) calls (of|for) {name} to {number}",
            "forward {name}'s calls to {number}",
            f"(turn|switch) on {_FORWARDING} [for me]",
            f"(turn|switch) on {_FORWARDING} for {{name}}",
            "leite meine Anrufe (auf|an|zu) {number} um",
            "leite die Anrufe (von|für) {name} (auf|an|zu) {number} um",
            f"schalte [die|meine] {_DE_FORWARDING} (ein|an)",
            f"schalte die {_DE_FORWARDING} für {{name}} (ein|an)",
            f"{_DE_FORWARDING} für {{name}} (einschalten|anschalten|aktivieren)",
        ),
    ),
    (
        INTENT_SET_FORWARD,
        {SLOT_STATE: OFF},
        (
            "(stop|cancel) forwarding my calls",
            "(stop|cancel) forwarding [the] calls (of|for) {name}",
            "(stop|cancel) forwarding {name}'s calls",
            f"(turn|switch) off {_FORWARDING} [for me]",
            f"(turn|switch) off {_FORWARDING} for {{name}}",
            f"(stop|cancel) {_FORWARDING} [for me]",
            f"(stop|cancel) {_FORWARDING} for {{name}}",
            "leite meine Anrufe nicht mehr um",
            "leite die Anrufe (von|für) {name} nicht mehr um",
            f"(schalte|mache) [die|meine] {_DE_FORWARDING} aus",
            f"(beende|stoppe) [die|meine] {_DE_FORWARDING}",
            f"(schalte|mache) die {_DE_FORWARDING} für {{name}} aus",
            f"(beende|stoppe) die {_DE_FORWARDING} für {{name}}",
            f"[die] {_DE_FORWARDING} für {{name}} (ausschalten|abschalten|beenden|deaktivieren)",
            f"[meine] {_DE_FORWARDING} (ausschalten|abschalten|beenden|deaktivieren)",
        ),
    ),
)


def _control(person: Person, exists: Any) -> Member | None:
    """The person's Kazoo user (or a phone's own presentity) that has the control."""
    for kind in (PresentityKind.USER, PresentityKind.PHONE):
        member = person.member(kind)
        if member is not None and exists(current(member)):
            return member
    return None


def _state_schema() -> dict[Any, Any]:
    return {
        vol.Optional(SLOT_NAME, description=_NAME): cv.string,
        vol.Optional(SLOT_STATE, description="on (the default) or off"): vol.In([ON, OFF]),
    }


class SetDndHandler(PbxIntentHandler):
    """Turn a person's (or phone's) do not disturb on or off."""

    intent_type = INTENT_SET_DND
    description = (
        "Turns do not disturb on or off for a person or phone on Flex UC / Kazoo: while "
        "it is on, calls are not put through. For a person known only to the iSymphony "
        "panel, sets the panel status instead (which does not stop the phone ringing). "
        "Leave out the name for the person speaking"
    )
    response_type = intent.IntentResponseType.ACTION_DONE

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """The person, and on or off."""
        return _state_schema()

    async def async_answer(
        self, intent_obj: intent.Intent, slots: dict[str, Any], texts: Texts, facts: Facts
    ) -> str:
        """Answer like: Done. Anna Schmidt is on do not disturb: calls are not put through."""
        person = await async_meant(intent_obj, slots.get(SLOT_NAME))
        enabled = slots.get(SLOT_STATE, ON) == ON
        member = _control(person, has_dnd)
        facts.about(person)
        if member is None:
            return await self._panel_status(person, texts, enabled=enabled)
        coordinator = member.entry.runtime_data
        await async_set_dnd(coordinator, current(member), enabled=enabled)
        after = current(member)
        facts.slots["do_not_disturb"] = after.dnd
        facts.slots["do_not_disturb_active"] = after.dnd_active
        if enabled:
            return texts.say("voice_dnd_on", name=person.name)
        if after.dnd_active:  # the account's, or every phone's own, still refuses calls
            return texts.say("voice_dnd_off_still_active", name=person.name)
        return texts.say("voice_dnd_off", name=person.name)

    async def _panel_status(self, person: Person, texts: Texts, *, enabled: bool) -> str:
        """Without a phone DND: the iSymphony status, saying that calls still ring."""
        panel = person.member(PresentityKind.PANEL_USER)
        presentity = current(panel) if panel is not None else None
        if panel is None or presentity is None or not presentity.licensed:
            raise voice_error("voice_no_dnd", name=person.name)
        status = presentity.status
        if not enabled and (status is None or status.type is not StatusType.DND):
            return texts.say("voice_panel_dnd_was_off", name=person.name)
        await panel.entry.runtime_data.async_set_status(
            presentity, status_type=StatusType.DND if enabled else StatusType.AVAILABLE
        )
        return texts.say(
            "voice_panel_dnd_on" if enabled else "voice_panel_dnd_off", name=person.name
        )


class SetForwardHandler(PbxIntentHandler):
    """Forward a person's (or phone's) calls to a number, or stop forwarding them."""

    intent_type = INTENT_SET_FORWARD
    description = (
        "Forwards the calls of a person or phone on Flex UC / Kazoo to a phone number, "
        "turns forwarding on again to the number set before, or stops it (state off). "
        "Leave out the name for the person speaking"
    )
    response_type = intent.IntentResponseType.ACTION_DONE

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """The person, on or off, and the number to forward to."""
        return {
            **_state_schema(),
            vol.Optional(
                SLOT_NUMBER,
                description="The phone number to forward to, digits with an optional "
                "leading +, such as '0171 1234567'",
            ): cv.string,
        }

    async def async_answer(
        self, intent_obj: intent.Intent, slots: dict[str, Any], texts: Texts, facts: Facts
    ) -> str:
        """Answer like: Done. Calls for Anna Schmidt are forwarded to 01711234567."""
        enabled = slots.get(SLOT_STATE, ON) == ON
        number = None
        if enabled and SLOT_NUMBER in slots:
            number = await _async_forward_target(intent_obj, slots[SLOT_NUMBER])
        person = await async_meant(intent_obj, slots.get(SLOT_NAME))
        member = _control(person, has_call_forward)
        if member is None:
            raise voice_error("voice_no_forward", name=person.name)
        coordinator = member.entry.runtime_data
        await async_set_forward(coordinator, current(member), enabled=enabled, number=number)
        forward = current(member).call_forward
        facts.about(person)
        facts.slots["call_forward"] = forward.enabled if forward else None
        facts.slots["number"] = forward.number if forward else None
        if not enabled:
            return texts.say("voice_forward_off", name=person.name)
        return texts.say(
            "voice_forward_on", name=person.name, number=(forward and forward.number) or ""
        )


async def _async_forward_target(intent_obj: intent.Intent, said: str) -> str:
    """The number to forward to: a number as said, or a colleague's extension by name."""
    try:
        return forward_number(said)
    except HomeAssistantError as not_a_number:
        try:
            person = await async_meant(intent_obj, said)
        except HomeAssistantError:
            raise not_a_number from None
        member = person.member(PresentityKind.USER, PresentityKind.PHONE)
        extension = current(member).extension if member is not None else None
        if not extension:
            raise not_a_number from None
        return forward_number(extension)


CONTROL_HANDLERS = (SetDndHandler, SetForwardHandler)
