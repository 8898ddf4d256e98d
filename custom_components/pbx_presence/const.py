"""Constants for the PBX Presence integration."""

from __future__ import annotations

import logging
from datetime import timedelta
from enum import StrEnum
from typing import Final

DOMAIN: Final = "pbx_presence"
LOGGER = logging.getLogger(__package__)

CONF_SERVER_TYPE: Final = "server_type"
CONF_ACCOUNT_NAME: Final = "account_name"
CONF_CREDENTIALS_HASH: Final = "credentials_hash"
CONF_CORE_SERVER: Final = "core_server"

DEFAULT_CORE_SERVER: Final = "default"

# Options: which presentities to import, and how often to poll.
CONF_IMPORT: Final = "import"  # presentity kinds
CONF_INCLUDE: Final = "include"  # names or extensions; empty: all
CONF_EXCLUDE: Final = "exclude"
# iSymphony: people linked to a Kazoo user by hand (username -> Kazoo device identifier),
# and people kept apart by hand (usernames); see persons.py.
CONF_PERSON_LINKS: Final = "person_links"
CONF_PERSON_UNLINKS: Final = "person_unlinks"
# Kazoo: the Blackhole websocket's URL, where the login reply's or the default is wrong.
CONF_WEBSOCKET_URL: Final = "websocket_url"
# A Kazoo account with more users than this imports users only at first.
LARGE_ACCOUNT_USERS: Final = 200

# Kazoo: presence, channels and registrations are three requests per poll, whatever the
# account size, so call state can be polled often.
KAZOO_SCAN_INTERVAL: Final = timedelta(seconds=5)
# iSymphony needs one request per licensed user.
ISYMPHONY_SCAN_INTERVAL: Final = timedelta(seconds=15)
# While an event socket is connected, polls are only a safety net: Kazoo 4.3 drops events
# when a socket falls behind; iSymphony documents no loss, but nothing is replayed either.
KAZOO_SAFETY_SCAN_INTERVAL: Final = timedelta(minutes=2)
ISYMPHONY_SAFETY_SCAN_INTERVAL: Final = timedelta(minutes=5)
# User and phone lists change rarely; they are also re-read when an unknown id shows up.
DIRECTORY_REFRESH_INTERVAL: Final = timedelta(minutes=30)
# Users that answered "not licensed" are asked again this seldom.
LICENSE_RECHECK_INTERVAL: Final = timedelta(minutes=30)
# Every Kazoo reset alerts the account's admins: never reset one presentity more often.
RESET_COOLDOWN: Final = timedelta(seconds=30)
# Bounded concurrency for per-user or per-device requests.
MAX_CONCURRENT_REQUESTS: Final = 8
# Seconds a request may take before it counts as unanswered.
REQUEST_TIMEOUT: Final = 10.0
# Short blips (one 429, one unreadable reply, one dropped connection, one timeout) keep
# the last known state: entities go unavailable only once this many polls in a row have
# failed AND the first of them is this long ago.
UNAVAILABLE_AFTER_FAILED_POLLS: Final = 3
UNAVAILABLE_AFTER: Final = timedelta(minutes=1)


# Why Kazoo refuses a whole account (PbxAccountDisabledError.reason) -> the translation key
# (error, exception and repair issue) that says so.
ACCOUNT_REFUSALS: Final = {"disabled": "account_disabled", "expired": "account_expired"}


class ServerType(StrEnum):
    """The kinds of server an entry can talk to (also the config flow's menu options)."""

    FLEX_UC = "flex_uc"
    ISYMPHONY = "isymphony"
