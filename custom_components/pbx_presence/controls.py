"""Phone controls: a person's or phone's do-not-disturb and call forwarding.

Shared by the switches, the forward-number text, device actions and voice: each checks
what it was given before anything is sent, asks the backend (a PATCH on Kazoo) and shows
the server's reply at once.
"""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .backends import FORWARD_NUMBER_MAX_LENGTH, NoForwardNumberError, clean_forward_number
from .backends.snapshot import Presentity
from .const import DOMAIN
from .coordinator import PbxCoordinator
from .errors import pbx_action


def has_dnd(presentity: Presentity) -> bool:
    """A user or phone with a do-not-disturb setting of its own."""
    return presentity.dnd is not None


def has_call_forward(presentity: Presentity) -> bool:
    """A user or phone with call forwarding of its own."""
    return presentity.call_forward is not None


def forward_number(text: str) -> str:
    """The number to forward to, as it will be stored; a translated refusal if it is none."""
    number = clean_forward_number(text)
    if number is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_forward_number",
            translation_placeholders={
                "number": text,
                "max_length": str(FORWARD_NUMBER_MAX_LENGTH),
            },
        )
    return number


@pbx_action
async def async_set_dnd(
    coordinator: PbxCoordinator, presentity: Presentity, *, enabled: bool
) -> None:
    """Turn the presentity's own do-not-disturb on or off."""
    snapshot = await coordinator.backend.async_set_dnd(presentity, enabled=enabled)
    coordinator.async_show_written(snapshot)


@pbx_action
async def async_set_forward(
    coordinator: PbxCoordinator,
    presentity: Presentity,
    *,
    enabled: bool | None = None,
    number: str | None = None,
) -> None:
    """Change the presentity's call forwarding: on or off, the number, or both at once."""
    try:
        snapshot = await coordinator.backend.async_set_forward(
            presentity, enabled=enabled, number=number
        )
    except NoForwardNumberError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="no_forward_number",
            translation_placeholders={"name": presentity.name},
        ) from err
    coordinator.async_show_written(snapshot)
