"""Settling a new snapshot: what changed, found by looking at what an event touched only."""

from __future__ import annotations

from dataclasses import replace

from custom_components.pbx_presence.backends.base import utcnow
from custom_components.pbx_presence.backends.snapshot import (
    CallInfo,
    CallState,
    Presentity,
    PresentityKind,
    Snapshot,
)
from custom_components.pbx_presence.changes import settle, snapshot_events
from custom_components.pbx_presence.const import CONF_EXCLUDE
from custom_components.pbx_presence.import_filter import ImportFilter


def _people(count: int) -> Snapshot:
    return Snapshot(
        presentities={
            f"user_{n}": Presentity(
                key=f"user_{n}",
                kind=PresentityKind.USER,
                name=f"Person {n}",
                server_id=str(n),
                call_state=CallState.IDLE,
            )
            for n in range(count)
        }
    )


def _ringing(snapshot: Snapshot, *keys: str) -> Snapshot:
    presentities = dict(snapshot.presentities)
    for key in keys:
        presentities[key] = replace(
            presentities[key], call_state=CallState.RINGING, call=CallInfo(answered=False)
        )
    return replace(snapshot, presentities=presentities)


def test_touched_keys_give_the_same_result_as_a_whole_comparison() -> None:
    """Told which presentities an event touched, settle finds the same changes."""
    old = _people(50)
    # user_3 rings; user_4 was rebuilt but is equal; the others are the very same objects.
    new = _ringing(old, "user_3")
    new = replace(
        new, presentities=new.presentities | {"user_4": replace(old.presentities["user_4"])}
    )
    whole, whole_changed = settle(old, new)
    touched, touched_changed = settle(old, new, frozenset({"user_3", "user_4"}))
    assert whole == touched
    assert whole_changed == touched_changed == {"user_3"}
    # The equal rebuild keeps the old object, as a whole comparison does.
    assert touched.presentities["user_4"] is old.presentities["user_4"]
    assert whole.presentities["user_4"] is old.presentities["user_4"]


def test_nothing_changed_returns_the_old_snapshot() -> None:
    old = _people(5)
    same = replace(old, presentities=dict(old.presentities))
    assert settle(old, same) == (old, set())
    assert settle(old, same, frozenset({"user_1"}))[0] is old


def test_a_presentity_that_left_is_a_change() -> None:
    old = _people(5)
    presentities = dict(old.presentities)
    del presentities["user_2"]
    gone = replace(old, presentities=presentities)
    assert settle(old, gone)[1] == {"user_2"}
    assert settle(old, gone, frozenset({"user_2"}))[1] == {"user_2"}


def test_the_import_filter_looks_at_touched_presentities_only() -> None:
    """An excluded person who rings stays out; the others are as the last result had them."""
    import_filter = ImportFilter.from_options({CONF_EXCLUDE: ["Person 7"]})
    old = _people(10)
    shown = import_filter.apply(old)
    assert "user_7" not in shown.presentities
    new = _ringing(old, "user_7", "user_2")
    touched = frozenset({"user_7", "user_2"})
    assert import_filter.apply(new, touched, shown) == import_filter.apply(new)


def test_events_of_the_keys_given_only() -> None:
    old = _people(10)
    new = _ringing(old, "user_1", "user_2")
    assert set(snapshot_events(old, new, utcnow())) == {"user_1", "user_2"}
    assert set(snapshot_events(old, new, utcnow(), {"user_2"})) == {"user_2"}
