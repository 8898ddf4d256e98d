"""Repair issues an entry raises: what no re-login fixes, said in Settings → Repairs."""

from __future__ import annotations

from collections.abc import Sequence

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .backends.snapshot import UnlitKey
from .const import DOMAIN
from .errors import ACCOUNT_REFUSALS

NO_LICENSE = "no_license"
UNLIT_KEYS = "unlit_blf_keys"


def _issue_id(key: str, entry_id: str) -> str:
    return f"{key}_{entry_id}"


def _create(hass: HomeAssistant, key: str, entry_id: str, title: str, *, error: bool) -> None:
    ir.async_create_issue(
        hass,
        DOMAIN,
        _issue_id(key, entry_id),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR if error else ir.IssueSeverity.WARNING,
        translation_key=key,
        translation_placeholders={"server": title},
    )


@callback
def async_account_refused(hass: HomeAssistant, entry_id: str, title: str, key: str) -> None:
    """The provider disabled or let the account expire (`key`): only the provider helps."""
    _create(hass, key, entry_id, title, error=True)


@callback
def async_account_accepted(hass: HomeAssistant, entry_id: str) -> None:
    """The server answered: the account is neither disabled nor expired (any more)."""
    for key in ACCOUNT_REFUSALS.values():
        ir.async_delete_issue(hass, DOMAIN, _issue_id(key, entry_id))


@callback
def async_update_license_issue(
    hass: HomeAssistant, entry_id: str, title: str, *, unlicensed: bool
) -> None:
    """Say while no user of an iSymphony server has a license (no status can be read)."""
    if unlicensed:
        _create(hass, NO_LICENSE, entry_id, title, error=False)
    else:
        ir.async_delete_issue(hass, DOMAIN, _issue_id(NO_LICENSE, entry_id))


@callback
def async_update_unlit_keys_issue(
    hass: HomeAssistant, entry_id: str, title: str, unlit: Sequence[UnlitKey]
) -> None:
    """Say while BLF keys watch people's numbers that never light (no presence id in Kazoo).

    One line per person: the name, the number the keys watch, and in brackets the names the
    server publishes the person's calls under instead.
    """
    if not unlit:
        ir.async_delete_issue(hass, DOMAIN, _issue_id(UNLIT_KEYS, entry_id))
        return
    people = "\n".join(
        f"- {key.name}: {key.number} ({', '.join(key.published_as)})" for key in unlit
    )
    ir.async_create_issue(
        hass,
        DOMAIN,
        _issue_id(UNLIT_KEYS, entry_id),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=UNLIT_KEYS,
        translation_placeholders={"server": title, "people": people},
    )


@callback
def async_remove_entry_issues(hass: HomeAssistant, entry_id: str) -> None:
    """Forget every issue of an entry that is being removed."""
    for key in (NO_LICENSE, UNLIT_KEYS, *ACCOUNT_REFUSALS.values()):
        ir.async_delete_issue(hass, DOMAIN, _issue_id(key, entry_id))
