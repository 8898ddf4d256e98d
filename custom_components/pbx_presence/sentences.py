"""English sentences for Home Assistant's built-in Assist agent, wired to the intents.

Home Assistant 2026.2 has no way for an integration to add sentences to the built-in
agent's intent recognition: it reads only the `home-assistant-intents` package and files
in `<config>/custom_sentences/`. What it does offer is the conversation trigger, the same
mechanism as an automation's "Sentence" trigger: its sentences (with `{wildcards}`) are
matched first, and the callback's answer is spoken. Each trigger here hands its wildcards
to one of the integration's intents, so both kinds of assistant share one implementation.

Because trigger sentences win over the built-in ones, every sentence names phones, calls
or statuses explicitly: none of them takes over a built-in sentence such as "is Anna
home" or "turn on the light".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components.conversation.trigger import async_attach_trigger
from homeassistant.const import CONF_COMMAND, CONF_PLATFORM
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import intent
from homeassistant.helpers.script import ScriptRunResult
from homeassistant.helpers.trigger import TriggerData, TriggerInfo

from .const import DOMAIN
from .intent import (
    INTENT_GET_CALL_STATE,
    INTENT_GET_STATUS,
    INTENT_LIST_CALLS,
    INTENT_RESET_PRESENCE,
    INTENT_SET_STATUS,
    SLOT_NAME,
    SLOT_STATE,
)
from .phrases import normalize

ANYONE = frozenset({"anyone", "anybody", "somebody", "someone"})
_ON_A_CALL = "(on [the] phone|on [a] call|in a call|on the line|talking on the phone|busy)"
_IDLE = "(free|idle|off the phone|not on [the] phone|not on a call|free to talk)"
_WHATS = "(what is|what's|whats|tell me)"
_BLF = "(presence|BLF|BLF presence|busy lamp|busy lamps|lamp|lamps)"

# (intent, slots the sentence itself implies, sentences)
SENTENCES: tuple[tuple[str, Mapping[str, str], tuple[str, ...]], ...] = (
    (
        INTENT_GET_CALL_STATE,
        {SLOT_STATE: "busy"},
        (
            f"is {{name}} [currently] {_ON_A_CALL} [right now]",
            "is {name} [currently] on the phone with someone",
        ),
    ),
    (
        INTENT_GET_CALL_STATE,
        {SLOT_STATE: "ringing"},
        ("is {name}'s phone ringing [right now]", "is the phone of {name} ringing"),
    ),
    (
        INTENT_GET_CALL_STATE,
        {SLOT_STATE: "idle"},
        (f"is {{name}} [currently] {_IDLE} [right now]", "can I call {name} [now]"),
    ),
    (
        INTENT_GET_CALL_STATE,
        {},
        (
            f"{_WHATS} {{name}}'s call (state|status)",
            f"{_WHATS} the call (state|status) of {{name}}",
        ),
    ),
    (
        INTENT_LIST_CALLS,
        {SLOT_STATE: "busy"},
        (
            f"who is [currently] {_ON_A_CALL} [right now]",
            f"who's [currently] {_ON_A_CALL} [right now]",
            f"is (anyone|anybody|somebody|someone) [currently] {_ON_A_CALL} [right now]",
        ),
    ),
    (
        INTENT_LIST_CALLS,
        {SLOT_STATE: "ringing"},
        ("whose phone is ringing [right now]", "(which|what) phones are ringing [right now]"),
    ),
    (
        INTENT_GET_STATUS,
        {},
        (
            f"{_WHATS} {{name}}'s [presence|panel|phone] status",
            f"{_WHATS} the (presence|panel|phone|iSymphony) status of {{name}}",
            "when (is|will) {name} be back",
            "when is {name} back",
        ),
    ),
    (
        INTENT_SET_STATUS,
        {},
        (
            "(set|change) {name}'s status to {status}",
            "(set|change) the status of {name} to {status}",
            "(set|change) my status to {status}",
            "(set|mark) me (as|to) {status}",
        ),
    ),
    (
        INTENT_RESET_PRESENCE,
        {},
        (
            f"(reset|clear) {{name}}'s {_BLF}",
            f"(reset|clear) the {_BLF} (of|for) {{name}}",
        ),
    ),
)


async def async_setup_sentences(hass: HomeAssistant) -> None:
    """Attach the sentences to the built-in agent, for as long as Home Assistant runs."""
    for index, (intent_type, implied, sentences) in enumerate(SENTENCES):
        trigger_info = TriggerInfo(
            domain=DOMAIN,
            name=f"{DOMAIN} {intent_type}",
            home_assistant_start=False,
            variables=None,
            trigger_data=TriggerData(id=f"{DOMAIN}_{index}", idx=str(index), alias=None),
        )
        await async_attach_trigger(
            hass,
            {CONF_PLATFORM: "conversation", CONF_COMMAND: list(sentences)},
            _answer(hass, intent_type, implied),
            trigger_info,
        )


def _answer(hass: HomeAssistant, intent_type: str, implied: Mapping[str, str]) -> Any:
    """The trigger action: run the intent with the sentence's wildcards, speak its answer."""

    async def action(
        run_variables: dict[str, Any], context: Context | None = None
    ) -> ScriptRunResult:
        trigger = run_variables["trigger"]
        user_input: dict[str, Any] = trigger["user_input"]
        slots = {**trigger["slots"], **implied}
        if normalize(slots.get(SLOT_NAME, "")) in ANYONE:
            # "Is anyone on the phone" also fits "is {name} on the phone": leave it to the
            # sentence that lists people (a trigger without an answer does not answer).
            return ScriptRunResult(conversation_response=None, service_response=None, variables={})
        response = await intent.async_handle(
            hass,
            DOMAIN,
            intent_type,
            {key: {"value": value, "text": value} for key, value in slots.items()},
            text_input=trigger["sentence"],
            context=context or Context(**user_input["context"]),
            language=user_input["language"],
            device_id=trigger["device_id"],
            satellite_id=trigger["satellite_id"],
            conversation_agent_id=user_input["agent_id"],
        )
        speech: str = response.speech.get("plain", {}).get("speech", "")
        return ScriptRunResult(conversation_response=speech, service_response=None, variables={})

    return action
