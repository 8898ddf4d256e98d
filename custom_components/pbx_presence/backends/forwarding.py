"""The numbers calls may be forwarded to, checked before anything is sent."""

from __future__ import annotations

import re

# Kazoo's users schema caps `call_forward.number` at 35 characters.
FORWARD_NUMBER_MAX_LENGTH = 35
# What people write between digits: "0171 1234567", "+49 (171) 123-45.67".
_SEPARATORS = re.compile(r"[\s()./-]+")
_NUMBER = re.compile(r"\+?[0-9]+")


def clean_forward_number(text: str) -> str | None:
    """The number to forward to, as the server stores it; None when it is not one.

    Digits with an optional leading `+`, spaces, dashes, dots and brackets dropped: at
    most 35 characters. Anything else (a name, letters, `*` codes) is refused.
    """
    number = _SEPARATORS.sub("", text.strip())
    if not _NUMBER.fullmatch(number) or len(number) > FORWARD_NUMBER_MAX_LENGTH:
        return None
    return number
