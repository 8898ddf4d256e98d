"""Which extensions a Kazoo presence reset may name.

Kazoo hands the extension of `POST .../presence/{extension}` to Kamailio unescaped:
`*` is a wildcard there (resetting `*` flushes every lamp of the account), quotes and `%`
reach its SQL, and a proxy in front of Crossbar may normalise `.` and `..` path segments
into another path. So only real extensions are sent:

- 1 to 32 characters, at least one of them a letter or digit;
- letters, digits and `#`;
- `*` only as a prefix (`*3101`, `**7`), `+` only as the first character (`+4930123`);
- `-`, `_` and `.` only as single separators between other characters (`park-1`, `1.2`).
"""

from __future__ import annotations

import re

MAX_EXTENSION_LENGTH = 32

_EXTENSION = re.compile(r"(?:\*+|\+)?[0-9A-Za-z#]+(?:[-_.][0-9A-Za-z#]+)*")
_ALPHANUMERIC = re.compile(r"[0-9A-Za-z]")


def is_resettable_extension(extension: str) -> bool:
    """Whether `extension` is safe to name in a presence reset (see the module doc)."""
    return (
        len(extension) <= MAX_EXTENSION_LENGTH
        and _EXTENSION.fullmatch(extension) is not None
        and _ALPHANUMERIC.search(extension) is not None
    )
