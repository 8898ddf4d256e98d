"""The Kazoo login an entry stores: an API key, or a user's credentials hash and account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...pbx.kazoo import AccountIdentifier, ApiKeyCredentials, KazooCredentials, UserCredentials
from ..keys import ACCOUNT_NAME, API_KEY, CREDENTIALS_HASH


def account_identifier(account: str) -> AccountIdentifier:
    """Tell what the user typed in the account field: a phone number, a realm or a name."""
    stripped = account.strip()
    if stripped.startswith("+") or stripped.isdigit():
        return AccountIdentifier.PHONE_NUMBER
    if "." in stripped and " " not in stripped:
        return AccountIdentifier.ACCOUNT_REALM
    return AccountIdentifier.ACCOUNT_NAME


def kazoo_credentials(data: Mapping[str, Any]) -> KazooCredentials:
    """The credentials an entry's data holds: its API key, or its user's hash and account."""
    if data.get(API_KEY):
        return ApiKeyCredentials(data[API_KEY])
    account = data[ACCOUNT_NAME]
    return UserCredentials(data[CREDENTIALS_HASH], account, account_identifier(account))
