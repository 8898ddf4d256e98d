"""Services of PBX Presence: reset Flex UC / Kazoo presence, set iSymphony statuses.

Both services resolve their targets and validate everything before the first request
reaches a server. Targets named explicitly (entities and devices) must fit the service;
targets reached through areas, floors or labels are filtered: an area holding both a
Kazoo user and an iSymphony user resets the one and sets the status of the other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_ENTITY_ID, ATTR_NAME
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.helpers.target import TargetSelection, async_extract_referenced_entity_ids
import voluptuous as vol

from .backends import Capability, backend_class
from .backends.snapshot import (
    STATUS_STATES,
    Presentity,
    PresentityKind,
    StatusType,
)
from .const import DOMAIN, LOGGER
from .coordinator import PbxConfigEntry
from .identifiers import server_identifier
from .pbx.kazoo import MAX_EXTENSION_LENGTH, is_resettable_extension
from .status_input import check_status_input
from .status_select import choose_status

SERVICE_RESET_PRESENCE = "reset_presence"
SERVICE_SET_USER_STATUS = "set_user_status"

ATTR_EXTENSION = "extension"
ATTR_TYPE = "type"
ATTR_NOTE = "note"
ATTR_RETURN_TIME = "return_time"

_TARGET_FIELDS: dict[str | vol.Marker, Any] = {
    **cv.ENTITY_SERVICE_FIELDS,
    # Explicit entity ids only: "all" would reach every entity of every integration.
    vol.Optional(ATTR_ENTITY_ID): cv.entity_ids,
}

RESET_PRESENCE_SCHEMA = vol.Schema(
    {
        **_TARGET_FIELDS,
        # Checked in the handler, for a translated refusal (see pbx/extensions.py).
        vol.Optional(ATTR_EXTENSION): vol.All(cv.string, vol.Strip),
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
    }
)

SET_USER_STATUS_SCHEMA = vol.Schema(
    {
        **_TARGET_FIELDS,
        # What the Status sensor and select show (`not_available`), or the server's own name
        # of that type (`unavailable`); without it, the name of an admin-defined status.
        vol.Optional(ATTR_TYPE): vol.All(
            cv.string,
            vol.Lower,
            vol.In(sorted({*STATUS_STATES, *(status_type.value for status_type in StatusType)})),
        ),
        vol.Optional(ATTR_NAME): cv.string,
        vol.Optional(ATTR_NOTE, default=""): cv.string,
        vol.Optional(ATTR_RETURN_TIME): cv.datetime,
    }
)


@dataclass(frozen=True, slots=True)
class _Kind:
    """What a service acts on, and the translation keys of its refusals."""

    capability: Capability
    kinds: frozenset[PresentityKind]
    wrong_target: str  # an explicit target of another kind (placeholder `name`)
    no_targets: str  # targets given, but none fits


_PRESENCE = _Kind(
    Capability.PRESENCE_RESET,
    frozenset({PresentityKind.USER, PresentityKind.PHONE, PresentityKind.EXTENSION}),
    "not_presence_target",
    "no_presence_targets",
)
_STATUS = _Kind(
    Capability.STATUS,
    frozenset({PresentityKind.PANEL_USER}),
    "not_status_target",
    "no_status_targets",
)


@dataclass(frozen=True, slots=True)
class _Target:
    """One presentity to act on, with the (loaded) entry it belongs to."""

    entry: PbxConfigEntry
    presentity: Presentity


def _error(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def _device_name(device: dr.DeviceEntry) -> str:
    return device.name_by_user or device.name or device.id


class _Resolver:
    """Turns a call's target into presentities of loaded entries, refusing misfits."""

    def __init__(
        self,
        hass: HomeAssistant,
        kind: _Kind,
        check: Callable[[PbxConfigEntry, Presentity], ServiceValidationError | None],
    ) -> None:
        self.hass = hass
        self.kind = kind
        self.check = check
        self.devices = dr.async_get(hass)
        self.entities = er.async_get(hass)

    def resolve(self, call: ServiceCall) -> list[_Target]:
        """Every presentity the call targets; an empty list when it has no target."""
        selection = TargetSelection(call.data)
        if not selection.has_any_target:
            return []
        selected = async_extract_referenced_entity_ids(self.hass, selection)

        explicit: dict[str, None] = dict.fromkeys(sorted(selection.device_ids))
        for entity_id in sorted(selected.referenced):
            entity = self.entities.async_get(entity_id)
            if entity is None or entity.platform != DOMAIN or entity.device_id is None:
                raise _error("not_pbx_target", target=entity_id)
            explicit[entity.device_id] = None
        implicit = set(selected.referenced_devices) - set(explicit)
        for entity_id in selected.indirectly_referenced:
            entity = self.entities.async_get(entity_id)
            if entity is not None and entity.platform == DOMAIN and entity.device_id:
                implicit.add(entity.device_id)
        implicit -= set(explicit)

        targets: dict[tuple[str, str], _Target] = {}
        for device_id in explicit:
            target = self._device_target(device_id, explicit=True)
            assert target is not None  # an explicit misfit raises  # noqa: S101
            targets.setdefault((target.entry.entry_id, target.presentity.key), target)
        for device_id in sorted(implicit):
            if (target := self._device_target(device_id, explicit=False)) is not None:
                targets.setdefault((target.entry.entry_id, target.presentity.key), target)
        if not targets:
            raise _error(self.kind.no_targets)
        return list(targets.values())

    def _device_target(self, device_id: str, *, explicit: bool) -> _Target | None:
        """The presentity of a device; a misfit raises when explicit, else is skipped."""
        try:
            return self._fit(device_id)
        except _MisfitError as misfit:
            if explicit:
                raise misfit.error from None
            return None

    def _fit(self, device_id: str) -> _Target:
        """The target a device stands for, or a _MisfitError saying why it is none."""
        device = self.devices.async_get(device_id)
        if device is None:
            raise _MisfitError(_error("not_pbx_target", target=device_id))
        entry = self._entry_of(device)
        presentity = self._presentity_of(entry, device)
        if (refusal := self.check(entry, presentity)) is not None:
            raise _MisfitError(refusal)
        return _Target(entry, presentity)

    def _entry_of(self, device: dr.DeviceEntry) -> PbxConfigEntry:
        """The loaded entry, able to do what the service does, that the device belongs to.

        A person known to both servers is one device of two entries: the one that fits.
        """
        ours = [
            entry
            for entry_id in device.config_entries
            if (entry := self.hass.config_entries.async_get_entry(entry_id)) is not None
            and entry.domain == DOMAIN
        ]
        if not ours:
            raise _MisfitError(_error("not_pbx_target", target=_device_name(device)))
        entry = next((e for e in ours if _can(e, self.kind.capability)), None)
        if entry is None:
            raise _MisfitError(_error(self.kind.wrong_target, name=_device_name(device)))
        if entry.state is not ConfigEntryState.LOADED:
            # Not a misfit: the target is right, the entry is not ready.
            raise _error("entry_not_loaded", entry=entry.title)
        return cast("PbxConfigEntry", entry)

    def _presentity_of(self, entry: PbxConfigEntry, device: dr.DeviceEntry) -> Presentity:
        """The presentity a device of a loaded entry stands for."""
        coordinator = entry.runtime_data
        presentity = coordinator.presentity_of(device)
        if presentity is not None and presentity.kind in self.kind.kinds:
            return presentity
        if presentity is None and server_identifier(coordinator.server) not in device.identifiers:
            raise _MisfitError(_error("presentity_gone", name=_device_name(device)))
        # The server device itself, or a presentity of another kind.
        raise _MisfitError(_error(self.kind.wrong_target, name=_device_name(device)))


class _MisfitError(Exception):
    """A target that does not fit the service: an error when named, else skipped."""

    def __init__(self, error: ServiceValidationError) -> None:
        super().__init__(str(error))
        self.error = error


def _can(entry: ConfigEntry, capability: Capability) -> bool:
    """Whether an entry's server can do something (loaded or not)."""
    return capability in backend_class(entry.data).capabilities


def _extension_entry(hass: HomeAssistant, entry_id: str) -> PbxConfigEntry:
    """The loaded entry whose server a raw extension is reset on."""
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise _error("entry_not_found", entry_id=entry_id)
    if not _can(entry, Capability.PRESENCE_RESET):
        raise _error("entry_not_flex_uc", entry=entry.title)
    if entry.state is not ConfigEntryState.LOADED:
        raise _error("entry_not_loaded", entry=entry.title)
    return cast("PbxConfigEntry", entry)


def _check_presence_target(
    entry: PbxConfigEntry, presentity: Presentity
) -> ServiceValidationError | None:
    """A phone without a presence ID: the server would ignore the reset."""
    if not presentity.presence_target:
        return _error("no_presence_id", name=presentity.name)
    return None


def _check_status_target(
    entry: PbxConfigEntry, presentity: Presentity
) -> ServiceValidationError | None:
    """A user without a license has no status to set."""
    if not presentity.licensed:
        return _error("user_not_licensed", name=presentity.name)
    return None


async def _run_all(actions: list[tuple[str, Callable[[], Awaitable[None]]]]) -> None:
    """Run every action even when some fail; then raise the first failure."""
    errors: list[HomeAssistantError] = []
    for name, action in actions:
        try:
            await action()
        except HomeAssistantError as err:
            LOGGER.debug("Service action for %s failed: %s", name, err)
            errors.append(err)
    if errors:
        raise errors[0]


async def _async_reset_presence(call: ServiceCall) -> None:
    """Reset the BLF presence of the targeted presentities and of a raw extension."""
    hass = call.hass
    extension: str | None = call.data.get(ATTR_EXTENSION)
    entry_id: str | None = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if extension is not None and not is_resettable_extension(extension):
        raise _error(
            "invalid_extension",
            extension=_shown(extension),
            max_length=str(MAX_EXTENSION_LENGTH),
        )
    if extension is not None and entry_id is None:
        raise _error("extension_without_entry", extension=extension)
    if extension is None and entry_id is not None:
        raise _error("entry_without_extension")
    extension_entry = None if entry_id is None else _extension_entry(hass, entry_id)
    targets = _Resolver(hass, _PRESENCE, _check_presence_target).resolve(call)
    if not targets and extension is None:
        raise _error("no_target")

    actions: list[tuple[str, Callable[[], Awaitable[None]]]] = [
        (target.presentity.name, _bind_reset(target)) for target in targets
    ]
    if extension is not None and extension_entry is not None:
        already = any(
            target.entry is extension_entry
            and target.presentity.kind is PresentityKind.EXTENSION
            and target.presentity.server_id.lower() == extension.lower()
            for target in targets
        )
        if not already:
            coordinator = extension_entry.runtime_data
            actions.append((extension, lambda: coordinator.async_reset_extension(extension)))
    await _run_all(actions)


def _shown(text: str) -> str:
    """User input to quote in an error: short, with control characters made visible."""
    shown = text if len(text) <= MAX_EXTENSION_LENGTH else f"{text[:MAX_EXTENSION_LENGTH]}…"
    return shown if shown.isprintable() else ascii(shown)


def _current(target: _Target) -> Presentity:
    """The target's presentity as of now: an earlier action may have updated it."""
    presentities = target.entry.runtime_data.data.presentities
    return presentities.get(target.presentity.key, target.presentity)


def _bind_reset(target: _Target) -> Callable[[], Awaitable[None]]:
    return lambda: target.entry.runtime_data.async_reset_presence(_current(target))


async def _async_set_user_status(call: ServiceCall) -> None:
    """Set the iSymphony status of the targeted users."""
    targets = _Resolver(call.hass, _STATUS, _check_status_target).resolve(call)
    if not targets:
        raise _error("no_target")
    name: str | None = call.data.get(ATTR_NAME) or None
    chosen = {
        (t.entry.entry_id, t.presentity.key): choose_status(
            t.entry.runtime_data.backend.status_choices, call.data.get(ATTR_TYPE), name
        )
        for t in targets
    }
    note: str = call.data[ATTR_NOTE]
    return_time = check_status_input(name, note, call.data.get(ATTR_RETURN_TIME))

    def bind(target: _Target) -> Callable[[], Awaitable[None]]:
        status_type, status_name = chosen[target.entry.entry_id, target.presentity.key]
        return lambda: target.entry.runtime_data.async_set_status(
            _current(target),
            status_type=status_type,
            name=status_name,
            note=note,
            return_time=return_time,
        )

    await _run_all([(target.presentity.name, bind(target)) for target in targets])


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the services (once, from async_setup)."""
    hass.services.async_register(
        DOMAIN, SERVICE_RESET_PRESENCE, _async_reset_presence, schema=RESET_PRESENCE_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_SET_USER_STATUS, _async_set_user_status, schema=SET_USER_STATUS_SCHEMA
    )
