r"""Kazoo's call parking and callflows, as Crossbar lists them, and click-to-call numbers.

- `GET /v2/accounts/{A}/parked_calls` (`cb_parked_calls.erl`): `{"slots": {"<slot>": ...}}`,
  a slot while a call is parked in it, its keys normalised from cf_park's (`call_id`,
  `cid_name`, `cid_number`, `presence_user` = the number dialled, `attended`, ...).
- `GET /v2/accounts/{A}/callflows`: each callflow's `numbers`, `patterns` and `modules`;
  a pattern of a `park` callflow with a capture group names slots (`^\*3([0-9]*)$`:
  `*3101` is slot `101`, as cf_park takes the capture group).
- Quickcall numbers (`cb_quickcall.erl`): Kazoo drops spaces, commas, dots, dashes and
  brackets (`number_filter`) and dials whatever is left; a number no callflow routes fails
  only once the phone has answered. So numbers are checked here before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
import re
from typing import Any, Self

from .._parse import as_object, get_opt_str
from ..errors import PbxResponseError

# What cb_quickcall's default number filter removes.
_NUMBER_FILLER = re.compile(r"[ ,.\-()/]")
# A number a phone can dial: digits, `*` and `#`, `+` only first (after the filler is gone).
_DIALABLE = re.compile(r"\+?[0-9*#]+")
MAX_NUMBER_LENGTH = 32


def dialable_number(text: str) -> str | None:
    """The number Kazoo would dial for `text` ("0171 123-4567" -> "01711234567"), or None."""
    number = _NUMBER_FILLER.sub("", text.strip())
    if len(number) > MAX_NUMBER_LENGTH or _DIALABLE.fullmatch(number) is None:
        return None
    return number if any(char.isdigit() for char in number) else None


@dataclass(frozen=True, slots=True, kw_only=True)
class KazooParkedCall:
    """A call waiting in a park slot."""

    slot: str
    call_id: str | None
    caller_id_name: str | None
    caller_id_number: str | None
    # The number dialled to park it (`*3101`): what phones watch.
    presence_user: str | None
    # An attended park still talking to the parker: not parked yet (no lamp either).
    attended: bool

    @classmethod
    def from_api(cls, slot: str, data: Any) -> Self:
        """Build from one entry of `data.slots`."""
        obj = as_object(data, "parked call")
        return cls(
            slot=slot,
            call_id=get_opt_str(obj, "call_id"),
            caller_id_name=get_opt_str(obj, "cid_name"),
            caller_id_number=get_opt_str(obj, "cid_number"),
            presence_user=get_opt_str(obj, "presence_user"),
            attended=obj.get("attended") is True,
        )


def parse_parked_calls(data: Any) -> list[KazooParkedCall]:
    """The parked calls of a `parked_calls` reply."""
    slots = as_object(data, "parked calls").get("slots", {})
    return [
        KazooParkedCall.from_api(str(slot), value)
        for slot, value in as_object(slots, "slots").items()
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class KazooCallflow:
    """A callflow as the list shows it: what is dialled, and which modules it runs."""

    id: str
    numbers: tuple[str, ...]
    patterns: tuple[str, ...]
    modules: tuple[str, ...]

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from a callflows list item."""
        obj = as_object(data, "callflow")

        def texts(key: str) -> tuple[str, ...]:
            value = obj.get(key) or []
            if not isinstance(value, list):
                raise PbxResponseError(f"Field {key!r} of a callflow is not a list")
            return tuple(item for item in value if isinstance(item, str))

        return cls(
            id=get_opt_str(obj, "id") or "",
            numbers=texts("numbers"),
            patterns=texts("patterns"),
            modules=texts("modules"),
        )

    @property
    def parks(self) -> bool:
        """Whether the callflow parks or retrieves calls."""
        return "park" in self.modules
