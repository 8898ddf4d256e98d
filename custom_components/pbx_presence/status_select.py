"""The Set status select and action: the 11 types, and the admin-defined statuses seen.

The server documents no list of its predefined statuses (the Config API's `statuses`
resource is named, its reply not captured), so they are learnt as users take them: each
one seen, type and name together, stays on offer for the entry's life, and the 11 types
always are. A type's option is its state key (translated like the Status sensor's); a
named status is "<type, in Home Assistant's language> — <name>".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from homeassistant.components.select import SelectEntity
from homeassistant.core import callback
from homeassistant.exceptions import ServiceValidationError

from .backends.snapshot import STATUS_STATES, Status, StatusType, status_state, status_type_of
from .const import DOMAIN
from .entity import PbxEntity
from .names import normalize

SEPARATOR = " — "
# The most names listed in an error about a name that is not known.
MAX_NAMES_LISTED = 10


def choose_status(
    choices: Sequence[tuple[StatusType, str]], option: str | None, name: str | None
) -> tuple[StatusType, str | None]:
    """The type and name the action sets: `type` as given, or the type of a known name.

    Without a type, the name must be an admin-defined status seen on this server (any
    case); a translated error lists the names known.
    """
    if option is not None:
        return status_type_of(option), name
    wanted = normalize(name or "")
    for status_type, known in choices:
        if normalize(known) == wanted:
            return status_type, known
    names = sorted({known for _, known in choices}, key=str.lower)
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="status_name_unknown" if name else "status_type_missing",
        translation_placeholders={
            "name": name or "",
            "known": ", ".join(names[:MAX_NAMES_LISTED]) or "-",
        },
    )


class StatusSelectEntity(PbxEntity, SelectEntity):
    """Set status: the 11 types, then each admin-defined status seen so far."""

    # select.py's PbxSelectEntityDescription (which imports this module)
    entity_description: Any
    _seen = 0

    def _label(self, status_type: StatusType) -> str:
        """A type's name in Home Assistant's language (the select's own state label)."""
        state = status_state(status_type)
        key = f"component.{DOMAIN}.entity.select.status.state.{state}"
        platform_data = getattr(self, "platform_data", None)
        translations = platform_data.platform_translations if platform_data else {}
        return translations.get(key) or state.replace("_", " ").capitalize()

    def _named_options(self) -> dict[str, tuple[StatusType, str]]:
        """Option -> (type, name) for each admin-defined status not named like its type."""
        named: dict[str, tuple[StatusType, str]] = {}
        order = list(StatusType)
        choices = sorted(
            self.coordinator.backend.status_choices,
            key=lambda choice: (order.index(choice[0]), choice[1].lower()),
        )
        for status_type, name in choices:
            label = self._label(status_type)
            if normalize(name) in {normalize(label), status_type.value}:
                continue  # "Available" of type available: the type's own option
            named.setdefault(f"{label}{SEPARATOR}{name}", (status_type, name))
        return named

    @property
    def options(self) -> list[str]:
        """The 11 types, then the named statuses."""
        return [*STATUS_STATES, *self._named_options()]

    @property
    def current_option(self) -> str | None:
        """The named option of an admin-defined status, else the type's."""
        status: Status | None = self.presentity.status
        if status is None:
            return None
        if not status.user_created:
            for option, choice in self._named_options().items():
                if choice == (status.type, status.name):
                    return option
        return status_state(status.type)

    async def async_added_to_hass(self) -> None:
        """Also show new named statuses as soon as any user takes one."""
        await super().async_added_to_hass()
        self._seen = len(self.coordinator.backend.status_choices)
        self.async_on_remove(self.coordinator.async_add_listener(self._choices_changed))

    @callback
    def _choices_changed(self) -> None:
        seen = len(self.coordinator.backend.status_choices)
        if seen != self._seen and self.available:
            self._seen = seen
            self.async_write_ha_state()

    async def async_select_option(self, option: str) -> None:
        """A type sets that type; a named status sets its type and name."""
        named = self._named_options().get(option)
        if named is None:
            await self.entity_description.select_fn(self.coordinator, self.presentity, option)
            return
        status_type, name = named
        await self.coordinator.async_set_status(self.presentity, status_type=status_type, name=name)
