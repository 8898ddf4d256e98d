"""The import filter: which presentities an entry imports (kinds, include and exclude lists)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from typing import Any

from .backends.snapshot import Presentity, PresentityKind, Snapshot
from .const import CONF_EXCLUDE, CONF_IMPORT, CONF_INCLUDE
from .names import normalize


@dataclass(frozen=True, slots=True)
class ImportFilter:
    """What to import. A pattern matches a name or an extension; `*` is any text.

    Case and accents do not matter ("muller" matches "Müller").
    """

    kinds: frozenset[PresentityKind] | None = None  # None: every kind
    include: tuple[str, ...] = ()  # empty: everything
    exclude: tuple[str, ...] = ()
    # (name, extension) -> whether the patterns let it in: every poll and event asks again.
    _matched: dict[tuple[str, str | None], bool] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ImportFilter:
        """The selection an entry's options describe (no options: everything)."""
        kinds = options.get(CONF_IMPORT)
        return cls(
            kinds=None if kinds is None else frozenset(PresentityKind(kind) for kind in kinds),
            include=_patterns(options.get(CONF_INCLUDE, ())),
            exclude=_patterns(options.get(CONF_EXCLUDE, ())),
        )

    def wants(self, presentity: Presentity) -> bool:
        """Whether the presentity is imported."""
        # A panel user is the only kind of its server: no kind to choose there.
        if (
            self.kinds is not None
            and presentity.kind is not PresentityKind.PANEL_USER
            and presentity.kind not in self.kinds
        ):
            return False
        if not self.include and not self.exclude:
            return True
        key = (presentity.name, presentity.extension)
        if (matched := self._matched.get(key)) is None:
            names = [normalize(presentity.name)]
            if presentity.extension:
                names.append(normalize(presentity.extension))
            matched = self._matched[key] = (
                not self.include or _matches(self.include, names)
            ) and not (self.exclude and _matches(self.exclude, names))
        return matched

    def apply(
        self,
        snapshot: Snapshot,
        touched: Collection[str] | None = None,
        previous: Snapshot | None = None,
    ) -> Snapshot:
        """The snapshot with only the presentities imported.

        With `touched` and `previous` (this filter's last result), only the presentities
        of `touched` are looked at again; every other one is as in `previous`.
        """
        if self == ImportFilter():
            return snapshot
        if touched is None or previous is None:
            kept = {key: p for key, p in snapshot.presentities.items() if self.wants(p)}
        else:
            kept = dict(previous.presentities)
            for key in touched:
                presentity = snapshot.presentities.get(key)
                if presentity is not None and self.wants(presentity):
                    kept[key] = presentity
                else:
                    kept.pop(key, None)
        return replace(snapshot, presentities=kept)


def pattern_error(value: str) -> str | None:
    """Why a pattern typed in the options cannot be used, as an error key; None if it can.

    Case, accents, punctuation and symbols are set aside when comparing, so `-*`, `.*` or
    an emoji and `*` would become `*` (everything), and a pattern of symbols only nothing.
    """
    pattern = normalize(value)
    if not pattern:
        return "pattern_empty"
    if not pattern.replace("*", "").strip():
        return "pattern_matches_everything"
    return None


def _patterns(values: Iterable[str]) -> tuple[str, ...]:
    # `*` survives normalising, so "*31*" still matches park slots.
    return tuple(pattern for value in values if (pattern := normalize(value)))


def _matches(patterns: tuple[str, ...], names: list[str]) -> bool:
    return any(fnmatchcase(name, pattern) for pattern in patterns for name in names)
