"""Strict readers for JSON replies: a reply of the wrong shape becomes PbxResponseError.

Every model parser goes through these, so a malformed or unexpected reply can never
escape as a KeyError or TypeError.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from .errors import PbxResponseError


def as_object(value: Any, what: str) -> Mapping[str, Any]:
    """Return `value` when it is a JSON object."""
    if not isinstance(value, Mapping):
        raise PbxResponseError(f"Expected an object for {what}, got {type(value).__name__}")
    return cast("Mapping[str, Any]", value)


def as_list(value: Any, what: str) -> list[Any]:
    """Return `value` when it is a JSON array."""
    if not isinstance(value, list):
        raise PbxResponseError(f"Expected a list for {what}, got {type(value).__name__}")
    return value


def get_str(obj: Mapping[str, Any], key: str) -> str:
    """Read a required string field."""
    value = obj.get(key)
    if not isinstance(value, str):
        raise PbxResponseError(f"Field {key!r} is missing or not a string")
    return value


def get_opt_str(obj: Mapping[str, Any], key: str) -> str | None:
    """Read an optional string field; empty strings count as absent."""
    value = obj.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PbxResponseError(f"Field {key!r} is not a string")
    return value


def get_int(obj: Mapping[str, Any], key: str, default: int | None = None) -> int:
    """Read an integer field (JSON numbers with no fraction count too)."""
    value = obj.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PbxResponseError(f"Field {key!r} is missing or not a number")
    if isinstance(value, float) and not value.is_integer():
        raise PbxResponseError(f"Field {key!r} is not a whole number")
    return int(value)


def get_bool(obj: Mapping[str, Any], key: str, *, default: bool | None = None) -> bool:
    """Read a boolean field."""
    value = obj.get(key, default)
    if not isinstance(value, bool):
        raise PbxResponseError(f"Field {key!r} is missing or not a boolean")
    return value


def opt_text(obj: Mapping[str, Any], key: str) -> str | None:
    """Read a field that servers send as either text or a number."""
    value = obj.get(key)
    return None if value is None else str(value)


def parse_list[T](data: Any, what: str, parse: Callable[[Any], T]) -> list[T]:
    """Parse every item of a JSON array with `parse`."""
    return [parse(item) for item in as_list(data, what)]
