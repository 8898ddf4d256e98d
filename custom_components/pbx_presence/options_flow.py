"""Options of an entry: which presentities to import, and how often to poll."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_SCAN_INTERVAL
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
)
import voluptuous as vol

from .backends import backend_class
from .backends.snapshot import PresentityKind
from .const import (
    CONF_EXCLUDE,
    CONF_EXPOSE_TO_ASSIST,
    CONF_IMPORT,
    CONF_INCLUDE,
    CONF_PERSON_LINKS,
    CONF_PERSON_UNLINKS,
    CONF_SELF_LINKS,
)
from .device_links import link_lines, parse_link_lines
from .import_filter import ImportFilter, pattern_error
from .voice.self_links import parse_self_lines, self_lines

# The slowest polling pace a user may set when no push is available.
MAX_SCAN_INTERVAL = 300


class PbxOptionsFlow(OptionsFlowWithReload):
    """One form; the entry reloads with the new options, dropping what is not imported."""

    _refused_pattern = ""  # quoted by a pattern's error

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask what to import and how often to poll, with how many that would be."""
        entry = self.config_entry
        if entry.state is not ConfigEntryState.LOADED:
            # In setup retry, or reloading after the last save: there is nothing to count or
            # link against (the form and its checks read what the loaded entry knows).
            return self.async_abort(
                reason="entry_not_loaded", description_placeholders={"entry": entry.title}
            )
        backend = backend_class(entry.data)
        errors: dict[str, str] = {}
        if user_input is not None:
            options, errors = self._options(user_input)
            if not errors:
                return self.async_create_entry(data=options)

        fields: dict[vol.Marker, Any] = {}
        if kinds := [kind.value for kind in backend.importable_kinds]:
            fields[vol.Required(CONF_IMPORT, default=kinds)] = SelectSelector(
                SelectSelectorConfig(
                    options=kinds,
                    multiple=True,
                    translation_key="import_kinds",
                )
            )
        fields |= {
            vol.Optional(CONF_INCLUDE, default=[]): TextSelector(TextSelectorConfig(multiple=True)),
            vol.Optional(CONF_EXCLUDE, default=[]): TextSelector(TextSelectorConfig(multiple=True)),
            vol.Optional(CONF_EXPOSE_TO_ASSIST, default=True): BooleanSelector(),
            vol.Optional(CONF_SELF_LINKS, default=[]): TextSelector(
                TextSelectorConfig(multiple=True)
            ),
            # The bounds are checked in _options, so that the error can name them.
            vol.Optional(CONF_SCAN_INTERVAL): NumberSelector(
                NumberSelectorConfig(
                    step=1,
                    unit_of_measurement="s",
                    mode=NumberSelectorMode.BOX,
                )
            ),
        }
        suggested = dict(user_input or entry.options)
        if user_input is None:
            suggested[CONF_SELF_LINKS] = self_lines(entry, entry.options.get(CONF_SELF_LINKS, {}))
        if backend.links_people:
            fields |= self._people_fields()
            if user_input is None:
                suggested[CONF_PERSON_LINKS] = link_lines(
                    self.hass, entry.options.get(CONF_PERSON_LINKS, {})
                )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(vol.Schema(fields), suggested),
            errors=errors,
            description_placeholders=self._preview()
            | {
                "minimum": str(_seconds(backend.min_scan_interval)),
                "maximum": str(MAX_SCAN_INTERVAL),
                "default": str(_seconds(backend.scan_interval)),
            },
        )

    def _options(self, user_input: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """The options to store from the form's input, and the form's errors."""
        errors: dict[str, str] = {}
        options = {
            key: value for key, value in user_input.items() if key != CONF_SCAN_INTERVAL or value
        }
        for key in (CONF_INCLUDE, CONF_EXCLUDE):
            if key in options:
                options[key] = self._patterns(key, options[key], errors)
        if CONF_SCAN_INTERVAL in options:
            options[CONF_SCAN_INTERVAL] = int(options[CONF_SCAN_INTERVAL])
            low = _seconds(backend_class(self.config_entry.data).min_scan_interval)
            if not low <= options[CONF_SCAN_INTERVAL] <= MAX_SCAN_INTERVAL:
                errors[CONF_SCAN_INTERVAL] = "scan_interval_out_of_range"
        if CONF_SELF_LINKS in options:
            try:
                options[CONF_SELF_LINKS] = parse_self_lines(
                    self.hass, self.config_entry, options[CONF_SELF_LINKS]
                )
            except ValueError:
                errors[CONF_SELF_LINKS] = "invalid_self_link"
        if CONF_PERSON_LINKS in options:
            try:
                options[CONF_PERSON_LINKS] = parse_link_lines(
                    self.hass, self.config_entry, options[CONF_PERSON_LINKS]
                )
            except ValueError:
                errors[CONF_PERSON_LINKS] = "invalid_person_link"
        return options, errors

    def _patterns(self, key: str, values: list[str], errors: dict[str, str]) -> list[str]:
        """The patterns without blank lines; the first that means all or nothing is refused."""
        patterns = [value for value in values if value.strip()]
        for value in patterns:
            if error := pattern_error(value):
                errors[key] = error
                self._refused_pattern = value if value.isprintable() else ascii(value)
                break
        return patterns

    def _people_fields(self) -> dict[vol.Marker, Any]:
        """iSymphony: people to keep apart from Kazoo's, and people to link by hand."""
        panel_users = sorted(
            (
                p
                for p in self.config_entry.runtime_data.unfiltered.presentities.values()
                if p.kind is PresentityKind.PANEL_USER
            ),
            key=lambda p: p.name.lower(),
        )
        return {
            vol.Optional(CONF_PERSON_UNLINKS, default=[]): SelectSelector(
                SelectSelectorConfig(
                    options=[
                        SelectOptionDict(value=p.server_id, label=f"{p.name} ({p.server_id})")
                        for p in panel_users
                    ],
                    multiple=True,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
            vol.Optional(CONF_PERSON_LINKS, default=[]): TextSelector(
                TextSelectorConfig(multiple=True)
            ),
        }

    def _preview(self) -> dict[str, str]:
        """How many of each kind the server has, and how many the current options import."""
        coordinator = self.config_entry.runtime_data
        unfiltered = coordinator.unfiltered.presentities.values()
        import_filter = ImportFilter.from_options(self.config_entry.options)
        available = Counter(p.kind for p in unfiltered)
        imported = Counter(p.kind for p in unfiltered if import_filter.wants(p))
        return {
            "pattern": self._refused_pattern[:100],
            "imported": str(sum(imported.values())),
            "available": str(sum(available.values())),
            "users": str(available[PresentityKind.USER] + available[PresentityKind.PANEL_USER]),
            "phones": str(available[PresentityKind.PHONE]),
            "extensions": str(available[PresentityKind.EXTENSION]),
        }


def _seconds(interval: timedelta) -> int:
    return int(interval.total_seconds())
