"""The switchboard in the sidebar, and as a dashboard card, from the integration's own files.

The web component ships ready to run in `frontend/` (no build step). Its static path is
registered once per Home Assistant run (aiohttp cannot take a route back); the sidebar panel
and the card's script come with the first loaded entry and go with the last one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from homeassistant.components import frontend, panel_custom
from homeassistant.components.http import StaticPathConfig
from homeassistant.core import HomeAssistant
from homeassistant.helpers import translation
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN

FRONTEND_DIR = Path(__file__).parent / "frontend"
SCRIPT = "pbx-switchboard.js"
STATIC_URL = f"/{DOMAIN}_frontend"
PANEL_URL_PATH = "pbx-switchboard"
PANEL_ELEMENT = "pbx-switchboard-panel"
PANEL_ICON = "mdi:phone-classic"
PANEL_TITLE = "Switchboard"

_DATA: HassKey[_PanelState] = HassKey(f"{DOMAIN}_panel")


class _PanelState:
    """Whether the static path is there, and which entries hold the panel."""

    def __init__(self, script_url: str) -> None:
        self.script_url = script_url
        self.entries: set[str] = set()


def _script_version() -> str:
    """A short hash of the script, so browsers load a new version once it changes."""
    return hashlib.sha256((FRONTEND_DIR / SCRIPT).read_bytes()).hexdigest()[:12]


# Read when the module is imported (Home Assistant imports integrations in its executor).
SCRIPT_VERSION = _script_version()


async def async_register_panel(hass: HomeAssistant, entry_id: str) -> None:
    """Show the switchboard (sidebar and card) while an entry is loaded."""
    state = hass.data.get(_DATA)
    if state is None:
        state = hass.data[_DATA] = _PanelState(f"{STATIC_URL}/{SCRIPT}?v={SCRIPT_VERSION}")
        await hass.http.async_register_static_paths(
            [StaticPathConfig(STATIC_URL, str(FRONTEND_DIR), cache_headers=True)]
        )
    first = not state.entries
    state.entries.add(entry_id)
    if first:
        await panel_custom.async_register_panel(
            hass,
            frontend_url_path=PANEL_URL_PATH,
            webcomponent_name=PANEL_ELEMENT,
            sidebar_title=await _async_title(hass),
            sidebar_icon=PANEL_ICON,
            module_url=state.script_url,
            require_admin=False,
        )
        frontend.add_extra_js_url(hass, state.script_url)


async def _async_title(hass: HomeAssistant) -> str:
    """The sidebar's title in the server's language (the sidebar does not translate it)."""
    texts = await translation.async_get_translations(hass, hass.config.language, "common", [DOMAIN])
    return texts.get(f"component.{DOMAIN}.common.switchboard_title", PANEL_TITLE)


def async_unregister_panel(hass: HomeAssistant, entry_id: str) -> None:
    """Take the switchboard away once no entry is loaded."""
    state = hass.data.get(_DATA)
    if state is None or entry_id not in state.entries:
        return
    state.entries.discard(entry_id)
    if not state.entries:
        frontend.async_remove_panel(hass, PANEL_URL_PATH, warn_if_unknown=False)
        frontend.remove_extra_js_url(hass, state.script_url)
