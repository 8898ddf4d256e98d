"""How names and patterns are compared: without case, accents, punctuation or extra spaces.

Shared by the import filter, the links between people of two servers, and voice.
"""

from __future__ import annotations

import re
import unicodedata


def plain(text: str) -> str:
    """Lower case and without accents: "Müller" is said and written "muller" too."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalize(text: str) -> str:
    """Lower case, without accents, punctuation or extra spaces: how names are compared."""
    words = plain(text).replace("\u2019", "'")
    words = words.replace("'s ", " ").removesuffix("'s")
    return " ".join(re.sub(r"[^\w*#@]+", " ", words).split())
