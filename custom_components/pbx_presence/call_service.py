"""Click-to-call: the `pbx_presence.call` action, and placing a call for voice and devices.

A person (all their phones ring) or one phone calls a number or another person. Kazoo's
quickcall rings the caller's phone first; once it is picked up, it dials the number. The
phone answers by itself only with `auto_answer` (Kazoo's own default is to, which would
put a desk phone on its speaker). Everything is checked before the server hears of it:
one caller, a number a phone can dial, a phone that is registered.
"""

from __future__ import annotations

from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv
import voluptuous as vol

from .backends import Capability, NotRegisteredError, NotSupportedError
from .backends.snapshot import Presentity, PresentityKind
from .const import DOMAIN
from .coordinator import PbxConfigEntry
from .errors import action_error
from .pbx import (
    PbxAuthenticationError,
    PbxError,
    PbxForbiddenError,
    PbxNotFoundError,
    PbxRateLimitError,
    PbxRefusedError,
)
from .pbx.kazoo import MAX_NUMBER_LENGTH, dialable_number
from .services import _error, _Kind, _Resolver, _shown, _Target
from .voice.people import async_people, find_person

SERVICE_CALL = "call"
ATTR_CALLER = "caller"
ATTR_NUMBER = "number"
ATTR_AUTO_ANSWER = "auto_answer"

CALL_SCHEMA = vol.Schema(
    {
        # Explicit entities and devices only: an area holds many people, a call has one.
        vol.Optional(ATTR_ENTITY_ID): cv.entity_ids,
        vol.Optional(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string]),
        vol.Optional(ATTR_CALLER): vol.All(cv.string, vol.Strip),
        vol.Required(ATTR_NUMBER): vol.All(cv.string, vol.Strip),
        vol.Optional(ATTR_AUTO_ANSWER, default=False): cv.boolean,
    }
)

_CALL_KINDS = (PresentityKind.USER, PresentityKind.PHONE)
_CALLER = _Kind(
    Capability.CLICK_TO_CALL,
    frozenset(_CALL_KINDS),
    "not_call_target",
    "no_call_targets",
)


def _call_error(key: str, **placeholders: str) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


async def async_place_call(
    entry: PbxConfigEntry, caller: Presentity, number: str, *, auto_answer: bool = False
) -> None:
    """Ring the caller's phone and dial `number` (dialable already); errors translated."""
    coordinator = entry.runtime_data
    name = caller.name
    try:
        await coordinator.backend.async_call(caller, number, auto_answer=auto_answer)
    except NotRegisteredError as err:
        raise _call_error("call_not_registered", name=name) from err
    except PbxRefusedError as err:
        raise _call_error("call_refused", name=name) from err
    except PbxRateLimitError as err:
        raise _call_error("call_rate_limited") from err
    except PbxNotFoundError as err:
        raise _call_error("call_unknown_caller", name=name) from err
    except PbxForbiddenError as err:
        if isinstance(err, PbxAuthenticationError):
            raise action_error(err) from err
        raise _call_error("call_forbidden", name=name) from err
    except (PbxError, NotSupportedError) as err:
        raise action_error(err) from err
    # The phone rings now: show it without waiting for the next poll (events do too).
    await coordinator.async_request_refresh()


def callee_number(hass: HomeAssistant, entry: PbxConfigEntry, wanted: str) -> str:
    """The number to dial for what was asked: a number, or a person's or phone's extension.

    A person must be on the caller's server: that is where their extension rings.
    """
    if (number := dialable_number(wanted)) is not None:
        return number
    try:
        person = find_person(async_people(hass), wanted)
    except HomeAssistantError as err:
        if err.translation_key != "voice_unknown_name":
            raise
        raise _error(
            "call_bad_number", number=_shown(wanted), max_length=str(MAX_NUMBER_LENGTH)
        ) from None
    extensions = [
        number
        for member in person.members
        if member.entry is entry
        and member.presentity.kind in _CALL_KINDS
        and member.presentity.extension
        and (number := dialable_number(member.presentity.extension)) is not None
    ]
    if not extensions:
        raise _error("call_no_extension", name=person.name, entry=entry.title)
    return extensions[0]


def _named_caller(hass: HomeAssistant, name: str) -> _Target:
    """The caller a name means: a person's Kazoo user, else a phone."""
    person = find_person(async_people(hass), name)
    member = person.member(*_CALL_KINDS) or person.member(PresentityKind.PANEL_USER)
    if member is None:  # pragma: no cover - every person has a member
        raise _error("not_call_target", name=person.name)
    return _Target(member.entry, member.presentity)


async def _async_call(call: ServiceCall) -> None:
    """Ring the caller's phone, then dial the number or person asked for."""
    hass = call.hass
    targets = _Resolver(hass, _CALLER, lambda _entry, _presentity: None).resolve(call)
    if (name := call.data.get(ATTR_CALLER)) is not None:
        targets.append(_named_caller(hass, name))
    if not targets:
        raise _error("call_no_caller")
    if len(targets) > 1:
        names = sorted({target.presentity.name for target in targets})
        raise _error("call_one_caller", names=", ".join(names))
    target = targets[0]
    if Capability.CLICK_TO_CALL not in target.entry.runtime_data.backend.capabilities:
        raise action_error(NotSupportedError(Capability.CLICK_TO_CALL))
    number = callee_number(hass, target.entry, call.data[ATTR_NUMBER])
    await async_place_call(
        target.entry, target.presentity, number, auto_answer=call.data[ATTR_AUTO_ANSWER]
    )


@callback
def async_setup_call_service(hass: HomeAssistant) -> None:
    """Register `pbx_presence.call` (once, from async_setup)."""
    hass.services.async_register(DOMAIN, SERVICE_CALL, _async_call, schema=CALL_SCHEMA)
