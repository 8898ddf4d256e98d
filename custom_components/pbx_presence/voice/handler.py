"""The base of the integration's intent handlers: slots in, translated words and facts out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv, intent
import voluptuous as vol

from . import NAME_DESCRIPTION, SLOT_NAME
from .answers import Facts, Texts
from .people import Person, async_meant

# Errors that mean "no such target" rather than "it went wrong".
_TARGET_ERRORS = frozenset(
    {
        "voice_unknown_name",
        "voice_ambiguous_name",
        "voice_not_exposed",
        "voice_unknown_self",
        "voice_no_phone",
        "voice_no_status_user",
        "voice_no_presence_user",
        "voice_unknown_phone",
        "voice_ambiguous_phone",
        "voice_cannot_call",
    }
)


class PbxIntentHandler(intent.IntentHandler, ABC):
    """Validates slots, speaks the answer or the translated error."""

    response_type = intent.IntentResponseType.QUERY_ANSWER

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Answer in words, never in raw keys; errors are answers too."""
        slots = self.async_validate_slots(intent_obj.slots)
        values = {key: slot["value"] for key, slot in slots.items() if "value" in slot}
        texts = await Texts.async_load(intent_obj.hass, intent_obj.language)
        response = intent_obj.create_response()
        facts = Facts()
        try:
            speech = await self.async_answer(intent_obj, values, texts, facts)
        except HomeAssistantError as err:
            code = (
                intent.IntentResponseErrorCode.NO_VALID_TARGETS
                if err.translation_key in _TARGET_ERRORS
                else intent.IntentResponseErrorCode.FAILED_TO_HANDLE
            )
            response.async_set_error(code, texts.error(err))
            return response
        response.response_type = self.response_type
        response.async_set_speech(speech)
        response.async_set_speech_slots(facts.slots)
        response.async_set_results(success_results=facts.targets)
        return response

    @abstractmethod
    async def async_answer(
        self, intent_obj: intent.Intent, slots: dict[str, Any], texts: Texts, facts: Facts
    ) -> str:
        """The sentence to speak."""


class PersonIntentHandler(PbxIntentHandler, ABC):
    """A question or command about the one person or phone the `name` slot means."""

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """The person or phone."""
        return {vol.Required(SLOT_NAME, description=NAME_DESCRIPTION): cv.string}

    async def async_answer(
        self, intent_obj: intent.Intent, slots: dict[str, Any], texts: Texts, facts: Facts
    ) -> str:
        """Find who is meant (people.async_meant), then answer about them."""
        person = await async_meant(intent_obj, slots[SLOT_NAME])
        return await self.async_answer_about(intent_obj, person, texts, facts)

    @abstractmethod
    async def async_answer_about(
        self, intent_obj: intent.Intent, person: Person, texts: Texts, facts: Facts
    ) -> str:
        """The sentence to speak about `person`."""
