"""Constants for the PBX Presence integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

from .backends import keys
from .backends.base import ServerType

DOMAIN: Final = "pbx_presence"
LOGGER = logging.getLogger(__package__)

# Entry data (the backends read it: see backends/keys.py).
CONF_SERVER_TYPE: Final = keys.SERVER_TYPE
CONF_ACCOUNT_NAME: Final = keys.ACCOUNT_NAME
CONF_CREDENTIALS_HASH: Final = keys.CREDENTIALS_HASH
CONF_CORE_SERVER: Final = keys.CORE_SERVER
DEFAULT_CORE_SERVER: Final = keys.DEFAULT_CORE_SERVER

# Options: which presentities to import, and how often to poll.
CONF_IMPORT: Final = "import"  # presentity kinds
CONF_INCLUDE: Final = "include"  # names or extensions; empty: all
CONF_EXCLUDE: Final = "exclude"
# iSymphony: people linked to a Kazoo user by hand (username -> Kazoo device identifier),
# and people kept apart by hand (usernames); see device_links.py.
CONF_PERSON_LINKS: Final = "person_links"
CONF_PERSON_UNLINKS: Final = "person_unlinks"
# Voice: Home Assistant person entity id -> the presentity key "me" means (see voice/).
CONF_SELF_LINKS: Final = "self_links"
# Whether new call-state and status sensors are exposed to Assist when first added.
CONF_EXPOSE_TO_ASSIST: Final = "expose_to_assist"
# Kazoo: the Blackhole websocket's URL, where the login reply's or the default is wrong.
CONF_WEBSOCKET_URL: Final = keys.WEBSOCKET_URL

# Bus events the event entities fire beside their state, for the logbook (logbook.py) and
# for automations that want a call's or status change's data as one event.
EVENT_CALL: Final = f"{DOMAIN}_call"
EVENT_STATUS: Final = f"{DOMAIN}_status_changed"

# Every Kazoo reset alerts the account's admins: never reset one presentity more often.
RESET_COOLDOWN: Final = timedelta(seconds=30)
# Short blips (one 429, one unreadable reply, one dropped connection, one timeout) keep
# the last known state: entities go unavailable only once this many polls in a row have
# failed AND the first of them is this long ago.
UNAVAILABLE_AFTER_FAILED_POLLS: Final = 3
UNAVAILABLE_AFTER: Final = timedelta(minutes=1)

__all__ = ["ServerType"]
